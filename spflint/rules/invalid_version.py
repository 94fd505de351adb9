"""The record does not start with the exact version tag `v=spf1`.

## What it does
Reports a record whose version tag is missing or is a near miss: `v=spf10`, `v = spf1`,
`v:spf1`, a bare `spf1`, `v=spf2`, or any text in front of `v=spf1`.

## Why is this bad?
A TXT record is an SPF record only when it begins with exactly `v=spf1` followed by a space
or the end of the text. Receivers ignore a TXT record with any other start, so the domain
behaves as if it published no SPF policy at all (result `none`), and your intended policy is
never applied. `v=spf2` and the `spf2.0/` tags belong to the abandoned Sender ID
experiment and are not SPF.

## Example
```text
v=spf1.0 include:_spf.example.com -all
```

## Use instead
```text
v=spf1 include:_spf.example.com -all
```

## Fix safety
spflint offers a fix when the intent is clear: it rewrites a near-miss tag (`v = spf1`,
`v:spf1`, `spf1`) as `v=spf1` and removes text in front of `v=spf1`. The fix is unsafe:
it turns an ignored record into an enforced policy, which changes the result for every
sender. A `v=spf2` or `spf2.0/` record gets no fix.

## References
- RFC 7208 §4.5 (Selecting Records)
- RFC 7208 §12 (Collected ABNF)

## Examples
Okay: v=spf1 -all
Okay: V=SPF1 mx -all
SPF100: v=spf10 -all
SPF100: v = spf1 -all
SPF100: v:spf1 -all
SPF100: spf1 mx -all
SPF100: v=spf2 mx -all
SPF100: txt v=spf1 -all
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF100"
NAME = "invalid-version"
SUMMARY = "The record does not start with the exact version tag `v=spf1`."
SEVERITY = Severity.ERROR
SCOPE = "syntax"
