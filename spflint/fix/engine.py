"""The fixer: a minimal record with the original's results, proven on the IP-space map."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..ast import IP4, IP6, MX, PTR, A, All, Directive, Exists, Record, Redirect, Term
from ..dns.base import Resolver
from ..dns.names import normalize
from ..errors import DNSFailure, InputError, SpfSyntaxError, UnknownAnswerError
from ..findings import Severity
from ..ipspace import (
    Compiler,
    Decision,
    Dynamic,
    Fetched,
    IPNetwork,
    IPSpace,
    RangeChange,
    diff,
    minimal_cidrs,
    network_interval,
)
from ..lint import lint_record
from ..parser import is_spf_record, parse_record
from ..semantics import MAX_LOOKUPS as LOOKUP_LIMIT
from ..semantics import MAX_VOID_LOOKUPS as VOID_LIMIT
from .flatten import flatten_includes
from .model import Change, FixError, FixOptions, FixResult, PublishedRecord
from .split import publish

MAX_FLATTEN_ROUNDS = 4  # flatten, split, and again with room for the chain's includes
_BROAD = {4: 8, 6: 16}  # merged ranges never get this wide (SPF302 broad-range)
# Addresses that never send mail over the Internet (RFC 1918, shared, loopback, link-local, ULA).
_PRIVATE = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8",
    "169.254.0.0/16", "fc00::/7", "fe80::/10", "::1/128"))


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


def _q(term: Directive) -> str:
    return "" if term.qualifier == "+" else term.qualifier


@dataclass
class _Allowance:
    """A change of result the user allowed (a requirement, or an --unsafe change)."""

    why: str
    accepts: Callable[[RangeChange], bool]


def _within(network: IPNetwork, intervals: list[tuple[int, int]]) -> bool:
    start, end = network_interval(network)
    return any(s <= start and end <= e for s, e in intervals)


def _dynamic_gone(term: str) -> Callable[[RangeChange], bool]:
    return lambda c: _mentions(c.before, term)


def _result_change(before: str, after: str) -> Callable[[RangeChange], bool]:
    return lambda c: c.before.result == before and c.after.result == after


def _pass_lost_within(intervals: list[tuple[int, int]]) -> Callable[[RangeChange], bool]:
    return lambda c: c.before.result == "pass" and _within(c.network, intervals)


def _now_passes_within(intervals: dict[int, list[tuple[int, int]]]
                       ) -> Callable[[RangeChange], bool]:
    return lambda c: c.after.result == "pass" and _within(
        c.network, intervals.get(c.network.version, []))


def _mentions(decision: Decision | None, term: str) -> bool:
    return isinstance(decision, Dynamic) and (
        decision.term == term or _mentions(decision.on_match, term)
        or _mentions(decision.otherwise, term))


class Fixer:
    """One fix run: the changes so far, the compiler and the allowed changes of result."""

    def __init__(self, options: FixOptions, resolver: Resolver | None) -> None:
        self.options = options
        self.resolver = resolver
        self.domain = None if options.domain is None else normalize(options.domain)
        self.compiler = Compiler(resolver, limits=False)
        self.changes: list[Change] = []
        self.allowances: list[_Allowance] = []
        self.snapshot: dict[str, object] | None = None

    def fail(self, message: str) -> FixError:
        return FixError(message, self.changes)

    async def space(self, terms: Sequence[Term]) -> IPSpace:
        return await self.compiler.space(self.domain, parse_record(render(terms)))

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
        texts = [b"".join(s).decode("latin-1") for s in answer.txt_records()]
        found = [t for t in texts if is_spf_record(t) or t.strip().lower().startswith("v=spf")]
        return found

    async def run(self) -> FixResult:
        from .repair import merge, repair

        texts = await self.originals()
        if not texts:
            if not (self.options.ips or self.options.require):
                raise self.fail(f"{self.domain} has no SPF record; give --ip or --require to "
                                "create one")
            texts = ["v=spf1 ~all"]
            self.changes.append(Change("create-record", False, "the domain publishes no SPF "
                                       "record: a new one authorises the required senders "
                                       "and softfails the rest", None, "v=spf1 ~all"))
            self.allowances.append(_Allowance("new record", lambda c: True))
        records = [repair(t, self.changes, unsafe=self.options.unsafe) for t in texts]
        record = records[0] if len(records) == 1 else merge(records, self.changes, self.domain)
        baseline = await self.compiler.space(self.domain, record)
        terms = self.canonical(record)
        if self.options.unsafe:
            terms = await self.unsafe_changes(terms)
        terms = await self.requirements(terms)
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

    # -- safe rewriting -------------------------------------------------------------------

    def canonical(self, record: Record) -> list[Term]:
        """Dead and ignored terms dropped, duplicates dropped, modifiers last, tidy forms."""
        mechanisms: list[Term] = []
        modifiers: list[Term] = []
        seen: dict[str, str] = {}
        all_index = record.all_index
        add = self.changes.append
        for index, term in enumerate(record.terms):
            if not isinstance(term, Directive):
                if isinstance(term, Redirect) and all_index is not None:
                    add(Change("remove-ignored-redirect", True, "a redirect beside 'all' is "
                               "never used (RFC 7208 §6.1)", term.render(), None))
                    continue
                if term.kind in {m.kind for m in modifiers} and term.kind != "unknown-modifier":
                    add(Change("remove-duplicate", False, f"a second '{term.kind}=' makes the "
                               "record a permerror (RFC 7208 §6); the first is kept",
                               term.render(), None))
                    continue
                if mechanisms and any(isinstance(t, Directive) for t in record.terms[index:]):
                    add(Change("move-modifier", True, "modifiers go after the mechanisms "
                               "(they apply wherever they are written)", term.render(), None))
                modifiers.append(term)
                continue
            if all_index is not None and index > all_index:
                add(Change("remove-dead-term", True, "after 'all' nothing is evaluated "
                           "(RFC 7208 §5.1)", term.render(), None))
                continue
            tidy = self.tidy(term)
            key = tidy.mechanism.render()
            # A repeated dynamic step is dead too, but the map cannot prove it (each step is
            # kept as its own unknown), so it stays.
            if key in seen and not self._dynamic(tidy):
                add(Change("remove-duplicate", True, f"'{seen[key]}' earlier already decides "
                           "every address this term could match", term.render(), None))
                continue
            seen[key] = tidy.render()
            mechanisms.append(tidy)
        if all_index is None and record.redirect is None:
            mechanisms.append(Directive("?", All()))
            add(Change("add-all", True, "without 'all' the unmatched get neutral anyway; "
                       "'?all' says so explicitly (use --unsafe to make it '~all')", None,
                       "?all"))
        return mechanisms + modifiers

    def tidy(self, term: Directive) -> Directive:
        mech = term.mechanism
        out = term
        if isinstance(mech, IP4 | IP6):
            network = mech.network
            tidy = ip_directive(network, _q(term))
            if tidy.mechanism != mech:
                if mech.address != network.network_address:
                    why = "host bits set: evaluators use the network address"
                    kind = "clear-host-bits"
                else:
                    why = f"/{network.max_prefixlen} is the default"
                    kind = "remove-redundant-cidr"
                self.changes.append(Change(kind, True, why, term.render(), tidy.render()))
            out = tidy
        if term.qualifier == "+":
            out = Directive("", out.mechanism)
            self.changes.append(Change("remove-redundant-qualifier", True,
                                       "'+' is the default qualifier", term.render(),
                                       out.render()))
        return out

    # -- allowed changes of result --------------------------------------------------------

    async def unsafe_changes(self, terms: list[Term]) -> list[Term]:
        out: list[Term] = []
        for term in terms:
            if not isinstance(term, Directive):
                out.append(term)
                continue
            mech = term.mechanism
            if isinstance(mech, PTR):
                text = term.render()
                self.changes.append(Change("remove-ptr", False, "'ptr' is slow, unreliable "
                                           "and deprecated (RFC 7208 §5.5); senders it "
                                           "passed must be listed explicitly", text, None))
                self.allowances.append(_Allowance("ptr removed", _dynamic_gone(text)))
                continue
            if isinstance(mech, All) and term.result_qualifier in ("+", "?"):
                new = Directive("~", All())
                was = term.result_qualifier
                self.changes.append(Change("soften-all" if was == "+" else "tighten-all",
                                           False, f"'{term.render()}' lets anyone send as "
                                           "the domain" if was == "+" else "'?all' tells "
                                           "receivers nothing", term.render(), new.render()))
                self.allowances.append(_Allowance(
                    "all", _result_change("pass" if was == "+" else "neutral", "softfail")))
                out.append(new)
                continue
            if isinstance(mech, IP4 | IP6) and term.result_qualifier == "+" and \
                    any(mech.network.subnet_of(n) for n in _PRIVATE  # type: ignore[arg-type]
                        if n.version == mech.network.version):
                self.changes.append(Change("remove-non-routable", False, "private or "
                                           "reserved addresses never reach a receiver over "
                                           "the Internet", term.render(), None))
                self.allowances.append(_Allowance(
                    "non-routable", _pass_lost_within([network_interval(mech.network)])))
                continue
            out.append(term)
        return out

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
            alone = await self.compiler.space(self.domain, parse_record(f"v=spf1 {term.render()}"
                                                                        " -all"))
            passes = {v: alone.addresses(v, lambda d: d.result == "pass") for v in (4, 6)}
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

    async def remove_redundant(self, terms: list[Term], target: IPSpace) -> list[Term]:
        index = len(terms) - 1
        while index >= 0:
            term = terms[index]
            if isinstance(term, Directive) and isinstance(term.mechanism, IP4 | IP6 | A | MX) \
                    and not self._dynamic_target(term):
                trial = [*terms[:index], *terms[index + 1:]]
                if await self.same(trial, target):
                    pinned = isinstance(term.mechanism, A | MX)
                    why = ("every address it matches is already decided the same way by "
                           "other terms")
                    if pinned:
                        why += " (as DNS answers today)"
                    self.changes.append(Change("remove-redundant", True, why, term.render(),
                                               None))
                    terms = trial
            index -= 1
        return terms

    @staticmethod
    def _dynamic(term: Directive) -> bool:
        return isinstance(term.mechanism, PTR | Exists) or Fixer._dynamic_target(term)

    @staticmethod
    def _dynamic_target(term: Directive) -> bool:
        spec = getattr(term.mechanism, "domain", None)
        return spec is not None and spec.is_dynamic

    async def merge_ranges(self, terms: list[Term], target: IPSpace) -> list[Term]:
        groups: dict[tuple[int, str], list[int]] = {}
        for index, term in enumerate(terms):
            if isinstance(term, Directive) and isinstance(term.mechanism, IP4 | IP6):
                key = (term.mechanism.network.version, term.qualifier)
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
            replacement = [ip_directive(n, qualifier) for n in cover]
            drop = set(indexes)
            trial: list[Term] = []
            for index, term in enumerate(terms):
                if index == indexes[0]:
                    trial.extend(replacement)
                if index not in drop:
                    trial.append(term)
            if await self.same(trial, target):
                self.changes.append(Change(
                    "merge-ranges", True, "adjacent or overlapping ranges with the same "
                    "qualifier written as the fewest CIDR blocks",
                    " ".join(terms[i].render() for i in indexes),
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


async def fix_policy(options: FixOptions, resolver: Resolver | None) -> FixResult:
    """Minimal corrected record(s) for ``options``, proven on the IP-space map.

    :raises FixError: no record could be proven (the message says why).
    :raises InputError: bad options (no domain or record, a bad --ip or --require).
    :raises DNSFailure: the domain's record could not be fetched.
    """
    if options.max_size < 50:
        raise InputError("--max-size must be at least 50")
    return await Fixer(options, resolver).run()


__all__ = ["Fixer", "fix_policy", "ip_directive", "render"]
