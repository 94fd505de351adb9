"""Generate docs/rules/<CODE>.md and docs/rules/index.md from the rule module docstrings.

Usage: ``python scripts/gen_rule_docs.py [--check]``. With ``--check`` nothing is written and
the exit status is 1 when any page is missing or differs from what would be generated.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules"

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from spflint.rules import RULE_MODULES, Rule, _load  # noqa: E402

_NO_FIX = "No automatic fix"


def load_rules(modules: Iterable[str] = RULE_MODULES) -> tuple[list[Rule], list[str]]:
    """The rules whose modules import, and the names of the modules that did not."""
    rules: list[Rule] = []
    missing: list[str] = []
    for name in modules:
        try:
            rules.append(_load(name))
        except Exception as exc:  # a module still being written must not block the others
            print(f"warning: skipping rule module {name!r}: {exc}", file=sys.stderr)
            missing.append(name)
    return sorted(rules, key=lambda r: r.code), missing


def section(doc: str, heading: str) -> str:
    """The text under ``## heading`` in a rule docstring (empty when absent)."""
    lines = doc.splitlines()
    out: list[str] = []
    inside = False
    for line in lines:
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


def _options(rule: Rule) -> str:
    if not rule.options:
        return "none"
    return ", ".join(f"`{key}` = `{value!r}`" for key, value in sorted(rule.options.items()))


def render_page(rule: Rule) -> str:
    """The Markdown page of one rule."""
    meta = (
        f"**Severity:** {rule.severity} · **Scope:** {rule.scope} · "
        f"**Fixable:** {fixable(rule)} · **Options:** {_options(rule)}"
    )
    if rule.aliases:
        meta += " · **Aliases:** " + ", ".join(f"`{a}`" for a in rule.aliases)
    return f"# {rule.code} {rule.name}\n\n{meta}\n\n{rule.doc.strip()}\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_index(rules: Iterable[Rule]) -> str:
    """The Markdown table of every rule."""
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


def expected_files(rules: list[Rule]) -> dict[Path, str]:
    """Every generated file and its content."""
    files = {DOCS / f"{rule.code}.md": render_page(rule) for rule in rules}
    files[DOCS / "index.md"] = render_index(rules)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if any generated file is out of date")
    args = parser.parse_args(argv)
    rules, missing = load_rules()
    files = expected_files(rules)
    stale: list[Path] = []
    for path, content in files.items():
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == content:
            continue
        stale.append(path)
        if not args.check:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(content, encoding="utf-8")
    extra: list[Path] = []
    if not missing and DOCS.is_dir():
        extra = [p for p in sorted(DOCS.glob("SPF*.md")) if p not in files]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)}", file=sys.stderr)
        for path in extra:
            print(f"no such rule: {path.relative_to(ROOT)}", file=sys.stderr)
        return 1 if stale or extra else 0
    for path in stale:
        print(f"wrote {path.relative_to(ROOT)}")
    for path in extra:
        path.unlink()
        print(f"removed {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
