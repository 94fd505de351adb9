"""A name publishes more than one SPF record.

## What it does
Reports every name of the tree (the checked domain, its include and redirect targets) with
more than one TXT record starting with `v=spf1`, and shows the records so they can be merged.

## Why is this bad?
A receiver must find exactly one SPF record at a name; with two or more the result is
`permerror` (RFC 7208 §4.5), whatever the records say. It happens when a second service's
set-up instructions are followed literally ("add this TXT record") next to an existing one.

## Example
```text
example.com.       TXT "v=spf1 include:_spf.google.com -all"
example.com.       TXT "v=spf1 include:mail.zendesk.com -all"
```

## Use instead
```text
example.com.       TXT "v=spf1 include:_spf.google.com include:mail.zendesk.com -all"
```

## Fix safety
No automatic fix: merge the mechanisms into one record by hand (one `all` at the end), then
delete the other records.

## References
- RFC 7208 §4.5 (Selecting Records)
- RFC 7208 §3.2 (Multiple DNS Records)

## Examples
Okay: example.com TXT "v=spf1 ip4:192.0.2.0/24 -all" ; example.com TXT "google-site-verification=abc"
SPF213: example.com TXT "v=spf1 ip4:192.0.2.0/24 -all" ; example.com TXT "v=spf1 include:_spf.example.net -all"
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import once_per_name

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree

CODE = "SPF213"
NAME = "multiple-spf-records"
SUMMARY = "A name publishes more than one SPF record."
SEVERITY = Severity.ERROR
SCOPE = "dns"


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    for node in once_per_name(tree):
        if not node.multiple:
            continue
        shown = " and ".join(f"'{r}'" for r in node.spf_records)
        yield TreeHit(
            node,
            f"{node.name} has {len(node.spf_records)} SPF records: {shown}; receivers return "
            "permerror (RFC 7208 §4.5)",
            hint="merge the mechanisms into one record with a single 'all' at the end, then "
                 "delete the others",
            extra={"records": list(node.spf_records)},
        )
