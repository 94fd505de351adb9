"""A modifier that SPF does not define is ignored, and is often a typo.

## What it does
Finds modifiers other than `redirect=` and `exp=` (and the registered reporting modifiers
`ra=`, `rp=`, `rr=` of RFC 6652). A modifier named after a mechanism, such as
`include=...`, is a wrong delimiter and is reported as SPF108 instead. It names the likely
intent where it can:

- `redir=`, `redirects=`, `explanation=` and other near-misses of `redirect=`/`exp=`;
- `default=`, from pre-RFC drafts, which no evaluator honours: use an `all` mechanism;
- `v=spf1` inside the record: two records were pasted together. This one is reported at
  `error` level, because the second record's policy is silently lost.

## Why is this bad?
RFC 7208 §6 lets records carry modifiers it does not define, and evaluators MUST ignore
them. So a misspelt `redirect=` never redirects, `default=deny` denies nothing, and the terms
of a second pasted record are read as part of the first (usually after its `all`, where they
are dead). The record is valid, which is why nothing else complains.

## Example
```text
v=spf1 mx redir=_spf.example.com
```

## Use instead
```text
v=spf1 mx redirect=_spf.example.com
```

## Fix safety
For a near-miss of `redirect=`/`exp=` the fix renames the modifier and is unsafe: the
redirect or explanation starts to take effect. For `default=deny`, `softfail` or `neutral`
in a record with no `all` and no mechanism after it, the fix replaces it with `-all`, `~all`
or `?all` and is unsafe. For a pasted `v=spf1` the fix removes that token and is safe (the
evaluator ignores it); merge the two policies by hand afterwards. Other unknown modifiers get
no fix: they may be there for another tool.

## References
- RFC 7208 §6 (Modifier Definitions)
- RFC 7208 §4.5 (Selecting Records)
- RFC 6652 §3 (SPF Authentication Failure Reporting: modifiers)

## Examples
Okay: v=spf1 mx redirect=_spf.example.com
Okay: v=spf1 mx -all rp=100
SPF316: v=spf1 mx redir=_spf.example.com
SPF316: v=spf1 mx default=deny
SPF316: v=spf1 mx -all v=spf1 a -all
SPF316: v=spf1 mx -all foo=bar
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import All, Directive, Record, UnknownModifier
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext
from .terms_after_all import removal_edit

CODE = "SPF316"
NAME = "unknown-modifier"
SUMMARY = "A modifier that SPF does not define is ignored, and is often a typo."
SEVERITY = Severity.INFO
SCOPE = "record"

# Registered by RFC 6652 (failure reporting); evaluators ignore them on purpose.
REGISTERED = frozenset({"ra", "rp", "rr"})
# `include=x` is a mechanism with the wrong delimiter: SPF108 reports it.
MECHANISM_NAMES = frozenset({"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists"})
_DEFAULTS = {"deny": "-all", "softfail": "~all", "neutral": "?all"}


def edit_distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance between ``a`` and ``b``, or ``limit + 1`` when it is larger."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return min(previous[-1], limit + 1)


def intended(name: str) -> str | None:
    """``redirect`` or ``exp`` when ``name`` looks like a misspelling of one of them."""
    if name.startswith("redir") or edit_distance(name, "redirect", 2) <= 2:
        return "redirect"
    if name.startswith("expl") or (len(name) >= 2 and edit_distance(name, "exp", 1) <= 1):
        return "exp"
    return None


def _default_fix(record: Record, term: UnknownModifier, value: str) -> Fix | None:
    replacement = _DEFAULTS.get(value)
    if replacement is None or record.redirect is not None:
        return None
    if any(isinstance(d.mechanism, All) for d in record.directives):
        return None
    if any(isinstance(t, Directive) and t.span.start > term.span.start for t in record.terms):
        return None  # an `all` here would make the mechanisms after it dead
    return Fix(f"replace with '{replacement}'",
               (Edit(term.span.start, term.span.end, replacement),), safe=False)


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    for term in record.terms:
        if not isinstance(term, UnknownModifier):
            continue
        name = term.name.lower()
        value = term.value.render()
        written = ctx.text[term.span.start:term.span.end]
        if name in REGISTERED or name in MECHANISM_NAMES:
            continue
        if name == "v" and value.lower() == "spf1":
            yield Hit(
                term.span,
                f"'{written}' inside the record: two SPF records were pasted together, and "
                "the terms of the second are read as part of the first",
                hint="publish one record: merge the mechanisms of both and keep a single "
                     "'all' at the end",
                fix=Fix(f"remove the pasted '{written}'", (removal_edit(ctx.text, term.span),),
                        safe=True),
                severity=Severity.ERROR,
            )
            continue
        if name == "default":
            replacement = _DEFAULTS.get(value.lower(), "-all' or '~all")
            yield Hit(
                term.span,
                f"'{written}' comes from pre-RFC drafts of SPF and is ignored by evaluators",
                hint=f"end the mechanisms with '{replacement}' instead",
                fix=_default_fix(record, term, value.lower()),
            )
            continue
        meant = intended(name)
        if meant is not None:
            yield Hit(
                term.span,
                f"unknown modifier '{term.name}=' is ignored by evaluators (RFC 7208 §6); "
                f"did you mean '{meant}='?",
                hint=f"only '{meant}=' takes effect; '{term.name}=' does nothing",
                fix=Fix(f"rename to '{meant}='",
                        (Edit(term.span.start, term.span.start + len(term.name), meant),),
                        safe=False),
            )
            continue
        yield Hit(
            term.span,
            f"unknown modifier '{term.name}=' is ignored by evaluators (RFC 7208 §6)",
            hint="remove it unless another tool reads it; a verification token belongs in a "
                 "TXT record of its own",
        )
