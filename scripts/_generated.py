"""What every generator script does with its output: write it, or check it is current."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def write_or_check(target: Path, render: Callable[[], str], script: str, description: str,
                   argv: list[str] | None = None) -> int:
    """Write ``render()`` to ``target``; with ``--check`` write nothing and return 1 when the
    file is missing or differs (naming ``script`` to run)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if the file is out of date")
    args = parser.parse_args(argv)
    content = render()
    current = target.read_text(encoding="utf-8") if target.exists() else None
    if current == content:
        return 0
    if args.check:
        print(f"{target.relative_to(ROOT)} is out of date: run {script}", file=sys.stderr)
        return 1
    target.write_text(content, encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)}")
    return 0
