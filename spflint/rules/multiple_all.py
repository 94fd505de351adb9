"""The record has more than one `all`; only the first is ever evaluated.

## What it does
Finds every `all` mechanism after the first one.

## Why is this bad?
`all` always matches, so evaluation never gets past the first one (RFC 7208 §5.1). A second
`all` is dead, and its presence usually means two records or two policies were merged and the
author believes the later qualifier applies.

## Example
```text
v=spf1 mx ~all -all
```

## Use instead
```text
v=spf1 mx -all
```

## Fix safety
The fix removes the later `all` and is safe: it is never evaluated. Check that the first
`all` carries the qualifier you want.

## References
- RFC 7208 §5.1 (all)

## Examples
Okay: v=spf1 mx -all
SPF305: v=spf1 -all -all
SPF305: v=spf1 a ~all mx -all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import All, Record
from ..findings import Fix, Severity
from .base import Hit, RuleContext
from .terms_after_all import removal_edit

CODE = "SPF305"
NAME = "multiple-all"
SUMMARY = "The record has more than one `all`; only the first is ever evaluated."
SEVERITY = Severity.WARNING
SCOPE = "record"


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    alls = [d for d in record.directives if isinstance(d.mechanism, All)]
    if len(alls) < 2:
        return
    first = alls[0]
    first_text = ctx.text[first.span.start:first.span.end]
    for later in alls[1:]:
        written = ctx.text[later.span.start:later.span.end]
        yield Hit(
            later.span,
            f"'{written}' is never evaluated: '{first_text}' at column {first.span.column} "
            "always matches first",
            hint="keep a single 'all' with the qualifier you mean, at the end of the mechanisms",
            fix=Fix(f"remove the later '{written}'", (removal_edit(ctx.text, later.span),),
                    safe=True),
        )
