"""Zone repositories: BIND and octoDNS readers with positions, linting, in-place fixes, locks."""

from __future__ import annotations

import os
from collections.abc import Mapping

from .bind import read_bind
from .model import SoaSerial, StringToken, ZoneFile, ZoneFileError, ZoneNote, ZoneRecord
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


def is_octodns(path: str | os.PathLike[str]) -> bool:
    """YAML files are octoDNS zones; anything else is a BIND master file."""
    return os.fspath(path).lower().endswith((".yaml", ".yml"))


def read_zone(path: str | os.PathLike[str], *,
              overrides: Mapping[str, bytes] | None = None) -> ZoneFile:
    """Read a zone file of either format (chosen by the file name; a directory is an octoDNS
    split zone).

    :raises ZoneFileError: see :func:`read_bind` and :func:`read_octodns`.
    """
    if is_octodns(path) or os.path.isdir(path):
        return read_octodns(path, overrides=overrides)
    return read_bind(path, overrides=overrides)
