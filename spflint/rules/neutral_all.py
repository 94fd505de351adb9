"""`?all` gives unlisted senders a neutral result, which protects nothing.

## What it does
Finds an evaluated `all` mechanism with the `?` (neutral) qualifier.

## Why is this bad?
A `neutral` result states that the domain makes no assertion about the sender (RFC 7208
§8.2): receivers must treat it exactly like having no SPF record at all. Spoofed mail from
any host is not marked, and DMARC gets no SPF signal. `?all` is sometimes used while
collecting senders, but it should not stay.

## Example
```text
v=spf1 include:_spf.example.com ?all
```

## Use instead
```text
v=spf1 include:_spf.example.com ~all
```

## Fix safety
The fix replaces the term with `~all` and is unsafe: unlisted senders change from `neutral`
to `softfail`, and some receivers score or reject such mail.

## References
- RFC 7208 §8.2 (Neutral)
- RFC 7208 §5.1 (all)

## Examples
Okay: v=spf1 mx -all
Okay: v=spf1 ?mx -all
SPF303: v=spf1 mx ?all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import All, Record
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext
from .terms_after_all import live_directives

CODE = "SPF303"
NAME = "neutral-all"
SUMMARY = "`?all` gives unlisted senders a neutral result, which protects nothing."
SEVERITY = Severity.WARNING
SCOPE = "record"


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    live = live_directives(record)
    if not live or not isinstance(live[-1].mechanism, All) or live[-1].qualifier != "?":
        return
    term = live[-1]
    yield Hit(
        term.span,
        "'?all' makes every unlisted sender 'neutral', which receivers treat like no SPF "
        "record at all",
        hint="use '~all' (softfail), then '-all' once every real sender is listed",
        fix=Fix("replace with '~all'", (Edit(term.span.start, term.span.end, "~all"),),
                safe=False),
    )
