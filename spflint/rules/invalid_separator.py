"""Terms are separated by something other than spaces.

## What it does
Reports commas, semicolons, tabs, line breaks or other characters used between terms.
Only the space character (one or more) separates terms in an SPF record.

## Why is this bad?
A record such as `v=spf1 a,mx -all` does not contain the two mechanisms `a` and `mx`: the
text `a,mx` is one malformed term, so the whole record is a permanent error. Tabs and line
breaks often sneak in when a record is pasted from a document or a web form.

## Example
```text
v=spf1 ip4:192.0.2.1, include:_spf.example.com; -all
```

## Use instead
```text
v=spf1 ip4:192.0.2.1 include:_spf.example.com -all
```

## Fix safety
spflint offers to replace each bad separator with a space. The fix is unsafe: the record
stops being a permanent error, so the result changes for every sender.

## References
- RFC 7208 §4.6.1 (Term Evaluation)
- RFC 7208 §12 (Collected ABNF: `terms = *( 1*SP ( directive / modifier ) )`)

## Examples
Okay: v=spf1 a mx -all
Okay: v=spf1   a  mx -all
SPF102: v=spf1 a,mx -all
SPF102: v=spf1 a; mx -all
SPF102: v=spf1 a	mx -all
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF102"
NAME = "invalid-separator"
SUMMARY = "Terms are separated by something other than spaces."
SEVERITY = Severity.ERROR
SCOPE = "syntax"
