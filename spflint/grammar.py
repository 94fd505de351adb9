"""pyparsing grammar for SPF records: one named expression per RFC 7208 §12 production.

The terminals are regular expressions assembled from the pattern strings below, so each
composite production matches exactly what the ABNF in ``grammar/spf.abnf`` allows while a
whole record still parses in one pass. The parse actions that build the syntax tree live in
``spflint.parser`` and are attached at the end of this module.

This module is the grammar's definition, but it is not on the parser's run-time path:
importing pyparsing and building these expressions costs more than parsing hundreds of
records. ``RUNTIME_PATTERNS`` composes the regular expressions the parser uses from the
productions below; ``scripts/gen_fastparse.py`` writes them to ``spflint/_fastparse.py``, and
tests/test_fastparse.py checks that the file is current and that both parse alike.
"""

from __future__ import annotations

import re

import pyparsing as pp

# --- pattern strings (shared by the fine-grained and the composite expressions) -------------

P_ALPHA = r"[A-Za-z]"
P_DIGIT = r"[0-9]"
P_ALPHANUM = r"[A-Za-z0-9]"
P_SP = r" "
P_QUALIFIER = r"[-+?~]"
P_QNUM = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9][0-9]|[0-9])"
P_IP4_NETWORK = rf"{P_QNUM}\.{P_QNUM}\.{P_QNUM}\.{P_QNUM}"
# RFC 4291 §2.2 text forms: hex groups and colons, optionally ending in a dotted quad. The
# exact shape is confirmed by the ``ipaddress`` module in the parse action.
P_IP6_NETWORK = r"[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*"
P_IP4_CIDR = r"/(?:0|[1-9][0-9]?)"
P_IP6_CIDR = r"/(?:0|[1-9][0-9]{0,2})"
P_DUAL_CIDR = rf"(?:{P_IP4_CIDR})?(?:/{P_IP6_CIDR})?"
P_MACRO_LETTER = r"[slodiphcrtvSLODIPHCRTV]"
P_TRANSFORMERS = r"[0-9]*[rR]?"
P_DELIMITER = r"[-.+,/_=]"
P_MACRO_EXPAND = rf"(?:%\{{{P_MACRO_LETTER}{P_TRANSFORMERS}{P_DELIMITER}*\}}|%[%_-])"
P_MACRO_LITERAL = r"[!-$&-~]"
P_MACRO_STRING = rf"(?:{P_MACRO_EXPAND}|{P_MACRO_LITERAL})*"
# The hyphenated alternative comes first so that a standalone match takes all of "a-1"
# (inside domain-end the regex would backtrack into it anyway).
P_TOPLABEL = (
    rf"(?:{P_ALPHANUM}+-[A-Za-z0-9-]*{P_ALPHANUM}"
    rf"|{P_ALPHANUM}*{P_ALPHA}{P_ALPHANUM}*)"
)
P_DOMAIN_END = rf"(?:\.{P_TOPLABEL}\.?|{P_MACRO_EXPAND})"
P_DOMAIN_SPEC = rf"{P_MACRO_STRING}{P_DOMAIN_END}"
P_NAME = r"[A-Za-z][A-Za-z0-9._-]*"
# A term ends at a space or at the end of the record.
P_END = r"(?= |\Z)"


def _regex(pattern: str, name: str) -> pp.Regex:
    expr = pp.Regex(pattern)
    expr.leave_whitespace()
    expr.set_name(name)
    return expr


def _named(expr: pp.ParserElement, name: str) -> pp.ParserElement:
    # Spaces are significant in SPF (only SP separates terms), so nothing skips whitespace.
    expr.leave_whitespace(recursive=False)
    expr.set_name(name)
    return expr


def _mechanism(name: str, body: str) -> pp.Regex:
    return _regex(rf"(?i:{name}){body}{P_END}", name)


# --- core rules (RFC 5234) -------------------------------------------------------------------

ALPHA = _regex(P_ALPHA, "ALPHA")
DIGIT = _regex(P_DIGIT, "DIGIT")
SP = _regex(P_SP, "SP")
alphanum = _regex(P_ALPHANUM, "alphanum")

# --- macro strings (§7.1) --------------------------------------------------------------------

macro_letter = _regex(P_MACRO_LETTER, "macro-letter")
transformers = _regex(P_TRANSFORMERS, "transformers")
delimiter = _regex(P_DELIMITER, "delimiter")
macro_expand = _regex(P_MACRO_EXPAND, "macro-expand")
macro_literal = _regex(P_MACRO_LITERAL, "macro-literal")
macro_string = _regex(P_MACRO_STRING, "macro-string")
explain_string = _regex(rf"(?:{P_MACRO_EXPAND}|{P_MACRO_LITERAL}| )*", "explain-string")

# --- domains and addresses (§4.6.1, §5.6) ----------------------------------------------------

toplabel = _regex(P_TOPLABEL, "toplabel")
domain_end = _regex(P_DOMAIN_END, "domain-end")
domain_spec = _regex(P_DOMAIN_SPEC, "domain-spec")
qnum = _regex(P_QNUM, "qnum")
ip4_network = _regex(P_IP4_NETWORK, "ip4-network")
ip6_network = _regex(P_IP6_NETWORK, "ip6-network")
ip4_cidr_length = _regex(P_IP4_CIDR, "ip4-cidr-length")
ip6_cidr_length = _regex(P_IP6_CIDR, "ip6-cidr-length")
dual_cidr_length = _regex(P_DUAL_CIDR, "dual-cidr-length")
name = _regex(P_NAME, "name")

# --- mechanisms (§5) -------------------------------------------------------------------------
# Named groups carry the parts to the parse actions. A domain-spec followed by a CIDR length
# is split by backtracking: the domain must end in a valid domain-end.

all_ = _mechanism("all", "")
include = _mechanism("include", rf":(?P<domain>{P_DOMAIN_SPEC})")
a = _mechanism(
    "a", rf"(?::(?P<domain>{P_DOMAIN_SPEC}))?(?P<cidr4>{P_IP4_CIDR})?(?:/(?P<cidr6>{P_IP6_CIDR}))?"
)
mx = _mechanism(
    "mx", rf"(?::(?P<domain>{P_DOMAIN_SPEC}))?(?P<cidr4>{P_IP4_CIDR})?(?:/(?P<cidr6>{P_IP6_CIDR}))?"
)
ptr = _mechanism("ptr", rf"(?::(?P<domain>{P_DOMAIN_SPEC}))?")
ip4 = _mechanism("ip4", rf":(?P<address>{P_IP4_NETWORK})(?P<cidr4>{P_IP4_CIDR})?")
ip6 = _mechanism("ip6", rf":(?P<address>{P_IP6_NETWORK})(?P<cidr6>{P_IP6_CIDR})?")
exists = _mechanism("exists", rf":(?P<domain>{P_DOMAIN_SPEC})")

qualifier = _regex(P_QUALIFIER, "qualifier")
mechanism = _named(pp.MatchFirst([all_, include, a, mx, ptr, ip4, ip6, exists]), "mechanism")
directive = _named(pp.Opt(qualifier) + mechanism, "directive")

# --- modifiers (§6) --------------------------------------------------------------------------

redirect = _regex(rf"(?i:redirect)=(?P<domain>{P_DOMAIN_SPEC}){P_END}", "redirect")
explanation = _regex(rf"(?i:exp)=(?P<domain>{P_DOMAIN_SPEC}){P_END}", "explanation")
unknown_modifier = _regex(
    rf"(?!(?i:redirect|exp)=)(?P<name>{P_NAME})=(?P<value>{P_MACRO_STRING}){P_END}",
    "unknown-modifier",
)
modifier = _named(pp.MatchFirst([redirect, explanation, unknown_modifier]), "modifier")

# --- record (§4.5, §12) ----------------------------------------------------------------------

version = _regex(rf"(?i:v=spf1){P_END}", "version")


def _renamed(pattern: str, prefix: str | None) -> str:
    """``pattern`` with its named groups anonymous (no prefix) or renamed ``<prefix><name>``."""
    return re.sub(r"\(\?P<(\w+)>", "(?:" if prefix is None else rf"(?P<{prefix}\1>", pattern)


def _anonymous(pattern: str) -> str:
    return _renamed(pattern, None)


# ``term`` is ``directive / modifier`` as one regular expression: a group per production,
# each built from that production's own pattern, so the two cannot disagree. One match per
# term is what makes whole-record parsing fast; the parser re-reads the parts of the matched
# production with that production's expression.
TERM_PRODUCTIONS: dict[str, pp.Regex] = {
    "include": include, "ip4": ip4, "all": all_, "a": a, "mx": mx, "ip6": ip6,
    "exists": exists, "ptr": ptr, "redirect": redirect, "explanation": explanation,
    "unknown_modifier": unknown_modifier,
}
_MECHANISM_KINDS = ("include", "ip4", "all", "a", "mx", "ip6", "exists", "ptr")
_MODIFIER_KINDS = ("redirect", "explanation", "unknown_modifier")


def _term_pattern(prefixed: bool) -> str:
    """``directive / modifier``: a group per production named after its kind; the production's
    own groups are anonymous, or (``prefixed``) renamed ``<kind>_<name>`` so that one match of
    a term carries every part."""
    def group(kind: str) -> str:
        pattern = str(TERM_PRODUCTIONS[kind].pattern)
        return f"(?P<{kind}>{_renamed(pattern, f'{kind}_' if prefixed else None)})"

    return (rf"(?:(?P<qualifier>{P_QUALIFIER})?(?:"
            + "|".join(group(k) for k in _MECHANISM_KINDS) + ")|"
            + "|".join(group(k) for k in _MODIFIER_KINDS) + ")")


P_TERM = _term_pattern(prefixed=False)
term = pp.Regex(P_TERM, as_match=True)
term.leave_whitespace()
term.set_name("term")
# Tabs are not separators in SPF: parse the text as it is, without tab expansion.
term.parse_with_tabs()
_spaces = _regex(r" +", "1*SP")
# ``*( 1*SP term )`` as one expression: the parser walks the terms of the match with
# ``SPACED_TERM_RE``, so a record costs a handful of pyparsing steps however long it is.
SPACED_TERM_RE = re.compile(rf" +{P_TERM}")
terms = pp.Regex(rf"(?: +{_anonymous(P_TERM)})*", as_match=True)
_named(terms, "terms")
terms.parse_with_tabs()
# ``record = version terms *SP`` as one expression built from those productions' patterns:
# one pyparsing step per record. The ``terms`` group is walked with ``SPACED_TERM_RE``.
record = pp.Regex(
    rf"(?i:v=spf1)(?P<terms>(?: +{_anonymous(P_TERM)})*) *\Z", as_match=True
)
_named(record, "record")
record.parse_with_tabs()

# The parser's run-time expressions, composed from the productions above (no pyparsing):
# ``record = version *( 1*SP term ) *SP`` is matched as the version, then one
# ``SPACED_TERM`` match per term, then nothing but spaces; each term's parts are the groups
# ``<kind>_<name>`` of its production. ``EXPLAIN_STRING`` is the explain-string production.
RUNTIME_PATTERNS: dict[str, str] = {
    "VERSION": str(version.pattern),
    "SPACED_TERM": rf" +{_term_pattern(prefixed=True)}",
    "EXPLAIN_STRING": str(explain_string.pattern),
}

# Productions of grammar/spf.abnf and the expression implementing each.
PRODUCTIONS: dict[str, pp.ParserElement] = {
    expr.customName: expr
    for expr in (
        record, version, terms, directive, qualifier, mechanism, all_, include, a, mx, ptr,
        ip4, ip6, exists, modifier, redirect, explanation, unknown_modifier, ip4_cidr_length,
        ip6_cidr_length, dual_cidr_length, ip4_network, qnum, ip6_network, domain_spec,
        domain_end, toplabel, alphanum, explain_string, macro_string, macro_expand,
        macro_literal, macro_letter, transformers, delimiter, name, ALPHA, DIGIT, SP,
    )
}


def _attach_tree_actions() -> None:
    # The tree-building actions are the parser's, so this grammar and the parser's run-time
    # expressions build the same trees; diagnose relies on them for the value checks.
    from . import parser

    term.set_parse_action(parser.term_action)
    terms.set_parse_action(parser.terms_action)
    record.set_parse_action(parser.record_action)


_attach_tree_actions()
