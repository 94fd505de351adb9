"""``spflint fix``: minimal corrected record(s), proven to keep every address's result."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..dns.base import Resolver
from ..errors import DNSFailure, InputError
from ..fix import FixError, FixOptions, FixResult, fix_policy
from ..fix.model import record_line
from ..m365 import PROFILE as M365_PROFILE
from ..m365 import SPF_INCLUDE as M365_INCLUDE
from ..report.base import Report
from ..semantics import MAX_LOOKUPS as LOOKUP_LIMIT
from ..semantics import MAX_VOID_LOOKUPS as VOID_LIMIT
from .check import requirement_lines
from .common import (
    emit,
    error,
    exit_code,
    global_settings,
    load_settings_config,
    os_error_message,
)
from .demo import DEMO_DOMAIN, with_demo
from .options import (
    CoverageSettings,
    DNSSettings,
    FormatSettings,
    coverage_options,
    dns_options,
    format_options,
    make_resolver,
)

if TYPE_CHECKING:
    from ..check import Requirement
    from ..findings import Finding
    from ..hosts.detect import Detection
    from ..hosts.instructions import Instructions
    from ..hosts.model import Host
    from ..tree import Tree


def options_from(domain: str | None, record: str | None, coverage: CoverageSettings,
                 unsafe: bool, keep: tuple[str, ...], flatten: tuple[str, ...],
                 max_size: int, *, m365_include: bool = True) -> FixOptions:
    """The library's options; ``--profile m365-relay`` requires Microsoft 365's include
    unless ``m365_include`` is False (the policy already includes it, perhaps through
    another include)."""
    require = list(coverage.require)
    if coverage.profile == M365_PROFILE and m365_include \
            and M365_INCLUDE not in [r.lower() for r in require]:
        require.append(M365_INCLUDE)
    return FixOptions(domain=domain, record=record, ips=tuple(str(ip) for ip in coverage.ips),
                      require=tuple(require), unsafe=unsafe, keep=keep, flatten=flatten,
                      max_size=max_size)


def text_lines(result: FixResult, requirements: Sequence[Requirement] = ()) -> list[str]:
    lines: list[str] = []
    lines.extend(record_line(record) for record in result.records)
    lines.append(f"lookups: {result.lookups}/{LOOKUP_LIMIT}, "
                 f"void lookups: {result.voids}/{VOID_LIMIT}")
    if result.changes:
        lines.append("changes:")
        for change in result.changes:
            lines.append(f"  {change.summary()}")
            lines.append(f"      {change.reason}")
    elif any(not r.met and r.checked for r in requirements):
        lines.append("no change made, but requirements are not met (below)")
    else:
        lines.append("no change needed")
    lines.append("verified: every address gets the same result as before, except where an "
                 "unsafe change says otherwise ([safe]: proven for every DNS answer)")
    if requirements:
        lines += ["", "Requirements, on the policy as it would be published:",
                  *requirement_lines(requirements)]
    return lines


async def choose_hosts(domain: str | None, key: str | None,
                       resolver: Resolver) -> tuple[list[Host], Detection | None]:
    """The hosts to write steps for: named, detected from NS records, or none.

    :raises InputError: an unknown host name.
    """
    from ..hosts import registry
    from ..hosts.detect import detect

    choice = (key or ("auto" if domain else "none")).strip().lower()
    if choice == "none":
        return [], None
    if choice != "auto":
        return [registry.get(choice)], None
    if domain is None:
        raise InputError("--host auto needs a DOMAIN to read its NS records")
    try:
        detection = await detect(domain, resolver)
    except DNSFailure as exc:
        # Steps are a help, not the verdict: fall back to a zone file and say why.
        from ..hosts.detect import Detection

        detection = Detection([registry.get("bind")], [], False,
                              f"NS lookup failed ({exc.message}); showing zone-file steps",
                              matched=False)
    return list(detection.hosts), detection


def steps_for(hosts: list[Host], result: FixResult, zone: str | None,
              verify: str | None = None) -> list[Instructions]:
    """Publishing steps at each host for records in ``zone`` (none without a zone: the
    record names would be unknown); ``verify`` is the check to run once published."""
    from ..hosts.instructions import render

    if not hosts or not zone or not result.records:
        return []
    if result.original and not result.changes:
        return []  # nothing to publish: the record is already what fix would write
    existing = bool(result.original)
    current = result.original[0] if len(result.original) == 1 else None
    return [render(host, result.records, existing=existing, domain=zone, current=current,
                   verify=verify)
            for host in hosts]


@click.command()
@click.argument("domain", required=False)
@click.option("--record", "record", metavar="TEXT", default=None,
              help="Fix this record text (with DOMAIN: it stands for DOMAIN's current record).")
@coverage_options
@click.option("--unsafe", is_flag=True,
              help="Also make changes that alter results: drop ptr, +all/?all to ~all, drop "
                   "private ranges, drop terms that cannot be repaired.")
@click.option("--keep", multiple=True, metavar="NAME",
              help="Never flatten this include (repeatable).")
@click.option("--flatten", "flatten", multiple=True, metavar="NAME",
              help="Flatten this include even when not needed (repeatable).")
@click.option("--snapshot", "snapshot_path", metavar="FILE", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="Write what was flattened (names, DNS answers, date) to FILE as JSON.")
@click.option("--max-size", type=click.IntRange(min=50), default=450, show_default=True,
              help="Largest TXT record (all strings together) to publish; longer records "
                   "are chained through _spf1.DOMAIN, _spf2.DOMAIN ...")
@click.option("--demo", is_flag=True,
              help="Fix the bundled demo domain from bundled zone data, offline, with its "
                   "relay printer's address as --ip.")
@click.option("--host", "host_key", metavar="HOST", default=None,
              help="Print steps for this DNS host or file format ('spflint hosts' lists "
                   "them); 'auto' (the default with DOMAIN) detects it from the NS records; "
                   "'none' prints no steps.")
@dns_options
@format_options
@click.pass_context
def fix(ctx: click.Context, domain: str | None, record: str | None,
        coverage: CoverageSettings, unsafe: bool, keep: tuple[str, ...],
        flatten: tuple[str, ...], snapshot_path: Path | None, max_size: int,
        demo: bool, host_key: str | None, dns: DNSSettings, fmt: FormatSettings) -> None:
    """Print the minimal corrected SPF record(s) for DOMAIN or --record TEXT.

    The result is proven before it is printed: every address gets the same result as with
    the original (a broken original: as its author evidently meant), except for the changes
    asked for (--ip, --require, --profile) or allowed (--unsafe). When no record can be
    proven, fix says why and exits 1.

    \b
    Examples:
      spflint fix example.com --ip 203.0.113.25 --profile m365-relay
      spflint fix --record 'v=spf1 ipv4:192.0.2.1 -all'
      spflint fix example.com --snapshot spf-snapshot.json --keep _spf.google.com
    """
    config = load_settings_config(ctx, fmt)
    if demo:
        domain = domain or DEMO_DOMAIN
        dns, coverage = with_demo(dns, coverage)
    if domain is None and record is None:
        raise InputError("give a DOMAIN or --record TEXT")
    if record is not None and "spf1" not in record.lower():
        # Not a broken SPF record but no SPF record at all: nothing to repair.
        raise InputError(f"--record {record[:60]!r} is not an SPF record: it must start with "
                         "'v=spf1'")
    if snapshot_path is not None and not snapshot_path.parent.is_dir():
        raise InputError(f"cannot write the snapshot {str(snapshot_path)!r}: "
                         "its directory does not exist")
    resolver = make_resolver(dns)
    color = global_settings(ctx).color
    report = Report(command="fix", summary=False)
    try:
        targets, detection, result, remaining, requirements = asyncio.run(_run(
            domain, record, coverage, unsafe, keep, flatten, max_size, host_key, resolver,
            config))
    except FixError as exc:
        report.data.update({"records": [], "changes": [c.to_dict() for c in exc.changes],
                            "lookups": None, "instructions": [], "requirements": [],
                            "error": exc.message})
        emit(report, fmt.format, color)
        error(f"no proven record: {exc.message}")
        ctx.exit(1)
    if snapshot_path is not None:
        from ..fix.flatten import empty_snapshot

        data: dict[str, Any] = result.snapshot or empty_snapshot(domain)
        try:
            snapshot_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        except OSError as exc:
            message = os_error_message(exc, snapshot_path)
            raise InputError(f"cannot write the snapshot: {message}") from None
    zone = detection.zone if detection is not None and detection.zone else domain
    instructions = steps_for(targets, result, zone, verify_command(domain, coverage))
    report.data.update({
        "records": [r.to_dict() for r in result.records],
        "changes": [c.to_dict() for c in result.changes],
        "lookups": result.lookups,
        "instructions": [i.to_dict() for i in instructions],
        "void": result.voids,
        "original": result.original,
        "detection": None if detection is None else detection.to_dict(),
        "requirements": [r.to_dict() for r in requirements],
    })
    lines = text_lines(result, requirements)
    if detection is not None:
        lines += ["", f"DNS host: {detection.reason}"]
    for item in instructions:
        lines += ["", *item.to_text().rstrip("\n").split("\n")]
    report.diagnostics = remaining
    if domain is not None:
        for node_name, text in ((r.name, r.value) for r in result.records):
            report.sources[(node_name, None)] = text
    if report.diagnostics:
        lines += ["", "What fix could not repair (the policy as it would be published):"]
    report.text_body = lines
    emit(report, fmt.format, color)
    met = all(r.met or not r.checked for r in requirements)
    ctx.exit(exit_code(report.diagnostics, config.fail_on, met))


def verify_command(domain: str | None, coverage: CoverageSettings) -> str | None:
    """The check to run once the record is published: with the relay profile, the same
    profile and addresses (None: the default, a plain check)."""
    if domain is None or coverage.profile != M365_PROFILE:
        return None
    from ..m365 import verify_command as relay_check

    return relay_check(domain, [f"--ip {ip}" for ip in coverage.ips]
                       + [f"--require {r}" for r in coverage.require])


async def _run(domain: str | None, record: str | None, coverage: CoverageSettings,
               unsafe: bool, keep: tuple[str, ...], flatten: tuple[str, ...], max_size: int,
               host_key: str | None, resolver: Resolver, config: Any
               ) -> tuple[list[Host], Detection | None, FixResult, list[Finding],
                          list[Requirement]]:
    """The whole command in one event loop: hosts, the proven record, what is left."""
    from ..check import m365_address_requirements, m365_include_requirement, unmet_findings

    targets, detection = await choose_hosts(domain, host_key, resolver)
    caps = [h.max_value_octets for h in targets if h.max_value_octets]
    relay = coverage.profile == M365_PROFILE
    include = True
    if relay and domain is not None:
        # Included through another include already: adding it again only costs a lookup.
        include = not m365_include_requirement(
            await current_tree(domain, record, resolver)).met
    # A host that rejects long values caps the record the splitter may produce.
    options = options_from(domain, record, coverage, unsafe, keep, flatten,
                           min([max_size, *caps]), m365_include=include)
    result = await fix_policy(options, resolver, config)
    ips = [str(ip) for ip in coverage.ips]
    remaining: list[Finding] = []
    requirements: list[Requirement] = []
    if domain is not None:
        remaining, requirements = await published_problems(domain, result, resolver, config,
                                                           ips if relay else None)
    elif relay:
        requirements = m365_address_requirements(ips)
        remaining = unmet_findings(requirements, None, config)
    return targets, detection, result, remaining, requirements


async def current_tree(domain: str, record: str | None, resolver: Resolver) -> Tree:
    """The domain's policy as published, or with ``record`` standing for its record."""
    from ..fix.overlay import OverlayResolver
    from ..hosts.model import PublishedRecord
    from ..tree import walk

    if record is None:
        return await walk(domain, resolver)
    return await walk(domain, OverlayResolver([PublishedRecord(domain, record)], resolver))


async def published_problems(domain: str, result: FixResult, resolver: Resolver, config: Any,
                             relay_ips: Sequence[str] | None = None
                             ) -> tuple[list[Finding], list[Requirement]]:
    """Findings on the fixed policy as it would be published and, with ``relay_ips``, the
    Microsoft 365 relay requirements on it: the ones ``check`` reports, by the same code,
    each unmet one also as an SPF501 finding."""
    from ..check import lint_tree, m365_requirements, unmet_findings
    from ..fix.overlay import OverlayResolver
    from ..tree import walk

    tree = await walk(domain, OverlayResolver(result.records, resolver))
    findings = lint_tree(tree, config)
    if relay_ips is None:
        return findings, []
    requirements, _ = await m365_requirements(tree, relay_ips, resolver)
    return findings + unmet_findings(requirements, tree.root.name, config), requirements
