"""A name publishes an obsolete type SPF (99) record.

## What it does
Reports names of the checked domain (the domain and names below it) that publish DNS records
of type SPF (RR type 99), and says whether they differ from the TXT record receivers use.

## Why is this bad?
RFC 7208 §3.1 retired the SPF record type: receivers only read TXT records, and a type 99
record is ignored. Keeping one is harmless only while it is an exact copy; once it differs,
it misleads whoever reads the zone into thinking it is in force.

## Example
```text
example.com.       TXT "v=spf1 include:_spf.example.net -all"
example.com.       SPF "v=spf1 ip4:192.0.2.1 -all"
```

## Use instead
```text
example.com.       TXT "v=spf1 include:_spf.example.net -all"
```

## Fix safety
No automatic fix: delete the type SPF records at your DNS host.

## References
- RFC 7208 §3.1 (DNS Resource Records)
- RFC 7208 §14.1 (The SPF DNS Record Type)

## Examples
Okay: example.com TXT "v=spf1 ip4:192.0.2.0/24 -all"
SPF214: example.com TXT "v=spf1 ip4:192.0.2.0/24 -all" ; example.com SPF "v=spf1 ip4:192.0.2.0/24 -all"
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import is_owned, once_per_name, plural

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree

CODE = "SPF214"
NAME = "spf-type99-record"
SUMMARY = "A name publishes an obsolete type SPF (99) record."
SEVERITY = Severity.WARNING
SCOPE = "dns"


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    for node in once_per_name(tree):
        # A provider's leftover type 99 record affects nobody and is not the user's to fix.
        if not node.type99 or not is_owned(tree, node):
            continue
        message = (f"{node.name} publishes {plural(len(node.type99), 'type SPF (99) record')}, "
                   "obsolete since RFC 7208 §3.1 and ignored by receivers")
        differs = sorted(node.type99) != sorted(node.spf_records)
        if differs:
            theirs = " and ".join(f"'{r}'" for r in node.type99)
            if node.spf_records:
                ours = " and ".join(f"'{r}'" for r in node.spf_records)
                message += f"; it differs from the TXT record in force: {theirs} vs {ours}"
            else:
                message += f"; there is no SPF TXT record, so {theirs} is not in force at all"
        hint = "delete the type SPF records"
        if differs and not node.spf_records:
            hint = "publish the policy as a TXT record, then delete the type SPF records"
        yield TreeHit(node, message, hint=hint,
                      extra={"type99": list(node.type99), "differs": differs})
