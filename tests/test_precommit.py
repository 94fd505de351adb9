"""The published pre-commit hooks: their definitions, the files they receive, and real runs
through pre-commit on a repository of each layout."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
HOOKS_FILE = ROOT / ".pre-commit-hooks.yaml"
REPOS = ROOT / "fixtures" / "repos"


def hooks() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(HOOKS_FILE.read_text())
    assert isinstance(data, list)
    return {hook["id"]: hook for hook in data}


def test_hook_definitions() -> None:
    defined = hooks()
    assert set(defined) == {"spflint-zone", "spflint-octodns"}
    for hook in defined.values():
        assert set(hook) <= {"id", "name", "description", "entry", "language", "files",
                             "require_serial", "minimum_pre_commit_version", "args", "types",
                             "exclude_types"}
        assert hook["entry"] == "spflint zone"
        assert hook["language"] == "python"
        assert hook["require_serial"] is True
        assert re.fullmatch(r"\d+\.\d+\.\d+", hook["minimum_pre_commit_version"])
    assert defined["spflint-zone"]["types"] == ["text"]
    assert defined["spflint-octodns"]["types"] == ["yaml"]


def _selected(hook: dict[str, Any], path: Path, relative: str) -> bool:
    """Whether pre-commit passes ``path`` to ``hook``: its files/exclude patterns and its
    types, with the tags pre-commit itself computes (the identify library)."""
    from identify.identify import tags_from_path

    if not re.search(hook.get("files", ""), relative):
        return False
    if hook.get("exclude") and re.search(hook["exclude"], relative):
        return False
    tags = tags_from_path(str(path))
    return set(hook.get("types", [])) <= tags and not (set(hook.get("exclude_types", [])) & tags)


@pytest.mark.parametrize(("layout", "relative", "zone", "octodns"), [
    ("bind-include", "zones/db.example.com", True, False),
    ("bind-include", "zones/spf/example.com.spf", True, False),
    ("bind-include", "named.conf.j2", True, False),  # passed, then skipped by content
    ("nsd-plain", "zones/example.com", True, False),
    ("gdnsd", "zones/example.com", True, False),
    ("octodns-root", "config/example.com.yaml", True, True),
    ("octodns-root", "octodns.yaml", True, True),
    ("octodns-hostedzones", "hostedzones/example.org.yaml", True, True),
    ("octodns-split", "zones/example.com./$example.com.yaml", True, True),
    ("basic", "pyproject.toml", True, False),
])
def test_hooks_receive_every_layouts_zone_files(layout: str, relative: str, zone: bool,
                                                octodns: bool) -> None:
    defined = hooks()
    path = REPOS / layout / relative
    assert _selected(defined["spflint-zone"], path, relative) is zone
    assert _selected(defined["spflint-octodns"], path, relative) is octodns


def test_binary_files_are_not_passed(tmp_path: Path) -> None:
    journal = tmp_path / "db.example.com.jnl"
    journal.write_bytes(b"\x00\x01\x02binary journal")
    assert not _selected(hooks()["spflint-zone"], journal, "db.example.com.jnl")


def _have(tool: str) -> bool:
    return shutil.which(tool) is not None


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    done = subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True)
    return done.stdout.strip()


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One pre-commit cache for the module: spflint's environment is built once."""
    if not (_have("pre-commit") and _have("git")):
        pytest.skip("needs pre-commit and git")
    yield tmp_path_factory.mktemp("pre-commit-home")


# layout: (a file whose record includes a name another file defines, the file to break, the
# text to replace and its replacement, where the finding must be reported)
LAYOUTS: dict[str, tuple[str, str, str, str, str]] = {
    "octodns-root": ("config/example.com.yaml", "config/example.com.yaml", "mx include:",
                     "mx inclde:", "config/example.com.yaml:9: SPF101"),
    "octodns-hostedzones": ("hostedzones/example.org.yaml", "hostedzones/example.com.yaml",
                            "ip4:192.0.2.0/25", "ipv4:192.0.2.0/25",
                            "hostedzones/example.com.yaml:8: SPF101"),
    "octodns-split": ("zones/example.com./$example.com.yaml", "zones/example.com./_spf.yaml",
                      "ip4:", "ipv4:", "zones/example.com./_spf.yaml:4: SPF101"),
    "bind-include": ("zones/spf/example.com.spf", "zones/spf/example.com.spf",
                     '@       IN TXT  "v=spf1 mx include:', '@       IN TXT  "v=spf1 mx include=',
                     "zones/spf/example.com.spf:2: SPF108"),
    "nsd-plain": ("zones/example.com", "zones/example.net", "ip4:", "ipv4:",
                  "zones/example.net:4: SPF101"),
    "gdnsd": ("zones/example.com", "zones/example.com", "include:", "inclde:",
              "zones/example.com:7: SPF101"),
    "m365-relay": ("zones/db.example.com", "zones/db.example.com", "ip4:62.231.75.25",
                   "ipv4:62.231.75.25", "zones/db.example.com:10: SPF101"),
}


@pytest.mark.slow
@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_hook_catches_a_broken_record_in_each_layout(layout: str, tmp_path: Path,
                                                     pre_commit_home: Path) -> None:
    """pre-commit installs spflint from this repository's HEAD and runs the published hook
    (with --offline) on a repository of each layout."""
    head = _git(ROOT, "rev-parse", "HEAD")
    work = tmp_path / layout
    shutil.copytree(REPOS / layout, work)
    _git(work, "init", "-q")
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n"
        "      - id: spflint-zone\n        args: [--offline]\n")
    _git(work, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)

    def pre_commit(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["pre-commit", "run", "--color", "never", *args], cwd=work,
                              env=env, capture_output=True, text=True, timeout=900)

    changed, target, old, new, where = LAYOUTS[layout]
    healthy = pre_commit("--all-files")
    assert healthy.returncode == 0, healthy.stdout + healthy.stderr
    assert "Passed" in healthy.stdout and "Skipped" not in healthy.stdout
    # a commit that changes one file: its include is answered by an unchanged file
    one = pre_commit("--files", changed)
    assert one.returncode == 0, one.stdout + one.stderr
    path = work / target
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    _git(work, "add", ".")
    broken = pre_commit("--files", target)
    assert broken.returncode == 1, broken.stdout + broken.stderr
    assert where in broken.stdout


@pytest.mark.slow
def test_octodns_hook_alone(tmp_path: Path, pre_commit_home: Path) -> None:
    head = _git(ROOT, "rev-parse", "HEAD")
    work = tmp_path / "repo"
    shutil.copytree(REPOS / "octodns-hostedzones", work)
    _git(work, "init", "-q")
    (work / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {ROOT}\n    rev: {head}\n    hooks:\n"
        "      - id: spflint-octodns\n        args: [--offline]\n")
    target = work / "hostedzones" / "example.org.yaml"
    target.write_text(target.read_text().replace("a:smtp", "ipv4:smtp"))
    _git(work, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(pre_commit_home), "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    done = subprocess.run(["pre-commit", "run", "--color", "never", "--all-files"], cwd=work,
                          env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "hostedzones/example.org.yaml:9: SPF101" in done.stdout
    assert "skipped hostedzones/octodns.yaml: an octoDNS configuration file" in done.stdout
