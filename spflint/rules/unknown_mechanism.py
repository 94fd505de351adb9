"""A term is not a mechanism or modifier that SPF defines.

## What it does
Reports a term that is neither one of the eight mechanisms (`all`, `include`, `a`, `mx`,
`ptr`, `ip4`, `ip6`, `exists`) nor a modifier of the form `name=value`. Common cases are
`ipv4:` (meant `ip4:`), `ipv6:`, `ip:`, and misspellings such as `inlcude` or `prt`.

## Why is this bad?
An unrecognised mechanism makes the whole record a permanent error: receivers stop
evaluating it and every message from the domain gets `permerror`, which many receivers treat
like a failure. None of the record's other terms take effect.

## Example
```text
v=spf1 ipv4:192.0.2.0/24 -all
```

## Use instead
```text
v=spf1 ip4:192.0.2.0/24 -all
```

## Fix safety
When the term is a known misspelling or close to a mechanism name (`ipv4` → `ip4`, `prt` →
`ptr`, `inlcude` → `include`), spflint offers to replace the name. The fix is unsafe: the
record stops being a permanent error and starts authorising senders, and only the domain
owner knows what was meant.

## References
- RFC 7208 §5 (Mechanism Definitions)
- RFC 7208 §4.6.1 (Term Evaluation)

## Examples
Okay: v=spf1 ip4:192.0.2.0/24 include:_spf.example.com -all
Okay: v=spf1 foo=bar -all
SPF101: v=spf1 ipv4:192.0.2.0/24 -all
SPF101: v=spf1 ipv6:2001:db8::/32 -all
SPF101: v=spf1 ip:192.0.2.1 -all
SPF101: v=spf1 inlcude:_spf.example.com -all
SPF101: v=spf1 prt -all
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF101"
NAME = "unknown-mechanism"
SUMMARY = "A term is not a mechanism or modifier that SPF defines."
SEVERITY = Severity.ERROR
SCOPE = "syntax"
