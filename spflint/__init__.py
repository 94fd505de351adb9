"""spflint: lint, explain and repair SPF (RFC 7208) records."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    # What type checkers see; at run time each name is imported on first use (below).
    from .check import run_check as run_check
    from .config import Config as Config
    from .config import load_config as load_config
    from .errors import SpflintError as SpflintError
    from .evaluate import check_host as check_host
    from .findings import Finding as Finding
    from .findings import Severity as Severity
    from .fix import FixOptions as FixOptions
    from .fix import fix_policy as fix_policy
    from .lint import lint_record as lint_record
    from .parser import parse_record as parse_record
    from .tree import walk as walk

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
