"""The record contains a character that SPF does not allow.

## What it does
Reports non-ASCII characters (curly quotes, non-breaking spaces, letters with accents,
zero-width spaces) and control characters anywhere in the record. The position reported is
the character's own column.

## Why is this bad?
SPF records are restricted to printable ASCII and spaces; any other character makes the
record a permanent error. Such characters are invisible or look like ordinary ones, and usually
come from copying a record out of a word processor, a chat message or a web page.

## Example
```text
v=spf1 include:_spf.example.com –all
```
(The dash before `all` is an en dash, U+2013, not a hyphen-minus.)

## Use instead
```text
v=spf1 include:_spf.example.com -all
```

## Fix safety
No automatic fix.

## References
- RFC 7208 §3.3 (Multiple Strings in a Single DNS Record)
- RFC 7208 §12 (Collected ABNF)

## Examples
Okay: v=spf1 include:_spf.example.com -all
SPF109: v=spf1 include:_spf.exämple.com -all
SPF109: v=spf1 a:mail.example.com –all
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF109"
NAME = "invalid-character"
SUMMARY = "The record contains a character that SPF does not allow."
SEVERITY = Severity.ERROR
SCOPE = "syntax"
