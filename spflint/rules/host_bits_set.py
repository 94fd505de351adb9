"""An `ip4:`/`ip6:` range with host bits set: the address is not the network's start.

## What it does
Finds `ip4:` and `ip6:` mechanisms with a prefix length whose address has bits set after the
prefix, such as `ip4:192.0.2.1/24`.

## Why is this bad?
Evaluators compare only the first prefix-length bits (RFC 7208 §5.6), so
`ip4:192.0.2.1/24` authorises all of `192.0.2.0/24`. Often the author meant the single host
`192.0.2.1` and authorised 255 other addresses by accident; sometimes the network was meant
and the address was mistyped. Either way the record does not say what it does.

## Example
```text
v=spf1 ip4:192.0.2.1/24 -all
```

## Use instead
```text
v=spf1 ip4:192.0.2.0/24 -all
```

## Fix safety
The fix rewrites the address to the network address (`ip4:192.0.2.0/24`), which matches what
RFC 7208 evaluators already do. It is marked unsafe because it cements the broad reading: if
the single host was meant, narrow the prefix by hand instead, which changes who passes.

## References
- RFC 7208 §5.6 (ip4 and ip6)

## Examples
Okay: v=spf1 ip4:192.0.2.0/24 -all
Okay: v=spf1 ip4:192.0.2.1 -all
SPF315: v=spf1 ip4:192.0.2.1/24 -all
SPF315: v=spf1 ip6:2001:db8::1/64 -all
"""

from __future__ import annotations

from collections.abc import Iterator

from ..ast import IP4, IP6, Record
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext

CODE = "SPF315"
NAME = "host-bits-set"
SUMMARY = "An `ip4:`/`ip6:` range with host bits set: the address is not the network's start."
SEVERITY = Severity.WARNING
SCOPE = "record"


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    for term in record.directives:
        mech = term.mechanism
        if not isinstance(mech, (IP4, IP6)) or mech.prefix is None:
            continue
        bits = 32 if isinstance(mech, IP4) else 128
        if not int(mech.address) & ((1 << (bits - mech.prefix)) - 1):
            continue  # no host bits
        network = mech.network
        written = ctx.text[term.span.start:term.span.end]
        host = f"{mech.kind}:{mech.address}"
        net = f"{mech.kind}:{network}"
        size = (f"{network.num_addresses:,}" if isinstance(mech, IP4)
                else f"2^{128 - network.prefixlen}")
        yield Hit(
            term.span,
            f"'{written}' has host bits set: evaluators match the whole {network} "
            f"({size} addresses), not just {mech.address}",
            hint=f"write '{host}' for the single host, or '{net}' for the network",
            fix=Fix(f"rewrite as '{net}'",
                    (Edit(mech.span.start, mech.span.end, net),), safe=False),
        )
