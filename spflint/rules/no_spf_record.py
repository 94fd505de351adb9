"""The domain checked publishes no SPF record.

## What it does
Checks that the domain itself (the root of the check) publishes an SPF record: a TXT record
starting with `v=spf1`. A domain that does not exist, has no TXT records, or has only other
TXT records (site verifications, DKIM keys published at the wrong name, a mistyped SPF
record) is reported. A failed lookup is reported by SPF225 instead, and several SPF records
by SPF213; look-alikes such as `v=spf1` with leading text get details from SPF215.

## Why is this bad?
Without a record, receivers get the result `none` (RFC 7208 §4.5): nothing is authorised and
nothing is refused. Mail from the domain's own servers and relays (a Microsoft 365 connector
included) gets no SPF pass, so DMARC can only pass through DKIM, and anyone can use the
domain in the envelope sender without an SPF failure.

## Example
```text
example.com.       TXT "google-site-verification=abc"
```

## Use instead
```text
example.com.       TXT "google-site-verification=abc"
example.com.       TXT "v=spf1 include:spf.protection.outlook.com -all"
```

## Fix safety
No automatic fix from `check`; `spflint fix DOMAIN --ip ADDRESS --require TERM` writes a new
record for the senders you name.

## References
- RFC 7208 §4.5 (Selecting Records)
- RFC 7208 §2.6.1 (None)

## Examples
Okay: example.com TXT "v=spf1 -all"
SPF226: example.com TXT "google-site-verification=abc"
SPF226: example.com A 192.0.2.1
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..dns.base import Outcome
from ..findings import Severity
from .base import TreeContext, TreeHit

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree

CODE = "SPF226"
NAME = "no-spf-record"
SUMMARY = "The domain checked publishes no SPF record."
SEVERITY = Severity.ERROR
SCOPE = "dns"


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    root = tree.root
    if root.spf_records or root.outcome is None or not root.outcome.is_answer:
        return  # failed or unknown (offline without data): nothing to conclude
    if root.outcome is Outcome.NXDOMAIN:
        why = f"{root.name} does not exist (NXDOMAIN)"
    elif root.outcome is Outcome.NODATA:
        why = f"{root.name} has no TXT records"
    else:
        why = f"{root.name} has TXT records, but none starts with 'v=spf1'"
    yield TreeHit(
        root,
        f"{why}: receivers get 'none' for every sender (RFC 7208 §4.5)",
        hint="publish one TXT record starting with 'v=spf1' that lists the domain's senders "
             "(spflint fix DOMAIN --ip ADDRESS writes one)",
    )
