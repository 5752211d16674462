"""Import rules, checked by parsing every module with ``ast`` (``tests/structure.py``,
which also prints the map: ``.venv/bin/python tests/structure.py``).

Function-level imports count as arrows like any other. A function-level import of one
of our own modules needs an entry in :data:`LAZY` with its reason.
"""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import structure  # noqa: E402

S = structure.read()

_CLI_STARTUP = ("each command imports what it runs, so `wiring --help` and `wiring train` "
                "start without loading the analysis stack (benchmarks/bench_startup.py)")
#: (importing module, imported module) -> why the import waits until a function runs
LAZY = {
    **{("wiring.experiments.cli", t): _CLI_STARTUP for t in (
        "community", "community.export", "community.paper.analyse",
        "community.paper.report", "community.report", "community.tables", "wiring",
        "wiring._progress", "wiring.config", "wiring.errors", "wiring.experiments.grid",
        "wiring.experiments.jobs",
        "wiring.experiments.studies", "wiring.experiments.sweep", "wiring.runs",
        "wiring.experiments.external")},
    ("wiring.experiments.sweep", "wiring.experiments._dask"):
        "Dask is imported only when a sweep is given a scheduler",
    ("wiring.experiments._dask", "wiring.graphs.builders"):
        "warm_up runs on each Dask worker: the worker imports and compiles the engine there",
    ("wiring.experiments._dask", "wiring.network"): "as above (warm_up on the worker)",
    ("wiring.experiments._dask", "wiring.simulate"): "as above (warm_up on the worker)",
    ("wiring.experiments._dask", "wiring.train"): "as above (warm_up on the worker)",
    **{("wiring.experiments.jobs", t): "a job imports the engine part its task runs "
       "(the noise task never loads the data sets or the probes)" for t in (
        "wiring._batched", "wiring._checks", "wiring.data", "wiring.errors",
        "wiring.kernels.settle", "wiring.neurons", "wiring.probes", "wiring.rules",
        "wiring.simulate", "wiring.train")},
    ("wiring.experiments.studies", "wiring.errors"): "error path only",
    ("wiring.graphs.families", "wiring.graphs.files"):
        "networkx is imported only when a graph file is read",
    ("wiring._checks", "wiring.kernels.mathfn"):
        "_checks is the lowest layer; the numba kernels load only when a normal draw is made",
    ("wiring.neurons", "wiring._checks"): "error path only (an unknown name)",
    ("wiring.rules", "wiring._checks"): "error path only (an unknown name)",
    ("wiring.network", "wiring.kernels.settle"): "the numpy reference path of balance_rows",
    ("wiring.simulate", "wiring.kernels.settle"): "the initial balance, computed once per run",
    ("wiring.sklearn", "wiring.config"): "the estimator builds its TrainConfig on fit",
    ("community.blocks", "community.graphtool"):
        "graph-tool runs out of process, only when backend='graph-tool' is asked for",
    ("community.tables", "community.regimes"):
        "the regimes table is built last, from the finished snapshots table",
    ("community.paper.analyse", "community.paper.measure"):
        "the cache key hashes the measuring module's own source file",
    ("community.paper.measure", "community.evidence"):
        "the 20-draw null evidence loads only where a run's evidence is measured",
    ("wiring.experiments.sweep", "wiring.rules"):
        "the registered-rule check runs only for a sweep given a Dask scheduler",
}

#: community's compute modules, which no plotting module may import
COMPUTE = {"community.detect", "community.blocks", "community._sbm", "community.modmax",
           "community._louvain", "community.evidence", "community.measures",
           "community.nulls", "community.structure", "community.tables",
           "community.graphtool", "community.regimes"}
PLOT_MODULES = [m for m in S.modules if m.split(".")[-1].startswith(("plot", "figures_"))]


def test_the_map_is_read():
    assert {"wiring", "wiring.runs", "wiring.experiments.cli", "community"} <= set(S.modules)
    assert len(S.imports) > 200 and any(not i.module_level for i in S.imports)
    assert PLOT_MODULES


def test_no_import_cycle_counting_function_level_imports():
    assert S.cycles() == []


def test_the_cycle_finder_finds_a_planted_cycle():
    s = structure.Structure(modules={"a": Path("a.py"), "b": Path("b.py"), "c": Path("c.py")})
    s.imports = [structure.Import("a", "b", "b", 1, True, ""),
                 structure.Import("b", "a", "a", 1, False, "f"),
                 structure.Import("c", "a", "a", 1, True, "")]
    assert s.cycles() == [["a", "b"]]
    assert s.layers() == {"a": 0, "b": 0, "c": 1}


def test_kernels_import_only_numpy_numba_math_and_kernels():
    for path in (structure.ROOT / "wiring" / "kernels").glob("*.py"):
        mod = structure.module_name(path)
        for imp in (i for i in S.imports if i.source == mod):
            assert imp.target.startswith("wiring.kernels"), f"{mod} imports {imp.name}"


def test_only_the_cli_imports_community_and_only_lazily():
    for imp in S.imports:
        if imp.source.startswith("wiring") and imp.target.startswith("community"):
            assert imp.source == "wiring.experiments.cli", f"{imp.source} imports {imp.name}"
            assert not imp.module_level, f"cli imports {imp.name} at module level"


def test_nothing_outside_experiments_imports_community():
    for imp in S.imports:
        if imp.target.startswith("community") and imp.source.startswith("wiring"):
            assert imp.source.startswith("wiring.experiments."), imp


def test_community_imports_only_runs_and_errors_from_wiring():
    for imp in S.imports:
        if imp.source.startswith("community") and imp.target.startswith("wiring"):
            assert imp.name in {"wiring.runs", "wiring.errors"} or \
                imp.name.startswith(("wiring.runs.", "wiring.errors.")) and \
                imp.target in {"wiring.runs", "wiring.errors"}, \
                f"{imp.source} imports {imp.name}"


@pytest.mark.parametrize("plot_module", PLOT_MODULES)
def test_plot_modules_import_no_compute_module(plot_module):
    bad = {i.target for i in S.imports if i.source == plot_module} & COMPUTE
    bad -= {t for (s, t) in LAZY if s == plot_module}  # listed with their reason
    assert not bad, f"{plot_module} imports {sorted(bad)}"


def private_violations(s: structure.Structure) -> list[str]:
    """``_x`` (a private module, or a private name of a module) may be imported only from
    a module's own package or an ancestor of it (the shared kit of its parent)."""

    def package(module: str) -> str:
        return module if s.modules[module].name == "__init__.py" else module.rpartition(".")[0]

    bad = []
    for imp in s.imports:
        parts = imp.name.split(".")
        private = [k for k, p in enumerate(parts) if p.startswith("_") and p != "__init__"]
        if not private:
            continue
        owner = ".".join(parts[:private[0]])  # the module or package the name is in
        owner_pkg = package(owner) if owner in s.modules else owner
        mine = package(imp.source)
        if not (mine == owner_pkg or mine.startswith(owner_pkg + ".")):
            bad.append(f"{imp.source}:{imp.line} imports {imp.name}")
    return bad


def test_no_module_imports_another_subpackages_private_names():
    assert private_violations(S) == []


def test_the_private_name_rule_catches_a_planted_import():
    mods = {m: Path(m.replace(".", "/") + ".py") for m in
            ("p.a.x", "p.b.y", "p.z", "p._k")}
    mods["p"] = Path("p/__init__.py")
    s = structure.Structure(modules=mods)
    s.imports = [structure.Import("p.b.y", "p.a.x", "p.a.x._secret", 3, True, ""),  # bad
                 structure.Import("p.b.y", "p._k", "p._k", 4, True, ""),  # ancestor: ok
                 structure.Import("p.a.x", "p.a.x", "p.a.x._own", 5, True, "")]  # own: ok
    assert private_violations(s) == ["p.b.y:3 imports p.a.x._secret"]


def test_function_level_imports_of_our_modules_are_listed_with_a_reason():
    lazy = {(i.source, i.target) for i in S.imports
            if not i.module_level and i.source != i.target}
    unlisted = sorted(lazy - set(LAZY))
    assert not unlisted, "function-level imports without a LAZY entry: " + repr(unlisted)
    stale = sorted(set(LAZY) - lazy)
    assert not stale, "LAZY entries no import needs any more: " + repr(stale)
    assert all(len(why) >= 10 for why in LAZY.values())


def test_no_torch_anywhere_in_the_packages():
    import ast

    for pkg in ("wiring", "community"):
        for path in (structure.ROOT / pkg).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                assert all(n.split(".")[0] != "torch" for n in names), path
