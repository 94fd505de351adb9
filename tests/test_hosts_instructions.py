"""Host instructions: golden snapshots, and every value or snippet read back by its real parser."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import dns.rdatatype
import dns.zone
import pytest
import yaml

from spflint.hosts import registry
from spflint.hosts.formats import chunk, parse_hcl_string, parse_quoted
from spflint.hosts.instructions import Instructions, name_field, parse_value, render
from spflint.hosts.model import Host, HostFormatError, Kind, PublishedRecord, Splitting

SNAPSHOTS = Path(__file__).parent / "snapshots" / "hosts"
UPDATE = os.environ.get("SPFLINT_UPDATE_SNAPSHOTS") == "1"
DOMAIN = "example.com"

SHORT = [PublishedRecord(DOMAIN, "v=spf1 ip4:192.0.2.10 include:spf.protection.outlook.com ~all")]
_LONG_TEXT = ("v=spf1 " + " ".join(f"ip4:198.51.100.{i}" for i in range(0, 40, 2))
              + " include:spf.protection.outlook.com include:_spf.google.com -all")
# Split on a term boundary, as the splitter does.
_CUT = _LONG_TEXT.rindex(" ", 0, 255) + 1
LONG = [PublishedRecord(DOMAIN, _LONG_TEXT, [_LONG_TEXT[:_CUT], _LONG_TEXT[_CUT:]])]
CHAINED = [
    PublishedRecord(DOMAIN, "v=spf1 include:_spf1.example.com include:_spf2.example.com -all"),
    PublishedRecord("_spf1.example.com",
                    "v=spf1 " + " ".join(f"ip4:203.0.113.{i}" for i in range(1, 12)) + " -all"),
    PublishedRecord("_spf2.example.com", "v=spf1 ip4:192.0.2.0/24 ip6:2001:db8::/32 -all"),
]
CASES = {"short": SHORT, "long": LONG, "chained": CHAINED}
KEYS = [host.key for host in registry.hosts()]


def _render(key: str, case: str, existing: bool = True) -> Instructions:
    return render(registry.get(key), CASES[case], existing=existing, domain=DOMAIN,
                  current="v=spf1 mx -all")


def test_long_case_is_really_long() -> None:
    assert len(_LONG_TEXT) > 255
    assert all(len(s) <= 255 for s in LONG[0].strings)


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("key", KEYS)
def test_snapshot(key: str, case: str) -> None:
    text = _render(key, case).to_text()
    path = SNAPSHOTS / f"{key}-{case}.txt"
    if UPDATE or not path.exists():
        path.write_text(text, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"snapshot {path.name} was missing and has been written; rerun")
    assert text == path.read_text(encoding="utf-8")


def _expected(host: Host, record: PublishedRecord) -> list[str]:
    return chunk(record.value) if host.splitting is Splitting.HOST else record.strings


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("key", [h.key for h in registry.by_kind(Kind.DNS_HOST)])
def test_ui_values_round_trip(key: str, case: str) -> None:
    host = registry.get(key)
    result = _render(key, case)
    assert [e.name for e in result.entries][-1] == DOMAIN  # the main record comes last
    for entry in result.entries:
        record = next(r for r in CASES[case] if r.name == entry.name)
        assert parse_value(host, entry.value) == _expected(host, record)
        assert "".join(entry.strings) == record.value
        if host.value_format == "quoted":
            assert entry.value.startswith('"') and parse_quoted(entry.value) == record.strings


def _files(result: Instructions) -> dict[str, str]:
    return {f.path or f.language: f.content for f in result.files}


def _strings_by_name(pairs: list[tuple[str, list[str]]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, strings in pairs:
        assert name not in out, f"two records for {name}"
        out[name] = strings
    return out


def _want(key: str, case: str) -> dict[str, list[str]]:
    host = registry.get(key)
    return {r.name: _expected(host, r) for r in CASES[case]}


@pytest.mark.parametrize("case", list(CASES))
def test_bind_snippet_loads_in_dnspython(case: str) -> None:
    content = _files(_render("bind", case))[f"{DOMAIN}.zone"]
    zone = dns.zone.from_text(content, origin=DOMAIN + ".", relativize=False,
                              check_origin=False)
    got = _strings_by_name([
        (name.to_text(omit_final_dot=True), [s.decode() for s in rdata.strings])
        for name, rdataset in zone.iterate_rdatasets(dns.rdatatype.TXT) for rdata in rdataset
    ])
    assert got == _want("bind", case)


@pytest.mark.parametrize("case", list(CASES))
def test_octodns_snippet_loads_as_yaml(case: str) -> None:
    doc = yaml.safe_load(_files(_render("octodns", case))[f"config/{DOMAIN}.yaml"])
    got = {(DOMAIN if k == "" else f"{k}.{DOMAIN}"): chunk(v["value"].replace("\\;", ";"))
           for k, v in doc.items()}
    assert all(v["type"] == "TXT" and isinstance(v["ttl"], int) for v in doc.values())
    assert got == _want("octodns", case)


def test_octodns_escapes_semicolons() -> None:
    record = PublishedRecord(DOMAIN, "v=spf1 exp=%{l};x.example.com -all")
    content = render(registry.get("octodns"), [record], existing=False,
                     domain=DOMAIN).files[0].content
    assert yaml.safe_load(content)[""]["value"] == "v=spf1 exp=%{l}\\;x.example.com -all"


@pytest.mark.parametrize("case", list(CASES))
def test_dnscontrol_snippet_is_javascript_calls(case: str) -> None:
    content = _files(_render("dnscontrol", case))["dnsconfig.js"]
    pairs = []
    for line in content.splitlines():
        if line.startswith("//"):
            continue
        match = re.fullmatch(r'TXT\((".*?"), (".*")\),', line)
        assert match, line
        label, value = json.loads(match.group(1)), json.loads(match.group(2))
        pairs.append((DOMAIN if label == "@" else f"{label}.{DOMAIN}", chunk(value)))
    assert _strings_by_name(pairs) == _want("dnscontrol", case)


def _hcl_resources(content: str) -> list[tuple[str, dict[str, object]]]:
    hcl2 = pytest.importorskip("hcl2")
    doc = hcl2.loads(content)
    out = []
    for block in doc.get("resource", []):
        for kind, labelled in block.items():
            for body in labelled.values():
                out.append((kind.strip('"'), body))
    assert doc.get("variable"), "the snippet declares the variable it uses"
    return out


def _hcl_value(raw: object) -> str:
    assert isinstance(raw, str)
    return parse_hcl_string(raw if raw.startswith('"') else json.dumps(raw))


@pytest.mark.parametrize("case", list(CASES))
def test_terraform_snippets_parse_as_hcl(case: str) -> None:
    for key, kind in (("terraform-aws", "aws_route53_record"),
                      ("terraform-cloudflare", "cloudflare_dns_record"),
                      ("terraform-azurerm", "azurerm_dns_txt_record"),
                      ("terraform-google", "google_dns_record_set")):
        resources = _hcl_resources(_files(_render(key, case))["spf.tf"])
        assert {k for k, _ in resources} == {kind}
        pairs = []
        for _, body in resources:
            if kind == "azurerm_dns_txt_record":
                label = _hcl_value(body["name"])
                name = DOMAIN if label == "@" else f"{label}.{DOMAIN}"
                record = body["record"]
                assert isinstance(record, list)
                pairs.append((name, chunk(_hcl_value(record[0]["value"]))))
                continue
            name = _hcl_value(body["name"]).rstrip(".")
            if kind == "aws_route53_record":
                records = body["records"]
                assert isinstance(records, list) and len(records) == 1
                strings = _hcl_value(records[0]).split('""')
            elif kind == "cloudflare_dns_record":
                strings = parse_quoted(_hcl_value(body["content"]))
            else:
                rrdatas = body["rrdatas"]
                assert isinstance(rrdatas, list) and len(rrdatas) == 1
                strings = parse_quoted(_hcl_value(rrdatas[0]))
            pairs.append((name, strings))
        assert _strings_by_name(pairs) == _want(key, case), key


def test_terraform_escapes_macros() -> None:
    record = PublishedRecord(DOMAIN, "v=spf1 exists:%{i}._spf.%{d} -all")
    for key in ("terraform-aws", "terraform-cloudflare", "terraform-azurerm",
                "terraform-google"):
        content = render(registry.get(key), [record], existing=False,
                         domain=DOMAIN).files[0].content
        assert "%%{i}" in content and "%{i}" not in content.replace("%%{", "")


@pytest.mark.parametrize("case", list(CASES))
def test_route53_change_batch_is_json(case: str) -> None:
    result = _render("aws-cli", case)
    files = _files(result)
    batch = json.loads(files["spf-change.json"])
    pairs = []
    for change in batch["Changes"]:
        assert change["Action"] == "UPSERT"
        rrset = change["ResourceRecordSet"]
        assert rrset["Type"] == "TXT" and rrset["Name"].endswith(".")
        assert isinstance(rrset["TTL"], int)
        (value,) = [rr["Value"] for rr in rrset["ResourceRecords"]]
        pairs.append((rrset["Name"].rstrip("."), parse_quoted(value)))
    assert _strings_by_name(pairs) == _want("aws-cli", case)
    words = shlex.split(files["shell"])
    assert words[:3] == ["aws", "route53", "change-resource-record-sets"]
    assert words[words.index("--change-batch") + 1] == "file://spf-change.json"


def _az_value(words: list[str]) -> str:
    start = words.index("--value") + 1
    end = start
    while end < len(words) and not words[end].startswith("--"):
        end += 1
    return "".join(words[start:end])


@pytest.mark.parametrize("case", list(CASES))
def test_az_commands_split_into_one_value(case: str) -> None:
    lines = _files(_render("az-cli", case))["shell"].splitlines()
    pairs = []
    removed = []
    for line in lines:
        words = shlex.split(line)
        assert words[:5] == ["az", "network", "dns", "record-set", "txt"]
        label = words[words.index("--record-set-name") + 1]
        name = DOMAIN if label == "@" else f"{label}.{DOMAIN}"
        if words[5] == "remove-record":
            removed.append((name, _az_value(words)))
            assert "--keep-empty-record-set" in words
        else:
            assert words[5] == "add-record"
            pairs.append((name, chunk(_az_value(words))))
    assert removed == [(DOMAIN, "v=spf1 mx -all")]
    assert _strings_by_name(pairs) == _want("az-cli", case)


@pytest.mark.parametrize("case", list(CASES))
def test_gcloud_commands_keep_quotes(case: str) -> None:
    pairs = []
    verbs = []
    for line in _files(_render("gcloud", case))["shell"].splitlines():
        words = shlex.split(line)
        assert words[:3] == ["gcloud", "dns", "record-sets"]
        verbs.append(words[3])
        (rrdatas,) = [w.split("=", 1)[1] for w in words if w.startswith("--rrdatas=")]
        assert rrdatas.startswith('"')
        pairs.append((words[4].rstrip("."), parse_quoted(rrdatas)))
    assert verbs[-1] == "update" and set(verbs[:-1]) <= {"create"}
    assert _strings_by_name(pairs) == _want("gcloud", case)


def test_new_record_is_added_not_edited() -> None:
    result = render(registry.get("cloudflare"), SHORT, existing=False, domain=DOMAIN)
    assert [e.action for e in result.entries] == ["add"]
    text = result.to_text()
    assert "Edit the existing" not in text and "Lower the TTL" not in text
    gcloud = render(registry.get("gcloud"), SHORT, existing=False, domain=DOMAIN)
    assert " create " in gcloud.files[0].content


def test_existing_record_is_edited_with_ttl_advice() -> None:
    text = _render("godaddy", "short").to_text()
    assert "Edit the existing SPF TXT record at @" in text
    assert "Do not add a second SPF record" in text
    assert "Lower the TTL first" in text and "set the TTL back" in text
    quiet = render(registry.get("godaddy"), SHORT, existing=True, domain=DOMAIN,
                   ttl_advice=False).to_text()
    assert "Lower the TTL" not in quiet and "TTL back" not in quiet


@pytest.mark.parametrize("key,expected", [
    ("cloudflare", "@"), ("route53", ""), ("google-cloud-dns", "example.com."),
    ("ionos", ""), ("octodns", ""), ("terraform-aws", "example.com"), ("bind", "@"),
])
def test_apex_notation(key: str, expected: str) -> None:
    assert name_field(registry.get(key), DOMAIN, DOMAIN) == expected
    sub = name_field(registry.get(key), "_spf1.example.com", DOMAIN)
    assert sub in ("_spf1", "_spf1.example.com", "_spf1.example.com.")


def test_quotes_rejected_where_the_host_rejects_them() -> None:
    bad = [PublishedRecord(DOMAIN, 'v=spf1 exp=%{d}"x -all')]
    for key in ("namecheap", "namecom"):
        with pytest.raises(HostFormatError, match="double quotes"):
            render(registry.get(key), bad, existing=False, domain=DOMAIN)


def test_string_over_255_refused_where_the_user_splits() -> None:
    unsplit = [PublishedRecord(DOMAIN, _LONG_TEXT, [_LONG_TEXT])]
    with pytest.raises(HostFormatError, match="at most 255"):
        render(registry.get("route53"), unsplit, existing=False, domain=DOMAIN)
    # A host that splits by itself takes it as one value.
    render(registry.get("cloudflare"), unsplit, existing=False, domain=DOMAIN)


def test_value_cap_warns() -> None:
    text = "v=spf1 " + " ".join(f"ip4:198.51.{i}.0/24" for i in range(40)) + " -all"
    record = PublishedRecord(DOMAIN, text)
    assert len(text) > 509
    result = render(registry.get("digitalocean"), [record], existing=False, domain=DOMAIN)
    assert any("accepts at most 509" in w for w in result.warnings)
    assert registry.get("digitalocean").max_value_octets == 509
    assert registry.get("namecom").max_value_octets == 512
    assert registry.get("azure").max_value_octets == 4096
    assert registry.get("transip").max_value_octets == 1024


def test_unconfirmed_split_is_flagged_for_long_records() -> None:
    result = _render("godaddy", "long")
    assert any("unconfirmed" in w for w in result.warnings)
    assert result.unconfirmed
    assert not any("unconfirmed" in w for w in _render("azure", "long").warnings)


def test_json_shape() -> None:
    data = _render("route53", "chained").to_dict()
    assert data["host"] == "route53" and data["domain"] == DOMAIN
    assert [r["name"] for r in data["records"]] == [
        "_spf1.example.com", "_spf2.example.com", "example.com"]
    assert data["records"][-1]["action"] == "edit"
    assert all(isinstance(step["text"], str) for step in data["steps"])
    json.dumps(data)


def test_empty_records_refused() -> None:
    with pytest.raises(HostFormatError):
        render(registry.get("bind"), [], existing=False, domain=DOMAIN)
