"""BIND-family master files (RFC 1035 §5: BIND, NSD, Knot, CoreDNS, gdnsd), read fast and
bounded, with the exact byte positions of every TXT/SPF record."""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import socket
import stat
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import dns.exception
import dns.name
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.ttl

from spflint.dns.base import NameData, RecordValue, ZoneData
from spflint.dns.names import from_dns_name, to_dns_name

from .discover import _is_within, find_repository_root, origin_from_file_name
from .model import (
    SoaSerial,
    StringToken,
    ZoneFile,
    ZoneFileError,
    ZoneNote,
    ZoneRecord,
    no_cycle_collection,
)

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_GENERATED",
    "MAX_INCLUDED_BYTES",
    "MAX_INCLUDES",
    "MAX_INCLUDE_DEPTH",
    "MAX_NOTES",
    "MAX_STRING",
    "read_bind",
    "read_bounded",
]

from spflint.txt import MAX_STRING

MAX_FILE_BYTES = 64 * 1024 * 1024  # one zone file or one file it includes
MAX_INCLUDED_BYTES = 128 * 1024 * 1024  # everything one zone reads through $INCLUDE
MAX_INCLUDE_DEPTH = 16
MAX_INCLUDES = 1000  # $INCLUDE directives followed for one zone
MAX_GENERATED = 100_000  # records all $GENERATE directives of one zone may produce
MAX_NOTES = 100  # skipped entries listed one by one per zone; the rest are counted
SKIPPED = "SPF602"  # the zone-scope rule that reports skipped entries
# gdnsd's dynamic records: the server computes the answers per query, so the data cannot.
_COMPUTED = {b"DYNA": frozenset({"A", "AAAA"}), b"DYNC": frozenset({"*"})}

_BLANK = frozenset(b" \t\r\x0b\x0c")
_WORD_STOP = re.compile(rb'[ \t\r\n\x0b\x0c;()"\\]')
_SPECIAL = re.compile(rb'[";()\\]')  # what a line needs more than a split on blanks for
_QUOTE_STOP = re.compile(rb'["\\\n]')
_OCTET = rb"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
# A dotted quad without leading zeros, as dnspython and the servers read it.
_IPV4 = re.compile(_OCTET + rb"(?:\." + _OCTET + rb"){3}")
_RANGE = re.compile(rb"(\d{1,10})-(\d{1,10})(?:/(\d{1,10}))?")
_STRING_TYPES = frozenset(("TXT", "SPF"))
_IN = dns.rdataclass.IN
_VALUE_TYPES = frozenset(("A", "AAAA", "CNAME", "MX", "NS", "PTR"))
_SPECIAL_TYPES = frozenset(("TXT", "SPF", "SOA"))
_NOT_PLAIN = frozenset(b"$.")  # first characters of names ``quick`` leaves alone
_GENERATED_TYPES = frozenset(("A", "AAAA", "CNAME", "MX", "NS", "PTR", "TXT", "SPF"))
_DIRECTIVES = frozenset((b"$ORIGIN", b"$TTL", b"$INCLUDE", b"$GENERATE", b"$DATE"))
_CACHE_LIMIT = 4096  # distinct tokens remembered by the type, class and TTL look-ups
_T = TypeVar("_T")
_FILE_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO"),
               (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
               (stat.S_ISSOCK, "a socket"))


class _Bad(Exception):
    """A problem with one entry: ``index`` is the token it is about (None: the entry)."""

    def __init__(self, index: int | None, message: str) -> None:
        super().__init__(message)
        self.index = index
        self.message = message


class _LexError(Exception):
    def __init__(self, offset: int, message: str) -> None:
        super().__init__(message)
        self.offset = offset
        self.message = message


class _Source:
    """One file being read. Its text is quoted in messages only once some entry of it has
    read as zone data, so a file that is not a zone file is never echoed."""

    __slots__ = ("data", "path", "recognised")

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.data = data
        self.recognised = False

    def show(self, raw: bytes, before: str = " ") -> str:
        if not self.recognised:
            return ""
        text = raw.decode("utf-8", errors="replace")
        if len(text) > 60:
            text = text[:57] + "..."
        return f"{before}{text!r}"


class _Entry:
    """One directive or record. Lines without quotes, escapes or parentheses are split on
    blanks without positions (``spans`` is None); the others carry the span of each token."""

    __slots__ = ("indented", "line", "parenthesised", "quoted", "raws", "spans", "start",
                 "words")

    def __init__(self, words: list[bytes], raws: list[bytes],
                 spans: list[tuple[int, int]] | None, quoted: list[bool] | None,
                 indented: bool, parenthesised: bool, line: int, start: int) -> None:
        self.words = words  # escapes resolved, quotes removed
        self.raws = raws  # as written
        self.spans = spans
        self.quoted = quoted
        self.indented = indented
        self.parenthesised = parenthesised
        self.line = line  # of ``start``
        self.start = start  # offset of the line the entry starts on

    def is_quoted(self, index: int) -> bool:
        return self.quoted is not None and self.quoted[index]


# --------------------------------------------------------------------------- reading files


def _not_regular(path: str, mode: int) -> ZoneFileError | None:
    if stat.S_ISREG(mode):
        return None
    kind = next((name for test, name in _FILE_KINDS if test(mode)), "not a regular file")
    return ZoneFileError(path, f"not a regular file ({kind}); zone data is only read from"
                               " regular files")


def read_bounded(path: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file ``path``, refusing more than ``limit`` of them.

    FIFOs, devices, sockets and directories are refused before they are opened for reading,
    so reading never waits on a writer or runs on without end.

    :raises ZoneFileError: (without a line) the file is missing, unreadable, not a regular
        file, or larger than ``limit``.
    """
    try:
        problem = _not_regular(path, os.stat(path).st_mode)
    except OSError as exc:
        raise ZoneFileError(path, f"cannot read the file: {exc.strerror or exc}") from None
    if problem is not None:
        raise problem
    flags = (os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
             | getattr(os, "O_BINARY", 0))
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise ZoneFileError(path, f"cannot read the file: {exc.strerror or exc}") from None
    chunks: list[bytes] = []
    size = 0
    try:
        info = os.fstat(fd)
        problem = _not_regular(path, info.st_mode)  # replaced since the first look
        if problem is None and info.st_size > limit:
            problem = _too_large(path, limit)
        if problem is not None:
            raise problem
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as exc:
        raise ZoneFileError(path, f"cannot read the file: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    if size > limit:
        raise _too_large(path, limit)  # it grew while being read
    return b"".join(chunks)


def _too_large(path: str, limit: int) -> ZoneFileError:
    return ZoneFileError(path, f"the file is larger than {_size(limit)}, the most spflint"
                               " reads of one zone file")


def _size(octets: int) -> str:
    if octets >= 1024 * 1024 and octets % (1024 * 1024) == 0:
        return f"{octets // (1024 * 1024)} MiB"
    return f"{octets:,} bytes"


# The repository of a zone file, once per directory: every $INCLUDE asks for it.
_git_toplevel = functools.lru_cache(maxsize=512)(find_repository_root)


def _default_roots(top: str) -> tuple[str, ...]:
    here = os.path.realpath(os.path.dirname(os.path.abspath(top)))
    git = _git_toplevel(here)
    return (here,) if git is None or git == here else (here, git)


def _inside(path: str, roots: Sequence[str]) -> bool:
    return any(_is_within(path, root) for root in roots)


# --------------------------------------------------------------------------- small parsers


def _origin_from_filename(path: str) -> str | None:
    candidate = origin_from_file_name(Path(path).name)
    if candidate is None:
        return None
    try:
        return from_dns_name(dns.name.from_text(candidate + "."))
    except dns.exception.DNSException:
        return None  # ``db.a..com``, a label over 63 octets: the name gives no origin


_TTL_CACHE: dict[bytes, bool] = {}
_CLASS_CACHE: dict[bytes, int | None] = {b"IN": dns.rdataclass.IN}
_TYPE_CACHE: dict[bytes, str | None] = {
    t.encode(): t for t in ("A", "AAAA", "CNAME", "MX", "NS", "PTR", "TXT", "SPF", "SOA",
                            "SRV", "CAA")}


def _remember(cache: dict[bytes, _T], key: bytes, value: _T) -> _T:
    if len(cache) < _CACHE_LIMIT:
        cache[key] = value
    return value


def _is_ttl(word: bytes) -> bool:
    if word.isdigit():
        return len(word) <= 10 and int(word) <= 0xFFFFFFFF
    if not word[:1].isdigit():
        return False
    known = _TTL_CACHE.get(word)
    if known is not None:
        return known
    head, slash, tail = word.partition(b"/")
    if slash:  # gdnsd: "TTL/minimum TTL" on DYNA and DYNC records
        return _remember(_TTL_CACHE, word, _is_ttl(head) and tail.isdigit())
    try:
        dns.ttl.from_text(word.decode("ascii"))
    except (dns.exception.DNSException, ValueError, UnicodeDecodeError):
        return _remember(_TTL_CACHE, word, False)
    return _remember(_TTL_CACHE, word, True)


def _class_of(word: bytes) -> int | None:
    key = word.upper()
    if key in _CLASS_CACHE:
        return _CLASS_CACHE[key]
    try:
        value: int | None = dns.rdataclass.from_text(key.decode("ascii"))
    except (dns.exception.DNSException, ValueError, UnicodeDecodeError):
        value = None
    return _remember(_CLASS_CACHE, key, value)


def _type_of(word: bytes) -> str | None:
    key = word.upper()
    if key in _TYPE_CACHE:
        return _TYPE_CACHE[key]
    try:
        value: str | None = dns.rdatatype.to_text(dns.rdatatype.from_text(key.decode("ascii")))
    except (dns.exception.DNSException, ValueError, UnicodeDecodeError):
        value = None
    return _remember(_TYPE_CACHE, key, value)


_HEADS: dict[bytes, tuple[bool, int | None, str | None]] = {}


def _classify(word: bytes) -> tuple[bool, int | None, str | None]:
    """Whether ``word`` is a TTL, the class and the record type it names (cached)."""
    found = _HEADS.get(word)
    if found is None:
        found = _remember(_HEADS, word, (_is_ttl(word), _class_of(word), _type_of(word)))
    return found


def _ipv6(text: bytes) -> str | None:
    try:
        value = text.decode("ascii")
        packed = socket.inet_pton(socket.AF_INET6, value)
    except (UnicodeDecodeError, OSError, ValueError):
        return None
    shown = socket.inet_ntop(socket.AF_INET6, packed)
    # The C library writes embedded IPv4 in dotted form; spflint's text is all hex.
    return shown if "." not in shown else str(ipaddress.IPv6Address(packed))


def _nibbles(value: int, width: int, upper: bool) -> str:
    """``value`` as reversed hexadecimal nibbles joined by dots, at least ``width``
    characters (dots included), as $GENERATE's ``n``/``N`` format writes it."""
    digits = "0123456789ABCDEF" if upper else "0123456789abcdef"
    out: list[str] = []
    while True:
        out.append(digits[value & 15])
        value >>= 4
        width = max(width - 1, 0)
        if width or value:
            out.append(".")
            width = max(width - 1, 0)
        if not (value or width):
            return "".join(out)


def _expand(template: bytes, it: int) -> bytes:
    """A $GENERATE owner or data template for iteration ``it``: ``$`` is the number,
    ``${offset,width,base}`` a formatted one, ``$$`` a dollar; a backslash keeps the next
    character as it is (``\\$`` is a literal dollar once the name is read).

    :raises ValueError: a malformed modifier.
    """
    out = bytearray()
    i, n = 0, len(template)
    while i < n:
        c = template[i]
        if c == 0x5C:  # backslash: copied with the character after it
            out += template[i : i + 2]
            i += 2
            continue
        if c != 0x24:
            out.append(c)
            i += 1
            continue
        i += 1
        if i < n and template[i] == 0x24:
            out.append(0x24)
            i += 1
            continue
        delta, width, base = 0, 0, "d"
        if i < n and template[i] == 0x7B:
            close = template.find(b"}", i)
            if close < 0:
                raise ValueError("a '${' without its '}'")
            parts = template[i + 1 : close].decode("ascii", errors="replace").split(",")
            try:
                delta = int(parts[0])
                if len(parts) > 1:
                    if not parts[1].strip().isdigit():
                        raise ValueError
                    width = int(parts[1])
                if len(parts) > 2:
                    base = parts[2].strip()
                if len(parts) > 3 or base not in ("d", "o", "x", "X", "n", "N"):
                    raise ValueError
            except ValueError:
                raise ValueError("a modifier is written ${offset}, ${offset,width} or"
                                 " ${offset,width,base} with base d, o, x, X, n or N") from None
            i = close + 1
        value = it + delta
        if width >= 128:
            raise ValueError("a modifier's width is at most 127")
        if base in ("n", "N"):
            if value < 0:
                raise ValueError("a nibble modifier needs a value of 0 or more")
            text = _nibbles(value, width, base == "N")
        else:
            text = format(value, f"0{width}{base}")
        out += text.encode("ascii")
    return bytes(out)


# --------------------------------------------------------------------------- the reader


class _Reader:
    def __init__(self, top: str, overrides: Mapping[str, bytes], roots: tuple[str, ...]) -> None:
        self.top = top
        self.overrides = overrides
        self.roots = roots
        self.records: list[ZoneRecord] = []
        self.data = ZoneData(source=top)
        self.names = self.data.names
        self.contents: dict[str, bytes] = {}
        self.notes: list[ZoneNote] = []
        self.unlisted = 0
        self.unlisted_at: ZoneNote | None = None
        self.soa: SoaSerial | None = None
        self.apex: str | None = None
        self.below_apex = ""
        self.included_bytes = 0
        self.includes = 0
        self.generated = 0
        self.targets: dict[tuple[bytes, str | None], str] = {}

    # ------------------------------------------------------------------ files and entries

    def load(self, path: str, limit: int) -> bytes:
        if path in self.overrides:
            data = self.overrides[path]
            if len(data) > limit:
                raise _too_large(path, limit)
            return data
        return read_bounded(path, limit)

    def set_apex(self, apex: str) -> None:
        self.apex = apex
        self.below_apex = "." + apex if apex else ""
        self.data.apexes.add(apex)

    def read(self, src: _Source, origin: str | None, stack: tuple[str, ...]) -> None:
        self.contents[src.path] = src.data
        if not stack:
            if origin is None:
                guessed, directive_first = self.guess_origin(src)
                origin = guessed
                if origin is None and not directive_first:
                    origin = _origin_from_filename(src.path)
            if origin is not None:
                self.set_apex(origin)
        owner: str | None = None
        data = src.data
        n = len(data)
        find = data.find
        quick = self.quick
        special = _SPECIAL.search
        pos = 0
        line = 0
        while pos < n:
            nl = find(b"\n", pos)
            end = n if nl < 0 else nl
            line += 1
            text = data[pos:end]
            stop = special(text)
            if stop is not None and text[stop.start()] == 0x3B:
                text = text[: stop.start()]  # a comment after plain text
                stop = None
            if stop is None:
                words = text.split()
                start, pos = pos, end + 1
                if not words:
                    continue
                indented = text[0] in _BLANK
                found = quick(src, words, indented, owner, origin)
                if found is not None:
                    owner = found
                    continue
                entry = _Entry(words, words, None, None, indented, False, line, start)
            elif text[stop.start()] != 0x22 or b"\\" in text:
                entry, pos, line = self.slow(src, pos, line)
            else:
                found = self.quick_strings(src, text, line, pos, owner, origin)
                if found is not None:
                    owner = found
                    pos = end + 1
                    continue
                entry, pos, line = self.slow(src, pos, line)
            if not entry.words:
                continue
            try:
                head = entry.words[0]
                if head[:1] == b"$" and not entry.indented and not entry.is_quoted(0):
                    origin = self.directive(src, entry, origin, stack)
                    continue
                owner = self.record(src, entry, owner, origin)
            except _Bad as bad:
                raise self.fail(src, entry, bad.index, bad.message) from None

    def quick(self, src: _Source, words: list[bytes], indented: bool, owner: str | None,
              origin: str | None) -> str | None:
        """The common record, read without building an entry: a plain owner name, tokens
        seen before, class IN, a type other than TXT, SPF and SOA, valid data. Anything else
        returns None and goes the general way (which also explains what is wrong)."""
        if indented:
            if owner is None:
                return None
            pos = 0
        else:
            head = words[0]
            if (head[0] in _NOT_PLAIN or head[-1] == 0x2E or b".." in head or origin is None
                    or not head.isascii() or len(head) > 63 or head == b"@"):
                return None  # absolute, unusual or long: the general way checks it all
            owner = f"{head.decode('ascii').lower()}.{origin}" if origin else head.decode(
                "ascii").lower()
            if len(owner) > 253:
                return None
            pos = 1
        count = len(words)
        heads = _HEADS
        seen_ttl = seen_class = False
        rdtype = None
        while pos < count:
            info = heads.get(words[pos])
            if info is None:
                return None
            if info[0] and not seen_ttl:
                seen_ttl = True
            elif info[1] is not None and not seen_class:
                if info[1] != _IN:
                    return None
                seen_class = True
            else:
                rdtype = info[2]
                break
            pos += 1
        if rdtype is None or rdtype in _SPECIAL_TYPES:
            return None
        if rdtype in _VALUE_TYPES:
            data = words[pos + 1 :]
            if rdtype == "A" and len(data) == 1 and _IPV4.fullmatch(data[0]):
                value: RecordValue = data[0].decode("ascii")
            else:
                try:
                    value = self.value(src, rdtype, words, pos + 1, origin)
                except _Bad:
                    return None
            node = self.names.get(owner)
            if node is None:
                node = self.names[owner] = NameData()
            node.records.append((rdtype, value))
            if rdtype == "NS":
                self.cut(owner)
        elif owner not in self.names:
            self.names[owner] = NameData()
        src.recognised = True
        return owner

    def quick_strings(self, src: _Source, text: bytes, line: int, start: int,
                      owner: str | None, origin: str | None) -> str | None:
        """A TXT or SPF record on one line of ``text`` (at ``start``) without escapes or
        parentheses, read by splitting at the quotes; None when it is anything else."""
        parts = text.split(b'"')
        if len(parts) % 2 == 0:
            return None
        head = parts[0]
        if b";" in head or b"(" in head or b")" in head:
            return None
        for between in parts[2:-1:2]:
            if between and not between.isspace():
                return None
        tail = parts[-1].lstrip()
        if tail and tail[0] != 0x3B:
            return None
        words = head.split()
        if not words:
            return None
        indented = text[0] in _BLANK
        if indented:
            if owner is None:
                return None
            pos = 0
        else:
            raw = words[0]
            if raw[0] == 0x24:
                return None
            try:
                owner = self.name(src, raw, origin, 0)
            except _Bad:
                return None
            pos = 1
        heads = _HEADS
        seen_ttl = seen_class = False
        rdtype = None
        while pos < len(words):
            info = heads.get(words[pos])
            if info is None:
                return None
            if info[0] and not seen_ttl:
                seen_ttl = True
            elif info[1] is not None and not seen_class:
                if info[1] != _IN:
                    return None
                seen_class = True
            else:
                rdtype = info[2]
                break
            pos += 1
        if rdtype is None or rdtype in _VALUE_TYPES or rdtype == "SOA":
            return None
        if rdtype not in _STRING_TYPES:  # CAA and the like: the name exists, nothing more
            if owner not in self.names:
                self.names[owner] = NameData()
            src.recognised = True
            return owner
        if pos != len(words) - 1:
            return None
        strings = tuple(parts[1::2])
        tokens: list[StringToken] = []
        at = start + len(head)
        for k, string in enumerate(strings):
            if k:
                at += len(parts[2 * k])
            tokens.append(StringToken(at, at + len(string) + 2, True))
            at += len(string) + 2
        column = (len(head) if head.isascii() else
                  len(head.decode("utf-8", errors="replace"))) + 1
        self.records.append(ZoneRecord(
            name=owner, rdtype=rdtype, path=src.path, line=line, value_line=line,
            column=column, start=tokens[0].start, end=tokens[-1].end, strings=strings,
            tokens=tuple(tokens), zone=self.apex or "", index=len(self.records)))
        node = self.names.get(owner)
        if node is None:
            node = self.names[owner] = NameData()
        node.records.append((rdtype, strings))
        src.recognised = True
        return owner

    def slow(self, src: _Source, pos: int, line: int) -> tuple[_Entry, int, int]:
        """The entry at ``pos`` read token by token; the offset and line number after it."""
        data = src.data
        try:
            entry, after = self.lex(data, pos, line)
        except _LexError as exc:
            line_no, column = self.position(data, line, pos, exc.offset)
            raise ZoneFileError(src.path, exc.message, line_no, column) from None
        return entry, after, line + data.count(b"\n", pos, after) - 1

    def entries(self, src: _Source) -> Iterator[_Entry]:
        """Every entry of ``src`` (the main loop in :meth:`read` does the same, faster)."""
        data = src.data
        n = len(data)
        find = data.find
        pos = 0
        line = 0
        while pos < n:
            nl = find(b"\n", pos)
            end = n if nl < 0 else nl
            line += 1
            text = data[pos:end]
            if b'"' not in text and b"\\" not in text:
                semi = text.find(b";")
                if semi >= 0:
                    text = text[:semi]
                if b"(" not in text and b")" not in text:
                    words = text.split()
                    if words:
                        yield _Entry(words, words, None, None, text[0] in _BLANK, False, line,
                                     pos)
                    pos = end + 1
                    continue
            entry, pos, line = self.slow(src, pos, line)
            if entry.words:
                yield entry

    def lex(self, data: bytes, start: int, line: int) -> tuple[_Entry, int]:
        """The entry that starts on the line at ``start``, and the offset after it."""
        n = len(data)
        words: list[bytes] = []
        spans: list[tuple[int, int]] = []
        quoted: list[bool] = []
        indented = False
        parenthesised = False
        open_at = -1
        line_start = start
        i = start
        while i < n:
            c = data[i]
            if c == 0x0A:
                i += 1
                if open_at < 0:
                    break
                line_start = i
                continue
            if c in _BLANK:
                i += 1
                continue
            if c == 0x3B:  # ';' comment to the end of the line
                end = data.find(b"\n", i)
                i = n if end < 0 else end
                continue
            if c == 0x28:
                if open_at >= 0:
                    raise _LexError(i, "'(' inside '(': parentheses do not nest")
                open_at = i
                parenthesised = True
                i += 1
                continue
            if c == 0x29:
                if open_at < 0:
                    raise _LexError(i, "')' without a matching '('")
                open_at = -1
                i += 1
                continue
            if not words:
                indented = i > line_start
            if c == 0x22:
                value, end = self.quoted(data, i)
                quoted.append(True)
            else:
                value, end = self.word(data, i)
                quoted.append(False)
            words.append(value)
            spans.append((i, end))
            i = end
        if open_at >= 0:
            raise _LexError(open_at, "'(' is never closed")
        raws = [data[s:e] for s, e in spans]
        return _Entry(words, raws, spans, quoted, indented, parenthesised, line, start), i

    @staticmethod
    def escape(data: bytes, i: int, out: bytearray) -> int:
        """Resolve the escape at ``data[i] == '\\'``; return the offset after it."""
        if i + 1 >= len(data) or data[i + 1] in (0x0A, 0x0D):
            raise _LexError(i, "a backslash ends the line")
        digits = data[i + 1 : i + 4]
        if digits[:1].isdigit():
            if len(digits) != 3 or not digits.isdigit() or int(digits) > 255:
                raise _LexError(i, "bad escape: use \\DDD with a decimal byte value 000-255")
            out.append(int(digits))
            return i + 4
        # One escaped character, which may be a multi-byte UTF-8 sequence.
        j = i + 2
        while j < len(data) and 0x80 <= data[j] < 0xC0:
            j += 1
        out += data[i + 1 : j]
        return j

    def quoted(self, data: bytes, start: int) -> tuple[bytes, int]:
        out = bytearray()
        i = start + 1
        search = _QUOTE_STOP.search
        while True:
            match = search(data, i)
            if match is None:
                raise _LexError(start, "unterminated quoted string")
            stop = match.start()
            out += data[i:stop]
            c = data[stop]
            if c == 0x22:
                return bytes(out), stop + 1
            if c == 0x0A:
                raise _LexError(start, "a quoted string runs past the end of the line")
            i = self.escape(data, stop, out)

    def word(self, data: bytes, start: int) -> tuple[bytes, int]:
        search = _WORD_STOP.search
        match = search(data, start)
        stop = len(data) if match is None else match.start()
        if stop >= len(data) or data[stop] != 0x5C:
            return data[start:stop], stop
        out = bytearray(data[start:stop])
        i = stop
        while i < len(data) and data[i] == 0x5C:
            i = self.escape(data, i, out)
            match = search(data, i)
            stop = len(data) if match is None else match.start()
            out += data[i:stop]
            i = stop
        return bytes(out), i

    # ------------------------------------------------------------------ positions, notes

    @staticmethod
    def position(data: bytes, line: int, start: int, offset: int) -> tuple[int, int]:
        """1-based line and character column of ``offset``; ``start`` is on ``line``."""
        line += data.count(b"\n", start, offset)
        line_start = data.rfind(b"\n", 0, offset) + 1
        return line, len(data[line_start:offset].decode("utf-8", errors="replace")) + 1

    def located(self, src: _Source, entry: _Entry, index: int | None) -> tuple[int, int]:
        if entry.spans is None:
            entry = self.lex(src.data, entry.start, entry.line)[0]
        assert entry.spans is not None
        spans = entry.spans
        offset = spans[min(index or 0, len(spans) - 1)][0] if spans else entry.start
        return self.position(src.data, entry.line, entry.start, offset)

    def fail(self, src: _Source, entry: _Entry, index: int | None,
             message: str) -> ZoneFileError:
        line, column = self.located(src, entry, index)
        return ZoneFileError(src.path, message, line, column)

    def note(self, src: _Source, entry: _Entry, index: int | None, message: str,
             term: str | None) -> None:
        line, column = self.located(src, entry, index)
        note = ZoneNote(SKIPPED, src.path, line, column, message, term)
        if len(self.notes) < MAX_NOTES:
            self.notes.append(note)
            return
        self.unlisted += 1
        if self.unlisted_at is None:
            self.unlisted_at = note

    def finish_notes(self) -> list[ZoneNote]:
        first = self.unlisted_at
        if first is not None:
            self.notes.append(ZoneNote(
                SKIPPED, first.path, first.line, first.column,
                f"{self.unlisted} more skipped entries from here on are not listed one by one"
                f" (the first {MAX_NOTES} are)", None))
        return self.notes

    # ------------------------------------------------------------------ names

    def name(self, src: _Source, raw: bytes, origin: str | None, index: int) -> str:
        """The owner-style name ``raw`` (relative to ``origin``) as spflint text.

        :raises _Bad: an invalid name, or a relative one while the origin is unknown.
        """
        if not raw.isascii() or b"\\" in raw:
            return self.escaped_name(src, raw, origin, index)
        if raw[-1:] == b".":
            if raw == b".":
                return ""
            text = raw[:-1].decode("ascii").lower()
        elif origin is None:
            if raw == b"@":
                raise _Bad(index, "'@' names the zone's origin, but the origin is unknown"
                                  " (add $ORIGIN)")
            raise _Bad(index, f"relative name{src.show(raw)} but the zone's origin is"
                              " unknown (add $ORIGIN)")
        elif raw == b"@":
            return origin
        else:
            text = f"{raw.decode('ascii').lower()}.{origin}" if origin else raw.decode(
                "ascii").lower()
        if text[:1] == "." or text[-1:] == "." or ".." in text:
            raise _Bad(index, f"invalid name{src.show(raw)}: an empty label")
        if len(text) > 63 and any(len(label) > 63 for label in text.split(".")):
            raise _Bad(index, f"invalid name{src.show(raw)}: a label is longer than 63"
                              " octets")
        if len(text) > 253:
            raise _Bad(index, f"invalid name{src.show(raw)}: longer than 255 octets")
        return text

    @staticmethod
    def escaped_name(src: _Source, raw: bytes, origin: str | None, index: int) -> str:
        """Names with escapes or non-ASCII text, read by dnspython (IDNA for Unicode)."""
        base = None if origin is None else to_dns_name(origin)
        try:
            name = dns.name.from_text(raw.decode("utf-8", errors="replace"), origin=base)
        except dns.exception.DNSException as exc:
            raise _Bad(index, f"invalid name{src.show(raw)}: {exc}") from None
        if not name.is_absolute():
            raise _Bad(index, f"relative name{src.show(raw)} but the zone's origin is unknown"
                              " (add $ORIGIN)")
        return from_dns_name(name)

    def target(self, src: _Source, raw: bytes, origin: str | None, index: int) -> str:
        key = (raw, origin)
        found = self.targets.get(key)
        if found is None:
            found = self.name(src, raw, origin, index)
            if len(self.targets) < 65536:
                self.targets[key] = found
        return found

    def guess_origin(self, src: _Source) -> tuple[str | None, bool]:
        """The SOA owner, else the first absolute owner; (None, True) if $ORIGIN comes first."""
        first: str | None = None
        for entry in self.entries(src):
            head = entry.words[0]
            if entry.indented or entry.is_quoted(0):
                continue
            if head.upper() == b"$ORIGIN":
                return None, True
            raw = entry.raws[0]
            if head[:1] == b"$" or not raw.endswith(b"."):
                continue
            try:
                name = self.name(src, raw, None, 0)
            except _Bad:
                continue
            if any(w.upper() == b"SOA" for w in entry.words[1:4]):
                return name, False
            if first is None:
                first = name
        return first, False

    # ------------------------------------------------------------------ directives

    def directive(self, src: _Source, entry: _Entry, origin: str | None,
                  stack: tuple[str, ...]) -> str | None:
        word = entry.words[0].upper()
        args = entry.words[1:]
        if word not in _DIRECTIVES:
            self.note(src, entry, 0, f"unknown directive{src.show(entry.words[0])} skipped"
                                     " (spflint reads $ORIGIN, $TTL, $INCLUDE and $GENERATE)",
                      entry.words[0].decode("utf-8", errors="replace")
                      if src.recognised else None)
            return origin
        if word == b"$ORIGIN":
            if not args:
                raise _Bad(0, "$ORIGIN needs a domain name")
            new = self.name(src, entry.raws[1], origin, 1)
            if not stack and self.apex is None:
                self.set_apex(new)
            src.recognised = True
            return new
        if word == b"$TTL":
            if not args or entry.is_quoted(1) or not _is_ttl(args[0]):
                raise _Bad(0, "$TTL needs a time such as 3600 or 1h")
        elif word == b"$INCLUDE":
            self.include(src, entry, origin, stack)
        elif word == b"$GENERATE":
            self.generate(src, entry, origin)
        src.recognised = True
        return origin

    def include(self, src: _Source, entry: _Entry, origin: str | None,
                stack: tuple[str, ...]) -> None:
        if len(entry.words) < 2:
            raise _Bad(0, "$INCLUDE needs a file name")
        written = os.fsdecode(entry.words[1])
        shown = src.show(entry.words[1], before=" of ")
        sub_origin = self.name(src, entry.raws[2], origin, 2) if len(entry.words) > 2 else origin
        target = self.locate(src.path, written)
        real = os.path.realpath(target)
        if not _inside(real, self.roots):
            raise _Bad(1, f"$INCLUDE{shown} is outside the directories this zone may include"
                          f" from ({', '.join(self.roots)})")
        here = os.path.realpath(src.path)
        if real in stack or real == here:
            raise _Bad(1, f"$INCLUDE{shown} makes a cycle")
        if len(stack) >= MAX_INCLUDE_DEPTH:
            raise _Bad(1, f"$INCLUDE{shown} nests more than {MAX_INCLUDE_DEPTH} files deep")
        if self.includes >= MAX_INCLUDES:
            raise _Bad(1, f"more than {MAX_INCLUDES} $INCLUDE directives in one zone")
        budget = MAX_INCLUDED_BYTES - self.included_bytes
        try:
            data = self.load(target, min(MAX_FILE_BYTES, budget))
        except ZoneFileError as exc:
            reason = exc.reason
            if budget < MAX_FILE_BYTES and "larger than" in reason:
                reason = (f"the files this zone includes add up to more than"
                          f" {_size(MAX_INCLUDED_BYTES)}, the most spflint reads through"
                          " $INCLUDE")
            raise _Bad(1, reason) from None
        self.includes += 1
        self.included_bytes += len(data)
        self.read(_Source(target, data), sub_origin, (*stack, here))

    def locate(self, including: str, written: str) -> str:
        """The file an ``$INCLUDE`` names. An absolute path is taken as it is. A relative
        one is looked for next to the including file (as Knot and CoreDNS do), then in the
        directories above it up to the top of the allowed tree: BIND and NSD resolve it
        against their working directory, which is usually one of those."""
        first = os.path.normpath(os.path.join(os.path.dirname(including), written))
        if os.path.isabs(written) or first in self.overrides or os.path.lexists(first):
            return first
        here = os.path.dirname(os.path.abspath(including))
        for _ in range(64):
            parent = os.path.dirname(here)
            if parent == here or not _inside(os.path.realpath(parent), self.roots):
                break
            here = parent
            candidate = os.path.join(here, written)
            if not os.path.isabs(including):
                candidate = os.path.relpath(candidate)
            if candidate in self.overrides or os.path.lexists(candidate):
                return os.path.normpath(candidate)
        return first

    def generate(self, src: _Source, entry: _Entry, origin: str | None) -> None:
        raws = entry.raws
        if len(raws) < 5:
            raise _Bad(0, "$GENERATE needs a range, an owner, a type and the data")
        bounds = _RANGE.fullmatch(raws[1])
        if bounds is None:
            raise _Bad(1, "a $GENERATE range is START-STOP or START-STOP/STEP")
        start, stop = int(bounds.group(1)), int(bounds.group(2))
        step = int(bounds.group(3) or 1)
        if stop < start or step < 1:
            raise _Bad(1, "a $GENERATE range needs START <= STOP and a STEP of 1 or more")
        k = 3
        rdclass = _class_of(raws[k])
        if rdclass is not None:
            k += 1
        if k < len(raws) and _is_ttl(raws[k]):
            k += 1
        if rdclass is None and k < len(raws) and _class_of(raws[k]) is not None:
            rdclass = _class_of(raws[k])
            k += 1
        if k + 1 >= len(raws):
            raise _Bad(len(raws) - 1, "$GENERATE needs a type and the data after the owner")
        rdtype = _type_of(raws[k])
        if rdtype is None:
            self.note(src, entry, k, f"$GENERATE of an unknown record type{src.show(raws[k])}"
                                     " skipped",
                      raws[k].decode("utf-8", errors="replace") if src.recognised else None)
            return
        if rdclass not in (None, dns.rdataclass.IN):
            return
        count = len(range(start, stop + 1, step))
        if self.generated + count > MAX_GENERATED:
            self.note(src, entry, 1, f"$GENERATE of {count:,} records skipped: a zone may"
                                     f" generate at most {MAX_GENERATED:,} records",
                      "$GENERATE")
            return
        self.generated += count
        rhs = k + 1
        if len(raws) == rhs + 1 and entry.is_quoted(rhs):
            # BIND: the data is one quoted string, read again as record data; its lexer
            # drops the backslash of an escaped quote and keeps every other escape.
            template = re.sub(rb'\\(["\\])', lambda m: m.group(0) if m.group(1) == b"\\"
                              else b'"', raws[rhs][1:-1])
        else:
            template = b" ".join(raws[rhs:])
        for it in range(start, stop + 1, step):
            try:
                owner_raw = _expand(raws[2], it)
            except ValueError as exc:
                raise _Bad(2, f"$GENERATE owner: {exc}") from None
            try:
                data = _expand(template, it)
            except ValueError as exc:
                raise _Bad(rhs, f"$GENERATE data: {exc}") from None
            owner = self.name(src, owner_raw, origin, 2)
            node = self.node(owner)
            if rdtype not in _GENERATED_TYPES:
                continue  # a type spflint does not model: its names exist, nothing more
            try:
                fields = self.lex(data + b"\n", 0, 1)[0]
            except _LexError as exc:
                raise _Bad(rhs, f"$GENERATE data for {it}: {exc.message}") from None
            if rdtype in _STRING_TYPES:
                if not fields.words:
                    raise _Bad(rhs, f"$GENERATE data for {it}: {rdtype} needs a string")
                node.records.append((rdtype, tuple(fields.words)))
                continue
            try:
                value = self.value(src, rdtype, fields.raws, 0, origin)
            except _Bad as bad:
                raise _Bad(rhs, f"$GENERATE data for {it}: {bad.message}") from None
            node.records.append((rdtype, value))
            if rdtype == "NS":
                self.cut(owner)

    # ------------------------------------------------------------------ records

    def node(self, owner: str) -> NameData:
        node = self.names.get(owner)
        if node is None:
            node = self.names[owner] = NameData()
        return node

    def cut(self, owner: str) -> None:
        """NS records below the apex delegate a child zone (a zone cut)."""
        apex = self.apex
        if apex is not None and owner != apex and (
                not apex or owner.endswith(self.below_apex)):
            self.data.delegations.add(owner)

    def record(self, src: _Source, entry: _Entry, owner: str | None,
               origin: str | None) -> str:
        words = entry.words
        quoted = entry.quoted
        if entry.indented:
            pos = 0
            if owner is None:
                if origin is None:
                    raise _Bad(0, "a record without an owner name comes first")
                owner = origin
        else:
            raw = entry.raws[0]
            if quoted is not None and quoted[0]:
                raw = raw[1:-1]
            owner = self.name(src, raw, origin, 0)
            pos = 1
        count = len(words)
        rdclass: int | None = _IN
        seen_ttl = seen_class = False
        heads = _HEADS
        rdtype: str | None = None
        while pos < count:
            if quoted is not None and quoted[pos]:
                break
            word = words[pos]
            info = heads.get(word) or _classify(word)
            if info[0] and not seen_ttl:
                seen_ttl = True
            elif info[1] is not None and not seen_class:
                seen_class = True
                rdclass = info[1]
            else:
                rdtype = info[2]
                break
            pos += 1
        if pos >= count:
            raise _Bad(count - 1, "the record type is missing")
        if rdtype is None:
            self.note(src, entry, pos, f"record of an unknown type{src.show(words[pos])}"
                                       " skipped",
                      words[pos].decode("utf-8", errors="replace") if src.recognised else None)
            if rdclass == _IN:
                self.node(owner)  # the name exists, whatever it holds
                computed = _COMPUTED.get(words[pos].upper())
                if computed is not None:
                    known = self.data.computed.get(owner, frozenset())
                    self.data.computed[owner] = known | computed
            return owner
        if rdclass != _IN:
            src.recognised = True
            return owner
        node = self.names.get(owner)
        if node is None:
            node = self.names[owner] = NameData()
        data_at = pos + 1
        if rdtype in _VALUE_TYPES:
            node.records.append((rdtype, self.value(src, rdtype, entry.raws, data_at, origin)))
            if rdtype == "NS":
                self.cut(owner)
        elif rdtype in _STRING_TYPES:
            self.strings(src, entry, owner, rdtype, data_at, node, origin)
        elif rdtype == "SOA":
            self.note_soa(src, entry, data_at)
        src.recognised = True
        return owner

    def value(self, src: _Source, rdtype: str, raws: list[bytes], at: int,
              origin: str | None) -> RecordValue:
        """The value of an A, AAAA, MX, CNAME, NS or PTR record from its fields."""
        fields = len(raws) - at
        if fields == 1:
            first = raws[at]
            if rdtype == "A":
                if _IPV4.fullmatch(first):
                    return first.decode("ascii")
            elif rdtype == "AAAA":
                address = _ipv6(first)
                if address is not None:
                    return address
            elif rdtype != "MX" and first != b"\\#":
                return self.target(src, first, origin, at)
        if fields and raws[at] == b"\\#":
            return self.generic(src, rdtype, raws, at, origin)
        if rdtype == "A" or rdtype == "AAAA":
            if not fields:
                raise _Bad(at - 1, f"invalid {rdtype} record: the address is missing")
            what = "IPv4" if rdtype == "A" else "IPv6"
            shown = src.show(b" ".join(raws[at:]))
            raise _Bad(at, f"invalid {rdtype} record: expected one {what} address"
                           + (f", not{shown}" if shown else ""))
        if rdtype == "MX":
            if fields != 2 or not raws[at].isdigit() or int(raws[at]) > 65535:
                raise _Bad(at if fields else at - 1, "invalid MX record: expected a"
                                                     " preference 0-65535 and a host name")
            return int(raws[at]), self.target(src, raws[at + 1], origin, at + 1)
        raise _Bad(at if fields else at - 1, f"invalid {rdtype} record: expected one host name")

    def generic(self, src: _Source, rdtype: str, raws: list[bytes], at: int,
                origin: str | None) -> RecordValue:
        """RFC 3597 ``\\# length hex`` data, read by dnspython."""
        text = b" ".join(raws[at:]).decode("utf-8", errors="replace")
        base = None if origin is None else to_dns_name(origin)
        try:
            parsed: Any = dns.rdata.from_text(dns.rdataclass.IN, dns.rdatatype.from_text(rdtype),
                                              text, origin=base, relativize=False)
        except (dns.exception.DNSException, ValueError) as exc:
            raise _Bad(at, f"invalid {rdtype} record: {exc}") from None
        if rdtype in _STRING_TYPES:
            return tuple(parsed.strings)
        if rdtype in ("A", "AAAA"):
            return str(ipaddress.ip_address(parsed.address))
        if rdtype == "MX":
            return int(parsed.preference), from_dns_name(parsed.exchange)
        return from_dns_name(parsed.target)

    def strings(self, src: _Source, entry: _Entry, owner: str, rdtype: str, at: int,
                node: NameData, origin: str | None) -> None:
        if entry.spans is None:
            entry = self.lex(src.data, entry.start, entry.line)[0]
        spans, quoted = entry.spans, entry.quoted
        assert spans is not None and quoted is not None
        if at >= len(entry.words):
            raise _Bad(at - 1, f"{rdtype} needs a string")
        if entry.raws[at] == b"\\#" and not quoted[at]:
            # Generic data has no strings as written: resolution data only, never rewritten.
            node.records.append((rdtype, self.generic(src, rdtype, entry.raws, at, origin)))
            return
        strings = tuple(entry.words[at:])
        data = src.data
        first, last = spans[at][0], spans[-1][1]
        line = self.position(data, entry.line, entry.start, spans[0][0])[0]
        value_line, column = self.position(data, entry.line, entry.start, first)
        self.records.append(ZoneRecord(
            name=owner, rdtype=rdtype, path=src.path, line=line, value_line=value_line,
            column=column, start=first, end=last, strings=strings,
            tokens=tuple(StringToken(s, e, q) for (s, e), q in zip(spans[at:], quoted[at:],
                                                                    strict=True)),
            parenthesised=entry.parenthesised, zone=self.apex or "", index=len(self.records)))
        node.records.append((rdtype, strings))

    def note_soa(self, src: _Source, entry: _Entry, at: int) -> None:
        if len(entry.words) - at < 7:
            raise _Bad(at if at < len(entry.words) else at - 1, "an SOA record needs 7 fields")
        serial = entry.words[at + 2]
        if not serial.isdigit() or entry.is_quoted(at + 2):
            raise _Bad(at + 2, f"the SOA serial{src.show(serial)} is not a number")
        if self.soa is not None:
            return
        if entry.spans is None:
            entry = self.lex(src.data, entry.start, entry.line)[0]
        assert entry.spans is not None
        start, end = entry.spans[at + 2]
        line = self.position(src.data, entry.line, entry.start, start)[0]
        self.soa = SoaSerial(src.path, start, end, int(serial), line)


def read_bind(path: str | os.PathLike[str], origin: str | None = None, *,
              overrides: Mapping[str, bytes] | None = None,
              allowed_root: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None
              = None, also_allow: Sequence[str | os.PathLike[str]] = ()) -> ZoneFile:
    """Read a BIND-family master file and the files it ``$INCLUDE``s.

    The origin is ``origin``, else the file's first ``$ORIGIN``, else its SOA owner or first
    absolute owner, else the file name (``db.example.com``, ``example.com.zone``).
    ``overrides`` maps paths to contents used instead of the files on disk.

    ``$INCLUDE`` reads regular files only, inside ``allowed_root`` (one directory or several;
    by default the directory of ``path`` and the git work tree holding it), and inside the
    directories of ``also_allow`` (the user's ``--include-root``). Unknown record
    types and directives are skipped, each with a ``SPF602`` note in ``ZoneFile.notes``;
    ``$GENERATE`` is expanded (at most :data:`MAX_GENERATED` records per zone) into zone data
    only: generated TXT records answer questions but are not records of the file.

    :raises ZoneFileError: an unreadable file, a syntax error, an ``$INCLUDE`` cycle or one
        outside the allowed directories, a file over its cap, with the file, line and column.
    """
    top = os.fspath(path)
    if allowed_root is None:
        roots = _default_roots(top)
    elif isinstance(allowed_root, (str, os.PathLike)):
        roots = (os.path.realpath(allowed_root),)
    else:
        roots = tuple(os.path.realpath(r) for r in allowed_root)
    roots = (*roots, *(os.path.realpath(r) for r in also_allow))
    reader = _Reader(top, overrides or {}, roots)
    start = (from_dns_name(dns.name.from_text(origin.rstrip(".") + "."))
             if origin else None)
    with no_cycle_collection():
        reader.read(_Source(top, reader.load(top, MAX_FILE_BYTES)), start, ())
    return ZoneFile(path=top, format="bind", origin=reader.apex or "", records=reader.records,
                    data=reader.data, contents=reader.contents, soa=reader.soa,
                    notes=reader.finish_notes())


