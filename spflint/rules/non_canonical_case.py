"""The version, a mechanism or a modifier name is not written in lower case.

## What it does
Finds `v=spf1`, mechanism names (`include`, `ip4`, `all`...) and the names `redirect` and
`exp` written with capital letters, such as `V=SPF1` or `Include:`.

## Why is this bad?
It is valid: these names are case-insensitive (RFC 7208 §4.5, §12), and evaluators accept
them. But lower case is what every example and tool uses, some naive record pickers look for
the exact string `v=spf1`, and mixed case makes records harder to compare and diff.

## Example
```text
V=SPF1 Include:_spf.example.com -ALL
```

## Use instead
```text
v=spf1 include:_spf.example.com -all
```

## Fix safety
The fix lower-cases the name and is safe: names are case-insensitive. Domain names and macro
letters are left alone (in macros, case has a meaning).

## References
- RFC 7208 §4.5 (Selecting Records)
- RFC 7208 §12 (Collected ABNF: names are case-insensitive)

## Examples
Okay: v=spf1 include:_spf.Example.com -all
SPF401: V=SPF1 -all
SPF401: v=spf1 MX -all
SPF401: v=spf1 a -all Exp=explain.example.com
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import Directive, Explanation, Record, Redirect, Span
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext

CODE = "SPF401"
NAME = "non-canonical-case"
SUMMARY = "The version, a mechanism or a modifier name is not written in lower case."
SEVERITY = Severity.INFO
SCOPE = "record"


def _names(record: Record) -> Iterator[tuple[int, str]]:
    """(offset, canonical name) of every case-insensitive name in the record."""
    yield 0, "v=spf1"
    for term in record.terms:
        if isinstance(term, Directive):
            yield term.mechanism.span.start, term.mechanism.kind
        elif isinstance(term, (Redirect, Explanation)):
            yield term.span.start, term.kind


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    for start, name in _names(record):
        end = start + len(name)
        written = ctx.text[start:end]
        if written == name:
            continue
        what = "version tag" if name == "v=spf1" else f"'{name}'"
        yield Hit(
            Span(start, end),
            f"{what} is written '{written}'; the canonical form is lower case '{name}'",
            fix=Fix(f"lower-case '{written}'", (Edit(start, end, name),), safe=True),
        )
