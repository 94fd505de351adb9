"""``fix --snapshot`` then ``check --snapshot``: flattened includes that drift fail the check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from spflint.cli import main
from spflint.cli.demo import demo_file


def run(*args: str) -> Any:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def _snapshot(tmp_path: Path) -> Path:
    snap = tmp_path / "snap.json"
    result = run("fix", "--demo", "--flatten", "sendgrid.net", "--snapshot", str(snap),
                 "--host", "none", "-f", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(snap.read_text())
    assert [e["name"] for e in data["flattened"]] == ["sendgrid.net"]
    return snap


def _drift(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in snapshot["requirements"] if r["source"] == "snapshot"]


def test_unchanged_provider_meets_the_snapshot(tmp_path: Path) -> None:
    snap = _snapshot(tmp_path)
    result = run("check", "--demo", "--snapshot", str(snap), "-f", "json")
    (req,) = _drift(json.loads(result.output))
    assert req["met"] is True and req["where"] == "sendgrid.net"


def test_changed_provider_fails_the_check(tmp_path: Path) -> None:
    snap = _snapshot(tmp_path)
    zone = tmp_path / "zone.yml"
    zone.write_text(demo_file().read_text().replace("ip4:159.183.0.0/16", "ip4:159.184.0.0/16"))
    result = run("check", "fabrikam.example", "--dns-data", str(zone), "--offline",
                 "--snapshot", str(snap), "--ignore", "SPF210,SPF314", "-f", "json")
    assert result.exit_code == 1
    data = json.loads(result.output)
    (req,) = _drift(data)
    assert req["met"] is False
    (drift,) = data["drift"]
    assert drift["added"] == ["ip4:159.184.0.0/16"]
    assert drift["removed"] == ["ip4:159.183.0.0/16"]


def test_bad_snapshot_file_is_an_input_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{\"format\": 7}")
    result = CliRunner().invoke(main, ["check", "--demo", "--snapshot", str(bad)])
    assert result.exit_code == 2
    assert "not a spflint snapshot" in result.output


def test_a_snapshot_with_nothing_flattened_is_accepted(tmp_path: Path) -> None:
    snap = tmp_path / "none.json"
    assert run("fix", "--demo", "--snapshot", str(snap), "--host", "none").exit_code == 0
    assert json.loads(snap.read_text())["flattened"] == []
    result = run("check", "--demo", "--snapshot", str(snap), "-f", "json")
    assert result.exit_code == 1  # the demo's own findings, not the snapshot
    assert _drift(json.loads(result.output)) == []
