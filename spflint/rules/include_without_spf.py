"""An include or redirect target has no SPF record.

## What it does
Checks every `include:` and `redirect=` target of the tree: the name must exist and publish
exactly one TXT record starting with `v=spf1`. A target that does not exist (NXDOMAIN), has
no TXT records, or has TXT records none of which is an SPF record is reported on the record
that names it, at the term. Targets whose lookup failed are reported by SPF225 instead, and
targets with several SPF records by SPF213.

## Why is this bad?
This is not a warning: an `include` whose target returns no SPF record makes the whole
evaluation a `permerror` (RFC 7208 §5.2), and so does a `redirect` (§6.1). Every sender that
reaches the term fails SPF, including senders the rest of the record would have allowed.
It usually means a provider was retired, renamed its SPF name, or the name is misspelt.

## Example
```text
example.com.       TXT "v=spf1 include:_spf.old-provider.example -all"
```

## Use instead
```text
example.com.       TXT "v=spf1 include:_spf.new-provider.example -all"
```

## Fix safety
No automatic fix: remove the term if the sender is no longer used, or correct the name from
the provider's documentation.

## References
- RFC 7208 §5.2 (include)
- RFC 7208 §6.1 (redirect: Redirected Query)
- RFC 7208 §4.5 (Selecting Records)

## Examples
Okay: example.com TXT "v=spf1 include:_spf.example.net -all" ; _spf.example.net TXT "v=spf1 ip4:192.0.2.0/24 -all"
SPF212: example.com TXT "v=spf1 include:gone.example.net -all"
SPF212: example.com TXT "v=spf1 redirect=_spf.example.net" ; _spf.example.net TXT "google-site-verification=abc"
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..dns.base import Outcome
from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import find_term

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree, TreeNode

CODE = "SPF212"
NAME = "include-without-spf"
SUMMARY = "An include or redirect target has no SPF record."
SEVERITY = Severity.ERROR
SCOPE = "dns"


def _why(child: TreeNode) -> str | None:
    """What is wrong with the target, or None when it has an SPF record or was not checked."""
    outcome = child.outcome
    if outcome is Outcome.NXDOMAIN:
        return f"{child.name} does not exist (NXDOMAIN)"
    if outcome is Outcome.NODATA:
        return f"{child.name} has no TXT records"
    if outcome is Outcome.OK and not child.spf_records:
        why = f"{child.name} has TXT records but none starts with 'v=spf1'"
        if child.near_misses:
            why += f" ({child.near_misses[0].reason}: '{child.near_misses[0].text}')"
        return why
    return None


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    for parent in tree.nodes():
        if not parent.walked:
            continue
        for child in parent.children:
            why = _why(child)
            if why is None:
                continue
            section = "§5.2" if child.via == "include" else "§6.1"
            yield TreeHit(
                parent,
                f"'{child.term}': {why}; receivers return permerror for every sender that "
                f"reaches this {child.via} (RFC 7208 {section})",
                span=find_term(parent, child.term),
                term=child.term,
                hint="remove the term if the sender is no longer used, or correct the name "
                     "from the provider's documentation",
                extra={"target": child.name, "via": child.via,
                       "outcome": None if child.outcome is None else child.outcome.value},
            )
