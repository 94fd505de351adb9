"""A macro in a domain argument is malformed or not allowed there.

## What it does
Reports an unknown macro letter (`%{x}`), the letters `c`, `r` and `t` outside `exp=`
explanation text (they are defined only there), a bare `%` not followed by `{`, `%`, `_`
or `-`, an unclosed `%{`, and the digit transformer `0` (`%{d0}`), which would keep no
labels.

## Why is this bad?
A malformed macro makes the whole record a permanent error. A bare `%` usually means a
literal percent sign was intended; write it as `%%`.

## Example
```text
v=spf1 exists:%{i}.%{x}._spf.example.com -all
```

## Use instead
```text
v=spf1 exists:%{i}._spf.example.com -all
```

## Fix safety
For a bare `%` spflint offers to escape it as `%%`. The fix is unsafe: the record stops
being a permanent error. Other macro errors get no fix.

## References
- RFC 7208 §7.1 (Formal Specification)
- RFC 7208 §7.2 (Macro Definitions)
- RFC 7208 §7.3 (Macro Processing Details)

## Examples
Okay: v=spf1 exists:%{ir}.%{l1r+-}._spf.%{d} -all
Okay: v=spf1 a:%{d2} -all
SPF107: v=spf1 exists:%{x}.example.com -all
SPF107: v=spf1 exists:%{c}.example.com -all
SPF107: v=spf1 a:50%.example.com -all
SPF107: v=spf1 exists:%{i.example.com -all
SPF107: v=spf1 a:%{d0} -all
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF107"
NAME = "invalid-macro"
SUMMARY = "A macro in a domain argument is malformed or not allowed there."
SEVERITY = Severity.ERROR
SCOPE = "syntax"
