"""docs/RELIABILITY.md keeps up with ../shared/RELIABILITY.md: one row per check, each with what it
found at its last run, and only files that exist named as its tests and commands."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REPORT = ROOT / "docs" / "RELIABILITY.md"
SHARED = Path(os.environ.get("NEWSROOM_SHARED", str(ROOT.parent / "shared"))) / "RELIABILITY.md"

# ../shared/RELIABILITY.md's groups and how many checks each has (its headings say so: "A. ... (11)").
GROUPS = {"A": 11, "B": 9, "C": 7, "D": 7, "E": 7, "F": 3, "G": 5}
CHECK_IDS = [f"{group}{n}" for group, count in GROUPS.items() for n in range(1, count + 1)]
RESULTS = ("passes", "fails", "not run", "partly")
# The runs issue 13 asks the report to give figures for, by the command or test that makes them.
RUNS = ["bench/chaos_run.py --quick", "bench/chaos_run.py`", "bench/load_bench.py --duration 3600",
        "bench/monster_bench.py", "tests/launcher/test_run_supervision.py", "manage.py reconcile"]


def report() -> str:
    return REPORT.read_text(encoding="utf-8")


def rows() -> dict[str, str]:
    """Each check's table row, by its ID (the row's first cell)."""
    found: dict[str, str] = {}
    for line in report().splitlines():
        m = re.match(r"\| \*\*([A-G]\d+)\*\* \|", line)
        if m:
            assert m.group(1) not in found, f"{m.group(1)} has two rows"
            found[m.group(1)] = line
    return found


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/RELIABILITY.md is not beside this checkout")
def test_the_check_list_is_the_one_in_shared_reliability() -> None:
    ids = re.findall(r"^- \*\*([A-G]\d+) ", SHARED.read_text(encoding="utf-8"), flags=re.MULTILINE)
    assert ids == CHECK_IDS


def test_every_check_has_one_row_that_says_what_its_last_run_found() -> None:
    found = rows()
    assert sorted(found) == sorted(CHECK_IDS), set(CHECK_IDS) ^ set(found)
    for check, line in found.items():
        assert any(result in line for result in RESULTS), f"{check}: no result ({', '.join(RESULTS)})"


def test_every_run_of_issue_13_is_reported() -> None:
    text = report()
    for run in RUNS:
        assert run in text, run


def test_the_files_the_report_names_exist() -> None:
    named = set(re.findall(r"\b((?:tests|bench|corrections|articles|newsroom|launcher)/[\w/]+\.py)", report()))
    assert named
    assert not [path for path in sorted(named) if not (ROOT / path).exists()]


def test_every_commit_the_report_names_is_in_the_history() -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    shallow = subprocess.run(["git", "rev-parse", "--is-shallow-repository"], cwd=ROOT, capture_output=True,
                             text=True, check=False)
    if shallow.stdout.strip() != "false":
        pytest.skip("a shallow clone does not hold every commit")
    commits = set(re.findall(r"`([0-9a-f]{7,12})`", report()))
    assert commits
    for commit in sorted(commits):
        # An ancestor of what is checked out: a commit rebased away exists for a while, but not in a clone.
        result = subprocess.run(["git", "merge-base", "--is-ancestor", commit, "HEAD"], cwd=ROOT, capture_output=True,
                                check=False)
        assert result.returncode == 0, f"{commit} is not in this checkout's history"
