"""An entry of a zone file was skipped: spflint does not read it.

## What it does
Reports each entry of a zone file that spflint reads past without using it, so that nothing
is left out silently. In octoDNS zones: a record marked `octodns: {ignored: true}` (octoDNS
does not publish it either), a provider's own record type (`Provider/TYPE`; of
`Route53Provider/ALIAS` only the A and AAAA aliases are read), and a DNAME record. In BIND
master files: a record type or a directive the reader does not know, such as gdnsd's `DYNA`.
The line and column are those of the entry in the file (the column counts the characters of
that line).

Records of types SPF evaluation never asks for (CAA, SRV, SSHFP, ...) are read past without
a note.

## Why is this bad?
It is information rather than a defect. Offline, spflint answers from what it read: a name
whose addresses come only from a skipped entry has none for the `a` and `mx` mechanisms, an
SPF record in an ignored entry is not linted, and names below a DNAME are not redirected.
The note tells you which answers may differ from what DNS will give.

## Example
```text
'':
  type: TXT
  value: v=spf1 include:_spf.example.net -all
  octodns:
    ignored: true
```

## Use instead
```text
'':
  type: TXT
  value: v=spf1 include:_spf.example.net -all
```

## Fix safety
No automatic fix, and usually none is needed: the entry is skipped on purpose. Remove the
`ignored` mark when the record should be published and checked.

## References
- RFC 1035 §5 (master files)
- RFC 6672 (DNAME redirection)
- RFC 7208 §4.6.4 (DNS lookups made during evaluation)

## Examples
Okay: example.com.yaml {'': {type: TXT, value: v=spf1 -all}}
SPF602: example.com.yaml {'': {type: TXT, value: v=spf1 -all, octodns: {ignored: true}}}
SPF602: example.com.yaml {www: {type: Provider/FANCY, value: x}}
"""

from __future__ import annotations

from ..findings import Severity

CODE = "SPF602"
NAME = "zone-entry-skipped"
SUMMARY = "An entry of a zone file was skipped: spflint does not read it."
SEVERITY = Severity.INFO
SCOPE = "zone"
