"""The test DNS server in a process of its own, so that it never competes for the GIL.

``tests/dnsserver.py`` answers each question in a thread; run inside the measured process, its
threads and the resolver under test share one interpreter lock and the answers' arrival times
measure both. Here it runs in a child process (``spawn``) and is driven through a pipe: clear
its log, read its log, stop.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any

import _common  # noqa: F401  (puts the repository on sys.path for the child too)

from spflint.dns.base import ZoneData

Seen = tuple[str, str, str]  # name, type, transport


def _serve(conn: Connection, zonedata: ZoneData, latency: float) -> None:
    from tests.dnsserver import DNSTestServer

    with DNSTestServer(zonedata, latency=latency) as server:
        conn.send((server.host, server.port))
        while True:
            command = conn.recv()
            if command == "clear":
                server.clear_log()
                conn.send(None)
            elif command == "log":
                conn.send([(q.name, q.rdtype, q.transport) for q in server.queries])
            else:
                break
    conn.send(None)


class ServerProcess:
    """``with ServerProcess(zonedata, latency) as server:`` a DNS server on 127.0.0.1."""

    def __init__(self, zonedata: ZoneData, latency: float = 0.0) -> None:
        self.zonedata = zonedata
        self.latency = latency
        self.host = "127.0.0.1"
        self.port = 0
        self._conn: Connection | None = None
        self._proc: Any = None

    def __enter__(self) -> ServerProcess:
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        self._proc = ctx.Process(target=_serve, args=(child, self.zonedata, self.latency),
                                 daemon=True)
        self._proc.start()
        self._conn = parent
        self.host, self.port = parent.recv()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        assert self._conn is not None
        self._conn.send("stop")
        self._conn.recv()
        self._proc.join(timeout=10)

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    def clear_log(self) -> None:
        assert self._conn is not None
        self._conn.send("clear")
        self._conn.recv()

    @property
    def queries(self) -> list[Seen]:
        assert self._conn is not None
        self._conn.send("log")
        log: list[Seen] = self._conn.recv()
        return log
