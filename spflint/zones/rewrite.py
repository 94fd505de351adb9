"""Surgical rewrite of TXT/SPF records in zone files: only the records' bytes change."""

from __future__ import annotations

import contextlib
import datetime
import difflib
import itertools
import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from spflint.errors import SpflintError
from spflint.txt import MAX_STRING, octodns_escape, quote, split

from . import read_zone
from .model import ZoneFile, ZoneRecord, content_hash

__all__ = [
    "FileChange",
    "RewriteError",
    "ZoneChangedError",
    "next_serial",
    "plan_rewrite",
    "render_bind",
    "render_octodns",
    "unified_diff",
    "write_atomic",
]


class RewriteError(SpflintError):
    """A record that cannot be rewritten in place (the file is left alone)."""


class ZoneChangedError(SpflintError):
    """The file changed on disk after it was read; writing would lose those changes."""

    fmt = "{path}: the file changed since it was read; not writing (run again)"


@dataclass
class FileChange:
    """New contents for one file, and the records whose values changed in it."""

    path: str
    old: bytes
    new: bytes
    records: list[tuple[ZoneRecord, str]] = field(default_factory=list)
    serial: tuple[int, int] | None = None  # (old, new) SOA serial, when bumped here

    @property
    def old_hash(self) -> str:
        return content_hash(self.old)


# --------------------------------------------------------------------------- BIND


def _line_bounds(data: bytes, offset: int) -> tuple[int, int]:
    """Start of the line holding ``offset`` and the end of its content (before CR LF / LF)."""
    start = data.rfind(b"\n", 0, offset) + 1
    end = data.find(b"\n", offset)
    end = len(data) if end < 0 else end
    if end > start and data[end - 1 : end] == b"\r":
        end -= 1
    return start, end


def _newline(data: bytes, offset: int) -> bytes:
    end = data.find(b"\n", offset)
    return b"\r\n" if end > 0 and data[end - 1 : end] == b"\r" else b"\n"


def render_bind(record: ZoneRecord, data: bytes, strings: Sequence[bytes]) -> bytes:
    """The new bytes for ``data[record.start:record.end]`` holding ``strings``.

    Each old string is replaced in place (quoted as it was); extra strings go after the last
    one, on lines of their own with the same indentation when the record was laid out that
    way in parentheses; strings no longer needed are removed with the blanks before them.
    Comments and line breaks between the strings stay where they are.
    """
    base = record.start
    span = bytearray(data[record.start : record.end])
    tokens = record.tokens
    edits: list[tuple[int, int, bytes]] = []  # positions relative to the file
    for token, value in zip(tokens, strings, strict=False):
        edits.append((token.start, token.end, quote(value, plain=not token.quoted)))
    if len(strings) > len(tokens):
        last = tokens[-1]
        line_start, _ = _line_bounds(data, last.start)
        indent = data[line_start : last.start]
        alone = record.parenthesised and not indent.strip(b" \t")
        sep = _newline(data, last.start) + indent if alone else b" "
        extra = b"".join(sep + quote(v, plain=not last.quoted) for v in strings[len(tokens) :])
        edits.append((last.end, last.end, extra))
    for token in tokens[len(strings) :]:
        line_start, line_end = _line_bounds(data, token.start)
        left = token.start
        while left > record.start and data[left - 1] in b" \t":
            left -= 1
        right = token.end
        before_alone = left == line_start
        after = data[token.end : line_end]
        if before_alone and not after.strip(b" \t") and line_start > record.start:
            # The string had its line to itself: drop the whole line with its line break.
            left = line_start - 1
            if left > 0 and data[left - 1 : left] == b"\r":
                left -= 1
            right = token.end + len(after)
        edits.append((left, right, b""))
    for start, end, replacement in sorted(edits, key=lambda e: e[0], reverse=True):
        span[start - base : end - base] = replacement
    return bytes(span)


# --------------------------------------------------------------------------- octoDNS


def _yaml_plain_ok(text: str) -> bool:
    if not text or text != text.strip() or "\n" in text:
        return False
    try:
        loaded = yaml.safe_load(f"k: {text}\n")
    except yaml.YAMLError:
        return False
    return isinstance(loaded, dict) and loaded.get("k") == text and "," not in text \
        and not any(c in text for c in "[]{}#")


def _yaml_scalar(text: str, style: str) -> str:
    if style == "" and _yaml_plain_ok(text):
        return text
    if style in ("", "'") and text.isprintable():
        return "'" + text.replace("'", "''") + "'"
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    escaped = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in escaped)
    return '"' + escaped + '"'


def render_octodns(record: ZoneRecord, strings: Sequence[bytes]) -> bytes:
    """The new YAML scalar for ``record`` holding ``strings``, in the scalar style it had.

    A value written in octoDNS's chunked form (``'"..." "..."'``) stays chunked.

    :raises RewriteError: the value was a block scalar (``|`` or ``>``).
    """
    if record.style in ("|", ">"):
        raise RewriteError(f"{record.path}:{record.value_line}: the value of {record.name} is a"
                           " YAML block scalar; rewrite it by hand")
    texts = [octodns_escape(s.decode("utf-8")) for s in strings]
    # octoDNS joins chunks by removing each '" "' and unescapes nothing else in them.
    value = '"' + '" "'.join(texts) + '"' if record.chunked else "".join(texts)
    return _yaml_scalar(value, record.style).encode("utf-8")


# --------------------------------------------------------------------------- planning


def next_serial(old: int, today: datetime.date | None = None) -> int:
    """The next SOA serial: ``YYYYMMDDnn`` stays dated (today's 00, else nn + 1); counters + 1."""
    text = str(old)
    if len(text) == 10:
        try:
            datetime.date(int(text[:4]), int(text[4:6]), int(text[6:8]))
        except ValueError:
            pass
        else:
            day = today or datetime.date.today()
            base = int(day.strftime("%Y%m%d")) * 100
            return base if old < base else old + 1
    return (old + 1) % 2**32


def _cut_after_words(value: bytes, count: int, with_space: bool) -> int | None:
    """Offset just after the ``count``-th space-separated word (and its spaces if asked)."""
    i, n, seen = 0, len(value), 0
    while i < n and seen < count:
        while i < n and value[i] == 0x20:
            i += 1
        if i >= n:
            return None
        while i < n and value[i] != 0x20:
            i += 1
        seen += 1
    if seen < count:
        return None
    if with_space:
        while i < n and value[i] == 0x20:
            i += 1
    return i


def strings_for(record: ZoneRecord, text: str) -> list[bytes]:
    """How a new record text is written as character-strings (at most 255 octets each).

    A record written as several strings keeps its breaks at the same term boundaries when
    every piece still fits; otherwise the text is split anew.
    """
    value = text.encode("utf-8")
    if len(record.strings) > 1:
        cuts: list[int] = []
        prefix = b""
        for piece, following in zip(record.strings, record.strings[1:], strict=False):
            prefix += piece
            ends_word = prefix.endswith(b" ") or following.startswith(b" ")
            cut = _cut_after_words(value, len(prefix.split()), prefix.endswith(b" "))
            if not ends_word or cut is None:
                cuts = []
                break
            cuts.append(cut)
        bounds = [0, *cuts, len(value)]
        pieces = [value[a:b] for a, b in itertools.pairwise(bounds)]
        if cuts and all(0 < len(p) <= MAX_STRING for p in pieces):
            return pieces
    return split(value)


def plan_rewrite(zones: Sequence[ZoneFile], new_texts: Mapping[tuple[str, int], str], *,
                 bump_serial: bool = False, today: datetime.date | None = None,
                 include_roots: Sequence[str] = ()) -> list[FileChange]:
    """The file changes that give the records keyed ``(path, start)`` their new texts.

    The result is checked by reading the zones again from the new contents: the changed
    records must read back as exactly the new strings, and every other record unchanged.

    :raises RewriteError: a record cannot be rewritten, or the check fails.
    """
    changes: dict[str, FileChange] = {}
    edits: dict[str, list[tuple[int, int, bytes]]] = {}
    expected: dict[tuple[str, int], list[bytes]] = {}
    for zone in zones:
        touched = False
        for record in zone.records:
            key = (record.path, record.start)
            if key not in new_texts or key in expected:
                continue  # a YAML alias shares one value between records: rewrite it once
            text = new_texts[key]
            strings = strings_for(record, text)
            data = zone.contents[record.path]
            if zone.format == "bind":
                replacement = render_bind(record, data, strings)
            else:
                replacement = render_octodns(record, strings)
            edits.setdefault(record.path, []).append((record.start, record.end, replacement))
            change = changes.setdefault(record.path,
                                        FileChange(record.path, data, data))
            change.records.append((record, text))
            expected[key] = strings
            touched = True
        if touched and bump_serial and zone.soa is not None:
            soa = zone.soa
            new_serial = next_serial(soa.value, today)
            edits.setdefault(soa.path, []).append((soa.start, soa.end,
                                                   str(new_serial).encode("ascii")))
            change = changes.setdefault(soa.path, FileChange(soa.path, zone.contents[soa.path],
                                                             zone.contents[soa.path]))
            change.serial = (soa.value, new_serial)
    for path, file_edits in edits.items():
        out = bytearray(changes[path].old)
        for start, end, replacement in sorted(file_edits, key=lambda e: e[0], reverse=True):
            out[start:end] = replacement
        changes[path].new = bytes(out)
    _verify(zones, changes, expected, include_roots)
    return [changes[path] for path in sorted(changes) if changes[path].new != changes[path].old]


def _verify(zones: Sequence[ZoneFile], changes: Mapping[str, FileChange],
            expected: Mapping[tuple[str, int], list[bytes]],
            include_roots: Sequence[str]) -> None:
    overrides = {path: change.new for path, change in changes.items()}
    for zone in zones:
        if not set(zone.contents) & set(overrides):
            continue
        try:
            # Read as the zone was read first: the same origin, the same $INCLUDE roots.
            again = read_zone(zone.path, overrides={**zone.contents, **overrides},
                              origin=zone.origin if zone.format == "octodns" else None,
                              include_roots=include_roots)
        except SpflintError as exc:
            raise RewriteError(f"the rewritten zone no longer reads: {exc}") from None
        if len(again.records) != len(zone.records):
            raise RewriteError(f"{zone.path}: the rewrite changed the number of records")
        for old, new in zip(zone.records, again.records, strict=True):
            want = expected.get((old.path, old.start))
            if zone.format == "bind" and want is not None:
                ok = list(new.strings) == want
            else:
                ok = new.value == (b"".join(want) if want is not None else old.value)
            if not ok or new.name != old.name:
                raise RewriteError(f"{old.path}:{old.line}: the rewritten record of {old.name}"
                                   " does not read back as intended; not writing")


# --------------------------------------------------------------------------- output


def unified_diff(change: FileChange) -> str:
    """A unified diff of one change (line endings shown as they are)."""
    old = change.old.decode("utf-8", errors="replace").splitlines(keepends=True)
    new = change.new.decode("utf-8", errors="replace").splitlines(keepends=True)
    lines = difflib.unified_diff(old, new, f"a/{change.path}", f"b/{change.path}")
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def write_atomic(path: str, data: bytes, expected_hash: str) -> None:
    """Replace ``path`` by ``data``: temp file beside it, fsync, then rename.

    The rename happens only if the file still has the content hash it had when read.

    :raises ZoneChangedError: the file changed meanwhile (nothing is written).
    :raises OSError: the write failed (the original file is intact).
    """
    target = Path(path)
    directory = str(target.parent) or "."
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".spflint", dir=directory)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(OSError):
            os.chmod(tmp, stat.S_IMODE(os.stat(path).st_mode))
        if content_hash(target.read_bytes()) != expected_hash:
            raise ZoneChangedError(path=path)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):
        dir_fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
