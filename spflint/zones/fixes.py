"""Where corrected record texts come from: ``spflint fix``'s minimal record, or the fixes
that lint findings carry as data.

``minimal_texts`` is what ``zone --fix`` uses; ``finding_fixer`` (safe fixes only unless asked,
re-linting after each round) is its fallback where no minimal record can be proven.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

from spflint.config import Config
from spflint.findings import Edit, Fix
from spflint.lint import lint_record

from .model import ZoneFile, ZoneRecord

if TYPE_CHECKING:
    from spflint.dns.base import Resolver

    from .check import Requirement

# (record, configuration) -> the corrected record text, or None to leave it as it is.
RecordFixer = Callable[[ZoneRecord, Config], "str | None"]

MAX_ROUNDS = 10


def _overlaps(edit: Edit, taken: list[Edit]) -> bool:
    return any((edit.start < other.end and other.start < edit.end)
               or edit.start == other.start for other in taken)


def apply_finding_fixes(text: str, config: Config, *, unsafe: bool = False,
                        strings: Sequence[bytes] | None = None,
                        domain: str | None = None) -> str:
    """``text`` with the fixes of its findings applied, round after round, until none is left.

    In each round the fixes whose edits do not overlap an earlier one are applied together,
    then the record is linted again. Unsafe fixes are applied only with ``unsafe``.
    """
    for _ in range(MAX_ROUNDS):
        result = lint_record(text, config, strings=strings, domain=domain)
        strings = None  # the strings of the original no longer describe the text
        fixes = [f.fix for f in result.findings
                 if f.fix is not None and f.fix.edits and (f.fix.safe or unsafe)]
        chosen: list[Edit] = []
        for fix in fixes:
            if any(_overlaps(edit, chosen) for edit in fix.edits):
                continue
            chosen.extend(fix.edits)
        if not chosen:
            break
        new = Fix("combined", tuple(chosen)).apply(text)
        if new == text:
            break
        text = new
    return text


def finding_fixer(*, unsafe: bool = False) -> RecordFixer:
    """A fixer applying the fixes lint findings carry (safe ones only unless ``unsafe``)."""

    def fixer(record: ZoneRecord, config: Config) -> str | None:
        try:
            original = record.value.decode("utf-8")
        except UnicodeDecodeError:
            return None  # a text that does not decode cannot be edited as text
        fixed = apply_finding_fixes(original, config, unsafe=unsafe, strings=record.strings,
                                    domain=record.name)
        return None if fixed == original else fixed

    return fixer


def corrected_texts(zones: Sequence[ZoneFile], fixer: RecordFixer,
                    config: Config) -> Mapping[tuple[str, int], str]:
    """New texts of the SPF records ``fixer`` changes, keyed by ``(path, start)``."""
    out: dict[tuple[str, int], str] = {}
    for zone in zones:
        for record in zone.spf_records:
            new = fixer(record, config)
            if new is not None and new != record.text:
                out[(record.path, record.start)] = new
    return out


async def minimal_texts(zones: Sequence[ZoneFile], config: Config, resolver: Resolver, *,
                        unsafe: bool = False,
                        requirements: Sequence[Requirement] = ()) -> dict[tuple[str, int], str]:
    """New texts from ``spflint fix``'s minimal, proven record for each SPF record.

    The zone's requirements (``[tool.spflint.require]``) are added as ``fix`` adds ``--ip``
    and ``--require``. Where ``fix`` cannot prove a record, or would need new ``_spfN``
    records to fit it, the record's own safe finding fixes are applied instead.
    """
    from ..fix import FixError, FixOptions, fix_policy

    fallback = finding_fixer(unsafe=unsafe)

    async def one(record: ZoneRecord) -> str | None:
        try:
            text = record.value.decode("utf-8")
        except UnicodeDecodeError:
            return None
        mine = [r for r in requirements if r.name == record.name]
        options = FixOptions(domain=record.name, record=text, unsafe=unsafe,
                             ips=tuple(r.value for r in mine if r.kind == "ip"),
                             require=tuple(r.value for r in mine if r.kind == "term"))
        try:
            result = await fix_policy(options, resolver)
        except FixError:
            return fallback(record, config)
        if len(result.records) != 1:
            return fallback(record, config)  # chained records need names the zone lacks
        value = result.records[0].value
        return None if value == text else value

    records = [record for zone in zones for record in zone.spf_records]
    texts = await asyncio.gather(*(one(record) for record in records))
    return {(record.path, record.start): text for record, text in zip(records, texts,
                                                                       strict=True)
            if text is not None and text != record.text}
