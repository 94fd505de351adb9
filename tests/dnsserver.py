"""A real authoritative DNS server on 127.0.0.1 (UDP and TCP) serving ZoneData, for tests."""

from __future__ import annotations

import contextlib
import os
import selectors
import socket
import struct
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import TracebackType

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rdtypes.ANY.SPF
import dns.rdtypes.ANY.TXT
import dns.rrset

from spflint.dns.base import NameData, RecordValue, ZoneData

BEHAVIOURS = ("timeout", "servfail", "garbage", "refused", "truncate-always")
DEFAULT_TTL = 300
MAX_CNAME_CHAIN = 16
_MAX_TXT_STRING = 255
_IN = dns.rdataclass.IN


@dataclass(frozen=True)
class SeenQuery:
    """One question the server received."""

    name: str  # lower-case, no trailing dot
    rdtype: str  # e.g. "TXT", "SPF", "A"
    transport: str  # "udp" or "tcp"


def _norm(name: str) -> str:
    return name.strip().rstrip(".").lower()


def _qname_text(name: dns.name.Name) -> str:
    # Raw label bytes, not presentation text: zone keys hold "a b" where to_text gives "a\\032b".
    return _norm(".".join(label.decode("latin-1") for label in name.labels if label))


def _dns_name(text: str) -> dns.name.Name:
    return dns.name.from_text(text.rstrip(".") + ".") if text.strip(".") else dns.name.root


def _txt_strings(value: RecordValue) -> list[bytes]:
    if isinstance(value, (bytes, str)):
        parts: Iterable[bytes | str | int] = [value]
    elif isinstance(value, tuple):
        parts = value
    else:
        raise ValueError(f"TXT/SPF value must be a tuple of bytes, not {value!r}")
    out: list[bytes] = []
    for part in parts:
        raw = part.encode() if isinstance(part, str) else part
        if not isinstance(raw, bytes):
            raise ValueError(f"TXT/SPF character-string must be bytes, not {part!r}")
        # A character-string cannot exceed 255 octets on the wire; longer data is split
        # the way publishers do, which keeps the concatenated record text identical.
        if not raw:
            out.append(b"")
        for i in range(0, len(raw), _MAX_TXT_STRING):
            out.append(raw[i : i + _MAX_TXT_STRING])
    return out


def _make_rdata(rdtype: str, value: RecordValue) -> dns.rdata.Rdata:
    kind = rdtype.upper()
    if kind == "TXT":
        return dns.rdtypes.ANY.TXT.TXT(_IN, dns.rdatatype.TXT, _txt_strings(value))
    if kind == "SPF":
        return dns.rdtypes.ANY.SPF.SPF(_IN, dns.rdatatype.SPF, _txt_strings(value))
    if kind == "MX":
        if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], int)):
            raise ValueError(f"MX value must be (preference, exchange), not {value!r}")
        exchange = value[1]
        if not isinstance(exchange, str):
            raise ValueError(f"MX exchange must be a name, not {exchange!r}")
        return dns.rdata.from_text(_IN, dns.rdatatype.MX, f"{value[0]} {_dns_name(exchange)}")
    if not isinstance(value, str):
        raise ValueError(f"{kind} value must be text, not {value!r}")
    if kind in ("PTR", "NS", "CNAME"):
        return dns.rdata.from_text(_IN, dns.rdatatype.from_text(kind), _dns_name(value).to_text())
    return dns.rdata.from_text(_IN, dns.rdatatype.from_text(kind), value)


@dataclass(frozen=True)
class _Zone:
    """An immutable, query-ready view of one ZoneData."""

    names: dict[str, NameData]
    rdatas: dict[tuple[str, int], list[dns.rdata.Rdata]]
    existing: frozenset[str]  # listed names, apexes and empty non-terminals
    apexes: frozenset[str]

    @classmethod
    def build(cls, zonedata: ZoneData | None) -> _Zone:
        names: dict[str, NameData] = {}
        rdatas: dict[tuple[str, int], list[dns.rdata.Rdata]] = {}
        existing: set[str] = set()
        apexes = frozenset(_norm(a) for a in (zonedata.apexes if zonedata else ()))
        for raw_name, data in (zonedata.names if zonedata else {}).items():
            name = _norm(raw_name)
            names[name] = data
            labels = name.split(".")
            existing.update(".".join(labels[i:]) for i in range(len(labels)))
            for rdtype, value in data.records:
                try:
                    rdata = _make_rdata(rdtype, value)
                except (ValueError, dns.exception.DNSException) as exc:
                    raise ValueError(f"bad {rdtype} record for {name!r}: {exc}") from exc
                rdatas.setdefault((name, rdata.rdtype), []).append(rdata)
        existing.update(apexes)
        return cls(names, rdatas, frozenset(existing), apexes)

    def soa_owner(self, name: str) -> str:
        labels = name.split(".")
        for i in range(len(labels)):
            suffix = ".".join(labels[i:])
            if suffix in self.apexes:
                return suffix
        return ".".join(labels[-2:])


@dataclass
class _Resolution:
    """What the server decided to do with one question."""

    action: str = "answer"  # "answer" or one of BEHAVIOURS
    rcode: dns.rcode.Rcode = dns.rcode.NOERROR
    answer: list[dns.rrset.RRset] = field(default_factory=list)
    authority: list[dns.rrset.RRset] = field(default_factory=list)


class DNSTestServer:
    """Authoritative DNS server for ZoneData on 127.0.0.1, UDP and TCP on one port.

    Every question is answered in its own thread, so ``latency`` delays answers without
    serialising them.
    """

    host = "127.0.0.1"

    def __init__(
        self,
        zonedata: ZoneData | None = None,
        *,
        latency: float = 0.0,
        udp_limit: int = 512,
        edns: bool = True,
        ttls: dict[str, int] | None = None,
    ) -> None:
        self.latency = latency
        self.udp_limit = udp_limit
        self.edns = edns
        self.ttls: dict[str, int] = {_norm(k): v for k, v in (ttls or {}).items()}
        self.port = 0
        self.queries: list[SeenQuery] = []
        self._zone = _Zone.build(zonedata)
        self._behaviours: dict[str, str] = {}
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._threads: set[threading.Thread] = set()
        self._conns: set[socket.socket] = set()
        self._udp: socket.socket | None = None
        self._tcp: socket.socket | None = None
        self._wake_r: socket.socket | None = None
        self._wake_w: socket.socket | None = None
        self._listener: threading.Thread | None = None

    # -- public API --------------------------------------------------------------------

    @property
    def address(self) -> str:
        if not self.port:
            raise RuntimeError("the DNS test server is not started")
        return f"{self.host}:{self.port}"

    def load(self, zonedata: ZoneData) -> None:
        """Replace the served data (takes effect for the next question)."""
        zone = _Zone.build(zonedata)
        with self._lock:
            self._zone = zone

    def set_behaviour(self, name: str, behaviour: str | None) -> None:
        """Make questions for ``name`` fail a certain way; ``None`` or "normal" resets."""
        key = _norm(name)
        with self._lock:
            if behaviour in (None, "normal"):
                self._behaviours.pop(key, None)
                return
            if behaviour not in BEHAVIOURS:
                raise ValueError(f"unknown behaviour {behaviour!r}; expected one of {BEHAVIOURS}")
            self._behaviours[key] = behaviour

    def clear_log(self) -> None:
        with self._lock:
            self.queries.clear()

    def count(self, name: str | None = None, rdtype: str | None = None) -> int:
        """How many questions matched ``name`` and ``rdtype`` (either may be omitted)."""
        want_name = _norm(name) if name is not None else None
        want_type = rdtype.upper() if rdtype is not None else None
        with self._lock:
            return sum(
                1
                for q in self.queries
                if (want_name is None or q.name == want_name)
                and (want_type is None or q.rdtype == want_type)
            )

    def start(self) -> DNSTestServer:
        if self._listener is not None:
            raise RuntimeError("the DNS test server is already running")
        self._stopping.clear()
        self._udp, self._tcp = self._bind()
        self.port = self._udp.getsockname()[1]
        self._wake_r, self._wake_w = socket.socketpair()
        self._listener = threading.Thread(
            target=self._serve, name=f"dnstest-{self.port}-listener", daemon=True
        )
        self._listener.start()
        return self

    def stop(self) -> None:
        if self._listener is None:
            return
        self._stopping.set()
        assert self._wake_w is not None
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")
        self._listener.join(timeout=5)
        self._listener = None
        with self._lock:
            conns = list(self._conns)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        while True:
            with self._lock:
                threads = [t for t in self._threads if t is not threading.current_thread()]
            if not threads:
                break
            for thread in threads:
                thread.join(timeout=5)
                with self._lock:
                    self._threads.discard(thread)
        for sock in (self._udp, self._tcp, self._wake_r, self._wake_w, *conns):
            if sock is not None:
                sock.close()
        self._udp = self._tcp = self._wake_r = self._wake_w = None
        with self._lock:
            self._conns.clear()

    def __enter__(self) -> DNSTestServer:
        return self.start() if self._listener is None else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- sockets and threads -----------------------------------------------------------

    def _bind(self) -> tuple[socket.socket, socket.socket]:
        last: OSError | None = None
        for _ in range(50):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                udp.bind((self.host, 0))
                port = udp.getsockname()[1]
                tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                try:
                    tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                    tcp.bind((self.host, port))
                    tcp.listen(64)
                except OSError:
                    tcp.close()
                    raise
            except OSError as exc:
                udp.close()
                last = exc
                continue
            return udp, tcp
        raise OSError(f"could not bind UDP and TCP on one port: {last}")

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(
            target=self._run_tracked,
            args=(target, *args),
            name=f"dnstest-{self.port}-worker",
            daemon=True,
        )
        with self._lock:
            if self._stopping.is_set():
                return
            self._threads.add(thread)
        thread.start()

    def _run_tracked(self, target: Callable[..., None], *args: object) -> None:
        try:
            target(*args)
        finally:
            with self._lock:
                self._threads.discard(threading.current_thread())

    def _serve(self) -> None:
        assert self._udp and self._tcp and self._wake_r
        with selectors.DefaultSelector() as sel:
            sel.register(self._udp, selectors.EVENT_READ)
            sel.register(self._tcp, selectors.EVENT_READ)
            sel.register(self._wake_r, selectors.EVENT_READ)
            while not self._stopping.is_set():
                for key, _ in sel.select():
                    if self._stopping.is_set():
                        return
                    if key.fileobj is self._udp:
                        try:
                            data, peer = self._udp.recvfrom(65535)
                        except OSError:
                            continue
                        self._spawn(self._handle_udp, data, peer)
                    elif key.fileobj is self._tcp:
                        try:
                            conn, _ = self._tcp.accept()
                        except OSError:
                            continue
                        with self._lock:
                            self._conns.add(conn)
                        self._spawn(self._serve_tcp, conn)

    def _handle_udp(self, data: bytes, peer: tuple[str, int]) -> None:
        reply = self._respond(data, "udp")
        if reply is not None and self._udp is not None:
            with contextlib.suppress(OSError):
                self._udp.sendto(reply, peer)

    def _serve_tcp(self, conn: socket.socket) -> None:
        send_lock = threading.Lock()
        try:
            while not self._stopping.is_set():
                header = _recv_exactly(conn, 2)
                if header is None:
                    return
                data = _recv_exactly(conn, struct.unpack("!H", header)[0])
                if data is None:
                    return
                self._spawn(self._handle_tcp, conn, send_lock, data)
        finally:
            with self._lock:
                self._conns.discard(conn)
            conn.close()

    def _handle_tcp(self, conn: socket.socket, send_lock: threading.Lock, data: bytes) -> None:
        reply = self._respond(data, "tcp")
        if reply is None:
            return
        with send_lock, contextlib.suppress(OSError):
            conn.sendall(struct.pack("!H", len(reply)) + reply)

    # -- answering ---------------------------------------------------------------------

    def _respond(self, data: bytes, transport: str) -> bytes | None:
        """Wire reply to one query, or None to stay silent."""
        try:
            query = dns.message.from_wire(data)
        except dns.exception.DNSException:
            return None
        if query.flags & dns.flags.QR:
            return None
        if query.opcode() != dns.opcode.QUERY or len(query.question) != 1:
            reply = self._new_response(query)
            rcode = dns.rcode.NOTIMP if query.opcode() != dns.opcode.QUERY else dns.rcode.FORMERR
            reply.set_rcode(rcode)
            return self._delayed(reply.to_wire(max_size=65535))

        question = query.question[0]
        qname = _qname_text(question.name)
        rdtype = question.rdtype
        with self._lock:
            self.queries.append(SeenQuery(qname, dns.rdatatype.to_text(rdtype), transport))
            zone = self._zone
            behaviours = dict(self._behaviours)

        result = self._resolve(zone, behaviours, qname, rdtype)
        if result.action == "timeout":
            return None
        if result.action == "garbage":
            # Starts like a reply to this id but claims sections it never carries,
            # so a client that matches ids must reject it as malformed.
            junk = struct.pack("!HHHHHH", query.id, 0x8400, 0xFFFF, 0xFFFF, 0, 0)
            return self._delayed(junk + os.urandom(9))

        reply = self._new_response(query)
        reply.flags |= dns.flags.AA
        reply.set_rcode(result.rcode)
        if result.action == "truncate-always" and transport == "udp":
            reply.flags |= dns.flags.TC
            return self._delayed(reply.to_wire(max_size=65535))
        reply.answer.extend(result.answer)
        reply.authority.extend(result.authority)
        try:
            wire = reply.to_wire(max_size=65535)
        except dns.exception.TooBig:
            # An answer no DNS message can carry: a real server would fail the query.
            reply = self._new_response(query)
            reply.set_rcode(dns.rcode.SERVFAIL)
            wire = reply.to_wire(max_size=65535)
        if transport == "udp" and len(wire) > self._udp_size(query):
            reply.answer.clear()
            reply.authority.clear()
            reply.flags |= dns.flags.TC
            wire = reply.to_wire(max_size=65535)
        return self._delayed(wire)

    def _delayed(self, wire: bytes) -> bytes | None:
        delay = self.latency
        if delay > 0 and self._stopping.wait(delay):
            return None
        return wire

    def _new_response(self, query: dns.message.Message) -> dns.message.Message:
        reply = dns.message.make_response(query)
        if not self.edns:
            reply.use_edns(False)
        return reply

    def _udp_size(self, query: dns.message.Message) -> int:
        if self.edns and query.edns >= 0:
            return max(query.payload, 512)
        return self.udp_limit

    def _ttl(self, name: str) -> int:
        return self.ttls.get(name, DEFAULT_TTL)

    def _resolve(
        self, zone: _Zone, behaviours: dict[str, str], qname: str, rdtype: int
    ) -> _Resolution:
        result = _Resolution()
        name = qname
        seen: set[str] = set()
        for _ in range(MAX_CNAME_CHAIN + 1):
            seen.add(name)
            failure = self._failure(zone, behaviours, name, rdtype)
            if failure == "truncate-always":
                # Only UDP replies are affected; TCP still needs the real answer.
                result.action = failure
            elif failure in ("servfail", "refused"):
                refused = failure == "refused"
                result.rcode = dns.rcode.REFUSED if refused else dns.rcode.SERVFAIL
                result.answer.clear()
                return result
            elif failure is not None:
                result.action = failure
                return result
            if name not in zone.existing:
                result.rcode = dns.rcode.NXDOMAIN
                result.authority.append(self._soa(zone, name))
                return result
            if rdtype == dns.rdatatype.ANY:
                for (owner, rtype), rdatas in zone.rdatas.items():
                    if owner == name:
                        result.answer.append(self._rrset(name, rtype, rdatas))
                return result
            own = zone.rdatas.get((name, rdtype))
            if own:
                result.answer.append(self._rrset(name, rdtype, own))
                return result
            cname = zone.rdatas.get((name, dns.rdatatype.CNAME))
            if not cname:
                result.authority.append(self._soa(zone, name))
                return result
            result.answer.append(self._rrset(name, dns.rdatatype.CNAME, cname[:1]))
            target = _qname_text(cname[0].target)  # type: ignore[attr-defined]
            if target in seen:
                return result
            name = target
        return result

    def _failure(
        self, zone: _Zone, behaviours: dict[str, str], name: str, rdtype: int
    ) -> str | None:
        if name in behaviours:
            return behaviours[name]
        if zone.rdatas.get((name, rdtype)):
            # Zone data's TIMEOUT/SERVFAIL stand for the types the name does not list (as
            # in the openspf suite, where such a name may also carry records that answer).
            return None
        data = zone.names.get(name)
        if data is not None and data.timeout:
            return "timeout"
        if data is not None and data.servfail:
            return "servfail"
        return None

    def _rrset(self, name: str, rdtype: int, rdatas: list[dns.rdata.Rdata]) -> dns.rrset.RRset:
        rrset = dns.rrset.RRset(_dns_name(name), _IN, dns.rdatatype.RdataType.make(rdtype))
        rrset.update_ttl(self._ttl(name))
        for rdata in rdatas:
            rrset.add(rdata)
        return rrset

    def _soa(self, zone: _Zone, name: str) -> dns.rrset.RRset:
        owner = zone.soa_owner(name)
        ttl = self._ttl(owner)
        text = (
            f"ns.{owner}. hostmaster.{owner}. 1 3600 600 86400 {ttl}"
            if owner
            else ("ns. hostmaster. 1 3600 600 86400 300")
        )
        rdata = dns.rdata.from_text(_IN, dns.rdatatype.SOA, text)
        return self._rrset(owner, dns.rdatatype.SOA, [rdata])


def _recv_exactly(conn: socket.socket, size: int) -> bytes | None:
    buf = b""
    while len(buf) < size:
        try:
            chunk = conn.recv(size - len(buf))
        except OSError:
            return None
        if not chunk:
            return None
        buf += chunk
    return buf
