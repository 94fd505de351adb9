"""The GitHub Action (action.yml): its shape, its inputs, and its shell steps run for real."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
ACTION = ROOT / "action.yml"
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
UPLOAD_SARIF = "github/codeql-action/upload-sarif@v4"  # the current major version
SHELL_STEPS = [s["name"] for s in yaml.safe_load(ACTION.read_text(encoding="utf-8"))
               ["runs"]["steps"] if "run" in s]

BROKEN_ZONE = """$TTL 300
example.org.  IN SOA ns.example.org. hostmaster.example.org. 1 7200 3600 1209600 300
example.org.  IN TXT "v=spf1 ipv4:192.0.2.1 -all"
"""
CLEAN_ZONE = """$TTL 300
example.net.  IN SOA ns.example.net. hostmaster.example.net. 1 7200 3600 1209600 300
example.net.  IN TXT "v=spf1 ip4:93.184.216.0/24 -all"
"""


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    data = yaml.safe_load(ACTION.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(action: dict[str, Any]) -> list[dict[str, Any]]:
    return list(action["runs"]["steps"])


def step(action: dict[str, Any], name: str) -> dict[str, Any]:
    return next(s for s in steps(action) if s.get("id") == name or s.get("name") == name)


def substituted(script: str, values: dict[str, str]) -> str:
    """The script as the runner would write it: every ``${{ ... }}`` replaced."""
    return EXPRESSION.sub(lambda m: values.get(m.group(1), "placeholder"), script)


def test_is_a_documented_composite_action(action: dict[str, Any]) -> None:
    assert action["runs"]["using"] == "composite"
    assert action["name"] and action["description"]
    for kind in ("inputs", "outputs"):
        for key, spec in action[kind].items():
            assert spec.get("description"), f"{kind}.{key} has no description"
    for key, spec in action["inputs"].items():
        assert "default" in spec and isinstance(spec["default"], str), key
    assert set(action["inputs"]) >= {"paths", "format", "fail-on", "offline", "lock", "args",
                                     "upload-sarif"}


def test_every_input_is_used_and_every_reference_exists(action: dict[str, Any]) -> None:
    runs = yaml.safe_dump(action["runs"])
    used = set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", runs))
    assert used == set(action["inputs"])
    ids = {s["id"] for s in steps(action) if "id" in s}
    everything = yaml.safe_dump(action)
    for step_id in re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs", everything):
        assert step_id in ids
    for spec in action["outputs"].values():
        assert EXPRESSION.fullmatch(spec["value"])


def test_pins_spflint_to_the_action_and_uploads_with_the_current_major(
        action: dict[str, Any]) -> None:
    install = step(action, "Install spflint (this action's version)")["run"]
    assert re.search(r'pip install .*"\$\{\{ github\.action_path \}\}"', install)
    upload = step(action, "Upload SARIF to code scanning")
    assert upload["uses"] == UPLOAD_SARIF
    assert "inputs.format == 'sarif'" in upload["if"]
    assert upload["with"]["sarif_file"] == "${{ steps.zone.outputs.sarif-file }}"


def test_inputs_never_pasted_into_scripts(action: dict[str, Any]) -> None:
    for item in steps(action):
        if "run" in item:
            assert "inputs." not in item["run"], item["name"]


@pytest.mark.parametrize("name", SHELL_STEPS)
def test_shell_steps_parse(action: dict[str, Any], name: str) -> None:
    item = step(action, name)
    assert item["shell"] == "bash"
    script = substituted(item["run"], {"github.action_path": "/opt/action path"})
    proc = subprocess.run(["bash", "-n"], input=script, capture_output=True, text=True,
                          check=False)
    assert proc.returncode == 0, proc.stderr
    if shutil.which("shellcheck"):  # not on every machine; bash -n always runs
        proc = subprocess.run(["shellcheck", "--shell=bash", "-"], input=script,
                              capture_output=True, text=True, check=False)
        assert proc.returncode == 0, proc.stdout


def run_zone_step(action: dict[str, Any], tmp_path: Path, **inputs: str
                  ) -> tuple[subprocess.CompletedProcess[str], dict[str, str]]:
    """Run the ``spflint zone`` step's script with real spflint, as the runner would."""
    item = step(action, "zone")
    values = {name: spec["default"] for name, spec in action["inputs"].items()}
    values.update({k.replace("_", "-"): v for k, v in inputs.items()})
    env = {**os.environ}
    env.pop("GITHUB_ACTIONS", None)
    for key, expr in item["env"].items():
        match = EXPRESSION.fullmatch(expr)
        assert match and match.group(1).startswith("inputs."), key
        env[key] = values[match.group(1).removeprefix("inputs.")]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    wrapper = bin_dir / "spflint"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m spflint "$@"\n',
                       encoding="utf-8")
    wrapper.chmod(0o755)
    output = tmp_path / "github_output"
    output.write_text("", encoding="utf-8")
    env.update(PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}", GITHUB_OUTPUT=str(output))
    script = substituted(item["run"], {})
    proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
                          cwd=tmp_path / "repo", env=env, capture_output=True, text=True,
                          check=False, timeout=120)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if line)
    return proc, outputs


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    zones = tmp_path / "repo" / "zones"
    zones.mkdir(parents=True)
    (zones / "example.org.zone").write_text(BROKEN_ZONE, encoding="utf-8")
    (zones / "example.net.zone").write_text(CLEAN_ZONE, encoding="utf-8")
    return tmp_path


def test_zone_step_annotates_and_reports_the_exit_code(action: dict[str, Any],
                                                       repo: Path) -> None:
    proc, outputs = run_zone_step(action, repo, paths="zones/*.zone")
    assert proc.returncode == 0, proc.stderr  # the last step fails the job, not this one
    assert outputs == {"exit-code": "1"}
    assert "::error file=zones/example.org.zone,line=3" in proc.stdout
    assert "example.net" not in proc.stdout
    # Extra arguments reach spflint, split on spaces.
    ignored, outputs = run_zone_step(action, repo, paths="zones/example.org.zone",
                                     args="--ignore  SPF101 --no-repo")
    assert outputs == {"exit-code": "0"}, ignored.stdout + ignored.stderr
    assert "SPF101" not in ignored.stdout


def test_zone_step_writes_sarif(action: dict[str, Any], repo: Path) -> None:
    proc, outputs = run_zone_step(action, repo, format="sarif", paths="zones",
                                  sarif_file="out.sarif", lock="none")
    assert outputs == {"exit-code": "1", "sarif-file": "out.sarif"}, proc.stderr
    sarif = json.loads((repo / "repo" / "out.sarif").read_text(encoding="utf-8"))
    results = sarif["runs"][0]["results"]
    assert any(r["ruleId"] == "SPF101" for r in results)


@pytest.mark.parametrize("name,value,message", [
    ("format", "xml", "format must be github or sarif"),
    ("fail_on", "never", "fail-on must be error, warning or info"),
    ("offline", "yes", "offline must be true or false"),
])
def test_zone_step_refuses_bad_inputs(action: dict[str, Any], repo: Path, name: str,
                                      value: str, message: str) -> None:
    proc, outputs = run_zone_step(action, repo, **{name: value})
    assert outputs == {"exit-code": "2"}
    assert f"::error title=spflint action::{message}" in proc.stdout


def test_missing_path_is_exit_2_without_sarif(action: dict[str, Any], repo: Path) -> None:
    proc, outputs = run_zone_step(action, repo, format="sarif", paths="zones/none-*.zone")
    assert outputs == {"exit-code": "2"}, proc.stdout
    assert "none-*.zone" in proc.stderr


def test_result_step_fails_with_spflints_code(action: dict[str, Any]) -> None:
    item = step(action, "Result")
    assert "steps.zone.outputs.exit-code != '0'" in item["if"]
    for status in ("1", "3"):
        proc = subprocess.run(["bash", "-c", substituted(item["run"], {})],
                              env={**os.environ, "SPFLINT_STATUS": status},
                              capture_output=True, text=True, check=False)
        assert proc.returncode == int(status)
