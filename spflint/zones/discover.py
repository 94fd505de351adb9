"""Which files of a tree are zone files: BIND-family master files and octoDNS YAML, by content."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from .model import ZoneFileError

__all__ = [
    "HEAD_BYTES",
    "MAX_ZONE_BYTES",
    "Discovery",
    "Selection",
    "Skipped",
    "Sniff",
    "ZoneSource",
    "discover",
    "find_repository_root",
    "select",
    "sniff_bytes",
    "sniff_file",
]

# A file is judged from its first HEAD_BYTES; a zone file over MAX_ZONE_BYTES is not read.
HEAD_BYTES = 64 * 1024
MAX_ZONE_BYTES = 64 * 1024 * 1024
MAX_CONFIG_BYTES = 1024 * 1024  # an octoDNS configuration is parsed only below this
MAX_LINES = 400  # logical lines of a head examined at most
MAX_FILES = 100_000  # files looked at in one tree
MAX_DEPTH = 64  # directory levels below the top of a tree
MAX_INCLUDE_SCAN = 1024 * 1024 * 1024  # bytes read in all to find $INCLUDE targets

# Templates are never zones, whatever they contain. ".in" (autoconf) is not among them: it is
# also India's top-level domain (db.example.in); such a template is known by its @VAR@ marks.
TEMPLATE_SUFFIXES = (".tmpl", ".tpl", ".j2", ".jinja", ".jinja2", ".erb", ".template",
                     ".mustache", ".hbs")
# Directories of vendored or generated code, besides every hidden directory.
SKIPPED_DIRS = frozenset({"node_modules", "venv", "__pycache__", "site-packages",
                          "dist-packages", "bower_components", "vendor"})
YAML_SUFFIXES = (".yaml", ".yml")

_TEMPLATE_MARK = re.compile(r"\{\{|\{%|<%|@[A-Z][A-Z0-9_]*@")
# Record types (IANA's registry, plus ALIAS/ANAME of several servers and gdnsd's DYNA/DYNC).
_TYPES = frozenset({
    "A", "NS", "MD", "MF", "CNAME", "SOA", "MB", "MG", "MR", "NULL", "WKS", "PTR", "HINFO",
    "MINFO", "MX", "TXT", "RP", "AFSDB", "X25", "ISDN", "RT", "NSAP", "NSAP-PTR", "SIG", "KEY",
    "PX", "GPOS", "AAAA", "LOC", "NXT", "EID", "NIMLOC", "SRV", "ATMA", "NAPTR", "KX", "CERT",
    "A6", "DNAME", "SINK", "APL", "DS", "SSHFP", "IPSECKEY", "RRSIG", "NSEC", "DNSKEY", "DHCID",
    "NSEC3", "NSEC3PARAM", "TLSA", "SMIMEA", "HIP", "NINFO", "RKEY", "TALINK", "CDS", "CDNSKEY",
    "OPENPGPKEY", "CSYNC", "ZONEMD", "SVCB", "HTTPS", "SPF", "UINFO", "UID", "GID", "UNSPEC",
    "NID", "L32", "L64", "LP", "EUI48", "EUI64", "URI", "CAA", "AVC", "DOA", "AMTRELAY",
    "RESINFO", "WALLET", "TA", "DLV", "ALIAS", "ANAME", "DYNA", "DYNC",
})
_CLASSES = frozenset({"IN", "CH", "CS", "HS"})
_TTL = re.compile(r"\d+|(?:\d+[SMHDWsmhdw])+")
_GENERIC = re.compile(r"(?:TYPE|CLASS)\d+", re.IGNORECASE)
_UNKNOWN_TYPE = re.compile(r"[A-Z][A-Z0-9-]*")  # an unknown type written after a TTL or class
_OWNER = re.compile(r"[^\s;()\"'#:,=<>{}\[\]!?`|&%+$]+")
_DIRECTIVES = frozenset({"$ORIGIN", "$TTL", "$INCLUDE", "$GENERATE"})
_STRIP = re.compile(r'"(?:[^"\\]|\\.)*(?:"|$)|;.*')
_INCLUDE = re.compile(rb'^\$INCLUDE[ \t]+(?:"((?:[^"\\\r\n]|\\.)*)"|([^\s;]+))',
                      re.IGNORECASE | re.MULTILINE)
_FILE_ORIGIN = re.compile(r"^(?:db\.)?(.+?)(?:\.(?:zone|db))?$", re.IGNORECASE)
_FILE_ORIGIN_CHARS = re.compile(r"[A-Za-z0-9_.-]+")
# octoDNS YAML: a top-level key and what follows its colon on the same line.
_YAML_KEY = re.compile(
    r"(?P<key>'(?:[^']|'')*'" r'|"(?:[^"\\]|\\.)*"' r"|[^\s#'\"?:{}\[\],&*!|>%@`-][^#]*?)"
    r"\s*:(?:[ \t]+(?P<rest>.*?))?\s*$")
_YAML_TYPE_KEY = re.compile(r"""(?:type|'type'|"type")\s*:(?:\s|$)""")
_OCTODNS_CONFIG_KEYS = frozenset({"providers", "zones", "manager", "processors"})


def _label_ok(label: str) -> bool:
    return bool(label) and all(c.isalnum() or c in "-_" for c in label)


def zone_name(text: str) -> str | None:
    """``example.com`` for a name of two labels or more whose last is a top-level domain
    (letters, or an IDNA ``xn--`` label), lower-case; else None."""
    name = text[:-1] if text.endswith(".") else text
    labels = name.split(".")
    if len(labels) < 2 or not all(_label_ok(label) for label in labels):
        return None
    last = labels[-1]
    if not (last.isalpha() or last.lower().startswith("xn--")):
        return None
    return name.lower()


def origin_from_file_name(name: str) -> str | None:
    """The origin the BIND reader takes from a file's name (``db.example.com``,
    ``example.com.zone``, ``example.com``), lower-case; None when the name gives none."""
    match = _FILE_ORIGIN.match(name)
    if match is None:
        return None
    candidate = match.group(1)
    if "." not in candidate or not _FILE_ORIGIN_CHARS.fullmatch(candidate):
        return None
    candidate = candidate.rstrip(".")
    return candidate.lower() if candidate else None


def octodns_origin(name: str) -> str | None:
    """``example.com.yaml`` (or ``.yml``) → ``example.com``; None for other names."""
    lower = name.lower()
    for suffix in YAML_SUFFIXES:
        if lower.endswith(suffix):
            return zone_name(name[: -len(suffix)])
    return None


@dataclass(frozen=True)
class Sniff:
    """What a file's content says it is.

    ``kind`` is ``bind`` or ``octodns`` for a zone file; otherwise why it is not one:
    ``fragment`` (records without an origin: an ``$INCLUDE`` fragment), ``octodns-config``,
    ``octodns-records`` (records in a file that does not name a zone), ``template``,
    ``binary``, ``empty``, ``text`` (anything else), ``too-large``, ``special`` (not a
    regular file) or ``unreadable``.
    """

    kind: str
    reason: str = ""
    origin: str | None = None  # lower-case, no final dot
    includes: tuple[str, ...] = ()  # BIND: $INCLUDE targets as written

    @property
    def is_zone(self) -> bool:
        return self.kind in ("bind", "octodns")


class _BindHead:
    """Counts what the lines of a head are: records and directives, or anything else, and
    finds the zone's origin the way the BIND reader does."""

    def __init__(self) -> None:
        self.records = 0
        self.directives = 0
        self.bad = 0
        self.soa = False
        self.strong = False  # an SOA, $ORIGIN or $TTL
        self.first_bad = 0
        self.decided = False  # a $ORIGIN or an SOA with an absolute owner came first
        self.decided_origin: str | None = None
        self.first_absolute: str | None = None

    def read(self, lines: Sequence[str]) -> None:
        depth = 0
        for number, raw in enumerate(lines, 1):
            line = raw[:-1] if raw.endswith("\r") else raw
            if '"' in line or ";" in line:
                line = _STRIP.sub(lambda m: ' "" ' if m.group(0)[0] == '"' else "", line)
            opens = line.count("(")
            closes = line.count(")")
            if depth:
                depth = max(0, depth + opens - closes)
                continue
            if not line.strip():
                continue
            if opens or closes:
                line = line.replace("(", " ").replace(")", " ")
            # Only a record or directive continues over the next lines; a stray "(" in prose
            # must not hide the lines after it.
            if self.entry(number, line, opens > closes):
                depth = max(0, opens - closes)
            if self.bad >= 5 and not (self.records or self.directives):
                return  # five lines that are neither records nor directives, nothing else yet
            if self.bad > 40 and self.bad * 10 > self.bad + self.records + self.directives:
                return
            if self.decided and self.records >= 16 and self.bad * 20 <= self.records:
                return  # plainly a zone, and its origin is known: the rest changes neither

    def entry(self, number: int, line: str, open_paren: bool) -> bool:
        """Count one entry; whether it is a record or a directive."""
        tokens = line.split()
        if not tokens:
            return self.stray(number)
        indented = line[0] in " \t"
        first = tokens[0]
        if not indented and first.startswith("$"):
            word = first.upper()
            if word in _DIRECTIVES:
                self.directives += 1
                if word in ("$ORIGIN", "$TTL"):
                    self.strong = True
                if word == "$ORIGIN" and not self.decided:
                    self.decided = True
                    arg = tokens[1] if len(tokens) > 1 else ""
                    if arg.endswith(".") and not arg.endswith("\\."):
                        self.decided_origin = arg[:-1].lower() or None
            # another directive (gdnsd's $ADDR_LIMIT_V4): neither a record nor a stray line
            return True
        pos = 0
        owner: str | None = None
        if not indented:
            if not _OWNER.fullmatch(first):
                return self.stray(number)
            owner = first
            pos = 1
        seen = 0
        while pos < len(tokens) and seen < 2:
            word = tokens[pos]
            upper = word.upper()
            if _TTL.fullmatch(word) or upper in _CLASSES or (
                    upper.startswith("CLASS") and _GENERIC.fullmatch(word)):
                seen += 1
                pos += 1
                continue
            break
        if pos >= len(tokens):
            return self.stray(number)
        rdtype = tokens[pos].upper()
        known = rdtype in _TYPES or bool(_GENERIC.fullmatch(rdtype))
        if not known and not (seen and _UNKNOWN_TYPE.fullmatch(tokens[pos])):
            return self.stray(number)
        if len(tokens) == pos + 1 and not open_paren:
            return self.stray(number)  # a type without data
        self.records += 1
        absolute = None
        if owner is not None and owner.endswith(".") and not owner.endswith("\\."):
            absolute = owner[:-1].lower() or None
        if absolute and self.first_absolute is None:
            self.first_absolute = absolute
        if rdtype == "SOA":
            self.soa = True
            self.strong = True
            if absolute and not self.decided:
                self.decided = True
                self.decided_origin = absolute
        return True

    def stray(self, number: int) -> bool:
        self.bad += 1
        if not self.first_bad:
            self.first_bad = number
        return False

    @property
    def zone_like(self) -> bool:
        good = self.records + self.directives
        return (self.records > 0 or self.strong) and self.bad * 10 <= good + self.bad

    def origin(self, name: str) -> str | None:
        """The first ``$ORIGIN`` or absolute SOA owner, whichever comes first; else the first
        absolute owner name; else the file name (when no ``$ORIGIN`` came first)."""
        if self.decided:
            return self.decided_origin
        if self.first_absolute:
            return self.first_absolute
        return origin_from_file_name(name)


def _lines(text: str, truncated: bool) -> list[str]:
    """The head's first lines (a final "\r" is left to the caller)."""
    lines = text.split("\n", MAX_LINES)
    if len(lines) > MAX_LINES:
        lines.pop()  # the rest of the head, not looked at
    elif truncated and len(lines) > 1:
        lines.pop()  # cut in the middle
    return lines


def _template_suffix(name: str) -> str | None:
    lower = name.lower()
    for suffix in TEMPLATE_SUFFIXES:
        if lower.endswith(suffix):
            return f"a template ({suffix})"
    return None


def _template_mark(text: str) -> str | None:
    match = _TEMPLATE_MARK.search(text)
    if match is None:
        return None
    line = text.count("\n", 0, match.start()) + 1
    return f"a template ({match.group(0)!r} on line {line})"


def _yaml_sniff(name: str, text: str, truncated: bool) -> Sniff:
    """An octoDNS zone, configuration or neither, from the lines of a YAML head."""
    keys: list[tuple[str, str | None]] = []  # (key, inline value) of each top-level entry
    typed: set[int] = set()  # entries with a ``type`` at their records' level
    record_col: int | None = None
    lines = _lines(text, truncated)
    for line in lines:
        raw = line[:-1] if line.endswith("\r") else line
        stripped = raw.strip()
        if not stripped or stripped.startswith("#") or stripped in ("---", "...") \
                or stripped.startswith(("%YAML", "%TAG", "--- #")):
            continue
        if raw[0] not in " \t-":
            match = _YAML_KEY.fullmatch(raw)
            if match is None:
                if stripped.startswith(("{", "---")):
                    return _yaml_flow(name, text, truncated)
                return Sniff("text", "YAML that is not a mapping of record names")
            rest = match.group("rest")
            if rest is not None and rest.startswith("#"):
                rest = None
            keys.append((match.group("key").strip("'\""), rest))
            record_col = None
            if rest and rest[0] in "{[" and _YAML_TYPE_KEY.search(rest):
                typed.add(len(keys) - 1)
            continue
        if not keys:
            return Sniff("text", "YAML that is not a mapping of record names")
        body = raw.lstrip(" \t")
        col = len(raw) - len(body)
        while body.startswith("-") and body[1:2] in (" ", "\t"):
            rest_body = body[1:].lstrip(" \t")
            col += len(body) - len(rest_body)
            body = rest_body
        if record_col is None:
            record_col = col
        if col == record_col and _YAML_TYPE_KEY.match(body):
            typed.add(len(keys) - 1)
    if not keys:
        return Sniff("empty", "an empty YAML file: no records")
    if truncated and len(keys) > 1:
        keys.pop()  # its records may be past the head
    for index, (key, rest) in enumerate(keys):
        if index not in typed and not (rest or "").startswith("*"):
            # A zone may have a record named "zones": only when not all keys hold records
            # do these keys make a configuration.
            return _not_records(key, {k for k, _rest in keys})
    return _records_verdict(name)


def _not_records(key: str, keys: set[str]) -> Sniff:
    """YAML whose ``key`` holds no records: an octoDNS configuration, or no zone at all."""
    if keys & _OCTODNS_CONFIG_KEYS:
        return Sniff("octodns-config", "an octoDNS configuration file")
    return Sniff("text", f"YAML, but {key!r} does not hold records with a 'type'"
                         " (not an octoDNS zone)")


def _records_verdict(name: str) -> Sniff:
    """YAML of octoDNS records: a zone when the file name names one."""
    origin = octodns_origin(name)
    if origin is None:
        return Sniff("octodns-records", "octoDNS records, but the file name names no zone"
                                        " (expected e.g. example.com.yaml)")
    return Sniff("octodns", origin=origin)


def _yaml_flow(name: str, text: str, truncated: bool) -> Sniff:
    """A YAML head in flow style (``{...}``): decided by parsing it, when it is whole."""
    if truncated:
        return Sniff("text", "YAML in flow style over the size looked at")
    import yaml  # only for the rare flow-style file

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return Sniff("text", "not valid YAML")
    if not isinstance(data, dict):
        return Sniff("text", "YAML that is not a mapping of record names")
    if not data:
        return Sniff("empty", "an empty YAML file: no records")
    for key, value in data.items():
        items = value if isinstance(value, list) else [value]
        if not items or not all(isinstance(i, dict) and "type" in i for i in items):
            return _not_records(key, {str(k) for k in data})
    return _records_verdict(name)


def sniff_bytes(name: str, head: bytes, *, truncated: bool = False) -> Sniff:
    """Judge a file from its name and first bytes (``truncated``: the file goes on).

    ``.yaml``/``.yml`` files are octoDNS zones when they hold a mapping of record names to
    records with a ``type`` and their name names a zone; any other file is a BIND-family
    master file when nearly all its lines (90 % or more) are records (``owner [ttl] [class]
    TYPE data``) or directives, it has a record, SOA, ``$ORIGIN`` or ``$TTL``, and its origin
    is known (``$ORIGIN``, an absolute SOA or owner name, or a file name naming the zone) or
    it has an SOA. Binary files and templates are never zones.
    """
    suffix = _template_suffix(name)
    if suffix is not None:
        return Sniff("template", suffix)
    if b"\x00" in head[:8192]:
        return Sniff("binary", "a binary file")
    text = head.decode("utf-8", errors="replace")
    if name.lower().endswith(YAML_SUFFIXES):
        verdict = _yaml_sniff(name, text, truncated)
        if verdict.kind in ("octodns", "octodns-records", "octodns-config"):
            mark = _template_mark(text)
            if mark is not None:
                return Sniff("template", mark)
        return verdict
    head_lines = _BindHead()
    head_lines.read(_lines(text, truncated))
    if head_lines.records or head_lines.strong:
        # Records with template syntax among them (a rendered zone's source) are no zone.
        mark = _template_mark(text)
        if mark is not None:
            return Sniff("template", mark)
    if not head_lines.zone_like:
        if not (head_lines.records or head_lines.directives or head_lines.bad):
            return Sniff("empty", "no records (empty or only comments)")
        if not (head_lines.records or head_lines.strong):
            return Sniff("text", f"not a zone file (line {head_lines.first_bad} is neither a"
                                 " record nor a directive)")
        return Sniff("text", f"not a zone file ({head_lines.bad} of"
                             f" {head_lines.bad + head_lines.records + head_lines.directives}"
                             " lines are neither records nor directives; the first is line"
                             f" {head_lines.first_bad})")
    origin = head_lines.origin(name)
    if origin is None and not head_lines.soa:
        return Sniff("fragment", "records without an origin (no $ORIGIN or SOA, and the file"
                                 " name does not name the zone): an $INCLUDE fragment, checked"
                                 " through the zone file that includes it")
    return Sniff("bind", origin=origin)


def _includes(data: bytes) -> tuple[str, ...]:
    found = []
    for match in _INCLUDE.finditer(data):
        raw = match.group(1) if match.group(1) is not None else match.group(2)
        found.append(raw.decode("utf-8", errors="replace"))
    return tuple(found)


def _read_head(path: str) -> tuple[bytes, int, int] | Sniff:
    """(head, size, fd) of a regular file, or why it cannot be read."""
    try:
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as exc:
        return Sniff("unreadable", f"cannot read the file: {exc.strerror or exc}")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            os.close(fd)
            return Sniff("special", "not a regular file")
        head = os.read(fd, HEAD_BYTES)
    except OSError as exc:
        os.close(fd)
        return Sniff("unreadable", f"cannot read the file: {exc.strerror or exc}")
    return head, info.st_size, fd


def too_large(size: int) -> str:
    return (f"too large ({size / 2**20:.0f} MiB; zone files are read up to"
            f" {MAX_ZONE_BYTES // 2**20} MiB)")


def sniff_file(path: str, *, budget: list[int] | None = None) -> Sniff:
    """Judge the file at ``path`` (see :func:`sniff_bytes`); for a BIND file, list its
    ``$INCLUDE`` targets (the whole file is read for them, within ``budget[0]`` bytes)."""
    name = os.path.basename(path)
    opened = _read_head(path)
    if isinstance(opened, Sniff):
        return opened
    head, size, fd = opened
    try:
        verdict = sniff_bytes(name, head, truncated=size > len(head))
        if verdict.kind == "template" and b"$INCLUDE" in head.upper():
            # What a template includes is a fragment too, not a zone of its own.
            includes = tuple(i for i in _includes(head) if not _TEMPLATE_MARK.search(i))
            return Sniff(verdict.kind, verdict.reason, None, includes)
        if verdict.is_zone and size > MAX_ZONE_BYTES:
            return Sniff("too-large", too_large(size), origin=verdict.origin)
        if verdict.kind in ("bind", "fragment"):
            data = head
            rest = size - len(head)
            if rest > 0 and (budget is None or budget[0] >= rest):
                if budget is not None:
                    budget[0] -= rest
                data += _read_rest(fd, rest)
            includes = _includes(data)
            if includes:
                verdict = Sniff(verdict.kind, verdict.reason, verdict.origin, includes)
        return verdict
    finally:
        os.close(fd)


def _read_rest(fd: int, size: int) -> bytes:
    chunks = []
    left = size
    while left > 0:
        try:
            chunk = os.read(fd, min(left, 1 << 20))
        except BlockingIOError:
            break
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


# --------------------------------------------------------------------------- trees


@dataclass(frozen=True)
class ZoneSource:
    """A zone found: a file (or an octoDNS split directory), its format and its origin as
    discovery sees it (None when only reading it can tell)."""

    path: str
    format: str  # "bind" or "octodns"
    origin: str | None
    split: bool = False  # an octoDNS split directory (``example.com./``)


@dataclass(frozen=True)
class Skipped:
    """A file given or found that is not checked, and why."""

    path: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "reason": self.reason}


@dataclass(frozen=True)
class YamlSource:
    """A ``YamlProvider`` of an octoDNS configuration: where its zone files are."""

    config: str
    directory: str  # real path
    split_extension: str | None
    shared_filename: str | None


@dataclass
class Discovery:
    """The zone files of one tree, and how its other files relate to them.

    Maps are keyed by real path: ``included_by`` a file to the files that ``$INCLUDE`` it,
    ``split_of`` a file inside an octoDNS split directory to that zone.
    """

    root: str  # as given
    zones: list[ZoneSource] = field(default_factory=list)
    included_by: dict[str, list[str]] = field(default_factory=dict)
    split_of: dict[str, ZoneSource] = field(default_factory=dict)
    verdicts: dict[str, tuple[str, Sniff]] = field(default_factory=dict)  # real -> (path, ..)
    sources: list[YamlSource] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)  # files that look like zones, unread
    oversized: list[ZoneSource] = field(default_factory=list)  # zones over MAX_ZONE_BYTES
    examined: int = 0
    by_real: dict[str, ZoneSource] = field(default_factory=dict)

    def zones_for(self, real: str) -> list[ZoneSource] | None:
        """The zones to check for a file (its real path): itself, the split zone it is part
        of, or the zones that include it, directly or through other fragments; None when the
        tree does not know the file."""
        zone = self.by_real.get(real)
        if zone is not None:
            return [zone]
        split = self.split_of.get(real)
        if split is not None:
            return [split]
        if real not in self.included_by:
            return None
        out: dict[str, ZoneSource] = {}
        seen = {real}
        pending = list(self.included_by[real])
        while pending:
            includer = pending.pop()
            if includer in seen:
                continue  # an include cycle
            seen.add(includer)
            found = self.by_real.get(includer)
            if found is not None:
                out[found.path] = found
            else:
                pending.extend(self.included_by.get(includer, ()))
        return sorted(out.values(), key=lambda z: z.path)

    def includers_text(self, real: str) -> str:
        """The files that include ``real``, as shown to the user."""
        shown = [self.verdicts[r][0] if r in self.verdicts else r
                 for r in self.included_by.get(real, ())]
        return ", ".join(shown[:3]) + (f" and {len(shown) - 3} more" if len(shown) > 3 else "")

    def shared_by(self, real: str) -> str | None:
        """The octoDNS configuration whose ``shared_filename`` is this file, if any."""
        for source in self.sources:
            if source.shared_filename and \
                    os.path.join(source.directory, source.shared_filename) == real:
                return source.config
        return None

    def verdict(self, real: str) -> Sniff | None:
        entry = self.verdicts.get(real)
        return None if entry is None else entry[1]


def find_repository_root(start: str = ".") -> str | None:
    """The closest directory at or above ``start`` holding ``.git`` (a directory, or a file
    in a worktree or submodule), as an absolute path; None when there is none."""
    current = os.path.abspath(start)
    for _ in range(256):
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent
    return None


def _is_within(real: str, root_real: str) -> bool:
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


@dataclass
class _Walk:
    files: list[tuple[str, str]] = field(default_factory=list)  # (display path, real path)
    dirs: dict[str, tuple[str, list[str]]] = field(default_factory=dict)  # real -> (display,
    # the names of its files)
    skipped: list[Skipped] = field(default_factory=list)


def _walk(top: str, root_real: str) -> _Walk:
    """Every regular file under ``top`` (hidden and vendored directories skipped, directory
    symlinks not followed, file symlinks only when they stay inside ``root_real``)."""
    out = _Walk()
    top_real = os.path.realpath(top)
    stack: list[tuple[str, str, int]] = [(top, top_real, 0)]
    seen_real: set[str] = set()
    links: list[tuple[str, str]] = []
    while stack:
        display_dir, real_dir, depth = stack.pop()
        try:
            with os.scandir(display_dir) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        names: list[str] = []
        subdirs: list[tuple[str, str, int]] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            display = os.path.normpath(entry.path)
            try:
                if entry.is_symlink():
                    target = os.path.realpath(entry.path)
                    if os.path.isfile(target):
                        if not _is_within(target, root_real):
                            out.skipped.append(Skipped(display, "a symlink to a file outside"
                                                                " the repository"))
                        else:
                            links.append((display, target))
                            names.append(entry.name)
                    continue
                if entry.is_dir(follow_symlinks=False):
                    if entry.name not in SKIPPED_DIRS and depth < MAX_DEPTH:
                        subdirs.append((display, os.path.join(real_dir, entry.name),
                                        depth + 1))
                    continue
                if not entry.is_file(follow_symlinks=False):
                    continue
            except OSError:
                continue
            if len(out.files) >= MAX_FILES:
                out.skipped.append(Skipped(display, f"not looked at: more than {MAX_FILES}"
                                                    " files in the tree"))
                return out
            real = os.path.join(real_dir, entry.name)
            out.files.append((display, real))
            seen_real.add(real)
            names.append(entry.name)
        out.dirs[real_dir] = (display_dir, names)
        stack.extend(reversed(subdirs))
    for display, target in links:
        if target not in seen_real:
            seen_real.add(target)
            out.files.append((display, target))
    out.files.sort()
    return out


def _config_sources(path: str, root_real: str) -> list[YamlSource]:
    """The ``YamlProvider`` sources of an octoDNS configuration file (unreadable: none)."""
    try:
        if os.path.getsize(path) > MAX_CONFIG_BYTES:
            return []
        with open(path, encoding="utf-8", errors="replace") as handle:
            text = handle.read()
    except OSError:
        return []
    import yaml  # configurations are few and small; read only when one is found

    try:
        # Composed, not constructed: octoDNS's own tags (!include) need no constructor here,
        # and aliases are not expanded.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return []
    providers = _mapping(root).get("providers")
    out: list[YamlSource] = []
    here = os.path.dirname(os.path.realpath(path))
    for provider in _mapping(providers).values():
        settings = {key: _scalar(value) for key, value in _mapping(provider).items()}
        klass = settings.get("class") or ""
        if not klass.endswith(("YamlProvider", "SplitYamlProvider", "SplitYamlAltProvider")):
            continue
        directory = settings.get("directory")
        if not directory or directory.startswith("env/"):
            continue
        extension: str | None = settings.get("split_extension") or None
        if klass.endswith("SplitYamlProvider"):
            extension = settings.get("extension") or "."
        elif klass.endswith("SplitYamlAltProvider"):
            extension = ""
        if extension is not None and extension.lower() in ("false", "null", "~"):
            extension = None
        shared = settings.get("shared_filename")
        if shared is not None and shared.lower() in ("false", "null", "~", ""):
            shared = None
        # octoDNS takes the directory from its working directory, usually the repository's
        # top; a configuration kept elsewhere may mean its own folder.
        for base in (root_real, here):
            candidate = os.path.realpath(os.path.join(base, directory))
            if os.path.isdir(candidate):
                out.append(YamlSource(path, candidate, extension, shared))
                break
    return out


def _mapping(node: Any) -> dict[str, Any]:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return {}
    return {str(k.value): v for k, v in node.value if isinstance(k, yaml.ScalarNode)}


def _scalar(node: Any) -> str | None:
    import yaml

    if isinstance(node, yaml.ScalarNode):
        return str(node.value)
    return None


def _split_origin(dirname: str, extension: str) -> str | None:
    if extension and not dirname.endswith(extension):
        return None
    stem = dirname[: len(dirname) - len(extension)] if extension else dirname
    return zone_name(stem)


def discover(top: str, *, root: str | None = None) -> Discovery:
    """Find the zone files under ``top``: BIND-family master files and octoDNS zone files by
    content, octoDNS split directories (``example.com./``) as one zone each.

    ``root`` is the repository the tree belongs to (default ``top``): symlinks leading out of
    it are not followed, and octoDNS configurations name directories relative to it.
    Hidden directories and those in :data:`SKIPPED_DIRS` are skipped; files that ``$INCLUDE``
    pulls into a zone are not zones of their own.
    """
    root_real = os.path.realpath(root if root is not None else top)
    walked = _walk(top, root_real)
    found = Discovery(root=top, skipped=list(walked.skipped))
    budget = [MAX_INCLUDE_SCAN]
    for display, real in walked.files:
        verdict = sniff_file(display, budget=budget)
        found.verdicts[real] = (display, verdict)
    found.examined = len(walked.files)
    for _real, (display, verdict) in found.verdicts.items():
        if verdict.kind == "octodns-config":
            found.sources.extend(_config_sources(display, root_real))
    _find_split_zones(found, walked)
    _find_includes(found)
    for real, (display, verdict) in found.verdicts.items():
        if real in found.split_of or real in found.included_by or found.shared_by(real):
            continue
        zone: ZoneSource | None = None
        if verdict.is_zone:
            zone = ZoneSource(display, verdict.kind, verdict.origin)
        elif verdict.kind in ("empty", "text", "octodns-records") \
                and _in_provider_directory(found, real):
            # octoDNS reads every example.com.yaml of its directory, whatever is in it.
            origin = octodns_origin(os.path.basename(real))
            if origin is not None:
                zone = ZoneSource(display, "octodns", origin)
        elif verdict.kind == "too-large":
            found.skipped.append(Skipped(display, verdict.reason))
            kind = "octodns" if real.lower().endswith(YAML_SUFFIXES) else "bind"
            found.oversized.append(ZoneSource(display, kind, verdict.origin))
        if zone is not None:
            found.zones.append(zone)
            found.by_real[real] = zone
    found.zones.sort(key=lambda z: z.path)
    return found


def _in_provider_directory(found: Discovery, real: str) -> bool:
    parent = os.path.dirname(real)
    return any(source.directory == parent for source in found.sources)


def _find_split_zones(found: Discovery, walked: _Walk) -> None:
    """Directories named after a zone with a split extension hold one zone's records."""
    extensions: dict[str, set[str]] = {}  # provider directory -> its split extensions
    for source in found.sources:
        if source.split_extension is not None:
            extensions.setdefault(source.directory, set()).add(source.split_extension)
    for real_dir, (display_dir, names) in walked.dirs.items():
        yaml_names = [n for n in names if n.lower().endswith(YAML_SUFFIXES)]
        if not yaml_names:
            continue
        base = os.path.basename(real_dir)
        origin = None
        extension = "."
        for ext in sorted(extensions.get(os.path.dirname(real_dir), ()), key=len, reverse=True):
            origin = _split_origin(base, ext)
            if origin is not None:
                extension = ext
                break
        if origin is None and base.endswith("."):
            origin = _split_origin(base, ".")
        if origin is None:
            continue
        zone = ZoneSource(display_dir, "octodns", origin, split=True)
        records = 0
        for name in yaml_names:
            real = os.path.join(real_dir, name)
            entry = found.verdicts.get(real)
            if entry is None:
                continue
            if entry[1].kind in ("octodns", "octodns-records", "empty"):
                records += 1
            found.split_of[real] = zone
        if records or extension != ".":
            found.zones.append(zone)
            found.by_real[real_dir] = zone
        else:
            for name in yaml_names:
                found.split_of.pop(os.path.join(real_dir, name), None)


def _find_includes(found: Discovery) -> None:
    for real, (display, verdict) in list(found.verdicts.items()):
        for target in verdict.includes:
            path = os.path.normpath(os.path.join(os.path.dirname(display), target))
            target_real = os.path.normpath(os.path.join(os.path.dirname(real), target))
            if target_real not in found.verdicts and os.path.isabs(target):
                target_real = os.path.realpath(path)
            if target_real == real:
                continue
            found.included_by.setdefault(target_real, []).append(real)


# --------------------------------------------------------------------------- selection


@dataclass
class Selection:
    """What to check for the paths of one run."""

    zones: list[ZoneSource] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[ZoneFileError] = field(default_factory=list)
    given: int = 0  # files given (directories count their files)


def select(paths: Sequence[str | os.PathLike[str]], *,
           repository: Discovery | None = None) -> Selection:
    """The zones to check for ``paths`` (files and directories), each zone once.

    A file is checked when its content makes it a zone file; a file inside an octoDNS split
    directory stands for that zone, an ``$INCLUDE``d file for the zones including it (both
    known from ``repository``, the discovery of the repository the files belong to). Any
    other file is skipped, with the reason. A directory is searched as a repository is; one
    without zone files, and a path that does not exist, are errors.
    """
    out = Selection()
    chosen: dict[str, ZoneSource] = {}
    repo_real = None if repository is None else os.path.realpath(repository.root)

    def add(zone: ZoneSource) -> None:
        chosen.setdefault(os.path.realpath(zone.path), zone)

    for given in paths:
        path = os.fspath(given)
        real = os.path.realpath(path)
        if os.path.isdir(path):
            zones, count = _directory(path, real, repository, repo_real)
            out.given += count
            if not zones:
                out.errors.append(ZoneFileError(path, "a directory without zone files"))
            for zone in zones:
                add(zone)
            continue
        out.given += 1
        if not os.path.lexists(path):
            out.errors.append(ZoneFileError(path, "cannot read the file: No such file or"
                                                  " directory"))
            continue
        itself = None if repository is None else repository.by_real.get(real)
        if itself is not None:
            add(ZoneSource(path, itself.format, itself.origin, itself.split))
            continue
        known = None if repository is None else repository.zones_for(real)
        if known:
            for zone in known:
                add(zone)
            continue
        if known is not None:
            assert repository is not None
            out.skipped.append(Skipped(path, "$INCLUDEd only by files that are not zone files"
                                             f" ({repository.includers_text(real)})"))
            continue
        shared = None if repository is None else repository.shared_by(real)
        if shared is not None:
            out.skipped.append(Skipped(path, "records octoDNS adds to every zone of"
                                             f" {shared} (its shared_filename)"))
            continue
        verdict = None if repository is None else repository.verdict(real)
        if verdict is None:
            verdict = sniff_file(path)
        if verdict.is_zone:
            add(ZoneSource(path, verdict.kind, verdict.origin))
        elif verdict.kind == "unreadable":
            out.errors.append(ZoneFileError(path, verdict.reason))
        else:
            out.skipped.append(Skipped(path, verdict.reason or "not a zone file"))
    out.zones = list(chosen.values())
    return out


def _directory(path: str, real: str, repository: Discovery | None,
               repo_real: str | None) -> tuple[list[ZoneSource], int]:
    """The zones of a directory argument and how many files it holds."""
    if repository is not None and repo_real is not None and _is_within(real, repo_real):
        zone = repository.by_real.get(real)
        if zone is not None:
            return [ZoneSource(path, zone.format, zone.origin, zone.split)], 1
        count = sum(1 for r in repository.verdicts if _is_within(r, real))
        if count:
            inside = [z for z in repository.zones
                      if _is_within(os.path.realpath(z.path), real)]
            return [_relocate(z, path, real) for z in inside], count
    found = discover(path)
    base = os.path.basename(os.path.normpath(real))
    if not found.zones and base.endswith("."):
        origin = _split_origin(base, ".")
        if origin is not None:
            return [ZoneSource(path, "octodns", origin, split=True)], found.examined
    return found.zones, found.examined


def _relocate(zone: ZoneSource, path: str, real: str) -> ZoneSource:
    """The zone with its path written from the directory argument as given."""
    rel = os.path.relpath(os.path.realpath(zone.path), real)
    return ZoneSource(os.path.normpath(os.path.join(path, rel)), zone.format, zone.origin,
                      zone.split)

