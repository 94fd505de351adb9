"""Host-specific publishing instructions for SPF records, verified to round-trip."""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import dns.exception
import dns.rdatatype
import dns.zone
import yaml

from ..dns.names import canonical
from ..txt import octodns_escape, octodns_unescape, quote_text
from . import formats
from .model import (
    MAX_STRING_OCTETS,
    Apex,
    Host,
    HostFormatError,
    Kind,
    PublishedRecord,
    Splitting,
)

LOW_TTL = 300  # seconds; short enough that a mistake is undone within minutes
FALLBACK_TTL = 3600
PERMERROR_NOTE = ("Do not add a second SPF record: two TXT records starting with v=spf1 at one "
                  "name make every SPF check fail with permerror (RFC 7208 §4.5).")


@dataclass(frozen=True)
class Step:
    """One numbered step: prose, optional labelled form fields, optional text to copy."""

    text: str
    fields: tuple[tuple[str, str], ...] = ()
    code: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text}
        if self.fields:
            out["fields"] = [{"label": label, "value": value} for label, value in self.fields]
        if self.code:
            out["code"] = self.code
        return out


@dataclass(frozen=True)
class Entry:
    """One record as the host takes it: the name field, the exact value, the stored strings."""

    name: str  # FQDN
    name_field: str  # what goes in the host's name field
    value: str  # what to paste (web UIs) or the record's text in the snippet
    strings: list[str]  # the character-strings the host will publish
    action: str  # "edit" or "add"

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "name_field": self.name_field, "value": self.value,
                "strings": list(self.strings), "action": self.action}


@dataclass(frozen=True)
class SnippetFile:
    """A ready file or command to use as is."""

    path: str  # a suggested file name, or "" for commands to run
    language: str  # bind, yaml, javascript, hcl, json, shell
    content: str

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "language": self.language, "content": self.content}


@dataclass(frozen=True)
class Instructions:
    """What to do at one host to publish the records."""

    host: Host
    domain: str
    existing: bool
    entries: list[Entry]
    steps: list[Step]
    files: list[SnippetFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    unconfirmed: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The ``instructions`` object of ``spflint fix --format json``."""
        return {
            "host": self.host.key,
            "host_name": self.host.name,
            "kind": str(self.host.kind),
            "domain": self.domain,
            "existing": self.existing,
            "records": [entry.to_dict() for entry in self.entries],
            "steps": [step.to_dict() for step in self.steps],
            "files": [item.to_dict() for item in self.files],
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "unconfirmed": list(self.unconfirmed),
        }

    def to_text(self) -> str:
        """Numbered steps for people, with values and files to copy set apart."""
        lines = [f"Publishing at {self.host.name} ({self.host.key}) for {self.domain}:", ""]
        for number, step in enumerate(self.steps, 1):
            head = f"{number:>2}. "
            lines.append(head + step.text)
            pad = " " * len(head)
            width = max((len(label) for label, _ in step.fields), default=0)
            for label, value in step.fields:
                lines.append(f"{pad}  {label + ':':<{width + 1}}  {value}")
            if step.code:
                lines.extend(pad + "  " + line if line else "" for line in step.code.split("\n"))
        for item in self.files:
            title = item.path or "commands"
            lines += ["", f"--- {title} ({item.language}) ---", item.content.rstrip("\n"),
                      "--- end ---"]
        for title, items in (("Warnings", self.warnings), ("Notes", self.notes),
                             ("Unconfirmed (check before relying on them)", self.unconfirmed)):
            if items:
                lines += ["", f"{title}:"] + [f"  - {item}" for item in items]
        return "\n".join(lines) + "\n"


# -- names ----------------------------------------------------------------------------------


def relative_name(name: str, zone: str) -> str | None:
    """``name`` relative to ``zone`` ("" at the apex), or None when outside the zone."""
    name, zone = canonical(name), canonical(zone)
    if name == zone:
        return ""
    if name.endswith("." + zone):
        return name[: -len(zone) - 1]
    return None


def name_field(host: Host, name: str, zone: str) -> str:
    """What to type in ``host``'s name field for ``name`` in ``zone``."""
    rel = relative_name(name, zone)
    if host.apex is Apex.FQDN or (rel is None and host.apex is not Apex.NAME):
        return canonical(name) + "."
    if host.apex is Apex.NAME:
        return canonical(name)
    if rel:
        return rel
    return {Apex.AT: "@", Apex.BLANK: "", Apex.EMPTY_KEY: ""}[host.apex]


def _shown_name(host: Host, text: str) -> str:
    return text if text or host.apex is not Apex.BLANK else "(leave empty)"


# -- checks ---------------------------------------------------------------------------------


def _check_record(host: Host, record: PublishedRecord) -> list[str]:
    """Refuse what ``host`` cannot take; return warnings for what it may not take."""
    text = record.value
    if not text.isascii() or any(ord(c) < 32 or ord(c) == 127 for c in text):
        raise HostFormatError(f"{record.name}: SPF record text must be printable ASCII")
    if "".join(record.strings) != text:
        raise HostFormatError(f"{record.name}: the strings do not concatenate to the value")
    if host.splitting is Splitting.USER:
        for i, part in enumerate(record.strings, 1):
            if formats.octets(part) > host.max_string_octets:
                raise HostFormatError(
                    f"{record.name}: string {i} is {formats.octets(part)} octets; "
                    f"{host.name} needs strings of at most {host.max_string_octets}")
    checks = {
        "quote": ('"' in text, "double quotes"),
        "backslash": ("\\" in text, "backslashes"),
        "trailing-space": (text.endswith(" "), "a trailing space"),
        "empty": (not text, "an empty value"),
    }
    for reject in host.rejects:
        bad, what = checks[reject]
        if bad:
            raise HostFormatError(f"{record.name}: {host.name} rejects values with {what}")
    warnings = []
    size = formats.octets(text)
    if host.max_value_octets is not None and size > host.max_value_octets:
        warnings.append(
            f"{record.name}: the record is {size} octets; {host.name} accepts at most "
            f"{host.max_value_octets} ({host.value_cap_note}). Split it over more names "
            f"(spflint fix --host {host.key}).")
    return warnings


def _order(records: list[PublishedRecord], domain: str) -> tuple[list[PublishedRecord], int]:
    """Records to publish, the ones others include first; and the index of the main one.

    The main record refers to the others, so publishing it last never leaves it pointing at
    names that do not exist yet.
    """
    main = next((i for i, r in enumerate(records) if canonical(r.name) == canonical(domain)), 0)
    ordered = [r for i, r in enumerate(records) if i != main] + [records[main]]
    return ordered, len(ordered) - 1


def _expect(record: PublishedRecord, host: Host) -> list[str]:
    """The strings ``host`` will publish for ``record``."""
    if host.splitting is Splitting.HOST:
        return formats.chunk(record.value, host.max_string_octets)
    return list(record.strings)


def _verify(record: PublishedRecord, host: Host, got: list[str], where: str) -> None:
    want = _expect(record, host)
    if got != want:
        raise HostFormatError(
            f"{host.name}: the {where} for {record.name} reads back as {got!r}, not {want!r}")


# -- web-UI value formats -------------------------------------------------------------------


def encode_value(host: Host, record: PublishedRecord) -> str:
    """The exact text to paste in ``host``'s value field."""
    if host.value_format == "quoted":
        return formats.quote_strings(record.strings)
    if host.value_format == "plain":
        return record.value
    raise HostFormatError(f"{host.name} has no single value field")


def parse_value(host: Host, value: str) -> list[str]:
    """The strings ``host`` publishes when ``value`` is pasted in its value field."""
    if host.value_format == "quoted":
        return formats.parse_quoted(value)
    if host.value_format == "plain":
        return formats.chunk(value, host.max_string_octets)
    raise HostFormatError(f"{host.name} has no single value field")


def _ttl_text(host: Host) -> str:
    if host.ttl_label:
        return host.ttl_label
    return str(host.default_ttl) if host.default_ttl else "the default"


def _ui_steps(host: Host, domain: str, ordered: list[PublishedRecord], main: int,
              existing: bool, ttl_advice: bool) -> tuple[list[Step], list[Entry]]:
    steps: list[Step] = []
    entries: list[Entry] = []
    main_field = _shown_name(host, name_field(host, ordered[main].name, domain))
    if ttl_advice and existing:
        if host.ttl_label == "Auto":
            steps.append(Step(f"Check the TTL of the existing SPF TXT record at {main_field}: "
                              "if it is not Auto (about 300 seconds), set it to Auto, save, "
                              "and wait for the old TTL to pass before the change."))
        else:
            steps.append(Step(f"Lower the TTL first: set the {host.ttl_field} of the existing "
                              f"SPF TXT record at {main_field} to {LOW_TTL} seconds, save, and "
                              "wait for the old TTL to pass (an hour if it was 3600). A "
                              "mistake can then be undone within minutes."))
    if host.ui_path:
        steps.append(Step("Open " + " → ".join(host.ui_path) + "."))
    for index, record in enumerate(ordered):
        field_text = name_field(host, record.name, domain)
        value = encode_value(host, record)
        _verify(record, host, parse_value(host, value), "value")
        is_main = index == main
        action = "edit" if is_main and existing else "add"
        entries.append(Entry(record.name, field_text, value, _expect(record, host), action))
        form = (
            (host.type_field, host.type_value),
            (host.name_field, _shown_name(host, field_text)),
            (host.value_field, value),
            (host.ttl_field, str(LOW_TTL) if ttl_advice and existing and
             host.ttl_label != "Auto" else _ttl_text(host)),
        )
        if action == "edit":
            text = (f"Edit the existing SPF TXT record at {_shown_name(host, field_text)} (the "
                    f"value that starts with v=spf1) and replace its {host.value_field} with "
                    f"the value below, exactly. {PERMERROR_NOTE}")
            if host.one_rrset:
                text += (" The TXT record set at this name holds all its TXT values: change "
                         "only the v=spf1 value and keep the others.")
        else:
            what = "the record the main one includes" if not is_main else "the SPF record"
            text = f"Add a TXT record ({what}) with these values; paste the value exactly."
            if host.one_rrset:
                text += (" If a TXT record set already exists at this name, add the value to "
                         "that set instead of creating a second one.")
            if is_main:
                text += " If a v=spf1 record already exists here, edit it instead: " + \
                        PERMERROR_NOTE[0].lower() + PERMERROR_NOTE[1:]
        steps.append(Step(text, form))
    steps.append(Step("Save the changes."))
    return steps, entries


# -- file and command targets ---------------------------------------------------------------


def _ttl(host: Host, existing: bool, ttl_advice: bool) -> int:
    if ttl_advice and existing:
        return LOW_TTL
    return host.default_ttl or FALLBACK_TTL


def _label(rel: str | None, used: set[str]) -> str:
    base = "spf" if not rel else "spf_" + (re.sub(r"[^a-z0-9]+", "_", rel).strip("_") or "x")
    label, n = base, 2
    while label in used:
        label, n = f"{base}_{n}", n + 1
    used.add(label)
    return label


def render_bind(host: Host, domain: str, records: list[PublishedRecord], ttl: int) -> str:
    rows = [(name_field(host, r.name, domain), r) for r in records]
    width = max(len(name) for name, _ in rows)
    lines = [f"; SPF records for the zone {domain}. (names are relative to $ORIGIN {domain}.)"]
    for name, record in rows:
        head = f"{name:<{width}} {ttl} IN TXT "
        if len(record.strings) == 1:
            lines.append(head + quote_text(record.strings[0]))
        else:
            pad = " " * (len(head) + 2)
            quoted = [quote_text(s) for s in record.strings]
            lines.append(head + "( " + quoted[0])
            lines.extend(pad + q for q in quoted[1:-1])
            lines.append(pad + quoted[-1] + " )")
    return "\n".join(lines) + "\n"


def parse_bind(text: str, domain: str) -> dict[str, list[list[str]]]:
    """TXT strings per owner name in a zone-file fragment (dnspython's master-file reader)."""
    try:
        zone = dns.zone.from_text(text, origin=domain.rstrip(".") + ".", relativize=False,
                                  check_origin=False)
    except dns.exception.DNSException as exc:
        raise HostFormatError(f"zone-file snippet does not parse: {exc}") from exc
    out: dict[str, list[list[str]]] = {}
    for name, rdataset in zone.iterate_rdatasets(dns.rdatatype.TXT):
        out[canonical(name.to_text())] = [
            [s.decode("ascii") for s in rd.strings]
            for rd in rdataset]
    return out


def render_octodns(host: Host, domain: str, records: list[PublishedRecord], ttl: int) -> str:
    lines = [f"# octoDNS zone config for {domain} (e.g. config/{domain}.yaml)", "---"]
    for record in records:
        key = name_field(host, record.name, domain)
        lines += [f"{_yaml_scalar(key) if key else chr(39) * 2}:", "  type: TXT",
                  f"  ttl: {ttl}",
                  f"  value: {_yaml_scalar(octodns_escape(record.value))}"]
    return "\n".join(lines) + "\n"


def _yaml_scalar(text: str) -> str:
    """``text`` as a plain YAML scalar when it reads back the same, else double-quoted."""
    try:
        plain_ok = yaml.safe_load(f"k: {text}") == {"k": text}
    except yaml.YAMLError:
        plain_ok = False
    return text if plain_ok else json.dumps(text)


def parse_octodns(text: str, domain: str) -> dict[str, list[list[str]]]:
    try:
        doc = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise HostFormatError(f"octoDNS snippet does not parse: {exc}") from exc
    out: dict[str, list[list[str]]] = {}
    for key, data in (doc or {}).items():
        name = domain if key == "" else f"{key}.{domain}"
        values = data.get("values") or [data.get("value")]
        out[canonical(name)] = [formats.chunk(octodns_unescape(str(v))) for v in values]
    return out


def render_dnscontrol(host: Host, domain: str, records: list[PublishedRecord],
                      ttl: int) -> str:
    lines = [f"// Inside D({formats.js_string(domain)}, ...) in dnsconfig.js:"]
    for record in records:
        name = name_field(host, record.name, domain)
        lines.append(f"TXT({formats.js_string(name)}, {formats.js_string(record.value)}),")
    return "\n".join(lines) + "\n"


_DNSCONTROL_TXT = re.compile(r'^TXT\(("(?:[^"\\]|\\.)*"), ("(?:[^"\\]|\\.)*")\),$')


def parse_dnscontrol(text: str, domain: str) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        match = _DNSCONTROL_TXT.match(line.strip())
        if not match:
            raise HostFormatError(f"not a TXT() line: {line!r}")
        label, value = json.loads(match.group(1)), json.loads(match.group(2))
        name = domain if label == "@" else f"{label}.{domain}"
        out.setdefault(canonical(name), []).append(formats.chunk(value))
    return out


_TF = {
    "tf-route53": ("aws_route53_record", "zone_id", "var.zone_id"),
    "tf-cloudflare": ("cloudflare_dns_record", "zone_id", "var.cloudflare_zone_id"),
    "tf-azurerm": ("azurerm_dns_txt_record", "resource_group_name", "var.resource_group_name"),
    "tf-google": ("google_dns_record_set", "managed_zone", "var.managed_zone"),
}


def _hcl_block(kind: str, label: str, attrs: list[tuple[str, str]],
               blocks: list[tuple[str, list[tuple[str, str]]]]) -> list[str]:
    width = max(len(key) for key, _ in attrs)
    lines = [f'resource "{kind}" "{label}" {{']
    lines += [f"  {key:<{width}} = {value}" for key, value in attrs]
    for name, inner in blocks:
        lines.append(f"  {name} {{")
        lines += [f"    {key} = {value}" for key, value in inner]
        lines.append("  }")
    lines.append("}")
    return lines


def render_terraform(host: Host, domain: str, records: list[PublishedRecord], ttl: int) -> str:
    kind, _, ref = _TF[host.value_format]
    variable = ref.split(".", 1)[1]
    lines = ["# Declare once (skip when your configuration already has it).",
             f'variable "{variable}" {{', "  type = string", "}", ""]
    used: set[str] = set()
    for record in records:
        label = _label(relative_name(record.name, domain), used)
        blocks: list[tuple[str, list[tuple[str, str]]]] = []
        if host.value_format == "tf-route53":
            if any(c in record.value for c in '"\\'):
                raise HostFormatError(f"{record.name}: quotes or backslashes cannot be written "
                                      "for aws_route53_record")
            attrs = [("zone_id", ref), ("name", formats.hcl_string(canonical(record.name))),
                     ("type", '"TXT"'), ("ttl", str(ttl)),
                     ("records", "[" + formats.hcl_string('""'.join(record.strings)) + "]")]
        elif host.value_format == "tf-cloudflare":
            attrs = [("zone_id", ref), ("name", formats.hcl_string(canonical(record.name))),
                     ("type", '"TXT"'), ("ttl", str(ttl)),
                     ("content", formats.hcl_string(formats.quote_strings(record.strings)))]
        elif host.value_format == "tf-azurerm":
            attrs = [("name", formats.hcl_string(name_field(host, record.name, domain))),
                     ("zone_name", formats.hcl_string(canonical(domain))),
                     ("resource_group_name", ref), ("ttl", str(ttl))]
            blocks = [("record", [("value", formats.hcl_string(record.value))])]
        else:
            attrs = [("managed_zone", ref),
                     ("name", formats.hcl_string(canonical(record.name) + ".")),
                     ("type", '"TXT"'), ("ttl", str(ttl)),
                     ("rrdatas", "[" + formats.hcl_string(formats.quote_strings(record.strings))
                      + "]")]
        lines += [*_hcl_block(kind, label, attrs, blocks), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


_TF_RESOURCE = re.compile(r'^resource "([a-z0-9_]+)" "([A-Za-z_][A-Za-z0-9_-]*)" \{$')
_TF_ATTR = re.compile(r"^([a-z_]+)\s*=\s*(.+)$")


def parse_terraform(text: str, domain: str, value_format: str) -> dict[str, list[list[str]]]:
    """TXT strings per name from the resources of a Terraform snippet."""
    kind = _TF[value_format][0]
    out: dict[str, list[list[str]]] = {}
    current: dict[str, str] | None = None
    depth = 0
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if depth == 0:
            match = _TF_RESOURCE.match(line)
            if match:
                if match.group(1) != kind:
                    raise HostFormatError(f"unexpected resource type {match.group(1)}")
                current, depth = {}, 1
            elif line.startswith("variable "):
                depth = 1
                current = None
            else:
                raise HostFormatError(f"unexpected Terraform line {raw!r}")
            continue
        if line.endswith("{"):
            depth += 1
            continue
        if line == "}":
            depth -= 1
            if depth == 0 and current is not None:
                name, strings = _tf_record(current, domain, value_format)
                out.setdefault(name, []).append(strings)
                current = None
            continue
        match = _TF_ATTR.match(line)
        if not match:
            raise HostFormatError(f"unexpected Terraform line {raw!r}")
        if current is not None:
            current[match.group(1)] = match.group(2).strip()
    if depth:
        raise HostFormatError("unbalanced braces in the Terraform snippet")
    return out


def _tf_record(attrs: dict[str, str], domain: str, value_format: str) -> tuple[str, list[str]]:
    if value_format == "tf-azurerm":
        label = formats.parse_hcl_string(attrs["name"])
        name = domain if label == "@" else f"{label}.{domain}"
        return canonical(name), formats.chunk(formats.parse_hcl_string(attrs["value"]))
    name = canonical(formats.parse_hcl_string(attrs["name"]))
    if value_format == "tf-route53":
        (value,) = formats.parse_hcl_list(attrs["records"])
        return name, formats.parse_quoted('"' + value + '"', adjacent=True)
    if value_format == "tf-cloudflare":
        return name, formats.parse_quoted(formats.parse_hcl_string(attrs["content"]))
    (value,) = formats.parse_hcl_list(attrs["rrdatas"])
    return name, formats.parse_quoted(value)


def render_route53_batch(host: Host, domain: str, records: list[PublishedRecord],
                         ttl: int) -> str:
    changes = [{
        "Action": "UPSERT",
        "ResourceRecordSet": {
            "Name": canonical(r.name) + ".",
            "Type": "TXT",
            "TTL": ttl,
            "ResourceRecords": [{"Value": formats.quote_strings(r.strings)}],
        },
    } for r in records]
    return json.dumps({"Comment": f"SPF for {domain}", "Changes": changes}, indent=2) + "\n"


def parse_route53_batch(text: str, domain: str) -> dict[str, list[list[str]]]:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise HostFormatError(f"change batch is not JSON: {exc}") from exc
    out: dict[str, list[list[str]]] = {}
    for change in doc["Changes"]:
        rrset = change["ResourceRecordSet"]
        out[canonical(rrset["Name"])] = [formats.parse_quoted(rr["Value"])
                                     for rr in rrset["ResourceRecords"]]
    return out


_AZ = "az network dns record-set txt"


def render_az(host: Host, domain: str, records: list[PublishedRecord], existing: bool,
              main: int, current: str | None) -> str:
    lines = []
    for index, record in enumerate(records):
        common = (f'--resource-group "$RESOURCE_GROUP" '
                  f"--zone-name {shlex.quote(canonical(domain))} "
                  f"--record-set-name {shlex.quote(name_field(host, record.name, domain))}")
        if index == main and existing:
            old = current if current is not None else "PASTE THE CURRENT v=spf1 VALUE HERE"
            lines.append(f"{_AZ} remove-record {common} --keep-empty-record-set "
                         f"--value {shlex.quote(old)}")
        lines.append(f"{_AZ} add-record {common} --value {shlex.quote(record.value)}")
    return "\n".join(lines) + "\n"


def parse_az(text: str, domain: str) -> dict[str, list[list[str]]]:
    """What the ``add-record`` lines publish: ``--value`` words are joined without spaces."""
    out: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        words = formats.shell_words(line)
        if words[:5] != _AZ.split() or len(words) < 6:
            raise HostFormatError(f"not an az dns txt command: {line!r}")
        if words[5] != "add-record":
            continue
        try:
            start = words.index("--value") + 1
        except ValueError:
            raise HostFormatError(f"no --value in {line!r}") from None
        end = start
        while end < len(words) and not words[end].startswith("--"):
            end += 1
        (label,) = formats.option_values(words, "--record-set-name")
        name = domain if label == "@" else f"{label}.{domain}"
        out.setdefault(canonical(name), []).append(formats.chunk("".join(words[start:end])))
    return out


def render_gcloud(host: Host, domain: str, records: list[PublishedRecord], existing: bool,
                  main: int, ttl: int) -> str:
    lines = []
    for index, record in enumerate(records):
        rrdata = formats.quote_strings(record.strings)
        if "," in rrdata:
            raise HostFormatError(f"{record.name}: gcloud --rrdatas cannot carry a comma")
        verb = "update" if index == main and existing else "create"
        lines.append(f"gcloud dns record-sets {verb} {canonical(record.name)}. "
                     f'--zone="$MANAGED_ZONE" --type=TXT --ttl={ttl} '
                     f"--rrdatas={shlex.quote(rrdata)}")
    return "\n".join(lines) + "\n"


def parse_gcloud(text: str, domain: str) -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for line in text.splitlines():
        words = formats.shell_words(line)
        if words[:3] != ["gcloud", "dns", "record-sets"] or words[3] not in ("create", "update"):
            raise HostFormatError(f"not a gcloud record-sets command: {line!r}")
        (rrdatas,) = formats.option_values(words, "--rrdatas")
        out[canonical(words[4])] = [formats.parse_quoted(item) for item in rrdatas.split(",")]
    return out


def _verify_all(host: Host, records: list[PublishedRecord],
                parsed: dict[str, list[list[str]]], where: str) -> None:
    for record in records:
        got = parsed.get(canonical(record.name))
        if not got or len(got) != 1:
            raise HostFormatError(f"the {where} has no single record for {record.name}")
        _verify(record, host, got[0], where)


Parser = Callable[[str, str], dict[str, list[list[str]]]]


def parser_for(host: Host) -> Parser:
    """The parser of ``host``'s snippet format (snippet text, zone) -> strings per name."""
    fmt = host.value_format
    if fmt.startswith("tf-"):
        return lambda text, domain: parse_terraform(text, domain, fmt)
    table: dict[str, Parser] = {
        "bind": parse_bind, "octodns": parse_octodns, "dnscontrol": parse_dnscontrol,
        "aws-cli": parse_route53_batch, "az-cli": parse_az, "gcloud": parse_gcloud,
    }
    return table[fmt]


def _target_steps(host: Host, domain: str, ordered: list[PublishedRecord], main: int,
                  existing: bool, ttl_advice: bool,
                  current: str | None) -> tuple[list[Step], list[SnippetFile]]:
    ttl = _ttl(host, existing, ttl_advice)
    fmt = host.value_format
    steps: list[Step] = []
    files: list[SnippetFile] = []
    main_name = canonical(ordered[main].name)
    low = ttl_advice and existing
    if low:
        sets_ttl = fmt not in ("az-cli", "dnscontrol")
        steps.append(Step(f"Lower the TTL first: publish the current SPF record at {main_name} "
                          f"with a TTL of {LOW_TTL} seconds and wait for the old TTL to pass."
                          + (f" The snippet below already uses TTL {LOW_TTL}." if sets_ttl
                             else "")))
    if fmt == "bind":
        content = render_bind(host, domain, ordered, ttl)
        files.append(SnippetFile(f"{domain}.zone", "bind", content))
        text = f"Add these records to the zone file of {domain}."
        if existing:
            text += (f" Replace the existing v=spf1 TXT line at {main_name}; do not keep both. "
                     + PERMERROR_NOTE)
        steps.append(Step(text))
        steps.append(Step("Increase the SOA serial, check the zone and reload it:",
                          code=f"named-checkzone {domain} {domain}.zone\nrndc reload {domain}"))
    elif fmt == "octodns":
        content = render_octodns(host, domain, ordered, ttl)
        files.append(SnippetFile(f"config/{domain}.yaml", "yaml", content))
        text = "Merge these entries into the zone's YAML file."
        if existing:
            text += (" Replace the existing v=spf1 value (keep other TXT values in a 'values' "
                     "list). " + PERMERROR_NOTE)
        steps.append(Step(text))
        steps.append(Step("Preview, then apply:", code="octodns-sync --config-file=config/"
                          "production.yaml\noctodns-sync --config-file=config/production.yaml "
                          "--doit"))
    elif fmt == "dnscontrol":
        content = render_dnscontrol(host, domain, ordered, ttl)
        files.append(SnippetFile("dnsconfig.js", "javascript", content))
        text = f"Put these lines inside the D(\"{domain}\", ...) block of dnsconfig.js."
        if existing:
            text += " Remove the existing TXT line with v=spf1 at that name. " + PERMERROR_NOTE
        if low:
            text += f" Add TTL({LOW_TTL}) to the lines while the change settles."
        steps.append(Step(text))
        steps.append(Step("Check offline, preview, then push:",
                          code="dnscontrol check\ndnscontrol preview\ndnscontrol push"))
    elif fmt.startswith("tf-"):
        content = render_terraform(host, domain, ordered, ttl)
        files.append(SnippetFile("spf.tf", "hcl", content))
        text = "Add these resources to your Terraform configuration."
        if existing:
            text += (" If a resource already manages the TXT record at a name, change that "
                     "resource instead (keeping its other TXT values); a second resource for "
                     "the same name and type conflicts with it. " + PERMERROR_NOTE)
        steps.append(Step(text))
        steps.append(Step("Review the plan, then apply:",
                          code="terraform plan\nterraform apply"))
    elif fmt == "aws-cli":
        content = render_route53_batch(host, domain, ordered, ttl)
        files.append(SnippetFile("spf-change.json", "json", content))
        steps.append(Step(
            "UPSERT replaces every TXT value at a name. List the current TXT values first and "
            "add the ones that are not SPF to the ResourceRecords of that name in "
            "spf-change.json:",
            code=("aws route53 list-resource-record-sets --hosted-zone-id \"$HOSTED_ZONE_ID\" "
                  "--query \"ResourceRecordSets[?Type == 'TXT']\"")))
        command = ('aws route53 change-resource-record-sets --hosted-zone-id "$HOSTED_ZONE_ID" '
                   "--change-batch file://spf-change.json")
        steps.append(Step("Apply the change batch:", code=command))
        files.append(SnippetFile("", "shell", command + "\n"))
    elif fmt == "az-cli":
        content = render_az(host, domain, ordered, existing, main, current)
        files.append(SnippetFile("", "shell", content))
        text = ("Run the commands below (set RESOURCE_GROUP first). The whole value is one quoted "
                "shell word: --value joins separate words without spaces.")
        if existing:
            text += (" The first command removes the current SPF value so that the record set "
                     "never holds two." + ("" if current is not None else
                                           " Paste the current v=spf1 value where marked."))
        steps.append(Step(text))
    else:
        content = render_gcloud(host, domain, ordered, existing, main, ttl)
        files.append(SnippetFile("", "shell", content))
        text = "Run the commands below (set MANAGED_ZONE first)."
        if existing:
            text += (" 'update' replaces every TXT value at the name: add the other values of "
                     "the set, comma-separated, to --rrdatas. See them with: gcloud dns "
                     f"record-sets describe {main_name}. --zone=\"$MANAGED_ZONE\" --type=TXT")
        steps.append(Step(text))
    # The first file carries the records; parse it back as the tool would.
    _verify_all(host, ordered, parser_for(host)(files[0].content, domain),
                f"{host.name} snippet")
    return steps, files


# -- entry point ----------------------------------------------------------------------------


def render(host: Host, records: list[PublishedRecord], *, existing: bool, domain: str,
           ttl_advice: bool = True, current: str | None = None,
           verify: str | None = None) -> Instructions:
    """Numbered steps (and files) to publish ``records`` at ``host``.

    ``domain`` is the zone the records are edited in: names are written relative to it.
    ``existing`` says an SPF record already exists at the main name (the one equal to
    ``domain``), so it must be edited rather than added; ``current`` is its text, used where
    a tool needs the old value (Azure CLI); ``verify`` is the command that checks what is
    published (default ``spflint check DOMAIN``). Every value is parsed back with the host's
    own format and compared with the intended strings before it is shown.

    :raises HostFormatError: a record the host cannot take (quotes where they are rejected,
        a string over 255 octets where the user splits, non-ASCII text), or no records.
    """
    if not records:
        raise HostFormatError("no records to publish")
    if any(not record.name for record in records):
        raise HostFormatError("instructions need the record's domain: give it to 'fix'")
    domain = canonical(domain)
    warnings: list[str] = []
    for record in records:
        warnings += _check_record(host, record)
        if relative_name(record.name, domain) is None:
            warnings.append(f"{record.name} is outside the zone {domain}: publish it where "
                            "that zone is hosted.")
    ordered, main = _order(records, domain)
    if host.kind is Kind.DNS_HOST:
        steps, entries = _ui_steps(host, domain, ordered, main, existing, ttl_advice)
        files: list[SnippetFile] = []
    else:
        steps, files = _target_steps(host, domain, ordered, main, existing, ttl_advice, current)
        entries = [Entry(r.name, name_field(host, r.name, domain), r.value, _expect(r, host),
                         "edit" if i == main and existing else "add")
                   for i, r in enumerate(ordered)]
    long_host_split = host.splitting is Splitting.HOST and any(
        formats.octets(r.value) > MAX_STRING_OCTETS for r in records)
    split_unconfirmed = any("over 255 octets" in u for u in host.unconfirmed)
    if long_host_split and split_unconfirmed:
        warnings.append(f"A record is longer than 255 octets and it is unconfirmed how "
                        f"{host.name} handles that: after saving, check that the whole "
                        "record is published.")
    if len(records) > 1:
        steps.append(Step(f"The records at {', '.join(canonical(r.name) for r in ordered[:-1])} "
                          "are part of the policy: keep them as long as the main record "
                          "includes them."))
    steps.append(Step("When the old TTL has passed, check what is published:",
                      code=verify or f"spflint check {domain}"))
    if ttl_advice and existing:
        default = (f" ({_ttl_text(host)} is this host's default)"
                   if host.default_ttl or host.ttl_label else "")
        steps.append(Step("Once the check passes, set the TTL back to its previous value"
                          f"{default}."))
    unconfirmed = list(host.unconfirmed)
    return Instructions(host, domain, existing, entries, steps, files, list(host.notes),
                        warnings, unconfirmed)
