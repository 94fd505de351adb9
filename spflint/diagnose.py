"""Explain why a record text does not parse: positioned problems with "did you mean" fixes.

Runs only on the slow path, after the grammar has rejected the text. It re-reads the text term
by term so that every broken term is reported, not just the first, and so that typical
mistakes (``ipv4:``, ``include=``, commas, glued terms, a space after the colon) get a
specific message and, where the intent is clear, a fix.
"""

from __future__ import annotations

import difflib
import ipaddress
import re

import pyparsing as pp

from . import grammar as g
from .findings import Edit, Fix
from .parser import Problem

MECHANISMS = ("all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists")
MODIFIERS = ("redirect", "exp")
_TYPOS = {
    "ipv4": "ip4", "ipv6": "ip6", "ip4v": "ip4", "ip6v": "ip6", "ipv": "ip4",
    "inc": "include", "incl": "include", "includes": "include", "inlcude": "include",
    "prt": "ptr", "exist": "exists", "mxs": "mx", "al": "all",
}
_TERM_SPLIT = re.compile(r"[^ ]+")
_BAD_SEPARATORS = {",": "a comma", ";": "a semicolon", "\t": "a tab", "\n": "a line break",
                   "\r": "a carriage return"}
_NAME = re.compile(r"([-+~?]?)([A-Za-z0-9_.]*)")
_CIDR_TAIL = re.compile(r"(/[0-9]*)?(//[0-9]*)?$")
_MACRO = re.compile(r"%\{([^}]*)\}|%(.?)")
_MACRO_BODY = re.compile(r"([A-Za-z])([0-9]*)([rR]?)([-.+,/_=]*)$")
_LETTERS = set("slodiphcrtv")


def _term_ok(text: str) -> bool:
    try:
        g.term.parse_string(text, parse_all=True)
    except pp.ParseBaseException:
        return False
    except ValueError:  # pragma: no cover - defensive
        return False
    return True


def diagnose(text: str) -> list[Problem]:
    """Every problem that keeps ``text`` from being a valid SPF record, in text order."""
    problems: list[Problem] = []
    start = _diagnose_version(text, problems)
    if start is None:
        return problems or [Problem("SPF100", "not an SPF record: it must start with 'v=spf1'",
                                    0, min(len(text), 6))]
    tokens = [(m.start(), m.group()) for m in _TERM_SPLIT.finditer(text, start)]
    skip_next = False
    for i, (pos, token) in enumerate(tokens):
        if skip_next:
            skip_next = False
            continue
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None and _space_after_colon(token, nxt[1]):
            joined = token + nxt[1]
            problems.append(Problem(
                "SPF110", f"space after the colon in '{token} {nxt[1]}'",
                pos + len(token), nxt[0],
                hint=f"write '{joined}'",
                fix=Fix("remove the space", (Edit(pos + len(token), nxt[0], ""),), safe=False)))
            skip_next = True
            continue
        if not _term_ok(token):
            problems.extend(_diagnose_term(token, pos))
    if not problems:
        problems.append(_fallback(text))
    return problems


def _fallback(text: str) -> Problem:
    try:
        g.record.parse_string(text, parse_all=True)
    except pp.ParseBaseException as exc:
        loc = exc.loc
        end = text.find(" ", loc)
        return Problem("SPF101", f"cannot parse '{text[loc:end if end >= 0 else None]}'",
                       loc, len(text) if end < 0 else end)
    except ValueError:  # pragma: no cover - defensive
        pass
    return Problem("SPF101", "cannot parse the record", 0, len(text))


def _space_after_colon(token: str, following: str) -> bool:
    """``include: example.com``: a name ending in its delimiter, then a domain, not a term."""
    name = token.lstrip("+-~?").lower()
    ends_in_delimiter = (name.endswith(":") and name[:-1] in MECHANISMS) or (
        name.endswith("=") and name[:-1] in MODIFIERS
    )
    if not ends_in_delimiter or _term_ok(following):
        return False
    if name[:-1] in ("ip4", "ip6"):
        return _ip_literal(following) is not None
    try:
        g.domain_spec.parse_string(following, parse_all=True)
    except pp.ParseBaseException:
        return False
    return True


# --- the version tag --------------------------------------------------------------------------

_VERSION_NEAR = [
    (re.compile(r"(?i)v\s*=\s*spf1(?=[ \t]|$)"), "spaces inside the version tag"),
    (re.compile(r"(?i)v\s*[:\-]\s*spf1(?=[ \t]|$)"), "the version tag is 'v=spf1', with '='"),
    (re.compile(r"(?i)spf1(?=[ \t]|$)"), "the version tag is 'v=spf1' (the 'v=' is missing)"),
    (re.compile(r"(?i)v=spf(?=[ \t]|$)"), "the version tag is 'v=spf1' (the '1' is missing)"),
]


def _diagnose_version(text: str, problems: list[Problem]) -> int | None:
    """Report version-tag problems; return where the terms start, or None if unknowable."""
    lowered = text.lower()
    if lowered.startswith("v=spf1"):
        rest = text[6:]
        if not rest or rest[0] == " ":
            return 6
        sep = rest[0]
        if sep in _BAD_SEPARATORS:
            return 6  # reported with the terms
        first = rest.split(" ", 1)[0]
        if _term_ok(first):
            problems.append(Problem(
                "SPF103", f"'{first}' is glued to the version tag",
                6, 6 + len(first), hint=f"put a space after 'v=spf1': 'v=spf1 {first}'",
                fix=Fix("insert a space", (Edit(6, 6, " "),), safe=False)))
            return 6
        word = text.split(" ", 1)[0]
        problems.append(Problem("SPF100", f"unknown version tag '{word}': SPF records start "
                                "with 'v=spf1' followed by a space", 0, len(word)))
        return len(word)
    if lowered.startswith("spf2.0/") or lowered.startswith("v=spf2"):
        word = text.split(" ", 1)[0]
        problems.append(Problem(
            "SPF100", f"'{word}' is a Sender ID (RFC 4406) record, not SPF; receivers ignore "
            "it for SPF", 0, len(word),
            hint="publish a separate TXT record starting with 'v=spf1'"))
        return None
    stripped = text.lstrip()
    lead = len(text) - len(stripped)
    for pattern, why in _VERSION_NEAR:
        m = pattern.match(stripped)
        if m:
            problems.append(Problem(
                "SPF100", f"'{m.group()}' is not the version tag: {why}", lead, lead + m.end(),
                hint="start the record with exactly 'v=spf1'",
                fix=Fix("write the version tag as 'v=spf1'",
                        (Edit(0, lead + m.end(), "v=spf1"),), safe=False)))
            return lead + m.end()
    idx = lowered.find("v=spf1")
    if idx > 0 and (idx + 6 == len(text) or text[idx + 6] == " "):
        problems.append(Problem(
            "SPF100", f"text before the version tag: the record must start with 'v=spf1', "
            f"not '{text[:idx].strip()}'", 0, idx,
            hint="remove everything before 'v=spf1' (if it belongs to another TXT record, "
            "publish it separately)",
            fix=Fix("remove the leading text", (Edit(0, idx, ""),), safe=False)))
        return idx + 6
    return None


# --- one term ---------------------------------------------------------------------------------


def _diagnose_term(token: str, pos: int) -> list[Problem]:
    bad_chars = _characters(token, pos)
    if bad_chars and any(ch in _BAD_SEPARATORS for ch in token):
        # Diagnose the pieces between the separators too (``ipv4:192.0.2.1,a``).
        problems = list(bad_chars)
        for part in re.finditer(r"[^,;\t\n\r]+", token):
            piece = part.group()
            if piece != token and not _term_ok(piece):
                problems.extend(_diagnose_term(piece, pos + part.start()))
        return sorted(problems, key=lambda p: p.start)
    if bad_chars:
        return bad_chars
    glued = _glued(token, pos)
    if glued:
        return [glued]
    m = _NAME.match(token)
    assert m is not None  # the pattern can match the empty string
    qualifier, name = m.group(1), m.group(2)
    rest = token[m.end():]
    lname = name.lower()
    name_start = pos + len(qualifier)
    value_start = pos + m.end() + 1
    if rest.startswith("="):
        return _diagnose_modifier(token, pos, qualifier, name, rest[1:], value_start)
    if lname in MODIFIERS and rest.startswith(":"):
        return [Problem(
            "SPF108", f"'{name}' is a modifier and takes '=', not ':'", pos + m.end(),
            pos + m.end() + 1, hint=f"write '{name}={rest[1:]}'",
            fix=Fix("use '='", (Edit(pos + m.end(), pos + m.end() + 1, "="),), safe=False))]
    if lname not in MECHANISMS:
        return [_unknown_mechanism(name, rest, name_start)]
    return _diagnose_mechanism(lname, name, rest, pos, name_start, value_start)


# Character problems reported per term: a term of 100,000 bad characters is one mistake,
# and a problem (and finding) for each would take memory in proportion to its square.
_MAX_CHARACTER_PROBLEMS = 20
_SHOWN_TOKEN = 60


def _characters(token: str, pos: int) -> list[Problem]:
    problems: list[Problem] = []
    shown = token if len(token) <= _SHOWN_TOKEN else token[:_SHOWN_TOKEN - 3] + "..."
    for i, ch in enumerate(token):
        if len(problems) == _MAX_CHARACTER_PROBLEMS:
            rest = sum(1 for c in token[i:] if c in _BAD_SEPARATORS or not 0x21 <= ord(c) <= 0x7E)
            if rest:
                last = problems[-1]
                problems[-1] = Problem(last.code, f"{last.message} ({rest} more in this term"
                                       " not listed)", last.start, last.end, hint=last.hint,
                                       fix=last.fix)
            break
        if ch in _BAD_SEPARATORS:
            # Next to a space (``a, mx``) the separator goes; alone (``a,mx``) it becomes one.
            spaced = i == len(token) - 1 or i == 0
            fix = (Fix("remove it", (Edit(pos + i, pos + i + 1, ""),), safe=False) if spaced
                   else Fix("replace with a space", (Edit(pos + i, pos + i + 1, " "),),
                            safe=False))
            problems.append(Problem(
                "SPF102", f"{_BAD_SEPARATORS[ch]} separates terms: only spaces may",
                pos + i, pos + i + 1, hint="separate terms with single spaces", fix=fix))
        elif not (0x21 <= ord(ch) <= 0x7E):
            what = (f"non-ASCII character '{ch}' (U+{ord(ch):04X})" if ord(ch) > 0x7F
                    else f"control character U+{ord(ch):04X}")
            hint = None
            if ch in "\u2018\u2019\u201c\u201d":
                hint = "typographic quotes often come from a word processor: retype the record"
            elif ch in "\u2013\u2014\u2212":
                hint = "a dash that is not '-': retype it as an ASCII hyphen-minus"
            elif ch == "\ufffd":
                what = "a byte that is not UTF-8 (shown as U+FFFD)"
                hint = "the text was not saved as UTF-8: retype the record in plain ASCII"
            elif ch == "\u00a0":
                hint = "a non-breaking space: use an ordinary space"
            problems.append(Problem("SPF109", f"{what} in '{shown}'", pos + i, pos + i + 1,
                                    hint=hint))
    return problems


# Beyond this length a token is no pair of glued terms worth splitting (and trying every
# split point of a 100,000-character token would take seconds).
_MAX_GLUED = 1024


def _glued(token: str, pos: int) -> Problem | None:
    if len(token) > _MAX_GLUED:
        return None
    for i in range(1, len(token)):
        head, tail = token[:i], token[i:]
        starts_term = tail[0] in "+-~?" or tail.lower().startswith(MECHANISMS + MODIFIERS)
        # A qualifier, or a name after something that cannot end a term's value, starts
        # the second term (``ip4:192.0.2.1~all``, ``a:x.example/24mx``).
        if starts_term and (tail[0] in "+-~?" or not head[-1].isalnum()) \
                and _term_ok(head) and _term_ok(tail):
            return Problem(
                "SPF103", f"two terms glued together: '{head}' and '{tail}'", pos + i,
                pos + len(token), hint=f"separate them with a space: '{head} {tail}'",
                fix=Fix("insert a space", (Edit(pos + i, pos + i, " "),), safe=False))
    return None


def _unknown_mechanism(name: str, rest: str, start: int) -> Problem:
    lname = name.lower()
    suggestion = _TYPOS.get(lname)
    if lname == "ip":
        suggestion = "ip6" if rest.count(":") > 1 else "ip4"
    if suggestion is None and lname:
        close = difflib.get_close_matches(lname, MECHANISMS + MODIFIERS, n=1, cutoff=0.75)
        suggestion = close[0] if close else None
    shown = name + rest
    if not name:
        return Problem("SPF101", f"'{shown}' is not a mechanism or modifier", start,
                       start + len(shown))
    shown_name = name if len(name) <= 40 else name[:37] + "..."
    message = f"unknown mechanism '{shown_name}'"
    if suggestion is None:
        return Problem("SPF101", message, start, start + len(name),
                       hint="mechanisms are all, include, a, mx, ptr, ip4, ip6 and exists")
    if suggestion in MODIFIERS and rest.startswith(":"):
        rest = "=" + rest[1:]
    return Problem("SPF101", message, start, start + len(name),
                   hint=f"did you mean '{suggestion}'?",
                   fix=Fix(f"replace '{name}' with '{suggestion}'",
                           (Edit(start, start + len(name) + (1 if suggestion in MODIFIERS
                                                              and rest.startswith("=") else 0),
                                 suggestion + ("=" if suggestion in MODIFIERS
                                               and rest.startswith("=") else "")),),
                           safe=False))


def _diagnose_modifier(token: str, pos: int, qualifier: str, name: str, value: str,
                       value_start: int) -> list[Problem]:
    lname = name.lower()
    eq = value_start - 1
    if lname in MECHANISMS:
        return [Problem(
            "SPF108", f"'{name}' is a mechanism and takes ':', not '='", eq, eq + 1,
            hint=f"write '{qualifier}{name}:{value}'",
            fix=Fix("use ':'", (Edit(eq, eq + 1, ":"),), safe=False))]
    if qualifier:
        return [Problem("SPF101", f"'{token}': a qualifier cannot stand before a modifier",
                        pos, pos + 1, hint="qualifiers (+ - ~ ?) belong to mechanisms only")]
    if lname in MODIFIERS:
        if not value:
            return [Problem("SPF112", f"'{name}=' needs a domain: '{name}=<domain>'", pos,
                            pos + len(token))]
        return _diagnose_domain(value, value_start, lname) or [
            Problem("SPF106", f"invalid domain '{value}' in '{token}'", value_start,
                    value_start + len(value))]
    if not name or not name[0].isalpha():
        return [Problem("SPF101", f"'{name}' is not a valid modifier name (it must start with "
                        "a letter)", pos, pos + len(name))]
    return _macro_problems(value, value_start, where=token) or [
        Problem("SPF101", f"cannot parse '{token}'", pos, pos + len(token))]


def _diagnose_mechanism(lname: str, name: str, rest: str, pos: int, name_start: int,
                        value_start: int) -> list[Problem]:
    term_end = name_start + len(name) + len(rest)
    if lname == "all":
        if re.fullmatch(r"/[0-9]*(//[0-9]*)?", rest):
            return [Problem("SPF105", "'all' takes no CIDR length", name_start + 3, term_end,
                            fix=Fix("remove the CIDR length",
                                    (Edit(name_start + 3, term_end, ""),), safe=False))]
        return [Problem("SPF112", f"'all' takes no argument, found '{rest}'", name_start + 3,
                        term_end, hint="write 'all' alone, e.g. '-all'",
                        fix=Fix("remove the argument", (Edit(name_start + 3, term_end, ""),),
                                safe=False))]
    if lname in ("ip4", "ip6"):
        if not rest.startswith(":") or len(rest) == 1:
            return [Problem("SPF112", f"'{lname}' needs an address: '{lname}:<address>'",
                            name_start, term_end)]
        return _diagnose_ip(lname, name, rest[1:], name_start, value_start)
    needs_domain = lname in ("include", "exists")
    if rest == "" or rest == ":":
        if needs_domain:
            return [Problem("SPF112", f"'{lname}' needs a domain: '{lname}:<domain>'",
                            name_start, term_end)]
        return [Problem("SPF112", f"'{name}:' has an empty domain", name_start, term_end,
                        fix=Fix("remove the colon", (Edit(term_end - 1, term_end, ""),),
                                safe=False))]
    if not rest.startswith((":", "/")):
        return [_unknown_mechanism(name + rest.split(":")[0].split("/")[0],
                                   rest[len(rest.split(":")[0].split("/")[0]):], name_start)]
    value = rest[1:] if rest.startswith(":") else ""
    cidr_text = rest if rest.startswith("/") else ""
    if value:
        m = _CIDR_TAIL.search(value)
        assert m is not None
        if (m.group() and lname in ("a", "mx")) or (m.group() and re.search(r"\.\D", value)):
            cidr_text = m.group()
            value = value[: m.start()]
    problems: list[Problem] = []
    if value:
        problems.extend(_diagnose_domain(value, value_start, lname))
    if cidr_text:
        cidr_start = value_start + len(value) if rest.startswith(":") else value_start - 1
        if lname not in ("a", "mx"):
            problems.append(Problem(
                "SPF105", f"'{lname}' takes no CIDR length ('{cidr_text}')", cidr_start,
                cidr_start + len(cidr_text),
                fix=Fix("remove the CIDR length",
                        (Edit(cidr_start, cidr_start + len(cidr_text), ""),), safe=False)))
        else:
            problems.extend(_diagnose_dual_cidr(cidr_text, cidr_start))
    if not problems:
        problems.append(Problem("SPF106", f"invalid domain '{value}'", value_start,
                                value_start + len(value)))
    return problems


def _diagnose_dual_cidr(text: str, start: int) -> list[Problem]:
    problems = []
    m = re.fullmatch(r"(/[0-9]*)?(//[0-9]*)?", text)
    if m is None:
        return [Problem("SPF105", f"invalid CIDR length '{text}'", start, start + len(text))]
    if m.group(1):
        p = _cidr_problem(m.group(1), 32, "IPv4", start)
        if p:
            problems.append(p)
    if m.group(2):
        p = _cidr_problem(m.group(2)[1:], 128, "IPv6", start + m.start(2) + 1)
        if p:
            problems.append(p)
    return problems


def _cidr_problem(text: str, limit: int, family: str, start: int) -> Problem | None:
    digits = text[1:]
    end = start + len(text)
    if not digits:
        return Problem("SPF105", f"'{text}' has no prefix length", start, end)
    if not digits.isdigit():
        return Problem("SPF105", f"invalid CIDR length '{text}'", start, end)
    if len(digits) > 1 and digits[0] == "0":
        return Problem("SPF105", f"{family} prefix length '{text}' has a leading zero", start,
                       end, hint=f"write '/{int(digits)}'",
                       fix=Fix("remove the leading zero", (Edit(start, end, f"/{int(digits)}"),),
                               safe=False))
    if int(digits) > limit:
        return Problem("SPF105", f"{family} prefix length '{text}' is over {limit}", start, end)
    return None


def _diagnose_ip(lname: str, name: str, value: str, name_start: int,
                 value_start: int) -> list[Problem]:
    address, slash, cidr = value.partition("/")
    problems: list[Problem] = []
    family, other, limit = (("IPv4", "ip6", 32) if lname == "ip4" else ("IPv6", "ip4", 128))
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        parsed = None
    if parsed is not None and parsed.version != (4 if lname == "ip4" else 6):
        problems.append(Problem(
            "SPF104", f"'{address}' is an {'IPv6' if parsed.version == 6 else 'IPv4'} address: "
            f"use '{other}:'", name_start, name_start + len(name),
            hint=f"write '{other}:{value}'",
            fix=Fix(f"use {other}", (Edit(name_start, name_start + len(name), other),),
                    safe=False)))
    elif parsed is None:
        problems.append(Problem("SPF104", _bad_address_reason(address, family), value_start,
                                value_start + len(address)))
    if slash:
        cidr_start = value_start + len(address)
        if lname == "ip4" and "/" in cidr:
            problems.append(Problem(
                "SPF105", "'ip4' takes one CIDR length; '//' introduces an IPv6 length, which "
                "only 'a' and 'mx' take", cidr_start + 1 + cidr.index("/"),
                cidr_start + 1 + len(cidr)))
        elif "/" in cidr:
            problems.append(Problem("SPF105", f"invalid CIDR length '/{cidr}'", cidr_start,
                                    cidr_start + 1 + len(cidr)))
        else:
            p = _cidr_problem("/" + cidr, limit, family, cidr_start)
            if p is not None and not (parsed is not None and parsed.version != (
                    4 if lname == "ip4" else 6)):
                problems.append(p)
    return problems


def _bad_address_reason(address: str, family: str) -> str:
    if family == "IPv4":
        parts = address.split(".")
        if len(parts) == 4 and all(p.isdigit() for p in parts):
            for part in parts:
                if len(part) > 1 and part[0] == "0":
                    return f"'{address}' has a leading zero in '{part}' (ambiguous: octal?)"
                if int(part) > 255:
                    return f"'{address}' is not an IPv4 address: {part} is over 255"
        if len(parts) != 4 and all(p.isdigit() for p in parts if p):
            return f"'{address}' is not an IPv4 address: it needs four numbers"
    if not address:
        return f"missing {family} address"
    return f"'{address}' is not a valid {family} address"


def _ip_literal(value: str) -> str | None:
    address = value.split("/", 1)[0]
    try:
        return "ip4" if ipaddress.ip_address(address.strip("[]")).version == 4 else "ip6"
    except ValueError:
        return None


def _diagnose_domain(value: str, start: int, mech: str) -> list[Problem]:
    literal = _ip_literal(value)
    if literal is not None:
        name_start = start - len(mech) - 1
        fix = None
        if mech in ("a", "mx", "include"):
            fix = Fix(f"use {literal}", (Edit(name_start, start, literal + ":"),), safe=False)
        return [Problem(
            "SPF111", f"'{value}' is an IP address where a domain is expected", start,
            start + len(value), hint=f"write '{literal}:{value}' to authorise the address",
            fix=fix)]
    delimiter = "=" if mech in MODIFIERS else ":"
    problems = _macro_problems(value, start, where=f"{mech}{delimiter}{value}")
    if problems:
        return problems
    return _label_problems(value, start)


def _macro_problems(value: str, start: int, *, where: str) -> list[Problem]:
    problems = []
    for m in _MACRO.finditer(value):
        at = start + m.start()
        if m.group(1) is not None:
            body = m.group(1)
            bm = _MACRO_BODY.match(body)
            if bm is None or bm.group(1).lower() not in _LETTERS:
                letter = body[:1]
                why = (f"unknown macro letter '{letter}'" if letter and letter.isalpha()
                       else f"invalid macro '%{{{body}}}'")
                problems.append(Problem("SPF107", f"{why} in '{where}'", at, start + m.end(),
                                        hint="macro letters are s l o d i p h v (and c r t "
                                        "in explanations only)"))
        elif m.group(2) == "{":
            problems.append(Problem("SPF107", f"unclosed macro '%{{' in '{where}'", at,
                                    start + len(value)))
        elif m.group(2) not in ("%", "_", "-"):
            problems.append(Problem(
                "SPF107", f"a bare '%' in '{where}': write '%%' for a literal percent sign",
                at, at + 1, fix=Fix("escape the percent sign", (Edit(at, at + 1, "%%"),),
                                    safe=False)))
    return problems


_TOPLABEL = re.compile(rf"{g.P_TOPLABEL}$")


def _label_problems(value: str, start: int) -> list[Problem]:
    name = value[:-1] if value.endswith(".") else value
    labels = name.split(".")
    problems: list[Problem] = []
    offset = start
    for label in labels:
        if label == "":
            problems.append(Problem("SPF106", f"empty label in '{value}' (two dots in a row)",
                                    offset, offset + 1))
        elif len(label.encode()) > 63:
            problems.append(Problem("SPF106", f"label '{label[:20]}...' is {len(label)} "
                                    "octets long; the limit is 63", offset,
                                    offset + len(label)))
        offset += len(label) + 1
    if len(name.encode()) > 253:
        problems.append(Problem("SPF106", f"domain is {len(name)} octets long; the limit is "
                                "253", start, start + len(value)))
    if problems:
        return problems
    last = labels[-1]
    if len(labels) < 2:
        return [Problem("SPF106", f"'{value}' is not a fully qualified domain (no dot)",
                        start, start + len(value),
                        hint="SPF domains need at least two labels, e.g. 'mail.example.com'")]
    if not _TOPLABEL.match(last) and "%" not in last:
        return [Problem("SPF106", f"'{last}' is not a valid top-level label in '{value}'",
                        start + len(name) - len(last), start + len(name),
                        hint="a top-level label has letters, digits and inner hyphens, "
                        "and is not all digits")]
    return []
