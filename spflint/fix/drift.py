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


MAX_SNAPSHOT_BYTES = 16 * 1024 * 1024  # far above any snapshot fix writes
MAX_SNAPSHOT_NAMES = 100  # each name is compiled again from DNS; fix flattens far fewer


def load_snapshot(path: Path, domain: str | None = None) -> dict[str, Any]:
    """Read and validate a snapshot written by ``spflint fix --snapshot``: a regular file of
    at most 16 MiB, format 1, an ISO date, at most 100 flattened names, each with its term
    and ranges as written by ``fix``, and (given ``domain``) written for that domain.

    :raises InputError: the file cannot be read or is not such a snapshot (naming what).
    """
    import datetime

    from ..dns.names import canonical
    from ..errors import SpfSyntaxError
    from ..parser import parse_record

    if "\0" in str(path):
        raise InputError(f"{path}: a file name cannot hold a NUL character")
    try:
        if not path.is_file():
            raise InputError(f"{path}: the snapshot is not a regular file")
        if path.stat().st_size > MAX_SNAPSHOT_BYTES:
            raise InputError(f"{path}: the snapshot is over {MAX_SNAPSHOT_BYTES // 2**20} MiB")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the snapshot: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not a JSON snapshot: byte {exc.start} is not UTF-8") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: not a JSON snapshot: "
                         f"{exc.msg}") from None
    except RecursionError:
        raise InputError(f"{path}: not a spflint snapshot: JSON nested too deep") from None
    except ValueError:  # Python refuses an integer of thousands of digits
        raise InputError(f"{path}: not a spflint snapshot: a number too long to "
                         "read") from None

    def bad(why: str) -> InputError:
        return InputError(f"{path}: not a spflint snapshot: {why}")

    if not isinstance(data, dict) or data.get("format") != 1:
        raise bad("'format' must be 1")
    written_for = data.get("domain")
    if written_for is not None and not isinstance(written_for, str):
        raise bad("'domain' must be a domain name")
    day = data.get("date")
    try:
        if not isinstance(day, str):
            raise ValueError
        datetime.date.fromisoformat(day)
    except ValueError:
        raise bad(f"'date' must be a date such as 2025-01-01, not {json.dumps(day)[:40]}"
                  ) from None
    entries = data.get("flattened")
    if not isinstance(entries, list):
        raise bad("'flattened' must be a list")
    if len(entries) > MAX_SNAPSHOT_NAMES:
        raise bad(f"{len(entries)} flattened names (at most {MAX_SNAPSHOT_NAMES})")
    for number, entry in enumerate(entries, start=1):
        where = f"flattened entry {number}"
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str) \
                or not isinstance(entry.get("ranges"), list):
            raise bad(f"{where} must be an object with 'name' and 'ranges'")
        if not isinstance(entry.get("term", ""), str):
            raise bad(f"{where}: 'term' must be text")
        for value in entry["ranges"]:
            try:
                if not isinstance(value, str) or len(value) > 64:
                    raise ValueError
                terms = parse_record(f"v=spf1 {value.lstrip('+-~?')}").terms
                if len(terms) != 1 or getattr(terms[0], "kind", None) not in ("ip4", "ip6"):
                    raise ValueError
            except (ValueError, SpfSyntaxError):
                raise bad(f"{where}: {json.dumps(value)[:60]} is not an ip4 or ip6 "
                          "range") from None
    if domain is not None and written_for is not None \
            and canonical(written_for) != canonical(domain):
        raise InputError(f"{path}: the snapshot was written for {written_for!r}, "
                         f"not {domain!r}")
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
