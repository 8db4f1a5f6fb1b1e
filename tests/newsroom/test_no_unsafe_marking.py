"""RELIABILITY.md C3: nothing is marked safe past autoescaping but the allow-listed lines, each with
its reason and a test (ruff's S308 runs in `make lint` too)."""

from __future__ import annotations

import re

from tests.support import ROOT

UNSAFE = re.compile(r"\|\s*safe\b|autoescape\s+off|mark_safe\(|SafeString\(|\bformat_html\(")
CODE = ("articles", "corrections", "newsroom", "launcher", "templates")
# file -> the test that proves its marked output is escaped
ALLOWED = {
    "corrections/templatetags/desk_cards.py":
        "tests/corrections/test_views.py::test_review_page_escapes_thirty_payloads_around_every_span",
}


def hits() -> list[tuple[str, int, str]]:
    found = []
    paths = [p for folder in CODE for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".html", ".txt")]
    for path in sorted(paths):
        relative = path.relative_to(ROOT).as_posix()
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if UNSAFE.search(line) and not line.lstrip().startswith(("from ", "import ")):
                found.append((relative, number, line.strip()))
    return found


def test_only_allow_listed_lines_mark_text_safe_and_each_says_why() -> None:
    found = hits()
    assert {path for path, _, _ in found} <= set(ALLOWED), found
    for path, number, line in found:
        if "mark_safe(" in line:
            assert re.search(r"# noqa: S308 - \S", line), f"{path}:{number} marks text safe without a reason"


def test_every_allow_listed_file_names_a_test_that_exists() -> None:
    for test in ALLOWED.values():
        file, _, name = test.partition("::")
        assert f"def {name}(" in (ROOT / file).read_text()
