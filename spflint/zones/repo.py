"""The rest of a repository as a resolver layer: a zone file is read when a question needs it."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from spflint.dns import zonedata
from spflint.dns.base import Answer, Outcome, ZoneData, question
from spflint.dns.offline import OfflineResolver
from spflint.errors import SpflintError

from . import read_zone
from .discover import MAX_ZONE_BYTES, ZoneSource, too_large
from .model import ZoneFile, ZoneFileError

__all__ = ["RepoFailure", "RepoResolver", "origins_below"]

SOURCE = "repository"


@dataclass(frozen=True)
class RepoFailure:
    """A repository file that could not be read to answer questions under ``origin``."""

    path: str
    origin: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "origin": self.origin, "error": self.message}


@dataclass
class _Group:
    """The zone files of one origin, read together on the first question under it."""

    origin: str
    sources: list[ZoneSource]
    resolver: OfflineResolver | None = None
    failed: list[RepoFailure] = field(default_factory=list)
    zones: list[ZoneFile] = field(default_factory=list)
    loaded: bool = False


Reader = Callable[[ZoneSource], ZoneFile]


def _read(source: ZoneSource, include_roots: Sequence[str] = ()) -> ZoneFile:
    if not source.split:
        size = os.path.getsize(source.path)
        if size > MAX_ZONE_BYTES:
            raise ZoneFileError(source.path, too_large(size))
    return read_zone(source.path, origin=source.origin if source.split else None,
                     include_roots=include_roots)


def reader_with(include_roots: Sequence[str]) -> Reader:
    """The repository's zone reader, ``$INCLUDE`` allowed into ``include_roots`` too."""
    return functools.partial(_read, include_roots=tuple(include_roots))


class RepoResolver(OfflineResolver):
    """Answers from the repository's zone files, reading each only when a question falls
    under its origin (from discovery: SOA, ``$ORIGIN``, octoDNS file or directory name).

    A name is answered by the zone files of its closest origin in the repository (a child
    zone's file, not its parent's). A file that cannot be read makes the names under its
    origin unknown (:attr:`Outcome.UNKNOWN`) and is listed once in :attr:`failures`; it never
    fails the run.
    """

    def __init__(self, sources: Iterable[ZoneSource], *, reader: Reader = _read) -> None:
        super().__init__(ZoneData(source=SOURCE))
        self.reader = reader
        self.groups: dict[str, _Group] = {}
        for source in sources:
            if source.origin:
                origin = source.origin.lower().rstrip(".")
                self.groups.setdefault(origin, _Group(origin, [])).sources.append(source)
        self.failures: list[RepoFailure] = []
        self.read: list[str] = []  # files read to answer questions, in order

    @property
    def origins(self) -> set[str]:
        return set(self.groups)

    def holders(self, name: str) -> list[str]:
        """The repository files of the closest origin of ``name`` (none are read)."""
        try:
            group = self._group(name.strip().rstrip(".").lower())
        except ValueError:
            return []
        return [] if group is None else [source.path for source in group.sources]

    def failed_for(self, name: str) -> bool:
        """Whether ``name`` is unknown because a repository file under it could not be read."""
        group = self._group(name.strip().rstrip(".").lower())
        return group is not None and bool(group.failed)

    def _group(self, name: str) -> _Group | None:
        labels = name.split(".")
        for i in range(len(labels)):
            group = self.groups.get(".".join(labels[i:]))
            if group is not None:
                return group
        return None

    def _load(self, group: _Group) -> None:
        if group.loaded:
            return
        group.loaded = True
        for source in group.sources:
            self.read.append(source.path)
            try:
                zone = self.reader(source)
            except (SpflintError, OSError) as exc:
                message = str(exc) if isinstance(exc, ZoneFileError) else \
                    f"{source.path}: {exc}"
                failure = RepoFailure(source.path, group.origin, message)
                group.failed.append(failure)
                self.failures.append(failure)
                continue
            group.zones.append(zone)
            real = zone.origin.lower()
            if real and real != group.origin and real not in self.groups:
                # discovery guessed another origin: answer for the one the file declares too
                self.groups[real] = _Group(real, [source], self._resolver_of([zone]),
                                           zones=[zone], loaded=True)
        if not group.failed:
            group.resolver = self._resolver_of(group.zones)

    @staticmethod
    def _resolver_of(zones: Sequence[ZoneFile]) -> OfflineResolver:
        data = zonedata.merge(*(z.data for z in zones))
        data.source = ", ".join(z.path for z in zones)
        return OfflineResolver(data)

    def covers(self, name: str) -> bool:
        """Whether a repository zone speaks for ``name`` (reading its files if needed)."""
        asked = question(name, "TXT", self.source)
        if isinstance(asked, Answer):
            return False
        group = self._group(asked[0])
        if group is None:
            return False
        self._load(group)
        if group.failed:
            return True
        return group.resolver is not None and group.resolver.covers(asked[0])

    def walk(self, name: str, rdtype: str) -> tuple[Answer | None, str]:
        """The answer of the zone files of the name's closest origin; UNKNOWN when one of
        them could not be read.

        :raises ValueError: for a record type spflint does not query.
        """
        asked = question(name, rdtype, self.source)
        if isinstance(asked, Answer):
            return asked, ""
        qname, qtype = asked
        group = self._group(qname)
        if group is None:
            return Answer(qname, qtype, Outcome.NXDOMAIN, source=self.source,
                          detail="name not covered by the repository's zone files"), ""
        self._load(group)
        if group.failed or group.resolver is None:
            paths = ", ".join(f.path for f in group.failed)
            return Answer(qname, qtype, Outcome.UNKNOWN, source=f"zonedata {paths}",
                          detail=f"{paths} could not be read, so nothing is known of the names"
                                 f" under {group.origin}"), ""
        return group.resolver.walk(qname, qtype)


def origins_below(apexes: Iterable[str], origins: Iterable[str]) -> set[str]:
    """The ``origins`` strictly below one of ``apexes`` (child zones held by other files)."""
    tops = set(apexes)
    out = set()
    for origin in origins:
        labels = origin.split(".")
        if origin not in tops and any(".".join(labels[i:]) in tops
                                      for i in range(1, len(labels))):
            out.add(origin)
    return out

