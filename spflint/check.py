"""Whole-domain check: walk the SPF tree, run every rule on it, report coverage."""

from __future__ import annotations

from collections.abc import Iterator

from .ast import Span
from .config import Config
from .findings import Finding
from .lint import lint_record, make_finding
from .rules import registry
from .rules.base import TreeContext, TreeHit
from .tree import Tree, TreeNode


def owned_nodes(tree: Tree) -> Iterator[TreeNode]:
    """Nodes whose records the domain's owner controls: the root and names below it.

    Static rules run on these only; a provider's record (``include:sendgrid.net``) is not
    the user's to fix, so its style findings would be noise.
    """
    root = tree.root.name
    for node in tree.nodes():
        if node.name == root or node.name.endswith("." + root):
            yield node


def lint_tree(tree: Tree, config: Config) -> list[Finding]:
    """Findings for a walked tree: static rules on owned records, DNS rules on the tree."""
    findings: list[Finding] = []
    for node in owned_nodes(tree):
        if node.record is None or node.duplicate_of is not None:
            continue
        result = lint_record(node.record, config, strings=node.strings or None, domain=node.name)
        findings.extend(f.located(domain=node.name) for f in result.findings)
    for rule in registry():
        if rule.scope != "dns" or rule.check is None or not config.enabled(rule):
            continue
        ctx = TreeContext(options=config.options_for(rule))
        for hit in rule.check(tree, ctx):
            findings.append(tree_finding(rule.code, hit, config))
    return findings


def tree_finding(code: str, hit: TreeHit, config: Config) -> Finding:
    """The finding for one DNS-rule hit: domain from the node, column from the span."""
    rule = registry().get(code)
    node = hit.node
    text = (node.record or "") if node is not None else ""
    span: Span | None = hit.span if text else None
    finding = make_finding(rule, config, text, span, hit.message, hit.severity, hint=hit.hint,
                           fix=hit.fix, extra=hit.extra)
    return finding.located(domain=None if node is None else node.name,
                           term=hit.term or finding.term)
