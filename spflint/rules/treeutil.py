"""Helpers the DNS-scope rules share: nodes with their parents, terms located in records."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..ast import Span, Term

if TYPE_CHECKING:  # the walk (asyncio, DNS) loads only when a tree is checked
    from ..tree import Tree, TreeNode


def with_parents(tree: Tree) -> Iterator[tuple[TreeNode | None, TreeNode]]:
    """Every node of the tree with its parent (None for the root), depth first in term order."""
    pending: list[tuple[TreeNode | None, TreeNode]] = [(None, tree.root)]
    while pending:
        parent, node = pending.pop()
        yield parent, node
        pending.extend((node, child) for child in reversed(node.children))


def once_per_name(tree: Tree) -> Iterator[TreeNode]:
    """The first node of each name (what was fetched for a name is the same on every path)."""
    seen: set[str] = set()
    for node in tree.nodes():
        if node.name not in seen:
            seen.add(node.name)
            yield node


def is_owned(tree: Tree, node: TreeNode) -> bool:
    """Whether the node's name is the checked domain or a name below it."""
    root = tree.root.name
    return node.name == root or node.name.endswith("." + root)


def term_text(node: TreeNode, term: Term) -> str:
    """The term as written in the node's record."""
    text = node.record or ""
    if term.span.end > term.span.start:
        return text[term.span.start:term.span.end]
    return term.render()


def find_term(node: TreeNode | None, written: str | None) -> Span | None:
    """The span of the term written ``written`` in the node's record, if it is there."""
    if node is None or node.parsed is None or not written or node.record is None:
        return None
    lowered = None
    for term in node.parsed.terms:
        text = term_text(node, term)
        if text == written:
            return term.span
        if lowered is None:
            lowered = written.lower()
        if text.lower() == lowered:
            return term.span
    return None


def first_node(tree: Tree, name: str) -> TreeNode | None:
    """The first node of ``name`` that carries its own terms, else the first of that name."""
    fallback = None
    for node in tree.nodes():
        if node.name == name:
            if node.walked:
                return node
            fallback = fallback or node
    return fallback


def parent_of(tree: Tree, target: TreeNode) -> TreeNode | None:
    """The node whose term reached ``target`` (None for the root)."""
    for parent, node in with_parents(tree):
        if node is target:
            return parent
    return None


def root_term_towards(tree: Tree, path: tuple[str, ...]) -> tuple[Span | None, str | None]:
    """The root record's term that leads along ``path`` (a node path from the root)."""
    if len(path) < 2:
        return None, None
    for child in tree.root.children:
        if child.name == path[1]:
            return find_term(tree.root, child.term), child.term
    return None, None


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 lookup``, ``3 lookups``."""
    return f"{count} {word if count == 1 else (many or word + 's')}"


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
