"""Every command's JSON output against its committed schema (spflint/data/schemas), over real
runs including error and edge outputs; SARIF of every command against the official schema."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from jsonschema import Draft202012Validator

from spflint.cli import main
from spflint.report.json import SCHEMA_COMMANDS, SCHEMA_DIR, schema_path
from tests.schema_check import assert_valid_json, assert_valid_sarif, command_errors

ROOT = Path(__file__).resolve().parents[1]
DEMO = str(ROOT / "spflint" / "data" / "demo.yml")
EVAL = str(ROOT / "fixtures" / "zones" / "eval-basic.yml")
OFFLINE = ["--offline", "--dns-data", EVAL]


def invoke(*args: str, stdin: str | None = None) -> Result:
    result = CliRunner().invoke(main, list(args), input=stdin,
                                env={"SPFLINT_NAMESERVER": None, "GITHUB_ACTIONS": None})
    assert "Traceback" not in result.output
    return result


def document(*args: str, stdin: str | None = None, codes: tuple[int, ...] = (0, 1)
             ) -> dict[str, Any]:
    result = invoke(*args, "--format", "json", stdin=stdin)
    assert result.exit_code in codes, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def test_every_schema_is_a_valid_schema_with_its_file_name() -> None:
    files = sorted(p.name for p in SCHEMA_DIR.glob("*.schema.json"))
    assert files == sorted([f"{c}.schema.json" for c in SCHEMA_COMMANDS] + ["common.schema.json"])
    for path in SCHEMA_DIR.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        assert schema["$id"].endswith("/" + path.name)
    with pytest.raises(KeyError):
        schema_path("nonsense")


def test_schemas_require_the_contract_keys() -> None:
    # The keys DESIGN.md's contract says must exist.
    contract = {
        "lint": [], "check": ["domain", "record", "lookups", "tree", "coverage", "requirements"],
        "query": ["result", "explanation", "lookups", "void_lookups"],
        "fix": ["records", "changes", "lookups", "instructions"], "diff": ["changes"],
        "zone": ["files"],
    }
    for command, keys in contract.items():
        schema = json.loads(schema_path(command).read_text(encoding="utf-8"))
        assert {"spflint", "diagnostics", *keys} <= set(schema["required"]), command
    common = json.loads((SCHEMA_DIR / "common.schema.json").read_text(encoding="utf-8"))
    diagnostic = common["$defs"]["diagnostic"]
    assert {"code", "name", "severity", "message"} <= set(diagnostic["required"])
    assert {"domain", "term", "column", "file", "line"} <= set(diagnostic["properties"])


def test_schemas_reject_what_breaks_the_contract() -> None:
    good = document("lint", "v=spf1 ipv4:192.0.2.1 -all")
    assert command_errors("lint", good) == []
    missing = dict(good)
    del missing["records"]
    assert command_errors("lint", missing)
    wrong = json.loads(json.dumps(good))
    wrong["diagnostics"][0]["severity"] = "fatal"
    assert command_errors("lint", wrong)
    extra = dict(good, surprise=1)
    assert command_errors("lint", extra)  # every top-level key is described


@pytest.mark.parametrize("args", [
    ["v=spf1 ipv4:192.0.2.1 -all"],
    ["v=spf1 ip4:192.0.2.0/24 -all"],
    ["v=spf1 a:%{z}.example ptr +all exp=%{x}"],
    ["--strings", '"v=spf1 ip4:192.0.2.0/24" "-all"'],
    ["-"],
])
def test_lint(args: list[str]) -> None:
    stdin = "v=spf1 mx -all\n\nv=spf1 +all\nv=spf1 ipv4:1.2.3.4\n" if args == ["-"] else None
    assert_valid_json("lint", document("lint", *args, stdin=stdin))


@pytest.mark.parametrize("args", [
    ["--demo"],
    ["--demo", "--profile", "m365-relay", "--require", "include:x.example", "--ip", "2001:db8::1"],
    [*OFFLINE, "example.com", "--ip", "192.0.2.5", "--ip", "198.51.100.1"],
    [*OFFLINE, "relay.example.com"],
    [*OFFLINE, "broken.example.org"],
    ["--offline", "--dns-data", DEMO, "spf.protection.outlook.com"],
])
def test_check(args: list[str]) -> None:
    assert_valid_json("check", document("check", *args, codes=(0, 1, 3)))


@pytest.mark.parametrize("args", [
    ["--ip", "192.0.2.5", "--sender", "a@example.com"],
    ["--ip", "203.0.113.99", "--sender", "a@example.com", "--helo", "mx.example.org",
     "--header"],
    ["--ip", "203.0.113.10", "--sender", "", "--helo", "mail.example.org"],
    ["--ip", "2001:db8:1::25", "--sender", "a@example.net"],
    ["--ip", "192.0.2.5", "--sender", "a@unknown.example"],  # not known offline: temperror
    ["--ip", "192.0.2.5", "--sender", "a@exa mple.com"],  # none
])
def test_query(args: list[str]) -> None:
    doc = document("query", *OFFLINE, *args)
    assert_valid_json("query", doc)


def test_query_batch_lines() -> None:
    lines = [
        json.dumps({"ip": "192.0.2.5", "sender": "a@example.com", "helo": "mx.example.org"}),
        "not json",
        '{"ip": "192.0.2.5", "sender": "\\ud800@example.com"}',
        "[" * 5000,
        json.dumps({"ip": "fe80::1%eth0", "sender": "a@example.com"}),
        json.dumps({"ip": "203.0.113.99", "sender": "a@example.com", "domain": "example.com"}),
        "x" * 20_000,
    ]
    for batch_format, text in (("jsonl", "\n".join(lines) + "\n"),
                               ("csv", "ip,sender,helo\n192.0.2.5,a@example.com,\n1.2.3\n")):
        result = invoke("query", *OFFLINE, "--batch", "-", "--batch-format", batch_format,
                        "--header", stdin=text)
        assert result.exit_code == 0, result.output
        out = [json.loads(line) for line in result.stdout.splitlines()]
        assert any("error" in o for o in out) and any("result" in o for o in out)
        for line in out:
            assert_valid_json("query-batch", line)
        # A single query's output is no batch line (it has no line number).
    assert command_errors("query-batch", document("query", *OFFLINE, "--ip", "192.0.2.5",
                                                  "--sender", "a@example.com"))


@pytest.mark.parametrize("args", [
    ["--demo"],
    ["--record", "v=spf1 ip4:192.0.2.1 ipv4:192.0.2.2 ~all"],
    ["--record", "v=spf1 foo:bar -all"],  # no proven record: the error key
    ["--offline", "--dns-data", DEMO, "fabrikam.example", "--host", "none"],
    ["--offline", "--dns-data", DEMO, "fabrikam.example", "--host", "route53", "--unsafe"],
])
def test_fix(args: list[str]) -> None:
    assert_valid_json("fix", document("fix", "--offline", *args))


@pytest.mark.parametrize("args", [
    ["v=spf1 ip4:198.51.100.0/24 -all", "v=spf1 ip4:198.51.100.0/25 -all"],
    ["v=spf1 -all", "v=spf1 -all"],
    ["v=spf1 ptr a:%{i}.example -all", "v=spf1 -all exp=x.example"],
    ["--offline", "--dns-data", DEMO, "fabrikam.example",
     "v=spf1 include:spf.protection.outlook.com ip4:203.0.113.25 a ~all"],
    ["--offline", "--dns-data", DEMO, "fabrikam.example", "nothing.example"],
])
def test_diff(args: list[str]) -> None:
    assert_valid_json("diff", document("diff", *args))


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    target = tmp_path / "basic"
    shutil.copytree(ROOT / "fixtures" / "repos" / "basic", target)
    monkeypatch.chdir(target)
    return target


@pytest.mark.parametrize("args", [
    ["--offline"],
    ["--offline", "zones/db.example.com", "missing.zone", "pyproject.toml"],
    ["--offline", "--no-repo", "octodns/example.org.yaml"],
    ["--offline", "--fix", "--unsafe-fixes", "--bump-serial"],
])
def test_zone(repo: Path, args: list[str]) -> None:
    (repo / "zones" / "db.example.info").write_text(
        '$ORIGIN example.info.\n@ IN SOA ns.example.info. h.example.info. 1 2 3 4 5\n'
        '@ IN TXT ( "v=spf1 ipv4:192.0.2.1 "\n  "ptr -all" )\n')
    assert_valid_json("zone", document("zone", *args, codes=(0, 1, 2, 3)))


@pytest.mark.parametrize("args", [[], ["cloudflare"],
                                  ["--detect", "fabrikam.example", "--offline", "--dns-data",
                                   DEMO]])
def test_hosts(args: list[str]) -> None:
    assert_valid_json("hosts", document("hosts", *args))


@pytest.mark.parametrize("args", [["SPF101"], ["pass-all"], ["--list"]])
def test_explain(args: list[str]) -> None:
    assert_valid_json("explain", document("explain", *args))


@pytest.mark.parametrize("args", [
    ["lint", "v=spf1 ipv4:192.0.2.1 -all"],
    ["lint", "-"],
    ["check", "--demo"],
    ["check", *OFFLINE, "relay.example.com"],
    ["query", *OFFLINE, "--ip", "192.0.2.5", "--sender", "a@example.com"],
    ["fix", "--demo"],
    ["diff", "v=spf1 ptr -all", "v=spf1 -all"],
    ["hosts"],
    ["explain", "SPF101"],
])
def test_sarif_of_every_command_validates(args: list[str]) -> None:
    result = invoke(*args, "--format", "sarif", stdin="v=spf1 ipv4:1.2.3.4 -all\n")
    assert result.exit_code in (0, 1), result.output
    log = assert_valid_sarif(result.stdout)
    for item in log["runs"][0]["results"]:
        for location in item["locations"]:
            uri = location.get("physicalLocation", {}).get("artifactLocation", {}).get("uri")
            # Never a domain dressed up as a file.
            assert uri is None or "example" not in uri or uri.endswith("stdin%3E")


def test_sarif_of_zone_validates(repo: Path) -> None:
    (repo / "zones" / "db.example.info").write_text(
        '$ORIGIN example.info.\n@ IN SOA ns.example.info. h.example.info. 1 2 3 4 5\n'
        '@ IN TXT ( "v=spf1 IP4:192.0.2.1 "\n  "ptr -all" )\n'
        'x IN TXT "v=spf1 ipv4:192.0.2.1 -all"\n')
    result = invoke("zone", "--offline", "--format", "sarif", "--fail-on", "info")
    log = assert_valid_sarif(result.stdout)
    regions = {(r["ruleId"], json.dumps(r["locations"][0]["physicalLocation"]["region"]))
               for r in log["runs"][0]["results"]
               if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
               == "zones/db.example.info"}
    # A term on the record's first line, then 'ptr' on its second.
    assert ("SPF401", json.dumps({"startLine": 3, "startColumn": 20, "endColumn": 23})) in regions
    assert ("SPF310", json.dumps({"startLine": 4, "startColumn": 4, "endColumn": 7})) in regions
    assert ("SPF101", json.dumps({"startLine": 5, "startColumn": 18, "endColumn": 22})) in regions


def test_sarif_validation_catches_a_broken_log() -> None:
    from tests.schema_check import sarif_errors

    log = json.loads(invoke("lint", "-f", "sarif", "v=spf1 ipv4:1.2.3.4 -all").stdout)
    assert sarif_errors(log) == []
    log["runs"][0]["results"][0]["level"] = "fatal"
    assert sarif_errors(log)
    log["runs"][0]["results"][0]["level"] = "error"
    log["runs"][0]["results"][0]["locations"] = [
        {"physicalLocation": {"artifactLocation": {"uri": "<stdin>"}}}]
    assert any("not a URI reference" in e for e in sarif_errors(log))
