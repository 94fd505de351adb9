"""The record alone has more than 10 terms that each cost a DNS lookup.

## What it does
Counts the evaluated terms that cost a DNS lookup: `include`, `a`, `mx`, `ptr` and `exists`
up to the first `all`, plus `redirect` when there is no `all` (it is followed only after
every mechanism failed to match). Mechanisms after `all` are never evaluated and `exp` is
not counted (RFC 7208 §4.6.4). The finding points at the 11th such term.

This rule sees the record text only; the lookups of included records add to the total, which
`spflint check` counts over the whole tree.

## Why is this bad?
RFC 7208 §4.6.4 limits one SPF evaluation to 10 terms that cause DNS lookups. A check that
reaches the 11th returns `permerror`, so every sender not matched by the first ten terms
fails SPF outright, and DMARC gets no SPF pass for them.

## Example
```text
v=spf1 a mx include:a.example.com include:b.example.com include:c.example.com include:d.example.com include:e.example.com include:f.example.com include:g.example.com include:h.example.com include:i.example.com -all
```

## Use instead
```text
v=spf1 ip4:192.0.2.0/26 include:a.example.com include:b.example.com include:c.example.com include:d.example.com include:e.example.com include:f.example.com include:g.example.com include:h.example.com -all
```

## Fix safety
No automatic fix here: replace `a` and `mx` and stable includes with the `ip4:`/`ip6:` ranges
they stand for, and remove senders no longer used. `spflint fix` can flatten a record and
check that the result authorises the same senders.

## References
- RFC 7208 §4.6.4 (DNS Lookup Limits)
- RFC 7208 §5.1 (all)
- RFC 7208 §6.1 (redirect: Redirected Query)

## Examples
Okay: v=spf1 a mx include:a.example.com include:b.example.com include:c.example.com include:d.example.com include:e.example.com include:f.example.com include:g.example.com include:h.example.com -all
Okay: v=spf1 a mx include:a.example.com include:b.example.com include:c.example.com include:d.example.com include:e.example.com include:f.example.com include:g.example.com include:h.example.com -all include:i.example.com
SPF203: v=spf1 a mx include:a.example.com include:b.example.com include:c.example.com include:d.example.com include:e.example.com include:f.example.com include:g.example.com include:h.example.com include:i.example.com -all
SPF203: v=spf1 a mx include:a.example.com include:b.example.com include:c.example.com include:d.example.com include:e.example.com include:f.example.com include:g.example.com include:h.example.com redirect=_spf.example.com
"""  # noqa: E501

from __future__ import annotations

from collections.abc import Iterator

from ..ast import LOOKUP_MECHANISMS, Record, Redirect, Term
from ..findings import Severity
from ..semantics import MAX_LOOKUPS, evaluated
from .base import Hit, RuleContext

CODE = "SPF203"
NAME = "lookup-terms-over-limit"
SUMMARY = "The record alone has more than 10 terms that each cost a DNS lookup."
SEVERITY = Severity.ERROR
SCOPE = "record"

LIMIT = MAX_LOOKUPS


def lookup_terms(record: Record) -> list[Term]:
    """The terms that cost a DNS lookup, in the order an evaluation would reach them."""
    terms = evaluated(record)
    out: list[Term] = [d for d in terms.directives if d.kind in LOOKUP_MECHANISMS]
    if terms.redirect is not None:
        out.append(terms.redirect)
    return out


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    terms = lookup_terms(record)
    if len(terms) <= LIMIT:
        return
    eleventh = terms[LIMIT]
    written = ctx.text[eleventh.span.start:eleventh.span.end]
    kind = "the redirect" if isinstance(eleventh, Redirect) else f"'{written}'"
    yield Hit(
        eleventh.span,
        f"this record alone has {len(terms)} terms that need a DNS lookup, over the limit of "
        f"{LIMIT} (RFC 7208 §4.6.4): an evaluation that reaches {kind} ends in permerror",
        hint="replace 'a', 'mx' and stable includes by the ip4:/ip6: ranges they stand for, "
             "or remove senders no longer used",
        extra={"lookups": len(terms), "limit": LIMIT},
    )
