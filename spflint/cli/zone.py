"""``spflint zone [FILE|DIR]...``: lint (and fix in place) the SPF records of zone files."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..check import unknown_note
from ..config import Config
from ..dns.base import Resolver
from ..errors import InputError
from ..report.base import Note, Report
from .common import echo_text, emit, error, exit_code, global_settings, load_settings_config
from .options import DNSSettings, FormatSettings, dns_options, format_options, make_resolver

if TYPE_CHECKING:
    from ..dns.offline import OfflineResolver
    from ..zones.check import Requirement, ZoneCheck
    from ..zones.discover import Selection, ZoneSource
    from ..zones.model import ZoneFile
    from ..zones.repo import RepoResolver

# What to do about names nothing answered offline.
LOCK_HINT = "`spflint lock` pins them"
# Skipped files listed in text output; a pre-commit run over a whole repository passes
# hundreds of files that are not zones.
SHOWN_SKIPPED = 20


include_root_option = click.option(
    "--include-root", "include_roots", multiple=True, metavar="DIR",
    type=click.Path(exists=True, file_okay=False, path_type=str),
    help="A directory $INCLUDE may also read from (repeatable); by default only the zone "
         "file's own directory tree and its repository.")


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


async def apply_fixes(zones: list[Any], config: Config, fixes: FixSettings, resolver: Any,
                      requirements: list[Any], include_roots: tuple[str, ...] = ()
                      ) -> tuple[list[Any], int]:
    """Plan and (unless ``--diff``) write the fixes; the changes and how many files failed.

    Each record gets what the fix pipeline proves for it (see :mod:`spflint.zones.fixes`),
    resolved repository-first.
    """
    from ..errors import SpflintError
    from ..zones.fixes import minimal_texts
    from ..zones.model import content_hash
    from ..zones.rewrite import plan_rewrite, unified_diff, write_atomic

    texts = await minimal_texts(zones, config, resolver, unsafe=fixes.unsafe,
                                requirements=requirements)
    changes = plan_rewrite(zones, texts, bump_serial=fixes.bump_serial,
                           include_roots=include_roots)
    if fixes.diff:
        for change in changes:
            echo_text(unified_diff(change), nl=False)
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


@dataclass
class Gathered:
    """What a run checks: the zones selected, the files skipped, and the repository (None with
    ``--no-repo``) whose other zones answer questions."""

    selection: Selection
    root: str | None = None  # the repository's top directory, as a path from here
    repository: list[ZoneSource] | None = None  # its zones
    rest: RepoResolver | None = None  # the repository layer of the last resolver built
    # requirements left to the runs over the files that hold their names
    unchecked: list[tuple[Requirement, list[str]]] = field(default_factory=list)
    include_roots: tuple[str, ...] = ()  # more directories $INCLUDE may read (--include-root)

    def layers(self, zones: list[ZoneFile]) -> list[OfflineResolver]:
        """The first resolver layers for ``zones``: themselves, then the rest of the
        repository (a fresh layer, kept in :attr:`rest` for the report)."""
        from ..zones.check import rest_of_repository, zone_layers

        self.rest = None if self.repository is None else \
            rest_of_repository(zones, self.repository, self.include_roots)
        return zone_layers(zones, self.rest)


def gather(files: tuple[str, ...], *, repo: bool = True,
           include_roots: tuple[str, ...] = ()) -> Gathered:
    """The zones of ``files``, or of the whole repository when none are given.

    The repository is the git top-level of the working directory (the closest directory
    above holding ``.git``), else the working directory. It is always searched (a file given
    may be a fragment another file includes); its other zones answer questions unless
    ``repo`` is False (``--no-repo``).

    :raises InputError: no file given and no zone file in the repository.
    """
    import os

    from ..zones.discover import Selection, discover, find_repository_root, select

    top = find_repository_root(".")
    root = os.path.relpath(top) if top is not None else "."
    found = discover(root)
    if files:
        selection = select(files, repository=found)
    else:
        if not found.zones:
            where = os.path.abspath(root)
            raise InputError(f"no zone file found in {where} (BIND-family master files and"
                             " octoDNS zones are recognised by their content; name files or"
                             " directories to check)")
        selection = Selection(zones=list(found.zones), skipped=list(found.skipped))
    # A zone too large to read still speaks for its names: they are unknown, not missing.
    return Gathered(selection, root, [*found.zones, *found.oversized] if repo else None,
                    include_roots=include_roots)


def zone_resolver(dns: DNSSettings, zones: list[ZoneFile], lock: Any = None,
                  gathered: Gathered | None = None) -> Resolver:
    """The run's resolver, repository first: the names ``zones`` define, then the other zones
    of the repository (``gathered``), then ``--dns-data``, then the lock file, then live DNS
    unless ``--offline``; within the run's ``--timeout``."""
    from ..zones.check import zone_layers
    from ..zones.lock import LockResolver

    first = gathered.layers(zones) if gathered is not None else zone_layers(zones)
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
            lock: LockSettings, repo: bool = True, include_roots: tuple[str, ...] = ()
            ) -> tuple[Report | None, int]:
    """Run the command; the report (None for ``--diff``) and the exit code."""
    import asyncio
    import gc

    from ..zones.check import read_sources

    gathered = gather(files, repo=repo, include_roots=include_roots)
    selection = gathered.selection
    zones, errors = read_sources(selection.zones, include_roots)
    # The zones live until the process ends: the cycle collector need not scan them again.
    gc.freeze()
    errors = [*selection.errors, *errors]
    for exc in errors:
        error(str(exc))
    return asyncio.run(_execute(zones, errors, config, dns, fixes, lock, gathered))


async def _execute(zones: list[ZoneFile], errors: list[Any], config: Config,
                   dns: DNSSettings, fixes: FixSettings, lock: LockSettings,
                   gathered: Gathered) -> tuple[Report | None, int]:
    """The command after reading, in one event loop: fixes, then the check."""
    from ..zones.check import check_zones_async, read_sources, requirements_from_config
    from ..zones.lock import find_lock, read_lock

    requirements = requirements_from_config(config.require)
    fixed: list[Any] = []
    fix_failures = 0
    lock_path = find_lock(lock.path) if lock.use else None
    lock_file = read_lock(lock_path) if lock_path is not None else None

    def resolver_for(current: list[ZoneFile]) -> Resolver:
        return zone_resolver(dns, current, lock_file, gathered)

    if fixes.fix or fixes.diff:
        changes, fix_failures = await apply_fixes(zones, config, fixes, resolver_for(zones),
                                                  requirements, gathered.include_roots)
        if fixes.diff:
            code = 2 if errors or fix_failures else (1 if changes else 0)
            return None, code
        fixed = changes
        if fixed:
            by_path = {z.path: z for z in gathered.selection.zones}
            zones, more = read_sources([by_path[z.path] for z in zones],
                                       gathered.include_roots)
            errors.extend(more)
    # Built afresh: after --fix the zones answer with their corrected records.
    resolver = resolver_for(zones)
    requirements, gathered.unchecked = split_requirements(requirements, zones, gathered.rest)
    check = await check_zones_async(zones, errors, config, resolver, requirements=requirements,
                                    timeout=dns.remaining())
    report = build_report(check, fixed, lock_path, gathered)
    code = run_code(exit_code(check.findings, config.fail_on, check.requirements_met),
                    bool(errors or fix_failures), bool(check.dns_failures))
    return report, code


def split_requirements(requirements: list[Requirement], zones: list[ZoneFile],
                       rest: RepoResolver | None
                       ) -> tuple[list[Requirement], list[tuple[Requirement, list[str]]]]:
    """The requirements this run checks, and those it leaves to runs over other files.

    A requirement is checked when one of ``zones`` publishes the name's SPF record, or when no
    file of the repository holds the name (then it is not met). A name another repository
    file holds is that file's: a commit that does not change it does not check it.
    """
    if rest is None:
        return requirements, []
    owned = {record.name for zone in zones for record in zone.spf_records}
    checked: list[Requirement] = []
    elsewhere: list[tuple[Requirement, list[str]]] = []
    for requirement in requirements:
        holders = [] if requirement.name in owned else rest.holders(requirement.name)
        if holders:
            elsewhere.append((requirement, holders))
        else:
            checked.append(requirement)
    return checked, elsewhere


def summary_text(check: ZoneCheck, gathered: Gathered) -> str:
    """The last line of the text report: what was checked, then what was found; never
    ``no problems found`` when no zone was checked or a file could not be read."""
    from ..report.text import summary_line

    checked = len(check.zones)
    failed = len(check.errors)
    skipped = len(gathered.selection.skipped)
    if not checked and not failed:
        given = gathered.selection.given
        if given:
            return (f"no zone files among the {given} file{_s(given)} given"
                    f" ({skipped} skipped)")
        return "no zone file checked"
    head = f"{checked} zone file{_s(checked)} checked"
    if failed:
        head += f", {failed} could not be read"
    if check.dns_failures:
        head += f", {len(check.dns_failures)} DNS failure{_s(len(check.dns_failures))}"
    if skipped:
        head += f" ({skipped} file{_s(skipped)} skipped)"
    if not check.findings and (failed or check.dns_failures):
        return head
    return f"{head}: {summary_line(check.findings)}"


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def build_report(check: ZoneCheck, fixed: list[Any], lock_path: Path | None,
                 gathered: Gathered | None = None) -> Report:
    """The ``zone`` report: ``files`` (per contract), ``skipped``, ``requirements``,
    ``fixed``, ``lock``, ``dns_failures`` and ``repository``."""
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
    skipped = [] if gathered is None else gathered.selection.skipped
    report.data["skipped"] = [s.to_dict() for s in skipped]
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
    rest = None if gathered is None else gathered.rest
    report.data["repository"] = None if gathered is None or gathered.repository is None else {
        "root": gathered.root,
        "zones": len(gathered.repository),
        "read": [] if rest is None else list(rest.read),
        "errors": [] if rest is None else [f.to_dict() for f in rest.failures],
        "requirements_not_checked": [
            {"name": r.name, r.kind if r.kind == "ip" else "term": r.value, "files": files}
            for r, files in gathered.unchecked],
    }
    if check.outage is not None:
        report.notes.append(Note("dns-outage", "error", check.outage))
    # Names under a repository file that could not be read are not external: its own note
    # says why they are unknown.
    external = [u for u in check.unknown if rest is None or not rest.failed_for(u.name)]
    note = unknown_note(external, check.unchecked(), hint=LOCK_HINT)
    if note is not None:
        report.notes.append(note)
    if rest is not None:
        report.notes.extend(
            Note("files", "info", f"{f.message} (read to answer questions under {f.origin}:"
                                  " names under it were unknown)", (f.path,))
            for f in rest.failures)
    if gathered is not None and gathered.unchecked:
        names = sorted({r.name for r, _files in gathered.unchecked})
        holders = sorted({f for _r, held in gathered.unchecked for f in held})
        report.notes.append(Note("files", "info", f"requirements of {', '.join(names)} not"
                                                  " checked: their zone files are not among"
                                                  " the files given", tuple(holders)))
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
    report.text_footer.extend(f"skipped {s.path}: {s.reason}" for s in skipped[:SHOWN_SKIPPED])
    if len(skipped) > SHOWN_SKIPPED:
        report.text_footer.append(f"... and {len(skipped) - SHOWN_SKIPPED} more files skipped"
                                  " (--format json lists them all)")
    if gathered is not None:
        report.summary_text = summary_text(check, gathered)
    return report


@click.command()
@click.argument("files", nargs=-1, metavar="[FILE|DIR]...")
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
@click.option("--no-repo", is_flag=True,
              help="Answer only from the files given, not from the repository's other zone "
                   "files.")
@include_root_option
@dns_options
@format_options
@click.pass_context
def zone(ctx: click.Context, files: tuple[str, ...], fix: bool, unsafe_fixes: bool,
         show_diff: bool, bump_serial: bool, lock_path: Path | None, no_lock: bool,
         no_repo: bool, include_roots: tuple[str, ...], dns: DNSSettings,
         fmt: FormatSettings) -> None:
    """Lint the SPF records in BIND-family or octoDNS zone files.

    Without FILE, every zone file of the repository (the git top-level, else the working
    directory) is checked. Zone files are recognised by their content; a file given that is
    not one is skipped, a file pulled in with $INCLUDE stands for the zones including it.

    Names the files define answer first, then the repository's other zone files (read only
    when a question falls under their zone; --no-repo turns this off), then --dns-data, then
    spflint.lock, then live DNS unless --offline.

    \b
    Examples:
      spflint zone --offline
      spflint zone --offline zones/db.example.com zones/db.example.net
      spflint zone --fix --bump-serial zones/
      spflint zone --diff config/example.com.yaml
    """
    if lock_path is not None and not lock_path.is_file():
        raise InputError(f"lock file {str(lock_path)!r} does not exist")
    config = load_settings_config(ctx, fmt)
    fixes = FixSettings(fix, unsafe_fixes, show_diff, bump_serial)
    report, code = execute(files, config, dns, fixes, LockSettings(lock_path, not no_lock),
                           repo=not no_repo, include_roots=include_roots)
    if report is not None:
        emit(report, fmt.format, global_settings(ctx).color)
    ctx.exit(code)
