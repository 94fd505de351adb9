"""A TXT character-string is longer than 255 octets.

## What it does
Checks the character-strings a TXT record is published as, when they are known (from a zone
file or a DNS answer): each one may hold at most 255 octets, counted in bytes (UTF-8), not
characters. The finding points at the term in which the string overflows.

When only the record text is known (linting a bare record), a text longer than 255 octets is
reported at `info` level as a reminder that it must be published as several strings.

## Why is this bad?
A DNS character-string has a one-octet length prefix, so it cannot exceed 255 octets. Zone
files with a longer quoted string are rejected, and many DNS hosting panels silently cut or
refuse the value. A record over 255 octets must be split into several strings, which
receivers join without adding spaces (RFC 7208 §3.3).

## Example
```text
v=spf1 ip6:2001:db8:100::/40 ip6:2001:db8:200::/40 ip6:2001:db8:300::/40 ip6:2001:db8:400::/40 ip6:2001:db8:500::/40 ip6:2001:db8:600::/40 ip6:2001:db8:700::/40 ip6:2001:db8:800::/40 ip6:2001:db8:900::/40 ip6:2001:db8:a00::/40 ip6:2001:db8:b00::/40 ip6:2001:db8:c00::/40 -all
```

## Use instead
Publish the same text as two strings (zone-file syntax):
```text
"v=spf1 ip6:2001:db8:100::/40 ip6:2001:db8:200::/40 ip6:2001:db8:300::/40 ip6:2001:db8:400::/40 ip6:2001:db8:500::/40 ip6:2001:db8:600::/40 ip6:2001:db8:700::/40 ip6:2001:db8:800::/40 ip6:2001:db8:900::/40 " "ip6:2001:db8:a00::/40 ip6:2001:db8:b00::/40 ip6:2001:db8:c00::/40 -all"
```

## Fix safety
No automatic fix here: split the record into strings of at most 255 octets (for instance
`"v=spf1 ... " "ip4:... -all"`), or shorten it; `spflint fix` can produce the split strings.

## References
- RFC 7208 §3.3 (Multiple Strings in a Single DNS Record)
- RFC 1035 §3.3 (character-string)

## Examples
Okay: v=spf1 ip4:192.0.2.0/24 -all
SPF201: v=spf1 ip6:2001:db8:100::/40 ip6:2001:db8:200::/40 ip6:2001:db8:300::/40 ip6:2001:db8:400::/40 ip6:2001:db8:500::/40 ip6:2001:db8:600::/40 ip6:2001:db8:700::/40 ip6:2001:db8:800::/40 ip6:2001:db8:900::/40 ip6:2001:db8:a00::/40 ip6:2001:db8:b00::/40 ip6:2001:db8:c00::/40 -all
"""  # noqa: E501

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterator

from ..ast import Record, Span
from ..findings import Severity
from .base import Hit, RuleContext

CODE = "SPF201"
NAME = "string-too-long"
SUMMARY = "A TXT character-string is longer than 255 octets."
SEVERITY = Severity.ERROR
SCOPE = "text"

LIMIT = 255


def char_offset(text: str, octets: int) -> int:
    """Index of the character of ``text`` that holds byte number ``octets`` (UTF-8)."""
    if text.isascii():
        return min(octets, len(text))
    used = 0
    for index, char in enumerate(text):
        used += len(char.encode("utf-8"))
        if used > octets:
            return index
    return len(text)


def term_span(text: str, index: int) -> Span:
    """The space-delimited term of ``text`` that contains character ``index``."""
    index = min(max(index, 0), max(len(text) - 1, 0))
    # On a separator, the term that does not fit is the next one (or the last one).
    while index < len(text) - 1 and text[index] == " ":
        index += 1
    while index > 0 and text[index] == " ":
        index -= 1
    start = text.rfind(" ", 0, index) + 1
    end = text.find(" ", index)
    return Span(start, len(text) if end < 0 else end)


def _octet_starts(text: str) -> list[int]:
    """For each character of ``text``, the UTF-8 octet it starts at (one pass, so finding
    the character of many offsets stays linear)."""
    return list(itertools.accumulate((len(c.encode("utf-8")) for c in text[:-1]), initial=0))


def check(record: Record | None, ctx: RuleContext) -> Iterator[Hit]:
    text = ctx.text
    if ctx.strings is None:
        size = len(text.encode("utf-8"))
        if size > LIMIT:
            yield Hit(
                term_span(text, char_offset(text, LIMIT)),
                f"the record is {size} octets: it must be published as several TXT strings "
                f"of at most {LIMIT} octets each (the first would end in this term)",
                hint="split it into quoted strings of at most 255 octets, e.g. "
                     "\"v=spf1 ...\" \"ip4:... -all\"; receivers join them without spaces",
                # Not a defect in the text itself: a reminder, below the rule's level.
                severity=Severity.INFO,
            )
        return
    before = 0  # octets of the strings before this one
    starts: list[int] | None = None
    for number, string in enumerate(ctx.strings, start=1):
        if len(string) > LIMIT:
            if text.isascii():
                index = min(before + LIMIT, len(text))
            else:
                starts = _octet_starts(text) if starts is None else starts
                index = bisect.bisect_right(starts, before + LIMIT) - 1
            span = term_span(text, index)
            yield Hit(
                span,
                f"TXT string {number} of {len(ctx.strings)} is {len(string)} octets; a "
                f"character-string holds at most {LIMIT} (RFC 7208 §3.3)",
                hint="split it into several strings of at most 255 octets; receivers join "
                     "them without adding spaces",
            )
        before += len(string)
