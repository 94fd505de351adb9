"""TXT character-strings: one codec to join, split, cut and quote them, used everywhere."""

from __future__ import annotations

import re
from collections.abc import Iterable

MAX_STRING = 255  # octets in one character-string (RFC 1035 §3.3.14)


_SURROGATE = re.compile("[\ud800-\udfff]")


def from_outside(text: str) -> str:
    """``text`` from an argument, standard input or a file, with every lone surrogate (how
    Python passes on bytes that are not UTF-8, and what a JSON ``\\ud800`` escape decodes
    to) replaced by U+FFFD: the text can then be encoded and printed, and the grammar
    reports the character at its column like any other non-ASCII one (RFC 7208 §3.1)."""
    return _SURROGATE.sub("\ufffd", text) if not text.isascii() else text


def not_utf8(text: str) -> tuple[int, str] | None:
    """Where ``text`` (an argument or a line decoded with ``surrogateescape``) held bytes that
    are not UTF-8: the index of the first one and what it was (``byte 0xff``), or None."""
    if text.isascii():
        return None
    found = _SURROGATE.search(text)
    if found is None:
        return None
    code = ord(found.group())
    what = (f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF
            else f"the lone surrogate U+{code:04X}")
    return found.start(), what


def record_text(strings: Iterable[bytes]) -> str:
    """What receivers evaluate: the strings joined with nothing between them (RFC 7208 §3.3).

    Each octet becomes one character (Latin-1), so a non-ASCII octet stays visible to the
    grammar, which refuses it (§3.1), and every octet survives a round trip.
    """
    return b"".join(strings).decode("latin-1")


def split(value: bytes, limit: int = MAX_STRING) -> list[bytes]:
    """``value`` in character-strings of at most ``limit`` octets, each ending after a space
    where one is near, so the strings break between terms; a term longer than a string is
    cut inside it (receivers join the strings with nothing between, so the text is the same).
    """
    if len(value) <= limit:
        return [value]
    out: list[bytes] = []
    rest = value
    while len(rest) > limit:
        cut_at = rest.rfind(b" ", 0, limit) + 1
        if cut_at <= 0:
            cut_at = limit
        out.append(rest[:cut_at])
        rest = rest[cut_at:]
    if rest:
        out.append(rest)
    return out


def split_text(text: str, limit: int = MAX_STRING) -> tuple[str, ...]:
    """:func:`split` for a record written as text (its UTF-8 octets; SPF records are ASCII,
    where nothing can be cut inside a character)."""
    return tuple(s.decode("utf-8", errors="replace") for s in split(text.encode("utf-8"),
                                                                       limit))


def cut(value: bytes, limit: int = MAX_STRING) -> tuple[bytes, ...]:
    """``value`` cut every ``limit`` octets, wherever that falls: what octoDNS and hosts that
    split long values themselves publish. An empty value is one empty string."""
    return tuple(value[i:i + limit] for i in range(0, len(value), limit)) or (b"",)


def quote(value: bytes, *, plain: bool = False) -> bytes:
    """One character-string in master-file syntax (RFC 1035 §5.1): quotes and backslashes
    escaped, octets outside printable ASCII as ``\\DDD``. With ``plain``, left unquoted when
    it can be (not empty, no space, ``;``, ``(``, ``)``)."""
    out = bytearray()
    bare = plain and bool(value)
    for byte in value:
        if byte in (0x22, 0x5C):  # '"' and '\'
            out += b"\\" + bytes([byte])
        elif 0x20 <= byte < 0x7F:
            out.append(byte)
            if byte in b" ;()":
                bare = False
        else:
            out += b"\\%03d" % byte
    return bytes(out) if bare else b'"' + bytes(out) + b'"'


def quote_text(text: str) -> str:
    """:func:`quote` for text (its UTF-8 octets), always quoted."""
    return quote(text.encode("utf-8")).decode("ascii")


# octoDNS reads ``;`` in a TXT value as the start of a comment unless it is written ``\;``.
_UNESCAPED_SEMICOLON = re.compile(r"(?<!\\);")


def octodns_escape(text: str) -> str:
    """The octoDNS form of published TXT text (``;`` escaped)."""
    return _UNESCAPED_SEMICOLON.sub(r"\\;", text)


def octodns_unescape(text: str) -> str:
    """The published text of an octoDNS TXT value (``\\;`` unescaped)."""
    return text.replace("\\;", ";")
