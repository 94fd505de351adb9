"""Drift of flattened includes: compare a ``fix --snapshot`` file with what DNS says now."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..dns.base import Resolver
from ..errors import InputError
from ..ipspace import Compiler
from .engine import ip_directive
from .flatten import passing_networks


@dataclass
class Drift:
    """One flattened include: the ranges it passes now against those in the snapshot."""

    name: str
    term: str
    added: list[str] = field(default_factory=list)  # passes now, not flattened
    removed: list[str] = field(default_factory=list)  # flattened, no longer passes
    problem: str | None = None  # it can no longer be expressed as ranges at all

    @property
    def drifted(self) -> bool:
        return bool(self.added or self.removed or self.problem)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "term": self.term, "drifted": self.drifted,
                "added": self.added, "removed": self.removed, "problem": self.problem}


def load_snapshot(path: Path) -> dict[str, Any]:
    """Read a snapshot written by ``spflint fix --snapshot``.

    :raises InputError: the file cannot be read or is not a snapshot.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the snapshot: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not a JSON snapshot: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != 1:
        raise InputError(f"{path}: not a spflint snapshot (format 1)")
    entries = data.get("flattened")
    if not isinstance(entries, list) or not all(
            isinstance(e, dict) and isinstance(e.get("name"), str)
            and isinstance(e.get("ranges"), list) for e in entries):
        raise InputError(f"{path}: 'flattened' must list objects with 'name' and 'ranges'")
    snapshot: dict[str, Any] = data
    return snapshot


def _bare(term: str) -> str:
    return term.lstrip("+-~?").lower()


async def check_snapshot(snapshot: dict[str, Any], resolver: Resolver) -> list[Drift]:
    """Recompile every flattened name now and compare its passing ranges with the snapshot."""
    out: list[Drift] = []
    for entry in snapshot["flattened"]:
        name = entry["name"]
        drift = Drift(name, str(entry.get("term", f"include:{name}")))
        compiled = await Compiler(resolver, limits=False).space(name)
        networks = passing_networks(compiled)
        if networks is None:
            drift.problem = (f"{name} now has dynamic terms or errors: it can no longer be "
                             "flattened into ranges")
        else:
            now = {ip_directive(n, "").render() for n in networks}
            then = {_bare(str(r)) for r in entry["ranges"]}
            drift.added = sorted(now - then)
            drift.removed = sorted(then - now)
        out.append(drift)
    return out
