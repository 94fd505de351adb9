"""``spflint zone FILE...``: lint (and fix in place) the SPF records of BIND and octoDNS zones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from ..check import unknown_note
from ..config import Config
from ..dns.base import Resolver
from ..errors import InputError
from ..report.base import Note, Report
from .common import emit, error, exit_code, global_settings, load_settings_config
from .options import DNSSettings, FormatSettings, dns_options, format_options, make_resolver

# What to do about names nothing answered offline.
LOCK_HINT = "`spflint lock` pins them"


@dataclass(frozen=True)
class FixSettings:
    """``--fix``, ``--unsafe-fixes``, ``--diff`` and ``--bump-serial``."""

    fix: bool = False
    unsafe: bool = False
    diff: bool = False
    bump_serial: bool = False


@dataclass(frozen=True)
class LockSettings:
    path: Path | None = None
    use: bool = True


def apply_fixes(zones: list[Any], config: Config, fixes: FixSettings, resolver: Any,
                requirements: list[Any]) -> tuple[list[Any], int]:
    """Plan and (unless ``--diff``) write the fixes; the changes and how many files failed.

    Each record becomes ``spflint fix``'s minimal proven record, resolved repository-first.
    """
    import asyncio

    from ..errors import SpflintError
    from ..zones.fixes import minimal_texts
    from ..zones.model import content_hash
    from ..zones.rewrite import plan_rewrite, unified_diff, write_atomic

    texts = asyncio.run(minimal_texts(zones, config, resolver, unsafe=fixes.unsafe,
                                      requirements=requirements))
    changes = plan_rewrite(zones, texts, bump_serial=fixes.bump_serial)
    if fixes.diff:
        for change in changes:
            click.echo(unified_diff(change), nl=False)
        return changes, 0
    failed = 0
    for change in changes:
        try:
            current = Path(change.path).read_bytes()
        except OSError as exc:
            error(f"{change.path}: cannot read the file again: {exc.strerror or exc}")
            failed += 1
            continue
        if content_hash(current) != change.old_hash:
            error(f"{change.path}: the file changed since it was read; not writing")
            failed += 1
    if failed:
        return [], failed
    written = []
    for change in changes:
        try:
            write_atomic(change.path, change.new, change.old_hash)
        except (SpflintError, OSError) as exc:
            error(f"{change.path}: {exc}")
            failed += 1
            continue
        written.append(change)
    return written, failed


def zone_resolver(dns: DNSSettings, zones: list[Any], lock: Any = None) -> Resolver:
    """The run's resolver, repository first: the names ``zones`` define, then ``--dns-data``,
    then the lock file, then live DNS unless ``--offline``; within the run's ``--timeout``."""
    from ..dns.offline import OfflineResolver
    from ..zones.check import repo_data
    from ..zones.lock import LockResolver

    first = [OfflineResolver(repo_data(zones))] if zones else []
    return make_resolver(dns, first=first,
                         before_live=[LockResolver(lock)] if lock is not None else [])


def run_code(findings_code: int, input_errors: bool, dns_failures: bool) -> int:
    """Input errors (2) win over DNS failures that prevented a verdict (3), which win over
    findings (1)."""
    if input_errors:
        return 2
    if dns_failures:
        return 3
    return findings_code


def execute(files: tuple[str, ...], config: Config, dns: DNSSettings, fixes: FixSettings,
            lock: LockSettings) -> tuple[Report | None, int]:
    """Run the command; the report (None for ``--diff``) and the exit code."""
    from ..zones.check import check_zones, read_zones, requirements_from_config
    from ..zones.lock import find_lock, read_lock

    requirements = requirements_from_config(config.require)
    zones, errors = read_zones(files)
    for exc in errors:
        error(str(exc))
    fixed: list[Any] = []
    fix_failures = 0
    lock_path = find_lock(lock.path) if lock.use else None
    lock_file = read_lock(lock_path) if lock_path is not None else None

    def resolver_for(current: list[Any]) -> Resolver:
        return zone_resolver(dns, current, lock_file)

    if fixes.fix or fixes.diff:
        changes, fix_failures = apply_fixes(zones, config, fixes, resolver_for(zones),
                                            requirements)
        if fixes.diff:
            code = 2 if errors or fix_failures else (1 if changes else 0)
            return None, code
        fixed = changes
        if fixed:
            zones, more = read_zones([z.path for z in zones])
            errors.extend(more)
    # Built afresh: after --fix the zones answer with their corrected records.
    resolver = resolver_for(zones)
    check = check_zones(zones, errors, config, resolver, requirements=requirements,
                        timeout=dns.remaining())
    report = build_report(check, fixed, lock_path)
    code = run_code(exit_code(check.findings, config.fail_on, check.requirements_met),
                    bool(errors or fix_failures), bool(check.dns_failures))
    return report, code


def build_report(check: Any, fixed: list[Any], lock_path: Path | None) -> Report:
    """The ``zone`` report: ``files`` (per contract), ``requirements``, ``fixed``."""
    report = Report(command="zone")
    by_file: dict[str, list[Any]] = {z.path: [] for z in check.zones}
    for item in check.records:
        by_file.setdefault(item.record.path, []).append(item)
        report.sources[(item.record.path, item.record.line)] = item.record.text
    files: list[dict[str, Any]] = [
        {"path": path, "records": [r.to_dict() for r in items]}
        for path, items in by_file.items()
    ]
    files.extend({"path": exc.path, "records": [], "error": str(exc)} for exc in check.errors)
    report.diagnostics = list(check.findings)
    report.data["files"] = files
    report.data["requirements"] = [r.to_dict() for r in check.requirements]
    report.data["fixed"] = [
        {"path": c.path, "records": [{"name": r.name, "line": r.line, "before": r.text,
                                      "after": text} for r, text in c.records],
         "serial": None if c.serial is None else {"before": c.serial[0], "after": c.serial[1]}}
        for c in fixed
    ]
    report.data["lock"] = None if lock_path is None else str(lock_path)
    report.data["dns_failures"] = list(check.dns_failures)
    report.data["unknown"] = [u.to_dict() for u in check.unknown]
    if check.outage is not None:
        report.notes.append(Note("dns-outage", "error", check.outage))
    note = unknown_note(check.unknown, check.unchecked(), hint=LOCK_HINT)
    if note is not None:
        report.notes.append(note)
    for change in fixed:
        if change.records:
            report.text_body.append(f"fixed {len(change.records)} record(s) in {change.path}")
        if change.serial is not None:
            report.text_body.append(f"{change.path}: SOA serial {change.serial[0]} ->"
                                    f" {change.serial[1]}")
    for result in check.requirements:
        if not result.met and result.checked:
            kind = "must pass" if result.requirement.kind == "ip" else "must include"
            report.text_body.append(f"requirement not met: {result.requirement.name} {kind} "
                                    f"{result.requirement.value}: {result.detail}")
    if check.outage is None:
        report.text_body.extend(f"DNS failure: {failure}" for failure in check.dns_failures)
    return report


@click.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE...")
@click.option("--fix", is_flag=True, help="Rewrite SPF records in place with their fixes.")
@click.option("--unsafe-fixes", is_flag=True,
              help="Also apply fixes that can change which senders pass.")
@click.option("--diff", "show_diff", is_flag=True,
              help="Print the fixes as a unified diff instead of writing them.")
@click.option("--bump-serial", is_flag=True,
              help="Raise the SOA serial of BIND zones the fixes change.")
@click.option("--lock", "lock_path", metavar="FILE",
              type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Lock file to answer external names from [default: ./spflint.lock if "
                   "present].")
@click.option("--no-lock", is_flag=True, help="Ignore spflint.lock.")
@dns_options
@format_options
@click.pass_context
def zone(ctx: click.Context, files: tuple[str, ...], fix: bool, unsafe_fixes: bool,
         show_diff: bool, bump_serial: bool, lock_path: Path | None, no_lock: bool,
         dns: DNSSettings, fmt: FormatSettings) -> None:
    """Lint the SPF records in BIND or octoDNS zone files.

    Names the files define answer first (an include: of a name in another file of the same
    run resolves from that file), then --dns-data, then spflint.lock, then live DNS unless
    --offline. YAML files are read as octoDNS zones, anything else as BIND master files.

    \b
    Examples:
      spflint zone --offline zones/db.example.com zones/db.example.net
      spflint zone --fix --bump-serial zones/*.zone
      spflint zone --diff config/example.com.yaml
    """
    if lock_path is not None and not lock_path.is_file():
        raise InputError(f"lock file {str(lock_path)!r} does not exist")
    config = load_settings_config(ctx, fmt)
    fixes = FixSettings(fix, unsafe_fixes, show_diff, bump_serial)
    report, code = execute(files, config, dns, fixes, LockSettings(lock_path, not no_lock))
    if report is not None:
        emit(report, fmt.format, global_settings(ctx).color)
    ctx.exit(code)
