"""The fixer: a minimal record with the original's results, proven on the IP-space map."""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..ast import IP4, IP6, MX, A, All, Directive, Include, Mechanism, Record, Term
from ..config import Config
from ..dns.base import Resolver
from ..dns.names import canonical, normalize
from ..errors import DNSFailure, InputError, SpfSyntaxError, UnknownAnswerError
from ..findings import Severity
from ..ipspace import (
    Compiler,
    Decision,
    Dynamic,
    Fetched,
    Final,
    IPNetwork,
    IPSpace,
    RangeChange,
    diff,
    merge_intervals,
    minimal_cidrs,
    network_interval,
)
from ..lint import lint_record
from ..parser import is_spf_record, parse_record
from ..semantics import MAX_LOOKUPS as LOOKUP_LIMIT
from ..semantics import MAX_VOID_LOOKUPS as VOID_LIMIT
from ..txt import record_text
from .apply import FixPolicy, apply_fixes
from .flatten import flatten_includes
from .model import MAX_FIX_TERMS, Change, FixError, FixOptions, FixResult, PublishedRecord, terms_in
from .safety import terms_safe
from .split import publish

MAX_FLATTEN_ROUNDS = 4  # flatten, split, and again with room for the chain's includes
# Past this many terms a record gets no proof per term (dead ranges are still found by a
# sweep): each proof compiles the whole record, and thousands of them would take minutes.
MAX_PROVEN_TERMS = 300
_BROAD = {4: 8, 6: 16}  # merged ranges never get this wide (SPF302 broad-range)
def render(terms: Sequence[Term]) -> str:
    return " ".join(["v=spf1", *(t.render() for t in terms)])


def ip_directive(network: IPNetwork, qualifier: str) -> Directive:
    """``ip4:``/``ip6:`` for a network, without a redundant ``/32`` or ``/128``."""
    prefix = None if network.prefixlen == network.max_prefixlen else network.prefixlen
    if network.version == 4:
        assert isinstance(network, ipaddress.IPv4Network)
        return Directive(qualifier, IP4(network.network_address, prefix))
    assert isinstance(network, ipaddress.IPv6Network)
    return Directive(qualifier, IP6(network.network_address, prefix))


@dataclass
class _Allowance:
    """A change of result the user allowed (a requirement, or an --unsafe change)."""

    why: str
    accepts: Callable[[RangeChange], bool]


def _within(network: IPNetwork, intervals: list[tuple[int, int]]) -> bool:
    start, end = network_interval(network)
    return any(s <= start and end <= e for s, e in intervals)


def _now_passes_within(intervals: dict[int, list[tuple[int, int]]]
                       ) -> Callable[[RangeChange], bool]:
    """Changes that only turn results into ``pass`` inside ``intervals`` (a required term
    added: where earlier steps are decided per connection, only the branches that reach the
    new term change)."""
    return lambda c: _gains_pass_only(c.before, c.after) and _within(
        c.network, intervals.get(c.network.version, []))


def _gains_pass_only(before: Decision | None, after: Decision | None) -> bool:
    """Whether ``after`` differs from ``before`` only by passes: a leaf became ``pass``, or
    a new step (a required include not resolved) passes where it matches and leaves the
    rest as it was."""
    if before == after:
        return True
    if isinstance(before, Dynamic) and isinstance(after, Dynamic) and \
            before.identity == after.identity:
        return _gains_pass_only(before.on_match, after.on_match) and \
            _gains_pass_only(before.otherwise, after.otherwise)
    if isinstance(after, Dynamic):
        return isinstance(after.on_match, Final) and after.on_match.result == "pass" and \
            _gains_pass_only(before, after.otherwise)
    return isinstance(after, Final) and after.result == "pass"


class Fixer:
    """One fix run: the changes so far, the compiler and the allowed changes of result."""

    def __init__(self, options: FixOptions, resolver: Resolver | None,
                 config: Config | None = None) -> None:
        self.options = options
        self.resolver = resolver
        self.config = config or Config()
        self.domain = None if options.domain is None else normalize(options.domain)
        self.compiler = Compiler(resolver, limits=False)
        self.changes: list[Change] = []
        self.allowances: list[_Allowance] = []
        self.snapshot: dict[str, object] | None = None
        # Terms as the user wrote them (case, '+', '/32'): what no change touched is
        # published as written; only style fixes the policy allows respell terms.
        self.written: dict[int, str] = {}
        self.version = "v=spf1"
        self.today_only = options.unsafe  # rewrites that hold for today's answers only
        self._alone: dict[str, IPSpace] = {}

    async def alone(self, mech: Mechanism) -> IPSpace:
        """The space of ``v=spf1 MECH -all``: where the mechanism matches today. Asked for
        each DNS term by several steps of one run, so compiled once per mechanism."""
        key = mech.render()
        space = self._alone.get(key)
        if space is None:
            space = self._alone[key] = await self.compiler.space(
                self.domain, Record((Directive("", mech), Directive("-", All()))))
        return space

    def render(self, terms: Sequence[Term]) -> str:
        """The record text of ``terms``: each term as written unless a change made it."""
        return " ".join([self.version, *(self.written.get(id(t)) or t.render()
                                         for t in terms)])

    def remember(self, record: Record) -> None:
        """Keep how the record's terms are written, and its version tag."""
        text = record.text
        if text[:6].lower() == "v=spf1":
            self.version = text[:6]
        for term in record.terms:
            if term.span.end > term.span.start:
                self.written[id(term)] = text[term.span.start:term.span.end]

    def fail(self, message: str) -> FixError:
        return FixError(message, self.changes)

    async def space(self, terms: Sequence[Term]) -> IPSpace:
        return await self.compiler.space(self.domain, Record(tuple(terms)))

    # -- input ----------------------------------------------------------------------------

    async def originals(self) -> list[str]:
        if self.options.record is not None:
            return [self.options.record]
        if self.domain is None:
            raise InputError("give a DOMAIN or --record TEXT")
        if self.resolver is None:
            raise InputError("a resolver is needed to fetch the domain's record")
        answer = await self.resolver.query(self.domain, "TXT")
        if answer.outcome.is_failure:
            raise DNSFailure(f"TXT {self.domain}: {answer.detail or answer.outcome.value}")
        if answer.outcome.is_unknown:
            raise UnknownAnswerError(f"the record of {self.domain} is not known offline: give "
                                     "it with --record or --dns-data, or drop --offline")
        texts = [record_text(s) for s in answer.txt_records()]
        found = [t for t in texts if is_spf_record(t) or t.strip().lower().startswith("v=spf")]
        return found

    async def run(self) -> FixResult:
        from .repair import merge, parse_or_drop

        texts = await self.originals()
        for text in texts:
            if terms_in(text) > MAX_FIX_TERMS:
                of = "" if self.domain is None else f" of {self.domain}"
                raise InputError(f"the record{of} has {terms_in(text):,} terms: fix works on "
                                 f"records of at most {MAX_FIX_TERMS:,} (a published record "
                                 "holds tens)")
        if not texts:
            if not (self.options.ips or self.options.require):
                raise self.fail(f"{self.domain} has no SPF record; give --ip or --require to "
                                "create one")
            texts = ["v=spf1 ~all"]
            self.changes.append(Change("create-record", False, "the domain publishes no SPF "
                                       "record: a new one authorises the required senders "
                                       "and softfails the rest", None, "v=spf1 ~all"))
            self.allowances.append(_Allowance("new record", lambda c: True))
        policy = FixPolicy(unsafe=self.options.unsafe, repairs=self.options.repairs,
                           style=self.options.style)
        records = []
        for text in texts:
            fixed, changes = await apply_fixes(text.strip(), self.config, policy,
                                               domain=self.domain)
            self.changes.extend(changes)
            records.append(parse_or_drop(fixed, self.changes, unsafe=self.options.unsafe))
        if len(records) == 1:
            record = records[0]
        elif self.options.repairs or self.options.unsafe:
            record = merge(records, self.changes, self.domain)
        else:
            raise self.fail(f"{len(records)} SPF records: merging them changes results "
                            "(allow result-changing repairs to merge them)")
        self.remember(record)
        baseline = await self.compiler.space(self.domain, record)
        # Over the lookup limit the record is broken for whoever reaches the 11th lookup:
        # reducing lookups by what holds for today's answers is then a repair.
        self.today_only = self.options.unsafe or (self.options.repairs and
                                                  baseline.lookups > LOOKUP_LIMIT)
        terms = list(record.terms)
        terms = await self.requirements(terms)
        self.check_keep(terms)
        target = await self.space(terms)
        self.check_allowed(baseline, target)
        terms = await self.minimise(terms, target)
        # Chaining a long record adds an include per chained record, and so lookups: when
        # it does, flatten again leaving room for those includes.
        unflattened, mark, reserve = terms, len(self.changes), 0
        for _ in range(MAX_FLATTEN_ROUNDS):
            terms = unflattened
            del self.changes[mark:]
            self.snapshot = None
            budget = LOOKUP_LIMIT - reserve
            if await self.over_limit(terms, budget) or self.options.flatten:
                flattened = await flatten_includes(self, terms, target, limit=budget)
                if flattened != terms:
                    # Flattened ranges may repeat or touch ranges already in the record.
                    terms = await self.minimise(flattened, target)
            published = publish(self, terms)
            chained = len(published) - 1
            if chained <= reserve or (await self.space(terms)).lookups + chained <= LOOKUP_LIMIT:
                break
            reserve = chained
        final = await self.verify(published, baseline, target)
        return FixResult(published, self.changes, final.lookups, final.voids, texts,
                         self.snapshot)

    # -- allowed changes of result --------------------------------------------------------

    async def requirements(self, terms: list[Term]) -> list[Term]:
        required = list(self.options.require)
        present = {t.mechanism.render() for t in terms if isinstance(t, Directive)}
        for text in required:
            try:
                wanted = parse_record(f"v=spf1 {text.strip()}").terms
            except SpfSyntaxError as exc:
                raise InputError(f"--require {text!r} is not an SPF term: {exc}") from None
            if len(wanted) != 1 or not isinstance(wanted[0], Directive):
                raise InputError(f"--require {text!r} must be one mechanism")
            term = Directive("", wanted[0].mechanism)
            if term.mechanism.render() in present:
                continue
            terms = self.insert_before_all(terms, term)
            present.add(term.mechanism.render())
            alone = await self.alone(term.mechanism)
            # Where the term alone may pass (a term decided per connection, or an include
            # not resolved, may pass anywhere it applies).
            passes = {v: alone.addresses(v, lambda d: d.result in ("pass", "dynamic"))
                      for v in (4, 6)}
            self.changes.append(Change("add-required-term", False, f"required: '{text}'",
                                       None, term.render()))
            self.allowances.append(_Allowance("required term", _now_passes_within(passes)))
        for text in self.options.ips:
            try:
                address = ipaddress.ip_address(text)
            except ValueError:
                raise InputError(f"--ip {text!r} is not an IP address") from None
            space = await self.space(terms)
            if space.result_for(address).result == "pass":
                continue
            network = ipaddress.ip_network(address)
            term = ip_directive(network, "")
            candidate = self.insert_before_all(terms, term)
            if (await self.space(candidate)).result_for(address).result != "pass":
                candidate = [term, *terms]  # an earlier term decides it: go first
            terms = candidate
            self.changes.append(Change("add-required-ip", False, f"required: {address} must "
                                       "pass", None, term.render()))
            self.allowances.append(_Allowance(
                "required ip", _now_passes_within({network.version: [network_interval(network)]})))
        return terms

    @staticmethod
    def insert_before_all(terms: list[Term], term: Term) -> list[Term]:
        for index, existing in enumerate(terms):
            if isinstance(existing, Directive) and isinstance(existing.mechanism, All):
                return [*terms[:index], term, *terms[index:]]
            if not isinstance(existing, Directive):
                return [*terms[:index], term, *terms[index:]]
        return [*terms, term]

    def check_allowed(self, baseline: IPSpace, space: IPSpace) -> None:
        for change in diff(baseline, space):
            if not any(a.accepts(change) for a in self.allowances):
                raise self.fail(f"internal check failed: {change.network} would change from "
                                f"{change.before} to {change.after}")

    # -- minimising -----------------------------------------------------------------------

    async def minimise(self, terms: list[Term], target: IPSpace) -> list[Term]:
        terms = await self.remove_redundant(terms, target)
        return await self.merge_ranges(terms, target)

    async def same(self, terms: Sequence[Term], target: IPSpace) -> bool:
        space = await self.space(terms)
        return not diff(target, space) and space.lookups <= target.lookups

    async def rewrite_kind(self, before: Sequence[Term], after: Sequence[Term],
                           target: IPSpace, region: Sequence[IPNetwork]) -> bool | None:
        """Whether a rewrite is safe (True: proven for every DNS answer), allowed as unsafe
        (False: the same results for today's answers only, with ``--unsafe`` or to bring a
        record over the lookup limit back under it), or not to be made (None).

        An unsafe rewrite must not rest on an error or an unknown: where the addresses it
        touches (``region``) are decided by a failure, a permerror or a step nobody can
        answer today, the rewrite would hold only because that is broken.
        """
        if await terms_safe(before, after, self.domain):
            return True
        if not self.today_only or not await self.same(after, target):
            return None
        for network in region:
            start, end = network_interval(network)
            family = target.family(network.version)
            for s, e, decision in family.intervals():
                if s < end and start < e and (isinstance(decision, Dynamic) or
                                              decision.result in ("permerror", "temperror")):
                    return None
        return False

    async def decided_by(self, term: Directive) -> list[IPNetwork]:
        """The addresses ``term`` would match today (its range, or its a/mx addresses)."""
        mech = term.mechanism
        if isinstance(mech, IP4 | IP6):
            return [mech.network]
        alone = await self.alone(mech)
        out: list[IPNetwork] = []
        for version in (4, 6):
            out.extend(minimal_cidrs(alone.addresses(version, lambda d: d.result == "pass"),
                                     version))
        return out

    def check_keep(self, terms: Sequence[Term]) -> None:
        """``--keep`` names an include of the record: one that is not there (a typo, or an
        include deeper in the tree, which is never flattened anyway) would keep nothing."""
        present = {canonical(t.mechanism.domain.render()) for t in terms
                   if isinstance(t, Directive) and isinstance(t.mechanism, Include)}
        missing = sorted({canonical(n) for n in self.options.keep} - present)
        if missing:
            from ..suggest import close_matches, did_you_mean

            close = did_you_mean(close_matches(missing[0], sorted(present)))
            raise InputError(f"--keep {', '.join(missing)}: no such include in the record of "
                             f"{self.domain}{close}")

    async def remove_redundant(self, terms: list[Term], target: IPSpace) -> list[Term]:
        terms = self.remove_dead_ranges(terms)
        if len(terms) > MAX_PROVEN_TERMS:
            return terms  # proofs per term would take minutes: dead ranges only
        worth = await self.candidates(terms)
        index = len(terms) - 1
        while index >= 0:
            term = terms[index]
            if id(term) in worth and isinstance(term, Directive):
                trial = [*terms[:index], *terms[index + 1:]]
                kind = await self.rewrite_kind(terms, trial, target,
                                               await self.decided_by(term))
                if kind is not None:
                    why = ("every address it matches is decided the same way by earlier "
                           "address ranges, whatever DNS answers" if kind else
                           "every address it matches is decided the same way by other terms, "
                           "but only while DNS answers as it does today (an address behind "
                           "'a', 'mx' or an include may change)")
                    self.changes.append(Change("remove-redundant", kind, why, term.render(),
                                               None))
                    terms = trial
            index -= 1
        return terms

    def remove_dead_ranges(self, terms: list[Term]) -> list[Term]:
        """Address ranges that earlier ranges cover entirely: no address ever reaches them
        (first match), whatever DNS says; found in one sweep, without a proof per term."""
        covered: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        kept: list[Term] = []
        for term in terms:
            if isinstance(term, Directive) and isinstance(term.mechanism, All):
                kept.append(term)
                covered = {4: [(0, 1 << 32)], 6: [(0, 1 << 128)]}
                continue
            if not (isinstance(term, Directive) and isinstance(term.mechanism, IP4 | IP6)):
                kept.append(term)
                continue
            network = term.mechanism.network
            start, end = network_interval(network)
            merged = covered[network.version]
            at = bisect.bisect_right(merged, (start, 1 << 129)) - 1
            if at >= 0 and merged[at][0] <= start and end <= merged[at][1]:
                self.changes.append(Change(
                    "remove-redundant", True, "every address it matches is decided by "
                    "earlier address ranges, so it never matches, whatever DNS answers",
                    term.render(), None))
                continue
            kept.append(term)
            bisect.insort(merged, (start, end))
            covered[network.version] = merge_intervals(merged) if len(merged) > 1 else merged
        return kept

    async def candidates(self, terms: Sequence[Term]) -> set[int]:
        """The terms (by id) whose removal is worth proving or disproving.

        Every ``a`` and ``mx`` (they are few); an address range only when something else can
        decide its addresses: another range that overlaps it, an ``all`` with its qualifier,
        or (when rewrites for today's answers are allowed) what a DNS term may pass. A range
        nothing else touches always decides its addresses itself, so a record of thousands
        of disjoint ranges costs no proof per range.
        """
        out: set[int] = set()
        ranges: dict[int, list[tuple[int, int, int]]] = {4: [], 6: []}
        alls: set[str] = set()
        dns: list[Directive] = []
        for term in terms:
            if not isinstance(term, Directive):
                continue
            mech = term.mechanism
            if isinstance(mech, IP4 | IP6):
                start, end = network_interval(mech.network)
                ranges[mech.network.version].append((start, end, id(term)))
            elif isinstance(mech, All):
                alls.add(term.result_qualifier)
            elif not self._dynamic_target(term):
                if isinstance(mech, A | MX):
                    out.add(id(term))
                dns.append(term)
        reach: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        if self.today_only and dns:
            for term in dns:
                alone = await self.alone(term.mechanism)
                for version in (4, 6):
                    reach[version].extend(alone.addresses(
                        version, lambda d: d.result in ("pass", "dynamic")))
        qualifier = {id(t): t.result_qualifier for t in terms if isinstance(t, Directive)}
        for version, items in ranges.items():
            items.sort()
            merged = merge_intervals(reach[version])
            starts = [s for s, _ in merged]
            high = -1
            for k, (start, end, key) in enumerate(items):
                overlaps = high > start or (k + 1 < len(items) and items[k + 1][0] < end)
                high = max(high, end)
                at = bisect.bisect_right(starts, start) - 1
                reached = (at >= 0 and merged[at][1] > start) or \
                    (at + 1 < len(merged) and merged[at + 1][0] < end)
                if overlaps or reached or qualifier[key] in alls:
                    out.add(key)
        return out

    @staticmethod
    def _dynamic_target(term: Directive) -> bool:
        spec = getattr(term.mechanism, "domain", None)
        return spec is not None and spec.is_dynamic

    async def merge_ranges(self, terms: list[Term], target: IPSpace) -> list[Term]:
        groups: dict[tuple[int, str], list[int]] = {}
        for index, term in enumerate(terms):
            if isinstance(term, Directive) and isinstance(term.mechanism, IP4 | IP6):
                key = (term.mechanism.network.version, term.result_qualifier)
                groups.setdefault(key, []).append(index)
        for (version, qualifier), indexes in sorted(groups.items()):
            if len(indexes) < 2:
                continue
            networks = [terms[i].mechanism.network for i in indexes  # type: ignore[union-attr]
                        ]
            cover = minimal_cidrs([network_interval(n) for n in networks], version)
            if len(cover) >= len(networks):
                continue
            if any(n.prefixlen <= _BROAD[version] and n not in networks for n in cover):
                continue
            spelled = "" if qualifier == "+" else qualifier
            replacement = [ip_directive(n, spelled) for n in cover]
            drop = set(indexes)
            trial: list[Term] = []
            for index, term in enumerate(terms):
                if index == indexes[0]:
                    trial.extend(replacement)
                if index not in drop:
                    trial.append(term)
            kind = await self.rewrite_kind(terms, trial, target, cover)
            if kind is not None:
                self.changes.append(Change(
                    "merge-ranges", kind, "adjacent or overlapping ranges with the same "
                    "qualifier written as the fewest CIDR blocks" + (
                        "" if kind else " (moving them changes nothing only while the terms "
                        "between them answer as they do today)"),
                    " ".join(self.render([terms[i]])[7:] for i in indexes),
                    " ".join(t.render() for t in replacement)))
                return await self.merge_ranges(trial, target)
        return terms

    async def over_limit(self, terms: Sequence[Term], limit: int = LOOKUP_LIMIT) -> bool:
        return (await self.space(terms)).lookups > limit

    # -- proof ----------------------------------------------------------------------------

    async def verify(self, published: list[PublishedRecord], baseline: IPSpace,
                     target: IPSpace) -> IPSpace:
        """Compile what would be published, as receivers would see it, and compare."""
        records: dict[str, Fetched] = {}
        for item in published:
            if item.name is not None:
                records[item.name] = Fetched((item.value,))
            for text in item.strings:
                if len(text.encode()) > 255:
                    raise self.fail(f"a string of {len(text)} octets would be published")
        root = published[0]
        checker = Compiler(self.resolver, records, limits=False)
        final = await checker.space(self.domain, parse_record(root.value))
        changed = diff(target, final)
        if changed:
            first = changed[0]
            raise self.fail(f"could not prove the result: {first.network} would change from "
                            f"{first.before} to {first.after}")
        self.check_allowed(baseline, final)
        if final.lookups > LOOKUP_LIMIT:
            raise self.fail(f"the result needs {final.lookups} DNS lookups (limit "
                            f"{LOOKUP_LIMIT}) and no include could be flattened further "
                            "(kept or dynamic includes); drop senders or use --flatten")
        if final.voids > VOID_LIMIT:
            raise self.fail(f"the result has {final.voids} void lookups (limit {VOID_LIMIT})")
        for item in published:
            result = lint_record(item.value, strings=[s.encode() for s in item.strings],
                                 domain=item.name)
            errors = [f for f in result.findings if f.severity >= Severity.ERROR]
            if errors:
                hint = " (--unsafe allows changing it)" if not self.options.unsafe else ""
                raise self.fail(f"the corrected record still has {errors[0].code} "
                                f"{errors[0].name}: {errors[0].message}{hint}")
        return final


async def fix_policy(options: FixOptions, resolver: Resolver | None,
                     config: Config | None = None) -> FixResult:
    """Minimal corrected record(s) for ``options``, proven on the IP-space map.

    :raises FixError: no record could be proven (the message says why).
    :raises InputError: bad options (no domain or record, a bad --ip or --require).
    :raises DNSFailure: the domain's record could not be fetched.
    """
    if options.max_size < 50:
        raise InputError("--max-size must be at least 50")
    return await Fixer(options, resolver, config).run()


__all__ = ["Fixer", "fix_policy", "ip_directive", "render"]
