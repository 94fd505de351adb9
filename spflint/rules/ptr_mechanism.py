"""The `ptr` mechanism is deprecated: slow, unreliable and costly for receivers.

## What it does
Finds every `ptr` mechanism, with or without a domain.

## Why is this bad?
RFC 7208 §5.5 says `ptr` SHOULD NOT be used. It makes the receiver do a reverse lookup of the
client address and then forward lookups of up to 10 names, it depends on reverse DNS that the
sender often does not control, and big receivers skip it or treat it as a non-match. It also
costs one of the 10 DNS lookups (§4.6.4).

## Example
```text
v=spf1 ptr -all
```

## Use instead
```text
v=spf1 ip4:192.0.2.0/24 -all
```

## Fix safety
The fix removes the term and is unsafe: senders that matched only through `ptr` stop
passing. List their addresses with `ip4:`/`ip6:` (or use `a`) first.

## References
- RFC 7208 §5.5 (ptr (do not use))
- RFC 7208 §4.6.4 (DNS Lookup Limits)

## Examples
Okay: v=spf1 a mx -all
SPF310: v=spf1 ptr -all
SPF310: v=spf1 mx ?ptr:example.com ~all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import PTR, Record
from ..findings import Fix, Severity
from .base import Hit, RuleContext
from .terms_after_all import removal_edit

CODE = "SPF310"
NAME = "ptr-mechanism"
SUMMARY = "The `ptr` mechanism is deprecated: slow, unreliable and costly for receivers."
SEVERITY = Severity.WARNING
SCOPE = "record"


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    for term in record.directives:
        if not isinstance(term.mechanism, PTR):
            continue
        written = ctx.text[term.span.start:term.span.end]
        yield Hit(
            term.span,
            f"'{written}' uses the deprecated ptr mechanism (RFC 7208 §5.5): it is slow, "
            "depends on reverse DNS and many receivers ignore it",
            hint="list the sending servers with 'ip4:'/'ip6:' or 'a:' instead",
            fix=Fix(f"remove '{written}'", (removal_edit(ctx.text, term.span),), safe=False),
        )
