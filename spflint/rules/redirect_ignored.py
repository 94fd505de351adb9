"""A `redirect=` in a record that has an `all` mechanism is ignored.

## What it does
Finds a `redirect=` modifier in a record that also contains an `all` mechanism, anywhere.

## Why is this bad?
RFC 7208 §6.1 says a `redirect` MUST be ignored when the record has an `all` mechanism
anywhere: evaluation always ends at `all`, so the redirected policy is never consulted. The
author usually expects the redirected record to authorise more senders, and those senders
get the `all` result instead.

## Example
```text
v=spf1 mx redirect=_spf.example.com -all
```

## Use instead
```text
v=spf1 mx redirect=_spf.example.com
```

## Fix safety
The fix deletes the `redirect=` modifier and is safe: it is never followed, so no result
changes. If the redirected record should apply, remove `all` by hand instead (that is not
safe). No fix is offered when `redirect` appears more than once: such a record is a
`permerror` (SPF308) and removing modifiers would change that.

## References
- RFC 7208 §6.1 (redirect: Redirected Query)
- RFC 7208 §5.1 (all)

## Examples
Okay: v=spf1 mx redirect=_spf.example.com
Okay: v=spf1 mx -all
SPF307: v=spf1 mx -all redirect=_spf.example.com
SPF307: v=spf1 redirect=_spf.example.com ~all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import All, Record, Redirect
from ..findings import Fix, Severity
from .base import Hit, RuleContext
from .terms_after_all import removal_edit

CODE = "SPF307"
NAME = "redirect-ignored"
SUMMARY = "A `redirect=` in a record that has an `all` mechanism is ignored."
SEVERITY = Severity.WARNING
SCOPE = "record"


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    redirects = [t for t in record.terms if isinstance(t, Redirect)]
    if not redirects:
        return
    first_all = next((d for d in record.directives if isinstance(d.mechanism, All)), None)
    if first_all is None:
        return
    term = redirects[0]
    all_text = ctx.text[first_all.span.start:first_all.span.end]
    fix = None
    if len(redirects) == 1:
        fix = Fix("remove the ignored 'redirect='", (removal_edit(ctx.text, term.span),),
                  safe=True)
    yield Hit(
        term.span,
        f"'{ctx.text[term.span.start:term.span.end]}' is ignored because the record has "
        f"'{all_text}' (RFC 7208 §6.1)",
        hint="remove the 'redirect=', or remove 'all' if the redirected policy should apply",
        fix=fix,
    )
