"""The package's public names resolve lazily, and importing it loads nothing heavy."""

from __future__ import annotations

import subprocess
import sys

import pytest

import spflint


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
