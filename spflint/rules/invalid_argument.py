"""A term is missing its argument or has one it does not take.

## What it does
Reports mechanisms that require an argument written without one (`include`, `exists`,
`ip4:`, `ip6`), and mechanisms that take none written with one (`all:example.com`,
`-all:3030`).

## Why is this bad?
The record is a permanent error, so none of its terms take effect.

## Example
```text
v=spf1 include ip4: -all:3030
```

## Use instead
```text
v=spf1 include:_spf.example.com ip4:192.0.2.1 -all
```

## Fix safety
For `all` with an argument spflint offers to remove the argument; for `a:` or `mx:` with an
empty domain, to remove the colon. The fix is unsafe: the record stops being a permanent
error. A missing argument gets no fix: it cannot be guessed.

## References
- RFC 7208 §5 (Mechanism Definitions)
- RFC 7208 §12 (Collected ABNF)

## Examples
Okay: v=spf1 a mx include:_spf.example.com -all
SPF112: v=spf1 include -all
SPF112: v=spf1 ip4: -all
SPF112: v=spf1 all:example.com
SPF112: v=spf1 -all:3030
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF112"
NAME = "invalid-argument"
SUMMARY = "A term is missing its argument or has one it does not take."
SEVERITY = Severity.ERROR
SCOPE = "syntax"
