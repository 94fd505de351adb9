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
import heapq
import ipaddress
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
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
from .dns.names import canonical, normalize
from .errors import InputError, SpfSyntaxError
from .macros import is_valid_target
from .parser import is_spf_record, parse_record
from .semantics import (
    MAX_LOOKUPS,
    MAX_VOID_LOOKUPS,
    QUALIFIER_RESULTS,
    evaluated,
    has_duplicate_modifier,
    include_result,
    mx_hosts,
    redirect_result,
)
from .txt import record_text

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_DEPTH = 40  # include/redirect nesting beyond any policy that stays under the lookup limit

V = TypeVar("V")
W = TypeVar("W")
X = TypeVar("X")


# --- decisions ---------------------------------------------------------------------------------


Counts = tuple[int, int]  # (DNS lookups, void lookups) spent so far in one evaluation


@dataclass(frozen=True)
class Final:
    """A result word. ``pinned``: decided by ``a``/``mx``/``exists`` answers as resolved at
    compile time.

    ``after`` is used while compiling only: the lookups and void lookups spent when the
    evaluation ended here, which a parent record's ``include`` continues from. Compiled
    spaces carry no ``after``.
    """

    result: str
    pinned: bool = False
    after: Counts | None = None

    def __str__(self) -> str:
        return self.result + (" (pinned a:/mx:)" if self.pinned else "")


@dataclass(frozen=True)
class Pending:
    """No term has matched yet, with the lookups and void lookups spent so far (compile-time
    only; never in a compiled space)."""

    lookups: int = 0
    voids: int = 0

    @property
    def result(self) -> str:
        return "continue"

    @property
    def counts(self) -> Counts:
        return self.lookups, self.voids

    def __str__(self) -> str:
        return "continue"


@dataclass(frozen=True)
class Dynamic:
    """A step decided per connection: ``term`` matching gives ``on_match``, else ``otherwise``.

    ``None`` branches mean the step itself supplies the result (a ``redirect=`` to a macro
    target, or the policy of a name that is not resolved). ``key`` identifies the step: two
    steps with the same key give the same answer within one evaluation (the same question of
    the same DNS), which lets a repeated step be decided by the first.
    """

    term: str
    on_match: Decision | None
    otherwise: Decision | None
    key: str = ""

    @property
    def result(self) -> str:
        return "dynamic"

    @property
    def identity(self) -> str:
        return self.key or self.term

    def __str__(self) -> str:
        if self.on_match is None and self.otherwise is None:
            return f"dynamic ({self.term})"
        match = "its result" if self.on_match is None else str(self.on_match)
        other = "its result" if self.otherwise is None else str(self.otherwise)
        return f"dynamic (if {self.term} matches: {match}; else: {other})"


Decision = Final | Dynamic | Pending
CONTINUE = Pending()


def plain(decision: Decision | None) -> Decision | None:
    """What receivers do, not why: no ``pinned`` marks or counts, and a step repeated
    inside a branch of the same step decided by it (first match wins, same DNS answers)."""
    return _plain(decision, {})


def _plain(decision: Decision | None, known: dict[str, bool]) -> Decision | None:
    if decision is None:
        return None
    if isinstance(decision, Final):
        return Final(decision.result) if decision.pinned or decision.after else decision
    if isinstance(decision, Pending):
        return CONTINUE
    if decision.on_match is None and decision.otherwise is None:
        return Dynamic(decision.term, None, None, decision.key)
    seen = known.get(decision.identity)
    if seen is not None:
        return _plain(decision.on_match if seen else decision.otherwise, known)
    return Dynamic(decision.term,
                   _plain(decision.on_match, {**known, decision.identity: True}),
                   _plain(decision.otherwise, {**known, decision.identity: False}),
                   decision.key)


def substitute(decision: Decision | None, value: Callable[[Pending], Decision],
               known: Mapping[str, bool] | None = None) -> Decision | None:
    """``decision`` with every "no match yet" leaf ``p`` replaced by ``value(p)``.

    A step the path to the leaf has already taken is decided in what replaces it (the same
    question gets the same answer within one evaluation), so a record that repeats a step
    does not grow its decisions step by step.
    """
    if decision is None:
        return None
    if isinstance(decision, Pending):
        replaced = value(decision)
        return _decided(replaced, known) if known else replaced
    if isinstance(decision, Final):
        return decision
    key = decision.identity
    return Dynamic(decision.term,
                   substitute(decision.on_match, value, {**(known or {}), key: True}),
                   substitute(decision.otherwise, value, {**(known or {}), key: False}),
                   decision.key)


def _decided(decision: Decision, known: Mapping[str, bool]) -> Decision:
    """``decision`` with the steps ``known`` already decided replaced by their branch."""
    while isinstance(decision, Dynamic) and decision.identity in known:
        branch = decision.on_match if known[decision.identity] else decision.otherwise
        if branch is None:
            return decision  # a step that supplies the result itself stays
        decision = branch
    if not isinstance(decision, Dynamic) or (decision.on_match is None
                                             and decision.otherwise is None):
        return decision
    key = decision.identity
    on = None if decision.on_match is None else \
        _decided(decision.on_match, {**known, key: True})
    other = None if decision.otherwise is None else \
        _decided(decision.otherwise, {**known, key: False})
    return Dynamic(decision.term, on, other, decision.key)


def pending_states(decision: Decision | None, out: set[Pending]) -> None:
    """Add every "no match yet" leaf of ``decision`` to ``out``."""
    if isinstance(decision, Pending):
        out.add(decision)
    elif isinstance(decision, Dynamic):
        pending_states(decision.on_match, out)
        pending_states(decision.otherwise, out)


def _leaf_counts(decision: Decision | None) -> Iterator[Counts]:
    if isinstance(decision, Final):
        if decision.after is not None:
            yield decision.after
    elif isinstance(decision, Pending):
        yield decision.counts
    elif isinstance(decision, Dynamic):
        yield from _leaf_counts(decision.on_match)
        yield from _leaf_counts(decision.otherwise)


def _strip(decision: Decision) -> Decision:
    """A compiled decision without counts (pinned marks kept); a leftover "no match yet"
    cannot occur at the top of a policy and reads as ``neutral`` if it did."""
    if isinstance(decision, Pending):
        return Final("neutral")
    if isinstance(decision, Final):
        return Final(decision.result, decision.pinned) if decision.after else decision
    return Dynamic(decision.term,
                   None if decision.on_match is None else _strip(decision.on_match),
                   None if decision.otherwise is None else _strip(decision.otherwise),
                   decision.key)


def through_include(decision: Decision | None, qualifier: str, entry: Pending
                    ) -> Decision | None:
    """What an ``include`` with ``qualifier`` makes of its target's decision (§5.2).

    ``entry`` is what was spent when the include's own lookup was counted: a target whose
    whole result is unknown may match or not, and what follows it goes on from there.
    """
    if decision is None:
        return None
    if isinstance(decision, Pending):  # pragma: no cover - a policy always ends decided
        return decision
    if isinstance(decision, Dynamic):
        if decision.on_match is None and decision.otherwise is None:
            # The target's whole result is unknown (not resolved, or not known offline): the
            # include may match or not, so what follows it stays reachable.
            return Dynamic(decision.term, Final(QUALIFIER_RESULTS[qualifier]), entry,
                           decision.key)
        return Dynamic(decision.term, through_include(decision.on_match, qualifier, entry),
                       through_include(decision.otherwise, qualifier, entry), decision.key)
    outcome = include_result(decision.result)
    if outcome == "match":
        return Final(QUALIFIER_RESULTS[qualifier], decision.pinned, decision.after)
    if outcome == "no-match":
        return Pending(*decision.after) if decision.after else entry
    return Final(outcome, False, decision.after)


def through_redirect(decision: Decision | None) -> Decision | None:
    """A redirect target's decision as the redirecting record's (``none`` is permerror, §6.1)."""
    if isinstance(decision, Final):
        result = redirect_result(decision.result)
        return decision if result == decision.result else Final(result, False, decision.after)
    if isinstance(decision, Dynamic):
        return Dynamic(decision.term, through_redirect(decision.on_match),
                       through_redirect(decision.otherwise), decision.key)
    return decision


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
    """One name's policy as reached with given counts: its maps, and its dynamic and pinned
    terms (the same whatever the counts)."""

    v4: IntervalMap[Decision]
    v6: IntervalMap[Decision]
    dynamic: tuple[str, ...] = ()
    pinned: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fetched:
    """What a TXT question for a policy name gave: record texts, or a failure outcome."""

    records: tuple[str, ...] = ()
    outcome: Outcome = Outcome.OK


Maps = tuple[IntervalMap[Decision], IntervalMap[Decision]]


def _everywhere(value: Decision) -> Maps:
    return IntervalMap.constant(32, value), IntervalMap.constant(128, value)


class Compiler:
    """Compiles policies, fetching records and addresses through a resolver.

    ``records`` pre-sets what a name's TXT question gives (a tree already walked, or a
    proposed record not yet published). Without a resolver, names not in ``records`` and
    every ``a``/``mx``/``exists`` target become dynamic steps.

    With ``limits`` (the default) the map is what receivers return, limits included: an
    address whose evaluation reaches an 11th DNS lookup or a 3rd void lookup gets
    ``permerror`` there (RFC 7208 §4.6.4), exactly as ``check_host()`` gives it. Without,
    the map is what the policy means when the limits are not reached, which is what a fixer
    must keep (a record over the limit is to be repaired, not preserved); a cycle of
    includes is then ``permerror`` where it closes.
    """

    def __init__(self, resolver: Resolver | None = None,
                 records: Mapping[str, Fetched] | None = None, *, limits: bool = True,
                 counting: bool = True) -> None:
        self.resolver = resolver
        self.records: dict[str, Fetched] = dict(records or {})
        self.limits = limits and counting
        # Without counting (a proof that only compares results) every step spends nothing:
        # fewer distinct values, so maps stay small.
        self.step = 1 if counting else 0
        self.answers: list[Answer] = []
        self._memo: dict[tuple[str, Pending], _Compiled] = {}
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
            texts = [record_text(s) for s in answer.txt_records()]
            fetched = Fetched(tuple(t for t in texts if is_spf_record(t)))
        self.records[name] = fetched
        return fetched

    async def space(self, domain: str | None, record: Record | None = None) -> IPSpace:
        """The space of ``domain``'s policy, or of ``record`` standing for it."""
        name = None if domain is None else canonical(domain)
        if record is not None and has_duplicate_modifier(record) is not None:
            compiled = _Compiled(*_everywhere(Final("permerror")))  # §6: the whole record
        elif record is not None:
            compiled = await self.record(record, name or "", (name or "",), CONTINUE)
        elif name is None:
            raise InputError("a domain or a record is needed")
        else:
            compiled = await self.policy(name, (), CONTINUE, counted=False)
        counts = [] if not self.step else [c for m in (compiled.v4, compiled.v6)
                                           for v in m.values for c in _leaf_counts(v)]
        return IPSpace(compiled.v4.map(_strip), compiled.v6.map(_strip), name,
                       max((c[0] for c in counts), default=0),
                       max((c[1] for c in counts), default=0),
                       list(dict.fromkeys(compiled.dynamic)),
                       list(dict.fromkeys(compiled.pinned)), self._loops)

    async def policy(self, name: str, path: tuple[str, ...], entry: Pending,
                     counted: bool = True) -> _Compiled:
        """``check_host()`` for ``name`` over the whole space, with ``entry`` spent before
        (``none`` when no record). ``counted``: reached by an include or redirect, whose TXT
        question counts as a void lookup when it finds nothing."""
        if name in path:
            self._loops = True  # with limits the cycle runs on until the 11th lookup
        if not self.limits and (name in path or len(path) > MAX_DEPTH):
            self._loops = True
            return _Compiled(*_everywhere(Final("permerror", after=entry.counts)))
        key = (name, entry if counted else Pending(-1, -1))
        memo = self._memo.get(key)
        if memo is not None:
            return memo
        compiled = await self._policy(name, path, entry, counted)
        self._memo[key] = compiled
        return compiled

    async def _policy(self, name: str, path: tuple[str, ...], entry: Pending,
                      counted: bool) -> _Compiled:
        def final(result: str, counts: Counts = entry.counts) -> _Compiled:
            return _Compiled(*_everywhere(Final(result, after=counts)))

        if not _is_valid_domain(name):
            return final("none")
        fetched = await self.fetch(name)
        if fetched is None or fetched.outcome.is_unknown:
            # Not resolved (no resolver), or nothing speaks for the name offline: its policy
            # is an unknown step, never "no record".
            why = "not resolved" if fetched is None else "not known offline"
            label = f"policy of {name}"
            return _Compiled(*_everywhere(Dynamic(label, None, None, label)),
                             dynamic=(f"{label} ({why})",))
        if fetched.outcome.is_failure:
            return final("temperror")
        if fetched.outcome.is_void:
            if not counted:
                return final("none")
            voids = entry.voids + self.step
            if self.limits and voids > MAX_VOID_LOOKUPS:
                return final("permerror", (entry.lookups, voids))
            return final("none", (entry.lookups, voids))
        if not fetched.records:
            return final("none")
        if len(fetched.records) > 1:
            return final("permerror")
        try:
            record = parse_record(fetched.records[0])
        except (SpfSyntaxError, ValueError):
            return final("permerror")
        if has_duplicate_modifier(record) is not None:
            return final("permerror")
        return await self.record(record, name, (*path, name), entry)

    async def record(self, record: Record, name: str, path: tuple[str, ...], entry: Pending
                     ) -> _Compiled:
        """First-match compilation of one record's terms (``name`` is its ``%{d}``), with
        ``entry`` spent before it."""
        maps: Maps = _everywhere(entry)
        dynamic: list[str] = []
        pinned: list[str] = []
        terms = evaluated(record)
        directives = terms.directives
        index = 0
        while index < len(directives):
            term = directives[index]
            if isinstance(term.mechanism, IP4 | IP6 | All):
                # A run of static terms is one step: first match among ranges, by a sweep.
                end = index
                while end < len(directives) and isinstance(directives[end].mechanism,
                                                           IP4 | IP6 | All):
                    end += 1
                maps = _overlay_static(maps, directives[index:end])
                index = end
                continue
            text = _text(record, term)
            added: list[tuple[str, ...]] = [(), ()]

            async def effect(state: Pending, term: Directive = term, text: str = text,
                             added: list[tuple[str, ...]] = added) -> Maps:
                maps_, child = await self.lookup_term(term, text, name, path, state)
                added[0] += child.dynamic
                added[1] += child.pinned
                return maps_

            maps = await _overlay(maps, effect)
            dynamic.extend(added[0])
            pinned.extend(added[1])
            index += 1
        redirect = terms.redirect
        if redirect is not None:
            text = _text(record, redirect)
            target = _static_target(redirect.domain, name)
            extra: list[tuple[str, ...]] = [(), ()]

            async def redirected(state: Pending) -> Maps:
                lookups = state.lookups + self.step
                if self.limits and lookups > MAX_LOOKUPS:
                    return _everywhere(Final("permerror", after=(lookups, state.voids)))
                if target is None:
                    extra[0] += (text,)
                    return _everywhere(Dynamic(text, None, None, _key(text, redirect, name)))
                if not _is_valid_domain(target):
                    return _everywhere(Final("permerror", after=(lookups, state.voids)))
                child = await self.policy(target, path, Pending(lookups, state.voids))
                extra[0] += child.dynamic
                extra[1] += child.pinned
                return child.v4.map(_redirected), child.v6.map(_redirected)

            maps = await _overlay(maps, redirected)
            dynamic.extend(extra[0])
            pinned.extend(extra[1])
        elif not terms.directives or not isinstance(terms.directives[-1].mechanism, All):
            maps = (maps[0].map(_neutral), maps[1].map(_neutral))
        return _Compiled(maps[0], maps[1], tuple(dynamic), tuple(pinned))

    async def lookup_term(self, term: Directive, text: str, name: str, path: tuple[str, ...],
                          state: Pending) -> tuple[Maps, _Compiled]:
        """The term's maps for an evaluation that reaches it having spent ``state`` (a
        ``Pending`` where it does not match, with what it spent), and its dynamic and pinned
        terms (an include's are its target's)."""
        mech = term.mechanism
        q = term.result_qualifier
        lookups = state.lookups + self.step
        if self.limits and lookups > MAX_LOOKUPS:
            return _everywhere(Final("permerror", after=(lookups, state.voids))), _cost()
        spent = Pending(lookups, state.voids)
        match = Final(QUALIFIER_RESULTS[q], after=spent.counts)
        spec = getattr(mech, "domain", None)
        target = _static_target(spec, name) if isinstance(spec, MacroString) or spec is None \
            else None
        key = _key(text, term, name)
        if isinstance(mech, PTR) or target is None or (
                self.resolver is None and isinstance(mech, A | MX | Exists)):
            return _everywhere(Dynamic(text, match, spent, key)), _cost(dynamic=(text,))
        if isinstance(mech, Include):
            if not _is_valid_domain(target):
                return _everywhere(Final("permerror", after=spent.counts)), _cost()
            child = await self.policy(target, path, spent)
            return (child.v4.map(lambda d: _include(d, q, spent)),
                    child.v6.map(lambda d: _include(d, q, spent))), child
        if not is_valid_target(target):
            return _everywhere(spent), _cost()
        assert isinstance(mech, A | MX | Exists)
        if isinstance(mech, A):
            compiled = await self.a_term(target, mech.cidr4, mech.cidr6, q, spent)
        elif isinstance(mech, MX):
            compiled = await self.mx_term(target, mech.cidr4, mech.cidr6, q, spent)
        else:
            compiled = await self.exists_term(target, q, spent)
        if compiled is None:
            # Offline without data for a name it needs: nothing is known, which is not the
            # same as "no addresses"; pinning a void here would let fix drop the term.
            return _everywhere(Dynamic(text, match, spent, key)), _cost(dynamic=(text,))
        return compiled, _cost(pinned=(text,))

    def voided(self, spent: Pending) -> Pending | Final:
        """What a void answer makes of an evaluation: one more void, or the permerror of a
        third one (§4.6.4)."""
        voids = spent.voids + self.step
        if self.limits and voids > MAX_VOID_LOOKUPS:
            return Final("permerror", after=(spent.lookups, voids))
        return Pending(spent.lookups, voids)

    async def addresses(self, name: str, version: int) -> tuple[list[str], Outcome]:
        answer = await self.query(name, "A" if version == 4 else "AAAA")
        assert answer is not None
        return [str(v) for v in answer.records if isinstance(v, str)], answer.outcome

    async def a_term(self, target: str, cidr4: int | None, cidr6: int | None, q: str,
                     spent: Pending) -> Maps | None:
        """The term's maps; None when an answer it needs is unknown."""
        maps: list[IntervalMap[Decision]] = []
        for version, cidr in ((4, cidr4), (6, cidr6)):
            found, outcome = await self.addresses(target, version)
            bits = 32 if version == 4 else 128
            if outcome.is_unknown:
                return None
            if outcome.is_failure:
                maps.append(IntervalMap.constant(bits, Final("temperror", after=spent.counts)))
                continue
            after = self.voided(spent) if outcome.is_void else spent
            if isinstance(after, Final):
                maps.append(IntervalMap.constant(bits, after))
                continue
            maps.append(_address_map(found, version, cidr, q, after))
        return maps[0], maps[1]

    async def mx_term(self, target: str, cidr4: int | None, cidr6: int | None, q: str,
                      spent: Pending) -> Maps | None:
        """The term's maps; None when an answer it needs is unknown."""
        answer = await self.query(target, "MX")
        assert answer is not None
        if answer.outcome.is_unknown:
            return None
        if answer.outcome.is_failure:
            return _everywhere(Final("temperror", after=spent.counts))
        after = self.voided(spent) if answer.outcome.is_void else spent
        if isinstance(after, Final):
            return _everywhere(after)
        hosts = mx_hosts(answer.records)
        if hosts.too_many:
            return _everywhere(Final("permerror", after=after.counts))
        maps = []
        for version, cidr in ((4, cidr4), (6, cidr6)):
            bits = 32 if version == 4 else 128
            space: IntervalMap[Decision] = IntervalMap.constant(bits, after)
            for host in hosts.names:
                found, outcome = await self.addresses(host, version)
                if outcome.is_unknown:
                    return None
                if outcome.is_failure:
                    # Hosts are tried in order: a failure decides what earlier ones left.
                    failed: Decision = Final("temperror", after=after.counts)
                    space = space.combine(IntervalMap.constant(bits, failed), _first)
                    break
                matched = _address_map(found, version, cidr, q, after)
                space = space.combine(matched, _first)
            maps.append(space)
        return maps[0], maps[1]

    async def exists_term(self, target: str, q: str, spent: Pending) -> Maps | None:
        """An ``exists`` with a name known when compiling: one A question decides it for
        every address (§5.7); None when the answer is unknown."""
        answer = await self.query(target, "A")
        assert answer is not None
        if answer.outcome.is_unknown:
            return None
        if answer.outcome.is_failure:
            return _everywhere(Final("temperror", after=spent.counts))
        if answer.outcome.is_void:
            return _everywhere(self.voided(spent))
        return _everywhere(Final(QUALIFIER_RESULTS[q], pinned=True, after=spent.counts))


def _cost(dynamic: tuple[str, ...] = (), pinned: tuple[str, ...] = ()) -> _Compiled:
    v4, v6 = _everywhere(CONTINUE)
    return _Compiled(v4, v6, dynamic, pinned)


async def _overlay(maps: Maps, effect: Callable[[Pending], Awaitable[Maps]]) -> Maps:
    """First match: every "no match yet" leaf ``p`` of ``maps`` replaced by what the next
    step gives an evaluation that reaches it having spent ``p`` (``effect(p)``, a pair of
    maps, asked once per distinct ``p``)."""
    cache: dict[Pending, Maps] = {}
    out: list[IntervalMap[Decision]] = []
    for family, current in enumerate(maps):
        states: set[Pending] = set()
        for value in dict.fromkeys(current.values):
            pending_states(value, states)
        if not states:
            out.append(current)
            continue
        ordered = sorted(states, key=lambda p: p.counts)
        for state in ordered:
            if state not in cache:
                cache[state] = await effect(state)
        if len(ordered) == 1:
            out.append(current.combine(cache[ordered[0]][family], _one_state(ordered[0])))
            continue
        combined: IntervalMap[tuple[Decision, ...]] = current.map(_single)
        for state in ordered:
            combined = combined.combine(cache[state][family], _appended)
        out.append(combined.map(_many_states(ordered)))
    return out[0], out[1]


def _single(decision: Decision) -> tuple[Decision, ...]:
    return (decision,)


def _appended(values: tuple[Decision, ...], value: Decision) -> tuple[Decision, ...]:
    return (*values, value)


def _one_state(state: Pending) -> Callable[[Decision, Decision], Decision]:
    return lambda current, value: _replaced(current, {state: value})


def _many_states(states: Sequence[Pending]) -> Callable[[tuple[Decision, ...]], Decision]:
    return lambda values: _replaced(values[0], dict(zip(states, values[1:], strict=True)))


def _replaced(decision: Decision, by: Mapping[Pending, Decision]) -> Decision:
    out = substitute(decision, lambda p: by.get(p, p))
    assert out is not None
    return out


def _first(current: Decision, term: Decision) -> Decision:
    """``current`` where it is decided, else ``term`` (one address set after another)."""
    return term if isinstance(current, Pending) else current


def _overlay_static(maps: Maps, run: Sequence[Directive]) -> Maps:
    """A run of ``ip4``/``ip6``/``all`` terms on ``maps``: first match among them, decided
    without DNS; what matches keeps the counts of the evaluation that reached it."""
    out = []
    for family, current in enumerate(maps):
        version = 4 if family == 0 else 6
        bits = 32 if version == 4 else 128
        ranges: list[tuple[int, int, str]] = []
        for term in run:
            mech = term.mechanism
            result = QUALIFIER_RESULTS[term.result_qualifier]
            if isinstance(mech, All):
                ranges.append((0, 1 << bits, result))
                break
            assert isinstance(mech, IP4 | IP6)
            if mech.network.version == version:
                start, end = network_interval(mech.network)
                ranges.append((start, end, result))
        if not ranges:
            out.append(current)
            continue
        first = _first_match(bits, ranges)
        out.append(current.combine(first, _decide))
    return out[0], out[1]


def _decide(current: Decision, result: str | None) -> Decision:
    if result is None:
        return current
    value = substitute(current, lambda p: Final(result, after=p.counts))
    assert value is not None
    return value


def _first_match(bits: int, ranges: Sequence[tuple[int, int, str]]) -> IntervalMap[str | None]:
    """For each address, the result of the first range (in order) that holds it, or None.

    A sweep over the range boundaries with a heap of the ranges open at each point, so a
    record of thousands of ranges costs n log n, not n squared.
    """
    points = sorted({0, *(s for s, _, _ in ranges), *(e for _, e, _ in ranges)})
    opening: dict[int, list[int]] = {}
    for order, (start, _, _) in enumerate(ranges):
        opening.setdefault(start, []).append(order)
    heap: list[int] = []
    starts: list[int] = []
    values: list[str | None] = []
    for point in points:
        if point >= 1 << bits:
            break
        for order in opening.get(point, ()):
            heapq.heappush(heap, order)
        while heap and ranges[heap[0]][1] <= point:
            heapq.heappop(heap)
        value = ranges[heap[0]][2] if heap else None
        if not values or values[-1] != value:
            starts.append(point)
            values.append(value)
    return IntervalMap(bits, starts, values)


def _neutral(decision: Decision) -> Decision:
    value = substitute(decision, lambda p: Final("neutral", after=p.counts))
    assert value is not None
    return value


def _include(decision: Decision, qualifier: str, entry: Pending) -> Decision:
    out = through_include(decision, qualifier, entry)
    assert out is not None
    return out


def _redirected(decision: Decision) -> Decision:
    out = through_redirect(decision)
    assert out is not None
    return out


def _address_map(found: Sequence[str], version: int, cidr: int | None, q: str,
                 spent: Pending) -> IntervalMap[Decision]:
    bits = 32 if version == 4 else 128
    prefix = bits if cidr is None else cidr
    intervals = []
    for text in found:
        address = ipaddress.ip_address(text)
        if address.version != version:
            continue
        intervals.append(network_interval(ipaddress.ip_network(f"{address}/{prefix}",
                                                               strict=False)))
    inside: Decision = Final(QUALIFIER_RESULTS[q], pinned=True, after=spent.counts)
    return IntervalMap.from_intervals(bits, intervals, inside, spent)


def _text(record: Record, term: Directive | Redirect) -> str:
    """The term in canonical form: stable labels for dynamic steps, whatever case, qualifier
    spelling, trailing dot or default CIDR length the record used."""
    mech = term.mechanism if isinstance(term, Directive) else term
    spec = getattr(mech, "domain", None)
    target: str | None = None
    if isinstance(spec, MacroString):
        target = spec.render() if spec.is_dynamic else canonical(spec.render())
    cidr4, cidr6 = getattr(mech, "cidr4", None), getattr(mech, "cidr6", None)
    cidr = ("" if cidr4 in (None, 32) else f"/{cidr4}") + \
        ("" if cidr6 in (None, 128) else f"//{cidr6}")
    if isinstance(term, Redirect):
        return f"redirect={target}"
    if isinstance(mech, IP4 | IP6 | All):
        body = mech.render()
    else:
        body = mech.kind + ("" if target is None else f":{target}") + cidr
    return ("" if term.qualifier in ("", "+") else term.qualifier) + body


def _key(text: str, term: Directive | Redirect, name: str) -> str:
    """What identifies a dynamic step: its canonical term without qualifier, and the
    record's name where the term's target depends on it (``a``/``mx``/``ptr`` without a
    name, ``%{d}``, ``%{p}``)."""
    mech = term.mechanism if isinstance(term, Directive) else term
    spec = getattr(mech, "domain", None)
    if spec is None or (isinstance(spec, MacroString) and spec.letters & {"d", "p"}):
        return f"{text.lstrip('+-~?')} at {name}"
    return text.lstrip("+-~?")


def _static_target(spec: MacroString | None, current: str) -> str | None:
    """The name a term asks about, or None when it has macros (known per connection only)."""
    if spec is None:
        return current
    if spec.is_dynamic:
        return None
    return canonical(spec.render())


def _is_valid_domain(name: str) -> bool:
    if not is_valid_target(name) or "." not in name:
        return False
    return not name.rsplit(".", 1)[1].isdigit()


async def compile_policy(domain: str | None, resolver: Resolver | None, *,
                         record: Record | None = None,
                         records: Mapping[str, Fetched] | None = None) -> IPSpace:
    """Compile ``domain``'s policy (or ``record`` standing for it) through ``resolver``.

    :raises InputError: neither a domain nor a record was given.
    """
    return await Compiler(resolver, records).space(domain, record)


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
