"""octoDNS YAML zone files read with exact byte positions of every TXT/SPF value."""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import yaml

from spflint.dns.base import NameData, RecordValue, ZoneData
from spflint.dns.names import normalize
from spflint.errors import InputError

from .bind import MAX_STRING
from .model import LineIndex, StringToken, ZoneFile, ZoneFileError, ZoneRecord

__all__ = ["escape_value", "read_octodns", "unescape_value"]

_STRING_TYPES = ("TXT", "SPF")
_SUFFIX = re.compile(r"\.(ya?ml)$", re.IGNORECASE)
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"


def unescape_value(text: str) -> str:
    """octoDNS TXT values escape ``;`` as ``\\;``; return the published text."""
    return text.replace("\\;", ";")


def escape_value(text: str) -> str:
    """The octoDNS form of published TXT text (``;`` escaped)."""
    return re.sub(r"(?<!\\);", r"\\;", text)


def parse_chunks(text: str) -> list[str] | None:
    """``"a" "b"`` (octoDNS's chunked form) as its chunks, else None."""
    if not (len(text) >= 2 and text.startswith('"') and text.endswith('"')):
        return None
    chunks: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i] == " ":
            i += 1
            continue
        if text[i] != '"':
            return None
        i += 1
        buf = []
        while i < n and text[i] != '"':
            if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\':
                buf.append(text[i + 1])
                i += 2
                continue
            buf.append(text[i])
            i += 1
        if i >= n:
            return None
        i += 1
        chunks.append("".join(buf))
    return chunks


def origin_from_path(path: str) -> str | None:
    """``example.com.yaml`` → ``example.com``."""
    name = _SUFFIX.sub("", Path(path).name)
    if "." not in name.strip("."):
        return None
    try:
        return normalize(name)
    except InputError:
        return None


class _Reader:
    def __init__(self, path: str, raw: bytes, origin: str) -> None:
        self.path = path
        self.raw = raw
        self.origin = origin
        self.index = LineIndex(raw)
        try:
            self.text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line, column = self.index.position(exc.start)
            raise ZoneFileError(path, f"not UTF-8 text ({exc.reason})", line, column) from None
        self.ascii = self.text.isascii()
        self.records: list[ZoneRecord] = []
        self.data = ZoneData(source=path, apexes={origin})

    def offset(self, char_index: int) -> int:
        """Byte offset of a character index (PyYAML marks count characters)."""
        if self.ascii:
            return char_index
        return len(self.text[:char_index].encode("utf-8"))

    def fail(self, node: yaml.Node, message: str) -> ZoneFileError:
        mark = node.start_mark
        return ZoneFileError(self.path, message, mark.line + 1, mark.column + 1)

    def read(self) -> None:
        try:
            root = yaml.compose(self.text, Loader=yaml.SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            raise ZoneFileError(self.path, f"invalid YAML: {exc.problem or exc}",
                                None if mark is None else mark.line + 1,
                                None if mark is None else mark.column + 1) from None
        except yaml.YAMLError as exc:
            raise ZoneFileError(self.path, f"invalid YAML: {exc}") from None
        if root is None or root.tag == _NULL_TAG:
            return
        if not isinstance(root, yaml.MappingNode):
            raise self.fail(root, "an octoDNS zone is a mapping of names to records")
        for key, value in root.value:
            if not isinstance(key, yaml.ScalarNode):
                raise self.fail(key, "a record name must be a string")
            label = key.value.strip()
            owner = self.origin if label == "" else f"{label.rstrip('.')}.{self.origin}"
            try:
                owner = normalize(owner)
            except InputError as exc:
                raise self.fail(key, exc.message) from None
            node = self.data.names.setdefault(owner, NameData())
            items = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for item in items:
                self.record(owner, key, item, node)

    def record(self, owner: str, key: yaml.Node, item: yaml.Node, node: NameData) -> None:
        if not isinstance(item, yaml.MappingNode):
            raise self.fail(item, "a record is a mapping with 'type' and 'value' or 'values'")
        fields = {k.value: v for k, v in item.value if isinstance(k, yaml.ScalarNode)}
        type_node = fields.get("type")
        if not isinstance(type_node, yaml.ScalarNode):
            raise self.fail(item, "the record has no 'type'")
        rdtype = type_node.value.upper()
        values: list[yaml.Node] = []
        if "value" in fields:
            values.append(fields["value"])
        if "values" in fields:
            many = fields["values"]
            values.extend(many.value if isinstance(many, yaml.SequenceNode) else [many])
        if not values:
            raise self.fail(item, f"the {rdtype} record has no 'value' or 'values'")
        for value in values:
            if rdtype in _STRING_TYPES:
                record = self.string_record(owner, rdtype, value)
                self.records.append(record)
                node.records.append((rdtype, record.strings))
            else:
                for parsed in self.data_values(rdtype, value):
                    node.records.append((rdtype, parsed))

    def string_record(self, owner: str, rdtype: str, node: yaml.Node) -> ZoneRecord:
        if not isinstance(node, yaml.ScalarNode) or node.tag == _NULL_TAG:
            raise self.fail(node, f"a {rdtype} value must be a string")
        if node.tag != _STR_TAG:
            # YAML reads 5, 1.5, yes or 2024-01-01 as numbers, booleans and dates: octoDNS
            # would not publish them as this text.
            raise self.fail(node, f"a {rdtype} value must be a string, not {node.value!r};"
                                  f" quote it ('{node.value}')")
        text = node.value
        chunks = parse_chunks(text)
        if chunks is not None:
            strings = tuple(unescape_value(c).encode("utf-8") for c in chunks)
        else:
            # octoDNS publishes a long value cut into 255-octet chunks itself.
            value = unescape_value(text).encode("utf-8")
            strings = tuple(value[i : i + MAX_STRING]
                            for i in range(0, len(value), MAX_STRING)) or (b"",)
        start = self.offset(node.start_mark.index)
        end = self.offset(node.end_mark.index)
        value_line, column = node.start_mark.line + 1, node.start_mark.column + 1
        return ZoneRecord(
            name=owner, rdtype=rdtype, path=self.path, line=value_line, value_line=value_line,
            column=column, start=start, end=end, strings=strings,
            tokens=(StringToken(start, end, bool(node.style)),), style=node.style or "",
            chunked=chunks is not None, zone=self.origin, index=len(self.records))

    def data_values(self, rdtype: str, node: yaml.Node) -> Iterator[RecordValue]:
        if rdtype in ("A", "AAAA"):
            text = self.scalar(node)
            try:
                ip = ipaddress.ip_address(text.strip())
            except ValueError:
                ip = None
            if ip is None or (ip.version == 4) != (rdtype == "A"):
                raise self.fail(node, f"{text!r} is not a valid {rdtype} address")
            yield str(ip)
        elif rdtype == "MX":
            if not isinstance(node, yaml.MappingNode):
                raise self.fail(node, "an MX value has 'exchange' and 'preference'")
            fields = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
            host = fields.get("exchange", fields.get("value"))
            pref = fields.get("preference", fields.get("priority"))
            if host is None or pref is None:
                raise self.fail(node, "an MX value has 'exchange' and 'preference'")
            pref_text = self.scalar(pref)
            if not pref_text.isdigit() or int(pref_text) > 65535:
                raise self.fail(pref, f"MX preference must be 0-65535, not {pref_text!r}")
            yield (int(pref_text), self.host(host))
        elif rdtype in ("CNAME", "NS", "PTR"):
            yield self.host(node)

    def scalar(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "expected a string")
        return str(node.value)

    def host(self, node: yaml.Node) -> str:
        text = self.scalar(node).strip()
        if text in ("", "."):
            return ""
        if not text.endswith("."):
            text = f"{text}.{self.origin}"
        try:
            return normalize(text)
        except InputError as exc:
            raise self.fail(node, exc.message) from None


def read_octodns(path: str | os.PathLike[str], origin: str | None = None, *,
                 overrides: Mapping[str, bytes] | None = None) -> ZoneFile:
    """Read an octoDNS YAML zone file (``example.com.yaml``; the origin comes from the name).

    :raises ZoneFileError: an unreadable file, invalid YAML or an invalid record, with the
        file, line and column.
    """
    name = os.fspath(path)
    if overrides and name in overrides:
        raw = overrides[name]
    else:
        try:
            raw = Path(name).read_bytes()
        except OSError as exc:
            raise ZoneFileError(name, f"cannot read the file: {exc.strerror or exc}") from None
    zone_origin = normalize(origin) if origin else origin_from_path(name)
    if zone_origin is None:
        raise ZoneFileError(name, "cannot tell the zone from the file name (expected e.g."
                                  " example.com.yaml)")
    reader = _Reader(name, raw, zone_origin)
    reader.read()
    return ZoneFile(path=name, format="octodns", origin=zone_origin, records=reader.records,
                    data=reader.data, contents={name: raw})
