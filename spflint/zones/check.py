"""Lint the SPF records of zone files: each record, each whole tree, per-zone requirements."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spflint.check import check_requirement, lint_tree
from spflint.config import Config
from spflint.dns import zonedata
from spflint.dns.base import Answer, NameData, Outcome, QueryRecord, Resolver, ZoneData
from spflint.dns.layered import LayeredResolver, dns_outage, nameservers_from
from spflint.dns.live import DEFAULT_TIMEOUT, LiveResolver
from spflint.dns.offline import OfflineResolver
from spflint.errors import ConfigError
from spflint.evaluate import check_host
from spflint.findings import Finding
from spflint.lint import lint_record, make_finding
from spflint.rules import registry
from spflint.tree import Tree, UnknownAnswer, walk
from spflint.txt import cut

from .discover import ZoneSource, discover, select
from .lock import LockFile, LockResolver
from .model import ZoneFile, ZoneFileError, ZoneNote, ZoneRecord, no_cycle_collection
from .positions import locate
from .repo import RepoResolver, origins_below, reader_with

__all__ = [
    "CachedResolver",
    "RecordResult",
    "Requirement",
    "ZoneCheck",
    "check_zones",
    "check_zones_async",
    "note_findings",
    "read_sources",
    "read_zones",
    "repo_resolver",
    "requirements_from_config",
    "rest_of_repository",
    "zone_files_in",
    "zone_layers",
]


@dataclass
class RecordResult:
    """One SPF record of a zone file and its findings."""

    record: ZoneRecord
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.record.name, "line": self.record.line, "record": self.record.text,
                "type": self.record.rdtype, "column": self.record.column,
                "diagnostics": [f.to_dict() for f in self.findings]}


@dataclass(frozen=True)
class Requirement:
    """A zone name's requirement: an IP that must pass, or a term the policy must contain."""

    name: str
    kind: str  # "ip" or "term"
    value: str


@dataclass
class RequirementResult:
    requirement: Requirement
    met: bool
    detail: str
    result: str | None = None  # for "ip": the SPF result
    matched: str | None = None  # for "ip": the matched term
    checked: bool = True  # False: it rests on data nothing had offline

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.requirement.name, self.requirement.kind:
                               self.requirement.value, "met": self.met, "detail": self.detail,
                               "checked": self.checked}
        if self.requirement.kind == "ip":
            out["result"] = self.result
            out["matched"] = self.matched
        else:
            out["term"] = self.requirement.value
        return out


@dataclass
class ZoneCheck:
    """Everything ``spflint zone`` found."""

    zones: list[ZoneFile]
    errors: list[ZoneFileError]
    records: list[RecordResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # every finding, located
    requirements: list[RequirementResult] = field(default_factory=list)
    trees: dict[str, Tree] = field(default_factory=dict)
    dns_failures: list[str] = field(default_factory=list)
    unknown: list[UnknownAnswer] = field(default_factory=list)  # every tree's, once each
    outage: str | None = None  # live DNS never answered: said once, not per name

    @property
    def requirements_met(self) -> bool:
        """No requirement checked and unmet (one resting on unknown data is not checked)."""
        return all(r.met or not r.checked for r in self.requirements)

    def unchecked(self) -> list[str]:
        """Requirements that rest on data nothing had offline, one phrase each."""
        out = []
        for r in self.requirements:
            if not r.checked:
                kind = "must pass" if r.requirement.kind == "ip" else "must include"
                out.append(f"{r.requirement.name} {kind} {r.requirement.value} ({r.detail})")
        return out


def zone_files_in(directory: str | os.PathLike[str]) -> list[str]:
    """The zone files under ``directory`` and its subdirectories, sorted (see
    :func:`spflint.zones.discover.discover`: files are zone files by their content)."""
    return [zone.path for zone in discover(os.fspath(directory)).zones]


def read_sources(sources: Sequence[ZoneSource],
                 include_roots: Sequence[str | os.PathLike[str]] = ()
                 ) -> tuple[list[ZoneFile], list[ZoneFileError]]:
    """Read each zone; one that fails is reported and the others are still read.
    ``include_roots``: more directories ``$INCLUDE`` may read from (see :func:`read_zone`)."""
    zones: list[ZoneFile] = []
    errors: list[ZoneFileError] = []
    # Read as the repository's other zones are read.
    read = reader_with([os.fspath(r) for r in include_roots])
    # Over the whole batch, not file by file: with the collector back on between files, each
    # file's allocations would make it rescan every zone read so far.
    with no_cycle_collection():
        for source in sources:
            try:
                zones.append(read(source))
            except ZoneFileError as exc:
                errors.append(exc)
    return zones, errors


def read_zones(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[ZoneFile],
                                                                  list[ZoneFileError]]:
    """Read the zones of ``paths`` (see :func:`spflint.zones.discover.select`; files that are
    not zone files are left out); a file that fails is reported and the others are still
    read."""
    selection = select(paths)
    zones, errors = read_sources(selection.zones)
    return zones, [*selection.errors, *errors]


def repo_data(zones: Sequence[ZoneFile]) -> ZoneData:
    """The DNS data of all zones of the run, as one source.

    What :func:`zonedata.merge` gives, built for hundreds of thousands of names: a name only
    one zone holds keeps that zone's entry (shared, never changed afterwards); a name several
    zones hold gets a new entry with all their records.
    """
    merged = ZoneData(source="repository")
    names = merged.names
    for zone in zones:
        data = zone.data
        merged.apexes |= data.apexes
        merged.delegations |= data.delegations
        merged.computed.update(data.computed)
        both = names.keys() & data.names.keys()
        earlier = {name: names[name] for name in both}
        names.update(data.names)
        for name, entry in earlier.items():
            later = data.names[name]
            names[name] = NameData(entry.records + later.records,
                                   entry.timeout or later.timeout,
                                   entry.servfail or later.servfail)
    return merged


def rest_of_repository(zones: Sequence[ZoneFile], sources: Sequence[ZoneSource],
                       include_roots: Sequence[str] = ()) -> RepoResolver:
    """The repository's zones other than ``zones`` (and the files they read), answering
    lazily: see :class:`spflint.zones.repo.RepoResolver`."""
    own = {os.path.realpath(path) for zone in zones for path in (zone.path, *zone.contents)}
    return RepoResolver((s for s in sources if os.path.realpath(s.path) not in own),
                        reader=reader_with(include_roots))


def zone_layers(zones: Sequence[ZoneFile],
                rest: RepoResolver | None = None) -> list[OfflineResolver]:
    """The first resolver layers of a run: its own zones, then the rest of the repository.

    A zone of the repository below one of the run's zones (``sub.example.com`` in its own
    file) is a cut in the run's data, so its names are answered from its file.
    """
    layers: list[OfflineResolver] = []
    if zones:
        data = repo_data(zones)
        if rest is not None:
            data.delegations |= origins_below(data.apexes, rest.origins)
        layers.append(OfflineResolver(data))
    if rest is not None:
        layers.append(rest)
    return layers


class CachedResolver:
    """Asks the resolver it wraps each question once per run and keeps the answer.

    Zone files, ``--dns-data`` and the lock file do not change during a run, so a provider's
    record that a thousand zones include is worked out once. Walks running at the same time
    share a question still in flight; a walk cut by its deadline leaves the question running
    for the others.
    """

    def __init__(self, inner: Resolver) -> None:
        self.inner = inner
        self.answers: dict[tuple[str, str], Answer] = {}
        self.hits = 0
        self._pending: dict[tuple[str, str], asyncio.Task[Answer]] = {}

    @property
    def log(self) -> list[QueryRecord] | None:
        """The wrapped resolver's log of questions it answered (cached ones are not in it)."""
        log = getattr(self.inner, "log", None)
        return log if isinstance(log, list) else None

    @property
    def sent(self) -> int:
        """Queries the wrapped resolver sent to live DNS."""
        return int(getattr(self.inner, "sent", 0))

    @property
    def cache_hits(self) -> int:
        return self.hits + int(getattr(self.inner, "cache_hits", 0))

    async def query(self, name: str, rdtype: str) -> Answer:
        """The answer of the wrapped resolver, asked at most once per name and type."""
        key = (name.lower(), rdtype.upper())
        answer = self.answers.get(key)
        if answer is not None:
            self.hits += 1
            return answer
        now = getattr(self.inner, "answer_now", None)
        if now is not None and key not in self._pending:
            answer = now(name, rdtype)
            if isinstance(answer, Answer):
                self.answers[key] = answer
                return answer
        task = self._pending.get(key)
        if task is None or task.get_loop() is not asyncio.get_running_loop():
            task = asyncio.ensure_future(self._ask(key, name, rdtype))
            self._pending[key] = task
        else:
            self.hits += 1
        return await asyncio.shield(task)

    async def _ask(self, key: tuple[str, str], name: str, rdtype: str) -> Answer:
        try:
            answer = await self.inner.query(name, rdtype)
        finally:
            self._pending.pop(key, None)
        self.answers[key] = answer
        return answer


def repo_resolver(zones: Sequence[ZoneFile], *, dns_data: Sequence[str | os.PathLike[str]] = (),
                  lock: LockFile | None = None, offline: bool = False,
                  nameservers: Sequence[str] = (), timeout: float | None = None,
                  deadline: float | None = None,
                  repository: Sequence[ZoneSource] | None = None) -> CachedResolver:
    """Zones of the run first, then the other zones of ``repository`` (read when a question
    needs them), then ``dns_data`` files, then the lock file, then live DNS.

    ``timeout`` is the wait for one live query; ``deadline`` the :func:`time.monotonic` time
    after which live DNS answers LIMIT. Every answer is kept for the run.

    :raises InputError: an unreadable ``dns_data`` file or a bad nameserver.
    """
    rest = None if repository is None else rest_of_repository(zones, repository)
    layers: list[OfflineResolver | LiveResolver | None] = list(zone_layers(zones, rest))
    layers.extend(OfflineResolver(zonedata.load(Path(p))) for p in dns_data)
    if lock is not None:
        layers.append(LockResolver(lock))
    if offline:
        layers.append(None)
    else:
        layers.append(LiveResolver(nameservers_from(nameservers) or None,
                                   timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
                                   deadline=deadline))
    return CachedResolver(LayeredResolver(layers))


def requirements_from_config(require: Mapping[str, Any]) -> list[Requirement]:
    """``[tool.spflint.require]``: ``"example.com" = {ip = [...], require = [...]}``.

    :raises ConfigError: a malformed table.
    """
    out: list[Requirement] = []
    for raw_name, table in require.items():
        where = f"require.{raw_name}"
        if not isinstance(table, Mapping):
            raise ConfigError(f"{where}: expected a table with 'ip' and/or 'require'")
        unknown = set(table) - {"ip", "require"}
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}"
                              " (known: ip, require)")
        name = str(raw_name).strip().rstrip(".").lower()
        for kind, key in (("ip", "ip"), ("term", "require")):
            values = table.get(key, [])
            if isinstance(values, str):
                values = [values]
            if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
                raise ConfigError(f"{where}.{key}: expected a list of strings")
            out.extend(Requirement(name, kind, v.strip()) for v in values)
    return out


async def _analyse(check: ZoneCheck, config: Config, resolver: Resolver,
                   requirements: Sequence[Requirement], deadline: float | None) -> None:
    owners: dict[str, list[RecordResult]] = {}
    for item in check.records:
        owners.setdefault(item.record.name, []).append(item)
    names = sorted(owners)
    trees = await asyncio.gather(*(walk(n, resolver, deadline=deadline) for n in names))
    seen: set[tuple[Any, ...]] = set()
    linted: dict[tuple[str, str], list[Finding]] = {}
    unknown: dict[tuple[str, str], UnknownAnswer] = {}
    for name, tree in zip(names, trees, strict=True):
        check.trees[name] = tree
        for question in tree.unknown:
            unknown.setdefault((question.name, question.qtype), question)
        home = owners[name][0]
        failed = [str(f) for f in tree.failures if f.outcome in (
            Outcome.TIMEOUT, Outcome.SERVFAIL, Outcome.ERROR, Outcome.LIMIT)]
        if not failed and not tree.complete:
            # Cut by the deadline (or the cap on names) before any question failed.
            failed.append(f"{name}: the walk is incomplete: {tree.cut_reason}")
        check.dns_failures.extend(failed)
        # The records the files define were linted from the files, with their strings;
        # other records the owner controls are linted here, once per run.
        for finding in lint_tree(tree, config, skip=owners, cache=linted):
            domain = finding.domain or name
            target = owners.get(domain, [home])[0]
            located = finding.located(file=target.record.path, line=target.record.line,
                                      domain=domain)
            if target is not owners.get(domain, [None])[0]:
                # Columns point into another record than the one this finding is shown on.
                located = located.located(column=None, end_column=None)
            key = (located.code, located.domain, located.message, located.term,
                   located.file, located.line)
            if key in seen:
                continue
            seen.add(key)
            target.findings.append(located)
    check.unknown = list(unknown.values())
    for requirement in requirements:
        left = None if deadline is None else max(0.0, deadline - time.monotonic())
        met = await _requirement(requirement, check, resolver, left)
        check.requirements.append(met)
        if not met.met and met.checked:
            _requirement_finding(met, owners, config)


def _requirement_finding(result: RequirementResult, owners: Mapping[str, list[RecordResult]],
                         config: Config) -> None:
    """An SPF501 finding on the owner's record (so annotations and SARIF show it)."""
    rule = registry().get("SPF501")
    home = owners.get(result.requirement.name)
    if home is None or not config.enabled(rule):
        return  # no record of that name in these files: reported in ``requirements`` only
    kind = "must pass" if result.requirement.kind == "ip" else "must include"
    target = home[0]
    finding = make_finding(rule, config, "", None,
                           f"{result.requirement.name} {kind} {result.requirement.value}: "
                           f"{result.detail}", domain=result.requirement.name,
                           file=target.record.path, line=target.record.line)
    target.findings.append(finding.located(term=result.requirement.value))


async def _requirement(requirement: Requirement, check: ZoneCheck, resolver: Resolver,
                       timeout: float | None) -> RequirementResult:
    tree = check.trees.get(requirement.name)
    if tree is None:
        return RequirementResult(requirement, False,
                                 f"no SPF record for {requirement.name} in these zone files")
    if requirement.kind == "term":
        # The same test as ``check --require``: live terms only (not after ``all``).
        found = check_requirement(tree, requirement.value)
        return RequirementResult(requirement, found.met, found.reason, checked=found.checked)
    try:
        result = await check_host(requirement.value, requirement.name,
                                  f"postmaster@{requirement.name}", resolver=resolver,
                                  timeout=timeout)
    except ValueError:
        return RequirementResult(requirement, False,
                                 f"{requirement.value!r} is not an IP address")
    matched = None if result.matched is None else result.matched.term
    detail = f"{result.result}" + (f" ({matched} in {result.matched.domain})"
                                   if result.matched is not None else "")
    if result.problem:
        detail += f": {result.problem}"
    if not result.conclusive:
        detail = f"{result.unknown} is not known offline"
    elif result.result == "temperror" and dns_outage(resolver) is not None:
        # No server answered at all: the fault is the run's network, not the domain's DNS,
        # and the outage is reported once for the whole run.
        return RequirementResult(requirement, False, "not checked: no DNS server answered",
                                 None, None, checked=False)
    # Not conclusive: the SPF result is not known, and no DNS result stands for it.
    return RequirementResult(requirement, result.result == "pass", detail,
                             result.result if result.conclusive else None, matched,
                             checked=result.conclusive)


def check_zones(zones: list[ZoneFile], errors: list[ZoneFileError], config: Config,
                resolver: Resolver, *, requirements: Sequence[Requirement] = (),
                timeout: float | None = None) -> ZoneCheck:
    """Synchronous :func:`check_zones_async` (runs its own event loop)."""
    return asyncio.run(check_zones_async(zones, errors, config, resolver,
                                         requirements=requirements, timeout=timeout))


async def check_zones_async(zones: list[ZoneFile], errors: list[ZoneFileError], config: Config,
                            resolver: Resolver, *, requirements: Sequence[Requirement] = (),
                            timeout: float | None = None) -> ZoneCheck:
    """Lint every SPF record of ``zones`` (with its strings), walk each owner's whole tree
    with ``resolver`` and check ``requirements``.

    Each question is asked of ``resolver`` once per run (wrapped in :class:`CachedResolver`
    unless it is one). ``timeout`` is the time allowed for the walks and requirements together:
    a walk cut by it is reported incomplete. Findings carry the record's ``file`` and ``line``;
    their columns are in the record text, except those of the zones' notes (SPF6xx), whose
    columns are in the file's line. ``file_line``/``file_column`` place them in the file.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    cached = resolver if isinstance(resolver, CachedResolver) else CachedResolver(resolver)
    check = ZoneCheck(zones, errors)
    for zone in zones:
        for record in zone.spf_records:
            # octoDNS publishes a value in 255-octet strings of its own, whatever the layout
            # of the YAML.
            strings = (cut(record.value) if zone.format == "octodns"
                       else record.strings)
            result = lint_record(record.text, config, strings=strings, domain=record.name)
            located = [f.located(file=record.path, line=record.line, domain=record.name)
                       for f in result.findings]
            check.records.append(RecordResult(record, located))
    await _analyse(check, config, cached, requirements, deadline)
    check.outage = dns_outage(cached)
    if check.outage is not None:
        # Every lookup failed for one reason: say it once, not per name and per record.
        check.dns_failures = [check.outage]
        for item in check.records:
            item.findings = [f for f in item.findings if f.code != "SPF225"]
    files = {path: (zone.format, data) for zone in zones for path, data in zone.contents.items()}
    for item in check.records:
        fmt, data = files.get(item.record.path, ("", None))
        item.findings = locate(item.findings, item.record, data, fmt)
        check.findings.extend(item.findings)
    for zone in zones:
        check.findings.extend(note_findings(zone.notes, config))
    return check


def note_findings(notes: Sequence[ZoneNote], config: Config) -> list[Finding]:
    """The findings of a zone reader's notes whose rule is enabled; the column is one of the
    file's line, not of a record text."""
    out: list[Finding] = []
    for note in notes:
        rule = registry().get(note.code)
        if not config.enabled(rule):
            continue
        finding = make_finding(rule, config, "", None, note.message, note.severity,
                               file=note.path, line=note.line)
        out.append(finding.located(column=note.column, term=note.term, file_line=note.line,
                                   file_column=note.column))
    return out
