"""Sweeps: a grid of :func:`wiring.jobs.run_train` jobs, run in parallel and resumable.

A sweep file is TOML. Its ``[sweep]`` table describes the grid; any other top-level
sections (``task``, ``data``, ``graph``, ``neurons``, ``train``, ``simulation``, as
in a ``wiring train`` config) form the base configuration every run starts from::

    [sweep]
    name = "demo"            # default "sweep"
    lr_min = 1e-4            # learning-rate axis, log-spaced (the default form) ...
    lr_max = 1e4
    lr_count = 6
    # learning_rates = [0.01, 0.1]   # ... or an explicit list (not both)
    seeds = [0, 1, 2]        # task.seed (default [0, 1, 2])
    # rules = ["balance", "fa"]          -> train.rule
    # prunes = [0.5, 0.9]                -> simulation.prune
    # graph_families = ["all-to-all"]    -> graph.family
    # workers = 4            # processes (default os.cpu_count())

    [task]
    kind = "noise"

    [analysis]               # optional: how `wiring sweep` / `wiring report` analyse it
    n_null = 20              # draws of each null model (init-pruned, shuffle, rewire)
    # nulls = ["init-pruned", "shuffle", "rewire"]
    # block_weights = "auto" # "none" (surviving synapses), "lognormal", "exponential"

Several groups in one sweep: each ``[sweep.groups.<name>]`` table takes the grid
keys above (defaults: those of ``[sweep]``) and its own configuration sections
(``[sweep.groups.<name>.simulation]`` ...), applied over the top-level base.
Without groups the sweep is one group named after the sweep. The learning-rate
axis sets ``train.learning_rate`` for ``task.kind = "supervised"`` and
``simulation.learning_rate`` for ``"noise"``. Unknown keys and wrong types are
:class:`~wiring.errors.ConfigError` naming the file and the key; every run's
configuration is checked with :func:`wiring.jobs.validate` before anything runs.

Output of :func:`run_sweep`::

    <out>/
      sweep.toml              resolved sweep (every group's full base + explicit grid)
      provenance.json
      runs/<run_id>/          one run directory each (wiring.runs format)
      sweep_status.parquet    one row per run: run_id, group, varied parameters,
      sweep_status.csv        status (ok/unstable/failed/skipped), reason, seconds, resumed

Each run is written into ``runs/.tmp-<run_id>-<pid>-<random>`` and renamed to
``runs/<run_id>`` once it has a ``status.json``, so a killed sweep never leaves a
half run under its final name; ``resume=True`` keeps finished runs, removes what
a killed sweep left half-written (``runs/.tmp-*``, ``.*.tmp`` files of the
sweep's own tables) and redoes the rest. ``skipped`` marks runs that have not run
(yet): the status table is rewritten after every run, so it is current even
after a kill. Before any run starts, the output directory is created and proved
writable (a probe file written, fsynced and removed) with at least
:data:`MIN_FREE_BYTES` free.

Runs execute in this process (``workers=1``), in local worker processes (the
default), or on a Dask cluster (``scheduler="tcp://HOST:PORT"``, see
:func:`run_sweep`); a run's results depend only on its configuration, never on
where it ran.

Examples
--------
>>> sweep = load_sweep()  # the embedded default, DEFAULT_SWEEP
>>> [(g.name, len(g.learning_rates), len(g.seeds)) for g in sweep.groups]
[('noise', 6, 3), ('digits', 3, 1)]
>>> specs = expand(sweep)
>>> len(specs), specs[0].run_id
(21, 'noise__lr0.0001_s0')
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import itertools
import logging
import math
import multiprocessing
import os
import re
import secrets
import shutil
import time
import tomllib
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from wiring import runs
from wiring._atomic import _atomic_open, _fsync_dir
from wiring._checks import geomspace
from wiring._progress import Progress, ProgressArg
from wiring._toml import dump_toml
from wiring.config import (
    TrainConfig,
    _coerce,
    _merge,
    _upgrade_legacy,
    config_to_dict,
    resolve_config,
)
from wiring.errors import ConfigError, WiringError
from wiring.jobs import run_train, validate

__all__ = ["ANALYSIS_KEYS", "DEFAULT_SWEEP", "MIN_FREE_BYTES", "START_METHOD", "SweepConfig",
           "SweepGroup", "RunSpec", "SweepResult", "analysis_settings", "load_sweep", "expand",
           "run_sweep"]

log = logging.getLogger(__name__)

#: multiprocessing start method of the worker processes (see :func:`run_sweep`):
#: "forkserver" (workers forked from a clean, single-threaded server process, never from
#: a parent that may hold threads or numba state), "spawn" where it is unavailable.
START_METHOD = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() \
    else "spawn"

#: The embedded default sweep (``wiring sweep`` without a config file).
DEFAULT_SWEEP = """\
# Default sweep of `wiring sweep`: the paper's experiment and a supervised control.
[sweep]
name = "default"

# Algorithm 1 on 300 neurons all-to-all with self-loops, 90% pruned (regrow), 10% of
# neurons credit-clamped. Learning rates span "too slow to change anything"
# (1e-4: surviving weights move ~2% in 6,000 iterations, the pruned support is
# unchanged) to "unstable" (1e4: max |w| passes weight_limit = 1e6 within the first
# checkpoint for every seed). One run takes about 1.5 s.
[sweep.groups.noise]
lr_min = 1e-4
lr_max = 1e4
lr_count = 6
seeds = [0, 1, 2]

[sweep.groups.noise.task]
kind = "noise"

[sweep.groups.noise.graph]
family = "all-to-all"
n = 300
self_loops = true

[sweep.groups.noise.simulation]
iterations = 6000
prune = 0.9
pruning = "regrow"
clamped_fraction = 0.1
snapshots = 5

# Supervised control: digits through a recurrent hidden layer of 60 neurons.
[sweep.groups.digits]
learning_rates = [0.003, 0.03, 0.3]
seeds = [0]

[sweep.groups.digits.task]
kind = "supervised"

[sweep.groups.digits.data]
name = "digits"

[sweep.groups.digits.graph]
family = "recurrent"
hidden = 60

[sweep.groups.digits.train]
epochs = 3
snapshot_epochs = [0, 1, 2, 3]

# How the final weights are judged: every structural verdict is a z-score and an
# empirical p against 20 draws of each null model (init-pruned, shuffled, rewired).
[analysis]
n_null = 20
"""

#: Free space the output directory needs before a sweep starts (64 MiB: a floor that
#: catches a full disk, not an estimate of the sweep's size).
MIN_FREE_BYTES = 64 * 2**20

SWEEP_FILE = "sweep.toml"
STATUS_TABLE = "sweep_status"
TMP_PREFIX = ".tmp-"
STATUS_ORDER = ("ok", "unstable", "failed", "skipped")
_NOT_RUN = "not run (yet): the sweep was interrupted or is still running"
_SAFE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")
_SECTIONS = tuple(f.name for f in dataclasses.fields(TrainConfig))
_SWEEP_ONLY = ("name", "workers", "groups")
#: Keys of the optional ``[analysis]`` table and their types: how the community analysis
#: reads the sweep (``community.tables.AnalysisSettings`` checks the values). The runs
#: never read it, so changing it never blocks a resume.
ANALYSIS_KEYS = {"n_null": int, "nulls": list, "block_weights": str, "weight_mode": str,
                 "quality": str, "resolution": float, "leiden_runs": int, "nodes": str,
                 "threshold": float}
# axis name in RunSpec.params -> (grid field, run-id tag)
_AXES = {"graph_family": ("graph_families", "g"), "rule": ("rules", "r"),
         "prune": ("prunes", "p")}


@dataclass(frozen=True)
class _Grid:
    """Grid keys of ``[sweep]`` and of each group (internal: parsing only)."""

    learning_rates: list[float] = field(default_factory=list)
    lr_min: float = 1e-4
    lr_max: float = 1e4
    lr_count: int = 6
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    rules: list[str] = field(default_factory=list)
    prunes: list[float] = field(default_factory=list)
    graph_families: list[str] = field(default_factory=list)


_GRID_KEYS = tuple(f.name for f in dataclasses.fields(_Grid))
_LR_RANGE = ("lr_min", "lr_max", "lr_count")


@dataclass(frozen=True)
class SweepGroup:
    """One group of a sweep: a base configuration and its resolved grid.

    Attributes
    ----------
    name : str
    base : TrainConfig
        What every run of the group starts from.
    learning_rates : tuple of float
        Resolved learning-rate axis (explicit or log-spaced).
    seeds : tuple of int
    rules, prunes, graph_families : tuple
        Further axes; empty = not varied (the base value is used).
    """

    name: str
    base: TrainConfig
    learning_rates: tuple[float, ...]
    seeds: tuple[int, ...]
    rules: tuple[str, ...] = ()
    prunes: tuple[float, ...] = ()
    graph_families: tuple[str, ...] = ()


@dataclass(frozen=True)
class SweepConfig:
    """A parsed sweep file (see the module docstring).

    Attributes
    ----------
    name : str
    workers : int
        Worker processes (default ``os.cpu_count()``).
    groups : tuple of SweepGroup
    source : str
        The file read (``"<default sweep>"`` for :data:`DEFAULT_SWEEP`), for messages.
    analysis : dict
        The ``[analysis]`` table (:data:`ANALYSIS_KEYS`): settings of the community
        analysis that ``wiring sweep`` and ``wiring report`` run on the sweep.
    """

    name: str
    workers: int
    groups: tuple[SweepGroup, ...]
    source: str
    analysis: dict = field(default_factory=dict)


@dataclass(frozen=True)
class RunSpec:
    """One run of a sweep.

    Attributes
    ----------
    run_id : str
        ``"{group}__lr{lr:.3g}_s{seed}"`` plus ``_g{family}``, ``_r{rule}``,
        ``_p{prune:.3g}`` for the axes the group varies; unique and filesystem-safe.
    group : str
    params : dict
        The varied values: ``learning_rate``, ``seed`` and any of ``graph_family``,
        ``rule``, ``prune``.
    config : TrainConfig
        The run's full configuration, resolved (:func:`wiring.config.resolve_config`).
    """

    run_id: str
    group: str
    params: dict
    config: TrainConfig


@dataclass
class SweepResult:
    """What :func:`run_sweep` returns.

    Attributes
    ----------
    out : Path
        The sweep directory.
    table : DataFrame
        The ``sweep_status`` table, one row per run.
    counts : dict
        Runs per status, keys ``ok``, ``unstable``, ``failed``, ``skipped``.
    """

    out: Path
    table: pd.DataFrame
    counts: dict[str, int]


# --------------------------------------------------------------------------- parsing


def _check_keys(mapping: dict, allowed: tuple[str, ...], source: str, where: str) -> None:
    if not isinstance(mapping, dict):
        raise ConfigError(f"{source}: [{where.rstrip('.')}] must be a table")
    for key in mapping:
        if key not in allowed:
            raise ConfigError(f"{source}: unknown key '{where}{key}'; valid keys here: "
                              f"{', '.join(sorted(allowed))}")


def _safe_name(value, source: str, key: str) -> str:
    value = _coerce(value, str, f"{source}: '{key}'")
    if not _SAFE.fullmatch(value):
        raise ConfigError(f"{source}: '{key}' = {value!r} must be a non-empty name of letters, "
                          "digits and _.+- (it names directories), not starting with _.+-")
    return value


def _merge_grid(grid: _Grid, mapping: dict, source: str, where: str) -> _Grid:
    keys = {k: v for k, v in mapping.items() if k in _GRID_KEYS}
    if "learning_rates" in keys and any(k in keys for k in _LR_RANGE):
        raise ConfigError(f"{source}: '{where}learning_rates' and '{where}lr_min/lr_max/"
                          "lr_count' exclude each other; give one form of the learning-rate axis")
    if any(k in keys for k in _LR_RANGE):
        grid = dataclasses.replace(grid, learning_rates=[])
    return _merge(grid, keys, source, where)


def _tag(value) -> str:
    """How an axis value appears in run ids."""
    return f"{value:.3g}" if isinstance(value, float) else str(value)


def _resolve_grid(grid: _Grid, source: str, where: str) -> dict:
    if grid.learning_rates:
        lrs = list(grid.learning_rates)
        for lr in lrs:
            if not (math.isfinite(lr) and lr >= 0):
                raise ConfigError(f"{source}: '{where}learning_rates' holds {lr!r}; learning "
                                  "rates must be finite and >= 0")
    else:
        lo, hi, count = grid.lr_min, grid.lr_max, grid.lr_count
        if not (math.isfinite(lo) and math.isfinite(hi) and 0 < lo <= hi):
            raise ConfigError(f"{source}: '{where}lr_min' = {lo!r} and '{where}lr_max' = "
                              f"{hi!r} must be finite with 0 < lr_min <= lr_max")
        if count < 1 or (count > 1 and lo == hi):
            raise ConfigError(f"{source}: '{where}lr_count' = {count!r} must be >= 1 (and 1 "
                              "when lr_min == lr_max)")
        lrs = geomspace(lo, hi, count)  # not np.geomspace: its bits depend on the CPU
    if not grid.seeds or any(s < 0 for s in grid.seeds):
        raise ConfigError(f"{source}: '{where}seeds' = {grid.seeds!r} must be a non-empty "
                          "list of integers >= 0")
    resolved = {"learning_rates": lrs, "seeds": list(grid.seeds), "rules": list(grid.rules),
                "prunes": list(grid.prunes), "graph_families": list(grid.graph_families)}
    for key, values in resolved.items():
        tags = [_tag(v) for v in values]
        dup = [i for i, t in enumerate(tags) if t in tags[:i]]
        if dup:
            name = "learning_rates (lr_min/lr_max/lr_count)" if key == "learning_rates" else key
            first = values[tags.index(tags[dup[0]])]
            raise ConfigError(f"{source}: '{where}{name}' holds {first!r} and {values[dup[0]]!r}"
                              f", the same in run ids ({tags[dup[0]]!r}); make the values differ "
                              "in their first 3 significant digits")
    return {k: tuple(v) for k, v in resolved.items()}


def _analysis_table(table: object, source: str) -> dict:
    """The ``[analysis]`` table: known keys, each of its type (values checked later)."""
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: 'analysis' must be a table ([analysis])")
    _check_keys(table, tuple(ANALYSIS_KEYS), source, "analysis.")
    out = {}
    for key, value in table.items():
        kind = ANALYSIS_KEYS[key]
        if kind is list:
            if not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
                raise ConfigError(f"{source}: 'analysis.{key}' must be a list of strings, "
                                  f"got {value!r}")
            out[key] = list(value)
        else:
            out[key] = _coerce(value, kind, f"{source}: 'analysis.{key}'")
    return out


def _parse(text: str, source: str) -> SweepConfig:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: invalid TOML: {exc}") from None
    if "sweep" not in raw:
        raise ConfigError(f"{source}: no [sweep] table; a sweep file needs one (see "
                          "wiring.sweep.DEFAULT_SWEEP)")
    table = raw.pop("sweep")
    analysis = _analysis_table(raw.pop("analysis", {}), source)
    _check_keys(table, _GRID_KEYS + _SWEEP_ONLY, source, "sweep.")
    base = _merge(TrainConfig(), raw, source)  # top-level sections; unknown ones are errors
    name = _safe_name(table.get("name", "sweep"), source, "sweep.name")
    workers = _coerce(table.get("workers", os.cpu_count() or 1), int, f"{source}: 'sweep.workers'")
    if workers < 1:
        raise ConfigError(f"{source}: 'sweep.workers' must be >= 1, got {workers}")
    grid = _merge_grid(_Grid(), table, source, "sweep.")
    group_tables = table.get("groups", {name: {}})
    if not isinstance(group_tables, dict) or not group_tables:
        raise ConfigError(f"{source}: 'sweep.groups' must hold at least one "
                          "[sweep.groups.<name>] table")
    groups = []
    for gname, gtable in group_tables.items():
        where = f"sweep.groups.{gname}." if "groups" in table else "sweep."
        if "groups" in table:
            _safe_name(gname, source, f"sweep.groups.{gname}")
            _check_keys(gtable, _GRID_KEYS + _SECTIONS, source, where)
        ggrid = _merge_grid(grid, gtable, source, where)
        gbase = _merge(base, {k: v for k, v in gtable.items() if k in _SECTIONS}, source, where)
        groups.append(SweepGroup(name=gname, base=gbase, **_resolve_grid(ggrid, source, where)))
    sweep = SweepConfig(name=name, workers=workers, groups=tuple(groups), source=source,
                        analysis=analysis)
    expand(sweep)  # validates every run's configuration now, before anything runs
    return sweep


def analysis_settings(sweep_dir: str | os.PathLike) -> dict:
    """The ``[analysis]`` table of a sweep directory's ``sweep.toml`` (empty if none).

    Parameters
    ----------
    sweep_dir : str or path-like
        A sweep output directory (or a run directory: no ``sweep.toml``, empty).

    Returns
    -------
    dict
        Keys of :data:`ANALYSIS_KEYS`.

    Raises
    ------
    ConfigError
        An unreadable or invalid ``sweep.toml``, naming the key.

    Examples
    --------
    >>> analysis_settings("/nonexistent")
    {}
    """
    path = Path(sweep_dir) / SWEEP_FILE
    if not path.is_file():
        return {}
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from None
    return _analysis_table(raw.get("analysis", {}), str(path))


def load_sweep(path: str | os.PathLike | None = None) -> SweepConfig:
    """Read and check a sweep file (``None``: the embedded :data:`DEFAULT_SWEEP`).

    Parameters
    ----------
    path : str or path-like, optional
        A sweep TOML file (see the module docstring); a ``sweep.toml`` written by
        :func:`run_sweep` reads back to the same sweep.

    Returns
    -------
    SweepConfig

    Raises
    ------
    ConfigError
        Unreadable file, invalid TOML, unknown key, wrong type, or a run whose
        configuration :func:`wiring.jobs.validate` rejects; names file and key.

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = p.write_text("[sweep]\\nlearning_rates = [0.1, 0.2]\\nseed = [1]\\n")
    >>> load_sweep(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wiring.errors.ConfigError: .../s.toml: unknown key 'sweep.seed'; valid keys here: ...
    >>> _ = p.write_text("[sweep]\\nlearning_rates = [0.1, 0.2]\\nseeds = [1]\\n")
    >>> load_sweep(p).groups[0].learning_rates
    (0.1, 0.2)
    """
    if path is None:
        return _parse(DEFAULT_SWEEP, "<default sweep>")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read sweep file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"sweep file {path} is not UTF-8 text (byte {exc.start}): TOML "
                          "files must be UTF-8") from None
    return _parse(text, str(path))


def _with_axes(base: TrainConfig, params: dict) -> TrainConfig:
    rep = dataclasses.replace
    lr_section = "simulation" if base.task.kind == "noise" else "train"
    cfg = rep(base, task=rep(base.task, seed=params["seed"]))
    cfg = rep(cfg, **{lr_section: rep(getattr(cfg, lr_section),
                                      learning_rate=params["learning_rate"])})
    if "rule" in params:
        cfg = rep(cfg, train=rep(cfg.train, rule=params["rule"]))
    if "prune" in params:
        cfg = rep(cfg, simulation=rep(cfg.simulation, prune=params["prune"]))
    if "graph_family" in params:
        cfg = rep(cfg, graph=rep(cfg.graph, family=params["graph_family"]))
    return cfg


#: Grid axes a task never reads: varying them would only run identical copies.
_IGNORED_AXES = {"noise": ("rule", "the noise task runs the paper's rule"),
                 "supervised": ("prune", "supervised training does not prune")}


def _group_specs(sweep: SweepConfig, group: SweepGroup) -> Iterator[RunSpec]:
    varied = [(axis, getattr(group, key), tag) for axis, (key, tag) in _AXES.items()
              if getattr(group, key)]
    ignored = _IGNORED_AXES.get(group.base.task.kind)
    if ignored and any(axis == ignored[0] for axis, _, _ in varied):
        key = _AXES[ignored[0]][0]
        raise ConfigError(f"{sweep.source}: group '{group.name}': '{key}' is varied, but "
                          f"{ignored[1]} (task.kind = {group.base.task.kind!r}); remove it")
    lists = [values for _, values, _ in varied]
    for combo in itertools.product(*lists, group.learning_rates, group.seeds):
        *extra, lr, seed = combo
        params = {"learning_rate": lr, "seed": seed}
        run_id = f"{group.name}__lr{_tag(lr)}_s{seed}"
        for (axis, _, tag), value in zip(varied, extra, strict=True):
            params[axis] = value
            run_id += f"_{tag}{_tag(value)}"
        cfg = resolve_config(_with_axes(group.base, params))  # as its config.toml will say
        try:
            validate(cfg)
        except ConfigError as exc:
            raise ConfigError(f"{sweep.source}: group '{group.name}', run {run_id}: {exc}") \
                from None
        if not _SAFE.fullmatch(run_id):
            raise ConfigError(f"{sweep.source}: group '{group.name}': run id {run_id!r} is not "
                              "a safe directory name; check the values of the grid axes")
        yield RunSpec(run_id=run_id, group=group.name, params=params, config=cfg)


def expand(sweep: SweepConfig) -> list[RunSpec]:
    """Every run of a sweep, group by group (within a group seeds vary fastest).

    Parameters
    ----------
    sweep : SweepConfig

    Returns
    -------
    list of RunSpec

    Raises
    ------
    ConfigError
        If a run's configuration is invalid, or two values of an axis give the same
        run id (e.g. learning rates equal to 3 significant digits).

    Examples
    --------
    >>> import tempfile
    >>> p = Path(tempfile.mkdtemp()) / "s.toml"
    >>> _ = p.write_text('[sweep]\\nname = "t"\\nlr_min = 0.01\\nlr_max = 1\\nlr_count = 3\\n'
    ...                  'seeds = [0]\\nrules = ["balance", "fa"]\\n')
    >>> [(s.run_id, s.config.train.learning_rate) for s in expand(load_sweep(p))][:3]
    [('t__lr0.01_s0_rbalance', 0.01), ('t__lr0.1_s0_rbalance', 0.1), ('t__lr1_s0_rbalance', 1.0)]
    """
    specs: list[RunSpec] = []
    seen: dict[str, RunSpec] = {}
    for group in sweep.groups:
        for spec in _group_specs(sweep, group):
            if spec.run_id in seen:
                raise ConfigError(
                    f"{sweep.source}: group '{group.name}': runs {seen[spec.run_id].params} "
                    f"and {spec.params} share the run id {spec.run_id!r}; make the values of "
                    "the axes differ in their first 3 significant digits")
            seen[spec.run_id] = spec
            specs.append(spec)
    assert len({s.run_id for s in specs}) == len(specs)
    return specs


def _resolved(sweep: SweepConfig, workers: int) -> dict:
    groups = {}
    for g in sweep.groups:
        groups[g.name] = {"learning_rates": list(g.learning_rates), "seeds": list(g.seeds),
                          "rules": list(g.rules), "prunes": list(g.prunes),
                          "graph_families": list(g.graph_families), **config_to_dict(g.base)}
    out = {"sweep": {"name": sweep.name, "workers": workers, "groups": groups}}
    if sweep.analysis:
        out["analysis"] = dict(sweep.analysis)
    return out


# --------------------------------------------------------------------------- running


def _execute(spec: RunSpec, runs_dir: str) -> dict:
    """Run one spec into a temporary directory, rename it into place when it has a status.

    Runs in a worker process (or in-process for ``workers=1``); returns the status row.
    """
    parent = Path(runs_dir)
    # pid: whose it is; random part: unique even for two attempts in one process or
    # two hosts with the same pid (Dask workers sharing the directory)
    tmp = parent / f"{TMP_PREFIX}{spec.run_id}-{os.getpid()}-{secrets.token_hex(3)}"
    start = time.perf_counter()
    error = ""
    try:
        run_train(spec.config, tmp)
    except WiringError as exc:  # bad data file, unreadable graph ...: record, carry on
        error = str(exc)
    seconds = time.perf_counter() - start
    status = runs.read_status(tmp) if tmp.is_dir() else None
    row = {"run_id": spec.run_id, "group": spec.group, **spec.params, "seconds": seconds,
           "resumed": False}
    if status is None:  # failed before its run directory had a status: nothing to keep
        if tmp.exists():
            shutil.rmtree(tmp)
        return {**row, "status": "failed", "reason": error or "run ended without status.json"}
    final = parent / spec.run_id
    try:
        os.replace(tmp, final)
    except OSError:  # final exists: finished by another process (an orphaned worker)?
        if not (final.is_dir() and runs.read_status(final) is not None):
            raise
        log.warning("run %s was finished by another process; keeping that one", spec.run_id)
        shutil.rmtree(tmp)
        status = runs.read_status(final)
    _fsync_dir(parent)
    log.info("run %s: %s %s", spec.run_id, status["status"], status.get("reason", ""))
    return {**row, "status": status["status"], "reason": status.get("reason", "") or error}


def _one_thread_per_worker() -> None:
    """Pool initializer: the processes already share the cores, so each run's numba
    kernels use one thread (a config's ``train.threads`` still overrides it)."""
    import numba

    numba.set_num_threads(1)


def _execute_all(todo: list[RunSpec], runs_dir: Path, workers: int,
                 on_row: Callable[[dict], None]) -> None:
    if workers == 1:
        for spec in todo:
            on_row(_execute(spec, str(runs_dir)))
        return
    ctx = multiprocessing.get_context(START_METHOD)
    pool = ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=ctx,
                               initializer=_one_thread_per_worker)
    futures = [pool.submit(_execute, spec, str(runs_dir)) for spec in todo]
    recorded = set()
    try:
        for fut in as_completed(futures):
            on_row(fut.result())
            recorded.add(fut)
    finally:
        # on an error or Ctrl-C: cancel what has not started; the few runs already handed
        # to a worker finish, and those that did are recorded
        pool.shutdown(wait=True, cancel_futures=True)
        for fut in futures:
            if (fut not in recorded and fut.done() and not fut.cancelled()
                    and fut.exception() is None):
                on_row(fut.result())


@contextlib.contextmanager
def _locked(out: Path) -> Iterator[None]:
    """Hold ``out/.lock`` so two sweeps never write (or clean) one directory at once."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        yield
        return
    with open(out / ".lock", "w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise WiringError(f"another sweep is running in {out} (it holds {out / '.lock'}); "
                              "wait for it to finish or choose another --out") from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _drop_new_defaults(old: dict, new: dict) -> None:
    """Forget config keys added to ``wiring`` after ``old`` was written, where ``new``
    holds their default: a sweep started before a key existed resumes unchanged."""
    defaults = tomllib.loads(dump_toml(config_to_dict(TrainConfig())))
    for group, cfg in new.get("sweep", {}).get("groups", {}).items():
        before = old.get("sweep", {}).get("groups", {}).get(group)
        if not isinstance(before, dict):
            continue
        for section, table in cfg.items():
            if not (isinstance(table, dict) and isinstance(before.get(section), dict)):
                continue
            for key in [k for k in table if k not in before[section]]:
                if table[key] == defaults.get(section, {}).get(key, object()):
                    del table[key]


def _check_out(out: Path, resume: bool, resolved: dict) -> None:
    if out.exists() and not out.is_dir():
        raise WiringError(f"sweep output {out} exists and is not a directory; choose another "
                          "--out")
    if not (out.is_dir() and any(out.iterdir())):
        return
    if not resume:
        raise WiringError(f"sweep output {out} already exists and is not empty; pass --resume "
                          "(resume=True) to finish an interrupted sweep there, or choose "
                          "another --out")
    previous = out / SWEEP_FILE
    if not previous.is_file():
        raise WiringError(f"cannot resume in {out}: it is not empty and holds no {SWEEP_FILE}, "
                          "so it is not a sweep directory; choose another --out")
    try:
        old = tomllib.loads(previous.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WiringError(f"cannot resume in {out}: {previous} is not valid TOML ({exc})") \
            from None
    new = tomllib.loads(dump_toml(resolved))
    for d in (old, new):
        d.get("sweep", {}).pop("workers", None)
        d.pop("analysis", None)  # the runs never read it
    legacy = [name for name, group in old.get("sweep", {}).get("groups", {}).items()
              if isinstance(group, dict) and _upgrade_legacy(group)]
    _drop_new_defaults(old, new)
    if old != new:
        key, was, now = _first_difference(old, new)
        note = ""
        if any(key.startswith(f"sweep.groups.{name}.graph.") for name in legacy):
            note = (" (an earlier wiring ran that group's noise task on all-to-all with "
                    "self-loops whatever [graph] said, and recorded family = \"recurrent\")")
        hint = "" if was is _UNSET else (f" (setting {key.rsplit('.', 1)[-1]} = {_show(was)} "
                                         "where a default has changed since)")
        raise WiringError(f"cannot resume in {out}: it was started with a different sweep "
                          f"configuration ({previous}): {key} = {_show(was)} there{note}, "
                          f"{_show(now)} now; resume with the sweep file it was started with"
                          f"{hint}, or choose another --out")


_UNSET = object()  # a key one of two tables lacks (_first_difference)


def _first_difference(old, new, where: str = "") -> tuple[str, object, object]:
    """(dotted key, old value, new value) of the first place two parsed TOML tables differ;
    a key missing from one of them reads as ``_UNSET``."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in [*old, *(k for k in new if k not in old)]:
            was, now = old.get(key, _UNSET), new.get(key, _UNSET)
            if was != now:
                return _first_difference(was, now, f"{where}.{key}" if where else key)
    return where, old, new


def _show(value) -> str:
    """A parsed TOML value as TOML writes it (``true``, ``"x"``, ``[0, 1]``)."""
    if value is _UNSET:
        return "(unset)"
    if isinstance(value, dict):  # a whole table: as Python shows it
        return repr(value)
    try:
        return dump_toml({"v": value}).strip()[len("v = "):]
    except ConfigError:  # what dump_toml does not write (a date): as Python shows it
        return repr(value)


def _table(rows: dict[str, dict], specs: list[RunSpec]) -> pd.DataFrame:
    axes = ["learning_rate", "seed"] + [a for a in _AXES if any(a in s.params for s in specs)]
    columns = ["run_id", "group", *axes, "status", "reason", "seconds", "resumed"]
    return pd.DataFrame([rows[s.run_id] for s in specs], columns=columns)


def _previous_seconds(out: Path) -> dict[str, float]:
    path = out / f"{STATUS_TABLE}.parquet"
    if not path.is_file():
        return {}
    old = pd.read_parquet(path)
    done = old[old["status"] != "skipped"]
    return dict(zip(done["run_id"], done["seconds"], strict=True))


def _os_error(exc: OSError) -> str:
    code = errno.errorcode.get(exc.errno or 0, "")
    return f"{exc.strerror or exc}" + (f" ({code})" if code else "")


def _preflight(out: Path) -> Path:
    """Create ``out/runs`` and prove it writable with room to spare, before any run starts.

    Writes, fsyncs and removes a probe file, then checks free space against
    :data:`MIN_FREE_BYTES`; an ``OSError`` becomes a :class:`WiringError` naming the
    path and the error. Returns the runs directory.
    """
    runs_dir = out / "runs"
    try:
        runs_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        where = exc.filename or runs_dir
        raise WiringError(f"cannot create the sweep output directory {runs_dir}: {where}: "
                          f"{_os_error(exc)}; choose another --out or fix its permissions") \
            from None
    probe = runs_dir / f"{TMP_PREFIX}preflight-{secrets.token_hex(6)}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        try:
            os.write(fd, b"wiring sweep: can this directory be written?\n")
            os.fsync(fd)
        finally:
            os.close(fd)
        probe.unlink()
    except OSError as exc:
        with contextlib.suppress(OSError):
            probe.unlink()
        raise WiringError(f"the sweep output directory {runs_dir} is not writable: writing "
                          f"{probe.name} failed: {_os_error(exc)}; choose another --out, fix "
                          "its permissions or free some space") from None
    free = shutil.disk_usage(runs_dir).free
    if free < MIN_FREE_BYTES:
        raise WiringError(f"the sweep output directory {runs_dir} has {free / 2**20:.1f} MiB "
                          f"free, less than the {MIN_FREE_BYTES / 2**20:.0f} MiB a sweep needs "
                          "to start (wiring.sweep.MIN_FREE_BYTES); free some space or choose "
                          "another --out")
    return runs_dir


def _clean_stale(out: Path, runs_dir: Path) -> None:
    """Remove what an interrupted sweep left half-written: ``runs/.tmp-*`` (run
    directories, probes, markers) and the temp files of ``out``'s atomic writes."""
    for stale in runs_dir.glob(f"{TMP_PREFIX}*"):
        log.info("removing stale %s", stale)
        if stale.is_dir() and not stale.is_symlink():
            shutil.rmtree(stale)
        else:
            stale.unlink(missing_ok=True)
    for stale in out.glob(".*.tmp"):  # _atomic_open's temp files (sweep_status, sweep.toml)
        if stale.is_file():
            log.info("removing stale %s", stale)
            stale.unlink(missing_ok=True)


def _previous_provenance(out: Path) -> dict | None:
    """The sweep directory's provenance before this invocation (None if unreadable)."""
    try:
        return runs.read_provenance(out)
    except runs.RunFormatError:
        return None


def run_sweep(config: str | os.PathLike | SweepConfig | None = None,
              out: str | os.PathLike = "runs/sweep", *, resume: bool = False,
              workers: int | None = None,
              progress: ProgressArg = False,
              scheduler: str | None = None) -> SweepResult:
    """Run every run of a sweep into ``out`` (see the module docstring for the layout).

    Parameters
    ----------
    config : str, path-like, SweepConfig or None
        Sweep file, parsed sweep, or ``None`` for :data:`DEFAULT_SWEEP`.
    out : str or path-like
        Sweep directory. An existing non-empty one is refused unless ``resume``.
    resume : bool
        Finish an interrupted sweep in ``out``: runs whose directory holds a
        ``status.json`` are kept (whatever their status; delete a run directory to
        redo it), stale ``.tmp-*`` directories and temp files are removed, the rest
        run. The sweep configuration must be the one ``out`` was started with.
    workers : int, optional
        Worker processes (default: ``sweep.workers`` of the file, else
        ``os.cpu_count()``). ``workers=1`` runs everything in this process, one
        run after the other (easiest to debug: breakpoints and logging work).
        Otherwise runs execute in a :class:`~concurrent.futures.ProcessPoolExecutor`
        started with :data:`START_METHOD`; each run is seeded by its
        configuration only, so results do not depend on ``workers``. Workers
        share numba's on-disk cache (``NUMBA_CACHE_DIR`` is inherited). As with
        any spawn/forkserver pool, a script calling this must guard its entry
        point with ``if __name__ == "__main__":``. Not used with ``scheduler``.
    progress : bool, "auto" or callable(done, total)
        A progress bar over runs (``tqdm.auto``: a widget in Jupyter, text on
        stderr elsewhere), drawn in this process; kept runs count as done. ``False``
        (the default: the library is quiet unless asked): none. ``True``: always.
        ``"auto"``: in Jupyter or when stderr is a terminal, never when ``CI`` is
        set. A callable is called with ``(finished runs, runs)`` instead.
    scheduler : str, optional
        Address of a Dask distributed scheduler (``"tcp://HOST:PORT"``): each run
        becomes one task on its workers instead of a local process (see Notes).
        ``out`` must be on a filesystem every worker shares, under the same path;
        the workers need this package, in the same version, importable.

    Returns
    -------
    SweepResult

    Raises
    ------
    ConfigError
        Invalid sweep file (names file and key).
    WiringError
        ``out`` exists and is not empty without ``resume``, or cannot be resumed;
        ``out`` cannot be created or written, or has less than
        :data:`MIN_FREE_BYTES` free (checked before any run starts; the message
        names the directory and the error). With ``scheduler``: the address is
        malformed, nothing answers as a Dask scheduler there within
        ``distributed.comm.timeouts.connect`` (default 30 s), no worker joins
        within that time, or a worker cannot see or write ``out``.
        A run raising :class:`WiringError` does not stop the sweep: it is recorded
        as ``failed`` with its reason.

    Notes
    -----
    On Ctrl-C the runs not yet handed to a worker are cancelled, the runs in
    progress stop (their ``.tmp-*`` directories are removed on resume) and the
    status table marks what did not run as ``skipped``. After ``kill -9`` of the
    parent alone, its workers finish the run they hold before exiting; resuming
    meanwhile is safe (a run finished twice keeps the first copy).

    On Dask, each run is one task whose key, ``wiring-run-<config hash>-<attempt>``,
    starts with 16 hex digits of the SHA-256 of the run's ``config.toml``, then 8 of a
    hash of its run id, run directory and this call (a resumed sweep never attaches to a
    task of the killed one). Rows are recorded as tasks finish. A task whose worker dies
    is rescheduled by the scheduler, up to ``distributed.scheduler.allowed-failures``
    (default 3) times, then recorded as ``failed``; exceptions are not retried (a run is
    seeded by its configuration: it would fail again). Before the first task, every
    worker must read a marker file in ``out/runs`` and write beside it, or the sweep
    fails naming the workers; then a worker plugin compiles the numba kernels once per
    worker process (or loads them from numba's on-disk cache, ``cache=True``: beside the
    package sources, or in ``NUMBA_CACHE_DIR`` where those are read-only), on every
    worker that runs tasks, including those that join or restart later. Start workers
    with one thread each (``dask worker ADDRESS --nthreads 1``, several with
    ``--nworkers``): numba's parallel kernels use ``NUMBA_NUM_THREADS`` threads per run.
    On an error or Ctrl-C, as with local processes, tasks not yet started are cancelled,
    the sweep waits for those running and records those that finished.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "s.toml").write_text(
    ...     '[sweep]\\nname = "tiny"\\nlearning_rates = [0.01, 0.1]\\nseeds = [0]\\n'
    ...     '[task]\\nkind = "noise"\\n[graph]\\nn = 20\\n'
    ...     '[simulation]\\niterations = 100\\nsnapshots = 2\\n')
    >>> res = run_sweep(d / "s.toml", d / "out", workers=1)
    >>> res.table[["run_id", "status"]].values.tolist()
    [['tiny__lr0.01_s0', 'ok'], ['tiny__lr0.1_s0', 'ok']]
    >>> sorted(p.name for p in (d / "out" / "runs").iterdir())
    ['tiny__lr0.01_s0', 'tiny__lr0.1_s0']
    >>> run_sweep(d / "s.toml", d / "out")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wiring.errors.WiringError: sweep output ... is not empty; pass --resume ...
    >>> run_sweep(d / "s.toml", d / "out", resume=True, workers=1).counts
    {'ok': 2, 'unstable': 0, 'failed': 0, 'skipped': 0}
    """
    sweep = config if isinstance(config, SweepConfig) else load_sweep(config)
    if workers is None:
        workers = sweep.workers
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise WiringError(f"`workers` must be an integer >= 1, got {workers!r}")
    if scheduler is not None and (not isinstance(scheduler, str) or not scheduler.strip()):
        raise WiringError(f"`scheduler` must be a Dask scheduler address such as "
                          f"'tcp://HOST:PORT', got {scheduler!r}")
    bar = Progress(progress, desc=f"sweep {sweep.name}", unit="run")
    specs = expand(sweep)
    out = Path(out)
    resolved = _resolved(sweep, workers)
    _check_out(out, resume, resolved)
    fresh = [p for p in (out, out / "runs") if not p.exists()]
    with contextlib.ExitStack() as stack:
        client = None
        try:
            runs_dir = _preflight(out)
            if scheduler is not None:
                from wiring import _sweep_dask

                client = stack.enter_context(_sweep_dask.dask_client(scheduler.strip()))
        except BaseException:  # leave no empty directory behind: a retry needs no --resume
            for path in reversed(fresh):
                with contextlib.suppress(OSError):
                    path.rmdir()
            raise
        stack.enter_context(_locked(out))
        stack.enter_context(bar)  # closed on the way out, errors and Ctrl-C included
        with _atomic_open(out / SWEEP_FILE, "w") as fh:
            fh.write(f"# resolved sweep configuration (source: {sweep.source})\n")
            fh.write(dump_toml(resolved))
        _clean_stale(out, runs_dir)
        seconds = _previous_seconds(out) if resume else {}
        rows: dict[str, dict] = {}
        todo = []
        for spec in specs:
            final = runs_dir / spec.run_id
            status = runs.read_status(final) if final.is_dir() else None
            row = {"run_id": spec.run_id, "group": spec.group, **spec.params}
            if status is not None:  # kept as it is: a resume never touches a finished run
                rows[spec.run_id] = {**row, "status": status["status"],
                                     "reason": status.get("reason", ""),
                                     "seconds": seconds.get(spec.run_id, float("nan")),
                                     "resumed": True}
                continue
            if final.exists():  # not a finished run (our runs appear only when finished)
                log.warning("removing %s: it has no status.json", final)
                shutil.rmtree(final)
            rows[spec.run_id] = {**row, "status": "skipped", "reason": _NOT_RUN,
                                 "seconds": float("nan"), "resumed": False}
            todo.append(spec)
        if client is not None:
            executor = {"executor": "dask", "scheduler": scheduler.strip(),
                        "dask_workers": len(client.scheduler_info()["workers"]),
                        "start_method": "dask"}
        else:
            executor = {"executor": "in-process" if workers == 1 else "processes",
                        "start_method": "in-process" if workers == 1 else START_METHOD}
        previous = _previous_provenance(out) if resume else None
        runs.write_provenance(out, seed=None, extra={
            "job": "sweep", "sweep": sweep.name, "source": sweep.source, "runs": len(specs),
            "kept": len(specs) - len(todo), "resume": resume, "workers": workers,
            **executor})
        if previous is not None:  # the sweep directory's producer, and this resume
            todo_ids = {spec.run_id for spec in todo}
            runs.record_resume(out, produced_by=previous.get("produced_by",
                                                             previous.get("git_commit")),
                               history=previous.get("resumed_by"),
                               kept=[s.run_id for s in specs if s.run_id not in todo_ids],
                               ran=sorted(todo_ids))
        runs.write_table(out, STATUS_TABLE, _table(rows, specs))
        done = len(specs) - len(todo)
        log.info("sweep %s: %d runs, %d kept, %d to run on %s", sweep.name, len(specs), done,
                 len(todo), f"Dask ({scheduler})" if client is not None else f"{workers} worker(s)")
        bar.update(done, len(specs))

        def on_row(row: dict) -> None:
            nonlocal done
            rows[row["run_id"]] = row
            done += 1
            runs.write_table(out, STATUS_TABLE, _table(rows, specs))
            bar.update(done)

        if todo and client is not None:
            runs_abs = runs_dir.absolute()  # the workers' working directories differ
            marker = _sweep_dask.prepare_workers(client, runs_abs)
            try:
                _sweep_dask.execute_all(client, todo, runs_abs, marker, on_row)
            finally:
                marker.unlink(missing_ok=True)
        elif todo:
            _execute_all(todo, runs_dir, workers, on_row)
        _clean_stale(out, runs_dir)  # attempts that died (a killed Dask worker's run)
    table = _table(rows, specs)
    counts = {s: int((table["status"] == s).sum()) for s in STATUS_ORDER}
    log.info("sweep %s finished: %s", sweep.name, counts)
    return SweepResult(out=out, table=table, counts=counts)
