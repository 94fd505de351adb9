"""A CIDR length that is already the default (`/32`, `/128`) adds nothing.

## What it does
Finds `/32` on `ip4:`, `/128` on `ip6:`, and `/32` or `//128` on `a` and `mx`, where those
lengths are the defaults.

## Why is this bad?
Without a CIDR length, `ip4:` and `a`/`mx` already match exactly one IPv4 address and `ip6:`
exactly one IPv6 address (RFC 7208 §5.3, §5.4, §5.6). The suffix only lengthens the record,
which has to stay small (§3.4).

## Example
```text
v=spf1 ip4:192.0.2.10/32 a/32 -all
```

## Use instead
```text
v=spf1 ip4:192.0.2.10 a -all
```

## Fix safety
The fix deletes the suffix and is safe: the default length is the same.

## References
- RFC 7208 §5.6 (ip4 and ip6)
- RFC 7208 §5.3 (a) and §5.4 (mx)

## Examples
Okay: v=spf1 ip4:192.0.2.0/24 a/24 -all
SPF402: v=spf1 ip4:192.0.2.10/32 -all
SPF402: v=spf1 ip6:2001:db8::1/128 -all
SPF402: v=spf1 mx//128 -all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import IP4, IP6, MX, A, Record, Span
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext

CODE = "SPF402"
NAME = "redundant-cidr"
SUMMARY = "A CIDR length that is already the default (`/32`, `/128`) adds nothing."
SEVERITY = Severity.INFO
SCOPE = "record"


def _redundant(mech: object, end: int) -> list[Edit]:
    """Edits deleting the default-valued CIDR suffixes of a mechanism ending at ``end``."""
    if isinstance(mech, IP4):
        return [Edit(end - 3, end, "")] if mech.prefix == 32 else []
    if isinstance(mech, IP6):
        return [Edit(end - 4, end, "")] if mech.prefix == 128 else []
    if not isinstance(mech, (A, MX)):
        return []
    edits: list[Edit] = []
    # The grammar allows no leading zeros, so the suffix text is exactly what we render.
    v6 = "" if mech.cidr6 is None else f"//{mech.cidr6}"
    v4 = "" if mech.cidr4 is None else f"/{mech.cidr4}"
    start = end - len(v6) - len(v4)
    if mech.cidr4 == 32:
        edits.append(Edit(start, start + 3, ""))
    if mech.cidr6 == 128:
        edits.append(Edit(end - 5, end, ""))
    return edits


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    for term in record.directives:
        mech = term.mechanism
        edits = _redundant(mech, mech.span.end)
        if not edits:
            continue
        suffix = " and ".join(f"'{ctx.text[e.start:e.end]}'" for e in edits)
        written = ctx.text[term.span.start:term.span.end]
        verb = "is the default length" if len(edits) == 1 else "are the default lengths"
        yield Hit(
            Span(edits[0].start, edits[-1].end),
            f"{suffix} in '{written}' {verb} and can be left out",
            fix=Fix(f"remove {suffix}", tuple(edits), safe=True),
        )
