"""Reading the project's imports from its source (``ast``), for the tests of its layering."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPLICATION = ("newsroom", "articles", "corrections")


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, dotted name) of every absolute import in ``source``, at any depth (a function's lazy
    import counts too). ``from a import b`` names ``a.b``, which may be a module or a name in ``a``."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.extend((node.lineno, f"{node.module}.{alias.name}") for alias in node.names)
    return found


def package_modules(*packages: str) -> dict[str, Path]:
    """Dotted module name -> file, for every module of these top-level packages."""
    modules: dict[str, Path] = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return modules


def import_graph(*packages: str) -> dict[str, set[str]]:
    """Module -> the modules of these packages it imports (``from a import b`` is an arrow to
    ``a.b`` when that is a module, else to ``a``)."""
    modules = package_modules(*packages)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        arrows: set[str] = set()
        for _, target in imported_modules(path.read_text(encoding="utf-8")):
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                arrows.add(target)
        graph[name] = arrows
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                cycles.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return cycles
