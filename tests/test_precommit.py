"""The published pre-commit hooks: their definitions, and one real run through pre-commit."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"


def hooks() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(HOOKS_FILE.read_text())
    assert isinstance(data, list)
    return {hook["id"]: hook for hook in data}


def test_hook_definitions() -> None:
    defined = hooks()
    assert set(defined) == {"spflint-zone", "spflint-octodns"}
    for hook in defined.values():
        assert set(hook) <= {"id", "name", "description", "entry", "language", "files",
                             "require_serial", "minimum_pre_commit_version", "args", "types"}
        assert hook["entry"] == "spflint zone"
        assert hook["language"] == "python"
        assert hook["require_serial"] is True
        assert re.fullmatch(r"\d+\.\d+\.\d+", hook["minimum_pre_commit_version"])
        re.compile(hook["files"])


@pytest.mark.parametrize(("hook_id", "path", "matches"), [
    ("spflint-zone", "zones/example.com.zone", True),
    ("spflint-zone", "example.net.db", True),
    ("spflint-zone", "named/db.example.org", True),
    ("spflint-zone", "db.example.org", True),
    ("spflint-zone", "README.md", False),
    ("spflint-zone", "src/mydb.py", False),
    ("spflint-zone", "zones/example.com.yaml", False),
    ("spflint-octodns", "config/example.com.yaml", True),
    ("spflint-octodns", "octodns/zones/example.org.yml", True),
    ("spflint-octodns", "dns/sub.example.co.uk.yaml", True),
    ("spflint-octodns", "config/production.yaml", False),  # octoDNS's own configuration
    ("spflint-octodns", ".github/workflows/ci.yaml", False),
    ("spflint-octodns", "example.com.yaml", False),
])
def test_hook_file_patterns(hook_id: str, path: str, matches: bool) -> None:
    pattern = hooks()[hook_id]["files"]
    assert bool(re.search(pattern, path)) is matches


def _have(tool: str) -> bool:
    return shutil.which(tool) is not None


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True)
    return done.stdout.strip()


@pytest.mark.slow
@pytest.mark.skipif(not (_have("pre-commit") and _have("git")), reason="needs pre-commit, git")
def test_hook_runs_through_pre_commit(tmp_path: Path) -> None:
    """pre-commit installs spflint from this repository's HEAD and runs the hook offline."""
    head = _git(ROOT, "rev-parse", "HEAD")
    if "spflint-zone" not in _git(ROOT, "show", f"{head}:.pre-commit-hooks.yaml"):
        pytest.skip("the committed hook file does not define spflint-zone yet")
    work = tmp_path / "zones-repo"
    (work / "zones").mkdir(parents=True)
    _git(work, "init", "-q")
    (work / "zones" / "db.example.com").write_text(
        '$ORIGIN example.com.\n@ IN TXT "v=spf1 include:_spf.example.net -all"\n')
    (work / "zones" / "db.example.net").write_text(
        '$ORIGIN example.net.\n_spf IN TXT "v=spf1 ip4:93.184.216.0/24 -all"\n')
    (work / "zones" / "bad.zone").write_text(
        '$ORIGIN example.org.\n@ IN TXT "v=spf1 ipv4:93.184.216.34 -all"\n')
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n"
        "      - id: spflint-zone\n        args: [--offline]\n")
    _git(work, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)

    def pre_commit(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pre-commit", "run", "--color", "never", "--files", *files],
                              cwd=work, env=env, capture_output=True, text=True, timeout=900)

    good = pre_commit("zones/db.example.com", "zones/db.example.net")
    assert good.returncode == 0, good.stdout + good.stderr
    assert "Passed" in good.stdout
    bad = pre_commit("zones/db.example.com", "zones/db.example.net", "zones/bad.zone")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "zones/bad.zone:2: SPF101" in bad.stdout
    assert "zones/db.example.com:" not in bad.stdout
