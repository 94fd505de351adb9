"""An include target looks like Microsoft 365's SPF domain but is not it.

## What it does
Checks the targets of `include:` and `redirect=` against the domains Microsoft publishes for
Exchange Online: `spf.protection.outlook.com` (worldwide), `spf.protection.office365.us`
(GCC High and DoD) and `spf.protection.partner.outlook.cn` (operated by 21Vianet). A final dot
is fine. It reports targets that are close but wrong:

- misspellings within two edits (`spf.protection.outlok.com`, `spf.protection.outlook.co`);
- the right name with more appended (`spf.protection.outlook.com.example.com`);
- other Microsoft names: `protection.outlook.com`, a tenant's MX host
  (`contoso-com.mail.protection.outlook.com`), `spf.protection.office365.com`, `office.com`...

It never fires on Microsoft's own SPF names (`spfd.protection.outlook.com`,
`spf-a.outlook.com`, `spf2.outlook.com`, `spf-a.hotmail.com`: a name under `outlook.com`,
`hotmail.com` or `protection.outlook.com` whose first label starts with `spf`), nor in the
records of Microsoft's own domains. `include:outlook.com` and `include:hotmail.com` are
Outlook.com's consumer SPF names, right for a domain whose mail Outlook.com hosts: SPF227
reports them only when the domain's mail is in Exchange Online.

## Why is this bad?
The include must resolve to Microsoft's SPF record, or Exchange Online's servers are not
authorised: mail sent through Microsoft 365 then fails SPF. A name that does not exist is
also a void lookup that ends evaluation in `permerror` (RFC 7208 §5.2), and a consumer domain
like `outlook.com` authorises the wrong servers.

## Example
```text
v=spf1 include:spf.protection.outlook.co -all
```

## Use instead
```text
v=spf1 include:spf.protection.outlook.com -all
```

## Fix safety
The fix replaces the target with the nearest genuine Microsoft 365 name and is unsafe: it
changes which servers are authorised. Check which Microsoft cloud the tenant is in.

## References
- RFC 7208 §5.2 (include)
- RFC 7208 §4.6.4 (DNS Lookup Limits: void lookups)

## Examples
Okay: v=spf1 include:spf.protection.outlook.com -all
Okay: v=spf1 include:spf.protection.outlook.com. -all
Okay: v=spf1 include:spf.protection.office365.us -all
Okay: v=spf1 include:spf.protection.partner.outlook.cn -all
Okay: v=spf1 include:spf-a.outlook.com include:spfd.protection.outlook.com -all
Okay: v=spf1 include:outlook.com -all
SPF317: v=spf1 include:spf.protection.outlook.co -all
SPF317: v=spf1 include:spf.protection.outlok.com -all
SPF317: v=spf1 include:office365.com -all
SPF317: v=spf1 include:spf.protection.outlook.com.example.com -all
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from ..ast import Directive, Include, MacroString, Record, Redirect
from ..findings import Edit, Fix, Severity
from .base import Hit, RuleContext
from .unknown_modifier import edit_distance

CODE = "SPF317"
NAME = "m365-lookalike"
SUMMARY = "An include target looks like Microsoft 365's SPF domain but is not it."
SEVERITY = Severity.ERROR
SCOPE = "record"

WORLDWIDE = "spf.protection.outlook.com"
GCC_HIGH = "spf.protection.office365.us"
CHINA = "spf.protection.partner.outlook.cn"
GENUINE = frozenset({WORLDWIDE, GCC_HIGH, CHINA})

# Microsoft domains people include by mistake instead of the Exchange Online SPF name
# (outlook.com and hotmail.com themselves are Outlook.com's consumer SPF names: SPF227).
_MICROSOFT = ("outlook.com", "office365.com", "office.com", "hotmail.com", "outlook.cn",
              "office365.us")
CONSUMER = frozenset({"outlook.com", "hotmail.com"})
# Where Microsoft publishes its own SPF names (spfd.protection.outlook.com, spf-a.outlook.com,
# spf2.outlook.com, spf-a.hotmail.com...), and the domains whose records are Microsoft's.
_OWN_SPF_PARENTS = ("outlook.com", "hotmail.com", "protection.outlook.com")
_MICROSOFT_OWNERS = ("outlook.com", "hotmail.com", "microsoft.com", "office365.com",
                     "office.com", "live.com", "msn.com", "outlook.cn", "office365.us")


def microsoft_own(target: str) -> bool:
    """Whether ``target`` is one of Microsoft's own SPF names (its first label ``spf...``
    right under one of Microsoft's mail domains)."""
    label, _, parent = target.partition(".")
    return label.startswith("spf") and parent in _OWN_SPF_PARENTS


def _under(name: str | None, domains: tuple[str, ...]) -> bool:
    return name is not None and any(name == d or name.endswith("." + d) for d in domains)
_GLUED_ALL = re.compile(r"-all$", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def lookalike(target: str) -> bool:
    """True when ``target`` (lower-case, without a final dot) imitates a genuine name."""
    if target in GENUINE or target in CONSUMER or microsoft_own(target):
        return False
    if _GLUED_ALL.search(target) and _GLUED_ALL.sub("", target) in GENUINE:
        return False  # `include:spf.protection.outlook.com-all`: SPF318 explains it
    # Two edits change the length by at most two: skip the distance for other lengths.
    if abs(len(target) - len(WORLDWIDE)) <= 2 and edit_distance(target, WORLDWIDE, 2) <= 2:
        return True
    if any(target.startswith(name + ".") for name in GENUINE):
        return True
    labels = target.split(".")
    if "protection" in labels and ("outlook" in labels or "office365" in labels):
        return True
    return any(target == name or target.endswith("." + name) for name in _MICROSOFT)


def suggestion(target: str) -> str:
    if target.endswith(".cn"):
        return CHINA
    if target.endswith(".us"):
        return GCC_HIGH
    return WORLDWIDE


def _target(domain: MacroString, text: str) -> str | None:
    if domain.is_dynamic:
        return None
    return text[domain.span.start:domain.span.end].lower().removesuffix(".")


def check(record: Record, ctx: RuleContext) -> Iterator[Hit]:
    owner = None if ctx.domain is None else ctx.domain.lower().rstrip(".")
    if _under(owner, _MICROSOFT_OWNERS):
        return  # Microsoft's own records name Microsoft's own hosts
    for term in record.terms:
        mech = term.mechanism if isinstance(term, Directive) else term
        if not isinstance(mech, (Include, Redirect)):
            continue
        target = _target(mech.domain, ctx.text)
        if target is None or not lookalike(target):
            continue
        good = suggestion(target)
        span = mech.domain.span
        yield Hit(
            term.span,
            f"'{mech.domain}' looks like Microsoft 365's SPF domain but is not it: mail sent "
            "through Exchange Online will not be authorised",
            hint=f"did you mean '{good}'? (worldwide: {WORLDWIDE}; GCC High: {GCC_HIGH}; "
                 f"21Vianet: {CHINA})",
            fix=Fix(f"replace with '{good}'", (Edit(span.start, span.end, good),), safe=False),
        )
