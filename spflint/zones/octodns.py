"""octoDNS YAML zones read as octoDNS reads them, with exact positions of every TXT/SPF value."""

from __future__ import annotations

import io
import ipaddress
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.constructor import SafeConstructor

from spflint.dns.base import NameData, RecordValue, ZoneData
from spflint.dns.names import normalize
from spflint.errors import InputError
from spflint.findings import Severity
from spflint.txt import from_outside, octodns_unescape

from .model import (
    LineIndex,
    StringToken,
    ZoneFile,
    ZoneFileError,
    ZoneNote,
    ZoneRecord,
    no_cycle_collection,
)

__all__ = [
    "MAX_DEPTH",
    "MAX_ZONE_BYTES",
    "origin_from_path",
    "parse_chunks",
    "read_octodns",
]

# The zone-scope rules the reader's notes belong to.
RELATIVE_TARGET = "SPF601"
ENTRY_SKIPPED = "SPF602"
INVALID_RECORD = "SPF603"

MAX_ZONE_BYTES = 64 * 1024 * 1024  # every file of one zone (split files, includes) together
MAX_DEPTH = 64  # YAML nesting; an octoDNS zone needs fewer than ten levels
MAX_INCLUDE_CHAIN = 16  # a file whose whole content is another !include, and so on
MAX_NOTES = 1000  # per zone; the rest are counted in one last note per rule
# YAML aliases and merge keys may read a collection again (a shared record, defaults merged
# into each record), up to this many entries or the number of nodes of the zone, if more.
MIN_REPEATS = 20_000

_STRING_TYPES = ("TXT", "SPF")
_SINGLE_VALUE_TYPES = ("ALIAS", "CNAME", "DNAME")  # octoDNS reads 'value' only for these
# Every record type octoDNS registers itself (type names are case-sensitive there); others
# come from plugins and are named "Provider/TYPE".
_CORE_TYPES = frozenset({
    "A", "AAAA", "ALIAS", "CAA", "CNAME", "DNAME", "DS", "HTTPS", "LOC", "MX", "NAPTR", "NS",
    "OPENPGPKEY", "PTR", "SOA", "SPF", "SRV", "SSHFP", "SVCB", "TLSA", "TXT", "URI", "URLFWD",
})
_ROUTE53_ALIAS = "Route53Provider/ALIAS"
_SUFFIX = re.compile(r"\.(ya?ml)$", re.IGNORECASE)
_UNESCAPED_SEMICOLON = re.compile(r"\w;")  # the test octoDNS applies to TXT and SPF values
_YAML = "tag:yaml.org,2002:"
_NULL_TAG = _YAML + "null"
_STR_TAG = _YAML + "str"
_MAP_TAG = _YAML + "map"
_SEQ_TAG = _YAML + "seq"
_MERGE_TAG = _YAML + "merge"
_INCLUDE_TAG = "!include"
_UNREADABLE = object()  # a scalar no constructor of the safe loader reads


def parse_chunks(text: str) -> list[str]:
    """The pieces octoDNS joins into a TXT value: a value starting with ``"`` loses its first
    and last character, then every ``" "`` between pieces is removed (nothing is unescaped)."""
    body = text[1:-1] if text.startswith('"') else text
    return body.split('" "')


def origin_from_path(path: str) -> str | None:
    """``example.com.yaml`` or a split zone's directory ``example.com.`` → ``example.com``.

    ``$example.com.yaml`` (a split zone's file for its apex and wildcard) is not a zone.
    """
    name = _SUFFIX.sub("", Path(path).name)
    if name.startswith("$") or "." not in name.strip("."):
        return None
    try:
        return normalize(name)
    except InputError:
        return None


@dataclass
class _Source:
    """One file read for the zone, and the way from YAML's character marks to its bytes."""

    path: str
    raw: bytes
    text: str
    ascii: bool
    _last: tuple[int, int] = (0, 0)

    def offset(self, char_index: int) -> int:
        """Byte offset of a character index (PyYAML marks count characters)."""
        if self.ascii:
            return char_index
        # Values are met mostly in file order: encode only the text since the last one.
        chars, octets = self._last
        if char_index >= chars:
            octets += len(self.text[chars:char_index].encode("utf-8"))
        else:
            octets = len(self.text[:char_index].encode("utf-8"))
        self._last = (char_index, octets)
        return octets


class _Guard:
    """Node composition that refuses deep nesting (mixed into both loaders below)."""

    depth: int
    nodes: int

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node | None:
        self.depth += 1
        self.nodes += 1
        try:
            if self.depth > MAX_DEPTH:
                raise ComposerError(None, None, f"nested deeper than {MAX_DEPTH} levels",
                                    self.peek_event().start_mark)  # type: ignore[attr-defined]
            return super().compose_node(parent, index)  # type: ignore[misc,no-any-return]
        finally:
            self.depth -= 1


class _Loader(_Guard, yaml.SafeLoader):
    """PyYAML's safe loader, used to compose nodes only, refusing deep nesting."""

    def __init__(self, text: str, name: str) -> None:
        super().__init__(text)
        self.name = name  # every mark, hence every node, names its file
        self.depth = 0
        self.nodes = 0


_CLoader: type | None = None
try:  # libyaml's scanner and parser (about 15 times faster), with the same composer
    from yaml._yaml import CParser
    from yaml.composer import Composer
    from yaml.resolver import Resolver

    class _CParsed(_Guard, Composer, CParser, SafeConstructor, Resolver):
        """Events from libyaml, nodes composed in Python with the same depth guard.

        libyaml's marks count characters as PyYAML's do; they take their name from the
        stream, so the text is given as a named stream.
        """

        def __init__(self, text: str, name: str) -> None:
            stream = io.StringIO(text)
            stream.name = name
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self.depth = 0
            self.nodes = 0

    _CLoader = _CParsed
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    pass


class _TooMuchWork(ZoneFileError):
    """Aliases or merge keys that would make reading the zone unbounded."""


@dataclass
class _Meta:
    ignored: bool = False
    lenient: bool = False

    @property
    def level(self) -> Severity | None:
        """The level of a problem octoDNS lets pass, with a warning, in a lenient record."""
        return Severity.WARNING if self.lenient else None


@dataclass
class _Reader:
    zone_path: str
    origin: str
    overrides: Mapping[str, bytes]
    sources: dict[str, _Source] = field(default_factory=dict)
    roots: dict[str, yaml.Node | None] = field(default_factory=dict)
    failed: dict[str, ZoneFileError] = field(default_factory=dict)
    records: list[ZoneRecord] = field(default_factory=list)
    notes: list[ZoneNote] = field(default_factory=list)
    dropped: dict[str, tuple[ZoneNote, int]] = field(default_factory=dict)
    noted: set[ZoneNote] = field(default_factory=set)
    defined: dict[tuple[str, str], str] = field(default_factory=dict)
    merged: set[int] = field(default_factory=set)  # ids of mappings joined by a list !include
    bytes_read: int = 0
    nodes: int = 0
    repeats: int = 0
    enumerated: set[int] = field(default_factory=set)  # ids of the collections read
    data: ZoneData = field(init=False)
    constructor: SafeConstructor = field(init=False, default_factory=SafeConstructor)

    def __post_init__(self) -> None:
        self.data = ZoneData(source=self.zone_path, apexes={self.origin})

    # ------------------------------------------------------------------ files

    def load(self, path: str) -> yaml.Node | None:
        """The composed root node of a file (read once per zone).

        :raises ZoneFileError: unreadable, too big, not UTF-8 or not YAML.
        """
        if path in self.failed:
            raise self.failed[path]
        if path in self.roots:
            return self.roots[path]
        try:
            root = self.compose(path)
        except ZoneFileError as exc:
            self.failed[path] = exc
            raise
        self.roots[path] = root
        return root

    def compose(self, path: str) -> yaml.Node | None:
        raw = self.read_bytes(path)
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, column = LineIndex(raw).position(exc.start)
            raise ZoneFileError(path, f"not UTF-8 text ({exc.reason})", line, column) from None
        self.sources[path] = _Source(path, raw, text, text.isascii())
        if _CLoader is not None:
            fast = _CLoader(text, path)
            try:
                root: yaml.Node | None = fast.get_single_node()
                self.nodes += fast.nodes
                return root
            except yaml.YAMLError:
                pass  # composed again below, for the pure-Python loader's exact message
            finally:
                fast.dispose()
        try:
            loader = _Loader(text, path)
        except yaml.reader.ReaderError as exc:
            offset = len(text[: exc.position].encode("utf-8"))
            line, column = LineIndex(raw).position(offset)
            code = exc.character if isinstance(exc.character, int) else ord(exc.character)
            raise ZoneFileError(path, f"invalid YAML: the character U+{code:04X} is not"
                                      " allowed", line, column) from None
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            problem = exc.problem or str(exc)
            if exc.context and exc.problem and exc.context.startswith("expected"):
                problem = f"{exc.context}, {exc.problem}"
            raise ZoneFileError(path, f"invalid YAML: {problem}",
                                None if mark is None else mark.line + 1,
                                None if mark is None else mark.column + 1) from None
        except yaml.YAMLError as exc:
            raise ZoneFileError(path, f"invalid YAML: {exc}") from None
        finally:
            loader.dispose()
        self.nodes += loader.nodes
        return root

    def read_bytes(self, path: str) -> bytes:
        left = MAX_ZONE_BYTES - self.bytes_read
        if path in self.overrides:
            raw = self.overrides[path]
        else:
            try:
                with open(path, "rb") as handle:
                    raw = handle.read(left + 1)
            except OSError as exc:
                raise ZoneFileError(path, f"cannot read the file: {exc.strerror or exc}"
                                    ) from None
        self.bytes_read += len(raw)
        if len(raw) > left:
            raise ZoneFileError(path, f"the zone's files are over {MAX_ZONE_BYTES >> 20} MiB,"
                                      " the most spflint reads for one zone")
        return raw

    def read_file(self, path: str) -> None:
        """Every record of one zone file.

        :raises ZoneFileError: the file is not YAML, or not a mapping of names.
        """
        root = self.load(path)
        if root is not None:
            root = self.deref(root)
        if root is None or (isinstance(root, yaml.ScalarNode) and root.tag == _NULL_TAG):
            return
        if not isinstance(root, yaml.MappingNode):
            mark = root.start_mark
            raise ZoneFileError(path, "an octoDNS zone is a mapping of names to records",
                                mark.line + 1, mark.column + 1)
        for key, value in self.pairs(root):
            self.name_entry(key, value)

    # ------------------------------------------------------------------ notes and limits

    def note(self, code: str, node: yaml.Node, message: str, term: str | None = None,
             severity: Severity | None = None) -> None:
        mark = node.start_mark
        note = ZoneNote(code, str(mark.name), mark.line + 1, mark.column + 1, message,
                        None if term is None else term[:80], severity)
        if note in self.noted:
            return  # the same node read again through an alias
        self.noted.add(note)
        if len(self.notes) < MAX_NOTES:
            self.notes.append(note)
            return
        first, count = self.dropped.get(code, (note, 0))
        self.dropped[code] = (first, count + 1)

    def finish(self) -> None:
        for code, (first, count) in sorted(self.dropped.items()):
            self.notes.append(ZoneNote(code, first.path, first.line, first.column,
                                       f"{count} more {code} problem(s) in this zone are not"
                                       f" listed (the first {MAX_NOTES} notes are)"))

    def spend(self, node: yaml.Node, count: int) -> None:
        """Account for reading ``count`` entries of a collection; reading one again (through
        an alias) is bounded, so that nested aliases cannot make the work explode."""
        if id(node) not in self.enumerated:
            self.enumerated.add(id(node))
            return
        self.repeats += count
        allowed = max(MIN_REPEATS, self.nodes)
        if self.repeats > allowed:
            raise _TooMuchWork(self.zone_path, "the YAML repeats its collections through aliases"
                                               f" or merge keys more than {allowed} times;"
                                               " spflint does not read it")

    # ------------------------------------------------------------------ YAML structure

    def value_of(self, node: yaml.Node) -> Any:
        """What YAML's safe loader makes of a scalar (``_UNREADABLE`` for an unknown tag)."""
        if not isinstance(node, yaml.ScalarNode):
            return _UNREADABLE
        try:
            return self.constructor.construct_object(node, deep=True)
        except (yaml.YAMLError, ValueError, TypeError):
            return _UNREADABLE

    def deref(self, node: yaml.Node) -> yaml.Node | None:
        """``node`` with octoDNS's ``!include`` replaced by what it includes (None: noted)."""
        for _ in range(MAX_INCLUDE_CHAIN):
            if node.tag != _INCLUDE_TAG:
                return node
            included = self.include(node)
            if included is None:
                return None
            node = included
        self.note(INVALID_RECORD, node, f"!include files include each other more than"
                                        f" {MAX_INCLUDE_CHAIN} deep")
        return None

    def include(self, node: yaml.Node) -> yaml.Node | None:
        """The content of an ``!include``: one file (a path relative to the including file),
        or a list of files whose mappings are merged or whose lists are joined."""
        base = os.path.dirname(str(node.start_mark.name))
        names: list[yaml.Node]
        if isinstance(node, yaml.ScalarNode):
            names = [node]
        elif isinstance(node, yaml.SequenceNode) and all(
                isinstance(n, yaml.ScalarNode) for n in node.value):
            names = list(node.value)
        else:
            self.note(INVALID_RECORD, node, "!include takes a file name or a list of file names")
            return None
        self.spend(node, len(names))
        roots: list[yaml.Node] = []
        for name in names:
            try:
                root = self.load(os.path.join(base, str(name.value)))
            except _TooMuchWork:
                raise
            except ZoneFileError as exc:
                self.note(INVALID_RECORD, name, f"!include {name.value}: {exc}", str(name.value))
                return None
            empty = yaml.ScalarNode(_NULL_TAG, "", name.start_mark, name.end_mark)
            roots.append(root if root is not None else empty)
        if isinstance(node, yaml.ScalarNode):
            return roots[0]
        if not roots:
            return yaml.ScalarNode(_NULL_TAG, "", node.start_mark, node.end_mark)
        if all(isinstance(r, yaml.MappingNode) for r in roots):
            merged = yaml.MappingNode(_MAP_TAG, [p for r in roots for p in r.value],
                                      node.start_mark, node.end_mark)
            self.merged.add(id(merged))  # a later file's key replaces an earlier one's
            return merged
        if all(isinstance(r, yaml.SequenceNode) for r in roots):
            return yaml.SequenceNode(_SEQ_TAG, [i for r in roots for i in r.value],
                                     node.start_mark, node.end_mark)
        self.note(INVALID_RECORD, node, "the files of one !include must all hold mappings or"
                                        " all hold lists")
        return None

    def pairs(self, node: yaml.MappingNode, depth: int = 0) -> list[tuple[yaml.Node, yaml.Node]]:
        """A mapping's key/value pairs as YAML's loader builds them: merge keys (``<<``)
        expanded, and a key given twice keeping its last value (the first is noted)."""
        self.spend(node, len(node.value))
        merged: list[tuple[yaml.Node, yaml.Node]] = []
        explicit: list[tuple[yaml.Node, yaml.Node]] = []
        for key, value in node.value:
            if key.tag != _MERGE_TAG:
                explicit.append((key, value))
                continue
            if depth >= MAX_DEPTH:
                self.note(INVALID_RECORD, key, f"merge keys (<<) nest more than {MAX_DEPTH}"
                                               " deep")
                continue
            for part in self.merge_parts(value):
                merged.extend(self.pairs(part, depth + 1))
        seen: dict[Any, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in merged:
            seen[self.key_of(key)] = (key, value)
        first: dict[Any, yaml.Node] = {}
        for key, value in explicit:
            ident = self.key_of(key)
            earlier = first.get(ident)
            if earlier is not None and id(node) not in self.merged:
                line = key.start_mark.line + 1
                self.note(INVALID_RECORD, earlier,
                          f"'{earlier.value}' is given again at line {line}: YAML keeps the"
                          " last one only, so octoDNS never reads this one",
                          str(earlier.value), Severity.WARNING)
            first[ident] = key
            seen.pop(ident, None)  # keep the order of the file for explicit keys
            seen[ident] = (key, value)
        return list(seen.values())

    def merge_parts(self, value: yaml.Node) -> list[yaml.MappingNode]:
        """The mappings a merge key brings in, the one that wins last (as YAML orders them)."""
        node = self.deref(value)
        if isinstance(node, yaml.MappingNode):
            return [node]
        if isinstance(node, yaml.SequenceNode):
            parts: list[yaml.MappingNode] = []
            for item in node.value:
                inner = self.deref(item)
                if isinstance(inner, yaml.MappingNode):
                    parts.append(inner)
                elif inner is not None:
                    self.note(INVALID_RECORD, item, "a merge key (<<) takes mappings only")
            return parts[::-1]  # the first mapping listed wins
        if node is not None:
            self.note(INVALID_RECORD, node, "a merge key (<<) takes a mapping or a list of"
                                            " mappings")
        return []

    def key_of(self, key: yaml.Node) -> Any:
        """How YAML's loader compares two keys (by value); a collection is its own key."""
        value = self.value_of(key)
        if value is _UNREADABLE:
            return ("node", id(key))
        try:
            hash(value)
        except TypeError:
            return ("node", id(key))
        return (type(value) is bool, value)

    def fields(self, node: yaml.MappingNode) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        """A record's (or a value's) fields by name; keys that are not text are no field."""
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key, value in self.pairs(node):
            name = self.value_of(key)
            if isinstance(name, str):
                out[name] = (key, value)
        return out

    def truthy(self, entry: tuple[yaml.Node, yaml.Node] | None) -> bool:
        if entry is None:
            return False
        node = self.deref(entry[1])
        if node is None:
            return False
        if isinstance(node, yaml.ScalarNode):
            return bool(self.value_of(node))
        return bool(node.value)

    # ------------------------------------------------------------------ names and records

    def name_entry(self, key: yaml.Node, value: yaml.Node) -> None:
        label = self.label(key)
        if label is None:
            return
        node = self.deref(value)
        if node is None:
            return
        if isinstance(node, yaml.ScalarNode) and node.tag == _NULL_TAG:
            self.note(INVALID_RECORD, key, f"{_shown(label)} has no records", label)
            return
        items = list(node.value) if isinstance(node, yaml.SequenceNode) else [node]
        self.spend(node, len(items))
        for item in items:
            self.record(label, key, item)

    def label(self, key: yaml.Node) -> str | None:
        """A top-level key as the record name octoDNS makes of it (``str()`` of the value)."""
        if not isinstance(key, yaml.ScalarNode):
            self.note(INVALID_RECORD, key, "a record name must be text, not a list or a"
                                           " mapping")
            return None
        value = self.value_of(key)
        if isinstance(value, str):
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        read = "a value no YAML loader reads" if value is _UNREADABLE else repr(value)
        self.note(INVALID_RECORD, key, f"the record name {key.value!r} is not text: YAML reads"
                                       f" it as {read}; quote it ('{key.value}')", key.value)
        return None

    def owner(self, label: str, key: yaml.Node, meta: _Meta) -> str | None:
        if label == "@":
            self.note(INVALID_RECORD, key, "octoDNS does not read '@' as the zone apex: name"
                                           " the apex '' (it would publish '@' as a label)",
                      label, meta.level)
            return None
        if " " in label or "\t" in label:
            self.note(INVALID_RECORD, key, f"the record name {label!r} contains whitespace",
                      label, meta.level)
            return None
        try:
            return normalize(f"{label}.{self.origin}" if label else self.origin)
        except InputError as exc:
            self.note(INVALID_RECORD, key, exc.message, label)
            return None

    def meta(self, entry: tuple[yaml.Node, yaml.Node] | None) -> _Meta:
        """The record's ``octodns:`` settings that decide what is published and how strictly."""
        if entry is None:
            return _Meta()
        node = self.deref(entry[1])
        if node is None:
            return _Meta()
        if not isinstance(node, yaml.MappingNode):
            self.note(INVALID_RECORD, node, "'octodns' holds a mapping of settings")
            return _Meta()
        fields = self.fields(node)
        return _Meta(ignored=self.truthy(fields.get("ignored")),
                     lenient=self.truthy(fields.get("lenient")))

    def record(self, label: str, key: yaml.Node, item: yaml.Node) -> None:
        node = self.deref(item)
        if node is None:
            return
        if not isinstance(node, yaml.MappingNode):
            self.note(INVALID_RECORD, node, "a record is a mapping with 'type' and 'value' or"
                                            " 'values'")
            return
        fields = self.fields(node)
        entry = fields.get("type")
        if entry is None:
            self.note(INVALID_RECORD, node, "the record has no 'type': octoDNS refuses the zone")
            return
        type_node = self.deref(entry[1])
        if type_node is None:
            return
        if not (isinstance(type_node, yaml.ScalarNode) and type_node.tag == _STR_TAG):
            shown = type_node.value if isinstance(type_node, yaml.ScalarNode) else "a collection"
            self.note(INVALID_RECORD, type_node, f"a record type is a name such as TXT, not"
                                                 f" {shown!r}")
            return
        rdtype = str(type_node.value)
        meta = self.meta(fields.get("octodns"))
        if meta.ignored:
            self.note(ENTRY_SKIPPED, type_node, f"this {rdtype} record is marked 'ignored':"
                                                " octoDNS does not publish it", rdtype)
            return
        if rdtype not in _CORE_TYPES and rdtype != _ROUTE53_ALIAS:
            self.unknown_type(type_node, rdtype)
            return
        owner = self.owner(label, key, meta)
        if owner is None:
            return
        self.check_ttl(fields.get("ttl"), meta)
        where = self.defined.get((owner, rdtype))
        if where is not None:
            self.note(INVALID_RECORD, node, f"a second {rdtype} record for {_shown(label)} (the"
                                            f" first is at {where}): octoDNS refuses the zone;"
                                            " give all the values in one 'values' list", rdtype)
            return
        mark = node.start_mark
        self.defined[(owner, rdtype)] = f"{mark.name}:{mark.line + 1}"
        values = self.values(rdtype, fields, node)
        if values is not None:
            self.add_values(owner, rdtype, values, meta)

    def unknown_type(self, node: yaml.Node, rdtype: str) -> None:
        if "/" in rdtype:
            self.note(ENTRY_SKIPPED, node, f"{rdtype} is a provider's own record type, which"
                                           " spflint does not read", rdtype)
        elif rdtype.upper() in _CORE_TYPES:
            self.note(INVALID_RECORD, node, f"octoDNS has no record type '{rdtype}' (type names"
                                            f" are case-sensitive): write '{rdtype.upper()}'",
                      rdtype)
        else:
            self.note(INVALID_RECORD, node, f"octoDNS has no record type '{rdtype}'", rdtype)

    def check_ttl(self, entry: tuple[yaml.Node, yaml.Node] | None, meta: _Meta) -> None:
        if entry is None:
            return  # the provider's default TTL
        node = self.deref(entry[1])
        if node is None:
            return
        value = self.value_of(node)
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool):
            shown = node.value if isinstance(node, yaml.ScalarNode) else "a collection"
            self.note(INVALID_RECORD, node, f"the TTL is a whole number of seconds, not"
                                            f" {shown!r}")
        elif value < 0:
            self.note(INVALID_RECORD, node, f"the TTL {value} is negative", str(value),
                      meta.level)

    def values(self, rdtype: str, fields: dict[str, tuple[yaml.Node, yaml.Node]],
               node: yaml.MappingNode) -> list[yaml.Node] | None:
        """The value nodes of a record, taken from the key octoDNS reads for its type."""
        one, many = fields.get("value"), fields.get("values")
        if rdtype in _SINGLE_VALUE_TYPES:
            if one is None:
                self.note(INVALID_RECORD, node if many is None else many[0],
                          f"a {rdtype} record has one 'value'" + (
                              ", octoDNS does not read 'values' for it" if many else ""), rdtype)
                return None
            if many is not None:
                self.note(INVALID_RECORD, many[0], f"octoDNS reads 'value' and ignores 'values'"
                                                   f" in a {rdtype} record", "values",
                          Severity.WARNING)
            value = self.deref(one[1])
            if value is None:
                return None
            if isinstance(value, yaml.SequenceNode):
                self.note(INVALID_RECORD, value, f"a {rdtype} record has a single value, not a"
                                                  " list", rdtype)
                return None
            return [value]
        chosen = many if many is not None else one
        if chosen is None:
            self.note(INVALID_RECORD, node, f"the {rdtype} record has no 'value' or 'values'",
                      rdtype)
            return None
        if many is not None and one is not None:
            self.note(INVALID_RECORD, one[0], "the record has both 'value' and 'values': octoDNS"
                                              " reads 'values' and ignores 'value'", "value",
                      Severity.WARNING)
        value = self.deref(chosen[1])
        if value is None:
            return None
        items = list(value.value) if isinstance(value, yaml.SequenceNode) else [value]
        if not items:
            self.note(INVALID_RECORD, value, f"the {rdtype} record has no values", rdtype)
            return None
        self.spend(value, len(items))
        return [v for v in (self.deref(i) for i in items) if v is not None]

    # ------------------------------------------------------------------ values

    def add(self, owner: str, rdtype: str, value: RecordValue) -> None:
        self.data.names.setdefault(owner, NameData()).records.append((rdtype, value))

    def add_values(self, owner: str, rdtype: str, values: list[yaml.Node], meta: _Meta) -> None:
        if rdtype in _STRING_TYPES:
            for value in values:
                record = self.string_record(owner, rdtype, value, meta)
                if record is not None:
                    self.records.append(record)
                    self.add(owner, rdtype, record.strings)
        elif rdtype in ("A", "AAAA"):
            for value in values:
                address = self.address(rdtype, value)
                if address is not None:
                    self.add(owner, rdtype, address)
        elif rdtype == "MX":
            for value in values:
                for mx in self.mx(value, meta):
                    self.add(owner, rdtype, mx)
        elif rdtype in ("CNAME", "ALIAS", "NS", "PTR"):
            self.targets(owner, rdtype, values, meta)
        elif rdtype == _ROUTE53_ALIAS:
            for value in values:
                target = self.route53_alias(value)
                if target is not None and ("ALIAS", target) not in self.data.names.get(
                        owner, NameData()).records:
                    self.add(owner, "ALIAS", target)
        elif rdtype == "DNAME":
            self.note(ENTRY_SKIPPED, values[0], "spflint does not follow DNAME records: names"
                                                " below this one are not answered from it",
                      "DNAME")
        # Other types (CAA, SRV, SSHFP, ...) publish nothing SPF evaluation asks for.

    def targets(self, owner: str, rdtype: str, values: list[yaml.Node], meta: _Meta) -> None:
        first = values[0] if values else None
        if first is not None and rdtype == "CNAME" and owner == self.origin:
            self.note(INVALID_RECORD, first, "octoDNS refuses a CNAME at the zone apex", "CNAME",
                      meta.level)
        if first is not None and rdtype == "ALIAS" and owner != self.origin:
            self.note(INVALID_RECORD, first, "octoDNS allows ALIAS only at the zone apex ('')",
                      "ALIAS", meta.level)
        for value in values:
            target = self.target(rdtype, value, meta)
            if target is None:
                continue
            self.add(owner, rdtype, target)
            if rdtype == "NS" and owner != self.origin:
                self.data.delegations.add(owner)

    def string_record(self, owner: str, rdtype: str, node: yaml.Node,
                      meta: _Meta) -> ZoneRecord | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL_TAG:
            self.note(INVALID_RECORD, node, f"a {rdtype} value must be a string", rdtype)
            return None
        if node.tag.startswith("!"):
            self.note(INVALID_RECORD, node, f"the YAML tag {node.tag} is not one octoDNS's"
                                            " loader knows", node.tag)
            return None
        if node.tag != _STR_TAG:
            # YAML reads 5, 1.5, yes or 2024-01-01 as numbers, booleans and dates: octoDNS
            # would not publish them as this text.
            self.note(INVALID_RECORD, node, f"a {rdtype} value must be a string, not"
                                            f" {node.value!r}; quote it ('{node.value}')",
                      str(node.value))
            return None
        text = str(node.value)
        found = _UNESCAPED_SEMICOLON.search(text)
        if found:
            self.note(INVALID_RECORD, node, f"unescaped ';' in the {rdtype} value: octoDNS wants"
                                            " it written '\\;'", found.group(), meta.level)
        if not text.isascii():
            char = next(c for c in text if not c.isascii())
            self.note(INVALID_RECORD, node, f"the {rdtype} value holds the non-ASCII character"
                                            f" {char!r}, which octoDNS refuses", char,
                      meta.level)
        if text.startswith('"') and (len(text) < 2 or not text.endswith('"')):
            self.note(INVALID_RECORD, node, "the value starts with '\"' but does not end with"
                                            " one: octoDNS drops its first and last character",
                      text[:20], Severity.WARNING)
        # A "\ud800" escape decodes to a lone surrogate, which no octets encode.
        strings = tuple(from_outside(octodns_unescape(p)).encode("utf-8")
                        for p in parse_chunks(text))
        source = self.sources[str(node.start_mark.name)]
        mark = node.start_mark
        begin = _content_start(source.text, mark.index, node.end_mark.index)
        line, column = mark.line + 1, mark.column + 1
        if begin != mark.index:  # the node's mark is at its anchor or tag
            line += source.text.count("\n", mark.index, begin)
            column = begin - source.text.rfind("\n", 0, begin)
        start = source.offset(begin)
        end = source.offset(node.end_mark.index)
        return ZoneRecord(
            name=owner, rdtype=rdtype, path=source.path, line=line, value_line=line,
            column=column, start=start, end=end, strings=strings,
            tokens=(StringToken(start, end, bool(node.style)),), style=node.style or "",
            chunked=text.startswith('"'), zone=self.origin, index=len(self.records))

    def scalar_text(self, node: yaml.Node, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL_TAG or node.value == "":
            self.note(INVALID_RECORD, node, f"{what} is missing or not a single value")
            return None
        return str(node.value).strip()

    def address(self, rdtype: str, node: yaml.Node) -> str | None:
        text = self.scalar_text(node, f"the {rdtype} address")
        if text is None:
            return None
        try:
            ip = ipaddress.ip_address(text)
        except ValueError:
            ip = None
        if ip is None or (ip.version == 4) != (rdtype == "A"):
            self.note(INVALID_RECORD, node, f"{text!r} is not a valid {rdtype} address", text)
            return None
        return str(ip)

    def mx(self, node: yaml.Node, meta: _Meta) -> Iterator[tuple[int, str]]:
        if not isinstance(node, yaml.MappingNode):
            self.note(INVALID_RECORD, node, "an MX value is a mapping with 'exchange' and"
                                            " 'preference'")
            return
        fields = self.fields(node)
        # octoDNS also reads the older names 'value' (exchange) and 'priority' (preference).
        host = fields.get("exchange") or fields.get("value")
        pref = fields.get("preference") or fields.get("priority")
        if host is None or pref is None:
            missing = "'exchange'" if host is None else "'preference'"
            self.note(INVALID_RECORD, node, f"the MX value has no {missing}")
            return
        pref_node = self.deref(pref[1])
        if pref_node is None:
            return
        number = self.value_of(pref_node)
        if isinstance(number, str) and number.strip().isdigit():
            number = int(number)
        if isinstance(number, bool) or not isinstance(number, int) or not 0 <= number <= 65535:
            shown = pref_node.value if isinstance(pref_node, yaml.ScalarNode) else "a collection"
            self.note(INVALID_RECORD, pref_node, f"MX preference must be 0-65535, not {shown!r}")
            return
        host_node = self.deref(host[1])
        if host_node is None:
            return
        target = self.target("MX", host_node, meta)
        if target is not None:
            yield number, target

    def target(self, rdtype: str, node: yaml.Node, meta: _Meta) -> str | None:
        """A target name as written: octoDNS wants it absolute and never adds the zone."""
        what = "the MX exchange" if rdtype == "MX" else f"the {rdtype} target"
        text = self.scalar_text(node, what)
        if text is None:
            return None
        if text == ".":
            return ""
        if not text.endswith("."):
            outcome = ("the record is lenient, so octoDNS publishes it as written" if meta.lenient
                       else "octoDNS refuses the zone")
            self.note(RELATIVE_TARGET, node,
                      f"{what} '{text}' has no final dot: {outcome}; spflint reads it as the"
                      f" name written ({text}.), not as {text}.{self.origin}", text, meta.level)
        try:
            return normalize(text)
        except InputError as exc:
            self.note(INVALID_RECORD, node, exc.message, text)
            return None

    def route53_alias(self, node: yaml.Node) -> str | None:
        """The target of a Route 53 alias answering A or AAAA; its 'name' is relative to the
        zone unless it ends with a dot ('' is the apex)."""
        if not isinstance(node, yaml.MappingNode):
            self.note(INVALID_RECORD, node, f"a {_ROUTE53_ALIAS} value is a mapping with 'name'"
                                            " and 'type'")
            return None
        fields = self.fields(node)
        kind_entry = fields.get("type")
        kind = None if kind_entry is None else self.value_of(kind_entry[1])
        if not isinstance(kind, str):
            self.note(INVALID_RECORD, node, f"the {_ROUTE53_ALIAS} value has no 'type'")
            return None
        if kind not in ("A", "AAAA"):
            self.note(ENTRY_SKIPPED, kind_entry[1] if kind_entry else node,
                      f"spflint reads {_ROUTE53_ALIAS} values of type A and AAAA only, not"
                      f" {kind}", kind)
            return None
        name_entry = fields.get("name")
        name = "" if name_entry is None else self.value_of(name_entry[1])
        if name is None:
            name = ""
        if not isinstance(name, str):
            self.note(INVALID_RECORD, node, f"the {_ROUTE53_ALIAS} 'name' must be text")
            return None
        text = name.strip()
        full = text if text.endswith(".") else (f"{text}.{self.origin}" if text else self.origin)
        try:
            return normalize(full)
        except InputError as exc:
            self.note(INVALID_RECORD, node, exc.message, text)
            return None


def _content_start(text: str, index: int, end: int) -> int:
    """Where a scalar's content starts: after its anchor (``&name``) and tag (``!tag``)."""
    i = index
    for _ in range(2):
        if i >= end or text[i] not in "&!":
            break
        if text.startswith("!<", i):
            i = text.find(">", i, end) + 1 or end
        else:
            while i < end and text[i] not in " \t\r\n":
                i += 1
        while i < end and text[i] in " \t\r\n#":
            if text[i] == "#":  # a comment between the properties and the content
                i = text.find("\n", i, end) + 1 or end
            else:
                i += 1
    return i


def _shown(label: str) -> str:
    return f"the name '{label}'" if label else "the zone apex ('')"


def _split_files(reader: _Reader, directory: str) -> list[str]:
    """The files octoDNS reads for a split zone: every ``*.yaml`` in the directory (their
    names do not matter, ``$example.com.yaml`` holds the apex by convention)."""
    try:
        names = sorted(os.listdir(directory))
    except OSError as exc:
        raise ZoneFileError(directory, f"cannot read the directory: {exc.strerror or exc}"
                            ) from None
    files: list[str] = []
    for name in names:
        path = os.path.join(directory, name)
        if name.endswith(".yaml"):
            if not os.path.isdir(path):
                files.append(path)
        elif _SUFFIX.search(name) and os.path.isfile(path):
            mark = yaml.Mark(path, 0, 0, 0, None, 0)
            reader.note(INVALID_RECORD, yaml.ScalarNode(_STR_TAG, name, mark, mark),
                        f"octoDNS reads only the '*.yaml' files of a split zone: {name} is not"
                        " published", name, Severity.WARNING)
    return files


def _read_files(reader: _Reader, name: str) -> None:
    """The zone's one file, or each file of a split zone's directory."""
    if not os.path.isdir(name):
        reader.read_file(name)
        return
    files = _split_files(reader, name)
    if not files:
        raise ZoneFileError(name, "a split zone directory without '*.yaml' files")
    for file in files:
        try:
            reader.read_file(file)
        except _TooMuchWork:
            raise
        except ZoneFileError as exc:
            mark = yaml.Mark(file, 0, (exc.line or 1) - 1, (exc.column or 1) - 1, None, 0)
            reader.note(INVALID_RECORD, yaml.ScalarNode(_STR_TAG, "", mark, mark),
                        f"{exc.reason}: none of this file's records are read")


def read_octodns(path: str | os.PathLike[str], origin: str | None = None, *,
                 overrides: Mapping[str, bytes] | None = None) -> ZoneFile:
    """Read an octoDNS zone: a YAML file named after its zone (``example.com.yaml``), or a
    split zone's directory (``example.com./``, one file per name) read file by file.

    Records are read as octoDNS reads them (see docs/zones.md); an entry octoDNS would refuse
    or drop, or that spflint does not read, is a note in ``ZoneFile.notes`` and the other
    records are still read. Every record carries the file it is in.

    :raises ZoneFileError: an unreadable file, invalid YAML or a file that is not a mapping
        (for a split zone, only a directory that cannot be listed or holds no ``*.yaml``;
        its files' problems are notes), or a zone over the size and work limits.
    """
    name = os.fspath(path)
    zone_origin = normalize(origin) if origin else origin_from_path(name)
    if zone_origin is None:
        raise ZoneFileError(name, "cannot tell the zone from the file name (expected e.g."
                                  " example.com.yaml, or a directory example.com.)")
    reader = _Reader(name, zone_origin, overrides or {})
    with no_cycle_collection():
        _read_files(reader, name)
    reader.finish()
    return ZoneFile(path=name, format="octodns", origin=zone_origin, records=reader.records,
                    data=reader.data, contents={p: s.raw for p, s in reader.sources.items()},
                    notes=reader.notes)
