"""``spflint lock [FILE|DIR]...``: record the external DNS answers the zones' SPF trees need."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from ..dns.base import Answer
from ..errors import InputError
from .common import echo_text, error, load_settings_config, os_error_message
from .options import DNSSettings, FormatSettings, dns_options, format_options
from .zone import gather, include_root_option, zone_resolver


@click.command()
@click.argument("files", nargs=-1, metavar="[FILE|DIR]...")
@click.option("--check", "check_only", is_flag=True,
              help="Resolve again and fail (exit 1) with a diff when an answer changed; "
                   "write nothing.")
@click.option("--lock", "lock_path", metavar="FILE", default="spflint.lock", show_default=True,
              type=click.Path(dir_okay=False, path_type=Path), help="The lock file.")
@click.option("--allow-nxdomain", is_flag=True,
              help="Write the lock even when well-known providers or every name come back "
                   "NXDOMAIN (normally a sign of a resolver that lies).")
@include_root_option
@click.option("--no-repo", is_flag=True,
              help="Answer only from the files given, not from the repository's other zone "
                   "files.")
@dns_options
@format_options
@click.pass_context
def lock(ctx: click.Context, files: tuple[str, ...], check_only: bool, lock_path: Path,
         allow_nxdomain: bool, include_roots: tuple[str, ...], no_repo: bool,
         dns: DNSSettings, fmt: FormatSettings) -> None:
    """Record the TXT, A, AAAA and MX answers of every external name the zones need.

    The zones (those of FILE, else every zone file of the repository, chosen as 'spflint
    zone' chooses them) have their SPF trees walked (and per-zone requirements evaluated)
    with the repository's zones and --dns-data answering first; every name live DNS had to
    answer is recorded in the lock file, which 'spflint zone' then answers from. Unchanged
    answers keep their date, so the file only changes when DNS does.

    \b
    Examples:
      spflint lock
      spflint lock --check zones/*.zone     # in CI: exit 1 when a provider changed
    """
    from ..check import outage_note
    from ..zones.check import check_zones_async, read_sources, requirements_from_config
    from ..zones.lock import (
        LockFile,
        RecordingResolver,
        compare,
        implausible,
        read_lock,
        record_names,
        render_changes,
        summary,
        write_lock,
    )

    if dns.offline:
        raise InputError("spflint lock asks live DNS; it cannot run with --offline")
    config = load_settings_config(ctx, fmt)
    requirements = requirements_from_config(config.require)
    gathered = gather(files, repo=not no_repo, include_roots=include_roots)
    zones, errors = read_sources(gathered.selection.zones, include_roots)
    errors = [*gathered.selection.errors, *errors]
    if errors:
        for exc in errors:
            error(str(exc))
        ctx.exit(2)
    old = read_lock(lock_path) if lock_path.is_file() else None
    if check_only and old is None:
        raise InputError(f"no lock file {str(lock_path)!r} to check")
    inner = zone_resolver(dns, zones, gathered=gathered)

    async def run() -> tuple[LockFile, list[Answer]]:
        recording = RecordingResolver(inner)
        await check_zones_async(zones, [], config, recording, requirements=requirements,
                                timeout=dns.remaining())
        live = getattr(inner, "live", None)
        if live is not None:
            live.cache_clear()  # record full TTLs, not what is left of them in the cache
        return await record_names(recording.external, inner, old, str(lock_path))

    new, failures = asyncio.run(run())
    outage = outage_note(inner)
    if outage is not None:
        error(f"{outage.message}; {lock_path} is not written")
        ctx.exit(3)
    if failures:
        for answer in failures:
            error(f"{answer.rdtype} {answer.name}: {answer.detail or answer.outcome.value}")
        ctx.exit(3)
    suspect = None if allow_nxdomain else implausible(new)
    if suspect is not None:
        error(f"{suspect}: the resolver ({_servers(inner)}) looks like it does not answer "
              f"truthfully; {lock_path} is not written (check the resolver with "
              "--nameserver, or use --allow-nxdomain if these names really do not exist)")
        ctx.exit(3)
    if check_only:
        assert old is not None
        changes = compare(old, new)
        if changes:
            echo_text(render_changes(changes, str(lock_path)), nl=False)
            ctx.exit(1)
        echo_text(f"{lock_path} is up to date: {summary(new, None)}")
        ctx.exit(0)
    try:
        write_lock(lock_path, new)
    except OSError as exc:
        message = os_error_message(exc, lock_path)
        raise InputError(f"cannot write the lock file: {message}") from None
    echo_text(f"wrote {lock_path}: {summary(new, old)}")


def _servers(resolver: object) -> str:
    """The live servers a resolver asks, as text."""
    live = getattr(resolver, "live", None)
    source = getattr(live, "source", None)
    return source[4:] if isinstance(source, str) and source.startswith("dns ") else str(source)
