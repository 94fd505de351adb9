"""spflint: lint, explain and repair SPF (RFC 7208) records."""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# The public API, imported on first use so that ``import spflint`` stays cheap.
_API = {
    "parse_record": "spflint.parser",
    "lint_record": "spflint.lint",
    "check_host": "spflint.evaluate",
    # (the synchronous ``evaluate()`` is ``spflint.evaluate.evaluate``: a package attribute of
    # that name would be replaced by the submodule once it is imported)
    "walk": "spflint.tree",
    "run_check": "spflint.check",
    "fix_policy": "spflint.fix",
    "FixOptions": "spflint.fix",
    "Config": "spflint.config",
    "load_config": "spflint.config",
    "Finding": "spflint.findings",
    "Severity": "spflint.findings",
    "SpflintError": "spflint.errors",
}

__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'spflint' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
