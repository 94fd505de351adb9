"""The same term is written twice; the later copy can never change the result.

## What it does
Finds a mechanism or unknown modifier that repeats an earlier term exactly, comparing
mechanism names and domain names without regard to case and treating `+` like no qualifier.
Only terms that are evaluated are compared; duplicates after `all` are SPF306's, repeated
`all` is SPF305's and repeated `redirect=`/`exp=` is SPF308's.

## Why is this bad?
Mechanisms are tried in order and the first match wins (RFC 7208 §4.6.2). A repeated term
gives the same answer as the first copy, so when the first did not match the second will not
either. A repeated `include`, `a`, `mx`, `ptr` or `exists` still spends one of the 10 DNS
lookups (§4.6.4) and makes the record longer.

## Example
```text
v=spf1 include:_spf.example.com mx include:_spf.example.com -all
```

## Use instead
```text
v=spf1 include:_spf.example.com mx -all
```

## Fix safety
The fix removes the later copy and is safe: it is evaluated only when the identical earlier
term did not match, and then it cannot match either. The record can only get shorter and
cheaper in DNS lookups.

## References
- RFC 7208 §4.6.2 (Mechanisms)
- RFC 7208 §4.6.4 (DNS Lookup Limits)

## Examples
Okay: v=spf1 a mx -all
Okay: v=spf1 a:mail.example.com a -all
SPF311: v=spf1 mx mx -all
SPF311: v=spf1 +a:Mail.Example.com a:mail.example.com -all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import All, Directive, MacroLiteral, MacroString, Record, Term, UnknownModifier
from ..findings import Fix, Severity
from .base import Hit, RuleContext
from .terms_after_all import live_directives, removal_edit

CODE = "SPF311"
NAME = "duplicate-term"
SUMMARY = "The same term is written twice; the later copy can never change the result."
SEVERITY = Severity.WARNING
SCOPE = "record"


def normal_domain(domain: MacroString) -> str:
    """Domain text compared as DNS does: literal parts lower-case, a final dot dropped."""
    text = "".join(p.text.lower() if isinstance(p, MacroLiteral) else p.render()
                   for p in domain.parts)
    return text[:-1] if text.endswith(".") and len(text) > 1 else text


def term_key(term: Term, text: str | None = None) -> str:
    """A comparison key for a term: same key, same meaning.

    With the record ``text``, a term without macros or a final dot is keyed by its written
    text, lower-cased (the fast path; the same key the full rendering would give).
    """
    if text is not None and isinstance(term, Directive):
        written = text[term.mechanism.span.start:term.mechanism.span.end]
        if "%" not in written and not written.endswith(".") and "./" not in written:
            return term.result_qualifier + written.lower()
    if isinstance(term, Directive):
        mech = term.mechanism
        domain = getattr(mech, "domain", None)
        if domain is None:
            return term.result_qualifier + mech.render()
        # What follows the domain in the rendering is the CIDR suffix of `a`/`mx`.
        suffix = mech.render()[len(mech.kind) + 1 + len(domain.render()):]
        return f"{term.result_qualifier}{mech.kind}:{normal_domain(domain)}{suffix}"
    if isinstance(term, UnknownModifier):
        return f"{term.name.lower()}={term.value.render()}"
    return term.render().lower()


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    live = set(id(d) for d in live_directives(record))
    seen: dict[str, Term] = {}
    for term in record.terms:
        if isinstance(term, Directive):
            if id(term) not in live or isinstance(term.mechanism, All):
                continue
        elif not isinstance(term, UnknownModifier):
            continue
        key = term_key(term, ctx.text)
        first = seen.get(key)
        if first is None:
            seen[key] = term
            continue
        written = ctx.text[term.span.start:term.span.end]
        yield Hit(
            term.span,
            f"'{written}' repeats '{ctx.text[first.span.start:first.span.end]}' at column "
            f"{first.span.column}; the later copy can never match",
            fix=Fix(f"remove the repeated '{written}'", (removal_edit(ctx.text, term.span),),
                    safe=True),
        )
