"""``spflint explain TOPIC``: a rule's documentation page, or another registered topic."""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterable
from typing import TYPE_CHECKING, Protocol

import click

from ..errors import InputError
from ..report.base import Report
from .common import emit, exit_code, global_settings, load_settings_config
from .options import FormatSettings, format_options

if TYPE_CHECKING:
    from ..rules import Rule


class TopicProvider(Protocol):
    """A family of pages ``explain`` can show, such as rules or mail-server error codes."""

    title: str

    def lookup(self, key: str) -> str | None:
        """The page for ``key``, or None when this provider does not know it."""
        ...

    def topics(self) -> Iterable[str]:
        """Every key this provider answers (used for close-match suggestions)."""
        ...

    def table(self) -> list[tuple[str, str]]:
        """``(key, one-line summary)`` rows for ``explain --list``."""
        ...


def rule_page(rule: Rule) -> str:
    """A rule's page: the same Markdown as ``docs/rules/<CODE>.md``."""
    from ..rules.docs import render_page

    return render_page(rule)


class RuleTopics:
    """Rules, by code, kebab-case name or alias."""

    title = "Rules"

    def lookup(self, key: str) -> str | None:
        from ..rules import registry

        reg = registry()
        return rule_page(reg.get(key)) if key in reg else None

    def topics(self) -> Iterable[str]:
        from ..rules import registry

        for rule in registry():
            yield rule.code
            yield rule.name
            yield from rule.aliases

    def table(self) -> list[tuple[str, str]]:
        from ..rules import registry

        return [(r.code, f"{r.name:<28} {r.severity!s:<8} {r.summary}") for r in registry()]


# Further topic families plug in here as "module:attribute" of a TopicProvider; a provider
# whose module is not present is skipped, so a topic can be listed before it ships.
EXTRA_TOPICS: dict[str, str] = {"m365-relay": "spflint.m365:TOPIC_PROVIDER"}


def providers() -> list[TopicProvider]:
    """The rule topics first, then every extra provider whose module is present."""
    found: list[TopicProvider] = [RuleTopics()]
    for target in EXTRA_TOPICS.values():
        module_name, _, attr = target.partition(":")
        try:
            present = importlib.util.find_spec(module_name) is not None
        except ModuleNotFoundError:
            present = False
        if present:
            found.append(getattr(importlib.import_module(module_name), attr))
    return found


def find_page(topic: str, sources: list[TopicProvider]) -> str:
    """The first provider's page for ``topic``.

    :raises InputError: no provider knows it; the message lists close matches.
    """
    for provider in sources:
        page = provider.lookup(topic)
        if page is not None:
            return page
    from ..suggest import close_matches, did_you_mean

    keys = sorted({k for provider in sources for k in provider.topics()})
    close = did_you_mean(close_matches(topic, keys, limit=5))
    raise InputError(f"no rule or topic '{topic}'{close} (spflint explain --list shows them all)")


def list_text(sources: list[TopicProvider]) -> str:
    """Every provider's table, each under its title."""
    blocks = []
    for provider in sources:
        rows = provider.table()
        width = max((len(key) for key, _ in rows), default=0)
        lines = [f"{provider.title}:"] + [f"  {key:<{width}}  {text}".rstrip()
                                          for key, text in rows]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


@click.command()
@click.argument("topic", required=False, metavar="CODE_OR_NAME")
@click.option("--list", "list_all", is_flag=True, help="List every rule (and other topic).")
@format_options
@click.pass_context
def explain(ctx: click.Context, topic: str | None, list_all: bool, fmt: FormatSettings) -> None:
    """Show the documentation page of a rule, by code (SPF301) or name (pass-all).

    \b
    Examples:
      spflint explain SPF301
      spflint explain too-many-dns-lookups
      spflint explain --list
    """
    config = load_settings_config(ctx, fmt)
    sources = providers()
    report = Report(command="explain", summary=False)
    if list_all:
        report.data["topics"] = [{"family": p.title, "key": key, "summary": text}
                                 for p in sources for key, text in p.table()]
        report.text_body = list_text(sources).rstrip("\n").split("\n")
    elif topic is None:
        raise click.UsageError("give a rule code or name, or --list", ctx)
    else:
        page = find_page(topic, sources)
        report.data.update({"topic": topic, "page": page})
        report.text_body = page.rstrip("\n").split("\n")
    emit(report, fmt.format, global_settings(ctx).color)
    ctx.exit(exit_code(report.diagnostics, config.fail_on))
