"""An mx term's target has more than 10 MX records.

## What it does
For every `mx` term of the tree, counts the records in the target's MX set. More than 10 is
reported at the term, even when some records name the same host.

## Why is this bad?
RFC 7208 §4.6.4 limits the address lookups of one `mx` term to 10; a receiver that finds more
than 10 MX records must return `permerror` (the RFC's own test suite counts records, so 11
records naming two hosts are a permerror too). Domains hosted on large mail platforms can list many
MX names, and the evaluation then fails for every sender that reaches the term.

## Example
```text
example.com.       TXT "v=spf1 mx -all"
example.com.       MX  (eleven MX records)
```

## Use instead
```text
example.com.       TXT "v=spf1 ip4:192.0.2.0/24 -all"
```

## Fix safety
No automatic fix: replace the `mx` term with the `ip4:`/`ip6:` ranges of the hosts that
really send mail, or with the mail platform's own include.

## References
- RFC 7208 §4.6.4 (DNS Lookup Limits)
- RFC 7208 §5.4 (mx)

## Examples
Okay: example.com TXT "v=spf1 mx -all" ; example.com MX 10 mx1.example.com ; mx1.example.com A 192.0.2.1
SPF216: example.com TXT "v=spf1 mx -all" ; example.com MX 1 a.example.com ; example.com MX 2 b.example.com ; example.com MX 3 c.example.com ; example.com MX 4 d.example.com ; example.com MX 5 e.example.com ; example.com MX 6 f.example.com ; example.com MX 7 g.example.com ; example.com MX 8 h.example.com ; example.com MX 9 i.example.com ; example.com MX 10 j.example.com ; example.com MX 11 k.example.com
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Severity
from ..semantics import MAX_MX_RECORDS
from .base import TreeContext, TreeHit
from .treeutil import find_term, plural

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree

CODE = "SPF216"
NAME = "too-many-mx-names"
SUMMARY = "An mx term's target has more than 10 MX records."
SEVERITY = Severity.ERROR
SCOPE = "dns"


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    for node in tree.nodes():
        for mx in node.mx_names:
            if not mx.too_many:
                continue
            names = "" if mx.count == mx.records else f" naming {plural(mx.count, 'host')}"
            yield TreeHit(
                node,
                f"'{mx.term}': {mx.target} has {mx.records} MX records{names}, over the limit "
                f"of {MAX_MX_RECORDS}; receivers return permerror when they evaluate this term "
                "(RFC 7208 §4.6.4)",
                span=find_term(node, mx.term),
                term=mx.term,
                hint="replace the mx term with the ip4:/ip6: ranges of the hosts that send mail",
                extra={"target": mx.target, "count": mx.records, "names": mx.count,
                       "limit": MAX_MX_RECORDS},
            )
