"""An explicit `+` qualifier is the default and can be left out.

## What it does
Finds mechanisms written with the `+` qualifier, except `+all` (reported by SPF301, where
the explicit `+` at least shows the intent).

## Why is this bad?
A mechanism without a qualifier already means `+` (pass) (RFC 7208 §4.6.2). The extra
character only lengthens the record; records read best when only the exceptions (`-`, `~`,
`?`) are marked.

## Example
```text
v=spf1 +mx +include:_spf.example.com -all
```

## Use instead
```text
v=spf1 mx include:_spf.example.com -all
```

## Fix safety
The fix removes the `+` and is safe: the meaning is the same.

## References
- RFC 7208 §4.6.2 (Mechanisms)

## Examples
Okay: v=spf1 mx -all
Okay: v=spf1 +all
SPF403: v=spf1 +mx -all
SPF403: v=spf1 +ip4:192.0.2.0/24 -all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import All, Record, Span
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext

CODE = "SPF403"
NAME = "redundant-qualifier"
SUMMARY = "An explicit `+` qualifier is the default and can be left out."
SEVERITY = Severity.INFO
SCOPE = "record"


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    for term in record.directives:
        if term.qualifier != "+" or isinstance(term.mechanism, All):
            continue
        start = term.span.start
        yield Hit(
            Span(start, start + 1),
            f"the '+' in '{ctx.text[term.span.start:term.span.end]}' is the default "
            "qualifier and can be left out",
            fix=Fix("remove the '+'", (Edit(start, start + 1, ""),), safe=True),
        )
