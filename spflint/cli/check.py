"""``spflint check DOMAIN``: walk the SPF tree, run every rule, prove coverage."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..report.base import Note, Report, Styled
from .common import emit, exit_code, global_settings, load_settings_config
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
    from collections.abc import Callable, Sequence

    from ..check import CheckResult, Requirement
    from ..dns.base import Resolver
    from ..tree import Tree, TreeNode


def tree_lines(tree: Tree, color: bool = False) -> list[str]:
    """The include chain as a tree with each term's cost and the running total."""
    from ..semantics import MAX_LOOKUPS

    root = tree.root
    lines = [_headline(tree, color)]
    if root.record is not None:
        lines.append(f"  {root.record}")
    elif root.multiple:
        lines.extend(f"  {text}" for text in root.spf_records)
    rows: list[tuple[str, str, int | None]] = []
    _rows(root, "", rows, depth=0)
    running = 0
    width = max((len(r[0]) for r in rows), default=0)
    width = min(max(width, 40), 78)
    for label, note, cost in rows:
        if cost is None:
            lines.append(f"{label}{('  ' + note) if note else ''}")
            continue
        running += cost
        total = (f"{running:>3}", "1;31" if running > MAX_LOOKUPS and color else "")
        lines.append(Styled(f"{label:<{width}} {cost:>3} ", total,
                            f"  {note}" if note else ""))
    return lines


def _headline(tree: Tree, color: bool) -> str:
    over = tree.total_lookups > tree.limit
    lookups = f"{tree.total_lookups} DNS lookups (limit {tree.limit})"
    voids = f"{tree.void_total} void (limit {tree.void_limit})"
    style = ("1;31" if over else "1;32") if color else ""
    suffix = "" if tree.complete else f"  [incomplete: {tree.cut_reason}]"
    return Styled(f"{tree.root.name}: ", (lookups, style), f", {voids}{suffix}")


def _rows(node: TreeNode, prefix: str, rows: list[tuple[str, str, int | None]],
          depth: int) -> None:
    """Append one row per costly term of ``node`` (and recurse into includes)."""
    if node.parsed is None:
        return
    children = list(node.children)
    ignored = {t.term: t.reason for t in node.ignored_terms}
    entries: list[tuple[str, TreeNode | None, str]] = []
    for term in node.parsed.terms:
        text = node.parsed.text[term.span.start:term.span.end]
        kind = getattr(term, "kind", "")
        if kind not in ("include", "a", "mx", "ptr", "exists", "redirect"):
            continue
        child = None
        if kind in ("include", "redirect"):
            child = next((c for c in children if c.term == text), None)
            if child is not None:
                children.remove(child)
        entries.append((text, child, ignored.get(text, "")))
    for index, (text, child, reason) in enumerate(entries):
        last = index == len(entries) - 1
        branch = "└─ " if last else "├─ "
        label = f"{prefix}{branch}{text}"
        if reason:
            rows.append((label, f"(not counted: {reason})", None))
            continue
        if child is None:
            rows.append((label, "", 1))
            continue
        note = _node_note(child)
        if child.walked and child.subtree_lookups > 1 and not note:
            note = f"({1 + child.subtree_lookups} with what it includes)"
        # The include itself costs one; its own terms are listed below it.
        rows.append((label, note, 1))
        if child.walked and depth < 12:
            _rows(child, prefix + ("   " if last else "│  "), rows, depth + 1)
        elif child.duplicate_of is not None and child.subtree_lookups:
            # Walked once above, but receivers evaluate it again: its terms count again.
            rows.append((prefix + ("   " if last else "│  ") + "└─ (its terms, as above)",
                         "", child.subtree_lookups))


def _node_note(node: TreeNode) -> str:
    if node.error:
        return f"[{node.error}]"
    if node.loop:
        return "[loop: " + " → ".join(node.loop) + "]"
    if node.multiple:
        return f"[{len(node.spf_records)} SPF records: permerror]"
    if not node.has_spf and node.outcome is not None:
        if node.outcome.is_unknown:
            return "[not known offline]"
        return f"[no SPF record: {node.outcome.value}]"
    return ""


def requirement_lines(requirements: Sequence[Requirement]) -> list[str]:
    """One line per requirement: met, NOT MET or not checked, and why (``check`` and
    ``fix`` alike)."""
    lines = []
    for req in requirements:
        mark = "ok" if req.met else ("NOT MET" if req.checked else "not checked")
        src = "" if req.source == "require" else f" [{req.source}]"
        lines.append(f"{mark}: {req.term}{src}: {req.reason}")
    return lines


def coverage_lines(result: CheckResult) -> list[str]:
    lines: list[str] = []
    for cov in result.coverage:
        if not cov.checked:
            lines.append(f"{cov.ip}: not checked ({cov.unknown} is not known offline)")
            continue
        head = f"{cov.ip}: {cov.result}"
        if cov.matched:
            via = " → ".join(p["term"] for p in cov.path)
            head += f" (matched {cov.matched} in {cov.matched_in}" + (
                f", via {via})" if via else ")")
        lines.append(head)
        if cov.suggestion:
            lines.append(f"  to fix: {cov.suggestion}")
    lines.extend(requirement_lines(result.requirements))
    if result.relay is not None:
        lines.append("")
        lines.extend(result.relay.to_text().rstrip("\n").splitlines())
    elif result.profile and result.profile.get("relay_problem"):
        lines.append(f"Microsoft 365 relay: {result.profile['relay_problem']}")
    return lines


def _progress(domain: str) -> asyncio.Task[None] | None:
    """After a second on a terminal, say on standard error that the check is running."""
    if not sys.stderr.isatty():
        return None

    async def notice() -> None:
        await asyncio.sleep(1.0)
        sys.stderr.write(f"checking {domain}…\r")
        sys.stderr.flush()

    return asyncio.create_task(notice())


async def _run(domain: str, dns: DNSSettings, coverage: CoverageSettings,
               load_config: Callable[[], Any], snapshot: dict[str, Any] | None = None
               ) -> tuple[CheckResult, list[Note], Any]:
    resolver = make_resolver(dns)
    early = _ask_early(resolver, domain)
    log = getattr(resolver, "log", None)
    log_start = len(log) if isinstance(log, list) else None
    # A few turns of the event loop (microseconds each) take the questions from their tasks
    # to the socket: the resolver's shared task, then the exchange that sends. What follows
    # is imported while the answers travel.
    for _ in range(4):
        await asyncio.sleep(0)
    config = load_config()
    from ..check import run_check

    task = _progress(domain)
    try:
        result = await run_check(domain, resolver, config=config,
                                 ips=[str(ip) for ip in coverage.ips], require=coverage.require,
                                 profile=coverage.profile, deadline=dns.deadline,
                                 snapshot=snapshot, log_start=log_start)
    finally:
        if task is not None:
            task.cancel()
        for future in early:
            future.cancel()  # done already, unless the walk never started
        await asyncio.gather(*early, return_exceptions=True)
    return result, result.notes(resolver, UNKNOWN_HINT), config


def _ask_early(resolver: Resolver, domain: str) -> list[asyncio.Future[Any]]:
    """Send the questions the walk asks first (the domain's TXT and type 99 records) before
    the modules of the walk, the rules and the configuration are imported, so that their
    round trip overlaps the imports instead of following them. Only questions live DNS must
    answer: local data answers at once anyway. The resolver shares a question in flight and
    keeps its answer, so the walk asks nothing twice, and the walk counts its queries from
    the log as it was before these were sent."""
    from ..dns.names import normalize
    from ..errors import InputError

    try:
        name = normalize(domain)
    except InputError:
        return []  # the walk reports it
    answer_now = getattr(resolver, "answer_now", None)
    if not callable(answer_now):
        return []
    return [asyncio.ensure_future(resolver.query(name, rdtype)) for rdtype in ("TXT", "SPF")
            if answer_now(name, rdtype) is None]


# What to do about names nothing answered offline (check has no lock file).
UNKNOWN_HINT = "give their zone data with --dns-data, or check without --offline"


def check_data(result: CheckResult) -> dict[str, Any]:
    """The contract's JSON keys for ``check``."""
    tree = result.tree
    return {
        "domain": result.domain,
        "domain_unicode": result.unicode_domain,
        "record": tree.record,
        "lookups": tree.lookups_dict(),
        "tree": tree.root.to_dict(),
        "complete": tree.complete,
        "queries": tree.queries,
        "coverage": [c.to_dict() for c in result.coverage],
        "requirements": [r.to_dict() for r in result.requirements],
        "profile": result.profile,
        "drift": [d.to_dict() for d in result.drift],
    }


@click.command()
@click.argument("domain", required=False)
@click.option("--demo", is_flag=True,
              help=f"Check the bundled demo domain ({DEMO_DOMAIN}) from bundled zone data, "
                   "offline, with its relay printer's address as --ip.")
@click.option("--snapshot", "snapshot_path", metavar="FILE", default=None,
              type=click.Path(dir_okay=False, path_type=Path),
              help="A snapshot written by 'spflint fix --snapshot': fail when a flattened "
                   "include's ranges have drifted since.")
@dns_options
@coverage_options
@format_options
@click.pass_context
def check(ctx: click.Context, domain: str | None, demo: bool, snapshot_path: Path | None,
          dns: DNSSettings, coverage: CoverageSettings, fmt: FormatSettings) -> None:
    """Check DOMAIN's SPF policy: the whole include tree, every rule, and coverage.

    \b
    Examples:
      spflint check example.com
      spflint check example.com --ip 203.0.113.5 --profile m365-relay
      spflint check --demo --profile m365-relay
    """
    from ..errors import InputError

    if demo:
        domain = domain or DEMO_DOMAIN
        dns, coverage = with_demo(dns, coverage)
    if not domain:
        raise InputError("a domain is needed: spflint check DOMAIN (or --demo)")
    snapshot = None
    if snapshot_path is not None:
        from ..fix.drift import load_snapshot

        snapshot = load_snapshot(snapshot_path, domain)
    result, notes, config = asyncio.run(_run(domain, dns, coverage,
                                             lambda: load_settings_config(ctx, fmt), snapshot))
    outage = any(n.kind == "dns-outage" for n in notes)
    if outage:
        # Said once in the note: every lookup failed for the same reason, and an address
        # that got temperror from it is the run's network failing, not the policy.
        failed_ips = {c.ip for c in result.coverage if c.result == "temperror"}
        result.findings = [f for f in result.findings if f.code != "SPF225" and not (
            f.code == "SPF501" and f.term in failed_ips)]
    color = global_settings(ctx).color
    report = Report(command="check", diagnostics=result.findings, notes=notes)
    report.data.update(check_data(result))
    for node in result.tree.nodes():
        if node.record is not None:
            report.sources[(node.name, None)] = node.record
    if fmt.format == "text":
        from .common import use_color

        colored = use_color(color)
        report.text_body = tree_lines(result.tree, colored)
        if result.domain != result.unicode_domain:
            report.text_body.insert(0, f"({result.unicode_domain} is {result.domain})")
        report.text_footer = coverage_lines(result)
    emit(report, fmt.format, color)
    if result.dns_failed or outage:
        ctx.exit(3)
    ctx.exit(exit_code(result.findings, config.fail_on, result.requirements_met))
