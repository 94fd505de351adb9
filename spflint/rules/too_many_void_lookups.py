"""The policy makes more than 2 void DNS lookups for one evaluation.

## What it does
Counts the lookups of the whole tree that return no answer: a name that does not exist
(NXDOMAIN) or has no record of the asked type (NODATA). An `a` term whose name has an A
record but no AAAA is void for IPv6 clients only, so IPv4 and IPv6 clients are counted apart
and the larger count is reported. A `ptr` term is counted as void, as it is for a client
without reverse DNS. The finding lists every void term, what was asked and where.

## Why is this bad?
RFC 7208 §4.6.4 says receivers should stop with `permerror` after 2 void lookups, to limit the
load a hostile record can cause. Most do: every sender not matched before the third void
lookup then fails SPF. Void lookups usually come from retired hosts and providers left in
the record.

## Example
```text
example.com.       TXT "v=spf1 a:old.example.com mx:gone.example.com include:retired.example.net ip4:192.0.2.0/24 -all"
```

## Use instead
```text
example.com.       TXT "v=spf1 ip4:192.0.2.0/24 -all"
```

## Fix safety
No automatic fix. Remove the terms whose names no longer exist; check first that no sender
still relies on them.

## References
- RFC 7208 §4.6.4 (DNS Lookup Limits)
- RFC 7208 §5.5 (ptr)

## Examples
Okay: example.com TXT "v=spf1 a:gone.example.com ip4:192.0.2.0/24 -all"
SPF211: example.com TXT "v=spf1 mx:gone1.example.com mx:gone2.example.com exists:gone3.example.com -all"
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import find_term, ordinal, plural, root_term_towards

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree, TreeNode, VoidLookup

CODE = "SPF211"
NAME = "too-many-void-lookups"
SUMMARY = "The policy makes more than 2 void DNS lookups for one evaluation."
SEVERITY = Severity.ERROR
SCOPE = "dns"


def _voids(tree: Tree, family: str) -> list[tuple[TreeNode, VoidLookup]]:
    """The void lookups an evaluation for this client family makes, in tree order."""
    out: list[tuple[TreeNode, VoidLookup]] = []
    for node in tree.nodes():
        # A node reached again (duplicate) shares its first node's voids; they count again.
        for void in node.voids:
            if void.family in ("any", family):
                out.append((node, void))
    return out


def _describe(node: TreeNode, void: VoidLookup) -> str:
    if void.assumed:
        return f"'{void.term}' at {node.name} (PTR, assumed void: a client without reverse DNS)"
    return (f"'{void.term}' at {node.name} ({void.qtype} {void.name}: "
            f"{void.outcome.value.upper()})")


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    limit = tree.void_limit
    if tree.void_total <= limit:
        return
    family = "ipv4" if tree.void_ipv4 >= tree.void_ipv6 else "ipv6"
    voids = _voids(tree, family)
    who = ""
    if tree.void_ipv4 != tree.void_ipv6:
        who = f" for {'IPv4' if family == 'ipv4' else 'IPv6'} clients"
    message = (f"{plural(tree.void_total, 'void lookup')}{who}, over the limit of {limit} "
               f"(RFC 7208 §4.6.4): receivers return permerror once the {ordinal(limit + 1)} is "
               "reached; void: " + "; ".join(_describe(n, v) for n, v in voids))
    span = term = None
    if len(voids) > limit:
        node, void = voids[limit]
        if node is tree.root:
            span, term = find_term(node, void.term), void.term
        else:
            span, term = root_term_towards(tree, node.path)
    yield TreeHit(
        tree.root, message, span=span, term=term,
        hint="remove the terms whose names no longer exist, or publish the records they need",
        extra={"void": tree.void_total, "void_ipv4": tree.void_ipv4,
               "void_ipv6": tree.void_ipv6, "limit": limit,
               "voids": [{"domain": n.name, **v.to_dict()} for n, v in voids]},
    )
