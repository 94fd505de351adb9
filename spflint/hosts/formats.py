"""Encoders and strict parsers for the value formats hosts and tools accept for TXT data."""

from __future__ import annotations

import json
import re
import shlex

from ..txt import cut, quote_text
from .model import MAX_STRING_OCTETS, HostFormatError


def octets(text: str) -> int:
    """Length of ``text`` on the wire."""
    return len(text.encode("utf-8"))


def chunk(text: str, size: int = MAX_STRING_OCTETS) -> list[str]:
    """Cut ``text`` every ``size`` octets, as hosts that split long values do.

    :raises HostFormatError: the text is not ASCII (a cut could fall inside a character).
    """
    if not text.isascii():
        raise HostFormatError("SPF record text must be ASCII (RFC 7208 §3)")
    return [s.decode("ascii") for s in cut(text.encode("ascii"), size)]


# -- zone-file character-strings: "a" "b" ---------------------------------------------------


def quote_strings(strings: list[str], sep: str = " ") -> str:
    """Several quoted character-strings, separated by ``sep``."""
    return sep.join(quote_text(s) for s in strings)


def parse_quoted(text: str, *, adjacent: bool = False) -> list[str]:
    """The character-strings of ``"a" "b"`` (whitespace between, backslash escapes inside).

    ``adjacent`` also accepts strings with nothing between them (``"a""b"``), as Route 53
    does.

    :raises HostFormatError: anything that is not a sequence of quoted strings.
    """
    strings: list[str] = []
    i, n = 0, len(text)
    while True:
        while i < n and text[i] in " \t\r\n":
            i += 1
        if i == n:
            break
        if text[i] != '"':
            raise HostFormatError(f"expected '\"' at offset {i} of {text!r}")
        i += 1
        buf: list[str] = []
        while True:
            if i >= n:
                raise HostFormatError(f"unterminated quoted string in {text!r}")
            ch = text[i]
            if ch == '"':
                i += 1
                break
            if ch == "\\":
                if text[i + 1:i + 4].isdigit() and len(text[i + 1:i + 4]) == 3:
                    buf.append(chr(int(text[i + 1:i + 4])))
                    i += 4
                    continue
                if i + 1 >= n:
                    raise HostFormatError(f"dangling backslash in {text!r}")
                buf.append(text[i + 1])
                i += 2
                continue
            buf.append(ch)
            i += 1
        if i < n and text[i] not in " \t\r\n" and not (adjacent and text[i] == '"'):
            raise HostFormatError(f"expected a space after a quoted string in {text!r}")
        strings.append("".join(buf))
    if not strings:
        raise HostFormatError("no quoted string found")
    return strings


# -- HCL (Terraform) string literals --------------------------------------------------------


def hcl_string(text: str) -> str:
    """A Terraform string literal; ``${`` and ``%{`` are escaped so SPF macros stay literal."""
    body = text.replace("\\", "\\\\").replace('"', '\\"')
    body = body.replace("${", "$${").replace("%{", "%%{")
    return '"' + body + '"'


def parse_hcl_string(literal: str) -> str:
    """The value of one HCL quoted string literal (escapes and ``$${``/``%%{``).

    :raises HostFormatError: not a single well-formed literal.
    """
    text = literal.strip()
    if len(text) < 2 or text[0] != '"' or text[-1] != '"':
        raise HostFormatError(f"not an HCL string literal: {literal!r}")
    out: list[str] = []
    i, body = 0, text[1:-1]
    simple = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            nxt = body[i + 1:i + 2]
            if nxt in simple:
                out.append(simple[nxt])
                i += 2
                continue
            if nxt == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", body[i + 2:i + 6]):
                out.append(chr(int(body[i + 2:i + 6], 16)))
                i += 6
                continue
            raise HostFormatError(f"bad escape in HCL string {literal!r}")
        if ch == '"':
            raise HostFormatError(f"unescaped quote in HCL string {literal!r}")
        if body.startswith("$${", i) or body.startswith("%%{", i):
            out.append(ch + "{")
            i += 3
            continue
        if body.startswith("${", i) or body.startswith("%{", i):
            raise HostFormatError(f"template sequence in HCL string {literal!r}")
        out.append(ch)
        i += 1
    return "".join(out)


_HCL_LIST = re.compile(r'^\[\s*((?:"(?:[^"\\]|\\.)*"\s*,?\s*)*)\]$')
_HCL_ITEM = re.compile(r'"(?:[^"\\]|\\.)*"')


def parse_hcl_list(literal: str) -> list[str]:
    """The values of an HCL list of string literals.

    :raises HostFormatError: not a list of string literals.
    """
    text = literal.strip()
    if not _HCL_LIST.match(text):
        raise HostFormatError(f"not an HCL list of strings: {literal!r}")
    return [parse_hcl_string(item) for item in _HCL_ITEM.findall(text)]


# -- octoDNS --------------------------------------------------------------------------------


# -- shell ----------------------------------------------------------------------------------


def shell_words(command: str) -> list[str]:
    """The words of a POSIX shell command line (line continuations joined).

    :raises HostFormatError: unbalanced quotes.
    """
    try:
        return shlex.split(command.replace("\\\n", " "), comments=False, posix=True)
    except ValueError as exc:
        raise HostFormatError(f"not a valid shell command: {exc}") from exc


def option_values(words: list[str], *names: str) -> list[str]:
    """Every value given to any of the options ``names`` (``--opt V`` or ``--opt=V``)."""
    values: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        for name in names:
            if word == name and i + 1 < len(words):
                values.append(words[i + 1])
                i += 1
                break
            if word.startswith(name + "="):
                values.append(word[len(name) + 1:])
                break
        i += 1
    return values


def js_string(text: str) -> str:
    """A JavaScript string literal (JSON strings are valid JavaScript)."""
    return json.dumps(text, ensure_ascii=True)
