"""`redirect=` or `exp=` appears more than once, which makes the record a permerror.

## What it does
Finds a second (or later) `redirect=` or `exp=` modifier in the same record.

## Why is this bad?
RFC 7208 §6 allows each of these modifiers at most once; when either appears twice,
`check_host()` returns `permerror` and receivers treat the domain as having a broken SPF
policy, whatever the mechanisms say. DMARC then gets no SPF pass for any sender.

## Example
```text
v=spf1 mx redirect=_spf.example.com redirect=_spf.example.net
```

## Use instead
```text
v=spf1 mx redirect=_spf.example.com
```

## Fix safety
When the later modifier repeats the first one exactly (ignoring case), the fix removes it.
The fix is unsafe because it changes the result from `permerror` to whatever the record then
evaluates to, which is what the author intended but is still a change. When the two values
differ, spflint cannot know which one is meant and offers no fix.

## References
- RFC 7208 §6 (Modifier Definitions)
- RFC 7208 §6.1 (redirect: Redirected Query)
- RFC 7208 §6.2 (exp: Explanation)

## Examples
Okay: v=spf1 mx -all exp=explain.example.com
Okay: v=spf1 mx redirect=_spf.example.com
SPF308: v=spf1 redirect=a.example.com redirect=b.example.com
SPF308: v=spf1 -all exp=x.example.com exp=x.example.com
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import Explanation, Record, Redirect
from ..findings import Fix, Severity
from .base import Hit, RuleContext
from .terms_after_all import removal_edit

CODE = "SPF308"
NAME = "duplicate-modifier"
SUMMARY = "`redirect=` or `exp=` appears more than once, which makes the record a permerror."
SEVERITY = Severity.ERROR
SCOPE = "record"


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    for kind in (Redirect, Explanation):
        found = [t for t in record.terms if isinstance(t, kind)]
        if len(found) < 2:
            continue
        first = found[0]
        first_text = ctx.text[first.span.start:first.span.end]
        for later in found[1:]:
            written = ctx.text[later.span.start:later.span.end]
            fix = None
            if written.lower() == first_text.lower():
                fix = Fix(f"remove the repeated '{written}'",
                          (removal_edit(ctx.text, later.span),), safe=False)
            yield Hit(
                later.span,
                f"'{kind.kind}=' appears more than once ('{first_text}' at column "
                f"{first.span.column}, '{written}' here): the record evaluates to permerror "
                "(RFC 7208 §6)",
                hint=f"keep exactly one '{kind.kind}=' modifier",
                fix=fix,
            )
