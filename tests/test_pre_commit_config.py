"""The pre-commit configuration runs the same ruff as `make lint`, with both of its hooks."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def ruff_repos():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    return [repo for repo in config["repos"] if repo["repo"] == "https://github.com/astral-sh/ruff-pre-commit"]


def test_ruff_checks_and_formats_before_each_commit():
    [repo] = ruff_repos()
    assert {hook["id"] for hook in repo["hooks"]} == {"ruff-check", "ruff-format"}


def test_the_hooks_run_the_ruff_of_requirements_dev():
    pinned = re.search(r"^ruff==(\S+)$", (ROOT / "requirements-dev.txt").read_text(), re.MULTILINE).group(1)
    [repo] = ruff_repos()
    assert repo["rev"] == f"v{pinned}"
