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
from spflint.rules.docs import render_index, render_page  # noqa: E402


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
