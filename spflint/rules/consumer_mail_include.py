"""The record includes Outlook.com's consumer SPF name while the domain's mail is in Exchange Online.

## What it does
Checks the domain's own record for `include:outlook.com` or `include:hotmail.com` and looks
at the domain's MX records. When they point at Exchange Online (`*.mail.protection.outlook.com`
or `*.mx.microsoft`), the include is reported at the term. Without an Exchange Online MX
(Outlook.com hosting the domain's mail, or MX records elsewhere), or when the MX records are
not known, nothing is reported: for a domain whose mail Outlook.com hosts, the consumer name
is the right one.

## Why is this bad?
`outlook.com` and `hotmail.com` publish the SPF policy of Microsoft's consumer mail service.
Mail that a Microsoft 365 tenant sends, including mail an inbound connector relays for a
printer or an application, leaves from the Exchange Online servers that
`spf.protection.outlook.com` lists (RFC 7208 §5.2: an include passes only for the servers its
target lists). The consumer include adds lookups and authorises the wrong servers; the
tenant's mail may still fail SPF.

## Example
```text
example.com.       MX  0 example-com.mail.protection.outlook.com.
example.com.       TXT "v=spf1 include:outlook.com -all"
```

## Use instead
```text
example.com.       MX  0 example-com.mail.protection.outlook.com.
example.com.       TXT "v=spf1 include:spf.protection.outlook.com -all"
```

## Fix safety
The fix replaces the include with `include:spf.protection.outlook.com`; it is unsafe, since
it changes which servers pass.

## References
- RFC 7208 §5.2 (include)
- RFC 7208 §4.6.4 (DNS Lookup Limits)

## Examples
Okay: example.com TXT "v=spf1 include:outlook.com -all" ; example.com MX 10 mx.example.net
Okay: example.com TXT "v=spf1 include:spf.protection.outlook.com -all" ; example.com MX 0 example-com.mail.protection.outlook.com
SPF227: example.com TXT "v=spf1 include:outlook.com -all" ; example.com MX 0 example-com.mail.protection.outlook.com
SPF227: example.com TXT "v=spf1 include:hotmail.com ~all" ; example.com MX 0 example-com.x-v1.mx.microsoft
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..dns.base import Outcome
from ..findings import Edit, Fix, Severity
from .base import TreeContext, TreeHit
from .treeutil import find_term

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree

CODE = "SPF227"
NAME = "consumer-mail-include"
SUMMARY = ("The record includes Outlook.com's consumer SPF name while the domain's mail is in "
           "Exchange Online.")
SEVERITY = Severity.WARNING
SCOPE = "dns"

EXCHANGE_ONLINE_MX = (".mail.protection.outlook.com", ".mx.microsoft")
TENANT_INCLUDE = "spf.protection.outlook.com"


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    from ..tree import CONSUMER_MAIL_DOMAINS

    root = tree.root
    answer = root.owner_mx
    if answer is None or answer.outcome is not Outcome.OK or root.parsed is None:
        return  # no MX answer (or unknown offline): nothing to conclude
    hosts = sorted(str(v[1]).rstrip(".").lower() for v in answer.records
                   if isinstance(v, tuple) and len(v) == 2)
    exo = next((h for h in hosts if h.endswith(EXCHANGE_ONLINE_MX)), None)
    if exo is None:
        return
    for child in root.children:
        if child.via != "include" or child.name not in CONSUMER_MAIL_DOMAINS:
            continue
        span = find_term(root, child.term)
        fix = None
        if span is not None and root.record is not None:
            written = root.record[span.start:span.end]
            start = span.start + written.lower().index("include:") + len("include:")
            fix = Fix(f"replace with 'include:{TENANT_INCLUDE}'",
                      (Edit(start, span.end, TENANT_INCLUDE),), safe=False)
        yield TreeHit(
            root,
            f"'{child.term}' authorises Outlook.com's consumer mail servers, but the mail of "
            f"{root.name} is in Exchange Online (MX {exo}): the tenant's servers are listed "
            f"by {TENANT_INCLUDE}",
            span=span,
            term=child.term,
            hint=f"replace it with 'include:{TENANT_INCLUDE}'",
            fix=fix,
            extra={"mx": exo},
        )
