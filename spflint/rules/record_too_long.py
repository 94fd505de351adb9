"""The record is so long that DNS answers for it may not fit in a UDP packet.

## What it does
Counts the octets of the record text (UTF-8), plus the owner name when it is known, and
reports when the total is over `max-octets` (default 450, the guideline of RFC 7208 §3.4).
The finding points at the term in which the limit is crossed. A text over 65,535 octets,
more than any DNS answer can carry, gets this finding as an error, whatever the selection,
and no other: it is not parsed.

## Why is this bad?
A DNS answer over 512 octets does not fit in a classic UDP response: the receiver must retry
over TCP or use EDNS0, and some resolvers and middleboxes get that wrong, turning the SPF
check into a `temperror`. RFC 7208 §3.4 advises keeping the name plus the text of all TXT
records under 450 octets so that answers fit. Long records usually also cost many DNS
lookups.

## Example
```text
v=spf1 ip6:2001:db8:100::/40 ip6:2001:db8:200::/40 ip6:2001:db8:300::/40 ip6:2001:db8:400::/40 ip6:2001:db8:500::/40 ip6:2001:db8:600::/40 ip6:2001:db8:700::/40 ip6:2001:db8:800::/40 ip6:2001:db8:900::/40 ip6:2001:db8:a00::/40 ip6:2001:db8:b00::/40 ip6:2001:db8:c00::/40 ip6:2001:db8:d00::/40 ip6:2001:db8:e00::/40 ip6:2001:db8:f00::/40 ip6:2001:db8:1000::/40 ip6:2001:db8:1100::/40 ip6:2001:db8:1200::/40 ip6:2001:db8:1300::/40 ip6:2001:db8:1400::/40 -all
```

## Use instead
```text
v=spf1 ip6:2001:db8:100::/40 ip6:2001:db8:200::/39 ip6:2001:db8:400::/38 ip6:2001:db8:800::/37 ip6:2001:db8:1000::/38 ip6:2001:db8:1400::/40 -all
```

## Fix safety
No automatic fix here. Merge adjacent ranges, drop senders no longer used, or move some
terms into a record on a subdomain that is included; `spflint fix` can compute a minimal
equivalent record.

## References
- RFC 7208 §3.4 (Record Size)
- RFC 1035 §4.2.1 (UDP usage: 512 octets)

## Examples
Okay: v=spf1 ip4:192.0.2.0/24 -all
SPF202: v=spf1 ip6:2001:db8:100::/40 ip6:2001:db8:200::/40 ip6:2001:db8:300::/40 ip6:2001:db8:400::/40 ip6:2001:db8:500::/40 ip6:2001:db8:600::/40 ip6:2001:db8:700::/40 ip6:2001:db8:800::/40 ip6:2001:db8:900::/40 ip6:2001:db8:a00::/40 ip6:2001:db8:b00::/40 ip6:2001:db8:c00::/40 ip6:2001:db8:d00::/40 ip6:2001:db8:e00::/40 ip6:2001:db8:f00::/40 ip6:2001:db8:1000::/40 ip6:2001:db8:1100::/40 ip6:2001:db8:1200::/40 ip6:2001:db8:1300::/40 ip6:2001:db8:1400::/40 -all
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator

from ..ast import Record
from ..findings import Severity
from .base import Hit, RuleContext
from .string_too_long import char_offset, term_span

CODE = "SPF202"
NAME = "record-too-long"
SUMMARY = "The record is so long that DNS answers for it may not fit in a UDP packet."
SEVERITY = Severity.WARNING
SCOPE = "text"
OPTIONS = {"max-octets": 450}


def check(record: Record | None, ctx: RuleContext) -> Iterator[Hit]:
    limit = int(ctx.options.get("max-octets", OPTIONS["max-octets"]))
    text = ctx.text
    size = len(text.encode("utf-8"))
    name = ctx.domain.rstrip(".") if ctx.domain else ""
    total = size + len(name)
    if total <= limit:
        return
    counted = f"{size} octets" if not name else f"{size} octets, {total} with the name {name}"
    yield Hit(
        term_span(text, char_offset(text, max(limit - len(name), 0))),
        f"the record is {counted}, over the {limit} that keep a DNS answer within 512 "
        "octets of UDP (RFC 7208 §3.4); it crosses the limit in this term",
        hint="merge ranges, remove unused senders, or move terms into an included subdomain",
    )
