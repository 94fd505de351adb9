"""The same or overlapping IP ranges are authorised by two records of the tree.

## What it does
Collects the `ip4:` and `ip6:` ranges each record of the tree authorises (qualifier `+`,
before `all`) and reports a range that another record already authorises in whole or in
part: typically your own `ip4:` duplicating a range your provider's include covers. The
finding goes on your own record when one of the two is yours. Overlaps inside one record
are SPF313's.

## Why is this bad?
It costs nothing at receivers, but the duplicate hides what the policy depends on: when the
provider changes its ranges, your copy keeps authorising addresses that may now belong to
someone else, and nobody notices because the include still "works".

## Example
```text
example.com.       TXT "v=spf1 ip4:192.0.2.10 include:_spf.provider.example -all"
_spf.provider.example. TXT "v=spf1 ip4:192.0.2.0/24 -all"
```

## Use instead
```text
example.com.       TXT "v=spf1 include:_spf.provider.example -all"
```

## Fix safety
No automatic fix: remove the range you do not need, after checking which of the two you mean
to rely on.

## References
- RFC 7208 §5.6 (ip4 and ip6)
- RFC 7208 §5.2 (include)

## Examples
Okay: example.com TXT "v=spf1 ip4:198.51.100.0/24 include:p.example.net -all" ; p.example.net TXT "v=spf1 ip4:192.0.2.0/24 -all"
SPF221: example.com TXT "v=spf1 ip4:192.0.2.10 include:p.example.net -all" ; p.example.net TXT "v=spf1 ip4:192.0.2.0/24 -all"
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..ast import IP4, IP6, Directive, Span
from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import is_owned, term_text

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree, TreeNode

CODE = "SPF221"
NAME = "ranges-authorised-twice"
SUMMARY = "The same or overlapping IP ranges are authorised by two records of the tree."
SEVERITY = Severity.INFO
SCOPE = "dns"


@dataclass(frozen=True)
class _Range:
    version: int
    first: int
    last: int
    node: TreeNode
    term: str
    span: Span
    order: int  # position in tree order, to report the later of two when neither is owned


def _ranges(tree: Tree) -> list[_Range]:
    out: list[_Range] = []
    for node in tree.nodes():
        if not node.walked or node.parsed is None:
            continue
        record = node.parsed
        stop = record.all_index
        for index, term in enumerate(record.terms):
            if stop is not None and index >= stop:
                break
            if not isinstance(term, Directive) or term.result_qualifier != "+":
                continue
            mech = term.mechanism
            if isinstance(mech, IP4 | IP6):
                net = mech.network
                out.append(_Range(net.version, int(net.network_address),
                                  int(net.broadcast_address), node, term_text(node, term),
                                  term.span, len(out)))
    return out


def _relation(a: _Range, b: _Range) -> str:
    if (a.first, a.last) == (b.first, b.last):
        return "the same range as"
    if b.first <= a.first and a.last <= b.last:
        return "inside"
    if a.first <= b.first and b.last <= a.last:
        return "a range containing"
    return "a range overlapping"


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    ranges = sorted(_ranges(tree), key=lambda r: (r.version, r.first, -r.last, r.order))
    pairs: dict[tuple[int, int], tuple[_Range, _Range]] = {}
    # Sweep in start order keeping the range reaching furthest, and the one reaching furthest
    # among other records: any overlap with an earlier range of another record shows there.
    best: _Range | None = None
    other: _Range | None = None
    for current in ranges:
        if best is not None and best.version != current.version:
            best = other = None
        partner = None
        if best is not None and best.node.name != current.node.name and \
                best.last >= current.first:
            partner = best
        elif other is not None and other.node.name != current.node.name and \
                other.last >= current.first:
            partner = other
        if partner is not None:
            key = (min(partner.order, current.order), max(partner.order, current.order))
            pairs.setdefault(key, (partner, current))
        if best is None or current.last > best.last:
            if best is not None and best.node.name != current.node.name:
                other = best
            best = current
        elif current.node.name != best.node.name and (other is None or
                                                        current.last > other.last):
            other = current
    reported: set[int] = set()
    for earlier, later in sorted(pairs.values(), key=lambda p: (p[1].order, p[0].order)):
        here, there = later, earlier
        if not is_owned(tree, later.node) and is_owned(tree, earlier.node):
            here, there = earlier, later
        if here.order in reported:
            continue
        reported.add(here.order)
        yield TreeHit(
            here.node,
            f"'{here.term}' at {here.node.name} is {_relation(here, there)} '{there.term}', "
            f"already authorised by {there.node.name}",
            span=here.span,
            term=here.term,
            hint="keep the range in one place: remove the one you do not mean to rely on",
            extra={"other": {"domain": there.node.name, "term": there.term}},
        )
