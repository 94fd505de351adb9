"""Two terms are written together with no space between them.

## What it does
Reports a term that runs straight into the next one, such as `ip4:192.0.2.1~all` or
`include:_spf.example.com~all`. The position reported is where the second term starts.
(`include:_spf.example.com-all` is not reported: `com-all` is a valid top label, so the
text is one well-formed term naming the domain `_spf.example.com-all`.)

## Why is this bad?
Without the space, the text is read as one term with an invalid argument, so the record is a
permanent error and none of it takes effect. The mistake is easy to make when editing a record
by hand and easy to miss when reading it.

## Example
```text
v=spf1 ip4:192.0.2.1~all
```

## Use instead
```text
v=spf1 ip4:192.0.2.1 ~all
```

## Fix safety
spflint offers to insert the missing space. The fix is unsafe: the record stops being a
permanent error, and a glued term could also be a typo in the first term's argument.

## References
- RFC 7208 §4.6.1 (Term Evaluation)
- RFC 7208 §12 (Collected ABNF)

## Examples
Okay: v=spf1 ip4:192.0.2.1 ~all
SPF103: v=spf1 ip4:192.0.2.1~all
SPF103: v=spf1 ip4:192.0.2.0/24-all
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF103"
NAME = "glued-terms"
SUMMARY = "Two terms are written together with no space between them."
SEVERITY = Severity.ERROR
SCOPE = "syntax"
