"""A DNS lookup of the tree failed, so part of the policy could not be checked.

## What it does
Reports every question of the walk that ended in a timeout, SERVFAIL or another failure, and
a walk cut short by spflint's own limits. The finding names the question and the term that
asked it. A failed lookup is not "no record": the record may be fine, it could not be checked.

## Why is this bad?
Receivers that meet the same failure return `temperror` (RFC 7208 §2.6.6, §4.4): mail is
deferred or, after retries, rejected or accepted without SPF, depending on the receiver. An
authoritative server that fails for some record types (often TXT or AAAA) breaks SPF for
every receiver that asks.

## Example
```text
example.com.       TXT "v=spf1 include:_spf.example.net -all"
                   (the name servers of example.net time out)
```

## Use instead
```text
example.com.       TXT "v=spf1 include:_spf.example.net -all"
                   (every name server of example.net answers)
```

## Fix safety
No automatic fix: check the name servers of the failing name (`dig @server name TXT`), and
run the check again.

## References
- RFC 7208 §2.6.6 (temperror)
- RFC 7208 §4.4 (Record Lookup)
- RFC 7208 §5 (Mechanism Definitions: DNS errors)

## Examples
Okay: example.com TXT "v=spf1 include:_spf.example.net -all" ; _spf.example.net TXT "v=spf1 -all"
SPF225: example.com TXT "v=spf1 include:_spf.example.net -all" ; _spf.example.net TIMEOUT
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..ast import Span
from ..dns.base import Outcome
from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import find_term, first_node, parent_of

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import DnsFailure, Tree, TreeNode

CODE = "SPF225"
NAME = "dns-lookup-failed"
SUMMARY = "A DNS lookup of the tree failed, so part of the policy could not be checked."
SEVERITY = Severity.ERROR
SCOPE = "dns"


def _where(tree: Tree, failure: DnsFailure) -> tuple[TreeNode, Span | None, str | None]:
    """The node and term a failure belongs to: the asking term, or the include reaching it."""
    node = first_node(tree, failure.domain) or tree.root
    if failure.term is not None:
        return node, find_term(node, failure.term), failure.term
    parent = parent_of(tree, node)
    if parent is not None and node.term is not None:
        return parent, find_term(parent, node.term), node.term
    return node, None, None


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    for failure in tree.failures:
        node, span, term = _where(tree, failure)
        what = failure.detail or failure.outcome.value
        if failure.outcome is Outcome.LIMIT:
            effect = "spflint stopped before it (a limit of the check was reached)"
        else:
            effect = "receivers that meet the same failure return temperror (RFC 7208 §4.4)"
        via = f" for '{failure.term}'" if failure.term else ""
        yield TreeHit(
            node,
            f"{failure.qtype} lookup of {failure.name}{via} failed ({what}): it could not be "
            f"checked; {effect}",
            span=span,
            term=term,
            hint="check the name servers of the failing name, then run the check again",
            extra=failure.to_dict(),
        )
    limited = any(f.outcome is Outcome.LIMIT for f in tree.failures)
    if not tree.complete and tree.cut_reason and not limited:
        yield TreeHit(
            tree.root,
            f"the policy could not be checked completely: {tree.cut_reason}",
            hint="run the check again, with a longer --timeout if the walk ran out of time",
        )
