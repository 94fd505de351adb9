"""An a, mx or exists term names a domain that does not exist or has no such records.

## What it does
Reports `a`, `mx` and `exists` terms of the tree whose target (written literally, without
macros) does not exist (NXDOMAIN) or has none of the records the term asks for: no A and no
AAAA for `a`, no MX for `mx`, no A for `exists`. An `exists` term with macros is left alone:
answering nothing is how it says "no match".

## Why is this bad?
Such a term never matches, so whatever it was meant to allow is not allowed, and its lookup
is a void lookup: receivers return `permerror` after 2 of them (RFC 7208 §4.6.4). Most often
the host was retired or the name is misspelt.

## Example
```text
example.com.       TXT "v=spf1 a:mail.example.com ip4:192.0.2.0/24 -all"
                   (mail.example.com does not exist)
```

## Use instead
```text
example.com.       TXT "v=spf1 ip4:192.0.2.0/24 -all"
```

## Fix safety
No automatic fix: remove the term, or correct the name.

## References
- RFC 7208 §5.3 (a)
- RFC 7208 §5.4 (mx)
- RFC 7208 §5.7 (exists)
- RFC 7208 §4.6.4 (DNS Lookup Limits)

## Examples
Okay: example.com TXT "v=spf1 a:mail.example.com -all" ; mail.example.com AAAA 2001:db8::25
Okay: example.com TXT "v=spf1 exists:%{i}.allow.example.com -all"
SPF218: example.com TXT "v=spf1 a:mail.example.com -all"
SPF218: example.com TXT "v=spf1 mx -all" ; example.com A 192.0.2.1
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..ast import MX, A, Directive, Exists
from ..dns.base import Outcome
from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import term_text

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import TargetLookup, Tree, TreeNode

CODE = "SPF218"
NAME = "target-not-found"
SUMMARY = "An a, mx or exists term names a domain that does not exist or has no such records."
SEVERITY = Severity.WARNING
SCOPE = "dns"

_ASKED = {"a": "A or AAAA", "mx": "MX", "exists": "A"}


def _literal_terms(node: TreeNode) -> Iterator[Directive]:
    if node.parsed is None:
        return
    for term in node.parsed.terms:
        if isinstance(term, Directive) and isinstance(term.mechanism, A | MX | Exists):
            domain = term.mechanism.domain
            if domain is None or not domain.is_dynamic:
                yield term


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    for node in tree.nodes():
        if not node.walked or not node.resolved:
            continue
        by_term: dict[str, list[TargetLookup]] = {}
        for lookup in node.resolved:
            by_term.setdefault(lookup.term, []).append(lookup)
        reported: set[str] = set()
        for term in _literal_terms(node):
            written = term_text(node, term)
            lookups = by_term.get(written)
            if not lookups or written in reported:
                continue  # never evaluated (after all), or the same term again
            if term.kind == "mx":
                lookups = [lk for lk in lookups if lk.qtype == "MX"]
            if not lookups or not all(lk.outcome.is_void for lk in lookups):
                continue
            reported.add(written)
            target = lookups[0].name
            if any(lk.outcome is Outcome.NXDOMAIN for lk in lookups):
                why = f"{target} does not exist (NXDOMAIN)"
            else:
                why = f"{target} has no {_ASKED[term.kind]} records"
            yield TreeHit(
                node,
                f"'{written}': {why}, so the term never matches and its lookup is void "
                "(RFC 7208 §4.6.4)",
                span=term.span,
                term=written,
                hint="remove the term, or correct the name",
                extra={"target": target, "outcomes": {lk.qtype: lk.outcome.value
                                                      for lk in lookups}},
            )
