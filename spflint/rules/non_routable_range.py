"""An `ip4:`/`ip6:` range lies in special-purpose space that cannot reach the Internet.

## What it does
Finds `ip4:` and `ip6:` mechanisms whose whole range lies inside special-purpose address
space: private networks (RFC 1918), shared CGNAT space (100.64.0.0/10), loopback,
link-local, documentation ranges, benchmarking, multicast, reserved and broadcast addresses,
"this network" (0.0.0.0/8), IPv6 unique-local (fc00::/7), discard-only, unspecified and
IPv4-mapped addresses. The message names the exact category.

Documentation ranges (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32,
3fff::/20) are allowed when the option `allow-documentation` is true, for examples and tests.

## Why is this bad?
Receivers on the Internet never see a connection from these addresses, so the term cannot
authorise real mail; it usually means an internal relay was listed instead of the public
address it sends from (after NAT), or an example was copied verbatim. It also tells the world
about internal network layout. An `ip6:` written as an IPv4-mapped address
(`::ffff:192.0.2.1`) never matches either: clients connecting over IPv4 are checked against
`ip4:` terms (RFC 7208 §5).

## Example
```text
v=spf1 ip4:10.0.0.0/8 ip4:40.92.0.0/15 -all
```

## Use instead
```text
v=spf1 ip4:40.92.0.0/15 -all
```

## Fix safety
The fix removes the term and is unsafe: a receiver inside the same private network (an
internal relay checking SPF) would stop passing those hosts. List the public address they
send from instead.

## References
- RFC 7208 §5 (Mechanism Definitions: IPv4-mapped addresses)
- RFC 7208 §5.6 (ip4 and ip6)
- RFC 6890 (Special-Purpose IP Address Registries)
- RFC 1918 (private), RFC 6598 (shared), RFC 5737 and RFC 3849 (documentation)

## Examples
Okay: v=spf1 ip4:40.92.0.0/15 -all
Okay: v=spf1 ip4:0.0.0.0/1 -all
SPF314: v=spf1 ip4:192.168.1.10 -all
SPF314: v=spf1 ip4:100.64.12.0/24 -all
SPF314: v=spf1 ip6:fd00::/8 -all
SPF314: v=spf1 ip4:192.0.2.0/24 -all
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from ..ast import IP4, IP6, Record
from ..findings import Fix, Severity
from .base import Hit, RuleContext
from .overlapping_ranges import Range, int_range
from .terms_after_all import removal_edit

CODE = "SPF314"
NAME = "non-routable-range"
SUMMARY = "An `ip4:`/`ip6:` range lies in special-purpose space that cannot reach the Internet."
SEVERITY = Severity.WARNING
SCOPE = "record"
OPTIONS = {"allow-documentation": False}

_MAPPED_NET = ipaddress.IPv6Network("::ffff:0:0/96")
_MAPPED = (int(_MAPPED_NET.network_address), int(_MAPPED_NET.broadcast_address))

# (range, what it is, whether it is a documentation range). Narrower entries come first so
# the most specific name is reported (255.255.255.255 before 240.0.0.0/4).
_SPECIAL: tuple[tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, str, bool], ...] = tuple(
    (ipaddress.ip_network(net), phrase, doc)
    for net, phrase, doc in (
        ("0.0.0.0/8", "in 'this network' space (RFC 6890)", False),
        ("10.0.0.0/8", "in private network space (RFC 1918)", False),
        ("100.64.0.0/10", "in shared carrier-grade NAT space (RFC 6598)", False),
        ("127.0.0.0/8", "in loopback space (RFC 1122)", False),
        ("169.254.0.0/16", "in link-local space (RFC 3927)", False),
        ("172.16.0.0/12", "in private network space (RFC 1918)", False),
        ("192.0.2.0/24", "in documentation space TEST-NET-1 (RFC 5737)", True),
        ("192.168.0.0/16", "in private network space (RFC 1918)", False),
        ("198.18.0.0/15", "in benchmarking space (RFC 2544)", False),
        ("198.51.100.0/24", "in documentation space TEST-NET-2 (RFC 5737)", True),
        ("203.0.113.0/24", "in documentation space TEST-NET-3 (RFC 5737)", True),
        ("224.0.0.0/4", "in multicast space (RFC 5771)", False),
        ("255.255.255.255/32", "the limited broadcast address (RFC 919)", False),
        ("240.0.0.0/4", "in reserved space (RFC 1112)", False),
        ("::/128", "the unspecified address (RFC 4291)", False),
        ("::1/128", "the loopback address (RFC 4291)", False),
        ("100::/64", "in discard-only space (RFC 6666)", False),
        ("2001:db8::/32", "in documentation space (RFC 3849)", True),
        ("3fff::/20", "in documentation space (RFC 9637)", True),
        ("fc00::/7", "in unique-local space (RFC 4193)", False),
        ("fe80::/10", "in link-local space (RFC 4291)", False),
        ("ff00::/8", "in multicast space (RFC 4291)", False),
    )
)


# The same table as integer ranges, for speed: (version, first, last, phrase, documentation).
_RANGES: tuple[tuple[int, int, int, str, bool], ...] = tuple(
    (net.version, int(net.network_address), int(net.broadcast_address), phrase, doc)
    for net, phrase, doc in _SPECIAL
)


def category(rng: Range, allow_documentation: bool = False) -> str | None:
    """What special-purpose space the whole range lies in ("in private network space..."),
    or None when it is ordinary (or allowed documentation) space."""
    version, first, last = rng
    for special_version, low, high, phrase, is_doc in _RANGES:
        if special_version == version and low <= first and last <= high:
            return None if is_doc and allow_documentation else phrase
    return None


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    allow_doc = bool(ctx.options.get("allow-documentation", False))
    for term in record.directives:
        mech = term.mechanism
        if not isinstance(mech, (IP4, IP6)):
            continue
        rng = int_range(mech)
        mapped = rng[0] == 6 and _MAPPED[0] <= rng[1] and rng[2] <= _MAPPED[1]
        phrase = None if mapped else category(rng, allow_doc)
        if not mapped and phrase is None:
            continue
        written = ctx.text[term.span.start:term.span.end]
        remove = Fix(f"remove '{written}'", (removal_edit(ctx.text, term.span),), safe=False)
        if mapped:
            network = mech.network
            assert isinstance(network, ipaddress.IPv6Network)
            v4 = network.network_address.ipv4_mapped
            prefix = network.prefixlen - 96
            as_ip4 = f"ip4:{v4}" + ("" if prefix == 32 else f"/{prefix}")
            yield Hit(
                term.span,
                f"'{written}' is written as an IPv4-mapped IPv6 address: it never matches, "
                "because clients connecting over IPv4 are checked against ip4: terms "
                "(RFC 7208 §5)",
                hint=f"write '{as_ip4}' instead",
                fix=remove,
            )
            continue
        yield Hit(
            term.span,
            f"'{written}' is {phrase}: no mail from it reaches receivers on the Internet",
            hint="list the public address these hosts send from (after NAT)",
            fix=remove,
        )
