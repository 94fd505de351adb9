"""Whole-domain check: walk the SPF tree, run every rule on it, report coverage."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import time
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .ast import Directive, Span
from .config import Config
from .dns.base import Outcome, Resolver
from .errors import InputError
from .findings import Finding
from .lint import lint_record, make_finding
from .report.base import Note
from .rules import registry
from .rules.base import TreeContext, TreeHit
from .rules.non_routable_range import category as special_space
from .tree import Tree, TreeNode

if TYPE_CHECKING:
    from .fix.drift import Drift
    from .m365 import RelayPlan
    from .tree import UnknownAnswer


def owned_nodes(tree: Tree) -> Iterator[TreeNode]:
    """Nodes whose records the domain's owner controls: the root and names below it.

    Static rules run on these only; a provider's record (``include:sendgrid.net``) is not
    the user's to fix, so its style findings would be noise.
    """
    root = tree.root.name
    for node in tree.nodes():
        if node.name == root or node.name.endswith("." + root):
            yield node


def lint_tree(tree: Tree, config: Config, *, skip: Container[str] = (),
              cache: dict[tuple[str, str], list[Finding]] | None = None) -> list[Finding]:
    """Findings for a walked tree: static rules on owned records, DNS rules on the tree.

    ``skip`` names records linted elsewhere (zone files lint their own, with positions);
    ``cache`` shares static findings between the trees of one run, by name and text.
    """
    findings: list[Finding] = []
    for node in owned_nodes(tree):
        if node.record is None or node.duplicate_of is not None or node.loop \
                or node.name in skip:
            continue  # a record reached again (another path, or a loop) is linted once
        key = (node.name, node.record)
        found = None if cache is None else cache.get(key)
        if found is None:
            result = lint_record(node.record, config, strings=node.strings or None,
                                 domain=node.name)
            found = [f.located(domain=node.name) for f in result.findings]
            if cache is not None:
                cache[key] = found
        findings.extend(found)
    for rule in registry().in_scopes("dns"):
        if rule.scope != "dns" or rule.check is None or not config.enabled(rule):
            continue
        ctx = TreeContext(options=config.options_for(rule))
        for hit in rule.check(tree, ctx):
            findings.append(tree_finding(rule.code, hit, config))
    return findings


def tree_finding(code: str, hit: TreeHit, config: Config) -> Finding:
    """The finding for one DNS-rule hit: domain from the node, column from the span."""
    rule = registry().get(code)
    node = hit.node
    text = (node.record or "") if node is not None else ""
    span: Span | None = hit.span if text else None
    finding = make_finding(rule, config, text, span, hit.message, hit.severity, hint=hit.hint,
                           fix=hit.fix, extra=hit.extra)
    return finding.located(domain=None if node is None else node.name,
                           term=hit.term or finding.term)


# --- coverage, requirements and the Microsoft 365 relay profile -------------------------------

_HOST_LABEL = re.compile(r"[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?")
M365_INCLUDES = ("spf.protection.outlook.com", "spf.protection.office365.us")


@dataclass
class Coverage:
    """Whether one address passes, by which term, and what would make it pass."""

    ip: str
    result: str
    matched: str | None = None
    matched_in: str | None = None
    path: list[dict[str, str]] = field(default_factory=list)
    lookups: int = 0
    void_lookups: int = 0
    problem: str | None = None
    suggestion: str | None = None
    unknown: str | None = None  # the question nothing answered (offline): not checked

    @property
    def met(self) -> bool:
        return self.result == "pass"

    @property
    def checked(self) -> bool:
        """Whether the result is a verdict (not stopped by data nothing had offline)."""
        return self.unknown is None

    def to_dict(self) -> dict[str, Any]:
        return {"ip": self.ip, "result": self.result, "matched": self.matched,
                "matched_in": self.matched_in, "path": self.path, "lookups": self.lookups,
                "void_lookups": self.void_lookups, "problem": self.problem,
                "suggestion": self.suggestion, "met": self.met, "checked": self.checked,
                "unknown": self.unknown}


@dataclass
class Requirement:
    """One requirement (``--require`` or from a profile) and whether the policy meets it."""

    term: str
    met: bool
    reason: str
    where: str | None = None
    source: str = "require"  # "require" or the profile's name
    checked: bool = True  # False: it rests on data nothing had offline

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "met": self.met, "reason": self.reason,
                "where": self.where, "source": self.source, "checked": self.checked}


@dataclass
class CheckResult:
    """Everything ``spflint check`` found for one domain."""

    domain: str
    unicode_domain: str
    tree: Tree
    findings: list[Finding]
    coverage: list[Coverage] = field(default_factory=list)
    requirements: list[Requirement] = field(default_factory=list)
    profile: dict[str, Any] | None = None
    relay: RelayPlan | None = None  # with --profile m365-relay and an MX at Exchange Online
    drift: list[Drift] = field(default_factory=list)  # with a snapshot of flattened includes

    @property
    def requirements_met(self) -> bool:
        """No requirement checked and unmet (one resting on unknown data is not checked)."""
        return all(c.met or not c.checked for c in self.coverage) and \
            all(r.met or not r.checked for r in self.requirements)

    def unchecked(self) -> list[str]:
        """Requirements that rest on data nothing had offline, one phrase each."""
        out = [f"{c.ip} must pass ({c.unknown} is not known)" for c in self.coverage
               if not c.checked]
        out.extend(f"{r.term}: {r.reason}" for r in self.requirements if not r.checked)
        return out

    def notes(self, resolver: Resolver, hint: str) -> list[Note]:
        """The run-level notes: a live DNS outage, and what was not checked offline."""
        out = [note for note in (outage_note(resolver),
                                 unknown_note(self.tree.unknown, self.unchecked(), hint=hint))
               if note is not None]
        return out

    @property
    def dns_failed(self) -> bool:
        """A DNS failure kept spflint (and receivers) from a verdict."""
        # A walk cut short (deadline, or a cap on a hostile zone) gives no verdict either.
        return (bool(self.tree.failures) or not self.tree.complete
                or any(c.result == "temperror" and c.checked for c in self.coverage))


def _term_key(text: str) -> str:
    text = text.strip().lower()
    return text[1:] if text.startswith("+") else text


def live_terms(tree: Tree) -> Iterator[tuple[TreeNode, str]]:
    """Every term a receiver may evaluate, with the node it is in (no dead terms, no loops)."""
    for node in tree.nodes():
        if node.parsed is None or node.duplicate_of is not None or node.loop:
            continue
        ignored = {t.term for t in node.ignored_terms}
        limit = node.parsed.all_index
        for index, term in enumerate(node.parsed.terms):
            if limit is not None and index > limit and isinstance(term, Directive):
                continue
            text = node.parsed.text[term.span.start:term.span.end]
            if text in ignored:
                continue
            yield node, text


def check_requirement(tree: Tree, term: str, source: str = "require") -> Requirement:
    """Whether ``term`` is part of the effective policy anywhere in the tree.

    Not found while records of the tree are unknown (offline, no data): not checked, since
    the term may be in one of them.
    """
    wanted = _term_key(term)
    for node, text in live_terms(tree):
        if _term_key(text) == wanted:
            return Requirement(term, True, f"found in the record of {node.name}", node.name,
                               source)
    unknown = sorted({u.name for u in tree.unknown if u.qtype == "TXT"})
    if unknown:
        return Requirement(term, False, "not in the records known offline; the records of "
                           f"{', '.join(unknown)} are not known", None, source, checked=False)
    return Requirement(term, False, "not in the policy: add it to the record of "
                       f"{tree.root.name}", None, source)


def _all_term(tree: Tree) -> tuple[TreeNode, str] | None:
    """The ``all`` that ends the effective policy: the root's, or its redirect target's."""
    node: TreeNode | None = tree.root
    seen = 0
    while node is not None and node.parsed is not None and seen < 12:
        index = node.parsed.all_index
        if index is not None:
            term = node.parsed.terms[index]
            return node, node.parsed.text[term.span.start:term.span.end]
        node = next((c for c in node.children if c.via == "redirect"), None)
        seen += 1
    return None


def _suggestion(tree: Tree, ip: str, result: str, problem: str | None) -> str:
    mech = "ip6" if ":" in ip else "ip4"
    ending = _all_term(tree)
    where = f"the record of {tree.root.name}"
    before = f" before '{ending[1]}'" if ending is not None and ending[0] is tree.root else ""
    add = f"add '{mech}:{ip}' to {where}{before}"
    if result == "permerror":
        return (f"the policy is a permanent error ({problem or 'see the findings'}): no "
                f"address passes until that is fixed; then {add}")
    if result == "temperror":
        return "a DNS failure kept the check from a verdict; check again later"
    if result == "none":
        return f"publish an SPF record at {tree.root.name}, e.g. 'v=spf1 {mech}:{ip} -all'"
    return add


async def coverage_for(tree: Tree, ip: str, resolver: Resolver,
                       timeout: float | None = None) -> Coverage:
    """Evaluate ``ip`` against the domain with the real evaluator."""
    from .evaluate import check_host

    domain = tree.root.name
    res = await check_host(ip, domain, f"postmaster@{domain}", resolver=resolver, helo=domain,
                           timeout=timeout)
    cov = Coverage(ip=str(ip), result=res.result, lookups=res.lookups,
                   void_lookups=res.void_lookups, problem=res.problem,
                   path=[{"domain": d, "term": t} for d, t in res.path], unknown=res.unknown)
    if res.matched is not None:
        cov.matched = res.matched.term
        cov.matched_in = res.matched.domain
    if res.result != "pass" and cov.checked:
        cov.suggestion = _suggestion(tree, str(ip), res.result, res.problem)
    return cov


M365_PROFILE = "m365-relay"


def m365_include_requirement(tree: Tree) -> Requirement:
    """Whether the policy includes Microsoft 365's SPF record anywhere in its tree."""
    found = [check_requirement(tree, f"include:{inc}", M365_PROFILE) for inc in M365_INCLUDES]
    hit = next((r for r in found if r.met), None)
    if hit is not None:
        return hit
    unchecked = next((r for r in found if not r.checked), None)
    return Requirement(
        "include:spf.protection.outlook.com", False,
        "Exchange Online relays from Microsoft's addresses: add "
        "'include:spf.protection.outlook.com' (GCC High: spf.protection.office365.us)"
        + ("" if unchecked is None else f"; {unchecked.reason}"),
        None, M365_PROFILE, checked=unchecked is None)


def m365_address_requirements(ips: Sequence[str]) -> list[Requirement]:
    """What the relay needs of the device's addresses: at least one, each public IPv4."""
    name = M365_PROFILE
    if not ips:
        return [Requirement("--ip", False, "give the relay device's static public IPv4 "
                            "address with --ip so spflint can prove it passes", None, name)]
    reqs = []
    for ip in ips:
        address = ipaddress.ip_address(ip)
        if address.version == 6:
            reqs.append(Requirement(f"ip {ip}", False, "the inbound connector accepts IPv4 "
                                    "addresses only (a /24 to /32); relay from a static public "
                                    "IPv4 address", None, name))
            continue
        # The same table of special-purpose space as the non-routable-range rule.
        value = int(address)
        where = special_space((4, value, value))
        if where is not None:
            reqs.append(Requirement(f"ip {ip}", False, f"{ip} is {where}, not a public "
                                    "address: Exchange Online sees the address the device's "
                                    "mail leaves the network with (after NAT)", None, name))
    return reqs


async def m365_requirements(tree: Tree, ips: Sequence[str], resolver: Resolver
                            ) -> tuple[list[Requirement], list[tuple[int, str]]]:
    """The Microsoft 365 SMTP relay requirements on a policy, and the domain's MX records as
    read for them (empty when they could not be read), for the relay plan to reuse.

    ``check`` runs this on the published policy and ``fix`` on the policy it would publish,
    so the two report the same unmet requirements.
    """
    from .errors import DNSFailure, UnknownAnswerError
    from .m365 import RelayError, read_mx, smart_host_from_mx

    name = M365_PROFILE
    reqs = [m365_include_requirement(tree), *m365_address_requirements(ips)]
    ending = _all_term(tree)
    qualifier = ending[1][0] if ending is not None and ending[1][0] in "+-~?" else "+"
    reqs.append(Requirement(
        "~all or -all", ending is not None and qualifier in "-~",
        "the policy ends in " + (f"'{ending[1]}'" if ending else "no 'all' (neutral)") +
        ("" if ending is not None and qualifier in "-~" else
         ": end it with '~all' or '-all' so unauthorised senders do not pass"),
        None if ending is None else ending[0].name, name))
    domain = tree.root.name
    mx_known = True
    try:
        mx = await read_mx(domain, resolver)
        mx_problem = None
    except UnknownAnswerError as exc:
        mx, mx_problem, mx_known = [], str(exc), False
    except (RelayError, DNSFailure) as exc:
        mx, mx_problem = [], str(exc)
    smart = smart_host_from_mx(mx)
    reqs.append(Requirement(
        "MX at Exchange Online", smart is not None,
        (f"MX points at {smart.host}" if smart is not None else mx_problem or
         f"the MX ({', '.join(h for _, h in mx)}) does not point at "
         "*.mail.protection.outlook.com or *.mx.microsoft: relay needs the domain's mail "
         "to be hosted in Exchange Online"), domain, name, checked=mx_known))
    return reqs, mx


async def m365_profile(
    tree: Tree, ips: Sequence[str], resolver: Resolver, config: Config | None = None
) -> tuple[list[Requirement], dict[str, Any], RelayPlan | None]:
    """The Microsoft 365 SMTP relay requirements, and the relay plan (device settings,
    connector PowerShell, the SPF record ``fix`` proves, checklist) when the domain's MX is
    at Exchange Online and the device's IPv4 address is known."""
    from .m365 import relay_plan, smart_host_from_mx

    reqs, mx = await m365_requirements(tree, ips, resolver)
    smart = smart_host_from_mx(mx)
    info: dict[str, Any] = {"name": M365_PROFILE, "relay": None, "relay_problem": None}
    connector_ips = [ip for ip in ips if ipaddress.ip_address(ip).version == 4]
    plan = None
    if smart is not None and connector_ips:
        try:
            plan = await relay_plan(tree.root.name, resolver, ips=connector_ips, tree=tree,
                                    config=config, mx=mx)
            info["relay"] = plan.to_dict()
        except InputError as exc:  # an address the connector cannot take, and the like
            info["relay_problem"] = str(exc)
    return reqs, info, plan


def drift_requirements(drifts: Sequence[Drift]) -> list[Requirement]:
    """One requirement per flattened include: its ranges must be what the snapshot holds."""
    out = []
    for drift in drifts:
        if drift.problem:
            reason = drift.problem
        elif drift.drifted:
            parts = []
            if drift.added:
                parts.append("now also passes " + " ".join(drift.added))
            if drift.removed:
                parts.append("no longer passes " + " ".join(drift.removed))
            reason = ("the provider changed its ranges since they were flattened: "
                      + "; ".join(parts) + " (run spflint fix again and publish the result)")
        else:
            reason = "the flattened ranges match what the provider publishes now"
        out.append(Requirement(drift.term, not drift.drifted, reason, drift.name, "snapshot"))
    return out


def checkable_domain(domain: str) -> str:
    """``domain`` normalised, when it is a domain a user may name on the command line.

    :raises InputError: an invalid domain name.
    """
    from .dns.names import normalize
    from .evaluate import is_valid_domain

    name = normalize(domain)
    # A checkable domain (§4.3, the evaluator's test) whose labels are host names: what a
    # user types here is a domain, never a macro-bearing or spaced string.
    bad = next((label for label in name.split(".") if not _HOST_LABEL.fullmatch(label)), None)
    if bad is not None or not is_valid_domain(name):
        why = (f"label {bad!r} has characters other than letters, digits, '-' and '_'" if bad
               else "an address literal or a name without a dot is not a domain")
        raise InputError(f"invalid domain name {domain!r}: {why}")
    return name


async def run_check(domain: str, resolver: Resolver, *, config: Config,
                    ips: Sequence[str] = (), require: Sequence[str] = (),
                    profile: str | None = None, deadline: float | None = None,
                    snapshot: dict[str, Any] | None = None,
                    log_start: int | None = None) -> CheckResult:
    """Walk ``domain``'s SPF tree, lint it, and evaluate the coverage requirements
    (``log_start``: see :func:`spflint.tree.walk`).

    :raises InputError: an invalid domain name.
    """
    from .dns.names import to_unicode
    from .tree import walk

    name = checkable_domain(domain)
    tree = await walk(name, resolver, deadline=deadline, log_start=log_start)
    if tree.root.outcome is Outcome.UNKNOWN:
        raise InputError(f"nothing is known about {name} offline: give its zone data with "
                         "--dns-data, or check without --offline")
    findings = lint_tree(tree, config)
    remaining = None if deadline is None else max(0.1, deadline - time.monotonic())
    coverage = list(await asyncio.gather(
        *(coverage_for(tree, str(ip), resolver, remaining) for ip in ips)))
    result = CheckResult(name, to_unicode(name), tree, findings, coverage)
    result.requirements = [check_requirement(tree, term) for term in require]
    if profile == M365_PROFILE:
        reqs, info, plan = await m365_profile(tree, [str(i) for i in ips], resolver, config)
        result.requirements.extend(reqs)
        result.profile = info
        result.relay = plan
    if snapshot is not None:
        from .fix.drift import check_snapshot

        result.drift = await check_snapshot(snapshot, resolver)
        result.requirements.extend(drift_requirements(result.drift))
    result.findings.extend(requirement_findings(result, config))
    return result


def unknown_note(unknown: Sequence[UnknownAnswer], unchecked: Sequence[str] = (), *,
                 hint: str) -> Note | None:
    """The one line for everything nothing could answer offline, or None.

    ``unknown`` are the questions (from every tree of the run), ``unchecked`` the
    requirements that rest on them; ``hint`` says how to give spflint the data.
    """
    names = list(dict.fromkeys(u.name for u in unknown if u.external))
    local = list(dict.fromkeys(u.name for u in unknown if not u.external))
    if not names and not local and not unchecked:
        return None
    parts = []
    if names:
        word = "name" if len(names) == 1 else "names"
        parts.append(f"{len(names)} external {word} not checked offline ({_few(names)}); {hint}")
    if local:
        word = "name" if len(local) == 1 else "names"
        parts.append(f"{len(local)} {word} the zone data cannot answer ({_few(local)}: "
                     "dynamic records, or below a zone cut whose child zone is not here)")
    if unchecked:
        word = "requirement" if len(unchecked) == 1 else "requirements"
        parts.append(f"{len(unchecked)} {word} not checked: " + "; ".join(unchecked))
    return Note("unknown", "info", "; ".join(parts), tuple(names + local))


def _few(names: Sequence[str]) -> str:
    return ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def outage_note(resolver: Resolver) -> Note | None:
    """One error line when live DNS never answered during the run, else None."""
    from .dns.layered import dns_outage

    outage = dns_outage(resolver)
    return None if outage is None else Note("dns-outage", "error", outage)


def requirement_findings(result: CheckResult, config: Config) -> list[Finding]:
    """An SPF501 finding per unmet requirement, so every format (SARIF, GitHub) shows it."""
    rule = registry().get("SPF501")
    if not config.enabled(rule):
        return []
    domain = result.domain
    out = []
    for cov in result.coverage:
        if cov.met or not cov.checked:
            continue
        why = f" ({cov.problem})" if cov.problem else ""
        finding = make_finding(rule, config, "", None,
                               f"{cov.ip} does not pass SPF for {domain}: the result is "
                               f"{cov.result}{why}", hint=cov.suggestion, domain=domain)
        out.append(finding.located(term=cov.ip))
    out.extend(unmet_findings(result.requirements, domain, config))
    return out


def unmet_findings(requirements: Sequence[Requirement], domain: str | None,
                   config: Config) -> list[Finding]:
    """An SPF501 finding per requirement checked and not met (``check`` and ``fix`` alike)."""
    rule = registry().get("SPF501")
    if not config.enabled(rule):
        return []
    out = []
    for req in requirements:
        if req.met or not req.checked:
            continue
        source = "" if req.source == "require" else f"[{req.source}] "
        finding = make_finding(rule, config, "", None, f"{source}{req.term}: {req.reason}",
                               domain=req.where or domain)
        out.append(finding.located(term=req.term))
    return out
