"""The same include is reached by more than one path through the tree.

## What it does
Reports a name that the evaluation reaches again through a different record: your record
includes `_spf.provider.example` and another include you use includes it too. The finding
is on the term that reaches it the second time, with both paths and the lookups the second
evaluation costs. The same include written twice in one record is SPF312's.

## Why is this bad?
Receivers do not remember what they already evaluated: the second path costs the include and
every lookup below it again, towards the limit of 10 (RFC 7208 §4.6.4), and cannot match
anything the first one did not.

## Example
```text
example.com.       TXT "v=spf1 include:_spf.provider.example include:bundle.example.net -all"
bundle.example.net. TXT "v=spf1 include:_spf.provider.example ip4:198.51.100.0/24 -all"
```

## Use instead
```text
example.com.       TXT "v=spf1 include:bundle.example.net -all"
bundle.example.net. TXT "v=spf1 include:_spf.provider.example ip4:198.51.100.0/24 -all"
```

## Fix safety
No automatic fix: remove your own include of the name if another include already covers it.
Order matters for results (first match wins), so check the qualifiers are the same.

## References
- RFC 7208 §4.6.4 (DNS Lookup Limits)
- RFC 7208 §5.2 (include)

## Examples
Okay: example.com TXT "v=spf1 include:bundle.example.net -all" ; bundle.example.net TXT "v=spf1 include:p.example.org -all" ; p.example.org TXT "v=spf1 a -all"
SPF220: example.com TXT "v=spf1 include:p.example.org include:bundle.example.net -all" ; bundle.example.net TXT "v=spf1 include:p.example.org -all" ; p.example.org TXT "v=spf1 a -all"
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import find_term, plural, with_parents

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree

CODE = "SPF220"
NAME = "include-reached-twice"
SUMMARY = "The same include is reached by more than one path through the tree."
SEVERITY = Severity.WARNING
SCOPE = "dns"


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    for parent, node in with_parents(tree):
        first = node.duplicate_of
        if first is None or parent is None or node.loop is not None:
            continue
        if first.path[:-1] == node.path[:-1]:
            continue  # twice in one record: SPF312
        wasted = 1 + node.subtree_lookups
        yield TreeHit(
            parent,
            f"'{node.term}' reaches {node.name} again: first by {' > '.join(first.path)}, "
            f"then by {' > '.join(node.path)}; receivers evaluate it again, "
            f"{plural(wasted, 'lookup')} wasted (RFC 7208 §4.6.4)",
            span=find_term(parent, node.term),
            term=node.term,
            hint=f"remove one of the paths to {node.name} if the other already covers it",
            extra={"target": node.name, "first": list(first.path), "again": list(node.path),
                   "wasted": wasted},
        )
