"""`+all` (or a bare `all`) lets every host on the Internet pass SPF.

## What it does
Finds an evaluated `all` mechanism whose qualifier is `+`, written or implied: a bare `all`
means `+all`.

## Why is this bad?
`all` matches every sender, so `+all` makes SPF return `pass` for any IP address in the world
(RFC 7208 §5.1). Anyone can then send mail as the domain and pass SPF, which also satisfies
DMARC through SPF alignment. It is almost always a mistake for `-all` or `~all`; a bare `all`
is a common slip, since the qualifier defaults to `+` (§4.6.2).

## Example
```text
v=spf1 include:_spf.example.com +all
```

## Use instead
```text
v=spf1 include:_spf.example.com ~all
```

## Fix safety
The fix replaces the term with `~all` (softfail) and is unsafe: mail from hosts that are not
listed stops passing SPF. That is the point, but list every real sender first. Move to `-all`
once reports show nothing legitimate fails.

## References
- RFC 7208 §5.1 (all)
- RFC 7208 §4.6.2 (Mechanisms)
- RFC 7208 §8.3 (Pass)

## Examples
Okay: v=spf1 ip4:192.0.2.0/24 -all
Okay: v=spf1 mx ~all
SPF301: v=spf1 +all
SPF301: v=spf1 ip4:192.0.2.0/24 all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import All, Record
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext
from .terms_after_all import live_directives

CODE = "SPF301"
NAME = "pass-all"
SUMMARY = "`+all` (or a bare `all`) lets every host on the Internet pass SPF."
SEVERITY = Severity.ERROR
SCOPE = "record"


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    live = live_directives(record)
    if not live or not isinstance(live[-1].mechanism, All):
        return
    term = live[-1]
    if term.result_qualifier != "+":
        return
    written = ctx.text[term.span.start:term.span.end]
    implied = "" if term.qualifier else " (no qualifier means '+')"
    yield Hit(
        term.span,
        f"'{written}'{implied} lets every IP address on the Internet pass SPF for this domain",
        hint="end the record with '~all' (softfail) or '-all' (fail) once every real sender "
             "is listed",
        fix=Fix("replace with '~all'", (Edit(term.span.start, term.span.end, "~all"),),
                safe=False),
    )
