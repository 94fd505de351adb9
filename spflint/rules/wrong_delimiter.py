"""A mechanism uses `=` or a modifier uses `:` before its argument.

## What it does
Reports `include=_spf.example.com` (mechanisms take `:`) and `redirect:_spf.example.com` or
`exp:explain.example.com` (modifiers take `=`).

## Why is this bad?
The delimiter tells mechanisms and modifiers apart. `redirect:...` is read as an unknown
mechanism, which makes the whole record a permanent error. `include=...` is worse: the
grammar reads it as an unknown modifier, which receivers silently ignore, so the include
never happens and the senders it was meant to authorise fail SPF. spflint therefore reports
a modifier named after a mechanism as an error too.

## Example
```text
v=spf1 include=_spf.example.com redirect:_spf.example.net
```

## Use instead
```text
v=spf1 include:_spf.example.com redirect=_spf.example.net
```

## Fix safety
spflint offers to swap the delimiter. The fix is unsafe: the term starts taking effect, so
the result changes for the senders it covers.

## References
- RFC 7208 §5 (Mechanism Definitions)
- RFC 7208 §6 (Modifier Definitions)

## Examples
Okay: v=spf1 include:_spf.example.com redirect=_spf.example.net
SPF108: v=spf1 include=_spf.example.com -all
SPF108: v=spf1 redirect:_spf.example.com
SPF108: v=spf1 -all exp:explain.example.com
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import Record, Span, UnknownModifier
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext

CODE = "SPF108"
NAME = "wrong-delimiter"
SUMMARY = "A mechanism uses `=` or a modifier uses `:` before its argument."
SEVERITY = Severity.ERROR
SCOPE = "syntax"

_MECHANISM_NAMES = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    """``include=x`` parses as an unknown modifier, which evaluators ignore (RFC 7208 §6)."""
    for term in record.terms:
        if isinstance(term, UnknownModifier) and term.name.lower() in _MECHANISM_NAMES:
            eq = term.span.start + len(term.name)
            yield Hit(
                Span(eq, eq + 1),
                f"'{term.name}' is a mechanism and takes ':', not '='; as written, "
                f"'{term.render()}' is an unknown modifier that every receiver ignores",
                hint=f"write '{term.name}:{term.value.render()}'",
                fix=Fix("use ':'", (Edit(eq, eq + 1, ":"),), safe=False),
            )
