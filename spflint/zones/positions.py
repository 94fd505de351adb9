"""Where a column of a zone record's text is in its file: BIND strings and octoDNS scalars."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from spflint.findings import Finding

from .model import ZoneRecord
from .octodns import parse_chunks

__all__ = ["FileSpan", "RecordMap", "locate", "record_map"]

# One character of a text and where it was written: [start, end) in the file (bytes for
# BIND, characters of the scalar's source for octoDNS).
_Unit = tuple[str, int, int]

_BREAKS = "\r\n\x85\u2028\u2029"  # what YAML reads as line breaks
# YAML double-quoted escapes (as PyYAML, hence octoDNS, reads them).
_ESCAPES = {
    "0": "\0", "a": "\x07", "b": "\x08", "t": "\t", "\t": "\t", "n": "\n", "v": "\x0b",
    "f": "\x0c", "r": "\r", "e": "\x1b", " ": " ", '"': '"', "\\": "\\", "/": "/",
    "N": "\x85", "_": "\xa0", "L": "\u2028", "P": "\u2029",
}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
# A record whose value is longer than this is not mapped: no TXT record a zone can publish
# comes near it, and the mapping costs a few objects per character.
MAX_MAPPED = 1 << 20


@dataclass(frozen=True)
class FileSpan:
    """A range of a file: 1-based line and character column of its start, and of the
    position just after its end."""

    line: int
    column: int
    end_line: int
    end_column: int


class RecordMap:
    """Maps 1-based columns of a record's text to positions in the file holding it."""

    def __init__(self, record: ZoneRecord, spans: list[tuple[int, int]],
                 position: _Position) -> None:
        self.record = record
        self.spans = spans  # per character of the text: where it is written
        self.position = position

    def span(self, column: int, end_column: int | None = None) -> FileSpan | None:
        """Where ``[column, end_column)`` of the record text is written (one character when
        ``end_column`` is None; an empty range at the end for the column after the text)."""
        spans = self.spans
        first = column - 1
        if first < 0 or first > len(spans) or not spans:
            return None
        if first == len(spans):
            start = end = spans[-1][1]
        else:
            last = max(min((end_column or column + 1) - 1, len(spans)), first + 1)
            start, end = spans[first][0], spans[last - 1][1]
        line, col = self.position(start)
        end_line, end_col = self.position(end)
        return FileSpan(line, col, end_line, end_col)


class _Position:
    """Offsets at or after the record's start to (line, character column) in the file."""

    def __init__(self, source: bytes | str, record: ZoneRecord) -> None:
        self.source = source
        self.base = record.start if isinstance(source, bytes) else 0
        self.line = record.value_line
        self.column = record.column

    def __call__(self, offset: int) -> tuple[int, int]:
        source, base = self.source, self.base
        if isinstance(source, bytes):
            newlines = source.count(b"\n", base, offset)
            head = source.rfind(b"\n", base, offset)
            cut = source[(base if head < 0 else head + 1) : offset]
            width = len(cut.decode("utf-8", errors="replace"))
        else:
            newlines = source.count("\n", base, offset)
            head = source.rfind("\n", base, offset)
            width = offset - (base if head < 0 else head + 1)
        if head < 0:
            return self.line, self.column + width
        return self.line + newlines, width + 1


def record_map(record: ZoneRecord, data: bytes, fmt: str) -> RecordMap | None:
    """The map of ``record``'s text to ``data`` (the bytes of ``record.path``; ``fmt`` is
    ``bind`` or ``octodns``), or None when the text cannot be traced back to what is written
    there."""
    if record.end - record.start > MAX_MAPPED or record.end > len(data):
        return None
    if fmt == "octodns":
        return _octodns_map(record, data)
    if fmt == "bind":
        return _bind_map(record, data)
    return None


def locate(findings: Sequence[Finding], record: ZoneRecord, data: bytes | None, fmt: str
           ) -> list[Finding]:
    """``findings`` on ``record`` with their file positions (``file_line``...) added where
    their record columns can be traced to ``data``, the bytes of the file (of format
    ``fmt``) holding the record."""
    mapping: RecordMap | None = None
    tried = False
    out: list[Finding] = []
    for finding in findings:
        if finding.column is None or data is None or finding.file_line is not None:
            out.append(finding)
            continue
        if not tried:
            mapping, tried = record_map(record, data, fmt), True
        span = None if mapping is None else mapping.span(finding.column, finding.end_column)
        if span is None:
            out.append(finding)
            continue
        out.append(finding.located(file_line=span.line, file_column=span.column,
                                   file_end_line=span.end_line, file_end_column=span.end_column))
    return out


# --------------------------------------------------------------------------- BIND


def _bind_map(record: ZoneRecord, data: bytes) -> RecordMap | None:
    if len(record.tokens) != len(record.strings):
        return None
    octets: list[tuple[int, int]] = []  # per byte of the value: where it is written
    for token, string in zip(record.tokens, record.strings, strict=True):
        decoded = _bind_string(data, token.start, token.end, token.quoted)
        if decoded is None or bytes(b for b, _s, _e in decoded) != string:
            return None
        octets.extend((s, e) for _b, s, e in decoded)
    spans = _char_spans(record.value, octets)
    if spans is None or len(spans) != len(record.text):
        return None
    return RecordMap(record, spans, _Position(data, record))


def _bind_string(data: bytes, start: int, end: int, quoted: bool
                 ) -> list[tuple[int, int, int]] | None:
    """The bytes of one character-string as written at ``data[start:end]``, each with its
    span (``\\X`` and ``\\DDD`` escapes decoded)."""
    if quoted:
        if end - start < 2 or data[start] != 0x22 or data[end - 1] != 0x22:
            return None
        start, end = start + 1, end - 1
    out: list[tuple[int, int, int]] = []
    i = start
    while i < end:
        byte = data[i]
        if byte != 0x5C:
            out.append((byte, i, i + 1))
            i += 1
            continue
        if i + 1 >= end:
            return None
        digits = data[i + 1 : i + 4]
        if digits[:1].isdigit():
            if len(digits) != 3 or not digits.isdigit() or int(digits) > 255:
                return None
            out.append((int(digits), i, i + 4))
            i += 4
        else:
            out.append((data[i + 1], i, i + 2))
            i += 2
    return out


def _char_spans(value: bytes, octets: list[tuple[int, int]]) -> list[tuple[int, int]] | None:
    """Per character of ``value`` decoded as the record text is (UTF-8, an invalid sequence
    one replacement character), the span of its bytes."""
    if len(octets) != len(value):
        return None
    if value.isascii():
        return octets
    spans: list[tuple[int, int]] = []
    pos = 0
    while pos < len(value):
        bad: tuple[int, int] | None = None
        try:
            good = value[pos:].decode("utf-8")
        except UnicodeDecodeError as exc:
            bad = (pos + exc.start, pos + exc.end)
            good = value[pos : bad[0]].decode("utf-8")
        at = pos
        for char in good:
            size = len(char.encode("utf-8"))
            spans.append((octets[at][0], octets[at + size - 1][1]))
            at += size
        if bad is None:
            break
        spans.append((octets[bad[0]][0], octets[bad[1] - 1][1]))
        pos = bad[1]
    return spans


# --------------------------------------------------------------------------- octoDNS


def _octodns_map(record: ZoneRecord, data: bytes) -> RecordMap | None:
    try:
        source = data[record.start : record.end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    units = _scalar(source, record.style)
    if units is None:
        return None
    units = _published(units, record.chunked)
    if "".join(u[0] for u in units) != record.text:
        return None
    return RecordMap(record, [(s, e) for _c, s, e in units], _Position(source, record))


def _published(units: list[_Unit], chunked: bool) -> list[_Unit]:
    """What octoDNS publishes of a scalar's value: a value in ``"chunk" "chunk"`` form loses
    its outer quotes and the ``" "`` between chunks, and ``\\;`` is ``;``."""
    if chunked:
        text = "".join(u[0] for u in units)
        pieces = parse_chunks(text)
        kept: list[_Unit] = []
        at = 1 if text.startswith('"') else 0
        for index, piece in enumerate(pieces):
            if index:
                at += 3  # the '" "' between two chunks
            kept.extend(units[at : at + len(piece)])
            at += len(piece)
        units = kept
    out: list[_Unit] = []
    i = 0
    while i < len(units):
        if units[i][0] == "\\" and i + 1 < len(units) and units[i + 1][0] == ";":
            out.append((";", units[i][1], units[i + 1][2]))
            i += 2
            continue
        out.append(units[i])
        i += 1
    return out


def _scalar(source: str, style: str) -> list[_Unit] | None:
    """The characters of a YAML scalar's value with their spans in ``source`` (the scalar as
    written, from its first character), as PyYAML's scanner reads them; None for a layout
    this does not follow."""
    try:
        if style == "":
            return _flow(source, 0, len(source), " ", double=False, single=False)
        if style in ("'", '"'):
            if len(source) < 2 or source[0] != style or source[-1] != style:
                return None
            return _flow(source, 1, len(source) - 1, " \t", double=style == '"',
                         single=style == "'")
        if style in ("|", ">"):
            return _block(source, folded=style == ">")
    except (ValueError, IndexError, OverflowError):
        return None
    return None


def _line_break(source: str, i: int) -> tuple[str, int]:
    """The line break at ``i`` as YAML reads it (CR LF, CR, LF and NEL are one ``\\n``) and
    where the next line starts."""
    if source.startswith("\r\n", i):
        return "\n", i + 2
    if source[i] in "\r\n\x85":
        return "\n", i + 1
    return source[i], i + 1


def _folded_breaks(source: str, i: int, end: int, blank: str, out: list[_Unit]) -> int:
    """Fold the line break at ``i`` inside a flow scalar: one space, or a line feed per empty
    line after it; returns where the next line's text starts."""
    at = i
    line_break, i = _line_break(source, i)
    breaks: list[_Unit] = []
    while i < end:
        if source[i] in blank:
            i += 1
        elif source[i] in _BREAKS:
            start = i
            char, i = _line_break(source, i)
            breaks.append((char, start, i))
        else:
            break
    if line_break != "\n":
        out.append((line_break, at, at + 1))
    elif not breaks:
        out.append((" ", at, at + 1))
    out.extend(breaks)
    return i


def _flow(source: str, i: int, end: int, blank: str, *, double: bool, single: bool
          ) -> list[_Unit]:
    """Plain and quoted scalars: blanks around a line break fold; quotes and escapes."""
    out: list[_Unit] = []
    while i < end:
        char = source[i]
        if single and char == "'" and source[i + 1 : i + 2] == "'":
            out.append(("'", i, i + 2))
            i += 2
        elif double and char == "\\":
            i = _escape(source, i, end, out)
        elif char in blank:
            j = i
            while j < end and source[j] in blank:
                j += 1
            if j < end and source[j] in _BREAKS:
                i = _folded_breaks(source, j, end, blank, out)
            else:
                out.extend((source[k], k, k + 1) for k in range(i, j))
                i = j
        elif char in _BREAKS:
            i = _folded_breaks(source, i, end, blank, out)
        else:
            out.append((char, i, i + 1))
            i += 1
    return out


def _escape(source: str, i: int, end: int, out: list[_Unit]) -> int:
    """One escape of a double-quoted scalar at ``i``; returns the index after it."""
    code = source[i + 1]
    if code in _ESCAPES:
        out.append((_ESCAPES[code], i, i + 2))
        return i + 2
    if code in _HEX_ESCAPES:
        size = _HEX_ESCAPES[code]
        digits = source[i + 2 : i + 2 + size]
        if len(digits) != size:
            raise ValueError(digits)
        out.append((chr(int(digits, 16)), i, i + 2 + size))
        return i + 2 + size
    if code in _BREAKS:
        # An escaped line break joins the lines without a space; empty lines still count.
        _char, i = _line_break(source, i + 1)
        while i < end:
            if source[i] in " \t":
                i += 1
            elif source[i] in _BREAKS:
                start = i
                char, i = _line_break(source, i)
                out.append((char, start, i))
            else:
                break
        return i
    raise ValueError(code)


def _block(source: str, *, folded: bool) -> list[_Unit] | None:
    """Literal (``|``) and folded (``>``) block scalars, with an indentation found from the
    content (an explicit indentation indicator counts from the parent: not followed)."""
    i = 1
    chomping: bool | None = None
    for _ in range(2):
        if i < len(source) and source[i] in "+-":
            chomping = source[i] == "+"
            i += 1
        elif i < len(source) and source[i] in "123456789":
            return None
    while i < len(source) and source[i] == " ":
        i += 1
    if i < len(source) and source[i] == "#":
        while i < len(source) and source[i] not in _BREAKS:
            i += 1
    if i >= len(source) or source[i] not in _BREAKS:
        return None
    _char, i = _line_break(source, i)
    end = len(source)

    def column(at: int) -> int:
        return at - (max(source.rfind(c, 0, at) for c in "\n\r") + 1)

    breaks: list[_Unit] = []
    indent = 0
    while i < end and source[i] in " " + _BREAKS:
        if source[i] == " ":
            i += 1
            indent = max(indent, column(i))
        else:
            start = i
            char, i = _line_break(source, i)
            breaks.append((char, start, i))
    indent = max(indent, 1)
    out: list[_Unit] = []
    line_break: _Unit | None = None
    while i < end and column(i) == indent:
        out.extend(breaks)
        leading_text = source[i] not in " \t"
        while i < end and source[i] not in _BREAKS:
            out.append((source[i], i, i + 1))
            i += 1
        line_break = None
        if i < end:
            start = i
            char, i = _line_break(source, i)
            line_break = (char, start, i)
        breaks = []
        while i < end:
            while i < end and column(i) < indent and source[i] == " ":
                i += 1
            if i < end and source[i] in _BREAKS:
                start = i
                char, i = _line_break(source, i)
                breaks.append((char, start, i))
            else:
                break
        if i < end and column(i) == indent and line_break is not None:
            if folded and line_break[0] == "\n" and leading_text and source[i] not in " \t":
                if not breaks:
                    out.append((" ", line_break[1], line_break[2]))
            else:
                out.append(line_break)
        else:
            break
    if chomping is not False and line_break is not None:
        out.append(line_break)
    if chomping is True:
        out.extend(breaks)
    return out
