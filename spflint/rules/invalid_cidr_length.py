"""A CIDR prefix length is out of range, badly written, or not allowed on this term.

## What it does
Reports prefix lengths over 32 for IPv4 (`ip4:192.0.2.0/33`, `a/33`) or over 128 for IPv6,
lengths with leading zeros (`/024`), a dual CIDR (`/24//64`) on `ip4`, and any CIDR length
on `include`, `exists`, `ptr` or `all`, which take none.

## Why is this bad?
The record is a permanent error, so none of its terms take effect. A length with a leading
zero is rejected by the grammar even though its value looks right.

## Example
```text
v=spf1 ip4:192.0.2.0/024 include:_spf.example.com/24 -all
```

## Use instead
```text
v=spf1 ip4:192.0.2.0/24 include:_spf.example.com -all
```

## Fix safety
spflint offers to remove a CIDR length from a term that takes none (unsafe: the record
stops being a permanent error) and to drop the leading zero of a length such as `/024`,
which keeps the value the author wrote; that one is unsafe too, for the same reason: the
record starts to take effect. Out-of-range lengths get no fix: the intended range
cannot be known.

## References
- RFC 7208 §5.6 (ip4 and ip6)
- RFC 7208 §12 (Collected ABNF: `ip4-cidr-length`, `ip6-cidr-length`, `dual-cidr-length`)

## Examples
Okay: v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 a/24//64 -all
SPF105: v=spf1 ip4:192.0.2.0/33 -all
SPF105: v=spf1 ip6:2001:db8::/129 -all
SPF105: v=spf1 ip4:192.0.2.0/024 -all
SPF105: v=spf1 ip4:192.0.2.0/24//64 -all
SPF105: v=spf1 include:_spf.example.com/24 -all
SPF105: v=spf1 -all/0
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF105"
NAME = "invalid-cidr-length"
SUMMARY = "A CIDR prefix length is out of range, badly written, or not allowed on this term."
SEVERITY = Severity.ERROR
SCOPE = "syntax"
