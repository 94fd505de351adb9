"""The TXT answer at a name of the tree is larger than 512 octets.

## What it does
Measures the DNS response to the TXT question at each name of the tree: every TXT record at
the name, not only the SPF one (verification tokens for other services add up). A response
over `max-octets` (512 by default) is reported.

## Why is this bad?
A DNS response over 512 octets does not fit a UDP message without EDNS (RFC 1035 §4.2.1): the
server truncates it and the receiver must retry over TCP. Some receivers or their resolvers
do not, and then see a `temperror` or no record at all. RFC 7208 §3.4 asks for SPF answers
that fit in 512 octets.

## Example
```text
example.com.       TXT "v=spf1 include:_spf.example.net -all"
example.com.       TXT "google-site-verification=..." (and a dozen more tokens)
```

## Use instead
```text
example.com.       TXT "v=spf1 include:_spf.example.net -all"
                   (tokens no longer needed removed; tokens of live services kept)
```

## Fix safety
No automatic fix: remove verification tokens that are no longer needed, or shorten the SPF
record (`spflint fix`).

## References
- RFC 7208 §3.4 (Record Size)
- RFC 1035 §4.2.1 (UDP usage)

## Examples
Okay: example.com TXT "v=spf1 ip4:192.0.2.0/24 -all"
SPF222: example.com TXT "v=spf1 ip4:192.0.2.0/24 -all" ; example.com TXT "token-a=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" ; example.com TXT "token-b=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb" ; example.com TXT "token-c=cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import once_per_name

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree

CODE = "SPF222"
NAME = "txt-answer-too-large"
SUMMARY = "The TXT answer at a name of the tree is larger than 512 octets."
SEVERITY = Severity.WARNING
SCOPE = "dns"
OPTIONS = {"max-octets": 512}


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    limit = int(ctx.options.get("max-octets", OPTIONS["max-octets"]))
    for node in once_per_name(tree):
        size = node.txt_size
        if size is None or size <= limit:
            continue
        others = "" if len(node.spf_records) != 1 else (
            f" (the SPF record itself is {len(node.spf_records[0])} characters)")
        yield TreeHit(
            node,
            f"the TXT answer at {node.name} is {size} octets, over {limit}{others}: without "
            "EDNS it is truncated and receivers must retry over TCP; some fail instead "
            "(RFC 7208 §3.4)",
            hint="remove TXT records that are no longer needed (old verification tokens) or "
                 "shorten the SPF record",
            extra={"size": size, "limit": limit},
        )
