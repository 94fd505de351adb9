"""`redirect=` or `exp=` is written before mechanisms; modifiers read best at the end.

## What it does
Finds a `redirect=` or `exp=` modifier that has a mechanism after it.

## Why is this bad?
Modifiers take effect wherever they are written, but RFC 7208 §6 says `redirect` SHOULD be
the last term, and readers (and some tools) assume modifiers come after the mechanisms. A
`redirect=` written first looks as if it were tried first, when it is only followed after no
mechanism matched (§4.6.2, §6.1).

## Example
```text
v=spf1 redirect=_spf.example.com mx
```

## Use instead
```text
v=spf1 mx redirect=_spf.example.com
```

## Fix safety
The fix moves the modifier to the end of the record and is safe: the position of a modifier
does not change evaluation, and modifiers keep their relative order.

## References
- RFC 7208 §6 (Modifier Definitions)
- RFC 7208 §4.6.3 (Modifiers)

## Examples
Okay: v=spf1 mx -all exp=explain.example.com
Okay: v=spf1 mx redirect=_spf.example.com
SPF309: v=spf1 exp=explain.example.com mx -all
SPF309: v=spf1 redirect=_spf.example.com a
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import Directive, Explanation, Record, Redirect
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext
from .terms_after_all import removal_edit

CODE = "SPF309"
NAME = "modifier-before-mechanisms"
SUMMARY = "`redirect=` or `exp=` is written before mechanisms; modifiers read best at the end."
SEVERITY = Severity.INFO
SCOPE = "record"


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    terms = record.terms
    if not terms:
        return
    last_directive = max((i for i, t in enumerate(terms) if isinstance(t, Directive)),
                         default=-1)
    end = terms[-1].span.end
    for term in terms[:max(last_directive, 0)]:
        if not isinstance(term, (Redirect, Explanation)):
            continue
        written = ctx.text[term.span.start:term.span.end]
        yield Hit(
            term.span,
            f"modifier '{written}' is written before mechanisms; it applies only after "
            "them, so it belongs at the end",
            fix=Fix(f"move '{written}' to the end",
                    (removal_edit(ctx.text, term.span), Edit(end, end, " " + written)),
                    safe=True),
        )
