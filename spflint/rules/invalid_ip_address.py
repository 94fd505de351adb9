"""An `ip4` or `ip6` mechanism holds an address that is not valid for it.

## What it does
Reports `ip4:` addresses with an octet over 255, a leading zero (`192.168.01.1`), too few or
too many octets, an IPv6 address given to `ip4:` (or an IPv4 address to `ip6:`), and `ip6:`
text that is not an RFC 4291 address.

## Why is this bad?
An address the grammar does not accept makes the whole record a permanent error. Leading
zeros are rejected because some software reads them as octal, so `010` could mean 8 or 10.

## Example
```text
v=spf1 ip4:192.168.01.1 ip4:2001:db8::1 -all
```

## Use instead
```text
v=spf1 ip4:192.168.1.1 ip6:2001:db8::1 -all
```

## Fix safety
For an IPv6 address written with `ip4:` (or an IPv4 address with `ip6:`) spflint offers to
change the mechanism name. The fix is unsafe: the record stops being a permanent error and
starts authorising that address. Other bad addresses get no fix: which address was meant
cannot be known.

## References
- RFC 7208 §5.6 (ip4 and ip6)
- RFC 4291 §2.2 (Text Representation of Addresses)

## Examples
Okay: v=spf1 ip4:192.0.2.1 ip6:2001:db8::1 -all
Okay: v=spf1 ip6:::ffff:192.0.2.1 -all
SPF104: v=spf1 ip4:300.1.1.1 -all
SPF104: v=spf1 ip4:192.168.01.1 -all
SPF104: v=spf1 ip4:2001:db8::1 -all
SPF104: v=spf1 ip6:2001:db8:::1 -all
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF104"
NAME = "invalid-ip-address"
SUMMARY = "An `ip4` or `ip6` mechanism holds an address that is not valid for it."
SEVERITY = Severity.ERROR
SCOPE = "syntax"
