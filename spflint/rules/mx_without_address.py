"""An mx term's target lists MX names that have no address.

## What it does
For every `mx` term of the tree, looks up the A and AAAA records of each MX name (the first
10, as receivers do) and reports names that have neither.

## Why is this bad?
An MX name without addresses matches no sender, and each such lookup can count as a void
lookup at receivers (RFC 7208 §4.6.4). It usually means a mail host was retired but the MX
record was left behind, so the `mx` term no longer covers what it was meant to.

## Example
```text
example.com.       TXT "v=spf1 mx -all"
example.com.       MX  10 old-mx.example.com.    (old-mx.example.com has no A or AAAA)
```

## Use instead
```text
example.com.       TXT "v=spf1 mx -all"
example.com.       MX  10 mx.example.com.        (mx.example.com has an A record)
```

## Fix safety
No automatic fix: remove the stale MX record, or give the host its addresses back.

## References
- RFC 7208 §5.4 (mx)
- RFC 7208 §4.6.4 (DNS Lookup Limits)

## Examples
Okay: example.com TXT "v=spf1 mx -all" ; example.com MX 10 mx1.example.com ; mx1.example.com A 192.0.2.1
SPF217: example.com TXT "v=spf1 mx -all" ; example.com MX 10 mx1.example.com ; example.com MX 20 old.example.com ; mx1.example.com A 192.0.2.1
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import find_term

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree

CODE = "SPF217"
NAME = "mx-without-address"
SUMMARY = "An mx term's target lists MX names that have no address."
SEVERITY = Severity.WARNING
SCOPE = "dns"


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    for node in tree.nodes():
        for mx in node.mx_names:
            empty = mx.without_address
            if not empty:
                continue
            names = ", ".join(empty)
            yield TreeHit(
                node,
                f"'{mx.term}': MX {'name' if len(empty) == 1 else 'names'} of {mx.target} "
                f"without A or AAAA records: {names}; they match no sender (RFC 7208 §5.4)",
                span=find_term(node, mx.term),
                term=mx.term,
                hint="remove stale MX records, or give the hosts their addresses back",
                extra={"target": mx.target, "without_address": list(empty)},
            )
