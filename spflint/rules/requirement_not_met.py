"""A requirement you stated is not met: an address does not pass, or a term is missing.

## What it does
Reports each coverage requirement that fails: an address given with `--ip` (or under
`[tool.spflint.require]`) that does not get `pass`, a term given with `--require` that is not
part of the effective policy, a `--profile` requirement (such as Microsoft 365 relay's MX
and `~all`), and a flattened include whose ranges drifted from a `--snapshot`. The message
says what the policy gives instead and the hint the single change that would meet it.

## Why is this bad?
These are the facts you said must hold. A relay address that does not pass SPF is the
classic reason mail from a printer or an application lands in junk or bounces, even when
every rule is clean; a CI gate that checks them keeps the record from regressing.

## Example
```text
spflint check example.com --ip 203.0.113.25    (the record does not list 203.0.113.25)
```

## Use instead
```text
example.com.  TXT "v=spf1 ip4:203.0.113.25 include:spf.protection.outlook.com -all"
```

## Fix safety
No automatic fix from `check`: `spflint fix DOMAIN --ip ADDRESS --require TERM` writes the
record with what is missing added, and proves that no other address changes result.

## References
- RFC 7208 §4 (The check_host() Function)
- RFC 7208 §5 (Mechanism Definitions)

## Examples
Okay: example.com TXT "v=spf1 ip4:192.0.2.0/24 -all" --ip 192.0.2.25
SPF501: example.com TXT "v=spf1 ip4:192.0.2.0/24 -all" --ip 203.0.113.25
SPF501: example.com TXT "v=spf1 -all" --require include:spf.protection.outlook.com
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF501"
NAME = "requirement-not-met"
SUMMARY = "A requirement you stated is not met: an address does not pass, or a term is missing."
SEVERITY = Severity.ERROR
SCOPE = "requirement"
