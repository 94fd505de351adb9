"""Mechanisms written after `all` are never evaluated.

## What it does
Finds mechanisms that follow the first `all` mechanism of the record.

## Why is this bad?
`all` always matches, and evaluation stops at the first mechanism that matches (RFC 7208
§4.6.2), so nothing after it is ever looked at (§5.1). Those terms are dead weight that make
the record longer and suggest the author expected them to do something: often a range was
appended after `-all` and those senders still fail.

Only mechanisms are dead: modifiers such as `exp=` keep working wherever they are written
(a `redirect=` next to `all` is reported separately, as SPF307).

## Example
```text
v=spf1 include:_spf.example.com -all ip4:192.0.2.10
```

## Use instead
```text
v=spf1 include:_spf.example.com ip4:192.0.2.10 -all
```

## Fix safety
The fix removes every mechanism after the first `all` and is safe: those mechanisms are never
evaluated, so no sender's result can change. To make them count, move them before `all` by
hand instead.

## References
- RFC 7208 §5.1 (all)
- RFC 7208 §4.6.2 (Mechanisms)

## Examples
Okay: v=spf1 ip4:192.0.2.0/24 -all
Okay: v=spf1 a -all exp=explain.example.com
SPF306: v=spf1 -all ip4:192.0.2.0/24
SPF306: v=spf1 a -all mx ~all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import All, Directive, Record, Span
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext

CODE = "SPF306"
NAME = "terms-after-all"
SUMMARY = "Mechanisms written after `all` are never evaluated."
SEVERITY = Severity.WARNING
SCOPE = "record"


def removal_edit(text: str, span: Span) -> Edit:
    """An edit deleting the term at ``span`` and the space before it."""
    start = span.start - 1 if span.start > 0 and text[span.start - 1] == " " else span.start
    return Edit(start, span.end, "")


def live_directives(record: Record) -> tuple[Directive, ...]:
    """The directives that can be evaluated: those up to and including the first `all`."""
    return record.live_directives


def dead_directives(record: Record) -> tuple[Directive, ...]:
    """The directives after the first `all` (never evaluated, RFC 7208 §5.1)."""
    return record.directives[len(live_directives(record)):]


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    dead = dead_directives(record)
    # Extra `all` terms are reported by SPF305; report here only when something else is dead.
    others = [d for d in dead if not isinstance(d.mechanism, All)]
    if not others:
        return
    first_all = live_directives(record)[-1]
    written = ", ".join(f"'{ctx.text[d.span.start:d.span.end]}'" for d in others)
    count = len(others)
    noun = "mechanism" if count == 1 else "mechanisms"
    yield Hit(
        others[0].span,
        f"{count} {noun} after '{ctx.text[first_all.span.start:first_all.span.end]}' "
        f"{'is' if count == 1 else 'are'} never evaluated: {written}",
        hint="evaluation stops at 'all'; move the terms before it if they are meant to count",
        fix=Fix("remove the mechanisms after 'all'",
                tuple(removal_edit(ctx.text, d.span) for d in dead), safe=True),
    )
