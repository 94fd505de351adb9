"""Zone repositories: BIND and octoDNS readers with positions, linting, in-place fixes, locks."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .model import SoaSerial, StringToken, ZoneFile, ZoneFileError, ZoneNote, ZoneRecord

if TYPE_CHECKING:
    from .bind import read_bind
    from .octodns import read_octodns

__all__ = [
    "SoaSerial",
    "StringToken",
    "ZoneFile",
    "ZoneFileError",
    "ZoneNote",
    "ZoneRecord",
    "is_octodns",
    "read_bind",
    "read_octodns",
    "read_zone",
]

# The readers import dnspython and PyYAML; finding zone files (spflint.zones.discover, run on
# every commit by the pre-commit hooks) needs neither, so they are imported on first use.
_LAZY = {"read_bind": ".bind", "read_octodns": ".octodns"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_octodns(path: str | os.PathLike[str]) -> bool:
    """YAML files and directories (octoDNS's split layout, ``example.com./``) are octoDNS
    zones; anything else is a BIND master file."""
    return os.fspath(path).lower().endswith((".yaml", ".yml")) or os.path.isdir(path)


def read_zone(path: str | os.PathLike[str], *, overrides: Mapping[str, bytes] | None = None,
              origin: str | None = None,
              include_roots: Sequence[str | os.PathLike[str]] = ()) -> ZoneFile:
    """Read a zone of either format: a YAML file or a split directory as octoDNS, any other
    file as a BIND master file. ``origin`` is the zone's name when the path does not tell it
    (a split directory with an extension other than ``.``); by default the reader finds it.
    ``include_roots`` are directories a BIND ``$INCLUDE`` may read from besides the default
    ones (the zone file's own directory tree and its repository)

    :raises ZoneFileError: see :func:`read_bind` and :func:`read_octodns`.
    """
    if is_octodns(path):
        from .octodns import read_octodns

        return read_octodns(path, origin, overrides=overrides)
    from .bind import read_bind

    return read_bind(path, origin, overrides=overrides, also_allow=include_roots)
