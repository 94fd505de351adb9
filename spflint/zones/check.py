"""Lint the SPF records of zone files: each record, each whole tree, per-zone requirements."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spflint.check import check_requirement, lint_tree
from spflint.config import Config
from spflint.dns import zonedata
from spflint.dns.base import Outcome, Resolver, ZoneData
from spflint.dns.layered import LayeredResolver, nameservers_from
from spflint.dns.live import DEFAULT_TIMEOUT, LiveResolver
from spflint.dns.offline import OfflineResolver
from spflint.errors import ConfigError
from spflint.evaluate import check_host
from spflint.findings import Finding
from spflint.lint import lint_record
from spflint.rules import registry
from spflint.tree import Tree, walk

from . import read_zone
from .lock import LockFile, LockResolver
from .model import ZoneFile, ZoneFileError, ZoneRecord

__all__ = [
    "RecordResult",
    "Requirement",
    "ZoneCheck",
    "check_zones",
    "read_zones",
    "repo_resolver",
    "requirements_from_config",
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

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.requirement.name, self.requirement.kind:
                               self.requirement.value, "met": self.met, "detail": self.detail}
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

    @property
    def requirements_met(self) -> bool:
        return all(r.met for r in self.requirements)


def read_zones(paths: Sequence[str | os.PathLike[str]]) -> tuple[list[ZoneFile],
                                                                  list[ZoneFileError]]:
    """Read every file; a file that fails is reported and the others are still read."""
    zones: list[ZoneFile] = []
    errors: list[ZoneFileError] = []
    for path in paths:
        try:
            zones.append(read_zone(path))
        except ZoneFileError as exc:
            errors.append(exc)
    return zones, errors


def repo_data(zones: Sequence[ZoneFile]) -> ZoneData:
    """The DNS data of all zones of the run, as one source."""
    merged = zonedata.merge(*(z.data for z in zones))
    merged.source = "repository"
    return merged


def repo_resolver(zones: Sequence[ZoneFile], *, dns_data: Sequence[str | os.PathLike[str]] = (),
                  lock: LockFile | None = None, offline: bool = False,
                  nameservers: Sequence[str] = (), timeout: float | None = None) -> Resolver:
    """Zones of the run first, then ``dns_data`` files, then the lock file, then live DNS.

    :raises InputError: an unreadable ``dns_data`` file or a bad nameserver.
    """
    layers: list[OfflineResolver | LiveResolver | None] = []
    if zones:
        layers.append(OfflineResolver(repo_data(zones)))
    layers.extend(OfflineResolver(zonedata.load(Path(p))) for p in dns_data)
    if lock is not None:
        layers.append(LockResolver(lock))
    if offline:
        layers.append(None)
    else:
        layers.append(LiveResolver(nameservers_from(nameservers) or None,
                                   timeout=DEFAULT_TIMEOUT if timeout is None else timeout))
    return LayeredResolver(layers)


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


def _dns_rule(code: str) -> bool:
    return registry().get(code).scope == "dns"


async def _analyse(check: ZoneCheck, config: Config, resolver: Resolver,
                   requirements: Sequence[Requirement], timeout: float | None) -> None:
    owners: dict[str, list[RecordResult]] = {}
    for item in check.records:
        owners.setdefault(item.record.name, []).append(item)
    names = sorted(owners)
    trees = await asyncio.gather(*(walk(n, resolver) for n in names))
    seen: set[tuple[Any, ...]] = set()
    for name, tree in zip(names, trees, strict=True):
        check.trees[name] = tree
        home = owners[name][0]
        for failure in tree.failures:
            if failure.outcome in (Outcome.TIMEOUT, Outcome.SERVFAIL, Outcome.ERROR,
                                   Outcome.LIMIT):
                check.dns_failures.append(str(failure))
        for finding in lint_tree(tree, config):
            domain = finding.domain or name
            if domain in owners and not _dns_rule(finding.code):
                continue  # the record itself is linted from the file, with its strings
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
    for requirement in requirements:
        check.requirements.append(await _requirement(requirement, check, resolver, timeout))


async def _requirement(requirement: Requirement, check: ZoneCheck, resolver: Resolver,
                       timeout: float | None) -> RequirementResult:
    tree = check.trees.get(requirement.name)
    if tree is None:
        return RequirementResult(requirement, False,
                                 f"no SPF record for {requirement.name} in these zone files")
    if requirement.kind == "term":
        # The same test as ``check --require``: live terms only (not after ``all``).
        found = check_requirement(tree, requirement.value)
        return RequirementResult(requirement, found.met, found.reason)
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
    return RequirementResult(requirement, result.result == "pass", detail, result.result,
                             matched)


def check_zones(zones: list[ZoneFile], errors: list[ZoneFileError], config: Config,
                resolver: Resolver, *, requirements: Sequence[Requirement] = (),
                timeout: float | None = None) -> ZoneCheck:
    """Lint every SPF record of ``zones`` (with its strings), walk each owner's whole tree
    with ``resolver`` and check ``requirements``.

    Findings carry the record's ``file`` and ``line``; their columns are in the record text.
    """
    check = ZoneCheck(zones, errors)
    for zone in zones:
        for record in zone.spf_records:
            result = lint_record(record.text, config, strings=record.strings,
                                 domain=record.name)
            located = [f.located(file=record.path, line=record.line, domain=record.name)
                       for f in result.findings]
            check.records.append(RecordResult(record, located))
    asyncio.run(_analyse(check, config, resolver, requirements, timeout))
    for item in check.records:
        check.findings.extend(item.findings)
    return check
