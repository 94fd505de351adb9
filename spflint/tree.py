"""Whole-tree walk of a domain's SPF policy: includes, redirects, lookup costs, voids, loops."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Coroutine, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .ast import MX, PTR, A, Directive, Exists, Include, MacroString, Record, Redirect
from .dns.base import Answer, Outcome, Resolver, TxtValue
from .dns.names import canonical, normalize
from .errors import InputError, SpfSyntaxError
from .macros import MacroContext, expand_domain, is_valid_target, normalize_ip
from .parser import Problem, is_spf_record, parse_record
from .semantics import MAX_LOOKUPS, MAX_MX_RECORDS, MAX_VOID_LOOKUPS, evaluated, mx_hosts
from .txt import record_text

# The RFC's limits, under the names the walk's callers know them by.
LOOKUP_LIMIT = MAX_LOOKUPS
VOID_LIMIT = MAX_VOID_LOOKUPS
DEFAULT_MAX_NAMES = 200

# Mechanisms that cost one lookup each (§4.6.4); redirect= costs one too when it applies.
# Consumer mail services whose SPF names people include by mistake for their own tenant.
CONSUMER_MAIL_DOMAINS = frozenset({"outlook.com", "hotmail.com"})
_NEAR_MISS = re.compile(r"v\s*=\s*spf", re.IGNORECASE)

_T = TypeVar("_T")

# (ip, sender, helo): values to expand macros with; without them macro targets stay unexpanded.
MacroInput = tuple[str, str, str | None]


# --- value types -----------------------------------------------------------------------------


@dataclass(frozen=True)
class VoidLookup:
    """A term whose DNS question returns NXDOMAIN or no records (a void lookup, §4.6.4).

    ``family`` says which clients the void applies to: ``any`` (TXT, MX, ``exists``' A),
    ``ipv4`` (the A question of ``a``) or ``ipv6`` (the AAAA question of ``a``). A ``ptr``
    term's PTR question is about the client, so it is not asked: it is assumed void, as it
    is for a client without reverse DNS (the worst case).
    """

    term: str
    name: str
    qtype: str
    outcome: Outcome
    family: str = "any"
    assumed: bool = False  # not asked: the worst case for the client (its PTR lookup)

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "name": self.name, "qtype": self.qtype,
                "outcome": self.outcome.value, "family": self.family,
                "assumed": self.assumed}


@dataclass(frozen=True)
class TargetLookup:
    """One question asked for an ``a``, ``mx`` or ``exists`` term, and how it ended."""

    term: str
    name: str
    qtype: str
    outcome: Outcome
    count: int  # records in the answer
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "name": self.name, "qtype": self.qtype,
                "outcome": self.outcome.value, "count": self.count}


@dataclass(frozen=True)
class MxHost:
    """One exchange of an MX set, with how many addresses it has (None: not asked)."""

    name: str
    preference: int
    ipv4: int | None = None
    ipv6: int | None = None
    failed: bool = False  # an address question failed (timeout, SERVFAIL)
    unknown: bool = False  # nothing answered an address question (offline, no data)

    @property
    def has_address(self) -> bool | None:
        """True or False once asked; None when not looked up, unknown, or a lookup failed."""
        if self.failed or self.unknown or self.ipv4 is None or self.ipv6 is None:
            return None
        return bool(self.ipv4 or self.ipv6)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "preference": self.preference, "ipv4": self.ipv4,
                "ipv6": self.ipv6}


@dataclass(frozen=True)
class MxSet:
    """What an ``mx`` term's target publishes: its MX names, each once, and how many MX
    records there are (more than 10 records is a permerror, whatever names they repeat)."""

    term: str
    target: str
    outcome: Outcome
    hosts: tuple[MxHost, ...] = ()
    records: int = 0

    @property
    def count(self) -> int:
        return len(self.hosts)

    @property
    def too_many(self) -> bool:
        return self.records > MAX_MX_RECORDS

    @property
    def without_address(self) -> tuple[str, ...]:
        """MX names that were looked up and have neither A nor AAAA records."""
        return tuple(h.name for h in self.hosts if h.has_address is False)

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "target": self.target, "outcome": self.outcome.value,
                "count": self.count, "records": self.records, "too_many": self.too_many,
                "without_address": list(self.without_address),
                "hosts": [h.to_dict() for h in self.hosts]}


@dataclass(frozen=True)
class NearMiss:
    """A TXT string that looks like an attempt at an SPF record but is not one (§4.5)."""

    text: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "reason": self.reason}


@dataclass(frozen=True)
class IgnoredTerm:
    """A term receivers never evaluate: after ``all`` (§5.1), or redirect= beside ``all`` (§6.1)."""

    term: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "reason": self.reason}


@dataclass(frozen=True)
class DnsFailure:
    """A question that failed (timeout, SERVFAIL, error, limit): receivers would temperror."""

    domain: str  # the node whose evaluation asks the question
    name: str
    qtype: str
    outcome: Outcome
    detail: str = ""
    term: str | None = None

    def __str__(self) -> str:
        what = self.detail or self.outcome.value
        via = f" ({self.term})" if self.term else ""
        return f"{self.qtype} {self.name}{via}: {what}"

    def to_dict(self) -> dict[str, Any]:
        return {"domain": self.domain, "name": self.name, "qtype": self.qtype,
                "outcome": self.outcome.value, "detail": self.detail, "term": self.term}


@dataclass(frozen=True)
class UnknownAnswer:
    """A question nothing could answer: offline, and no zone file, data file or lock entry
    speaks for the name. Not a void lookup and not a failure: nothing is concluded from it."""

    domain: str  # the node whose evaluation asks the question
    name: str
    qtype: str
    term: str | None = None
    # Why: "" when nothing covers the name (an external name: a lock or --dns-data gives
    # it); otherwise what keeps the covering data from answering (a dynamic record, a cut).
    detail: str = ""

    @property
    def external(self) -> bool:
        return not self.detail

    def __str__(self) -> str:
        via = f" ({self.term})" if self.term else ""
        return f"{self.qtype} {self.name}{via}"

    def to_dict(self) -> dict[str, Any]:
        return {"domain": self.domain, "name": self.name, "qtype": self.qtype,
                "term": self.term, "external": self.external, "detail": self.detail}


@dataclass
class TreeNode:
    """One name of the policy tree, as reached by one path from the checked domain.

    ``lookups`` is what this record's own terms cost; ``subtree_lookups`` adds what its
    ``include`` and ``redirect`` targets cost, for an IP that matches nothing. A node that
    closes a cycle (``loop``) costs nothing more and has no children. A name reached again
    by another path (``duplicate_of``) is not walked again but costs again, because
    receivers evaluate it again.
    """

    name: str
    via: str = "root"  # "root", "include" or "redirect"
    term: str | None = None  # the term text that reached this name, as written
    qualifier: str | None = None  # of the include ("+", "-", "~", "?"); None otherwise
    path: tuple[str, ...] = ()  # names from the checked domain to this one, inclusive
    record: str | None = None
    strings: TxtValue = ()
    answer_source: str | None = None
    txt_size: int | None = None
    outcome: Outcome | None = None  # of the TXT question; None when never asked
    spf_records: list[str] = field(default_factory=list)
    near_misses: list[NearMiss] = field(default_factory=list)
    type99: list[str] = field(default_factory=list)
    parsed: Record | None = None
    problems: list[Problem] = field(default_factory=list)
    lookups: int = 0
    subtree_lookups: int = 0
    voids: list[VoidLookup] = field(default_factory=list)
    subtree_void_ipv4: int = 0
    subtree_void_ipv6: int = 0
    resolved: list[TargetLookup] = field(default_factory=list)
    mx_names: list[MxSet] = field(default_factory=list)
    children: list[TreeNode] = field(default_factory=list)
    loop: tuple[str, ...] | None = None
    duplicate_of: TreeNode | None = field(default=None, repr=False)
    dynamic_terms: list[str] = field(default_factory=list)
    ignored_terms: list[IgnoredTerm] = field(default_factory=list)
    error: str | None = None
    # The TXT answer at the exp= target (not a lookup under §4.6.4; fetched for its checks).
    exp_answer: Answer | None = None
    # The MX answer of the checked domain, fetched only when its record includes a consumer
    # mail domain (outlook.com, hotmail.com): whether that is a mistake depends on it.
    owner_mx: Answer | None = None

    @property
    def multiple(self) -> bool:
        """More than one SPF record at the name (a permerror, §4.5)."""
        return len(self.spf_records) > 1

    @property
    def has_spf(self) -> bool:
        return bool(self.spf_records)

    @property
    def walked(self) -> bool:
        """Whether this node carries its own children (not a loop or duplicate reference)."""
        return self.loop is None and self.duplicate_of is None

    def iter(self) -> Iterator[TreeNode]:
        """This node and every node below it, depth first, in term order."""
        yield self
        for child in self.children:
            yield from child.iter()

    def to_dict(self) -> dict[str, Any]:
        """The node for the ``tree`` key of ``check`` JSON; ``lookups`` is the subtree cost."""
        return {
            "name": self.name,
            "record": self.record,
            "lookups": self.subtree_lookups,
            "own_lookups": self.lookups,
            "via": self.via,
            "term": self.term,
            "qualifier": self.qualifier,
            "strings": [s.decode("latin-1") for s in self.strings],
            "outcome": None if self.outcome is None else self.outcome.value,
            "answer_source": self.answer_source,
            "txt_size": self.txt_size,
            "spf_records": list(self.spf_records),
            "multiple": self.multiple,
            "near_misses": [n.to_dict() for n in self.near_misses],
            "type99": list(self.type99),
            "problems": [{"code": p.code, "message": p.message, "column": p.column}
                         for p in self.problems],
            "void": {"ipv4": self.subtree_void_ipv4, "ipv6": self.subtree_void_ipv6},
            "voids": [v.to_dict() for v in self.voids],
            "resolved": [r.to_dict() for r in self.resolved],
            "mx": [m.to_dict() for m in self.mx_names],
            "dynamic_terms": list(self.dynamic_terms),
            "ignored_terms": [t.to_dict() for t in self.ignored_terms],
            "loop": None if self.loop is None else list(self.loop),
            "duplicate_of": None if self.duplicate_of is None
            else " > ".join(self.duplicate_of.path),
            "error": self.error,
            "exp": None if self.exp_answer is None else {
                "name": self.exp_answer.name, "outcome": self.exp_answer.outcome.value,
                "texts": [record_text(r)
                          for r in self.exp_answer.txt_records()]},
            "children": [c.to_dict() for c in self.children],
        }


@dataclass
class Tree:
    """The walked policy of one domain and its worst-case costs.

    ``total_lookups`` is what a receiver counts for an IP that matches nothing: every
    DNS-querying term before ``all``, every applicable ``redirect``, and each include's
    whole subtree, again for every path that reaches it. ``void_total`` is the larger of the
    IPv4-client and IPv6-client void counts.
    """

    domain: str
    root: TreeNode
    total_lookups: int
    void_ipv4: int
    void_ipv6: int
    limit: int = LOOKUP_LIMIT
    void_limit: int = VOID_LIMIT
    queries: int = 0  # DNS queries sent (from the resolver's log, else questions asked)
    questions: int = 0  # questions the walk asked the resolver
    names: int = 0  # distinct names whose SPF record was fetched
    complete: bool = True
    cut_reason: str | None = None
    failures: list[DnsFailure] = field(default_factory=list)
    loops: list[tuple[str, ...]] = field(default_factory=list)
    elapsed: float = 0.0
    unknown: list[UnknownAnswer] = field(default_factory=list)  # in tree order, once each

    @property
    def exact(self) -> bool:
        """Whether the totals are exact: every name answered and the walk complete.

        With unknown answers (offline) or dynamic terms the totals are lower bounds.
        """
        return self.complete and not self.unknown and not self.dynamic

    @property
    def record(self) -> str | None:
        return self.root.record

    @property
    def void_total(self) -> int:
        return max(self.void_ipv4, self.void_ipv6)

    @property
    def dynamic(self) -> int:
        """Macro-bearing terms counted but not expanded (their targets' costs are unknown)."""
        return sum(len(n.dynamic_terms) for n in self.root.iter())

    @property
    def over_limit(self) -> bool:
        return self.total_lookups > self.limit

    def nodes(self) -> Iterator[TreeNode]:
        return self.root.iter()

    def lookups_dict(self) -> dict[str, Any]:
        """The ``lookups`` object of ``check`` JSON."""
        return {
            "total": self.total_lookups,
            "limit": self.limit,
            "void": self.void_total,
            "void_limit": self.void_limit,
            "void_ipv4": self.void_ipv4,
            "void_ipv6": self.void_ipv6,
            "dynamic": self.dynamic,
            "unknown": len(self.unknown),
            "exact": self.exact,
        }

    def to_dict(self) -> dict[str, Any]:
        """``domain``, ``record``, ``lookups`` and ``tree`` of ``check`` JSON, plus walk facts."""
        return {
            "domain": self.domain,
            "record": self.record,
            "lookups": self.lookups_dict(),
            "tree": self.root.to_dict(),
            "complete": self.complete,
            "cut_reason": self.cut_reason,
            "queries": self.queries,
            "names": self.names,
            "failures": [f.to_dict() for f in self.failures],
            "unknown": [u.to_dict() for u in self.unknown],
            "loops": [list(loop) for loop in self.loops],
        }


@dataclass(frozen=True)
class Contributor:
    """An include (or redirect) of the checked policy and what it costs, its own term included."""

    term: str
    name: str
    lookups: int
    path: tuple[str, ...]


def biggest_contributors(tree: Tree, n: int = 3) -> list[Contributor]:
    """The ``n`` costliest includes and redirects of the checked policy, costliest first.

    Targets of a top-level ``redirect`` count as top level: their includes are the policy's.
    """
    found: list[Contributor] = []
    pending = [tree.root]
    while pending:
        node = pending.pop(0)
        for child in node.children:
            found.append(Contributor(child.term or child.name, child.name,
                                     1 + child.subtree_lookups, child.path))
            if child.via == "redirect" and child.walked:
                pending.append(child)
    order = {id(c): i for i, c in enumerate(found)}
    found.sort(key=lambda c: (-c.lookups, order[id(c)]))
    return found[:n]


# --- record analysis -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Edge:
    """An include or redirect that receivers evaluate, with its target name (None: dynamic)."""

    kind: str
    term: str
    qualifier: str | None
    target: str | None


@dataclass
class _NameInfo:
    """What the walk learned about one name (shared by every path that reaches it)."""

    name: str
    txt: Answer | None = None
    spf99: Answer | None = None
    spf_records: list[tuple[str, TxtValue]] = field(default_factory=list)
    near_misses: list[NearMiss] = field(default_factory=list)
    parsed: Record | None = None
    problems: list[Problem] = field(default_factory=list)
    cost: int = 0
    edges: list[_Edge] = field(default_factory=list)
    dynamic_terms: list[str] = field(default_factory=list)
    ignored_terms: list[IgnoredTerm] = field(default_factory=list)
    resolved: list[TargetLookup] = field(default_factory=list)
    mx_names: list[MxSet] = field(default_factory=list)
    voids: list[VoidLookup] = field(default_factory=list)
    failures: list[DnsFailure] = field(default_factory=list)
    unknown: list[UnknownAnswer] = field(default_factory=list)
    exp_answer: Answer | None = None
    # The MX answer of the checked domain, fetched only when its record includes a consumer
    # mail domain (outlook.com, hotmail.com): whether that is a mistake depends on it.
    owner_mx: Answer | None = None
    capped: bool = False  # never fetched: the cap on names was reached
    done: bool = False


def _near_miss(text: str) -> NearMiss | None:
    lower = text.lower()
    stripped = lower.lstrip(" \t\"'")
    if stripped.startswith("spf2.0"):
        return NearMiss(text, "a Sender ID record (spf2.0), which SPF receivers ignore")
    if not _NEAR_MISS.search(lower):
        return None
    if stripped.startswith("v=spf1") and stripped != lower:
        return NearMiss(text, "text before 'v=spf1': the record must start with it")
    if lower.startswith("v=spf1"):
        return NearMiss(text, f"'v=spf1' is followed by {text[6]!r}, not a space")
    if re.match(r"v\s*=\s*spf", lower):
        return NearMiss(text, "the version tag must be exactly 'v=spf1'")
    return NearMiss(text, "'v=spf' appears inside the text, not at its start")


def _term_text(record: Record, term: Directive | Redirect) -> str:
    if term.span.end > term.span.start:
        return record.text[term.span.start : term.span.end]
    return term.render()


def _analyse(record: Record) -> tuple[int, list[IgnoredTerm]]:
    """Own lookup cost of a record for an IP matching nothing, and the terms never evaluated."""
    terms = evaluated(record)
    ignored = [IgnoredTerm(_term_text(record, term),
                           "after 'all', never evaluated (RFC 7208 §5.1)"
                           if isinstance(term, Directive) else
                           "ignored because the record has 'all' (RFC 7208 §6.1)")
               for term in terms.ignored if isinstance(term, Directive | Redirect)]
    return terms.lookups, ignored


def _unknown_why(answer: Answer) -> str:
    """"" for a name nothing covers; else why the data covering it cannot answer."""
    from .dns.layered import NO_DATA_SOURCE

    return "" if answer.source == NO_DATA_SOURCE else answer.detail


# --- the walk --------------------------------------------------------------------------------


class _Walker:
    """Fetches every name of the tree concurrently, then builds the tree in term order."""

    def __init__(self, resolver: Resolver, max_names: int, deadline: float | None,
                 macro_context: MacroInput | None, query_type99: bool) -> None:
        self.resolver = resolver
        self.max_names = max_names
        self.deadline = deadline
        self.macro_context = macro_context
        self.query_type99 = query_type99
        self.root = ""
        self.infos: dict[str, _NameInfo] = {}
        self.tasks: set[asyncio.Task[Any]] = set()
        self.questions = 0
        self.fetched = 0
        self.capped = 0
        self.cut: str | None = None
        self.loops: list[tuple[str, ...]] = []
        self.failures: list[DnsFailure] = []  # in tree order, once each
        self.unknown: list[UnknownAnswer] = []  # in tree order, once each
        self._loop_keys: set[frozenset[str]] = set()

    # -- phase 1: fetch ---------------------------------------------------------------------

    def _spawn(self, coro: Coroutine[Any, Any, _T]) -> asyncio.Task[_T]:
        task = asyncio.ensure_future(coro)
        self.tasks.add(task)
        return task

    def ensure(self, name: str) -> None:
        """Start fetching ``name`` unless it is known already or the cap on names is reached."""
        if name in self.infos:
            return
        if self.fetched >= self.max_names:
            self.infos[name] = _NameInfo(name, capped=True)
            self.capped += 1
            return
        info = _NameInfo(name)
        self.infos[name] = info
        self.fetched += 1
        self._spawn(self.fetch(info))

    async def ask(self, name: str, rdtype: str) -> Answer:
        self.questions += 1
        try:
            return await self.resolver.query(name, rdtype)
        except Exception as exc:  # a resolver bug must not end the walk
            return Answer(name, rdtype, Outcome.ERROR, detail=f"resolver error: {exc}")

    async def run(self, root: str) -> None:
        self.root = root
        self.ensure(root)
        try:
            while True:
                pending = {t for t in self.tasks if not t.done()}
                if not pending:
                    break
                timeout = None if self.deadline is None else self.deadline - time.monotonic()
                if timeout is not None and timeout <= 0:
                    self.cut = "the time allowed for the walk was used up"
                    break
                await asyncio.wait(pending, timeout=timeout)
        finally:
            # Cut by the deadline, or the caller was cancelled: leave no task running.
            pending = {t for t in self.tasks if not t.done()}
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        for task in self.tasks:
            error = None if task.cancelled() else task.exception()
            if error is not None:
                raise error

    async def fetch(self, info: _NameInfo) -> None:
        name = info.name
        # Type 99 is asked only at the checked domain and the names below it: a provider's
        # leftover type 99 record is not the user's to fix, and the extra questions would
        # widen every level of the walk.
        owned = name == self.root or name.endswith("." + self.root)
        spf99 = self._spawn(self.ask(name, "SPF")) if self.query_type99 and owned else None
        txt = await self.ask(name, "TXT")
        info.txt = txt
        if txt.outcome.is_failure:
            info.failures.append(DnsFailure(name, name, "TXT", txt.outcome, txt.detail))
        elif txt.outcome.is_unknown:
            info.unknown.append(UnknownAnswer(name, name, "TXT", detail=_unknown_why(txt)))
        for strings in txt.txt_records():
            # latin-1 keeps every octet; non-ASCII then fails the grammar (§3.1: 7-bit ASCII).
            text = record_text(strings)
            if is_spf_record(text):
                info.spf_records.append((text, strings))
            else:
                miss = _near_miss(text)
                if miss is not None:
                    info.near_misses.append(miss)
        if len(info.spf_records) == 1:
            text = info.spf_records[0][0]
            try:
                info.parsed = parse_record(text)
            except SpfSyntaxError as exc:
                info.problems = list(exc.problems)
        if info.parsed is not None:
            await self.follow(info, info.parsed)
        if spf99 is not None:
            info.spf99 = await spf99
        info.done = True

    async def target(self, spec: MacroString | None, info: _NameInfo) -> str | None:
        """The name a term asks about; None for a macro target without macro values."""
        if spec is None:
            return info.name
        if not spec.is_dynamic:
            return canonical(spec.render())
        if self.macro_context is None:
            return None
        ip, sender, helo = self.macro_context
        ctx = MacroContext(normalize_ip(ip), sender, info.name, helo)
        return canonical(await expand_domain(spec, ctx))

    async def follow(self, info: _NameInfo, record: Record) -> None:
        """Record the costs of ``record`` and start on every target receivers would query."""
        info.cost, info.ignored_terms = _analyse(record)
        all_index = record.all_index
        lookups: list[tuple[A | MX | Exists | PTR, str, str]] = []
        for index, term in enumerate(record.terms):
            if not isinstance(term, Directive) or (all_index is not None and index > all_index):
                continue
            mech = term.mechanism
            spec = getattr(mech, "domain", None)
            text = _term_text(record, term)
            if isinstance(spec, MacroString) and spec.is_dynamic and self.macro_context is None:
                info.dynamic_terms.append(text)
            if isinstance(mech, Include):
                target = await self.target(mech.domain, info)
                info.edges.append(_Edge("include", text, term.result_qualifier, target))
            elif isinstance(mech, A | MX | Exists):
                target = await self.target(mech.domain, info)
                if target is not None:
                    lookups.append((mech, text, target))
            elif isinstance(mech, PTR):
                lookups.append((mech, text, ""))
        redirect = record.redirect
        if redirect is not None and all_index is None:
            text = _term_text(record, redirect)
            if redirect.domain.is_dynamic and self.macro_context is None:
                info.dynamic_terms.append(text)
            info.edges.append(_Edge("redirect", text, None,
                                    await self.target(redirect.domain, info)))
        for edge in info.edges:
            if edge.target is not None and is_valid_target(edge.target):
                self.ensure(edge.target)
        explanation = record.explanation
        exp_task = None
        if explanation is not None:
            exp_target = await self.target(explanation.domain, info)
            if exp_target is not None and is_valid_target(exp_target):
                exp_task = self._spawn(self.ask(exp_target, "TXT"))
        # Each term gathers into its own scratch record, merged in term order: the order of
        # answers must not change the output.
        scratch = [_NameInfo(info.name) for _ in lookups]
        try:
            await asyncio.gather(*(self.resolve(part, *item)
                                   for part, item in zip(scratch, lookups, strict=True)))
        finally:
            # Also when the deadline cancels the walk: what one term learnt (an answer from
            # the repository's zones) stands even while another term still waits on a server.
            for part in scratch:
                info.resolved.extend(part.resolved)
                info.voids.extend(part.voids)
                info.mx_names.extend(part.mx_names)
                info.failures.extend(part.failures)
                info.unknown.extend(part.unknown)
        if exp_task is not None:
            info.exp_answer = await exp_task
        if info.name == self.root and any(e.target in CONSUMER_MAIL_DOMAINS
                                          for e in info.edges):
            info.owner_mx = await self.ask(info.name, "MX")

    async def resolve(self, info: _NameInfo, mech: A | MX | Exists | PTR, term: str,
                      target: str) -> None:
        if isinstance(mech, PTR):
            info.voids.append(VoidLookup(term, "", "PTR", Outcome.NXDOMAIN, assumed=True))
            return
        if not is_valid_target(target):
            return  # an invalid name cannot be queried; receivers treat it as no match
        if isinstance(mech, MX):
            await self.resolve_mx(info, term, target)
            return
        qtypes = ("A", "AAAA") if isinstance(mech, A) else ("A",)
        answers = await asyncio.gather(*(self.ask(target, q) for q in qtypes))
        for qtype, answer in zip(qtypes, answers, strict=True):
            self.note(info, term, answer)
            if answer.outcome.is_void:
                family = "any" if isinstance(mech, Exists) else (
                    "ipv4" if qtype == "A" else "ipv6")
                info.voids.append(VoidLookup(term, target, qtype, answer.outcome, family))

    def note(self, info: _NameInfo, term: str, answer: Answer) -> None:
        info.resolved.append(TargetLookup(term, answer.name, answer.rdtype, answer.outcome,
                                          len(answer.records), answer.detail))
        if answer.outcome.is_failure:
            info.failures.append(DnsFailure(info.name, answer.name, answer.rdtype,
                                            answer.outcome, answer.detail, term))
        elif answer.outcome.is_unknown:
            info.unknown.append(UnknownAnswer(info.name, answer.name, answer.rdtype, term,
                                              _unknown_why(answer)))

    async def resolve_mx(self, info: _NameInfo, term: str, target: str) -> None:
        answer = await self.ask(target, "MX")
        self.note(info, term, answer)
        if answer.outcome.is_void:
            info.voids.append(VoidLookup(term, target, "MX", answer.outcome))
        found = mx_hosts(answer.records)
        preference = dict(zip(found.names, found.preferences, strict=True))
        # The addresses of the first names are asked as receivers would; past the limit a
        # receiver returns permerror anyway, and the rest are listed without addresses.
        asked = found.names[:MAX_MX_RECORDS]
        scratch = [_NameInfo(info.name) for _ in asked]
        hosts = await asyncio.gather(*(self.mx_host(part, term, host, preference[host])
                                       for part, host in zip(scratch, asked, strict=True)))
        for part in scratch:
            info.failures.extend(part.failures)
            info.unknown.extend(part.unknown)
        rest = [MxHost(host, preference[host]) for host in found.names[MAX_MX_RECORDS:]]
        info.mx_names.append(MxSet(term, target, answer.outcome, (*hosts, *rest),
                                   found.records))

    async def mx_host(self, info: _NameInfo, term: str, host: str, pref: int) -> MxHost:
        a, aaaa = await asyncio.gather(self.ask(host, "A"), self.ask(host, "AAAA"))
        counts: list[int | None] = []
        failed = unknown = False
        for answer in (a, aaaa):
            if answer.outcome.is_failure:
                failed = True
                counts.append(None)
                info.failures.append(DnsFailure(info.name, host, answer.rdtype, answer.outcome,
                                                answer.detail, term))
            elif answer.outcome.is_unknown:
                unknown = True
                counts.append(None)
                info.unknown.append(UnknownAnswer(info.name, host, answer.rdtype, term,
                                                  _unknown_why(answer)))
            else:
                counts.append(len(answer.records))
        return MxHost(host, pref, counts[0], counts[1], failed, unknown)

    # -- phase 2: build ---------------------------------------------------------------------

    def build(self, name: str, via: str, term: str | None, qualifier: str | None,
              path: tuple[str, ...], seen: dict[str, TreeNode]) -> TreeNode:
        node = TreeNode(name, via, term, qualifier, (*path, name))
        info = self.infos.get(name)
        if info is None:
            node.error = f"{name!r} is not a valid domain name; nothing can be queried"
            return node
        self.describe(node, info)
        if name in path:
            cycle = (*path[path.index(name):], name)
            node.loop = cycle
            key = frozenset(cycle)
            if key not in self._loop_keys:
                self._loop_keys.add(key)
                self.loops.append(cycle)
            return node
        first = seen.get(name)
        if first is not None:
            node.duplicate_of = first
            node.lookups = first.lookups
            node.subtree_lookups = first.subtree_lookups
            node.voids = first.voids
            node.subtree_void_ipv4 = first.subtree_void_ipv4
            node.subtree_void_ipv6 = first.subtree_void_ipv6
            return node
        seen[name] = node
        self.failures.extend(f for f in info.failures if f not in self.failures)
        self.unknown.extend(u for u in info.unknown if u not in self.unknown)
        node.lookups = info.cost
        node.voids = list(info.voids)
        node.resolved = list(info.resolved)
        node.mx_names = list(info.mx_names)
        node.dynamic_terms = list(info.dynamic_terms)
        node.ignored_terms = list(info.ignored_terms)
        subtree = info.cost
        for edge in info.edges:
            if edge.target is None:
                continue  # dynamic: the term is counted in ``cost``, its target is unknown
            child = self.build(edge.target, edge.kind, edge.term, edge.qualifier, node.path, seen)
            node.children.append(child)
            subtree += child.subtree_lookups
            target_txt = self.infos.get(edge.target)
            if target_txt is not None and target_txt.txt is not None \
                    and target_txt.txt.outcome.is_void:
                # A target without records: the include/redirect's TXT question was void.
                node.voids.append(VoidLookup(edge.term, edge.target, "TXT",
                                             target_txt.txt.outcome))
        node.subtree_lookups = subtree
        node.subtree_void_ipv4 = sum(1 for v in node.voids if v.family in ("any", "ipv4"))
        node.subtree_void_ipv6 = sum(1 for v in node.voids if v.family in ("any", "ipv6"))
        for child in node.children:
            node.subtree_void_ipv4 += child.subtree_void_ipv4
            node.subtree_void_ipv6 += child.subtree_void_ipv6
        return node

    def describe(self, node: TreeNode, info: _NameInfo) -> None:
        """Copy what was fetched for the name onto a node (any path)."""
        txt = info.txt
        if info.capped:
            node.outcome = Outcome.LIMIT
            node.error = f"not fetched: the walk stops at {self.max_names} names"
            return
        if txt is None:
            node.outcome = Outcome.LIMIT
            node.error = "not fetched: " + (self.cut or "the walk was interrupted")
            return
        node.outcome = txt.outcome
        node.answer_source = txt.source
        node.txt_size = txt.size
        node.spf_records = [text for text, _ in info.spf_records]
        node.near_misses = list(info.near_misses)
        if len(info.spf_records) == 1:
            node.record, node.strings = info.spf_records[0]
        node.parsed = info.parsed
        node.problems = list(info.problems)
        node.exp_answer = info.exp_answer
        node.owner_mx = info.owner_mx
        if txt.outcome.is_failure:
            node.error = f"TXT {info.name}: {txt.detail or txt.outcome.value}"
        if info.spf99 is not None:
            node.type99 = [record_text(s) for s in info.spf99.txt_records()]


def _log_length(resolver: Resolver) -> int | None:
    log = getattr(resolver, "log", None)
    return len(log) if isinstance(log, Sequence) else None


async def walk(
    domain: str,
    resolver: Resolver,
    *,
    max_names: int = DEFAULT_MAX_NAMES,
    deadline: float | None = None,
    macro_context: MacroInput | None = None,
    query_type99: bool = True,
    log_start: int | None = None,
) -> Tree:
    """Fetch ``domain``'s SPF record and walk every include and redirect target to the end.

    Names are fetched concurrently with one shared resolver, each name once; the tree is
    then built in term order. The walk goes on past the lookup limits so the whole cost can
    be shown. ``max_names`` caps the distinct names fetched; ``deadline`` is a
    :func:`time.monotonic` time. When either cuts the walk the partial tree is returned with
    ``complete`` False. ``macro_context`` (ip, sender, helo) expands macro targets;
    without it they are counted, not followed. ``query_type99`` also asks for type SPF (99)
    records at the domain and the names below it, only to report them. ``log_start`` is the
    length of the resolver's query log when questions of this walk were sent ahead of it
    (``check`` sends the domain's first ones early); the walk's queries are counted from it.

    :raises InputError: ``domain`` is not a valid domain name, or the macro IP is invalid.
    """
    root = normalize(domain)
    if macro_context is not None:
        try:
            normalize_ip(macro_context[0])
        except ValueError:
            raise InputError(f"invalid IP address {macro_context[0]!r}") from None
    started = time.monotonic()
    before = _log_length(resolver) if log_start is None else log_start
    walker = _Walker(resolver, max(1, max_names), deadline, macro_context, query_type99)
    await walker.run(root)
    root_node = walker.build(root, "root", None, None, (), {})
    after = _log_length(resolver)
    failures = walker.failures
    limited = any(f.outcome is Outcome.LIMIT for f in failures)
    cut = walker.cut
    if cut is None and walker.capped:
        cut = f"more than {walker.max_names} names to fetch"
    if cut is None and limited:
        cut = "a DNS limit of the resolver was reached"
    return Tree(
        domain=root,
        root=root_node,
        total_lookups=root_node.subtree_lookups,
        void_ipv4=root_node.subtree_void_ipv4,
        void_ipv6=root_node.subtree_void_ipv6,
        queries=walker.questions if before is None or after is None else after - before,
        questions=walker.questions,
        names=walker.fetched,
        complete=cut is None,
        cut_reason=cut,
        failures=failures,
        unknown=walker.unknown,
        loops=walker.loops,
        elapsed=time.monotonic() - started,
    )
