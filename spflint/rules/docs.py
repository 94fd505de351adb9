"""Rule documentation pages, shared by ``spflint explain`` and the docs generator."""

from __future__ import annotations

from collections.abc import Iterable

from . import Rule

_NO_FIX = "No automatic fix"


def section(doc: str, heading: str) -> str:
    """The text under ``## heading`` in a rule docstring (empty when absent)."""
    out: list[str] = []
    inside = False
    for line in doc.splitlines():
        if line.startswith("## "):
            if inside:
                break
            inside = line[3:].strip() == heading
            continue
        if inside:
            out.append(line)
    return "\n".join(out).strip()


def fixable(rule: Rule) -> str:
    """``no``, ``safe``, ``unsafe`` or ``yes``, from ``FIXABLE`` or the Fix safety section."""
    declared = getattr(rule.module, "FIXABLE", None)
    if isinstance(declared, str):
        return declared
    if isinstance(declared, bool):
        return "yes" if declared else "no"
    text = section(rule.doc, "Fix safety")
    return "no" if not text or text.startswith(_NO_FIX) else "yes"


def render_page(rule: Rule) -> str:
    """A rule's Markdown page: the content of ``docs/rules/<CODE>.md``."""
    options = ", ".join(f"`{k}` = `{v!r}`" for k, v in sorted(rule.options.items())) or "none"
    meta = (f"**Severity:** {rule.severity} · **Scope:** {rule.scope} · "
            f"**Fixable:** {fixable(rule)} · **Options:** {options}")
    if rule.aliases:
        meta += " · **Aliases:** " + ", ".join(f"`{a}`" for a in rule.aliases)
    return f"# {rule.code} {rule.name}\n\n{meta}\n\n{rule.doc.strip()}\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_index(rules: Iterable[Rule]) -> str:
    """The Markdown table of every rule (``docs/rules/index.md``)."""
    lines = [
        "# Rules",
        "",
        "Every rule spflint checks, by code. `spflint explain CODE` prints the same pages.",
        "",
        "| Code | Name | Severity | Summary |",
        "|---|---|---|---|",
    ]
    for rule in sorted(rules, key=lambda r: r.code):
        lines.append(f"| [{rule.code}]({rule.code}.md) | {rule.name} | {rule.severity} | "
                     f"{_cell(rule.summary)} |")
    return "\n".join(lines) + "\n"
