"""A target name in an octoDNS zone has no final dot, so octoDNS refuses the zone.

## What it does
Reports a target name written without the final dot in an octoDNS zone file: an MX
`exchange`, or the value of a CNAME, ALIAS, NS or PTR record. The finding's line and column
are those of the name in the file (the column counts the characters of that line).

spflint reads the name as written, `mail.example.com` as `mail.example.com.`, and never
appends the zone's name to it: octoDNS does not either.

## Why is this bad?
octoDNS wants every target absolute. Without the final dot it stops with `MX value
"mail.example.com" missing trailing .` and deploys nothing of the zone until it is fixed.
When the record is marked `octodns: {lenient: true}` octoDNS publishes the name as written
instead, and the finding is a warning: that is the name you meant only if you wrote it in
full, since `mail` stays `mail.`, a name at the top of the DNS tree, not
`mail.example.com.`. The BIND habit of names relative to the zone does not apply in octoDNS
YAML. (A zone configured `lenient` in octoDNS's own configuration is not seen by spflint.)

## Example
```text
'':
  type: MX
  value:
    exchange: mail.example.com
    preference: 10
```

## Use instead
```text
'':
  type: MX
  value:
    exchange: mail.example.com.
    preference: 10
```

## Fix safety
No automatic fix: end a full name with a dot, or write the full name (`mail` becomes
`mail.example.com.`) where you meant a name inside the zone.

## References
- RFC 1035 §5.1 (absolute and relative names in master files)
- RFC 7208 §5.4 (`mx` looks up the addresses of the MX exchanges)

## Examples
Okay: example.com.yaml {'': {type: MX, value: {exchange: mail.example.com., preference: 10}}}
SPF601: example.com.yaml {'': {type: MX, value: {exchange: mail.example.com, preference: 10}}}
SPF601: example.com.yaml {www: {type: CNAME, value: example.com}}
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF601"
NAME = "relative-target"
SUMMARY = "A target name in an octoDNS zone has no final dot, so octoDNS refuses the zone."
SEVERITY = Severity.ERROR
SCOPE = "zone"
