"""The fixes findings carry, applied round after round, each one's safety proven, not declared."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from ..config import Config
from ..findings import Edit, Finding, Fix
from ..lint import lint_record
from .model import MAX_FIX_TERMS, Change, terms_in
from .safety import is_broken, proven_safe

MAX_ROUNDS = 10
STYLE_PREFIX = "SPF4"  # style rules: their fixes change spelling only


@dataclass(frozen=True)
class FixPolicy:
    """Which fixes may be applied.

    A fix is *safe* when its rule offers it as safe and it is proven to leave every
    address's result unchanged whatever DNS answers (see :mod:`spflint.fix.safety`); safe
    fixes are always allowed, except style-only ones (``SPF4xx``), which need their rule in
    ``style`` (None: every style rule). A fix that
    changes results is allowed with ``unsafe``, or with ``repairs`` when the record is broken
    as it stands (a permerror for every sender: repairing it cannot narrow what passes).
    """

    unsafe: bool = False
    repairs: bool = False
    style: frozenset[str] | None = None

    def allows(self, finding: Finding, safe: bool, broken: bool) -> bool:
        if finding.code.startswith(STYLE_PREFIX) and self.style is not None \
                and finding.code not in self.style:
            return False
        if safe:
            return True
        return self.unsafe or (self.repairs and broken)


def _taken(edit: Edit, taken: Sequence[tuple[int, int]]) -> bool:
    """Whether ``edit`` overlaps (or starts where) an edit already chosen; ``taken`` is sorted
    and its spans do not overlap, so only the neighbours need a look."""
    at = bisect.bisect_left(taken, (edit.start, -1))
    for start, end in taken[max(0, at - 1):at + 1]:
        if (edit.start < end and start < edit.end) or edit.start == start:
            return True
    return False


def _describe(text: str, fix: Fix) -> tuple[str | None, str | None]:
    """What the fix replaces and with what, as short texts (None for nothing)."""
    before = " ".join(text[e.start:e.end].strip() for e in fix.edits).strip() or None
    after = " ".join(e.replacement.strip() for e in fix.edits).strip() or None
    return before, after


async def apply_fixes(text: str, config: Config, policy: FixPolicy, *,
                      domain: str | None = None, strings: Sequence[bytes] | None = None
                      ) -> tuple[str, list[Change]]:
    """``text`` with the allowed fixes of its findings applied, and the changes made.

    In each round the record is linted, each fix's safety is proven on the record as it is,
    and the allowed fixes whose edits do not overlap are applied together; then the record
    is linted again, until no allowed fix is left.
    """
    changes: list[Change] = []
    if terms_in(text) > MAX_FIX_TERMS:
        return text, changes  # too large to prove anything about in reasonable time
    for _ in range(MAX_ROUNDS):
        result = lint_record(text, config, strings=strings, domain=domain)
        strings = None  # the strings of the original no longer describe the text
        broken = await is_broken(text, domain)
        offered: list[tuple[Finding, Fix]] = []
        taken: list[tuple[int, int]] = []  # edited spans so far, sorted
        for finding in result.findings:
            fix = finding.fix
            if fix is None or not fix.edits or any(_taken(e, taken) for e in fix.edits):
                continue
            # Safe only when the rule says so and the proof agrees: a rule may hold back a
            # fix that keeps results but hides a likely mistake (host bits, a pasted name).
            if policy.allows(finding, fix.safe, broken):
                offered.append((finding, fix))
                for edit in fix.edits:
                    bisect.insort(taken, (edit.start, edit.end))
        if not offered:
            break
        safe = await _proven(text, [fix for _, fix in offered if fix.safe], domain)
        chosen: list[tuple[Fix, Change]] = []
        for finding, fix in offered:
            proven = id(fix) in safe
            if not proven and not policy.allows(finding, False, broken):
                continue  # offered as safe, not proven so, and unsafe fixes are not allowed
            before, after = _describe(text, fix)
            effect = ("every address keeps its result, whatever DNS answers" if proven else
                      "this changes which senders pass")
            chosen.append((fix, Change(finding.name, proven, f"{finding.message}; "
                                       f"{fix.title} ({effect})", before, after)))
        if not chosen:
            break
        new = Fix("combined", tuple(e for fix, _ in chosen for e in fix.edits)).apply(text)
        if len(chosen) > 1 and all(c.safe for _, c in chosen) and \
                not await proven_safe(text, new, domain):
            # Each is safe alone, not together (one relied on what another removes): take
            # the first, and look again.
            chosen = chosen[:1]
            new = chosen[0][0].apply(text)
        if new == text:
            break
        changes.extend(change for _, change in chosen)
        text = new
    return text, changes


async def _proven(text: str, fixes: Sequence[Fix], domain: str | None) -> set[int]:
    """The fixes (by id) proven safe: all at once when together they keep every result,
    else each on its own (a record of thousands of terms needs one proof, not thousands)."""
    if not fixes:
        return set()
    combined = Fix("combined", tuple(e for fix in fixes for e in fix.edits)).apply(text)
    if await proven_safe(text, combined, domain):
        return {id(fix) for fix in fixes}
    return {id(fix) for fix in fixes if await proven_safe(text, fix.apply(text), domain)}
