"""The package's public names resolve lazily, and importing it loads nothing heavy."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import spflint

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", [n for n in spflint.__all__ if n != "__version__"])
def test_public_names_resolve(name: str) -> None:
    value = getattr(spflint, name)
    assert callable(value)  # every public name is a function or a class
    assert value.__module__.startswith("spflint.")


def test_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError):
        spflint.no_such_thing  # noqa: B018


def test_import_is_light() -> None:
    code = "import sys, spflint; print(sorted(m for m in ('dns', 'pyparsing', 'click') " \
           "if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.strip()
    assert out == "[]"


def test_public_api_is_typed(tmp_path: Path) -> None:
    """Under ``mypy --strict`` every public name has its real type, not ``Any`` (which the
    package's lazy ``__getattr__`` would give a type checker on its own)."""
    names = [n for n in spflint.__all__ if n != "__version__"]
    snippet = tmp_path / "use_api.py"
    snippet.write_text(
        "from spflint import " + ", ".join(names) + "\n"
        + "".join(f"reveal_type({name})\n" for name in names)
        + "result = lint_record('v=spf1 -all', Config())\n"
        "reveal_type(result)\n"
        "reveal_type(parse_record('v=spf1 -all').terms)\n",
        encoding="utf-8")
    env = {**os.environ, "MYPYPATH": str(ROOT)}
    proc = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent",
         "--cache-dir", str(tmp_path / "cache"), "--python-version", "3.10", str(snippet)],
        capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    revealed = re.findall(r'Revealed type is "(.*)"', proc.stdout)
    assert len(revealed) == len(names) + 2, proc.stdout
    untyped = [name for name, shown in zip(names, revealed, strict=False) if shown == "Any"]
    assert untyped == []
    assert revealed[names.index("lint_record")].endswith("-> spflint.lint.LintResult")
    assert revealed[-2] == "spflint.lint.LintResult"
    assert "spflint.ast.Directive" in revealed[-1]
