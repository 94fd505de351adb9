"""Live DNS over dnspython's asyncio API: typed outcomes, retries, caps, a TTL cache, dedup."""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import socket
import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from spflint.dns import wire
from spflint.dns.base import Answer, Outcome, QueryRecord, RecordValue, question

DEFAULT_TIMEOUT = 2.0
DEFAULT_RETRIES = 1
DEFAULT_MAX_QUERIES = 1000
DEFAULT_MAX_IN_FLIGHT = 32
EDNS_PAYLOAD = 1232
NEGATIVE_TTL = 300  # negative answers without an SOA to say otherwise
FAILURE_TTL = 60  # how long a TIMEOUT/SERVFAIL/ERROR outcome is remembered
MAX_CNAME_CHAIN = 16

_RETRYABLE = (Outcome.TIMEOUT, Outcome.SERVFAIL)
_CACHEABLE_FAILURES = (Outcome.TIMEOUT, Outcome.SERVFAIL, Outcome.ERROR)


def system_nameservers(path: str = "/etc/resolv.conf") -> list[tuple[str, int]]:
    """The nameservers of the system configuration (``/etc/resolv.conf``), or none.

    Elsewhere than on POSIX systems, dnspython's stub resolver finds them.
    """
    if sys.platform == "win32":  # pragma: no cover - the registry, not a file
        import dns._features
        import dns.exception

        # spflint speaks plain DNS: keep the stub resolver from loading an HTTPS client.
        dns._features.force("doh", False)
        import dns.resolver

        try:
            resolver = dns.resolver.Resolver()
        except (dns.exception.DNSException, OSError):
            return []
        return [(str(server), int(resolver.port)) for server in resolver.nameservers]
    servers: list[tuple[str, int]] = []
    try:
        with open(path, encoding="utf-8", errors="replace") as handle:
            lines = handle.read(65536).splitlines()
    except OSError:
        return []
    for line in lines:
        words = line.split()
        if len(words) >= 2 and words[0] == "nameserver":
            try:
                address = ipaddress.ip_address(words[1].split("%", 1)[0])
            except ValueError:
                continue
            servers.append((str(address), 53))
    return servers


def server_label(server: tuple[str, int]) -> str:
    """``dns IP:PORT`` (IPv6 in brackets): the source text of answers from ``server``."""
    host, port = server
    return f"dns [{host}]:{port}" if ":" in host else f"dns {host}:{port}"


@dataclasses.dataclass
class ServerHealth:
    """What one server did during the run: answers it gave, and failures by reason."""

    answered: int = 0  # responses that answered the question (records, NXDOMAIN, NODATA)
    failed: int = 0
    silent: int = 0  # failures with no response at all (timeout, unreachable)
    reasons: dict[str, int] = dataclasses.field(default_factory=dict)
    names: set[str] = dataclasses.field(default_factory=set)  # a few of the failed names

    def note(self, answer: Answer) -> None:
        """Count one exchange with the server (a question sent, or about to be)."""
        if answer.outcome.is_answer:
            self.answered += 1
        else:
            self.failed += 1
            # A question cut by the run's deadline got no answer in time either.
            if answer.outcome in (Outcome.TIMEOUT, Outcome.LIMIT) or \
                    answer.detail.startswith("cannot reach"):
                self.silent += 1
            reason = answer.detail or answer.outcome.value
            self.reasons[reason] = self.reasons.get(reason, 0) + 1
            if len(self.names) < 4:
                self.names.add(answer.name)

    @property
    def down(self) -> bool:
        """Never answered, and either silent or failing for several names (one name's own
        broken servers make a resolver say SERVFAIL for that name only)."""
        return not self.answered and (self.silent > 0 or len(self.names) > 1)


@dataclasses.dataclass
class _Exchange:
    """The result of asking one server once: an answer, and whether to try another server."""

    answer: Answer
    retry: bool = False
    follow: str | None = None  # a CNAME target the server did not resolve for us


class LiveResolver:
    """Asks real DNS servers; every outcome typed, nothing raised for DNS trouble.

    A *query* is one question sent to one server (a retry over TCP after truncation, or
    without EDNS after FORMERR, is part of the same query). ``max_queries`` caps queries over
    the resolver's life; after ``deadline`` (a value of ``clock``) every question is LIMIT.

    Answers are cached for their TTL (negative ones for the SOA minimum, or 300 s without an
    SOA; TIMEOUT/SERVFAIL/ERROR for 60 s); concurrent questions for the same name and type
    share one query. A cached answer keeps its original ``source`` with the remaining TTL.
    """

    def __init__(
        self,
        nameservers: Sequence[tuple[str, int]] | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        deadline: float | None = None,
        max_queries: int = DEFAULT_MAX_QUERIES,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.nameservers = list(nameservers) if nameservers else system_nameservers()
        self.timeout = timeout
        self.retries = max(0, retries)
        self.deadline = deadline
        self.max_queries = max_queries
        self.max_in_flight = max(1, max_in_flight)
        self.clock = clock
        self.log: list[QueryRecord] = []
        self.sent = 0
        self.cache_hits = 0
        self.shared = 0  # questions answered by joining a query already in flight
        self.health: dict[tuple[str, int], ServerHealth] = {}
        self._cache: dict[tuple[str, str], tuple[float, Answer]] = {}
        self._inflight: dict[tuple[str, str], asyncio.Task[Answer]] = {}
        self._preferred = 0
        self._semaphore: asyncio.Semaphore | None = None
        self._semaphore_loop: asyncio.AbstractEventLoop | None = None

    @property
    def source(self) -> str:
        return ", ".join(server_label(s) for s in self.nameservers) or "dns (no nameserver)"

    async def query(self, name: str, rdtype: str) -> Answer:
        """Ask one question; failures are reported through ``Answer.outcome``.

        :raises ValueError: for a record type spflint does not query.
        """
        asked = question(name, rdtype, self.source)
        if isinstance(asked, Answer):
            return asked
        qname, rdtype = asked
        key = (qname, rdtype)
        limit = self._deadline_answer(qname, rdtype)
        if limit is not None:
            return limit
        cached = self._cached(key)
        if cached is not None:
            return cached
        task = self._inflight.get(key)
        if task is None:
            task = asyncio.ensure_future(self._resolve(qname, rdtype, 0))
            self._inflight[key] = task
            task.add_done_callback(lambda done: self._finish(key, done))
        else:
            self.shared += 1
        # A cancelled caller must not cancel the query others are waiting for.
        return await asyncio.shield(task)

    def cache_clear(self) -> None:
        self._cache.clear()

    def outage(self) -> str | None:
        """One sentence when no server answered any question of the run, else None.

        A network or resolver that is down makes every question fail alike; callers say so
        once, naming the servers and what happened, instead of once per name.
        """
        if not self.nameservers and self.sent == 0 and self.log:
            return "no nameserver is configured (none in /etc/resolv.conf); use --nameserver"
        if not self.health or not all(h.down for h in self.health.values()):
            return None
        failed = list(self.health.items())
        parts = []
        for server, health in failed:
            reason = max(health.reasons, key=lambda r: health.reasons[r])
            count = f"{health.failed} {'query' if health.failed == 1 else 'queries'}"
            parts.append(f"{server_label(server)[4:]} ({reason}; {count})")
        return ("no DNS server answered: " + ", ".join(parts) + "; nothing outside the local "
                "data could be checked")

    # -- cache -------------------------------------------------------------------------

    def _cached(self, key: tuple[str, str]) -> Answer | None:
        entry = self._cache.get(key)
        if entry is None:
            return None
        expires, answer = entry
        now = self.clock()
        if now >= expires:
            del self._cache[key]
            return None
        self.cache_hits += 1
        return dataclasses.replace(answer, ttl=max(0, int(expires - now)))

    def _store(self, key: tuple[str, str], answer: Answer) -> None:
        if answer.outcome is Outcome.LIMIT:
            return
        if answer.outcome in _CACHEABLE_FAILURES:
            ttl = FAILURE_TTL
        else:
            ttl = answer.ttl if answer.ttl is not None else NEGATIVE_TTL
        if ttl > 0:
            self._cache[key] = (self.clock() + ttl, answer)

    def _finish(self, key: tuple[str, str], task: asyncio.Task[Answer]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled() and task.exception() is None:
            self._store(key, task.result())

    # -- limits ------------------------------------------------------------------------

    def _deadline_answer(self, qname: str, rdtype: str) -> Answer | None:
        if self.deadline is not None and self.clock() >= self.deadline:
            return Answer(
                qname,
                rdtype,
                Outcome.LIMIT,
                source=self.source,
                detail="the time allowed for this check is used up",
            )
        return None

    def _remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline - self.clock()

    def _semaphore_for_loop(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._semaphore is None or self._semaphore_loop is not loop:
            self._semaphore = asyncio.Semaphore(self.max_in_flight)
            self._semaphore_loop = loop
        return self._semaphore

    # -- resolution --------------------------------------------------------------------

    async def _resolve(self, qname: str, rdtype: str, depth: int) -> Answer:
        if not self.nameservers:
            answer = Answer(
                qname,
                rdtype,
                Outcome.ERROR,
                source=self.source,
                detail="no nameserver configured (none in /etc/resolv.conf); use --nameserver",
            )
            self.log.append(QueryRecord(qname, rdtype, answer.outcome, answer.source, 0.0))
            return answer
        exchange: _Exchange | None = None
        for attempt in range(1 + self.retries):
            limit = self._deadline_answer(qname, rdtype)
            if limit is not None:
                return limit
            if self.sent >= self.max_queries:
                return Answer(
                    qname,
                    rdtype,
                    Outcome.LIMIT,
                    source=self.source,
                    detail=f"the cap of {self.max_queries} DNS queries is reached",
                )
            index = (self._preferred + attempt) % len(self.nameservers)
            exchange = await self._exchange(qname, rdtype, self.nameservers[index])
            if not exchange.retry:
                self._preferred = index
                break
        assert exchange is not None
        if exchange.follow is not None:
            return await self._follow(exchange.answer, exchange.follow, depth)
        return exchange.answer

    async def _follow(self, partial: Answer, target: str, depth: int) -> Answer:
        """Continue a CNAME chain the server left unresolved (it is authoritative, not ours)."""
        if depth >= MAX_CNAME_CHAIN:
            return dataclasses.replace(
                partial,
                outcome=Outcome.ERROR,
                detail=f"CNAME chain longer than {MAX_CNAME_CHAIN}",
            )
        key = (target, partial.rdtype)
        rest = self._cached(key)
        if rest is None:
            # Not joined with queries in flight: two chains pointing at each other would wait
            # for each other for ever.
            rest = await self._resolve(target, partial.rdtype, depth + 1)
            self._store(key, rest)
        ttl = rest.ttl if partial.ttl is None else min(partial.ttl, rest.ttl or partial.ttl)
        return dataclasses.replace(
            rest, name=partial.name, ttl=ttl, size=partial.size, tcp=partial.tcp or rest.tcp
        )

    async def _exchange(self, qname: str, rdtype: str, server: tuple[str, int]) -> _Exchange:
        self.sent += 1
        started = time.perf_counter()
        async with self._semaphore_for_loop():
            exchange = await self._ask(qname, rdtype, server)
        answer = exchange.answer
        self.health.setdefault(server, ServerHealth()).note(answer)
        self.log.append(
            QueryRecord(qname, rdtype, answer.outcome, answer.source, time.perf_counter() - started)
        )
        return exchange

    async def _ask(self, qname: str, rdtype: str, server: tuple[str, int]) -> _Exchange:
        host, port = server
        source = server_label(server)
        timeout = self.timeout
        remaining = self._remaining()
        by_deadline = remaining is not None and remaining < timeout
        if remaining is not None:
            timeout = max(0.0, min(timeout, remaining))
        expires = time.monotonic() + timeout

        def fail(outcome: Outcome, detail: str, retry: bool) -> _Exchange:
            return _Exchange(Answer(qname, rdtype, outcome, source=source, detail=detail), retry)

        tcp = False
        try:
            qid, query = wire.make_query(qname, rdtype, payload=EDNS_PAYLOAD)
            response = await udp_exchange(query, qid, qname, rdtype, host, port, timeout)
            if response.rcode in (1, 4) and response.edns < 0:  # FORMERR, NOTIMP
                # A server that does not know EDNS: ask again the old way.
                qid, query = wire.make_query(qname, rdtype, edns=False)
                response = await udp_exchange(query, qid, qname, rdtype, host, port,
                                              max(0.0, expires - time.monotonic()))
            if response.truncated:
                tcp = True
                response = await tcp_exchange(query, qid, qname, rdtype, host, port,
                                              max(0.0, expires - time.monotonic()))
        except TimeoutError:
            if by_deadline:
                return fail(Outcome.LIMIT, "the time allowed for this check is used up", False)
            via = "TCP" if tcp else "UDP"
            return fail(Outcome.TIMEOUT, f"no answer within {timeout:g} s over {via}", True)
        except wire.WireError as exc:
            return fail(Outcome.ERROR, f"malformed answer: {exc}", False)
        except (OSError, EOFError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
            return fail(Outcome.ERROR, f"cannot reach the server: {reason}", True)
        return self._interpret(qname, rdtype, response, source, tcp)

    def _interpret(
        self,
        qname: str,
        rdtype: str,
        response: wire.Message,
        source: str,
        tcp: bool,
    ) -> _Exchange:
        rcode = response.rcode
        base = Answer(qname, rdtype, Outcome.ERROR, source=source, size=response.size, tcp=tcp)
        if rcode in (2, 5):  # SERVFAIL, REFUSED
            return _Exchange(
                dataclasses.replace(base, outcome=Outcome.SERVFAIL,
                                    detail=f"server said {response.rcode_text()}"),
                retry=True,
            )
        if rcode not in (0, 3):  # anything but NOERROR and NXDOMAIN
            detail = f"server said {response.rcode_text()}"
            return _Exchange(dataclasses.replace(base, detail=detail))
        want = wire.TYPES[rdtype]
        current = qname
        seen = {current}
        ttls: list[int] = []
        for _ in range(MAX_CNAME_CHAIN + 1):
            found = response.find(response.answer, current, want)
            if found:
                ttls.append(min(r.ttl for r in found))
                records = tuple(_value(rdtype, r.value) for r in found)
                return _Exchange(
                    dataclasses.replace(base, outcome=Outcome.OK, records=records, ttl=min(ttls))
                )
            cname = response.find(response.answer, current, wire.TYPES["CNAME"])
            if not cname:
                break
            ttls.append(min(r.ttl for r in cname))
            current = str(cname[0].value)
            if current in seen:
                detail = f"CNAME loop at {current}"
                return _Exchange(dataclasses.replace(base, detail=detail))
            seen.add(current)
        else:
            detail = f"CNAME chain longer than {MAX_CNAME_CHAIN}"
            return _Exchange(dataclasses.replace(base, detail=detail))
        soa = next((r for r in response.authority if r.rtype == wire.TYPES["SOA"]), None)
        chased = current != qname
        if chased and rcode == 0 and soa is None:
            partial = dataclasses.replace(base, ttl=min(ttls))
            return _Exchange(partial, follow=current)
        negative = NEGATIVE_TTL
        if soa is not None and isinstance(soa.value, tuple) and len(soa.value) == 7:
            negative = min(soa.ttl, int(soa.value[6]))
        outcome = Outcome.NXDOMAIN if rcode == 3 else Outcome.NODATA
        detail = f"CNAME chain ends at {current}" if chased else ""
        return _Exchange(
            dataclasses.replace(base, outcome=outcome, ttl=min([negative, *ttls]), detail=detail)
        )


_T = TypeVar("_T")


async def _within(awaitable: Awaitable[_T], seconds: float) -> _T:
    """``awaitable`` with a time limit: ``asyncio.timeout`` where it exists (no extra task,
    unlike ``wait_for`` before Python 3.12)."""
    if sys.version_info >= (3, 11):
        async with asyncio.timeout(seconds):
            return await awaitable
    return await asyncio.wait_for(awaitable, seconds)  # pragma: no cover - Python 3.10


async def udp_exchange(query: bytes, qid: int, qname: str, qtype: str, host: str, port: int,
                       timeout: float) -> wire.Message:
    """Send ``query`` over UDP and wait for its response.

    A connected, non-blocking socket driven by the event loop's socket methods: lighter than
    a datagram transport per query, and the kernel drops datagrams from any other address.
    Replies to other questions (a late answer, another id) are ignored until the time is up;
    a datagram that does not parse as DNS is an error.

    :raises TimeoutError: no matching response in time.
    :raises wire.WireError: a response that does not parse.
    :raises OSError: the server cannot be reached (e.g. an ICMP port unreachable).
    """
    if timeout <= 0:
        raise TimeoutError  # no time left: do not send a question nobody waits for
    loop = asyncio.get_running_loop()
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    try:
        sock.setblocking(False)
        sock.connect((host, port))
        await loop.sock_sendall(sock, query)
        deadline = loop.time() + timeout
        while True:
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise TimeoutError
            try:
                data = await _within(loop.sock_recv(sock, 65535), remaining)
            except asyncio.TimeoutError:
                raise TimeoutError from None
            response = wire.parse(data)
            if wire.answers(response, qid, qname, qtype):
                return response
    finally:
        sock.close()


async def tcp_exchange(query: bytes, qid: int, qname: str, qtype: str, host: str, port: int,
                       timeout: float) -> wire.Message:
    """Ask ``query`` over TCP (after a truncated UDP answer): length-prefixed messages.

    :raises TimeoutError: no complete response in time.
    :raises wire.WireError: a response that does not parse or does not answer the query.
    :raises OSError: the connection failed.
    """
    if timeout <= 0:
        raise TimeoutError

    async def exchange() -> wire.Message:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(len(query).to_bytes(2, "big") + query)
            await writer.drain()
            size = int.from_bytes(await reader.readexactly(2), "big")
            response = wire.parse(await reader.readexactly(size))
        finally:
            writer.close()
        if not wire.answers(response, qid, qname, qtype):
            raise wire.WireError("the TCP answer is not for the question asked")
        return response

    try:
        return await _within(exchange(), timeout)
    except asyncio.TimeoutError:
        raise TimeoutError from None
    except asyncio.IncompleteReadError:
        raise EOFError("the server closed the connection mid-answer") from None


def _value(rdtype: str, value: wire.Value) -> RecordValue:
    """The record value as spflint keeps it (see ``spflint.dns.base``)."""
    if rdtype == "MX" and isinstance(value, tuple) and len(value) == 2:
        return (int(value[0]), str(value[1]))
    if isinstance(value, tuple):
        return tuple(s for s in value if isinstance(s, bytes))
    return str(value) if isinstance(value, str) else value.decode("latin-1")
