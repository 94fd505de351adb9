"""Compile an SPF policy into an IP-space map: interval lists from address ranges to results.

The map says, for every IPv4 and IPv6 address, what a receiver's ``check_host()`` returns,
by first-match semantics over the whole tree:

* ``ip4``/``ip6`` match their range; ``all`` matches everything left;
* ``include`` matches where the child passes, falls through where the child fails, softfails
  or is neutral, and is an error where the child errs (``none`` becomes ``permerror``);
* ``a``/``mx`` match the addresses DNS gave at compile time, widened by their CIDR length:
  such ranges are marked *pinned*, because the answer may change tomorrow;
* ``exists``, ``ptr`` and any macro target are *dynamic* steps: the result there depends on
  the connection, so it is kept as "dynamic: if TERM matches then X, else Y";
* ``redirect=`` (with no ``all``) supplies the target's results for what is left, and no
  match at all gives ``neutral``.

Lookup and void-lookup limits are not applied to the map (they make the whole evaluation a
``permerror`` once exceeded); the worst-case counts are reported beside it instead.
"""

from __future__ import annotations

import asyncio
import bisect
import ipaddress
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from .ast import (
    IP4,
    IP6,
    MX,
    PTR,
    A,
    All,
    Directive,
    Exists,
    Include,
    MacroString,
    Record,
    Redirect,
)
from .dns.base import Answer, Outcome, Resolver
from .dns.names import normalize
from .errors import InputError, SpfSyntaxError
from .macros import is_valid_target
from .parser import is_spf_record, parse_record

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

QUALIFIER_RESULTS = {"+": "pass", "-": "fail", "~": "softfail", "?": "neutral"}
RESULT_QUALIFIERS = {v: k for k, v in QUALIFIER_RESULTS.items()}
MAX_MX_NAMES = 10
MAX_DEPTH = 40  # include/redirect nesting beyond any policy that stays under the lookup limit

V = TypeVar("V")
W = TypeVar("W")
X = TypeVar("X")


# --- decisions ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Final:
    """A result word. ``pinned``: decided by ``a``/``mx`` addresses as resolved at compile time.

    The internal word ``continue`` means "no term matched yet" and never appears in a
    compiled space.
    """

    result: str
    pinned: bool = False

    def __str__(self) -> str:
        return self.result + (" (pinned a:/mx:)" if self.pinned else "")


@dataclass(frozen=True)
class Dynamic:
    """A step decided per connection: ``term`` matching gives ``on_match``, else ``otherwise``.

    ``None`` branches mean the step itself supplies the result (a ``redirect=`` to a macro
    target, or an include whose target is only known per connection).
    """

    term: str
    on_match: Decision | None
    otherwise: Decision | None

    @property
    def result(self) -> str:
        return "dynamic"

    def __str__(self) -> str:
        if self.on_match is None and self.otherwise is None:
            return f"dynamic ({self.term})"
        match = "its result" if self.on_match is None else str(self.on_match)
        other = "its result" if self.otherwise is None else str(self.otherwise)
        return f"dynamic (if {self.term} matches: {match}; else: {other})"


Decision = Final | Dynamic
CONTINUE = Final("continue")


def plain(decision: Decision | None) -> Decision | None:
    """The decision without ``pinned`` marks: what receivers do, not why."""
    if decision is None:
        return None
    if isinstance(decision, Final):
        return Final(decision.result) if decision.pinned else decision
    return Dynamic(decision.term, plain(decision.on_match), plain(decision.otherwise))


def substitute(decision: Decision | None, value: Decision) -> Decision | None:
    """``decision`` with every "no match yet" leaf replaced by ``value`` (first match wins)."""
    if decision is None:
        return None
    if isinstance(decision, Final):
        return value if decision.result == "continue" else decision
    return Dynamic(decision.term, substitute(decision.on_match, value),
                   substitute(decision.otherwise, value))


def through_include(decision: Decision | None, qualifier: str) -> Decision | None:
    """What an ``include`` with ``qualifier`` makes of its target's decision (§5.2)."""
    if decision is None:
        return None
    if isinstance(decision, Dynamic):
        if decision.on_match is None and decision.otherwise is None:
            # The target's whole result is unknown (not resolved, or not known offline): the
            # include may match or not, so what follows it stays reachable.
            return Dynamic(decision.term, Final(QUALIFIER_RESULTS[qualifier]), CONTINUE)
        return Dynamic(decision.term, through_include(decision.on_match, qualifier),
                       through_include(decision.otherwise, qualifier))
    if decision.result == "pass":
        return Final(QUALIFIER_RESULTS[qualifier], decision.pinned)
    if decision.result in ("fail", "softfail", "neutral"):
        return CONTINUE
    if decision.result == "none":
        return Final("permerror")
    return decision


def through_redirect(decision: Decision | None) -> Decision | None:
    """A redirect target's decision as the redirecting record's (``none`` is permerror, §6.1)."""
    if isinstance(decision, Final) and decision.result == "none":
        return Final("permerror")
    if isinstance(decision, Dynamic):
        return Dynamic(decision.term, through_redirect(decision.on_match),
                       through_redirect(decision.otherwise))
    return decision


def _substitute_total(decision: Decision, value: Decision) -> Decision:
    out = substitute(decision, value)
    assert out is not None
    return out


# --- interval maps -----------------------------------------------------------------------------


class IntervalMap(Generic[V]):
    """A total map from ``[0, 2**bits)`` to values, as sorted interval starts.

    Interval ``i`` is ``[starts[i], starts[i+1])`` (the last one runs to the end of the
    space). Adjacent intervals never hold equal values.
    """

    __slots__ = ("bits", "starts", "values")

    def __init__(self, bits: int, starts: list[int], values: list[V]) -> None:
        self.bits = bits
        self.starts = starts
        self.values = values

    @classmethod
    def constant(cls, bits: int, value: V) -> IntervalMap[V]:
        return cls(bits, [0], [value])

    @classmethod
    def from_intervals(cls, bits: int, intervals: Iterable[tuple[int, int]], inside: V,
                       outside: V) -> IntervalMap[V]:
        """``inside`` on the union of half-open ``intervals``, ``outside`` elsewhere."""
        starts: list[int] = [0]
        values: list[V] = [outside]
        for start, end in merge_intervals(intervals):
            if start == 0:
                values[0] = inside
            else:
                starts.append(start)
                values.append(inside)
            if end < 1 << bits:
                starts.append(end)
                values.append(outside)
        return cls(bits, starts, values)

    @property
    def end(self) -> int:
        return 1 << self.bits

    def __len__(self) -> int:
        return len(self.starts)

    def intervals(self) -> Iterator[tuple[int, int, V]]:
        """Each ``(start, end, value)`` in address order."""
        ends = [*self.starts[1:], self.end]
        yield from zip(self.starts, ends, self.values, strict=True)

    def get(self, point: int) -> V:
        return self.values[bisect.bisect_right(self.starts, point) - 1]

    def map(self, fn: Callable[[V], W]) -> IntervalMap[W]:
        cache: dict[V, W] = {}
        out: list[W] = []
        for value in self.values:
            if value not in cache:
                cache[value] = fn(value)
            out.append(cache[value])
        return _coalesced(self.bits, list(self.starts), out)

    def combine(self, other: IntervalMap[W], fn: Callable[[V, W], X]) -> IntervalMap[X]:
        """The pointwise ``fn(self[x], other[x])`` over the whole space."""
        assert self.bits == other.bits
        starts: list[int] = []
        values: list[X] = []
        cache: dict[tuple[V, W], X] = {}
        i = j = 0
        a_starts, b_starts = self.starts, other.starts
        na, nb = len(a_starts), len(b_starts)
        point = 0
        while True:
            key = (self.values[i], other.values[j])
            value = cache.get(key)
            if value is None:
                value = fn(*key)
                cache[key] = value
            starts.append(point)
            values.append(value)
            next_a = a_starts[i + 1] if i + 1 < na else None
            next_b = b_starts[j + 1] if j + 1 < nb else None
            if next_a is None and next_b is None:
                break
            if next_b is None or (next_a is not None and next_a < next_b):
                point = next_a  # type: ignore[assignment]
                i += 1
            elif next_a is None or next_b < next_a:
                point = next_b
                j += 1
            else:
                point = next_a
                i += 1
                j += 1
        return _coalesced(self.bits, starts, values)


def _coalesced(bits: int, starts: list[int], values: list[V]) -> IntervalMap[V]:
    out_starts: list[int] = []
    out_values: list[V] = []
    for start, value in zip(starts, values, strict=True):
        if out_values and out_values[-1] == value:
            continue
        out_starts.append(start)
        out_values.append(value)
    return IntervalMap(bits, out_starts, out_values)


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, disjoint, non-adjacent half-open intervals covering the same points."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged


def network_interval(network: IPNetwork) -> tuple[int, int]:
    start = int(network.network_address)
    return start, start + network.num_addresses


def cidr_cover(start: int, end: int, bits: int) -> list[tuple[int, int]]:
    """The fewest aligned blocks ``(address, prefix)`` exactly covering ``[start, end)``."""
    blocks: list[tuple[int, int]] = []
    while start < end:
        size = start & -start if start else 1 << bits
        while size > end - start:
            size >>= 1
        blocks.append((start, bits - size.bit_length() + 1))
        start += size
    return blocks


def minimal_cidrs(intervals: Iterable[tuple[int, int]], version: int) -> list[IPNetwork]:
    """The minimal CIDR cover of a set of half-open integer intervals of one address family."""
    bits = 32 if version == 4 else 128
    out: list[IPNetwork] = []
    for start, end in merge_intervals(intervals):
        for address, prefix in cidr_cover(start, end, bits):
            out.append(_network(address, prefix, version))
    return out


def _network(address: int, prefix: int, version: int) -> IPNetwork:
    if version == 4:
        return ipaddress.IPv4Network((address, prefix))
    return ipaddress.IPv6Network((address, prefix))


# --- the compiled space ------------------------------------------------------------------------


@dataclass(frozen=True)
class RangeChange:
    """A range whose decision differs between two spaces."""

    network: IPNetwork
    before: Decision
    after: Decision

    def to_dict(self) -> dict[str, str]:
        return {"range": str(self.network), "before": self.before.result,
                "after": self.after.result, "before_detail": str(self.before),
                "after_detail": str(self.after)}


@dataclass
class IPSpace:
    """The decision for every IPv4 and IPv6 address, with the policy's worst-case costs."""

    v4: IntervalMap[Decision]
    v6: IntervalMap[Decision]
    domain: str | None = None
    lookups: int = 0
    voids: int = 0
    dynamic_terms: list[str] = field(default_factory=list)
    pinned_terms: list[str] = field(default_factory=list)
    loops: bool = False

    def family(self, version: int) -> IntervalMap[Decision]:
        return self.v4 if version == 4 else self.v6

    def result_for(self, ip: str | IPAddress) -> Decision:
        """The decision for one address (IPv4-mapped IPv6 is taken as IPv4, as receivers do)."""
        address = ipaddress.ip_address(ip.strip() if isinstance(ip, str) else ip)
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        return self.family(address.version).get(int(address))

    def ranges(self) -> list[tuple[IPNetwork, Decision]]:
        """Minimal CIDR blocks with their decisions, IPv4 first, covering both spaces."""
        out: list[tuple[IPNetwork, Decision]] = []
        for version in (4, 6):
            space = self.family(version)
            for start, end, value in space.intervals():
                for address, prefix in cidr_cover(start, end, space.bits):
                    out.append((_network(address, prefix, version), value))
        return out

    def addresses(self, version: int, predicate: Callable[[Decision], bool]
                  ) -> list[tuple[int, int]]:
        """Intervals of one family whose decision satisfies ``predicate``."""
        return [(s, e) for s, e, v in self.family(version).intervals() if predicate(v)]

    def boundaries(self) -> list[IPAddress]:
        """The first and last address of every interval (where decisions change)."""
        out: list[IPAddress] = []
        for version in (4, 6):
            for start, end, _ in self.family(version).intervals():
                for point in {start, end - 1}:
                    out.append(ipaddress.ip_address(point) if version == 4
                               else ipaddress.IPv6Address(point))
        return out

    def same_as(self, other: IPSpace) -> bool:
        return not diff(self, other)


def diff(a: IPSpace, b: IPSpace) -> list[RangeChange]:
    """Ranges whose decision (ignoring pinned marks) differs from ``a`` to ``b``.

    Adjacent addresses with the same change are merged, then written as minimal CIDRs.
    """
    out: list[RangeChange] = []
    for version in (4, 6):
        pairs = a.family(version).combine(b.family(version),
                                          lambda x, y: (plain(x), plain(y)))
        for start, end, (before, after) in pairs.intervals():
            if before == after:
                continue
            assert before is not None and after is not None
            for address, prefix in cidr_cover(start, end, pairs.bits):
                out.append(RangeChange(_network(address, prefix, version), before, after))
    return out


# --- compiling ---------------------------------------------------------------------------------


@dataclass
class _Compiled:
    """One name's policy: its maps and worst-case costs."""

    v4: IntervalMap[Decision]
    v6: IntervalMap[Decision]
    lookups: int = 0
    voids: int = 0
    dynamic: tuple[str, ...] = ()
    pinned: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fetched:
    """What a TXT question for a policy name gave: record texts, or a failure outcome."""

    records: tuple[str, ...] = ()
    outcome: Outcome = Outcome.OK


def _everywhere(value: Decision) -> tuple[IntervalMap[Decision], IntervalMap[Decision]]:
    return IntervalMap.constant(32, value), IntervalMap.constant(128, value)


class Compiler:
    """Compiles policies, fetching records and addresses through a resolver.

    ``records`` pre-sets what a name's TXT question gives (a tree already walked, or a
    proposed record not yet published). Without a resolver, names not in ``records`` and
    every ``a``/``mx`` target become dynamic steps.
    """

    def __init__(self, resolver: Resolver | None = None,
                 records: Mapping[str, Fetched] | None = None) -> None:
        self.resolver = resolver
        self.records: dict[str, Fetched] = dict(records or {})
        self.answers: list[Answer] = []
        self._memo: dict[str, _Compiled] = {}
        self._loops = False

    async def query(self, name: str, rdtype: str) -> Answer | None:
        if self.resolver is None:
            return None
        try:
            answer = await self.resolver.query(name, rdtype)
        except Exception as exc:  # a resolver bug must not end the compile
            answer = Answer(name, rdtype, Outcome.ERROR, detail=f"resolver error: {exc}")
        self.answers.append(answer)
        return answer

    async def fetch(self, name: str) -> Fetched | None:
        """The SPF texts at ``name``; None when unknown (no resolver and no preset)."""
        if name in self.records:
            return self.records[name]
        answer = await self.query(name, "TXT")
        if answer is None:
            return None
        if answer.outcome is not Outcome.OK:
            fetched = Fetched((), answer.outcome)
        else:
            texts = [b"".join(s).decode("latin-1") for s in answer.txt_records()]
            fetched = Fetched(tuple(t for t in texts if is_spf_record(t)))
        self.records[name] = fetched
        return fetched

    async def space(self, domain: str | None, record: Record | None = None) -> IPSpace:
        """The space of ``domain``'s policy, or of ``record`` standing for it."""
        name = None if domain is None else _name(domain)
        if record is not None:
            compiled = await self.record(record, name or "", (name or "",))
        elif name is None:
            raise InputError("a domain or a record is needed")
        else:
            compiled = await self.policy(name, ())
        return IPSpace(compiled.v4, compiled.v6, name, compiled.lookups, compiled.voids,
                       list(dict.fromkeys(compiled.dynamic)),
                       list(dict.fromkeys(compiled.pinned)), self._loops)

    async def policy(self, name: str, path: tuple[str, ...]) -> _Compiled:
        """``check_host()`` for ``name`` over the whole space (``none`` when no record)."""
        if name in path or len(path) > MAX_DEPTH:
            self._loops = True
            v4, v6 = _everywhere(Final("permerror"))
            return _Compiled(v4, v6)
        memo = self._memo.get(name)
        if memo is not None:
            return memo
        compiled = await self._policy(name, path)
        self._memo[name] = compiled
        return compiled

    async def _policy(self, name: str, path: tuple[str, ...]) -> _Compiled:
        if not _is_valid_domain(name):
            return _Compiled(*_everywhere(Final("none")))
        fetched = await self.fetch(name)
        if fetched is None or fetched.outcome.is_unknown:
            # Not resolved (no resolver), or nothing speaks for the name offline: its policy
            # is an unknown step, never "no record".
            why = "not resolved" if fetched is None else "not known offline"
            return _Compiled(*_everywhere(Dynamic(f"policy of {name}", None, None)),
                             dynamic=(f"policy of {name} ({why})",))
        if fetched.outcome.is_failure:
            return _Compiled(*_everywhere(Final("temperror")))
        if fetched.outcome.is_void:
            return _Compiled(*_everywhere(Final("none")), voids=1)
        if not fetched.records:
            return _Compiled(*_everywhere(Final("none")))
        if len(fetched.records) > 1:
            return _Compiled(*_everywhere(Final("permerror")))
        try:
            record = parse_record(fetched.records[0])
        except (SpfSyntaxError, ValueError):
            return _Compiled(*_everywhere(Final("permerror")))
        if sum(1 for m in record.modifiers if m.kind == "redirect") > 1 or \
                sum(1 for m in record.modifiers if m.kind == "exp") > 1:
            return _Compiled(*_everywhere(Final("permerror")))
        return await self.record(record, name, (*path, name))

    async def record(self, record: Record, name: str, path: tuple[str, ...]) -> _Compiled:
        """First-match compilation of one record's terms (``name`` is its ``%{d}``)."""
        v4, v6 = _everywhere(CONTINUE)
        lookups = voids = 0
        decided = False
        dynamic: list[str] = []
        pinned: list[str] = []
        for term in record.directives:
            text = _text(record, term)
            q = term.result_qualifier
            mech = term.mechanism
            if isinstance(mech, All):
                rest4, rest6 = _everywhere(Final(QUALIFIER_RESULTS[q]))
                v4, v6 = v4.combine(rest4, _overlay), v6.combine(rest6, _overlay)
                decided = True
                break
            if isinstance(mech, IP4 | IP6):
                t4, t6 = _ip_term(mech, Final(QUALIFIER_RESULTS[q]))
            else:
                lookups += 1
                (t4, t6), child = await self.lookup_term(term, text, name, path)
                lookups += child.lookups
                voids += child.voids
                dynamic.extend(child.dynamic)
                pinned.extend(child.pinned)
            v4 = v4.combine(t4, _overlay)
            v6 = v6.combine(t6, _overlay)
        redirect = record.redirect
        if not decided and redirect is not None:
            lookups += 1
            text = _text(record, redirect)
            target = _static_target(redirect.domain, name)
            if target is None:
                dynamic.append(text)
                r4, r6 = _everywhere(Dynamic(text, None, None))
            else:
                child = await self.policy(target, path)
                lookups += child.lookups
                voids += child.voids
                dynamic.extend(child.dynamic)
                pinned.extend(child.pinned)
                r4, r6 = child.v4.map(_redirected), child.v6.map(_redirected)
            v4, v6 = v4.combine(r4, _overlay), v6.combine(r6, _overlay)
        elif not decided:
            neutral = Final("neutral")
            v4, v6 = v4.map(lambda d: _substitute_total(d, neutral)), \
                v6.map(lambda d: _substitute_total(d, neutral))
        return _Compiled(v4, v6, lookups, voids, tuple(dynamic), tuple(pinned))

    async def lookup_term(self, term: Directive, text: str, name: str, path: tuple[str, ...]
                          ) -> tuple[tuple[IntervalMap[Decision], IntervalMap[Decision]],
                                     _Compiled]:
        """The term's own maps (``continue`` where it does not match), and what it costs
        beyond its own lookup (nested lookups, voids, dynamic and pinned terms)."""
        mech = term.mechanism
        q = term.result_qualifier
        match = Final(QUALIFIER_RESULTS[q])
        spec = getattr(mech, "domain", None)
        target = _static_target(spec, name) if isinstance(spec, MacroString) or spec is None \
            else None
        if isinstance(mech, PTR | Exists) or target is None or (
                self.resolver is None and isinstance(mech, A | MX)):
            return _everywhere(Dynamic(text, match, CONTINUE)), _cost(dynamic=(text,))
        if isinstance(mech, Include):
            if not _is_valid_domain(target):
                return _everywhere(Final("permerror")), _cost()
            child = await self.policy(target, path)
            return (child.v4.map(lambda d: _include(d, q)),
                    child.v6.map(lambda d: _include(d, q))), child
        if not is_valid_target(target):
            return _everywhere(CONTINUE), _cost()
        assert isinstance(mech, A | MX)
        if isinstance(mech, A):
            compiled = await self.a_term(target, mech.cidr4, mech.cidr6, match)
        else:
            compiled = await self.mx_term(target, mech.cidr4, mech.cidr6, match)
        if compiled is None:
            # Offline without data for a name it needs: nothing is known, which is not the
            # same as "no addresses"; pinning a void here would let fix drop the term.
            return _everywhere(Dynamic(text, match, CONTINUE)), _cost(dynamic=(text,))
        maps, void = compiled
        return maps, _cost(voids=void, pinned=(text,))

    async def addresses(self, name: str, version: int) -> tuple[list[str], Outcome]:
        answer = await self.query(name, "A" if version == 4 else "AAAA")
        assert answer is not None
        return [str(v) for v in answer.records if isinstance(v, str)], answer.outcome

    async def a_term(self, target: str, cidr4: int | None, cidr6: int | None, match: Final
                     ) -> tuple[tuple[IntervalMap[Decision], IntervalMap[Decision]], int] | None:
        """The term's maps and void count; None when an answer it needs is unknown."""
        maps: list[IntervalMap[Decision]] = []
        void = 0
        temperror: Decision = Final("temperror")
        for version, cidr in ((4, cidr4), (6, cidr6)):
            found, outcome = await self.addresses(target, version)
            bits = 32 if version == 4 else 128
            if outcome.is_unknown:
                return None
            if outcome.is_failure:
                maps.append(IntervalMap.constant(bits, temperror))
                continue
            void = max(void, 1 if outcome.is_void else 0)
            maps.append(_address_map(found, version, cidr, match))
        return (maps[0], maps[1]), void

    async def mx_term(self, target: str, cidr4: int | None, cidr6: int | None, match: Final
                      ) -> tuple[tuple[IntervalMap[Decision], IntervalMap[Decision]], int] | None:
        """The term's maps and void count; None when an answer it needs is unknown."""
        answer = await self.query(target, "MX")
        assert answer is not None
        if answer.outcome.is_unknown:
            return None
        if answer.outcome.is_failure:
            return _everywhere(Final("temperror")), 0
        exchanges = [v for v in answer.records if isinstance(v, tuple) and len(v) == 2]
        if len(exchanges) > MAX_MX_NAMES:
            return _everywhere(Final("permerror")), 0
        names: list[str] = []
        for _, exchange in sorted(exchanges, key=lambda v: int(v[0])):
            host = str(exchange).rstrip(".").lower()
            if host and host not in names:
                names.append(host)
        maps = []
        for version, cidr in ((4, cidr4), (6, cidr6)):
            bits = 32 if version == 4 else 128
            space: IntervalMap[Decision] = IntervalMap.constant(bits, CONTINUE)
            for host in names:
                found, outcome = await self.addresses(host, version)
                if outcome.is_unknown:
                    return None
                if outcome.is_failure:
                    # Hosts are tried in order: a failure decides what earlier ones left.
                    space = space.combine(IntervalMap.constant(bits, Final("temperror")),
                                          _overlay)
                    break
                space = space.combine(_address_map(found, version, cidr, match), _overlay)
            maps.append(space)
        return (maps[0], maps[1]), 1 if answer.outcome.is_void else 0


def _cost(voids: int = 0, dynamic: tuple[str, ...] = (), pinned: tuple[str, ...] = ()
          ) -> _Compiled:
    v4, v6 = _everywhere(CONTINUE)
    return _Compiled(v4, v6, 0, voids, dynamic, pinned)


def _overlay(current: Decision, term: Decision) -> Decision:
    return _substitute_total(current, term)


def _include(decision: Decision, qualifier: str) -> Decision:
    out = through_include(decision, qualifier)
    assert out is not None
    return out


def _redirected(decision: Decision) -> Decision:
    out = through_redirect(decision)
    assert out is not None
    return out


def _address_map(found: Sequence[str], version: int, cidr: int | None, match: Final
                 ) -> IntervalMap[Decision]:
    bits = 32 if version == 4 else 128
    prefix = bits if cidr is None else cidr
    intervals = []
    for text in found:
        address = ipaddress.ip_address(text)
        if address.version != version:
            continue
        intervals.append(network_interval(ipaddress.ip_network(f"{address}/{prefix}",
                                                               strict=False)))
    inside: Decision = Final(match.result, pinned=True)
    return IntervalMap.from_intervals(bits, intervals, inside, CONTINUE)


def _ip_term(mech: IP4 | IP6, match: Final
             ) -> tuple[IntervalMap[Decision], IntervalMap[Decision]]:
    network = mech.network
    value: Decision = match
    inside = IntervalMap.from_intervals(network.max_prefixlen, [network_interval(network)],
                                        value, CONTINUE)
    other_bits = 128 if network.version == 4 else 32
    outside: IntervalMap[Decision] = IntervalMap.constant(other_bits, CONTINUE)
    return (inside, outside) if network.version == 4 else (outside, inside)


def _text(record: Record, term: Directive | Redirect) -> str:
    """The term in canonical form (lower-case names, implicit ``+``): stable labels for
    dynamic steps, whatever case or qualifier spelling the record used."""
    if isinstance(term, Directive):
        return ("" if term.qualifier == "+" else term.qualifier) + term.mechanism.render()
    return term.render()


def _name(domain: str) -> str:
    try:
        return normalize(domain)
    except InputError:
        return domain.strip().rstrip(".").lower()


def _static_target(spec: MacroString | None, current: str) -> str | None:
    """The name a term asks about, or None when it has macros (known per connection only)."""
    if spec is None:
        return current
    if spec.is_dynamic:
        return None
    return _name(spec.render())


def _is_valid_domain(name: str) -> bool:
    if not is_valid_target(name) or "." not in name:
        return False
    return not name.rsplit(".", 1)[1].isdigit()


def tree_records(tree: object) -> dict[str, Fetched]:
    """What a walked tree (``spflint.tree.Tree``) learned about each name's TXT question."""
    out: dict[str, Fetched] = {}
    root = getattr(tree, "root", None)
    if root is None:
        return out
    for node in root.iter():
        if node.outcome is None or node.name in out:
            continue
        if node.outcome is Outcome.LIMIT:
            continue
        out[node.name] = Fetched(tuple(node.spf_records), node.outcome)
    return out


async def compile_policy(domain: str | None, resolver: Resolver | None, *,
                         record: Record | None = None,
                         records: Mapping[str, Fetched] | None = None) -> IPSpace:
    """Compile ``domain``'s policy (or ``record`` standing for it) through ``resolver``.

    :raises InputError: neither a domain nor a record was given.
    """
    return await Compiler(resolver, records).space(domain, record)


def compile_tree(tree: object, resolver: Resolver | None = None) -> IPSpace:
    """Compile a walked tree (``spflint.tree.walk``) synchronously.

    The tree supplies every record; ``a``/``mx`` addresses come from ``resolver`` (a tree
    keeps only how many there were), so without one those terms are dynamic steps.
    """
    domain = getattr(tree, "domain", None)
    assert isinstance(domain, str)
    return asyncio.run(compile_policy(domain, resolver, records=tree_records(tree)))


def compile_record(record: Record | str, resolver: Resolver | None = None,
                   domain: str | None = None) -> IPSpace:
    """Compile one record text synchronously (``domain`` is its ``%{d}``, for ``a``/``mx``).

    :raises SpfSyntaxError: the text does not parse.
    """
    parsed = parse_record(record) if isinstance(record, str) else record
    return asyncio.run(compile_policy(domain or "", resolver, record=parsed))


async def compile_input(source: str, resolver: Resolver | None, *, domain: str | None = None
                        ) -> IPSpace:
    """Compile ``source``: a record text (starting ``v=spf1``) or a domain name.

    A record text is evaluated as if published at ``domain`` (its ``%{d}``, the target of a
    bare ``a`` or ``mx``).

    :raises SpfSyntaxError: a record text that does not parse.
    :raises InputError: a source that is neither a record nor a valid domain name.
    """
    text = source.strip()
    if text[:6].lower() == "v=spf1":
        return await compile_policy(domain, resolver, record=parse_record(text))
    try:
        name = normalize(text)
    except InputError as exc:
        raise InputError(f"{source!r} is neither an SPF record (v=spf1 ...) nor a domain: "
                         f"{exc.message}") from None
    if not _is_valid_domain(name):
        raise InputError(f"{source!r} is neither an SPF record (v=spf1 ...) nor a domain name")
    return await compile_policy(name, resolver)


async def semantic_diff(old: str, new: str, resolver: Resolver | None, *,
                        domain: str | None = None) -> tuple[IPSpace, IPSpace, list[RangeChange]]:
    """Both spaces and the ranges whose result changes from ``old`` to ``new``.

    :raises SpfSyntaxError: a record text that does not parse.
    :raises InputError: a source that is neither a record nor a domain name.
    """
    if domain is None:
        # A record compared with a domain's policy stands for that domain's record.
        named = [s.strip() for s in (old, new) if s.strip()[:6].lower() != "v=spf1"]
        domain = named[0] if named else None
    before = await compile_input(old, resolver, domain=domain)
    after = await compile_input(new, resolver, domain=domain)
    return before, after, diff(before, after)
