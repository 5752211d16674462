"""Import rules of STYLE.md, checked by parsing imports with ast."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def imports(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name, node
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node


def test_kernels_import_only_numpy_numba_and_kernels():
    for path in (ROOT / "wiring" / "kernels").glob("*.py"):
        for name, _ in imports(path):
            top = name.split(".")[0]
            assert top in {"numpy", "numba", "math"} or name.startswith("wiring.kernels"), (
                f"{path.name} imports {name}")


def test_wiring_never_imports_community_except_cli_lazily():
    for path in (ROOT / "wiring").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in tree.body:  # module level
            if isinstance(node, ast.Import | ast.ImportFrom):
                mod = getattr(node, "module", None) or node.names[0].name
                assert not mod.startswith("community"), f"{path} imports community"
        for name, _ in imports(path):
            if name.startswith("community"):
                assert path.name == "cli.py", f"{path} imports {name}"


def test_community_imports_only_runs_and_errors_from_wiring():
    for path in (ROOT / "community").rglob("*.py"):
        for name, _ in imports(path):
            if name.split(".")[0] == "wiring":
                assert name in {"wiring.runs", "wiring.errors"}, f"{path} imports {name}"


def test_no_torch_anywhere_in_the_packages():
    for pkg in ("wiring", "community"):
        for path in (ROOT / pkg).rglob("*.py"):
            for name, _ in imports(path):
                assert name.split(".")[0] != "torch", f"{path} imports torch"
