"""``spflint diff OLD NEW``: which IP ranges get a different SPF result, and how."""

from __future__ import annotations

import asyncio
from typing import Any

import click

from ..errors import InputError, SpfSyntaxError
from ..ipspace import IPSpace, RangeChange, semantic_diff
from ..report.base import Report
from .common import emit, global_settings, handle_errors
from .options import DNSSettings, dns_options
from .query import make_resolver


def side_data(space: IPSpace) -> dict[str, Any]:
    """What one side costs and where it is not static."""
    return {"lookups": space.lookups, "void": space.voids,
            "dynamic": list(space.dynamic_terms), "pinned": list(space.pinned_terms)}


def text_lines(before: IPSpace, after: IPSpace, changes: list[RangeChange]) -> list[str]:
    """One ``range: before → after`` line per change, then notes on pinned and dynamic terms."""
    lines = [f"{c.network}: {c.before} → {c.after}" for c in changes]
    if not changes:
        lines.append("no change: every address gets the same result")
    for label, space in (("old", before), ("new", after)):
        if space.lookups > 10:
            lines.append(f"note: {label} needs {space.lookups} DNS lookups (limit 10): receivers "
                         "return permerror for addresses not matched early")
        if space.pinned_terms:
            lines.append(f"note: {label} ranges from {', '.join(space.pinned_terms)} are "
                         "pinned to today's DNS answers")
        if space.dynamic_terms:
            lines.append(f"note: {label} has dynamic steps decided per connection: "
                         f"{', '.join(space.dynamic_terms)}")
    return lines


@click.command()
@click.argument("old", metavar="OLD")
@click.argument("new", metavar="NEW")
@click.option("--domain", metavar="DOMAIN", default=None,
              help="The domain record texts stand for (the target of a bare a or mx) "
                   "[default: the other argument when it is a domain].")
@click.option("--fail-on-change", is_flag=True, help="Exit 1 when any address's result changes.")
@dns_options
@click.option("--format", "-f", "output_format", type=click.Choice(["text", "json"]),
              default="text", show_default=True, help="Output format.")
@click.pass_context
def diff(ctx: click.Context, old: str, new: str, domain: str | None, fail_on_change: bool,
         dns: DNSSettings, output_format: str) -> None:
    """Show the IP ranges whose SPF result differs between OLD and NEW.

    OLD and NEW are record texts (starting 'v=spf1') or domains whose published policy is
    fetched. Results come from the whole tree; a and mx ranges are pinned to today's DNS
    answers and exists, ptr and macros are shown as dynamic steps.

    \b
    Examples:
      spflint diff 'v=spf1 ip4:192.0.2.0/24 ~all' 'v=spf1 ip4:192.0.2.0/25 -all'
      spflint diff example.com 'v=spf1 include:_spf.example.net -all'
    """
    with handle_errors(ctx):
        resolver = make_resolver(dns)
        try:
            before, after, changes = asyncio.run(semantic_diff(old, new, resolver,
                                                               domain=domain))
        except SpfSyntaxError as exc:
            raise InputError(f"cannot parse {exc.text!r}: {exc}") from None
        if output_format == "json":
            report = Report(command="diff")
            report.data["changes"] = [c.to_dict() for c in changes]
            report.data["old"] = side_data(before)
            report.data["new"] = side_data(after)
            emit(report, "json", global_settings(ctx).color)
        else:
            click.echo("\n".join(text_lines(before, after, changes)))
        ctx.exit(1 if fail_on_change and changes else 0)
