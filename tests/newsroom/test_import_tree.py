"""The application's modules import each other in a tree: no module reaches itself again."""

from __future__ import annotations

import pytest

from tests.imports import APPLICATION, find_cycles, import_graph


@pytest.mark.parametrize(("graph", "cycles"), [
    ({"a": {"b"}, "b": {"c"}, "c": set()}, []),
    ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}, [["a", "b", "c"]]),
    ({"a": {"b"}, "b": {"a"}, "c": {"d"}, "d": {"c"}}, [["a", "b"], ["c", "d"]]),
])
def test_find_cycles(graph: dict[str, set[str]], cycles: list[list[str]]) -> None:
    assert sorted(find_cycles(graph)) == cycles


def test_application_modules_import_no_circle() -> None:
    graph = import_graph(*APPLICATION)
    assert "corrections.jobs" in graph
    assert find_cycles(graph) == []
