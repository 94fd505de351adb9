"""``spflint zone``: repo-first resolution, requirements, formats and exit codes."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from spflint.cli import main
from tests.dnsserver import DNSTestServer

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
    # Offline, without the file defining _spf.example.net (--no-repo: the repository's other
    # files do not answer), nothing is known about it: the address requirement is not checked
    # (not "unmet"), and one note says so.
    result = run("--offline", "--no-repo", "--format", "json", "zones/db.example.com")
    assert result.exit_code == 0, result.output
    ip, term = as_json(result)["requirements"]
    assert not ip["met"] and not ip["checked"]
    assert term["met"] and term["checked"]
    assert as_json(result)["repository"] is None
    text = run("--offline", "--no-repo", "zones/db.example.com")
    assert "requirement not met" not in text.output
    assert "note: 1 external name not checked offline (_spf.example.net); `spflint lock` pins " \
           "them; 1 requirement not checked: example.com must pass 203.0.113.10" in text.output


def test_the_repository_answers_for_files_not_given(repo: Path) -> None:
    result = run("--offline", "--format", "json", "zones/db.example.com")
    assert result.exit_code == 0, result.output
    doc = as_json(result)
    assert [f["path"] for f in doc["files"]] == ["zones/db.example.com"]
    assert all(r["met"] for r in doc["requirements"])
    # only the file under the name asked about was read, and only to answer
    assert doc["repository"] == {"root": ".", "zones": 3, "read": ["zones/db.example.net"],
                                 "errors": [], "requirements_not_checked": []}


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
    # The column of the term in the file (the record text starts at column 11).
    assert line.startswith("::error file=zones/db.example.com,line=2,col=18,endColumn=22,")


def test_sarif_locations(repo: Path) -> None:
    result = run("--offline", "--format", "sarif", *BASIC)
    doc = json.loads(result.stdout)
    locations = [r["locations"][0]["physicalLocation"] for r in doc["runs"][0]["results"]]
    # 'IP4' is at column 8 of the record text, which starts at column 18 of line 7.
    assert {"artifactLocation": {"uri": "zones/db.example.net"},
            "region": {"startLine": 7, "startColumn": 25, "endColumn": 28}} in locations


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


# --------------------------------------------------------------------------- which files


def test_files_that_are_not_zones_are_skipped_not_errors(repo: Path) -> None:
    (repo / "notes.txt").write_text("Some notes about the zones.\n")
    result = run("--offline", "--format", "json", "pyproject.toml", "notes.txt")
    assert result.exit_code == 0, result.output
    doc = as_json(result)
    assert doc["files"] == [] and doc["diagnostics"] == []
    assert [s["path"] for s in doc["skipped"]] == ["pyproject.toml", "notes.txt"]
    assert all(s["reason"].startswith("not a zone file") for s in doc["skipped"])
    # example.com's requirements belong to the runs that check its file
    assert doc["requirements"] == []
    assert doc["repository"]["requirements_not_checked"] == [
        {"name": "example.com", "ip": "203.0.113.10", "files": ["zones/db.example.com"]},
        {"name": "example.com", "term": "include:_spf.example.net",
         "files": ["zones/db.example.com"]}]
    text = run("--offline", "pyproject.toml", "notes.txt", "README.missing")
    assert text.exit_code == 2
    assert "skipped notes.txt: not a zone file (line 1 is neither a record nor a directive)" \
        in text.stdout
    text = run("--offline", "pyproject.toml", "notes.txt", "octodns")
    assert text.exit_code == 0
    assert text.stdout.splitlines()[-1] == \
        "1 zone file checked (2 files skipped): no problems found"
    assert "note: requirements of example.com not checked" in text.stdout
    text = run("--offline", "pyproject.toml", "notes.txt")
    assert text.stdout.splitlines()[-1] == "no zone files among the 2 files given (2 skipped)"
    assert "no problems found" not in text.stdout


def test_summary_never_claims_success_for_files_that_failed(repo: Path) -> None:
    (repo / "broken.zone").write_text('$ORIGIN example.info.\n@ TXT "open\n')
    result = run("--offline", "broken.zone", "zones/db.example.com")
    assert result.exit_code == 2
    assert result.stdout.splitlines()[-1] == "1 zone file checked, 1 could not be read"
    result = run("--offline", "zones/db.example.com", "zones/db.example.net")
    assert result.stdout.splitlines()[-1].startswith("2 zone files checked: ")


def test_long_skipped_lists_are_shortened_in_text(repo: Path) -> None:
    names = []
    for i in range(25):
        (repo / f"note{i:02}.txt").write_text("prose, not records\n")
        names.append(f"note{i:02}.txt")
    result = run("--offline", *names)
    skipped = [line for line in result.stdout.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 20
    assert "... and 5 more files skipped (--format json lists them all)" in result.stdout
    assert len(as_json(run("--offline", "-f", "json", *names))["skipped"]) == 25


def test_without_files_the_repository_is_checked(repo: Path) -> None:
    (repo / ".git").mkdir()
    (repo / "zones" / "sub").mkdir()
    result = run("--offline", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [f["path"] for f in as_json(result)["files"]] == BASIC[2:] + BASIC[:2]
    # from a subdirectory, the repository is still the one above
    import os

    os.chdir(repo / "zones" / "sub")
    result = run("--offline", "--format", "json")
    assert [f["path"] for f in as_json(result)["files"]] == [
        os.path.join("..", "..", p) for p in BASIC[2:] + BASIC[:2]]


def test_a_repository_without_zone_files_is_an_error(tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / "README.md").write_text("# nothing here\n")
    result = run("--offline")
    assert result.exit_code == 2
    assert "no zone file found in" in result.stderr


def test_a_broken_repository_file_does_not_fail_the_run(repo: Path) -> None:
    (repo / "zones" / "db.example.net").write_text(
        '$ORIGIN example.net.\n_spf IN TXT "v=spf1 ip4:203.0.113.0/24 -all\n')
    result = run("--offline", "--format", "json", "zones/db.example.com")
    assert result.exit_code != 2, result.output
    assert "spflint: error" not in result.stderr
    errors = as_json(result)["repository"]["errors"]
    assert [(e["path"], e["origin"]) for e in errors] == [("zones/db.example.net", "example.net")]
    text = run("--offline", "zones/db.example.com")
    notes = [line for line in text.stdout.splitlines() if "db.example.net" in line]
    assert len(notes) == 1
    assert notes[0].startswith("note: zones/db.example.net:2:")
    assert "names under it were unknown" in notes[0]
    assert "external name" not in text.stdout  # _spf.example.net is the repository's


def test_lock_shares_the_selection_and_the_repository(
        repo: Path, make_dns_server: Callable[..., DNSTestServer]) -> None:
    (repo / "zones" / "db.example.net").write_text(
        '$ORIGIN example.net.\n_spf IN TXT "v=spf1 include:_spf.provider.test -all"\n')
    server = make_dns_server({"_spf.provider.test": [{"TXT": "v=spf1 ip4:93.184.216.0/24 -all"}]})
    result = CliRunner().invoke(main, ["lock", "--nameserver", server.address,
                                       "zones/db.example.com", "pyproject.toml"])
    assert result.exit_code == 0, result.output
    # _spf.example.net came from the repository: only the provider is external
    assert sorted(json.loads((repo / "spflint.lock").read_text())["answers"]) == [
        "_spf.provider.test"]


# --------------------------------------------------------------------------- layouts

LAYOUTS = REPOS.parent / "repos"


def _split_reader_merged() -> bool:
    from spflint.zones import ZoneFileError, read_zone

    try:
        read_zone(REPOS / "octodns-split" / "zones" / "example.net.")
    except ZoneFileError:
        return False
    return True


def _gdnsd_types_skipped() -> bool:
    from spflint.zones import ZoneFileError, read_bind

    try:
        read_bind(REPOS / "gdnsd" / "zones" / "example.com")
    except ZoneFileError:
        return False
    return True


SPLIT = pytest.mark.xfail(not _split_reader_merged(), strict=True,
                          reason="split reader not merged yet")
GDNSD = pytest.mark.xfail(not _gdnsd_types_skipped(), strict=True,
                          reason="the BIND reader does not skip DYNA/DYNC yet")

# layout: (file to break, text in it, replacement, where the finding is, a file whose record
# includes a name another file defines)
BREAK = {
    "octodns-root": ("config/example.com.yaml", "mx include:", "mx inclde:",
                     "config/example.com.yaml:9: SPF101", "config/example.com.yaml"),
    "octodns-hostedzones": ("hostedzones/example.org.yaml", "a:smtp", "ipv4:smtp",
                            "hostedzones/example.org.yaml:9: SPF101",
                            "hostedzones/example.org.yaml"),
    "octodns-split": ("zones/example.com./_spf.yaml", "ip4:", "ipv4:",
                      "zones/example.com./_spf.yaml:4: SPF101",
                      "zones/example.com./$example.com.yaml"),
    "bind-include": ("zones/spf/example.com.spf", "bounce  IN TXT  \"v=spf1 include:",
                     "bounce  IN TXT  \"v=spf1 include=",
                     "zones/spf/example.com.spf:3: SPF108", "zones/spf/example.com.spf"),
    "nsd-plain": ("zones/example.net", "ip4:", "ipv4:", "zones/example.net:4: SPF101",
                  "zones/example.com"),
    "gdnsd": ("zones/example.com", "include:", "inclde:", "zones/example.com:7: SPF101",
              "zones/example.com"),
}
MARKS = {"octodns-split": [SPLIT], "gdnsd": [GDNSD]}


def layout_params() -> list[Any]:
    return [pytest.param(name, marks=MARKS.get(name, [])) for name in BREAK]


@pytest.fixture
def layout_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                request: pytest.FixtureRequest) -> Path:
    for name in ("GITHUB_ACTIONS", "NO_COLOR", "SPFLINT_NAMESERVER"):
        monkeypatch.delenv(name, raising=False)
    target = tmp_path / request.param
    shutil.copytree(REPOS / request.param, target)
    (target / ".git").mkdir()
    monkeypatch.chdir(target)
    return target


@pytest.mark.parametrize("layout_repo", layout_params(), indirect=True)
def test_each_layout_passes_healthy_and_catches_a_broken_record(layout_repo: Path) -> None:
    healthy = run("--offline")
    assert healthy.exit_code == 0, healthy.output
    assert healthy.stdout.splitlines()[-1].startswith("2 zone files checked")
    path, old, new, where, _ = BREAK[layout_repo.name]
    target = layout_repo / path
    text = target.read_text()
    assert old in text
    target.write_text(text.replace(old, new, 1))
    broken = run("--offline")
    assert broken.exit_code == 1, broken.output
    assert where in broken.stdout


@pytest.mark.parametrize("layout_repo", layout_params(), indirect=True)
def test_each_layout_resolves_from_unchanged_files(layout_repo: Path) -> None:
    changed = BREAK[layout_repo.name][4]
    one = run("--offline", "--format", "json", changed)
    assert one.exit_code == 0, one.output
    assert as_json(one)["unknown"] == []
    assert as_json(one)["repository"]["read"]  # another file answered
    # without the repository, offline, the name another file defines is unknown
    alone = run("--offline", "--no-repo", "--format", "json", changed)
    assert alone.exit_code == 0, alone.output
    assert as_json(alone)["unknown"] != []


def test_include_outside_the_repository_needs_include_root(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, shared = tmp_path / "repo", tmp_path / "shared"
    (repo / ".git").mkdir(parents=True)
    shared.mkdir()
    (shared / "spf.inc").write_text('@ TXT "v=spf1 ip4:192.0.2.1 -all"\n')
    (repo / "db.example.com").write_text(
        "$ORIGIN example.com.\n@ SOA ns1 hostmaster 1 7200 900 1209600 300\n"
        "$INCLUDE ../shared/spf.inc\n")
    monkeypatch.chdir(repo)
    refused = CliRunner().invoke(main, ["zone", "--offline", "db.example.com"])
    assert refused.exit_code == 2
    assert "db.example.com:3" in refused.output and "outside" in refused.output
    allowed = CliRunner().invoke(main, ["zone", "--offline", "--include-root", str(shared),
                                        "-f", "json", "db.example.com"])
    assert allowed.exit_code == 0, allowed.output
    records = [r for f in json.loads(allowed.stdout)["files"] for r in f["records"]]
    assert [r["record"] for r in records] == ["v=spf1 ip4:192.0.2.1 -all"]
