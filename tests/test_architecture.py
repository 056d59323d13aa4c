"""The package's layers import downwards only: no import cycle between its modules, and
no command pays for the SHACL engine's imports before it validates.

A cycle (the store importing the query catalogue, which imports the store) makes every
module in it load, break and change together. Modules are compared at the level of
krbgraph's top-level modules and subpackages (krbgraph.store, krbgraph.queries,
krbgraph.web, ...); inside one subpackage a factory may import its own backends.
"""

from __future__ import annotations

import grimp


def _layer(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_between_modules() -> None:
    graph = grimp.build_graph("krbgraph")
    edges: dict[str, set[str]] = {}
    for module in graph.modules:
        for imported in graph.find_modules_directly_imported_by(module):
            source, target = _layer(module), _layer(imported)
            if source != target:
                edges.setdefault(source, set()).add(target)
    assert _cycles(edges) == []


def test_the_store_does_not_import_the_query_catalogue() -> None:
    graph = grimp.build_graph("krbgraph")
    assert graph.find_shortest_chain(importer="krbgraph.store", imported="krbgraph.queries") is None
    assert (
        graph.find_shortest_chains(importer="krbgraph.store", imported="krbgraph.queries") == set()
    )


def test_a_module_over_500_lines_says_why_it_is_one_module() -> None:
    """Small modules with one job; a longer one states its reason in its docstring."""
    import ast
    from pathlib import Path

    package = Path(__file__).resolve().parent.parent / "krbgraph"
    long_without_reason = []
    for path in sorted(package.rglob("*.py")):
        if "resources" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if text.count("\n") <= 500:
            continue
        docstring = ast.get_docstring(ast.parse(text)) or ""
        if "on purpose" not in docstring:
            long_without_reason.append(str(path.relative_to(package)))
    assert long_without_reason == []


def test_commands_and_modules_around_validation_load_no_shacl_engine_until_it_runs() -> None:
    """`krb` starts without the SHACL engine and pySHACL (some 0.2 s of imports): the
    modules that name its types import them for type checking only."""
    import subprocess
    import sys

    modules = "krbgraph.cli, krbgraph.validation, krbgraph.registry, krbgraph.reports"
    probe = (
        f"import sys, {modules}; "
        "print(sorted(m for m in ('pyshacl', 'krbgraph.shacl.engine') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
