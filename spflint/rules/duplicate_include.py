"""The same domain is included twice with different qualifiers; the later one is dead.

## What it does
Finds an `include:` whose target (compared without regard to case or a final dot) was
already included earlier in the record with a different qualifier, e.g. `include:x` followed
by `~include:x`. Identical repeats are reported by SPF311.

## Why is this bad?
An `include` matches only when the included record evaluates to `pass`, whatever qualifier
is written before it (RFC 7208 §5.2). The second include asks the same question as the first:
if the first matched, evaluation already stopped; if it did not, the second will not match
either; and an error in the included record already ended evaluation at the first. So the
later include can never match, its different qualifier never applies, and it still costs a
DNS lookup (§4.6.4). The author usually expected the second qualifier to cover senders the
first did not.

## Example
```text
v=spf1 include:_spf.example.com ~include:_spf.example.com -all
```

## Use instead
```text
v=spf1 include:_spf.example.com -all
```

## Fix safety
The fix removes the later include and is safe, for the reason above: it can never match, so
no sender's result changes and the lookup count only goes down.

## References
- RFC 7208 §5.2 (include)
- RFC 7208 §4.6.2 (Mechanisms)
- RFC 7208 §4.6.4 (DNS Lookup Limits)

## Examples
Okay: v=spf1 include:_spf.example.com include:_spf.example.net -all
Okay: v=spf1 include:_spf.example.com include:_spf.example.com -all
SPF312: v=spf1 include:_spf.example.com ?include:_spf.example.com -all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import Directive, Include, Record
from ..findings import Fix, Severity
from .base import Hit, RuleContext
from .duplicate_term import normal_domain
from .terms_after_all import live_directives, removal_edit

CODE = "SPF312"
NAME = "duplicate-include"
SUMMARY = "The same domain is included twice with different qualifiers; the later one is dead."
SEVERITY = Severity.WARNING
SCOPE = "record"


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    seen: dict[str, Directive] = {}
    for term in live_directives(record):
        if not isinstance(term.mechanism, Include):
            continue
        target = normal_domain(term.mechanism.domain)
        first = seen.get(target)
        if first is None:
            seen[target] = term
            continue
        if first.result_qualifier == term.result_qualifier:
            continue  # an exact repeat: SPF311
        written = ctx.text[term.span.start:term.span.end]
        first_text = ctx.text[first.span.start:first.span.end]
        yield Hit(
            term.span,
            f"'{written}' can never match: '{first_text}' at column {first.span.column} "
            f"already asked whether {term.mechanism.domain} passes, so the "
            f"'{term.result_qualifier}' qualifier here never applies",
            hint="an include matches only when the included record passes; remove the "
                 "repeat and express the policy with the final 'all' instead",
            fix=Fix(f"remove '{written}'", (removal_edit(ctx.text, term.span),), safe=True),
        )
