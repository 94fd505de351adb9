"""A domain name argument is not a valid domain-spec.

## What it does
Reports a domain argument with an empty label (`foo..example.com`, a leading dot), a label
longer than 63 octets, a name longer than 253 octets, or no valid top label: the last label
must contain a letter, as in `example.com`, not `example` alone or `example.123`.

## Why is this bad?
An invalid domain-spec makes the whole record a permanent error. A single-label name such as
`include:spf` is a frequent mistake: it was meant to be a full name like `spf.example.com`.

## Example
```text
v=spf1 include:_spf..example.com a:mail -all
```

## Use instead
```text
v=spf1 include:_spf.example.com a:mail.example.com -all
```

## Fix safety
No automatic fix: the intended name cannot be known.

## References
- RFC 7208 §4.8 (Domain Specification)
- RFC 7208 §12 (Collected ABNF: `domain-spec`, `toplabel`)
- RFC 1035 §2.3.4 (Size limits)

## Examples
Okay: v=spf1 include:_spf.example.com a:mail.example.com. -all
Okay: v=spf1 exists:%{i}._spf.%{d} -all
SPF106: v=spf1 include:example -all
SPF106: v=spf1 a:mail.example.123 -all
SPF106: v=spf1 include:_spf..example.com -all
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF106"
NAME = "invalid-domain-spec"
SUMMARY = "A domain name argument is not a valid domain-spec."
SEVERITY = Severity.ERROR
SCOPE = "syntax"
