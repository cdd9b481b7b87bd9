"""The module graph of yaoqing_cli has no circle: every import, also one inside a function
(yaoqing keeps heavy imports out of start-up by importing them where they are used), counts."""

import ast
from pathlib import Path

import yaoqing_cli

PACKAGE = Path(yaoqing_cli.__file__).parent


def imports_of(path: Path) -> set[str]:
    """The yaoqing_cli modules `path` imports, anywhere in the file."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if (
                parts[0] == "yaoqing_cli"
                and len(parts) > 1
                and (PACKAGE / f"{parts[1]}.py").exists()
            ):
                found.add(parts[1])
    return found


def module_graph() -> dict[str, set[str]]:
    graph = {}
    for path in sorted(PACKAGE.glob("*.py")):
        if path.stem in ("__init__", "__main__"):
            continue
        graph[path.stem] = imports_of(path) - {path.stem}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One circle of the graph (as a path that returns to its start), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_module_graph_has_no_circle():
    cycle = find_cycle(module_graph())
    assert cycle is None, " -> ".join(cycle or [])


def test_the_cycle_finder_finds_a_circle_through_a_function_level_import(tmp_path):
    source = tmp_path / "a.py"
    source.write_text("def f():\n    from yaoqing_cli.cli import app\n", encoding="utf-8")
    assert "cli" in imports_of(source)
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
