"""``spflint fix``: minimal corrected record(s), proven to keep every address's result."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import click

from ..errors import InputError
from ..fix import FixError, FixOptions, FixResult, fix_policy
from ..report.base import Report
from .common import emit, global_settings, handle_errors
from .options import CoverageSettings, DNSSettings, coverage_options, dns_options
from .query import make_resolver

M365_INCLUDE = "include:spf.protection.outlook.com"


def options_from(domain: str | None, record: str | None, coverage: CoverageSettings,
                 unsafe: bool, keep: tuple[str, ...], flatten: tuple[str, ...],
                 max_size: int) -> FixOptions:
    """The library's options; ``--profile m365-relay`` requires Microsoft 365's include."""
    require = list(coverage.require)
    if coverage.profile == "m365-relay" and M365_INCLUDE not in [r.lower() for r in require]:
        require.append(M365_INCLUDE)
    return FixOptions(domain=domain, record=record, ips=tuple(str(ip) for ip in coverage.ips),
                      require=tuple(require), unsafe=unsafe, keep=keep, flatten=flatten,
                      max_size=max_size)


def text_lines(result: FixResult) -> list[str]:
    lines: list[str] = []
    for record in result.records:
        name = record.name or "(record)"
        lines.append(f"{name} TXT " + " ".join(f'"{s}"' for s in record.strings))
    lines.append(f"lookups: {result.lookups}/10, void lookups: {result.voids}/2")
    if result.changes:
        lines.append("changes:")
        for change in result.changes:
            what = " → ".join(x for x in (change.before, change.after) if x) or ""
            safety = "safe" if change.safe else "changes results"
            lines.append(f"  {change.kind} [{safety}]: {what}".rstrip(": ")
                         + f"\n      {change.reason}")
    else:
        lines.append("no change needed")
    lines.append("verified: every address gets the same result as before, except the changes "
                 "listed as changing results")
    return lines


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
@dns_options
@click.option("--format", "-f", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True, help="Output format.")
@click.pass_context
def fix(ctx: click.Context, domain: str | None, record: str | None,
        coverage: CoverageSettings, unsafe: bool, keep: tuple[str, ...],
        flatten: tuple[str, ...], snapshot_path: Path | None, max_size: int,
        dns: DNSSettings, output_format: str) -> None:
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
    with handle_errors(ctx):
        if domain is None and record is None:
            raise InputError("give a DOMAIN or --record TEXT")
        options = options_from(domain, record, coverage, unsafe, keep, flatten, max_size)
        resolver = make_resolver(dns)
        report = Report(command="fix")
        try:
            result = asyncio.run(fix_policy(options, resolver))
        except FixError as exc:
            if output_format == "json":
                report.data.update({"records": [], "changes": [c.to_dict() for c in exc.changes],
                                    "lookups": None, "instructions": [], "error": exc.message})
                emit(report, "json", global_settings(ctx).color)
            click.echo(f"spflint: error: no proven record: {exc.message}", err=True)
            ctx.exit(1)
        if snapshot_path is not None:
            data: dict[str, Any] = result.snapshot or {"flattened": []}
            snapshot_path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        if output_format == "json":
            report.data.update({
                "records": [r.to_dict() for r in result.records],
                "changes": [c.to_dict() for c in result.changes],
                "lookups": result.lookups,
                "instructions": [],
                "void": result.voids,
                "original": result.original,
            })
            emit(report, "json", global_settings(ctx).color)
        else:
            click.echo("\n".join(text_lines(result)))
        ctx.exit(0)
