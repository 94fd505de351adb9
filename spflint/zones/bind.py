"""BIND master files (RFC 1035 §5) read with exact byte positions of every TXT/SPF record."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.ttl

from spflint.dns.base import NameData, RecordValue, ZoneData
from spflint.dns.names import from_dns_name

from .model import LineIndex, SoaSerial, StringToken, ZoneFile, ZoneFileError, ZoneRecord

__all__ = ["read_bind", "split_strings"]

_SPECIAL = frozenset(b' \t\r\n;()"')
_BLANK = frozenset(b" \t\r")
_STRING_TYPES = {dns.rdatatype.TXT: "TXT", dns.rdatatype.SPF: "SPF"}
_DATA_TYPES = {
    dns.rdatatype.A: "A",
    dns.rdatatype.AAAA: "AAAA",
    dns.rdatatype.MX: "MX",
    dns.rdatatype.CNAME: "CNAME",
    dns.rdatatype.NS: "NS",
    dns.rdatatype.PTR: "PTR",
}
_FILE_ORIGIN = re.compile(r"^(?:db\.)?(.+?)(?:\.(?:zone|db))?$", re.IGNORECASE)
MAX_STRING = 255


@dataclass
class _Token:
    quoted: bool
    value: bytes  # escapes resolved
    start: int
    end: int


@dataclass
class _Entry:
    tokens: list[_Token] = field(default_factory=list)
    indented: bool = False
    parenthesised: bool = False


class _Lexer:
    """Splits a master file into entries (one RR or directive each), keeping byte spans."""

    def __init__(self, data: bytes, path: str, index: LineIndex) -> None:
        self.data = data
        self.path = path
        self.index = index

    def fail(self, offset: int, message: str) -> ZoneFileError:
        line, column = self.index.position(offset)
        return ZoneFileError(self.path, message, line, column)

    def entries(self) -> Iterator[_Entry]:
        data, n = self.data, len(self.data)
        i = 0
        depth = 0
        open_at = 0
        entry = _Entry()
        line_start = 0
        while i < n:
            c = data[i]
            if c == 0x0A:  # newline
                i += 1
                line_start = i
                if depth == 0 and entry.tokens:
                    yield entry
                    entry = _Entry()
                continue
            if c in _BLANK:
                i += 1
                continue
            if c == 0x3B:  # ';' comment to the end of the line
                end = data.find(b"\n", i)
                i = n if end < 0 else end
                continue
            if c == 0x28:  # '('
                if depth == 0:
                    open_at = i
                depth += 1
                entry.parenthesised = True
                i += 1
                continue
            if c == 0x29:  # ')'
                if depth == 0:
                    raise self.fail(i, "')' without a matching '('")
                depth -= 1
                i += 1
                continue
            if not entry.tokens:
                entry.indented = i > line_start
            token, i = self.quoted(i) if c == 0x22 else self.word(i)
            entry.tokens.append(token)
        if depth:
            raise self.fail(open_at, "'(' is never closed")
        if entry.tokens:
            yield entry

    def escape(self, i: int, out: bytearray) -> int:
        """Resolve the escape at ``data[i] == '\\'``; return the index after it."""
        data = self.data
        if i + 1 >= len(data) or data[i + 1] in (0x0A, 0x0D):
            raise self.fail(i, "a backslash ends the line")
        digits = data[i + 1 : i + 4]
        if digits[:1].isdigit():
            if len(digits) != 3 or not digits.isdigit() or int(digits) > 255:
                raise self.fail(i, "bad escape: use \\DDD with a decimal byte value 000-255")
            out.append(int(digits))
            return i + 4
        # One escaped character, which may be a multi-byte UTF-8 sequence.
        j = i + 2
        while j < len(data) and 0x80 <= data[j] < 0xC0:
            j += 1
        out.extend(data[i + 1 : j])
        return j

    def quoted(self, start: int) -> tuple[_Token, int]:
        data, out = self.data, bytearray()
        i = start + 1
        while True:
            if i >= len(data):
                raise self.fail(start, "unterminated quoted string")
            c = data[i]
            if c == 0x22:
                return _Token(True, bytes(out), start, i + 1), i + 1
            if c == 0x0A:
                raise self.fail(start, "a quoted string runs past the end of the line")
            if c == 0x5C:
                i = self.escape(i, out)
                continue
            out.append(c)
            i += 1

    def word(self, start: int) -> tuple[_Token, int]:
        data, out = self.data, bytearray()
        i = start
        while i < len(data) and data[i] not in _SPECIAL:
            if data[i] == 0x5C:
                i = self.escape(i, out)
                continue
            out.append(data[i])
            i += 1
        return _Token(False, bytes(out), start, i), i


def _text(token: _Token) -> str:
    return token.value.decode("utf-8", errors="replace")


def _origin_from_filename(path: str) -> dns.name.Name | None:
    match = _FILE_ORIGIN.match(Path(path).name)
    if match is None:
        return None
    candidate = match.group(1)
    if "." not in candidate or not re.fullmatch(r"[A-Za-z0-9_.-]+", candidate):
        return None
    return dns.name.from_text(candidate.rstrip(".") + ".")


def _is_ttl(word: str) -> bool:
    if not word[:1].isdigit():
        return False
    try:
        dns.ttl.from_text(word)
    except (dns.exception.DNSException, ValueError):
        return False
    return True


def _is_class(word: str) -> bool:
    try:
        dns.rdataclass.from_text(word)
    except (dns.exception.DNSException, ValueError):
        return False
    return True


class _BindReader:
    def __init__(self, top: str, overrides: Mapping[str, bytes]) -> None:
        self.top = top
        self.overrides = overrides
        self.records: list[ZoneRecord] = []
        self.data = ZoneData(source=top)
        self.contents: dict[str, bytes] = {}
        self.soa: SoaSerial | None = None
        self.origin_text = ""

    def load(self, path: str) -> bytes:
        if path in self.overrides:
            return self.overrides[path]
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            raise ZoneFileError(path, f"cannot read the file: {exc.strerror or exc}") from None

    def read(self, path: str, origin: dns.name.Name | None,
             stack: tuple[str, ...] = ()) -> None:
        raw = self.load(path)
        self.contents[path] = raw
        index = LineIndex(raw)
        lexer = _Lexer(raw, path, index)
        entries = list(lexer.entries())
        if not stack:
            if origin is None:
                guessed, directive_first = self.guess_origin(entries)
                origin = guessed
                if origin is None and not directive_first:
                    origin = _origin_from_filename(path)
            if origin is not None:
                self.origin_text = from_dns_name(origin)
                self.data.apexes.add(self.origin_text)
        owner: dns.name.Name | None = None
        for entry in entries:
            first = entry.tokens[0]
            word = _text(first).upper()
            if not first.quoted and word.startswith("$") and not entry.indented:
                origin = self.directive(entry, word, origin, path, lexer, stack)
                continue
            owner = self.record(entry, owner, origin, path, lexer, index)

    def guess_origin(self, entries: list[_Entry]) -> tuple[dns.name.Name | None, bool]:
        """The SOA owner, else the first absolute owner; (None, True) if $ORIGIN comes first."""
        first: dns.name.Name | None = None
        for entry in entries:
            head = _text(entry.tokens[0])
            if head.upper() == "$ORIGIN" and not entry.indented:
                return None, True
            if head.startswith("$") or entry.indented or not head.endswith("."):
                continue
            try:
                name = dns.name.from_text(head)
            except dns.exception.DNSException:
                continue
            if any(_text(t).upper() == "SOA" for t in entry.tokens[1:4]):
                return name, False
            first = first or name
        return first, False

    def directive(self, entry: _Entry, word: str, origin: dns.name.Name | None, path: str,
                  lexer: _Lexer, stack: tuple[str, ...]) -> dns.name.Name | None:
        args = entry.tokens[1:]
        first = entry.tokens[0]
        if word == "$ORIGIN":
            if not args:
                raise lexer.fail(first.start, "$ORIGIN needs a domain name")
            new = self.name(args[0], origin, lexer)
            if not stack and not self.origin_text:
                self.origin_text = from_dns_name(new)
                self.data.apexes.add(self.origin_text)
            return new
        if word == "$TTL":
            if not args or not _is_ttl(_text(args[0])):
                raise lexer.fail(first.start, "$TTL needs a time such as 3600 or 1h")
            return origin
        if word == "$INCLUDE":
            if not args:
                raise lexer.fail(first.start, "$INCLUDE needs a file name")
            target = os.path.normpath(os.path.join(os.path.dirname(path), _text(args[0])))
            real = os.path.realpath(target)
            if real in stack or real == os.path.realpath(path):
                raise lexer.fail(args[0].start, f"$INCLUDE of {_text(args[0])!r} makes a cycle")
            sub_origin = self.name(args[1], origin, lexer) if len(args) > 1 else origin
            try:
                self.read(target, sub_origin, (*stack, os.path.realpath(path)))
            except ZoneFileError as exc:
                if exc.path != target or exc.line is not None:
                    raise
                raise lexer.fail(args[0].start, exc.reason) from None
            return origin
        raise lexer.fail(first.start, f"unsupported directive {_text(first)}")

    def name(self, token: _Token, origin: dns.name.Name | None,
             lexer: _Lexer) -> dns.name.Name:
        raw = lexer.data[token.start : token.end].decode("utf-8", errors="replace")
        try:
            name = dns.name.from_text(raw, origin=origin)
        except dns.exception.DNSException as exc:
            raise lexer.fail(token.start, f"invalid name {raw!r}: {exc}") from None
        if not name.is_absolute():
            raise lexer.fail(token.start, f"relative name {raw!r} but the zone's origin is"
                                          " unknown (add $ORIGIN)")
        return name

    def record(self, entry: _Entry, owner: dns.name.Name | None,
               origin: dns.name.Name | None, path: str, lexer: _Lexer,
               index: LineIndex) -> dns.name.Name:
        tokens = entry.tokens
        pos = 0
        if not entry.indented:
            owner = self.name(tokens[0], origin, lexer)
            pos = 1
        elif owner is None:
            if origin is None:
                raise lexer.fail(tokens[0].start, "a record without an owner name comes first")
            owner = origin
        rdclass = dns.rdataclass.IN
        seen_ttl = seen_class = False
        while pos < len(tokens) and not tokens[pos].quoted:
            word = _text(tokens[pos])
            if not seen_ttl and _is_ttl(word):
                seen_ttl = True
            elif not seen_class and _is_class(word):
                seen_class = True
                rdclass = dns.rdataclass.from_text(word)
            else:
                break
            pos += 1
        if pos >= len(tokens):
            raise lexer.fail(tokens[-1].start, "the record type is missing")
        type_token = tokens[pos]
        try:
            rdtype = dns.rdatatype.from_text(_text(type_token))
        except (dns.exception.DNSException, ValueError):
            raise lexer.fail(type_token.start,
                             f"unknown record type {_text(type_token)!r}") from None
        rdata = tokens[pos + 1 :]
        owner_text = from_dns_name(owner)
        node = self.data.names.setdefault(owner_text, NameData())
        if rdclass != dns.rdataclass.IN:
            return owner
        line = index.line_of(tokens[0].start)
        if rdtype in _STRING_TYPES:
            if not rdata:
                raise lexer.fail(type_token.start, f"{_text(type_token)} needs a string")
            strings = tuple(t.value for t in rdata)
            value_line, column = index.position(rdata[0].start)
            self.records.append(ZoneRecord(
                name=owner_text, rdtype=_STRING_TYPES[rdtype], path=path, line=line,
                value_line=value_line, column=column, start=rdata[0].start,
                end=rdata[-1].end, strings=strings,
                tokens=tuple(StringToken(t.start, t.end, t.quoted) for t in rdata),
                parenthesised=entry.parenthesised, zone=self.origin_text,
                index=len(self.records)))
            node.records.append((_STRING_TYPES[rdtype], strings))
            return owner
        if rdtype == dns.rdatatype.SOA:
            self.note_soa(rdata, path, lexer, index)
            return owner
        kind = _DATA_TYPES.get(rdtype)
        if kind is None:
            return owner
        node.records.append((kind, self.data_value(kind, rdtype, rdata, origin, lexer,
                                                   type_token)))
        return owner

    def data_value(self, kind: str, rdtype: dns.rdatatype.RdataType, rdata: list[_Token],
                   origin: dns.name.Name | None, lexer: _Lexer,
                   type_token: _Token) -> RecordValue:
        text = " ".join(lexer.data[t.start : t.end].decode("utf-8", errors="replace")
                        for t in rdata)
        where = rdata[0].start if rdata else type_token.start
        try:
            parsed = dns.rdata.from_text(dns.rdataclass.IN, rdtype, text, origin=origin,
                                         relativize=False)
        except (dns.exception.DNSException, ValueError) as exc:
            raise lexer.fail(where, f"invalid {kind} record: {exc}") from None
        fields: Any = parsed  # the attributes depend on the record type
        if kind in ("A", "AAAA"):
            return str(ipaddress.ip_address(fields.address))
        if kind == "MX":
            return (int(fields.preference), from_dns_name(fields.exchange))
        return from_dns_name(fields.target)

    def note_soa(self, rdata: list[_Token], path: str, lexer: _Lexer,
                 index: LineIndex) -> None:
        if len(rdata) < 7:
            start = rdata[0].start if rdata else 0
            raise lexer.fail(start, "an SOA record needs 7 fields")
        serial = rdata[2]
        if not serial.value.isdigit():
            raise lexer.fail(serial.start, f"the SOA serial {_text(serial)!r} is not a number")
        if self.soa is None:
            self.soa = SoaSerial(path, serial.start, serial.end, int(serial.value),
                                 index.line_of(serial.start))


def read_bind(path: str | os.PathLike[str], origin: str | None = None, *,
              overrides: Mapping[str, bytes] | None = None) -> ZoneFile:
    """Read a BIND master file and the files it ``$INCLUDE``s.

    The origin is ``origin``, else the file's first ``$ORIGIN``, else its SOA owner or first
    absolute owner, else the file name (``db.example.com``, ``example.com.zone``).
    ``overrides`` maps paths to contents used instead of the files on disk.

    :raises ZoneFileError: an unreadable file, a syntax error or an ``$INCLUDE`` cycle, with
        the file, line and column.
    """
    top = os.fspath(path)
    reader = _BindReader(top, overrides or {})
    start = dns.name.from_text(origin.rstrip(".") + ".") if origin else None
    reader.read(top, start)
    zone = ZoneFile(path=top, format="bind", origin=reader.origin_text, records=reader.records,
                    data=reader.data, contents=reader.contents, soa=reader.soa)
    return zone


def split_strings(value: bytes, limit: int = MAX_STRING) -> list[bytes]:
    """Split a record value into character-strings of at most ``limit`` octets.

    Breaks go after a space when one is near, so each string ends on a term boundary
    (receivers join the strings without adding anything, RFC 7208 §3.3).
    """
    if len(value) <= limit:
        return [value]
    out: list[bytes] = []
    rest = value
    while len(rest) > limit:
        cut = rest.rfind(b" ", 0, limit) + 1
        if cut <= 0:
            cut = limit
        out.append(rest[:cut])
        rest = rest[cut:]
    if rest:
        out.append(rest)
    return out
