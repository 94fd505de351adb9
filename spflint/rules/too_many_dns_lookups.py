"""The whole policy needs more than 10 DNS lookups for one evaluation.

## What it does
Walks the domain's SPF record and every `include` and `redirect` target, and counts the terms
a receiver would look up for a sender that matches nothing (the worst case): `include`, `a`,
`mx`, `ptr` and `exists` before `all`, and `redirect` when there is no `all`. An include
reached by two paths counts twice, because receivers evaluate it twice. The finding gives the
total, how many lookups are over the limit and the costliest includes, and points at the
root record's term that leads to the costliest one.

## Why is this bad?
RFC 7208 §4.6.4 allows 10 such lookups per evaluation. A receiver that reaches the 11th
stops with `permerror`: every sender not matched before that point fails SPF, and DMARC sees
no SPF pass. Providers change their records without notice, so a policy close to the limit
breaks when one of them adds an include.

## Example
```text
example.com.       TXT "v=spf1 mx include:_spf.google.com include:spf.protection.outlook.com include:mail.zendesk.com include:servers.mcsv.net -all"
```

## Use instead
```text
example.com.       TXT "v=spf1 ip4:192.0.2.0/28 include:_spf.google.com include:spf.protection.outlook.com -all"
```

## Fix safety
No automatic fix here: remove senders no longer used, replace `a`, `mx` and your own hosts with
the `ip4:`/`ip6:` ranges they stand for, or move a sender to a subdomain with its own record.
`spflint fix` can flatten includes and verifies that the result authorises the same senders.

## References
- RFC 7208 §4.6.4 (DNS Lookup Limits)
- RFC 7208 §5.2 (include)
- RFC 7208 §6.1 (redirect: Redirected Query)

## Examples
Okay: example.com TXT "v=spf1 a mx include:big.example.net -all" ; big.example.net TXT "v=spf1 a:a.example.net a:b.example.net a:c.example.net a:d.example.net a:e.example.net a:f.example.net -all"
SPF210: example.com TXT "v=spf1 a mx include:big.example.net -all" ; big.example.net TXT "v=spf1 a:a.example.net a:b.example.net a:c.example.net a:d.example.net a:e.example.net a:f.example.net a:g.example.net a:h.example.net -all"
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..findings import Severity
from .base import TreeContext, TreeHit
from .treeutil import ordinal, plural, root_term_towards

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree

CODE = "SPF210"
NAME = "too-many-dns-lookups"
SUMMARY = "The whole policy needs more than 10 DNS lookups for one evaluation."
SEVERITY = Severity.ERROR
SCOPE = "dns"


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    from ..tree import biggest_contributors

    total, limit = tree.total_lookups, tree.limit
    if total <= limit:
        return
    biggest = biggest_contributors(tree, 3)
    # Unknown (offline) or dynamic parts only add lookups: a total over the limit stands.
    at_least = "" if tree.exact else "at least "
    message = (f"{at_least}{plural(total, 'lookup')}, {total - limit} over the limit of {limit} "
               f"(RFC 7208 §4.6.4): receivers return permerror for every sender not matched "
               f"before the {ordinal(limit + 1)} lookup")
    if biggest:
        message += "; biggest: " + ", ".join(f"{c.term} ({c.lookups})" for c in biggest)
    own = tree.root.lookups
    if own:
        message += f"; the record's own terms: {own}"
    span = term = None
    if biggest:
        span, term = root_term_towards(tree, biggest[0].path)
    over = total - limit
    hint = (f"remove or replace at least {plural(over, 'lookup')}: drop senders no longer used, "
            "write your own hosts as ip4:/ip6: ranges, or flatten an include (spflint fix)")
    yield TreeHit(
        tree.root, message, span=span, term=term, hint=hint,
        extra={"lookups": total, "limit": limit, "over": over,
               "biggest": [{"term": c.term, "name": c.name, "lookups": c.lookups}
                           for c in biggest]},
    )
