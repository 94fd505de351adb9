"""``spflint zone``: repo-first resolution, requirements, formats and exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from spflint.cli import main

REPOS = Path(__file__).resolve().parent.parent / "fixtures" / "repos"
BASIC = ["zones/db.example.com", "zones/db.example.net", "octodns/example.org.yaml"]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of fixtures/repos/basic as the working directory (its pyproject applies)."""
    for name in ("GITHUB_ACTIONS", "NO_COLOR", "SPFLINT_NAMESERVER"):
        monkeypatch.delenv(name, raising=False)
    target = tmp_path / "basic"
    shutil.copytree(REPOS / "basic", target)
    monkeypatch.chdir(target)
    return target


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["zone", *args])


def as_json(result: Result) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_json_contract_and_repo_first_resolution(repo: Path) -> None:
    result = run("--offline", "--format", "json", *BASIC)
    assert result.exit_code == 0, result.output
    doc = as_json(result)
    assert doc["spflint"] and isinstance(doc["diagnostics"], list)
    paths = [f["path"] for f in doc["files"]]
    assert paths == BASIC
    first = doc["files"][0]["records"]
    assert first == [{"name": "example.com", "line": 11, "record":
                      "v=spf1 mx include:_spf.example.net -all", "type": "TXT", "column": 17,
                      "diagnostics": []}]
    bad = doc["files"][1]["records"][1]
    assert (bad["name"], bad["line"]) == ("bad.example.net", 7)
    assert {d["code"] for d in bad["diagnostics"]} == {"SPF401", "SPF311", "SPF305"}
    for diagnostic in bad["diagnostics"]:
        assert diagnostic["file"] == "zones/db.example.net" and diagnostic["line"] == 7
    # include:_spf.example.net is answered by the other file of the run: the IP passes.
    assert doc["requirements"] == [
        {"name": "example.com", "ip": "203.0.113.10", "met": True,
         "detail": "pass (ip4:203.0.113.0/24 in _spf.example.net)", "result": "pass",
         "matched": "ip4:203.0.113.0/24", "checked": True},
        {"name": "example.com", "term": "include:_spf.example.net", "met": True,
         "detail": "found in the record of example.com", "checked": True},
    ]


def test_requirement_not_checked_without_the_other_file(repo: Path) -> None:
    # Offline, without the file defining _spf.example.net, nothing is known about it: the
    # address requirement is not checked (not "unmet"), and one note says so.
    result = run("--offline", "--format", "json", "zones/db.example.com")
    assert result.exit_code == 0, result.output
    ip, term = as_json(result)["requirements"]
    assert not ip["met"] and not ip["checked"]
    assert term["met"] and term["checked"]
    text = run("--offline", "zones/db.example.com")
    assert "requirement not met" not in text.output
    assert "note: 1 external name not checked offline (_spf.example.net); `spflint lock` pins " \
           "them; 1 requirement not checked: example.com must pass 203.0.113.10" in text.output


def test_requirements_from_explicit_config(repo: Path) -> None:
    (repo / "other.toml").write_text(
        '[tool.spflint]\nignore = ["SPF314"]\n[tool.spflint.require]\n'
        '"example.org" = { ip = ["203.0.113.10"], require = ["-all"] }\n')
    result = CliRunner().invoke(main, ["--config", "other.toml", "zone", "--offline",
                                       "--format", "json", *BASIC])
    assert result.exit_code == 0, result.output
    assert all(r["met"] for r in as_json(result)["requirements"])
    (repo / "other.toml").write_text(
        '[tool.spflint.require]\n"example.org" = { ip = ["192.0.2.99"] }\n')
    result = CliRunner().invoke(main, ["--config", "other.toml", "zone", "--offline", *BASIC])
    assert result.exit_code == 1


def test_dns_data_answers_after_the_repository(repo: Path) -> None:
    (repo / "provider.yml").write_text(
        "_spf.provider.example:\n  - TXT: v=spf1 ip4:198.51.100.0/24 -all\n"
        "_spf.example.net:\n  - TXT: v=spf1 -all\n")
    (repo / "zones" / "db.example.com").write_text(
        (repo / "zones" / "db.example.com").read_text().replace(
            "include:_spf.example.net", "include:_spf.example.net include:_spf.provider.example"))
    result = run("--offline", "--format", "json", "--dns-data", "provider.yml",
                 "--ignore", "SPF3", *BASIC)
    assert result.exit_code == 0, result.output
    tree = json.dumps(as_json(result)["requirements"])
    # The repository's _spf.example.net wins over the data file's "-all".
    assert '"met": true' in tree and '"met": false' not in tree


def test_error_findings_exit_1_with_github_annotations(repo: Path) -> None:
    (repo / "zones" / "db.example.com").write_text(
        "$ORIGIN example.com.\n@ IN TXT \"v=spf1 ipv4:203.0.113.1 -all\"\n")
    result = run("--offline", "--format", "github", "zones/db.example.com")
    assert result.exit_code == 1
    line = next(x for x in result.output.splitlines() if "SPF101" in x)
    assert line.startswith("::error file=zones/db.example.com,line=2,col=8,")


def test_sarif_locations(repo: Path) -> None:
    result = run("--offline", "--format", "sarif", *BASIC)
    doc = json.loads(result.stdout)
    locations = [r["locations"][0]["physicalLocation"] for r in doc["runs"][0]["results"]]
    assert {"artifactLocation": {"uri": "zones/db.example.net"},
            "region": {"startLine": 7, "startColumn": 8, "endColumn": 11}} in locations


def test_github_format_by_default_in_actions(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = run("--offline", *BASIC)
    assert "::notice file=zones/db.example.net,line=7" in result.output


def test_unreadable_file_exit_2_others_still_checked(repo: Path) -> None:
    (repo / "broken.zone").write_text("$ORIGIN example.info.\nx TXT \"open\n")
    result = run("--offline", "--format", "json", "missing.zone", "broken.zone",
                 "zones/db.example.net")
    assert result.exit_code == 2
    assert "missing.zone: cannot read the file" in result.stderr
    assert "broken.zone:2:7: a quoted string runs past the end of the line" in result.stderr
    doc = as_json(result)
    checked = [f for f in doc["files"] if f["records"]]
    assert [f["path"] for f in checked] == ["zones/db.example.net"]
    assert {f["path"] for f in doc["files"] if "error" in f} == {"missing.zone", "broken.zone"}


def test_fail_on_warning(repo: Path) -> None:
    assert run("--offline", *BASIC).exit_code == 0
    assert run("--offline", "--fail-on", "warning", *BASIC).exit_code == 1


def test_text_output_names_file_and_line(repo: Path) -> None:
    result = run("--offline", "zones/db.example.net")
    assert "zones/db.example.net:7: SPF311" in result.output
    assert "v=spf1 IP4:203.0.113.9 ip4:203.0.113.9 -all ~all" in result.output


def test_missing_lock_option_is_an_input_error(repo: Path) -> None:
    result = run("--offline", "--lock", "nope.lock", *BASIC)
    assert result.exit_code == 2


def test_dns_failure_wins_over_findings_but_not_over_input_errors(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GITHUB_ACTIONS", "SPFLINT_NAMESERVER"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "db.example.com").write_text(
        '$ORIGIN example.com.\n@ 300 IN TXT "v=spf1 include:_spf.provider.test +all"\n')
    (tmp_path / "data.yml").write_text("_spf.provider.test:\n  - TIMEOUT\n")
    findings_only = run("--offline", "db.example.com")
    assert findings_only.exit_code == 1, findings_only.output  # +all; the include is void
    failed = run("--offline", "--dns-data", "data.yml", "db.example.com")
    assert failed.exit_code == 3, failed.output
    assert "SPF301" in failed.stdout
    (tmp_path / "broken.zone").write_text('$ORIGIN example.org.\n@ IN TXT "unterminated\n')
    both = run("--offline", "--dns-data", "data.yml", "db.example.com", "broken.zone")
    assert both.exit_code == 2, both.output


def test_unmet_requirement_is_a_finding_on_the_record(tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.spflint.require]\n"example.com" = { ip = ["198.51.100.9"] }\n')
    (tmp_path / "db.example.com").write_text(
        '$ORIGIN example.com.\n@ 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"\n')
    result = CliRunner().invoke(main, ["zone", "db.example.com", "--offline", "-f", "json"])
    assert result.exit_code == 1
    (finding,) = [d for d in json.loads(result.output)["diagnostics"] if d["code"] == "SPF501"]
    assert finding["file"] == "db.example.com" and finding["line"] == 2
    assert finding["term"] == "198.51.100.9"
