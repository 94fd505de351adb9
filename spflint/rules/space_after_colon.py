"""A space follows the `:` or `=` of a term.

## What it does
Reports a term like `include: _spf.example.com` or `redirect= _spf.example.com`, where a
space separates the delimiter from the argument.

## Why is this bad?
Spaces separate terms, so `include:` and `_spf.example.com` are read as two terms: an
`include` with no argument and an unknown term. The record is a permanent error.

## Example
```text
v=spf1 include: _spf.example.com -all
```

## Use instead
```text
v=spf1 include:_spf.example.com -all
```

## Fix safety
spflint offers to remove the space. The fix is unsafe: the record stops being a permanent
error, so the result changes for every sender.

## References
- RFC 7208 §4.6.1 (Term Evaluation)
- RFC 7208 §12 (Collected ABNF)

## Examples
Okay: v=spf1 include:_spf.example.com -all
SPF110: v=spf1 include: _spf.example.com -all
SPF110: v=spf1 ip4: 192.0.2.1 -all
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF110"
NAME = "space-after-colon"
SUMMARY = "A space follows the `:` or `=` of a term."
SEVERITY = Severity.ERROR
SCOPE = "syntax"
