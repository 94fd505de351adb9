"""An `ip4:`/`ip6:` range overlaps an earlier range, so part of the record is dead.

## What it does
Compares every evaluated `ip4:`/`ip6:` mechanism with the earlier ones of the same family.
CIDR ranges either nest or do not meet, so there are two cases:

- the later range lies inside an earlier one: it can never match, because every address in
  it matches the earlier term first;
- the later range contains an earlier one with the same qualifier: the earlier, narrower
  term is redundant (unless something between them must match first).

A narrower range with a *different* qualifier written before a broader one
(`-ip4:192.0.2.66 ip4:192.0.2.0/24`) is the normal way to make an exception and is not
reported. Exact repeats are reported by SPF311.

## Why is this bad?
Mechanisms are tried in order and the first match wins (RFC 7208 §4.6.2). A range inside an
earlier range is dead text. When its qualifier differs, it shows a policy that never takes
effect: `ip4:192.0.2.0/24 -ip4:192.0.2.66` still passes 192.0.2.66, because the exception
comes too late.

## Example
```text
v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.128/25 -all
```

## Use instead
```text
v=spf1 ip4:192.0.2.0/24 -all
```

## Fix safety
When the later range lies inside an earlier one with the same qualifier, the fix removes it
and is safe: it can never match. With a different qualifier no fix is offered: removing the
term would also be safe, but it would hide an exception the author evidently wanted; move it
before the broader range by hand (which changes who passes). No fix is offered for a broader
range that swallows an earlier one.

## References
- RFC 7208 §4.6.2 (Mechanisms)
- RFC 7208 §5.6 (ip4 and ip6)

## Examples
Okay: v=spf1 ip4:192.0.2.0/25 ip4:192.0.2.128/25 -all
Okay: v=spf1 -ip4:192.0.2.66 ip4:192.0.2.0/24 -all
SPF313: v=spf1 ip4:192.0.2.0/24 ip4:192.0.2.7 -all
SPF313: v=spf1 ip4:192.0.2.0/24 -ip4:192.0.2.66 -all
SPF313: v=spf1 ip6:2001:db8::/32 ip6:2001:db8:1::/48 -all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import IP4, IP6, Directive, Record
from ..findings import Fix, Severity
from .base import Hit, RuleContext
from .duplicate_term import term_key
from .terms_after_all import live_directives, removal_edit

CODE = "SPF313"
NAME = "overlapping-ranges"
SUMMARY = "An `ip4:`/`ip6:` range overlaps an earlier range, so part of the record is dead."
SEVERITY = Severity.WARNING
SCOPE = "record"

Range = tuple[int, int, int]  # (IP version, first address, last address) as integers


def int_range(mech: IP4 | IP6) -> Range:
    """The addresses a mechanism matches, as integers (no ``ipaddress`` networks: speed)."""
    bits = 32 if isinstance(mech, IP4) else 128
    prefix = bits if mech.prefix is None else mech.prefix
    host = (1 << (bits - prefix)) - 1
    first = int(mech.address) & ~host
    return (4 if bits == 32 else 6, first, first | host)


def _inside(inner: Range, outer: Range) -> bool:
    return inner[0] == outer[0] and outer[1] <= inner[1] and inner[2] <= outer[2]


def _hit(term: Directive, rng: Range, earlier: Directive, earlier_rng: Range,
         ctx: RuleContext) -> Hit | None:
    written = ctx.text[term.span.start:term.span.end]
    first = ctx.text[earlier.span.start:earlier.span.end]
    where = f"'{first}' at column {earlier.span.column}"
    same = term.result_qualifier == earlier.result_qualifier
    if _inside(rng, earlier_rng):
        if same:
            return Hit(
                term.span,
                f"'{written}' lies inside {where} and can never match",
                fix=Fix(f"remove '{written}'", (removal_edit(ctx.text, term.span),), safe=True),
            )
        return Hit(
            term.span,
            f"'{written}' lies inside {where}, which matches first: its "
            f"'{term.result_qualifier}' result never applies (the first match wins)",
            hint=f"to make an exception, write '{written}' before '{first}'",
        )
    if same and _inside(earlier_rng, rng):
        return Hit(
            term.span,
            f"'{written}' also covers the earlier {where}, which is then redundant",
            hint=f"remove '{first}' unless a term between them must match first",
        )
    return None


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    seen: list[tuple[Directive, Range]] = []
    keys: set[str] = set()
    for term in live_directives(record):
        mech = term.mechanism
        if not isinstance(mech, (IP4, IP6)):
            continue
        key = term_key(term, ctx.text)
        if key in keys:
            continue  # an exact repeat: SPF311
        keys.add(key)
        rng = int_range(mech)
        for earlier, earlier_rng in seen:
            # CIDR blocks either nest or do not meet: disjoint ones cannot matter.
            if earlier_rng[0] != rng[0] or earlier_rng[2] < rng[1] or rng[2] < earlier_rng[1]:
                continue
            hit = _hit(term, rng, earlier, earlier_rng, ctx)
            if hit is not None:
                yield hit
                break
        seen.append((term, rng))
