"""The shape of the packages, read from their source with ``ast``: modules per folder, the
import graph (module-level and function-level imports alike), its import cycles and its
layers. ``tests/test_layering.py`` holds the rules; run this file to print the map::

    .venv/bin/python tests/structure.py            # wiring and community
    .venv/bin/python tests/structure.py wiring     # one package

An import of ``a.b.c`` counts as an arrow to the deepest module of the packages that the
name reaches (``a.b.c`` if it is a module, else the package ``a.b``); ``from a.b import c``
counts ``a.b.c`` when ``c`` is a module. Arrows to a package's ``__init__`` are kept: an
``__init__`` that re-exports is a module like any other.
"""

from __future__ import annotations

import ast
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("wiring", "community")


@dataclass(frozen=True)
class Import:
    """One import statement's target, where it is, and whether it runs at import time."""

    source: str  # importing module, dotted
    target: str  # imported module, dotted (resolved to a module of the packages)
    name: str  # the name as written (``from m import name`` gives ``m.name``)
    line: int
    module_level: bool
    function: str  # enclosing function, "" at module level


@dataclass
class Structure:
    """Modules, import arrows and what follows from them."""

    modules: dict[str, Path] = field(default_factory=dict)
    imports: list[Import] = field(default_factory=list)

    def edges(self, *, module_level_only: bool = False) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for imp in self.imports:
            if imp.target != imp.source and (imp.module_level or not module_level_only):
                out[imp.source].add(imp.target)
        return out

    def cycles(self) -> list[list[str]]:
        """Strongly connected components of more than one module (Tarjan), sorted."""
        graph = self.edges()
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        stack: list[str] = []
        on: set[str] = set()
        comps: list[list[str]] = []
        counter = [0]

        def visit(v: str) -> None:
            index[v] = low[v] = counter[0]
            counter[0] += 1
            stack.append(v)
            on.add(v)
            for w in sorted(graph.get(v, ())):
                if w not in index:
                    visit(w)
                    low[v] = min(low[v], low[w])
                elif w in on:
                    low[v] = min(low[v], index[w])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                if len(comp) > 1:
                    comps.append(sorted(comp))

        sys.setrecursionlimit(max(10_000, sys.getrecursionlimit()))
        for v in sorted(self.modules):
            if v not in index:
                visit(v)
        return sorted(comps)

    def layers(self) -> dict[str, int]:
        """Layer of each module: 0 for one that imports none of the packages, else one more
        than the highest layer it imports (modules of a cycle share one layer)."""
        graph = self.edges()
        comp_of = {m: m for m in self.modules}
        for comp in self.cycles():
            for m in comp:
                comp_of[m] = comp[0]
        memo: dict[str, int] = {}

        def layer(c: str, seen: frozenset[str]) -> int:
            if c in memo:
                return memo[c]
            members = [m for m in self.modules if comp_of[m] == c]
            deps = {comp_of[t] for m in members for t in graph.get(m, ()) if t in comp_of}
            deps.discard(c)
            val = 1 + max((layer(d, seen | {c}) for d in deps if d not in seen), default=-1)
            memo[c] = val
            return val

        return {m: layer(comp_of[m], frozenset()) for m in self.modules}

    def folders(self) -> dict[str, int]:
        """Modules (``.py`` files) per package folder."""
        out: dict[str, int] = defaultdict(int)
        for name in self.modules:
            folder = name if self.modules[name].name == "__init__.py" else name.rpartition(".")[0]
            out[folder] += 1
        return dict(sorted(out.items()))


def module_name(path: Path) -> str:
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The deepest module of the packages that a dotted name reaches, if any."""
    parts = name.split(".")
    for k in range(len(parts), 0, -1):
        cand = ".".join(parts[:k])
        if cand in modules:
            return cand
    return None


def _walk(tree: ast.AST):
    """(node, enclosing function name) for every import node."""
    def rec(node: ast.AST, func: str):
        for child in ast.iter_child_nodes(node):
            f = func
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                f = f"{func}.{child.name}" if func else child.name
            if isinstance(child, ast.Import | ast.ImportFrom):
                yield child, func
            yield from rec(child, f)
    yield from rec(tree, "")


def read(packages: tuple[str, ...] = PACKAGES) -> Structure:
    """Parse every module of ``packages`` under the repository root."""
    s = Structure()
    for pkg in packages:
        for path in sorted((ROOT / pkg).rglob("*.py")):
            if "__pycache__" not in path.parts:
                s.modules[module_name(path)] = path
    for mod, path in s.modules.items():
        tree = ast.parse(path.read_text(), filename=str(path))
        is_pkg = path.name == "__init__.py"
        for node, func in _walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = mod.split(".")
                    anchor = anchor if is_pkg else anchor[:-1]
                    anchor = anchor[: len(anchor) - (node.level - 1)]
                    base = ".".join(anchor + ([base] if base else []))
                names = [f"{base}.{a.name}" if f"{base}.{a.name}" in s.modules else base
                         for a in node.names]
            for name in names:
                target = _resolve(name, s.modules)
                if target is not None:
                    s.imports.append(Import(mod, target, name, node.lineno, not func, func))
    return s


def report(s: Structure) -> str:
    layers = s.layers()
    lines = ["modules per folder:"]
    lines += [f"  {folder:<28} {n}" for folder, n in s.folders().items()]
    lines.append(f"modules: {len(s.modules)}")
    lines.append(f"import arrows (module and function level): "
                 f"{sum(len(v) for v in s.edges().values())}")
    lines.append(f"import layers: {max(layers.values()) + 1}")
    cycles = s.cycles()
    lines.append(f"import cycles: {len(cycles)}")
    lines += ["  " + " <-> ".join(c) for c in cycles]
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(read(tuple(sys.argv[1:]) or PACKAGES)))
