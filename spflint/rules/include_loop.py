"""Includes or redirects lead back to a name already being evaluated.

## What it does
Follows every `include` and `redirect` of the tree and reports each cycle once, at the term
that closes it, showing the whole cycle (`example.com → _spf.example.com → example.com`).

## Why is this bad?
An evaluation that enters a cycle repeats it until the limit of 10 DNS lookups is reached,
and then returns `permerror` (RFC 7208 §4.6.4, §5.2): every sender not matched before the loop
fails SPF. Some receivers detect the loop and stop earlier, with the same result.

## Example
```text
example.com.       TXT "v=spf1 include:_spf.example.com -all"
_spf.example.com.  TXT "v=spf1 ip4:192.0.2.0/24 include:example.com -all"
```

## Use instead
```text
example.com.       TXT "v=spf1 include:_spf.example.com -all"
_spf.example.com.  TXT "v=spf1 ip4:192.0.2.0/24 -all"
```

## Fix safety
No automatic fix: remove the term that points back up the tree.

## References
- RFC 7208 §5.2 (include)
- RFC 7208 §4.6.4 (DNS Lookup Limits)

## Examples
Okay: example.com TXT "v=spf1 include:_spf.example.com -all" ; _spf.example.com TXT "v=spf1 ip4:192.0.2.0/24 -all"
SPF219: example.com TXT "v=spf1 include:_spf.example.com -all" ; _spf.example.com TXT "v=spf1 include:example.com -all"
SPF219: example.com TXT "v=spf1 redirect=example.com"
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import find_term, with_parents

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree

CODE = "SPF219"
NAME = "include-loop"
SUMMARY = "Includes or redirects lead back to a name already being evaluated."
SEVERITY = Severity.ERROR
SCOPE = "dns"


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    pending = set(tree.loops)
    for parent, node in with_parents(tree):
        if node.loop is None or node.loop not in pending or parent is None:
            continue
        pending.discard(node.loop)
        cycle = " → ".join(node.loop)
        yield TreeHit(
            parent,
            f"'{node.term}' closes a loop: {cycle}; an evaluation that enters it ends in "
            "permerror (RFC 7208 §4.6.4, §5.2)",
            span=find_term(parent, node.term),
            term=node.term,
            hint="remove the term that points back up the tree",
            extra={"cycle": list(node.loop)},
        )
