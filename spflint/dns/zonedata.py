"""Loaders for offline DNS data: openspf-style YAML ``zonedata`` and BIND master files."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterator
from pathlib import Path

import yaml

from spflint.dns.base import NameData, RecordValue, ZoneData
from spflint.dns.names import normalize
from spflint.errors import InputError

__all__ = ["load", "load_bind", "load_yaml", "load_yaml_documents", "merge"]

_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_FLAGS = ("TIMEOUT", "SERVFAIL")
_STRING_TYPES = ("TXT", "SPF")
_HOST_TYPES = ("PTR", "CNAME", "NS")
_YAML_TYPES = ("TXT", "SPF", "A", "AAAA", "MX", "PTR", "CNAME", "NS")


# --------------------------------------------------------------------------- YAML


class _YamlReader:
    """Walks composed YAML nodes, so every error can name the file and line."""

    def __init__(self, source: str, spf_as_txt: bool) -> None:
        self.source = source
        self.spf_as_txt = spf_as_txt

    def fail(self, node: yaml.Node, what: str) -> InputError:
        return InputError(f"{self.source}:{node.start_mark.line + 1}: {what}")

    def document(self, root: yaml.Node | None) -> ZoneData:
        data = ZoneData(source=self.source)
        if root is None or root.tag == _NULL_TAG:
            return data
        if not isinstance(root, yaml.MappingNode):
            raise self.fail(root, "expected a mapping of names to lists of records")
        zone_node: yaml.Node = root
        keys = {key.value: value for key, value in root.value
                if isinstance(key, yaml.ScalarNode) and key.value in ("zonedata", "tests")}
        if "zonedata" in keys:
            zone_node = keys["zonedata"]
            # Only a whole openspf scenario (its tests beside its data) describes the whole
            # DNS of that scenario. Zone data merely written in that shape lists some names:
            # any other name is unknown, never "no such name".
            data.complete = "tests" in keys
        if zone_node.tag == _NULL_TAG:
            return data
        if not isinstance(zone_node, yaml.MappingNode):
            raise self.fail(zone_node, "'zonedata' must be a mapping of names to lists of records")
        for key, value in zone_node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == _NULL_TAG:
                raise self.fail(key, "a zone-data name must be a plain string")
            try:
                name = normalize(key.value)
            except InputError as exc:
                raise self.fail(key, exc.message) from None
            # A name listed twice (or with different case or a trailing dot) adds up.
            self.entries(name, value, data.names.setdefault(name, NameData()))
        return data

    def entries(self, name: str, node: yaml.Node, target: NameData) -> None:
        if node.tag == _NULL_TAG:
            return
        if not isinstance(node, yaml.SequenceNode):
            raise self.fail(node, f"records of {name!r} must be a list, e.g. '- TXT: v=spf1 -all'")
        spf_records: list[RecordValue] = []
        has_txt = False
        for entry in node.value:
            if isinstance(entry, yaml.ScalarNode):
                word = entry.value.upper()
                if word not in _FLAGS:
                    raise self.fail(
                        entry,
                        f"unknown word {entry.value!r} (expected TIMEOUT, SERVFAIL or a record)",
                    )
                setattr(target, word.lower(), True)
                continue
            if not isinstance(entry, yaml.MappingNode) or not entry.value:
                raise self.fail(entry, "a record must be a one-key mapping such as 'A: 192.0.2.1'")
            for key, value in entry.value:
                rdtype = key.value.upper() if isinstance(key, yaml.ScalarNode) else ""
                if rdtype not in _YAML_TYPES:
                    raise self.fail(
                        key,
                        f"unknown record type {getattr(key, 'value', key)!r}"
                        f" (expected one of {', '.join(_YAML_TYPES)})",
                    )
                if rdtype == "TXT":
                    has_txt = True
                for record in self.values(rdtype, value):
                    target.records.append((rdtype, record))
                    if rdtype == "SPF":
                        spf_records.append(record)
        if self.spf_as_txt and not has_txt:
            # openspf test drivers publish each type-99 record as TXT too unless TXT is listed.
            target.records.extend(("TXT", record) for record in spf_records)

    def values(self, rdtype: str, node: yaml.Node) -> Iterator[RecordValue]:
        if node.tag == _NULL_TAG:
            raise self.fail(node, f"{rdtype} needs a value")
        if isinstance(node, yaml.ScalarNode) and node.value == "TIMEOUT":
            raise self.fail(
                node, f"'{rdtype}: TIMEOUT' is not supported; list TIMEOUT as its own entry"
            )
        if rdtype in _STRING_TYPES:
            if isinstance(node, yaml.ScalarNode):
                if node.value != "NONE":  # openspf: the name has no record of this type
                    yield (self.octets(node),)
                return
            if isinstance(node, yaml.SequenceNode):
                yield tuple(self.octets(item) for item in node.value)
                return
            raise self.fail(node, f"{rdtype} takes a string or a list of strings")
        if rdtype == "MX":
            if not (isinstance(node, yaml.SequenceNode) and len(node.value) == 2):
                raise self.fail(
                    node, "MX takes [preference, host], e.g. 'MX: [10, mx.example.com]'"
                )
            pref_node, host_node = node.value
            pref = pref_node.value if isinstance(pref_node, yaml.ScalarNode) else ""
            if not (isinstance(pref, str) and pref.isdigit() and int(pref) <= 65535):
                raise self.fail(pref_node, f"MX preference must be 0-65535, not {pref!r}")
            yield (int(pref), self.host(host_node))
            return
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for item in items:
            if rdtype in ("A", "AAAA"):
                yield self.address(rdtype, item)
            else:
                yield self.host(item)

    def scalar(self, node: yaml.Node, what: str) -> str:
        if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL_TAG:
            raise self.fail(node, f"expected {what}")
        return str(node.value)

    def octets(self, node: yaml.Node) -> bytes:
        text = self.scalar(node, "a string")
        if node.tag != _STR_TAG:
            # YAML reads 1, 1.5, yes or 2024-01-01 as numbers, booleans and dates, not text.
            raise self.fail(node, f"a TXT or SPF string must be text, not {text!r}; quote it"
                                  f" ('{text}')")
        value = text.encode("utf-8")
        if len(value) > 255:
            raise self.fail(
                node,
                f"a TXT character-string holds at most 255 octets, this one has {len(value)};"
                " give the record as a list of strings",
            )
        return value

    def host(self, node: yaml.Node) -> str:
        text = self.scalar(node, "a host name") if node.tag != _NULL_TAG else ""
        if text.strip() in ("", "."):
            return ""  # the root, as in a null MX (RFC 7505)
        try:
            return normalize(text)
        except InputError as exc:
            raise self.fail(node, exc.message) from None

    def address(self, rdtype: str, node: yaml.Node) -> str:
        text = self.scalar(node, f"an {'IPv4' if rdtype == 'A' else 'IPv6'} address")
        try:
            ip = ipaddress.ip_address(text.strip())
        except ValueError:
            ip = None
        if ip is None or (ip.version == 4) != (rdtype == "A"):
            raise self.fail(node, f"{text!r} is not a valid {rdtype} record address")
        return str(ip)


def _read_source(source: str | os.PathLike[str]) -> tuple[str, str]:
    """Return (label, text) for a path or literal YAML text."""
    if isinstance(source, str) and ("\n" in source or not _looks_like_path(source)):
        return "<text>", source
    from spflint.zones.bind import read_bounded
    from spflint.zones.model import ZoneFileError

    try:
        # A regular file of bounded size: never a FIFO or a device.
        return str(source), read_bounded(os.fspath(source)).decode("utf-8")
    except ZoneFileError as exc:
        reason = exc.reason.removeprefix("cannot read the file: ")
        raise InputError(f"cannot read zone data {str(source)!r}: {reason}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text ({exc.reason})") from None


def _looks_like_path(text: str) -> bool:
    return os.path.exists(text) or text.lower().endswith((".yml", ".yaml", ".zone", ".db"))


def _compose_all(label: str, text: str) -> list[yaml.Node | None]:
    try:
        # libyaml where PyYAML has it: the same nodes and marks, many times faster on a
        # large file.
        return list(yaml.compose_all(text, Loader=getattr(yaml, "CSafeLoader",
                                                          yaml.SafeLoader)))
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(f"{label}{line}: invalid YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise InputError(f"{label}: invalid YAML: {exc}") from None
    except RecursionError:
        raise InputError(f"{label}: invalid YAML: nested too deep") from None


def load_yaml_documents(
    source: str | os.PathLike[str], *, spf_as_txt: bool = False
) -> list[ZoneData]:
    """Load each YAML document of ``source`` (a path or YAML text) as its own zone data.

    ``spf_as_txt`` applies the openspf test-suite convention: a name's ``SPF`` records are also
    published as TXT unless the name lists a ``TXT`` entry (``TXT: NONE`` lists none).

    :raises InputError: for unreadable files, invalid YAML or invalid entries (with file:line).
    """
    label, text = _read_source(source)
    reader = _YamlReader(label, spf_as_txt)
    return [reader.document(node) for node in _compose_all(label, text)]


def load_yaml(source: str | os.PathLike[str], *, spf_as_txt: bool = False) -> ZoneData:
    """Load openspf-style ``zonedata`` YAML (one or several documents, merged) from a path or text.

    :raises InputError: for unreadable files, invalid YAML or invalid entries (with file:line).
    """
    documents = load_yaml_documents(source, spf_as_txt=spf_as_txt)
    merged = merge(*documents)
    merged.source = _read_label(source)
    return merged


def _read_label(source: str | os.PathLike[str]) -> str:
    if isinstance(source, str) and ("\n" in source or not _looks_like_path(source)):
        return "<text>"
    return str(source)


# --------------------------------------------------------------------------- BIND


def load_bind(path: str | os.PathLike[str], origin: str | None = None) -> ZoneData:
    """Load a BIND master file; its origin becomes an apex (names below it not listed: NXDOMAIN).

    Read exactly as ``spflint zone`` reads it (:func:`spflint.zones.read_bind`, with
    ``$INCLUDE``): the origin is ``origin``, else the file's first ``$ORIGIN``, else its SOA
    owner or first absolute owner name, else the file name (``db.example.com``,
    ``example.com.zone``).

    :raises InputError: unreadable file, unknown origin, a syntax error, or a TXT string over
        255 octets (with file, line and column).
    """
    # Imported here: the zone readers are not needed to start a command without zone data.
    from spflint.txt import MAX_STRING
    from spflint.zones.bind import read_bind, read_bounded
    from spflint.zones.model import LineIndex, ZoneFileError

    label = os.fspath(path)
    try:
        raw = read_bounded(label)  # a regular file of bounded size: never a FIFO or device
    except ZoneFileError as exc:
        reason = exc.reason.removeprefix("cannot read the file: ")
        raise InputError(f"cannot read zone file {label!r}: {reason}") from None
    zone = read_bind(label, origin, overrides={label: raw})
    if not zone.origin:
        raise ZoneFileError(label, "the zone's origin is unknown: add '$ORIGIN example.com.' or"
                                   " an SOA record, name the file after the zone"
                                   " (db.example.com), or give the origin")
    for record in zone.records:
        for string, token in zip(record.strings, record.tokens, strict=False):
            if len(string) > MAX_STRING:
                line, column = LineIndex(zone.contents[record.path]).position(token.start)
                raise ZoneFileError(record.path, f"a {record.rdtype} character-string holds at"
                                                 f" most {MAX_STRING} octets, this one has"
                                                 f" {len(string)}; split it into several"
                                                 " strings", line, column)
    return zone.data


# --------------------------------------------------------------------------- both


def load(path: str | os.PathLike[str], *, origin: str | None = None) -> ZoneData:
    """Load zone data from a file: ``.yml``/``.yaml`` as YAML, anything else as a BIND zone.

    :raises InputError: see :func:`load_yaml` and :func:`load_bind`.
    """
    if str(path).lower().endswith((".yml", ".yaml")):
        if not os.path.exists(path):
            raise InputError(f"cannot read zone data {str(path)!r}: no such file")
        return load_yaml(Path(path))
    return load_bind(path, origin=origin)


def merge(*zonedata: ZoneData) -> ZoneData:
    """Combine zone data: records of a name listed in several add up, flags too."""
    merged = ZoneData(source=", ".join(dict.fromkeys(z.source for z in zonedata if z.source)))
    for data in zonedata:
        merged.apexes |= data.apexes
        merged.delegations |= data.delegations
        merged.complete = merged.complete or data.complete
        merged.computed.update(data.computed)
        for name, entry in data.names.items():
            target = merged.names.setdefault(name, NameData())
            target.records.extend(entry.records)
            target.timeout = target.timeout or entry.timeout
            target.servfail = target.servfail or entry.servfail
    return merged
