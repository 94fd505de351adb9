"""An IP address is given where a domain name is expected.

## What it does
Reports `a:192.0.2.1`, `mx:192.0.2.1`, `include:192.0.2.1` and similar terms whose domain
argument is an IP address.

## Why is this bad?
The last label of a domain-spec must contain a letter, so an IPv4 address is not a valid
domain and the whole record is a permanent error. Even where an evaluator accepted it, `a:`
would look up A records of the name `192.0.2.1`, which does not exist. To authorise an address,
use `ip4:` or `ip6:`.

## Example
```text
v=spf1 a:192.0.2.1 -all
```

## Use instead
```text
v=spf1 ip4:192.0.2.1 -all
```

## Fix safety
For `a`, `mx` and `include` spflint offers to replace the mechanism with `ip4:` or `ip6:`
for the address given. The fix is unsafe: the record stops being a permanent error and
starts authorising that address.

## References
- RFC 7208 §5.3 (a)
- RFC 7208 §5.6 (ip4 and ip6)
- RFC 7208 §12 (Collected ABNF: `toplabel`)

## Examples
Okay: v=spf1 ip4:192.0.2.1 a:mail.example.com -all
SPF111: v=spf1 a:192.0.2.1 -all
SPF111: v=spf1 mx:192.0.2.1/24 -all
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF111"
NAME = "ip-address-as-domain"
SUMMARY = "An IP address is given where a domain name is expected."
SEVERITY = Severity.ERROR
SCOPE = "syntax"
