"""What the zone readers return: TXT/SPF records with exact positions, and the zone's DNS data."""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from spflint.dns.base import ZoneData
from spflint.errors import InputError
from spflint.findings import Severity


@contextmanager
def no_cycle_collection() -> Iterator[None]:
    """While a zone is read: the readers build hundreds of thousands of objects and no
    reference cycles, so the cycle collector would only rescan them over and over."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()

SPF_PREFIX = b"v=spf1"


class ZoneFileError(InputError):
    """A zone file that cannot be read or parsed; ``path``/``line``/``column`` say where."""

    def __init__(self, path: str, message: str, line: int | None = None,
                 column: int | None = None) -> None:
        self.path = path
        self.line = line
        self.column = column
        where = path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        self.reason = message
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class StringToken:
    """One character-string of a record as written: its byte span and whether it was quoted."""

    start: int
    end: int
    quoted: bool


@dataclass(frozen=True)
class ZoneRecord:
    """One TXT or SPF record found in a zone file.

    ``start``/``end`` is the byte span of the record's value in ``path`` (the file holding
    the record, which may be one that another file ``$INCLUDE``s): for BIND from the first
    to the last character-string (parentheses between them included), for octoDNS the YAML
    scalar. ``line`` is where the record's entry starts, ``value_line``/``column`` where its
    value starts (1-based; the column counts characters).
    """

    name: str  # owner, lower-case FQDN without the final dot
    rdtype: str  # "TXT" or "SPF"
    path: str
    line: int
    value_line: int
    column: int
    start: int
    end: int
    strings: tuple[bytes, ...]
    tokens: tuple[StringToken, ...] = ()  # BIND: one per string; octoDNS: the scalar
    parenthesised: bool = False  # BIND: the record's data was in parentheses
    style: str = ""  # octoDNS: YAML scalar style ("", "'", '"', "|", ">")
    chunked: bool = False  # octoDNS: written as '"chunk" "chunk"'
    zone: str = ""  # origin of the zone (top-level file) the record belongs to
    index: int = 0  # position among the TXT/SPF records of the zone (for matching)

    @property
    def value(self) -> bytes:
        """The record's data: its strings joined (RFC 7208 §3.3: no spaces added)."""
        return b"".join(self.strings)

    @property
    def text(self) -> str:
        return self.value.decode("utf-8", errors="replace")

    @property
    def is_spf(self) -> bool:
        """Whether the record is an SPF record (``v=spf1`` alone or followed by a space)."""
        value = self.value
        head = value[: len(SPF_PREFIX)].lower()
        return head == SPF_PREFIX and (len(value) == len(SPF_PREFIX) or value[6:7] == b" ")


@dataclass(frozen=True)
class ZoneNote:
    """Something a reader noticed in a zone file that is not fatal: an entry it skipped
    (a record type or directive it does not read), or a value it read as written but that
    the zone's own tools would reject or re-root.

    ``code`` is the rule that reports it (a zone-scope rule, e.g. ``SPF602``); ``line`` and
    ``column`` are 1-based, the column counting characters. ``severity``, when set, is this
    note's level in place of the rule's default (configuration still wins).
    """

    code: str
    path: str
    line: int
    column: int
    message: str
    term: str | None = None  # the text the note is about (a type, a target), when short
    severity: Severity | None = None


@dataclass(frozen=True)
class SoaSerial:
    """Where a zone's SOA serial is written, and its value."""

    path: str
    start: int
    end: int
    value: int
    line: int


@dataclass
class ZoneFile:
    """A zone read from one file given on the command line (with what it includes)."""

    path: str
    format: str  # "bind" or "octodns"
    origin: str
    records: list[ZoneRecord] = field(default_factory=list)
    data: ZoneData = field(default_factory=ZoneData)
    contents: dict[str, bytes] = field(default_factory=dict)  # every file read, as read
    soa: SoaSerial | None = None
    notes: list[ZoneNote] = field(default_factory=list)

    @property
    def spf_records(self) -> list[ZoneRecord]:
        return [r for r in self.records if r.is_spf]


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class LineIndex:
    """Byte offset to 1-based (line, character column) for one file's bytes."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.starts = [0]
        for i, byte in enumerate(data):
            if byte == 0x0A:
                self.starts.append(i + 1)

    def line_of(self, offset: int) -> int:
        lo, hi = 0, len(self.starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.starts[mid] <= offset:
                lo = mid
            else:
                hi = mid - 1
        return lo + 1

    def position(self, offset: int) -> tuple[int, int]:
        line = self.line_of(offset)
        prefix = self.data[self.starts[line - 1] : offset]
        return line, len(prefix.decode("utf-8", errors="replace")) + 1
