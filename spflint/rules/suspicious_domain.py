"""A domain's last label contains a hyphen, as when `-all` is glued onto it.

## What it does
Checks every literal domain in the record (`include`, `a`, `mx`, `ptr`, `exists`, `redirect`,
`exp`) for a last label with a hyphen. No top-level domain has one (apart from `xn--`
internationalised names), so the label is almost always two terms run together, like
`include:spf.protection.outlook.com-all`, which should read `include:... -all`.

## Why is this bad?
The text is valid SPF syntax, so nothing else flags it, but it names a domain that does not
exist. Evaluation of that `include` finds no record and ends in `permerror` (RFC 7208 §5.2),
and the record has no `all` either. Mail from every sender fails SPF.

## Example
```text
v=spf1 include:spf.protection.outlook.com-all
```

## Use instead
```text
v=spf1 include:spf.protection.outlook.com -all
```

## Fix safety
When the label ends in `-all`, the fix inserts the missing space and is unsafe: the record
starts to evaluate normally instead of failing with `permerror`. Other hyphenated labels get
no fix.

## References
- RFC 7208 §4.6.1 (Term Evaluation)
- RFC 7208 §5.2 (include)
- RFC 1123 §2.1 and RFC 3696 §2 (top-level domain names)

## Examples
Okay: v=spf1 include:spf.protection.outlook.com -all
Okay: v=spf1 include:_spf.xn--bcher-kva.example -all
SPF318: v=spf1 include:spf.protection.outlook.com-all
SPF318: v=spf1 a:mail.example.com-mx -all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import Directive, MacroLiteral, Record
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext

CODE = "SPF318"
NAME = "suspicious-domain"
SUMMARY = "A domain's last label contains a hyphen, as when `-all` is glued onto it."
SEVERITY = Severity.WARNING
SCOPE = "record"


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    for term in record.terms:
        mech = term.mechanism if isinstance(term, Directive) else term
        domain = getattr(mech, "domain", None)
        if domain is None or not domain.parts or not isinstance(domain.parts[-1], MacroLiteral):
            continue
        text = domain.render()
        dotted = text.endswith(".")
        body = text[:-1] if dotted else text
        if "." not in body:
            continue
        label = body.rsplit(".", 1)[1]
        if "-" not in label or label.lower().startswith("xn--"):
            continue
        written = ctx.text[term.span.start:term.span.end]
        if label.lower().endswith("-all") and len(label) > 4 and not dotted:
            at = domain.span.end - 4
            head = ctx.text[term.span.start:at]
            yield Hit(
                term.span,
                f"'{written}' looks like '{head}' and '-all' run together: the domain "
                f"'{body}' cannot exist, so the record ends in permerror",
                hint=f"put a space before '-all': '{head} -all'",
                fix=Fix("insert the missing space before '-all'", (Edit(at, at, " "),),
                        safe=False),
            )
            continue
        yield Hit(
            term.span,
            f"the last label '{label}' of '{body}' contains a hyphen, which no top-level "
            "domain does: two terms may be run together",
            hint="check the term for a missing space",
        )
