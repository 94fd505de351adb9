"""octoDNS would refuse this entry of the zone file, or drop it without a word.

## What it does
Checks each record of an octoDNS zone as octoDNS validates it, and reports at the file's
line and column (the column counts the characters of that line) what octoDNS does not
accept: a record without `type`, a type octoDNS does not know (type names are case-sensitive:
`txt` is not `TXT`), a value of the wrong shape (an MX that is not a mapping with `exchange`
and `preference`, a TXT value that YAML reads as a number, a boolean or a date, an address
that is not one), an unescaped `;` or a non-ASCII character in a TXT value, a second record
of one type at one name, `@` as a name, a negative or non-numeric TTL, or a file of a split
zone or of an `!include` that is not YAML.

It is a warning where octoDNS goes on, but not as written: in a record marked
`octodns: {lenient: true}`, for a key given twice in a mapping (YAML keeps the last one),
for `value` beside `values` (octoDNS reads `values` only), and for a `*.yml` file in a split
zone's directory (octoDNS reads the `*.yaml` files only).

spflint reads every other record of the zone and lints their SPF records. The faulty value
itself is left out, unless its meaning is plain (a negative TTL, a CNAME at the apex).

## Why is this bad?
octoDNS stops at the first such record and deploys nothing of the zone, so one typo in an
unrelated record blocks every change, SPF fixes included. An entry octoDNS drops is worse:
nothing fails, and the record never reaches DNS.

## Example
```text
'':
  - type: txt
    value: v=spf1 include:_spf.example.net -all
  - type: MX
    value: 10 mail.example.com.
```

## Use instead
```text
'':
  - type: MX
    value:
      exchange: mail.example.com.
      preference: 10
  - type: TXT
    value: v=spf1 include:_spf.example.net -all
```

## Fix safety
No automatic fix: write the record the way the message says.

## References
- RFC 1035 §3.3 (standard resource records)
- RFC 7208 §3.3 (multiple strings in a TXT record)

## Examples
Okay: example.com.yaml {'': {type: TXT, value: v=spf1 -all}}
SPF603: example.com.yaml {'': {type: txt, value: v=spf1 -all}}
SPF603: example.com.yaml {'': {type: MX, value: 10 mail.example.com.}}
SPF603: example.com.yaml {'': [{type: TXT, value: v=spf1 -all}, {type: TXT, value: v=spf1 mx -all}]}
SPF603: example.com.yaml '':\\n  type: TXT\\n  value: v=spf1 -all\\n'':\\n  type: A\\n  value: 192.0.2.1
"""  # noqa: E501

from __future__ import annotations

from ..findings import Severity

CODE = "SPF603"
NAME = "invalid-zone-record"
SUMMARY = "octoDNS would refuse this entry of the zone file, or drop it without a word."
SEVERITY = Severity.ERROR
SCOPE = "zone"
