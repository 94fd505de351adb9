"""RFC 7208 ``check_host()``: the exact SPF verdict for one IP, sender and HELO."""

from __future__ import annotations

import asyncio
import ipaddress
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .ast import (
    IP4,
    IP6,
    MX,
    PTR,
    A,
    All,
    Directive,
    Exists,
    Explanation,
    Include,
    MacroString,
    Record,
)
from .dns.base import Answer, Outcome, Resolver
from .dns.names import canonical
from .errors import InputError, SpfSyntaxError
from .macros import (
    IPAddress,
    MacroContext,
    expand,
    expand_domain,
    is_valid_target,
    normalize_ip,
    parse_explain_string,
    split_sender,
)
from .parser import is_spf_record, parse_record
from .semantics import (
    MAX_LOOKUPS,
    MAX_MX_RECORDS,
    MAX_PTR_NAMES,
    MAX_VOID_LOOKUPS,
    QUALIFIER_RESULTS,
    RESULTS,
    evaluated,
    has_duplicate_modifier,
    include_result,
    mx_hosts,
    query_cap,
    redirect_result,
)
from .txt import record_text


@dataclass(frozen=True)
class Matched:
    """The directive that decided the result, and the record (of ``domain``) holding it."""

    term: str
    domain: str
    record: str
    column: int

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "domain": self.domain, "record": self.record,
                "column": self.column}


@dataclass(frozen=True)
class SpfResult:
    """The verdict of ``check_host()`` with how it was reached.

    ``path`` lists the ``include``/``redirect`` terms taken, as ``(domain, term)`` pairs from
    the checked domain down to the record of ``matched``. ``problem`` says why the result is
    ``permerror``, ``temperror`` or ``none``.

    ``unknown`` names the question that stopped the evaluation when nothing could answer it
    (offline, no data for the name): the result is then ``temperror`` and says nothing about
    what receivers get; callers report it as "not checked", never as a verdict.
    """

    result: str
    domain: str
    ip: str
    sender: str
    helo: str | None = None
    matched: Matched | None = None
    path: tuple[tuple[str, str], ...] = ()
    explanation: str | None = None
    lookups: int = 0
    void_lookups: int = 0
    queries: int = 0
    problem: str | None = None
    unknown: str | None = None

    @property
    def conclusive(self) -> bool:
        """Whether the result is what a receiver would get (not stopped by unknown data)."""
        return self.unknown is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "result": self.result,
            "domain": self.domain,
            "ip": self.ip,
            "sender": self.sender,
            "helo": self.helo,
            "explanation": self.explanation,
            "lookups": self.lookups,
            "void_lookups": self.void_lookups,
            "queries": self.queries,
            "matched": None if self.matched is None else self.matched.to_dict(),
            "path": [{"domain": d, "term": t} for d, t in self.path],
            "problem": self.problem,
            "unknown": self.unknown,
        }


_ATEXT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
                   "!#$%&'*+/=?^_`{|}~-.")


def header_value(text: str) -> str:
    """A Received-SPF key value: a dot-atom as is, anything else as a quoted-string."""
    if text and all(c in _ATEXT for c in text) and not text.startswith(".") \
            and not text.endswith(".") and ".." not in text:
        return text
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def received_spf(result: SpfResult, *, receiver: str = "unknown", identity: str = "mailfrom",
                 envelope_from: str | None = None) -> str:
    """The ``Received-SPF:`` header field for ``result`` (RFC 7208 §9.1), on one line."""
    who = f"domain of {result.sender}" if identity == "mailfrom" else f"{result.domain}"
    comments = {
        "pass": f"{who} designates {result.ip} as permitted sender",
        "fail": f"{who} does not designate {result.ip} as permitted sender",
        "softfail": f"{who} discourages use of {result.ip} as sender",
        "neutral": f"{result.ip} is neither permitted nor denied by {who}",
        "none": f"{who} does not publish an SPF record",
        "permerror": f"permanent error in processing {who}",
        "temperror": f"temporary error in processing {who}",
    }
    comment = comments[result.result].replace("(", "[").replace(")", "]")
    pairs = [("client-ip", result.ip)]
    pairs.append(("envelope-from", result.sender if envelope_from is None else envelope_from))
    if result.helo:
        pairs.append(("helo", result.helo))
    pairs.append(("receiver", receiver))
    pairs.append(("identity", identity))
    if result.matched is not None:
        pairs.append(("mechanism", result.matched.term))
    if result.problem and result.result in ("permerror", "temperror"):
        pairs.append(("problem", result.problem))
    fields = "; ".join(f"{key}={header_value(value)}" for key, value in pairs)
    return f"Received-SPF: {result.result} ({receiver}: {comment}) {fields};"


# --- identities and input checks ---------------------------------------------------------


def is_valid_domain(domain: str) -> bool:
    """Whether ``domain`` can be checked (§4.3): a multi-label name, labels 1-63, at most 253.

    One trailing dot is allowed; address literals (``[192.0.2.1]``) are not domains.
    """
    name = domain[:-1] if domain.endswith(".") else domain
    if not is_valid_target(name) or "." not in name:
        return False
    if name.startswith("[") or any(c.isspace() for c in name):
        return False
    return not name.rsplit(".", 1)[1].isdigit()


def identity(sender: str, helo: str | None) -> tuple[str, str]:
    """``(domain, sender)`` to check: the MAIL FROM domain, or HELO for an empty sender (§2.4).

    An empty sender becomes ``postmaster@<helo>``; a sender without ``@`` is a bare domain.
    """
    if not sender:
        name = helo or ""
        return name, f"postmaster@{name}"
    _, domain = split_sender(sender)
    return domain, sender


def parse_ip(text: str) -> IPAddress:
    """The IP address to check, IPv4-mapped IPv6 taken as IPv4.

    :raises InputError: the text is not an IPv4 or IPv6 address.
    """
    try:
        return normalize_ip(text)
    except ValueError:
        raise InputError(f"invalid IP address {text!r}") from None


# --- evaluation ----------------------------------------------------------------------------


class _Abort(Exception):
    """Ends the whole evaluation with ``permerror`` or ``temperror``.

    ``unknown`` is set when the evaluation stopped at a question nothing could answer.
    """

    def __init__(self, result: str, problem: str, unknown: str | None = None) -> None:
        super().__init__(problem)
        self.result = result
        self.problem = problem
        self.unknown = unknown


@dataclass
class _Eval:
    """What one record evaluated to, before the explanation is fetched."""

    result: str
    matched: Matched | None = None
    path: tuple[tuple[str, str], ...] = ()
    exp: tuple[Explanation, MacroContext] | None = None
    problem: str | None = None
    unknown: str | None = None


@dataclass
class _Evaluation:
    """State shared by every record of one ``check_host()`` call."""

    ip: IPAddress
    sender: str
    helo: str | None
    receiver: str
    timestamp: int
    resolver: Resolver
    max_lookups: int
    max_void: int
    max_queries: int
    lookups: int = 0
    void: int = 0
    queries: int = 0
    _validated: list[str] | None = field(default=None, repr=False)

    # -- DNS ------------------------------------------------------------------------------

    async def query(self, name: str, rdtype: str) -> Answer:
        if self.queries >= self.max_queries:
            raise _Abort(
                "temperror", f"the cap of {self.max_queries} DNS queries for one check is reached"
            )
        self.queries += 1
        try:
            answer = await self.resolver.query(name, rdtype)
        except Exception as exc:  # a resolver bug must not crash the verdict
            return Answer(name, rdtype, Outcome.ERROR, detail=f"resolver error: {exc}")
        if answer.outcome is Outcome.LIMIT:
            raise _Abort("temperror", f"{rdtype} {name}: {answer.detail or 'DNS limit reached'}")
        if answer.outcome is Outcome.UNKNOWN:
            # Nothing may be concluded from a name nobody speaks for: not void, not a match.
            raise _Abort("temperror", f"{rdtype} {answer.name}: {answer.detail or 'unknown'}",
                         unknown=f"{rdtype} {answer.name}")
        return answer

    @staticmethod
    def failure(answer: Answer, where: str) -> _Abort:
        detail = answer.detail or answer.outcome.value
        return _Abort("temperror", f"{where}: {answer.rdtype} {answer.name}: {detail}")

    def count_lookup(self, where: str) -> None:
        self.lookups += 1
        if self.lookups > self.max_lookups:
            raise _Abort(
                "permerror",
                f"{where}: more than {self.max_lookups} DNS-querying terms (RFC 7208 §4.6.4)",
            )

    def note_void(self, answer: Answer, where: str) -> None:
        if not answer.outcome.is_void:
            return
        self.void += 1
        if self.void > self.max_void:
            raise _Abort(
                "permerror",
                f"{where}: more than {self.max_void} void lookups (RFC 7208 §4.6.4)",
            )

    async def addresses(self, name: str) -> list[IPAddress] | None:
        """Addresses of ``name`` of the checked IP's family; None when a lookup failed."""
        answer = await self.query(name, "A" if self.ip.version == 4 else "AAAA")
        if answer.outcome.is_failure:
            return None
        return [ipaddress.ip_address(str(v)) for v in answer.records if isinstance(v, str)]

    # -- records --------------------------------------------------------------------------

    async def fetch_record(self, domain: str, where: str | None) -> str | None:
        """The one SPF record of ``domain`` (§4.4, §4.5), or None when there is none."""
        answer = await self.query(domain, "TXT")
        if answer.outcome.is_failure:
            raise self.failure(answer, where or domain)
        if answer.outcome.is_void:
            if where is not None:
                self.note_void(answer, where)
            return None
        # latin-1 keeps every octet; non-ASCII then fails the grammar (§3.1: 7-bit ASCII).
        texts = [record_text(strings) for strings in answer.txt_records()]
        records = [t for t in texts if is_spf_record(t)]
        if len(records) > 1:
            raise _Abort("permerror", f"{domain} publishes {len(records)} SPF records (§4.5)")
        return records[0] if records else None

    async def check(self, domain: str, where: str | None = None) -> _Eval:
        """``check_host()`` for ``domain``; ``where`` names the include/redirect asking."""
        if not is_valid_domain(domain):
            return _Eval("none", problem=f"{domain!r} is not a valid domain name (§4.3)")
        domain = domain[:-1] if domain.endswith(".") else domain
        text = await self.fetch_record(domain, where)
        if text is None:
            return _Eval("none", problem=f"{domain} has no SPF record")
        try:
            record = parse_record(text)
        except SpfSyntaxError as exc:
            raise _Abort("permerror", f"{domain}: invalid SPF record: {exc}") from None
        except ValueError:
            # Only a text the grammar rejected reaches the diagnosis that could raise this.
            raise _Abort("permerror", f"{domain}: invalid SPF record {text!r}") from None
        twice = has_duplicate_modifier(record)
        if twice is not None:
            raise _Abort("permerror", f"{domain}: '{twice}=' appears more than once (§6)")
        ctx = MacroContext(self.ip, self.sender, domain, self.helo, self.receiver, self.timestamp)
        return await self.run(record, ctx)

    async def run(self, record: Record, ctx: MacroContext) -> _Eval:
        domain = ctx.domain
        terms = evaluated(record)
        for directive in terms.directives:
            hit = await self.mechanism(directive, record, ctx)
            if hit is None:
                continue
            result = QUALIFIER_RESULTS[directive.result_qualifier]
            exp = (record.explanation, ctx) if result == "fail" and record.explanation else None
            return _Eval(result, hit.matched, hit.path, exp)
        redirect = terms.redirect
        if redirect is not None:
            where = f"{domain}: {redirect.render()}"
            self.count_lookup(where)
            target = await self.target(redirect.domain, ctx)
            inner = await self.check(target or "", where)
            if redirect_result(inner.result) != inner.result:
                raise _Abort("permerror", f"{where}: {inner.problem} (§6.1)")
            inner.path = ((domain, redirect.render()), *inner.path)
            return inner
        return _Eval("neutral")

    async def target(self, spec: MacroString | None, ctx: MacroContext) -> str | None:
        """The target name of a term, or None when the expansion is not a queryable name."""
        if spec is None:
            return ctx.domain
        name = await expand_domain(spec, ctx, validated_name=self.validated_name)
        return name if is_valid_target(name) else None

    # -- mechanisms -----------------------------------------------------------------------

    async def mechanism(self, directive: Directive, record: Record, ctx: MacroContext
                        ) -> _Eval | None:
        """An ``_Eval`` carrying what matched, or None when the mechanism does not match."""
        mech = directive.mechanism
        domain = ctx.domain
        if isinstance(mech, IP4 | IP6):
            # The hot path of a batch: most terms are ranges that do not match.
            network = mech.network
            if self.ip.version != network.version or self.ip not in network:
                return None
        here = _Eval(
            "match",
            Matched(directive.render(), domain, record.text, directive.span.column),
        )
        if isinstance(mech, All | IP4 | IP6):
            return here
        where = f"{domain}: {directive.render()}"
        self.count_lookup(where)
        if isinstance(mech, Include):
            return await self.include(mech, ctx, where)
        target = await self.target(mech.domain, ctx)
        if target is None:
            return None  # an invalid name does not exist, so nothing can match
        if isinstance(mech, A):
            found = await self.match_a(target, mech.cidr4, mech.cidr6, where)
        elif isinstance(mech, MX):
            found = await self.match_mx(target, mech.cidr4, mech.cidr6, where)
        elif isinstance(mech, PTR):
            found = await self.match_ptr(target, where)
        elif isinstance(mech, Exists):
            found = await self.match_exists(target, where)
        else:  # pragma: no cover - the AST has no other mechanism
            raise AssertionError(mech)
        return here if found else None

    def in_cidr(self, addresses: Sequence[IPAddress], cidr4: int | None,
                cidr6: int | None) -> bool:
        prefix = (32 if cidr4 is None else cidr4) if self.ip.version == 4 else (
            128 if cidr6 is None else cidr6)
        for address in addresses:
            if address.version != self.ip.version:
                continue
            network = ipaddress.ip_network(f"{address}/{prefix}", strict=False)
            if self.ip in network:
                return True
        return False

    async def match_a(self, target: str, cidr4: int | None, cidr6: int | None,
                      where: str) -> bool:
        answer = await self.query(target, "A" if self.ip.version == 4 else "AAAA")
        if answer.outcome.is_failure:
            raise self.failure(answer, where)
        self.note_void(answer, where)
        found = [ipaddress.ip_address(str(v)) for v in answer.records if isinstance(v, str)]
        return self.in_cidr(found, cidr4, cidr6)

    async def match_mx(self, target: str, cidr4: int | None, cidr6: int | None,
                       where: str) -> bool:
        answer = await self.query(target, "MX")
        if answer.outcome.is_failure:
            raise self.failure(answer, where)
        self.note_void(answer, where)
        hosts = mx_hosts(answer.records)
        if hosts.too_many:
            raise _Abort(
                "permerror",
                f"{where}: {target} has {hosts.records} MX records, more than {MAX_MX_RECORDS}"
                " (§4.6.4)",
            )
        for name in hosts.names:
            found = await self.addresses(name)
            if found is None:
                answer_type = "A" if self.ip.version == 4 else "AAAA"
                raise _Abort("temperror", f"{where}: {answer_type} {name}: DNS failure")
            if self.in_cidr(found, cidr4, cidr6):
                return True
        return False

    async def match_exists(self, target: str, where: str) -> bool:
        answer = await self.query(target, "A")  # always A, whatever the IP's family (§5.7)
        if answer.outcome.is_failure:
            raise self.failure(answer, where)
        self.note_void(answer, where)
        return answer.outcome is Outcome.OK and bool(answer.records)

    async def ptr_names(self, where: str | None) -> list[str]:
        """At most 10 names the PTR lookup of the IP gives; [] on any DNS error (§5.5)."""
        reverse = ipaddress.ip_address(self.ip).reverse_pointer
        answer = await self.query(reverse, "PTR")
        if answer.outcome.is_failure:
            return []
        if where is not None:
            self.note_void(answer, where)
        names = [canonical(str(v)) for v in answer.records if isinstance(v, str)]
        return names[:MAX_PTR_NAMES]

    async def validates(self, name: str) -> bool:
        found = await self.addresses(name)
        return found is not None and self.ip in found

    async def match_ptr(self, target: str, where: str) -> bool:
        target = target.lower()
        for name in await self.ptr_names(where):
            # Only names inside the target can match, so only those are validated (§5.5).
            if (name == target or name.endswith("." + target)) and await self.validates(name):
                return True
        return False

    async def include(self, mech: Include, ctx: MacroContext, where: str) -> _Eval | None:
        target = await self.target(mech.domain, ctx)
        inner = await self.check(target or "", where)
        outcome = include_result(inner.result)
        if outcome == "permerror" and inner.result == "none":
            raise _Abort("permerror", f"{where}: {inner.problem} (§5.2)")
        if outcome != "match":
            return None
        term = "include:" + mech.domain.render()
        return _Eval("match", inner.matched, ((ctx.domain, term), *inner.path))

    # -- macros ---------------------------------------------------------------------------

    async def validated_name(self, domain: str) -> str:
        """%{p} (§7.3): a validated name of the IP, preferring ``domain`` and its subdomains."""
        if self._validated is None:
            valid: list[str] = []
            for name in await self.ptr_names(None):
                if await self.validates(name):
                    valid.append(name)
            self._validated = valid
        domain = domain.lower()
        for name in self._validated:
            if name == domain:
                return name
        for name in self._validated:
            if name.endswith("." + domain):
                return name
        return self._validated[0] if self._validated else "unknown"

    async def explanation(self, source: tuple[Explanation, MacroContext] | None) -> str | None:
        """The expanded ``exp=`` text; any problem means no explanation (§6.2)."""
        if source is None:
            return None
        modifier, ctx = source
        try:
            target = await self.target(modifier.domain, ctx)
            if target is None:
                return None
            answer = await self.query(target, "TXT")
            records = answer.txt_records() if answer.outcome is Outcome.OK else []
            if len(records) != 1:
                return None
            text = b"".join(records[0]).decode("ascii")
            return await expand(parse_explain_string(text), ctx,
                                validated_name=self.validated_name)
        except (_Abort, UnicodeDecodeError, SpfSyntaxError):
            return None


async def check_host(
    ip: str | IPAddress,
    domain: str,
    sender: str,
    *,
    resolver: Resolver,
    helo: str | None = None,
    receiver: str = "unknown",
    max_lookups: int = MAX_LOOKUPS,
    max_void: int = MAX_VOID_LOOKUPS,
    max_queries: int | None = None,
    timeout: float | None = None,
    timestamp: int | None = None,
) -> SpfResult:
    """Evaluate SPF for ``ip`` and ``domain`` exactly as RFC 7208 §4-§6 describe.

    ``sender`` is the MAIL FROM address (an empty one means ``postmaster@<helo>``, a missing
    local-part means ``postmaster``). At most ``max_queries`` DNS questions are asked
    (default :func:`query_cap`); reaching it, a resolver LIMIT answer, or ``timeout`` seconds
    passing give ``temperror``. DNS outcomes never raise.

    :raises ValueError: ``ip`` is not an IP address.
    """
    address = normalize_ip(ip)
    if not sender:
        sender = f"postmaster@{helo or domain}"
    state = _Evaluation(
        ip=address,
        sender=sender,
        helo=helo,
        receiver=receiver,
        timestamp=int(time.time()) if timestamp is None else timestamp,
        resolver=resolver,
        max_lookups=max_lookups,
        max_void=max_void,
        max_queries=query_cap(max_lookups) if max_queries is None else max_queries,
    )

    async def run() -> _Eval:
        try:
            return await state.check(domain)
        except _Abort as abort:
            return _Eval(abort.result, problem=abort.problem, unknown=abort.unknown)

    started = time.monotonic()
    explanation = None
    try:
        outcome = await asyncio.wait_for(run(), timeout)
    except asyncio.TimeoutError:
        outcome = _Eval("temperror", problem=f"the check did not finish within {timeout:.3g} s")
    if outcome.result == "fail" and outcome.exp is not None:
        left = None if timeout is None else timeout - (time.monotonic() - started)
        # The verdict is made: an explanation that cannot be fetched in the time left is
        # as if there were no exp= (§6.2), not a temperror.
        if left is None or left > 0:
            try:
                explanation = await asyncio.wait_for(state.explanation(outcome.exp), left)
            except asyncio.TimeoutError:
                explanation = None
    problem = None if outcome.result in ("pass", "fail", "softfail", "neutral") else \
        outcome.problem
    return SpfResult(
        result=outcome.result,
        domain=domain,
        ip=str(address),
        sender=sender,
        helo=helo,
        matched=outcome.matched,
        path=outcome.path,
        explanation=explanation,
        lookups=state.lookups,
        void_lookups=state.void,
        queries=state.queries,
        problem=problem,
        unknown=outcome.unknown,
    )


def evaluate(
    ip: str | IPAddress,
    domain: str,
    sender: str,
    *,
    resolver: Resolver,
    helo: str | None = None,
    **options: Any,
) -> SpfResult:
    """Synchronous :func:`check_host` (runs its own event loop; not for use inside one).

    :raises ValueError: ``ip`` is not an IP address.
    """
    return asyncio.run(
        check_host(ip, domain, sender, resolver=resolver, helo=helo, **options)
    )


def check_mail(
    ip: str | IPAddress,
    sender: str,
    helo: str | None,
    *,
    resolver: Resolver,
    **options: Any,
) -> SpfResult:
    """Synchronous check of the MAIL FROM identity, or of HELO when the sender is empty."""
    domain, full_sender = identity(sender, helo)
    return evaluate(ip, domain, full_sender, resolver=resolver, helo=helo, **options)


__all__ = [
    "MAX_LOOKUPS",
    "MAX_MX_RECORDS",
    "MAX_PTR_NAMES",
    "MAX_VOID_LOOKUPS",
    "RESULTS",
    "Matched",
    "SpfResult",
    "check_host",
    "check_mail",
    "evaluate",
    "identity",
    "is_valid_domain",
    "parse_ip",
    "query_cap",
    "received_spf",
]
