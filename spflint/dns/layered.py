"""Repo-first resolution: offline zone data in order, then live DNS (or nothing with --offline)."""

from __future__ import annotations

import dataclasses
import os
import re
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from spflint.dns.base import RDTYPES, Answer, Outcome, QueryRecord, Resolver
from spflint.dns.live import DEFAULT_TIMEOUT, LiveResolver
from spflint.dns.names import normalize, parse_nameserver
from spflint.dns.offline import MAX_CNAME_CHAIN, OfflineResolver
from spflint.errors import InputError

NAMESERVER_ENV = "SPFLINT_NAMESERVER"
NO_DATA_SOURCE = "offline (no data)"
NO_DATA_DETAIL = "not known offline: no zone file, --dns-data file or lock entry covers it"


class LayeredResolver:
    """Asks each offline source that covers a name, in order; else live DNS, else UNKNOWN.

    The last item is the live resolver, or ``None`` when live DNS is forbidden: a name no
    offline source covers is then UNKNOWN from ``offline (no data)`` (never NXDOMAIN: nothing
    says it does not exist). A CNAME or ALIAS in zone data that leads outside it is followed
    through all layers again.
    """

    def __init__(self, layers: Sequence[OfflineResolver | LiveResolver | None]) -> None:
        items = list(layers)
        last = items[-1] if items else None
        if isinstance(last, LiveResolver) or last is None:
            items = items[:-1]
        self.offline: list[OfflineResolver] = []
        for item in items:
            if not isinstance(item, OfflineResolver):
                raise TypeError("only the last layer may be a live resolver (or None)")
            self.offline.append(item)
        self.live: LiveResolver | None = last if isinstance(last, LiveResolver) else None
        self.log: list[QueryRecord] = []
        self._live_logged = 0

    @property
    def sent(self) -> int:
        """Queries sent to live DNS."""
        return self.live.sent if self.live is not None else 0

    @property
    def cache_hits(self) -> int:
        return self.live.cache_hits if self.live is not None else 0

    async def query(self, name: str, rdtype: str) -> Answer:
        """Ask one question of the first layer that covers the name; never raises for DNS."""
        rdtype = rdtype.upper()
        answer, ask = self._local(name, rdtype, 0)
        if answer is not None:
            return answer
        assert self.live is not None
        answer = await self.live.query(ask, rdtype)
        self._collect_live_log()
        qname = normalize(name)
        return answer if ask == qname else dataclasses.replace(answer, name=qname)

    def answer_now(self, name: str, rdtype: str) -> Answer | None:
        """The answer when local data (or being offline) decides it, without waiting; None
        when live DNS has to be asked. A run over a repository asks hundreds of thousands of
        questions its zone files answer: they need no task each."""
        return self._local(name, rdtype.upper(), 0)[0]

    def _local(self, name: str, rdtype: str, depth: int) -> tuple[Answer | None, str]:
        """``(answer, "")`` when the offline layers decide, else ``(None, name)``: the name
        live DNS must be asked (the question's, or where a CNAME or ALIAS leads)."""
        if rdtype not in RDTYPES:
            raise ValueError(f"unsupported record type {rdtype!r}")
        try:
            qname = normalize(name)
        except InputError as exc:
            return Answer(name, rdtype, Outcome.ERROR, source="spflint",
                          detail=exc.message), ""
        for layer in self.offline:
            if not layer.covers(qname):
                continue
            started = time.perf_counter()
            answer, target = layer.walk(qname, rdtype)
            elapsed = time.perf_counter() - started
            if answer is None:
                self.log.append(QueryRecord(qname, "CNAME", Outcome.OK, layer.source, elapsed))
                if depth >= MAX_CNAME_CHAIN:
                    return Answer(
                        qname,
                        rdtype,
                        Outcome.ERROR,
                        source=layer.source,
                        detail=f"CNAME chain longer than {MAX_CNAME_CHAIN}",
                    ), ""
                rest, ask = self._local(target, rdtype, depth + 1)
                if rest is None:
                    return None, ask
                return dataclasses.replace(rest, name=qname), ""
            self.log.append(QueryRecord(qname, rdtype, answer.outcome, answer.source, elapsed))
            return answer, ""
        if self.live is None:
            answer = Answer(qname, rdtype, Outcome.UNKNOWN, source=NO_DATA_SOURCE,
                            detail=NO_DATA_DETAIL)
            self.log.append(QueryRecord(qname, rdtype, answer.outcome, answer.source, 0.0))
            return answer, ""
        return None, qname

    def outage(self) -> str | None:
        """One sentence when live DNS never answered at all (see ``LiveResolver.outage``)."""
        return None if self.live is None else self.live.outage()

    def _collect_live_log(self) -> None:
        assert self.live is not None
        fresh = self.live.log[self._live_logged :]
        self.log.extend(fresh)
        self._live_logged += len(fresh)


def dns_outage(resolver: object) -> str | None:
    """Why no live DNS server answered during the run, or None (also through wrappers such
    as a per-run cache, which expose the resolver they wrap as ``inner``)."""
    seen = 0
    while resolver is not None and seen < 8:
        outage = getattr(resolver, "outage", None)
        if callable(outage):
            result = outage()
            return result if isinstance(result, str) else None
        resolver = getattr(resolver, "inner", None)
        seen += 1
    return None


def split_nameservers(value: str) -> list[str]:
    """The items of a nameserver list such as ``SPFLINT_NAMESERVER``: separated by spaces,
    commas or both."""
    return [part for part in re.split(r"[\s,]+", value) if part]


def nameservers_from(
    texts: Sequence[str] = (), environ: Mapping[str, str] | None = None
) -> list[tuple[str, int]]:
    """Parse ``--nameserver`` values, else ``SPFLINT_NAMESERVER`` (separated by spaces or
    commas); [] if none.

    :raises InputError: for a value that is not ``IP[:PORT]`` (naming the variable if from it).
    """
    if texts:
        return [parse_nameserver(text) for text in texts]
    env = os.environ if environ is None else environ
    servers = []
    for part in split_nameservers(env.get(NAMESERVER_ENV, "")):
        try:
            servers.append(parse_nameserver(part))
        except InputError as exc:
            raise InputError(f"{NAMESERVER_ENV}: {exc.message}") from None
    return servers


def query_timeout(overall: float | None) -> float:
    """The wait for one query: the default, or less when the whole run may take less."""
    return DEFAULT_TIMEOUT if overall is None else min(DEFAULT_TIMEOUT, overall)


def build_resolver(
    nameservers: Sequence[str] = (),
    timeout: float | None = None,
    dns_data_files: Sequence[str | os.PathLike[str]] = (),
    offline: bool = False,
    deadline: float | None = None,
    *,
    first: Sequence[OfflineResolver] = (),
    before_live: Sequence[OfflineResolver] = (),
    environ: Mapping[str, str] | None = None,
) -> Resolver:
    """The resolver for the CLI: ``first`` layers, ``--dns-data`` files in order,
    ``before_live`` layers (a lock file), then live DNS unless ``offline``.

    ``timeout`` is the wait for one query (default 2 s); ``deadline`` is the
    :func:`time.monotonic` time after which every question is LIMIT (``--timeout`` of a run).

    :raises InputError: for an unreadable or invalid data file or a bad nameserver.
    """
    layers: list[OfflineResolver | LiveResolver | None] = list(first)
    if dns_data_files:
        # Zone-data loading (YAML, the BIND reader) is imported only when data is given.
        from spflint.dns import zonedata

        layers.extend(OfflineResolver(zonedata.load(Path(path))) for path in dns_data_files)
    layers.extend(before_live)
    if offline:
        layers.append(None)
    else:
        layers.append(
            LiveResolver(
                nameservers_from(nameservers, environ) or None,
                timeout=DEFAULT_TIMEOUT if timeout is None else timeout,
                deadline=deadline,
            )
        )
    return LayeredResolver(layers)
