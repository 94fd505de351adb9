"""The record has neither `all` nor `redirect`, so unlisted senders get `neutral`.

## What it does
Finds records with no `all` mechanism and no `redirect=` modifier.

## Why is this bad?
When no mechanism matches and there is no `redirect`, the result is `neutral` (RFC 7208
§4.7): the domain makes no statement about unlisted senders, and receivers treat spoofed mail
as if the domain had no SPF record.

## Example
```text
v=spf1 include:_spf.example.com ip4:192.0.2.0/24
```

## Use instead
```text
v=spf1 include:_spf.example.com ip4:192.0.2.0/24 ~all
```

## Fix safety
The fix appends `~all` after the last mechanism (before any modifiers written after it) and
is unsafe: unlisted senders change from `neutral` to `softfail`.

## References
- RFC 7208 §4.7 (Default Result)
- RFC 7208 §5.1 (all)
- RFC 7208 §6.1 (redirect: Redirected Query)

## Examples
Okay: v=spf1 mx -all
Okay: v=spf1 redirect=_spf.example.com
SPF304: v=spf1 mx
SPF304: v=spf1
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import All, Record, Span
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext

CODE = "SPF304"
NAME = "missing-all"
SUMMARY = "The record has neither `all` nor `redirect`, so unlisted senders get `neutral`."
SEVERITY = Severity.WARNING
SCOPE = "record"

_VERSION = Span(0, 6)


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    if record.redirect is not None:
        return
    if any(isinstance(d.mechanism, All) for d in record.directives):
        return
    directives = record.directives
    at = directives[-1].span.end if directives else _VERSION.end
    yield Hit(
        _VERSION,
        "the record has no 'all' and no 'redirect': senders that match no mechanism get "
        "'neutral' (RFC 7208 §4.7)",
        hint="end the mechanisms with '~all' (softfail) or '-all' (fail)",
        fix=Fix("append '~all' after the last mechanism", (Edit(at, at, " ~all"),), safe=False),
    )
