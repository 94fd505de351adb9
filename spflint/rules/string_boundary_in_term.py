"""A TXT string boundary falls inside a term of the SPF record.

## What it does
A TXT record longer than 255 characters is published as several character-strings, and
receivers join them with nothing in between (RFC 7208 §3.3). This rule looks at each
boundary between strings of the records in the tree and reports one that falls inside a
term rather than next to a space. It is an error when the joined record does not parse but
would with a space at the boundary: two terms were glued together.

## Why is this bad?
People and DNS hosts often assume the strings are joined with a space. Then
`"... ip4:192.0.2.1" "include:_spf.example.net -all"` becomes `ip4:192.0.2.1include:...`, a
syntax error that makes the whole record a `permerror`. A term split on purpose
(`"ip4:192.0." "2.1"`) works, but the next edit of either string easily breaks it.

## Example
```text
example.com.       TXT ( "v=spf1 ip4:192.0.2.0/24"
                         "include:_spf.example.net -all" )
```

## Use instead
```text
example.com.       TXT ( "v=spf1 ip4:192.0.2.0/24 "
                         "include:_spf.example.net -all" )
```

## Fix safety
No automatic fix: end each string with a space (or start the next one with one) where the
boundary is meant to separate terms.

## References
- RFC 7208 §3.3 (Multiple Strings in a Single DNS Record)
- RFC 7208 §4.5 (Selecting Records)

## Examples
Okay: example.com TXT "v=spf1 ip4:192.0.2.0/24 " "include:_spf.example.net -all" ; _spf.example.net TXT "v=spf1 -all"
SPF223: example.com TXT "v=spf1 ip4:192.0.2.0/24" "include:_spf.example.net -all" ; _spf.example.net TXT "v=spf1 -all"
SPF223: example.com TXT "v=spf1 ip4:192.0." "2.0/24 -all"
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..ast import Span
from ..errors import SpfSyntaxError
from ..findings import Severity
from ..parser import parse_record
from .base import TreeContext, TreeHit
from .treeutil import once_per_name

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree, TreeNode

CODE = "SPF223"
NAME = "string-boundary-in-term"
SUMMARY = "A TXT string boundary falls inside a term of the SPF record."
SEVERITY = Severity.WARNING
SCOPE = "dns"


def _parses(text: str) -> bool:
    try:
        parse_record(text)
    except SpfSyntaxError:
        return False
    return True


def _word(text: str, at: int) -> Span:
    """The space-delimited word around offset ``at``."""
    start = text.rfind(" ", 0, at) + 1
    end = text.find(" ", at)
    return Span(start, len(text) if end < 0 else end)


def _boundaries(node: TreeNode) -> list[tuple[int, int]]:
    """(string number ending there, offset) of every boundary inside a term."""
    text = node.record or ""
    out: list[tuple[int, int]] = []
    offset = 0
    for number, string in enumerate(node.strings[:-1], start=1):
        offset += len(string)  # the text was decoded as latin-1: one character per octet
        if 0 < offset < len(text) and text[offset - 1] != " " and text[offset] != " ":
            out.append((number, offset))
    return out


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    for node in once_per_name(tree):
        if node.record is None or len(node.strings) < 2:
            continue
        inside = _boundaries(node)
        if not inside:
            continue
        text = node.record
        broken = node.parsed is None
        spaced_all = text
        for _, at in reversed(inside):
            spaced_all = spaced_all[:at] + " " + spaced_all[at:]
        all_fixes = broken and _parses(spaced_all)
        for number, at in inside:
            span = _word(text, at)
            word = text[span.start:span.end]
            left, right = text[span.start:at], text[at:span.end]
            glued = broken and (all_fixes or _parses(text[:at] + " " + text[at:]))
            if glued:
                message = (f"strings {number} and {number + 1} are joined without a space "
                           f"(RFC 7208 §3.3), gluing '{left}' and '{right}' into '{word}': "
                           "the record does not parse, receivers return permerror")
                hint = f"end string {number} with a space, or start string {number + 1} with one"
                severity = Severity.ERROR
            else:
                message = (f"the boundary between strings {number} and {number + 1} splits "
                           f"'{word}' into '{left}' and '{right}'; receivers join strings "
                           "without a space (RFC 7208 §3.3), so this works only as long as "
                           "neither string is edited")
                hint = "move the boundary next to a space between two terms"
                severity = Severity.WARNING
            yield TreeHit(node, message, span=span, hint=hint, severity=severity,
                          extra={"string": number, "offset": at})
