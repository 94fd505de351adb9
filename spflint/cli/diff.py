"""``spflint diff OLD NEW``: which IP ranges get a different SPF result, and how."""

from __future__ import annotations

import asyncio
from typing import Any

import click

from ..diffsummary import DiffSummary, summarize
from ..dns.base import Answer, Outcome, Resolver
from ..errors import DNSFailure, InputError, SpfSyntaxError
from ..ipspace import IPSpace, RangeChange, semantic_diff
from ..report.base import Report
from ..semantics import MAX_LOOKUPS as LOOKUP_LIMIT
from .common import emit, exit_code, global_settings, load_settings_config
from .options import DNSSettings, FormatSettings, dns_options, format_options, make_resolver


class FailureWatch:
    """Passes questions on to ``inner`` and keeps every answer that failed (timeout,
    SERVFAIL, error, or the run's time or query cap): a map built on one is no verdict."""

    def __init__(self, inner: Resolver) -> None:
        self.inner = inner
        self.failures: list[Answer] = []

    async def query(self, name: str, rdtype: str) -> Answer:
        try:
            answer = await self.inner.query(name, rdtype)
        except Exception as exc:
            self.failures.append(Answer(name, rdtype, Outcome.ERROR,
                                        detail=f"resolver error: {exc}"))
            raise
        if answer.outcome.is_failure:
            self.failures.append(answer)
        return answer


def failure_message(failures: list[Answer]) -> str:
    """One line naming the failed questions (the first few)."""
    shown = [f"{a.rdtype} {a.name}: {a.detail or a.outcome.value}" for a in failures[:3]]
    more = f" (and {len(failures) - 3} more)" if len(failures) > 3 else ""
    return "DNS lookups failed, so there is no diff: " + "; ".join(shown) + more


def side_data(space: IPSpace) -> dict[str, Any]:
    """What one side costs and where it is not static."""
    return {"lookups": space.lookups, "void": space.voids,
            "dynamic": list(space.dynamic_terms), "pinned": list(space.pinned_terms)}


# Range lines shown in text before "... N more": a whole diff of a policy over the lookup
# limit is hundreds of ranges, which the summary above them says in a few lines.
SHOWN_RANGES = 20


def range_lines(changes: list[RangeChange], *, limit: int | None = SHOWN_RANGES) -> list[str]:
    """``range: before → after`` lines, at most ``limit`` (None: all) then how many more."""
    shown = changes if limit is None or len(changes) <= limit + 5 else changes[:limit]
    lines = [f"  {c.network}: {c.before} → {c.after}" for c in shown]
    if len(shown) < len(changes):
        lines.append(f"  ... {len(changes) - len(shown)} more ranges (--all lists every one;"
                     " --format json has them all)")
    return lines


def text_lines(before: IPSpace, after: IPSpace, changes: list[RangeChange],
               summary: DiffSummary | None = None, *, ranges: bool = True,
               limit: int | None = SHOWN_RANGES) -> list[str]:
    """The summary (term changes, result changes by kind), then the ranges (unless
    ``ranges`` is False), then notes on the lookup limit, pinned and dynamic terms."""
    lines: list[str] = []
    if not changes:
        lines.append("no change: every address gets the same result")
    if summary is not None:
        lines.extend(summary.text_lines())
    if changes and ranges:
        lines.append(f"Ranges ({len(changes)}):")
        lines.extend(range_lines(changes, limit=limit))
    elif changes:
        lines.append(f"{len(changes)} range{'' if len(changes) == 1 else 's'} change"
                     f"{'s' if len(changes) == 1 else ''} (leave out --summary to list them)")
    for label, space in (("old", before), ("new", after)):
        if space.lookups > LOOKUP_LIMIT:
            lines.append(f"note: {label} needs {space.lookups} DNS lookups (limit "
                         f"{LOOKUP_LIMIT}): receivers return permerror for addresses not "
                         "matched early")
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
@click.option("--summary", "summary_only", is_flag=True,
              help="Text: the term and result changes only, without the list of ranges.")
@click.option("--all", "all_ranges", is_flag=True,
              help=f"Text: list every range (by default the first {SHOWN_RANGES} of a long "
                   "list).")
@dns_options
@format_options
@click.pass_context
def diff(ctx: click.Context, old: str, new: str, domain: str | None, fail_on_change: bool,
         summary_only: bool, all_ranges: bool, dns: DNSSettings, fmt: FormatSettings) -> None:
    """Show the IP ranges whose SPF result differs between OLD and NEW.

    OLD and NEW are record texts (starting 'v=spf1') or domains whose published policy is
    fetched. Text output starts with a summary: the terms added, removed and changed, and
    the result changes grouped by kind with their size; then the ranges (the first
    20 of a long list unless --all; none with --summary). Results come from the whole
    tree; a and mx ranges are pinned to today's DNS answers and exists, ptr and macros are
    shown as dynamic steps. A DNS failure on either side gives no diff: exit 3.

    \b
    Examples:
      spflint diff 'v=spf1 ip4:192.0.2.0/24 ~all' 'v=spf1 ip4:192.0.2.0/25 -all'
      spflint diff example.com 'v=spf1 include:_spf.example.net -all'
      spflint diff --summary example.com 'v=spf1 include:_spf.example.net -all'
    """
    config = load_settings_config(ctx, fmt)
    if summary_only and all_ranges:
        raise InputError("--summary leaves the ranges out and --all lists them all: "
                         "give one of them")
    from ..txt import from_outside

    old, new = from_outside(old), from_outside(new)
    if domain is not None:
        from ..check import checkable_domain

        domain = checkable_domain(domain)
    watch = FailureWatch(make_resolver(dns))
    try:
        before, after, changes, summary = asyncio.run(_run(old, new, watch, domain))
    except SpfSyntaxError as exc:
        raise InputError(f"cannot parse {exc.text!r}: {exc}") from None
    if watch.failures or summary is None:
        raise DNSFailure(failure_message(watch.failures))
    report = Report(command="diff", summary=False)
    report.data["changes"] = [c.to_dict() for c in changes]
    report.data["old"] = side_data(before)
    report.data["new"] = side_data(after)
    report.data["summary"] = summary.to_dict()
    report.text_body = text_lines(before, after, changes, summary, ranges=not summary_only,
                                  limit=None if all_ranges else SHOWN_RANGES)
    emit(report, fmt.format, global_settings(ctx).color)
    code = exit_code(report.diagnostics, config.fail_on)
    ctx.exit(max(code, 1 if fail_on_change and changes else 0))


async def _run(old: str, new: str, watch: FailureWatch, domain: str | None
               ) -> tuple[IPSpace, IPSpace, list[RangeChange], DiffSummary | None]:
    """The diff and its summary in one event loop; no summary when a lookup of the diff
    failed (there is no diff then).

    The summary asks the resolver itself, not the watch: its questions are mostly the
    diff's again, and the others (what a side over the lookup limit would match without the
    limit) only explain the diff, so their failures must not stop it.
    """
    before, after, changes = await semantic_diff(old, new, watch, domain=domain)
    if watch.failures:
        return before, after, changes, None
    summary = await summarize(old, new, before, after, changes, watch.inner)
    return before, after, changes, summary
