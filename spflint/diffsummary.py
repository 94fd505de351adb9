"""A diff at a glance: which terms changed between two policies, and the result changes grouped
by (before, after) with their size, largest blocks and, where the limits explain it, why."""

from __future__ import annotations

import ipaddress
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .ast import IP4, IP6, All, Directive, Explanation, Record, Redirect, Term, UnknownModifier
from .dns.base import Outcome, Resolver
from .dns.names import normalize
from .errors import InputError, SpfSyntaxError
from .ipspace import Compiler, Final, IPNetwork, IPSpace, RangeChange, plain
from .parser import is_spf_record, parse_record
from .semantics import MAX_LOOKUPS, MAX_VOID_LOOKUPS

__all__ = [
    "DiffSummary",
    "ResultGroup",
    "TermChange",
    "policy_record",
    "summarize",
    "term_changes",
]

LARGEST = 3  # blocks named per group
MAX_TERMS = 200  # terms compared per record (a record of 512 octets holds far fewer)


@dataclass(frozen=True)
class TermChange:
    """A term of OLD or NEW: ``added``, ``removed``, ``changed`` (same mechanism and target,
    another qualifier or CIDR length, or a modifier's new value) or ``moved`` (kept, but its
    place among the other kept terms changed, which matters for first match)."""

    change: str
    before: str | None
    after: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"change": self.change, "before": self.before, "after": self.after}

    def text(self) -> str:
        if self.change == "added":
            return f"+ {self.after}"
        if self.change == "removed":
            return f"- {self.before}"
        if self.change == "moved":
            return f"↕ {self.after} (moved)"
        return f"~ {self.before} → {self.after}"


@dataclass
class ResultGroup:
    """Every changed range with the same result before and after."""

    before: str
    after: str
    before_detail: str
    after_detail: str
    ranges: list[IPNetwork] = field(default_factory=list)
    reason: str | None = None  # why, when a lookup limit makes the difference

    def addresses(self, version: int) -> int:
        return sum(n.num_addresses for n in self.ranges if n.version == version)

    def largest(self, count: int = LARGEST) -> list[IPNetwork]:
        """The biggest blocks, IPv4 first among equals."""
        return sorted(self.ranges, key=lambda n: (-n.num_addresses, n.version,
                                                  int(n.network_address)))[:count]

    def to_dict(self) -> dict[str, Any]:
        v4, v6 = self.addresses(4), self.addresses(6)
        return {"before": self.before, "after": self.after,
                "before_detail": self.before_detail, "after_detail": self.after_detail,
                "ranges": len(self.ranges),
                "ipv4_addresses": v4, "ipv4_share": v4 / 2**32,
                # Up to 2**128: a string, which no JSON reader rounds.
                "ipv6_addresses": str(v6), "ipv6_share": v6 / 2**128,
                "largest": [str(n) for n in self.largest()],
                "reason": self.reason}

    def text(self) -> str:
        count = len(self.ranges)
        sizes = [s for s in (_share(self.addresses(4), 4), _share(self.addresses(6), 6)) if s]
        blocks = ", ".join(str(n) for n in self.largest())
        head = f"{self.before_detail} → {self.after_detail}: {count} range{_s(count)}"
        line = f"{head}, {' and '.join(sizes)}"
        if count > 1:
            line += f"; largest {blocks}"
        return line


@dataclass
class DiffSummary:
    """The term changes (None when a side has no record to compare) and the result groups,
    the biggest first."""

    terms: list[TermChange] | None
    groups: list[ResultGroup]

    def to_dict(self) -> dict[str, Any]:
        return {"terms": None if self.terms is None else [t.to_dict() for t in self.terms],
                "results": [g.to_dict() for g in self.groups]}

    def text_lines(self) -> list[str]:
        lines: list[str] = []
        if self.terms is not None:
            lines.append("Terms (OLD → NEW):")
            lines.extend(f"  {t.text()}" for t in self.terms)
            if not self.terms:
                lines.append("  the same terms")
        if self.groups:
            lines.append("Results that change:")
            for group in self.groups:
                lines.append(f"  {group.text()}")
                if group.reason:
                    lines.append(f"    why: {group.reason}")
        return lines


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _share(count: int, version: int) -> str:
    """``1,024 IPv4 addresses``, ``37.5% of IPv4``, ``all of IPv6``..."""
    if not count:
        return ""
    bits = 32 if version == 4 else 128
    family = f"IPv{version}"
    if count == 2**bits:
        return f"all of {family}"
    share = count / 2**bits * 100
    percent = ">99.9%" if share > 99.9 else f"{share:.1f}%"
    if version == 4:
        text = f"{count:,} {family} address{'' if count == 1 else 'es'}"
        return f"{text} ({percent} of {family})" if share >= 0.1 else text
    if share >= 0.1:
        return f"{percent} of {family}"
    prefix = 128 - math.log2(count)
    shown = f"{prefix:.0f}" if abs(prefix - round(prefix)) < 0.05 else f"{prefix:.1f}"
    return f"as many {family} addresses as a /{shown}"


# --- terms ---------------------------------------------------------------------------------


def _key(term: Term) -> str:
    """What identifies a term across two records: its mechanism and target (not its
    qualifier or CIDR length), or a modifier's name."""
    if isinstance(term, Directive):
        mech = term.mechanism
        if isinstance(mech, IP4 | IP6):
            return f"{mech.kind}:{mech.address}"
        if isinstance(mech, All):
            return "all"
        domain = getattr(mech, "domain", None)
        return f"{mech.kind}:{'' if domain is None else domain.render().lower()}"
    if isinstance(term, Redirect | Explanation):
        return term.kind + "="
    if isinstance(term, UnknownModifier):
        return term.name.lower() + "="
    return str(term)


def _shown(record: Record, term: Term) -> str:
    span = getattr(term, "span", None)
    if span is not None and span.end > span.start:
        return record.text[span.start : span.end]
    return str(term.render())


def term_changes(old: Record, new: Record) -> list[TermChange]:
    """The terms removed, changed, moved and added from ``old`` to ``new``, in that order
    (each in the order written)."""
    old_terms = list(old.terms[:MAX_TERMS])
    new_terms = list(new.terms[:MAX_TERMS])
    old_keys = [_key(t) for t in old_terms]
    new_keys = [_key(t) for t in new_terms]
    new_by_key: dict[str, Term] = {}
    for key, term in zip(new_keys, new_terms, strict=True):
        new_by_key.setdefault(key, term)
    old_by_key: dict[str, Term] = {}
    for key, term in zip(old_keys, old_terms, strict=True):
        old_by_key.setdefault(key, term)
    out: list[TermChange] = []
    for key, term in zip(old_keys, old_terms, strict=True):
        if key not in new_by_key:
            out.append(TermChange("removed", _shown(old, term), None))
    for key, term in zip(old_keys, old_terms, strict=True):
        other = new_by_key.get(key)
        if other is not None and old_by_key[key] is term and term.render() != other.render():
            out.append(TermChange("changed", _shown(old, term), _shown(new, other)))
    kept_old = [k for k in dict.fromkeys(old_keys) if k in new_by_key]
    kept_new = [k for k in dict.fromkeys(new_keys) if k in old_by_key]
    stay = set(_common_order(kept_old, kept_new))
    for key in kept_new:
        if key not in stay:
            out.append(TermChange("moved", _shown(old, old_by_key[key]),
                                  _shown(new, new_by_key[key])))
    for key, term in zip(new_keys, new_terms, strict=True):
        if key not in old_by_key:
            out.append(TermChange("added", None, _shown(new, term)))
    return out


def _common_order(a: Sequence[str], b: Sequence[str]) -> list[str]:
    """A longest common subsequence of ``a`` and ``b`` (distinct keys): the terms that keep
    their order; the others moved."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            rows[i][j] = (rows[i + 1][j + 1] + 1 if a[i] == b[j]
                          else max(rows[i + 1][j], rows[i][j + 1]))
    out: list[str] = []
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            out.append(a[i])
            i += 1
            j += 1
        elif rows[i + 1][j] >= rows[i][j + 1]:
            i += 1
        else:
            j += 1
    return out


async def policy_record(source: str, resolver: Resolver) -> Record | None:
    """The top record of a diff side: the record text itself, or the one SPF record the
    domain publishes (None when it has none, several, or one that does not parse, or the
    lookup failed)."""
    text = source.strip()
    if text[:6].lower() == "v=spf1":
        try:
            return parse_record(text)
        except SpfSyntaxError:
            return None
    try:
        name = normalize(text)
    except InputError:
        return None
    answer = await resolver.query(name, "TXT")
    if answer.outcome is not Outcome.OK:
        return None
    texts = [t for t in (b"".join(s).decode("latin-1") for s in answer.txt_records())
             if is_spf_record(t)]
    if len(texts) != 1:
        return None
    try:
        return parse_record(texts[0])
    except (SpfSyntaxError, ValueError):
        return None


# --- results -------------------------------------------------------------------------------


def group_changes(changes: Sequence[RangeChange]) -> list[ResultGroup]:
    """The changes grouped by (before, after), the group covering most addresses first."""
    groups: dict[tuple[str, str], ResultGroup] = {}
    for change in changes:
        key = (str(change.before), str(change.after))
        group = groups.get(key)
        if group is None:
            group = groups[key] = ResultGroup(change.before.result, change.after.result,
                                              key[0], key[1])
        group.ranges.append(change.network)
    return sorted(groups.values(), key=lambda g: (-g.addresses(4) / 2**32
                                                  - g.addresses(6) / 2**128, -len(g.ranges)))


async def _unlimited(source: str, record: Record | None, space: IPSpace,
                     resolver: Resolver) -> IPSpace | None:
    """The side's space without the lookup limits, when it exceeds them."""
    if space.lookups <= MAX_LOOKUPS and space.voids <= MAX_VOID_LOOKUPS:
        return None
    compiler = Compiler(resolver, limits=False)
    if source.strip()[:6].lower() == "v=spf1":
        if record is None:
            return None
        return await compiler.space(space.domain, record)
    if space.domain is None:
        return None
    return await compiler.space(space.domain)


def _limit_reason(label: str, space: IPSpace) -> str:
    if space.lookups > MAX_LOOKUPS:
        return (f"{label} reaches its {MAX_LOOKUPS + 1}th DNS lookup before it matches these"
                f" addresses (limit {MAX_LOOKUPS}: permerror)")
    return (f"{label} meets its {MAX_VOID_LOOKUPS + 1}rd void lookup before it matches these"
            f" addresses (limit {MAX_VOID_LOOKUPS}: permerror)")


def _limited(group: ResultGroup, side: str, unlimited: IPSpace | None) -> bool:
    """Whether every range of the group is a permerror on ``side`` only because of the
    limits (without them, that side gives something else there)."""
    if unlimited is None:
        return False
    word = group.before if side == "old" else group.after
    if word != "permerror":
        return False
    for network in group.ranges:
        decision = plain(unlimited.result_for(ipaddress.ip_address(network.network_address)))
        if isinstance(decision, Final) and decision.result == "permerror":
            return False
    return True


async def summarize(old: str, new: str, before: IPSpace, after: IPSpace,
                    changes: Sequence[RangeChange], resolver: Resolver) -> DiffSummary:
    """The summary of a diff computed by :func:`spflint.ipspace.semantic_diff` from ``old``
    and ``new`` (record texts or domains) through ``resolver``."""
    old_record = await policy_record(old, resolver)
    new_record = await policy_record(new, resolver)
    terms = (None if old_record is None or new_record is None
             else term_changes(old_record, new_record))
    groups = group_changes(changes)
    sides = (("old", "OLD", old, old_record, before), ("new", "NEW", new, new_record, after))
    for side, label, source, record, space in sides:
        unlimited = await _unlimited(source, record, space, resolver)
        for group in groups:
            if group.reason is None and _limited(group, side, unlimited):
                group.reason = _limit_reason(label, space)
    return DiffSummary(terms, groups)
