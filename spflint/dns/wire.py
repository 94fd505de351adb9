"""DNS messages on the wire (RFC 1035 §4, EDNS RFC 6891): what an SPF check sends and reads.

A query is built for one question; a response is parsed completely and checked (bounds,
counts, compression pointers that only point backwards) so that a malformed or hostile
message is an error, never a crash or a loop. Record data is decoded for the types SPF
uses: TXT and SPF, A, AAAA, MX, CNAME, PTR, NS and SOA; other types keep their raw data.
Within a section, identical records of one name and type are one record, as in an RRset
(RFC 2181 §5).
"""

from __future__ import annotations

import ipaddress
import secrets
import struct
from dataclasses import dataclass, field

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "MX": 15, "TXT": 16, "AAAA": 28,
         "OPT": 41, "SPF": 99}
RCODES = {0: "NOERROR", 1: "FORMERR", 2: "SERVFAIL", 3: "NXDOMAIN", 4: "NOTIMP", 5: "REFUSED",
          6: "YXDOMAIN", 7: "YXRRSET", 8: "NXRRSET", 9: "NOTAUTH", 10: "NOTZONE",
          16: "BADVERS"}
CLASS_IN = 1
FLAG_QR = 0x8000
FLAG_TC = 0x0200
FLAG_RD = 0x0100
MAX_POINTERS = 64  # compression pointers followed for one name (a loop is refused sooner)

_HEADER = struct.Struct("!HHHHHH")
_RR = struct.Struct("!HHIH")

# A record's decoded value: TXT strings, an address, (preference, exchange), a name, or the
# SOA fields (mname, rname, serial, refresh, retry, expire, minimum); raw bytes otherwise.
Value = tuple[bytes, ...] | str | tuple[int, str] | tuple[str, str, int, int, int, int, int] \
    | bytes


class WireError(ValueError):
    """A message that does not parse as DNS (the text says where and why)."""


@dataclass(frozen=True)
class Record:
    """One resource record: owner (lower case, no final dot), type, class, TTL, value."""

    name: str
    rtype: int
    rclass: int
    ttl: int
    value: Value


@dataclass
class Message:
    """A parsed response: header, question, and the answer and authority sections."""

    id: int
    flags: int
    rcode: int  # with the extended bits of an OPT record
    question: tuple[str, int, int] | None  # (name, type, class)
    answer: list[Record] = field(default_factory=list)
    authority: list[Record] = field(default_factory=list)
    edns: int = -1  # the OPT record's version, -1 without one
    size: int = 0  # octets on the wire

    @property
    def truncated(self) -> bool:
        return bool(self.flags & FLAG_TC)

    def rcode_text(self) -> str:
        return RCODES.get(self.rcode, f"RCODE{self.rcode}")

    def find(self, section: list[Record], name: str, rtype: int) -> list[Record]:
        """The records of ``name`` and ``rtype`` (class IN) in ``section``."""
        return [r for r in section if r.name == name and r.rtype == rtype
                and r.rclass == CLASS_IN]


def encode_name(name: str) -> bytes:
    """A name (labels as spflint keeps them, Latin-1 text, no final dot) in wire form.

    :raises WireError: a label over 63 octets, an empty label, or a name over 255 octets.
    """
    out = bytearray()
    if name:
        for label in name.split("."):
            raw = label.encode("latin-1")
            if not raw or len(raw) > 63:
                raise WireError(f"cannot send the name {name!r}: bad label length")
            out.append(len(raw))
            out += raw
    out.append(0)
    if len(out) > 255:
        raise WireError(f"cannot send the name {name!r}: over 255 octets")
    return bytes(out)


def make_query(name: str, qtype: str, *, edns: bool = True, payload: int = 1232,
               qid: int | None = None) -> tuple[int, bytes]:
    """``(id, message)``: one question with the RD bit, with an EDNS OPT record unless
    ``edns`` is False (for servers that answer FORMERR to EDNS).

    :raises WireError: a name that cannot be sent.
    """
    ident = secrets.randbits(16) if qid is None else qid
    header = _HEADER.pack(ident, FLAG_RD, 1, 0, 0, 1 if edns else 0)
    wire = header + encode_name(name) + struct.pack("!HH", TYPES[qtype], CLASS_IN)
    if edns:
        # OPT: root owner, type 41, class = payload size, TTL = extended rcode/version/flags.
        wire += b"\x00" + struct.pack("!HHIH", TYPES["OPT"], payload, 0, 0)
    return ident, wire


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, count: int, what: str) -> bytes:
        end = self.pos + count
        if end > len(self.data):
            raise WireError(f"the message ends inside {what} (at octet {self.pos})")
        chunk = self.data[self.pos:end]
        self.pos = end
        return chunk

    def name(self, what: str = "a name") -> str:
        name, self.pos = read_name(self.data, self.pos, what)
        return name


def read_name(data: bytes, pos: int, what: str = "a name") -> tuple[str, int]:
    """The name at ``pos`` (compression followed) and the position after it.

    A pointer must point before the name that uses it, so a chain of pointers cannot loop.
    """
    labels: list[str] = []
    end: int | None = None
    jumps = 0
    start = pos
    total = 0
    while True:
        if pos >= len(data):
            raise WireError(f"the message ends inside {what}")
        length = data[pos]
        if length & 0xC0 == 0xC0:
            if pos + 1 >= len(data):
                raise WireError(f"the message ends inside {what}")
            target = ((length & 0x3F) << 8) | data[pos + 1]
            if end is None:
                end = pos + 2
            jumps += 1
            if target >= start or jumps > MAX_POINTERS:
                raise WireError(f"a compression pointer in {what} does not point backwards")
            pos = start = target
            continue
        if length & 0xC0:
            raise WireError(f"unknown label type in {what}")
        pos += 1
        if length == 0:
            break
        if pos + length > len(data):
            raise WireError(f"the message ends inside {what}")
        total += length + 1
        if total > 255:
            raise WireError(f"{what} is over 255 octets")
        labels.append(data[pos:pos + length].decode("latin-1").lower())
        pos += length
    return ".".join(labels), (end if end is not None else pos)


def _value(data: bytes, start: int, length: int, rtype: int) -> Value:
    rdata = data[start:start + length]
    if rtype in (TYPES["TXT"], TYPES["SPF"]):
        strings: list[bytes] = []
        i = 0
        while i < length:
            size = rdata[i]
            if i + 1 + size > length:
                raise WireError("a TXT string runs past its record")
            strings.append(rdata[i + 1:i + 1 + size])
            i += 1 + size
        return tuple(strings)
    if rtype == TYPES["A"]:
        if length != 4:
            raise WireError("an A record of other than 4 octets")
        return str(ipaddress.IPv4Address(rdata))
    if rtype == TYPES["AAAA"]:
        if length != 16:
            raise WireError("an AAAA record of other than 16 octets")
        return str(ipaddress.IPv6Address(rdata))
    if rtype == TYPES["MX"]:
        if length < 3:
            raise WireError("an MX record too short for its data")
        exchange, end = read_name(data, start + 2, "an MX exchange")
        if end != start + length:
            raise WireError("an MX record whose length does not match its data")
        return (struct.unpack_from("!H", data, start)[0], exchange)
    if rtype in (TYPES["CNAME"], TYPES["PTR"], TYPES["NS"]):
        target, end = read_name(data, start, "a record's target")
        if end != start + length:
            raise WireError("a record whose length does not match its name")
        return target
    if rtype == TYPES["SOA"]:
        mname, pos = read_name(data, start, "an SOA name")
        rname, pos = read_name(data, pos, "an SOA mailbox")
        if pos + 20 != start + length:
            raise WireError("an SOA record whose length does not match its data")
        serial, refresh, retry, expire, minimum = struct.unpack_from("!IIIII", data, pos)
        return (mname, rname, serial, refresh, retry, expire, minimum)
    return rdata


def parse(data: bytes) -> Message:
    """The message in ``data``.

    :raises WireError: anything that is not a well-formed DNS message.
    """
    reader = _Reader(data)
    ident, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack(
        reader.take(_HEADER.size, "the header"))
    if qdcount > 1:
        raise WireError(f"{qdcount} questions in one message")
    question = None
    if qdcount:
        qname = reader.name("the question")
        qtype, qclass = struct.unpack("!HH", reader.take(4, "the question"))
        question = (qname, qtype, qclass)
    message = Message(ident, flags, flags & 0x000F, question, size=len(data))
    sections: tuple[list[Record], list[Record], list[Record]] = (message.answer,
                                                                  message.authority, [])
    for count, section in zip((ancount, nscount, arcount), sections, strict=True):
        seen: dict[tuple[str, int, int, object], int] = {}
        for _ in range(count):
            name = reader.name("a record's owner")
            rtype, rclass, ttl, length = _RR.unpack(reader.take(_RR.size, "a record"))
            start = reader.pos
            reader.take(length, "a record's data")
            if rtype == TYPES["OPT"]:
                if message.edns >= 0 or section is not sections[2]:
                    raise WireError("an OPT record out of place")
                message.edns = (ttl >> 16) & 0xFF
                message.rcode |= (ttl >> 24) << 4
                continue
            value = _value(data, start, length, rtype)
            key = (name, rtype, rclass, value)
            ttl &= 0x7FFFFFFF
            at = seen.get(key)
            if at is not None:
                # The same record twice is one member of its RRset, with the smaller TTL.
                if ttl < section[at].ttl:
                    section[at] = Record(name, rtype, rclass, ttl, value)
                continue
            seen[key] = len(section)
            section.append(Record(name, rtype, rclass, ttl, value))
    if reader.pos != len(data):
        raise WireError(f"{len(data) - reader.pos} octets after the last record")
    return message


def answers(message: Message, qid: int, name: str, qtype: str) -> bool:
    """Whether ``message`` is the response to the query ``qid`` for ``name`` and ``qtype``
    (a server refusing or failing may leave the question out)."""
    if message.id != qid or not message.flags & FLAG_QR:
        return False
    if message.question is None:
        return message.rcode in (1, 2, 4, 5)  # FORMERR, SERVFAIL, NOTIMP, REFUSED
    return message.question == (name.lower(), TYPES[qtype], CLASS_IN)
