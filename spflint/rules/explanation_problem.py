"""The exp= target gives receivers no usable explanation.

## What it does
Checks the `exp=` modifier of the checked domain's record (and of records it redirects to;
receivers ignore `exp=` in included records, RFC 7208 §6.2). The target must exist and hold
exactly one TXT record whose text is a valid explain-string. Reported: a target that does
not exist, has no TXT record, has several, whose text is not a valid explain-string (a
stray `%`, non-ASCII), or whose TXT record is an SPF record (a common slip:
`exp=example.com`).

The target's TXT record is checked when the walk fetched it, or when the target is a name
the walk fetched anyway; an `exp=` with macros is not checked.

## Why is this bad?
When the explanation cannot be fetched or parsed, receivers drop it silently (§6.2): the
rejected sender gets the receiver's default text instead of yours. Pointing `exp=` at the
domain itself shows the SPF record to the rejected sender.

## Example
```text
example.com.       TXT "v=spf1 ip4:192.0.2.0/24 -all exp=example.com"
```

## Use instead
```text
example.com.       TXT "v=spf1 ip4:192.0.2.0/24 -all exp=explain._spf.example.com"
explain._spf.example.com. TXT "%{i} is not one of %{d}'s mail servers"
```

## Fix safety
No automatic fix: publish one TXT record with the explanation at the target, or remove the
`exp=` modifier.

## References
- RFC 7208 §6.2 (exp: Explanation)
- RFC 7208 §7.1 (Formal Specification: explain-string)

## Examples
Okay: example.com TXT "v=spf1 ip4:192.0.2.0/24 -all"
SPF224: example.com TXT "v=spf1 ip4:192.0.2.0/24 -all exp=example.com"
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..dns.base import Answer, Outcome
from ..dns.names import canonical
from ..errors import SpfSyntaxError
from ..findings import Severity
from ..macros import parse_explain_string
from ..parser import is_spf_record
from ..txt import record_text
from .base import TreeContext, TreeHit
from .treeutil import first_node, term_text

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree, TreeNode

CODE = "SPF224"
NAME = "explanation-problem"
SUMMARY = "The exp= target gives receivers no usable explanation."
SEVERITY = Severity.WARNING
SCOPE = "dns"

# The walk may store the TXT answer at a node's exp= target under this attribute.
EXP_ANSWER = "exp_answer"


def _evaluated(tree: Tree) -> Iterator[TreeNode]:
    """The root and the records it redirects to: the ones whose exp= receivers use."""
    node: TreeNode | None = tree.root
    while node is not None and node.walked:
        yield node
        node = next((c for c in node.children if c.via == "redirect"), None)


def _from_answer(target: str, answer: Answer) -> str | None:
    if answer.outcome is Outcome.NXDOMAIN:
        return f"{target} does not exist (NXDOMAIN)"
    if answer.outcome is Outcome.NODATA:
        return f"{target} has no TXT record"
    if answer.outcome is not Outcome.OK:
        return None  # a failed lookup says nothing about the record
    records = answer.txt_records()
    if len(records) > 1:
        return f"{target} has {len(records)} TXT records; receivers need exactly one"
    if not records:
        return f"{target} has no TXT record"
    text = record_text(records[0])
    if is_spf_record(text):
        return f"the TXT record at {target} is an SPF record ('{text}'), not an explanation"
    try:
        parse_explain_string(text)
    except SpfSyntaxError as exc:
        reason = exc.problems[0].message
        return f"the TXT record at {target} is not a valid explain-string: {reason}"
    return None


def _from_tree(tree: Tree, target: str) -> str | None:
    """What the tree already knows about ``target`` when the walk fetched it for another term."""
    known = first_node(tree, target)
    if known is None or known.outcome is None:
        return None
    if known.outcome is Outcome.NXDOMAIN:
        return f"{target} does not exist (NXDOMAIN)"
    if known.outcome is Outcome.NODATA:
        return f"{target} has no TXT record"
    if known.outcome is not Outcome.OK:
        return None
    count = len(known.spf_records) + len(known.near_misses)
    if count > 1:
        return f"{target} has at least {count} TXT records; receivers need exactly one"
    if known.spf_records:
        return (f"the TXT record at {target} is an SPF record ('{known.spf_records[0]}'), "
                "not an explanation")
    return None


def check(tree: Tree, ctx: TreeContext) -> Iterator[TreeHit]:
    for node in _evaluated(tree):
        if node.parsed is None or node.parsed.explanation is None:
            continue
        exp = node.parsed.explanation
        answer = getattr(node, EXP_ANSWER, None)
        if isinstance(answer, Answer):
            why = _from_answer(answer.name, answer)
        elif exp.domain.is_dynamic:
            continue
        else:
            why = _from_tree(tree, canonical(exp.domain.render()))
        if why is None:
            continue
        written = term_text(node, exp)
        if "is an SPF record" in why:
            effect = "rejected senders are shown the SPF record as the explanation"
        else:
            effect = "receivers drop the explanation and show their own text"
        yield TreeHit(
            node,
            f"'{written}': {why}; {effect} (RFC 7208 §6.2)",
            span=exp.span,
            term=written,
            hint="publish one TXT record with the explanation text at the target, or remove "
                 "the exp= modifier",
        )
