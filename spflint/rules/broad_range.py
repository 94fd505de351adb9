"""An `ip4:`/`ip6:` range that passes so many addresses it works like `+all`.

## What it does
Finds evaluated `ip4:` and `ip6:` mechanisms with a pass qualifier (`+` or none) whose prefix
length is at or below a threshold: `/8` for IPv4 and `/16` for IPv6 by default (options
`max-prefix-v4` and `max-prefix-v6`).

## Why is this bad?
No legitimate sender needs sixteen million IPv4 addresses. A range like `ip4:0.0.0.0/1`
passes half of the Internet, and `ip6:::/0` all of IPv6: it is `+all` in disguise, often a
typo in the prefix length (`/8` for `/28`) or a copy of a route announcement. Spammers use
such records, and receivers may treat the domain's SPF as meaningless.

## Example
```text
v=spf1 ip4:203.0.0.0/8 -all
```

## Use instead
```text
v=spf1 ip4:203.0.113.0/28 -all
```

## Fix safety
No automatic fix: spflint cannot know which narrower range is meant.

## References
- RFC 7208 §5.6 (ip4 and ip6)
- RFC 7208 §5.1 (all)

## Examples
Okay: v=spf1 ip4:192.0.2.0/24 -all
Okay: v=spf1 -ip4:0.0.0.0/0 mx -all
Okay: v=spf1 ip6:2001:db8::/32 -all
SPF302: v=spf1 ip4:0.0.0.0/1 -all
SPF302: v=spf1 ip6:::/0 -all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import IP4, IP6, Record
from ..findings import Severity
from .base import Hit, RuleContext
from .terms_after_all import live_directives

CODE = "SPF302"
NAME = "broad-range"
SUMMARY = "An `ip4:`/`ip6:` range that passes so many addresses it works like `+all`."
SEVERITY = Severity.ERROR
SCOPE = "record"
OPTIONS = {"max-prefix-v4": 8, "max-prefix-v6": 16}


def share(prefix: int, bits: int, family: str) -> str:
    """How much of the address space a prefix covers, in words."""
    if prefix == 0:
        return f"the whole {family} Internet"
    if prefix == 1:
        return f"half of the {family} Internet"
    return f"1/{2 ** prefix:,} of the {family} Internet"


def count_text(prefix: int, bits: int) -> str:
    size = 2 ** (bits - prefix)
    return f"{size:,} addresses" if bits == 32 else f"2^{bits - prefix} addresses"


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    limit4 = int(ctx.options.get("max-prefix-v4", OPTIONS["max-prefix-v4"]))
    limit6 = int(ctx.options.get("max-prefix-v6", OPTIONS["max-prefix-v6"]))
    for term in live_directives(record):
        mech = term.mechanism
        if term.result_qualifier != "+" or not isinstance(mech, (IP4, IP6)):
            continue
        bits, limit, family = (32, limit4, "IPv4") if isinstance(mech, IP4) else (
            128, limit6, "IPv6")
        prefix = bits if mech.prefix is None else mech.prefix
        if prefix > limit:
            continue
        written = ctx.text[term.span.start:term.span.end]
        yield Hit(
            term.span,
            f"'{written}' authorises {share(prefix, bits, family)} "
            f"({count_text(prefix, bits)}): this is close to '+all'",
            hint=f"list only the sending servers' ranges; a /{prefix} is far larger than any "
                 "mail platform (is the prefix length a typo?)",
        )
