"""A TXT record looks like an SPF record but receivers do not select it.

## What it does
Reports TXT records at the names of the tree that look like an attempt at SPF but do not
start with exactly `v=spf1` followed by a space or the end: text or quotes before `v=spf1`,
`v=spf10`, `v=spf1` glued to the next term (`v=spf1include:...`), spaces around `=`, or a
Sender ID record (`spf2.0/pra`). It is an error when the name has no valid SPF record at all,
a warning when a valid one exists beside it.

## Why is this bad?
Receivers select records by their exact `v=spf1` prefix (RFC 7208 §4.5) and ignore the rest.
A misspelt record means the domain has no SPF policy: receivers see `none`, and the senders
it meant to allow get no SPF pass for DMARC. Beside a valid record it is only clutter, but
it often holds changes someone meant to publish.

## Example
```text
example.com.       TXT "\"v=spf1 include:_spf.example.net -all\""
```

## Use instead
```text
example.com.       TXT "v=spf1 include:_spf.example.net -all"
```

## Fix safety
No automatic fix: correct the record at your DNS host (a quoting mistake in the host's web
form is the usual cause).

## References
- RFC 7208 §4.5 (Selecting Records)
- RFC 7208 §12 (Collected ABNF: record = version terms *SP)
- RFC 4406 (Sender ID, whose spf2.0 records SPF receivers ignore)

## Examples
Okay: example.com TXT "v=spf1 ip4:192.0.2.0/24 -all" ; example.com TXT "google-site-verification=abc"
SPF215: example.com TXT "v=spf1ip4:192.0.2.0/24 -all"
SPF215: example.com TXT "v=spf1 ip4:192.0.2.0/24 -all" ; example.com TXT "spf2.0/pra ip4:192.0.2.0/24 -all"
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import once_per_name

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree

CODE = "SPF215"
NAME = "near-miss-record"
SUMMARY = "A TXT record looks like an SPF record but receivers do not select it."
SEVERITY = Severity.WARNING
SCOPE = "dns"


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    for node in once_per_name(tree):
        for miss in node.near_misses:
            if node.spf_records:
                effect = "receivers ignore it and use the valid SPF record beside it"
                severity = Severity.WARNING
                hint = "delete it, or merge what it was meant to add into the valid record"
            else:
                effect = (f"{node.name} has no valid SPF record, so receivers find no policy "
                          "(result none)")
                severity = Severity.ERROR
                hint = "make the record start with exactly 'v=spf1' followed by a space"
            yield TreeHit(
                node,
                f"TXT record '{miss.text}' at {node.name} looks like SPF but is not selected: "
                f"{miss.reason}; {effect} (RFC 7208 §4.5)",
                hint=hint,
                severity=severity,
                extra={"text": miss.text, "reason": miss.reason},
            )
