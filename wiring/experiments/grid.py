"""The sweep grid: a sweep file's ``[sweep]`` table parsed and checked
(:func:`load_sweep`, the embedded :data:`DEFAULT_SWEEP`), and expanded into one
:class:`RunSpec` per run (:func:`expand`). The file format is described in
:mod:`wiring.experiments.sweep`; nothing here runs anything.

Examples
--------
>>> sweep = load_sweep()  # the embedded default
>>> [g.name for g in sweep.groups]
['noise', 'digits']
>>> len(expand(sweep))
21
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from wiring._checks import geomspace
from wiring.config import (
    TrainConfig,
    _coerce,
    _merge,
    config_to_dict,
    resolve_config,
)
from wiring.errors import ConfigError
from wiring.experiments.jobs import validate

__all__ = ["DEFAULT_SWEEP", "MIN_FREE_BYTES", "MAX_AXIS_VALUES", "MAX_RUNS", "SWEEP_FILE",
           "STATUS_TABLE", "STATUS_ORDER", "ANALYSIS_KEYS", "SweepGroup", "SweepConfig",
           "RunSpec", "SweepResult", "analysis_settings", "load_sweep", "expand"]

log = logging.getLogger(__name__)


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

#: Most values one grid axis of one group may hold (learning rates, including
#: ``lr_count``; seeds; rules; prunes; graph families). Each value is a row or column
#: of the report's tables and figures, and learning rates are told apart in run ids by
#: 3 significant digits (about 900 values a decade): past 1,000 a grid is a mistake,
#: and ``lr_count = 10**11`` must fail here, not fill the memory.
MAX_AXIS_VALUES = 1_000
#: Most runs of one sweep, over all groups: each is a run directory and a row of the
#: status table, checked before any is expanded. 100,000 runs of the default's size
#: (~1.5 s each) are ~40 core-hours and ~0.1 TB of run directories; split larger
#: studies into several sweeps.
MAX_RUNS = 100_000

SWEEP_FILE = "sweep.toml"
STATUS_TABLE = "sweep_status"
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


def _too_many(source: str, key: str, count: int) -> ConfigError:
    return ConfigError(f"{source}: '{key}' gives {count:,} values, more than the "
                       f"{MAX_AXIS_VALUES:,} a grid axis may hold (wiring.experiments.grid."
                       "MAX_AXIS_VALUES); split the study into several sweeps")


def _resolve_grid(grid: _Grid, source: str, where: str) -> dict:
    for key in ("learning_rates", "seeds", "rules", "prunes", "graph_families"):
        if len(getattr(grid, key)) > MAX_AXIS_VALUES:
            raise _too_many(source, where + key, len(getattr(grid, key)))
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
        if count > MAX_AXIS_VALUES:
            raise _too_many(source, where + "lr_count", count)
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
                          "wiring.experiments.sweep.DEFAULT_SWEEP)")
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
        configuration :func:`wiring.experiments.jobs.validate` rejects; names file and key.

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


def _check_size(sweep: SweepConfig) -> None:
    """Refuse a grid with an axis of more than :data:`MAX_AXIS_VALUES` values or more
    than :data:`MAX_RUNS` runs in all, before a single run is expanded."""
    sizes = []
    for group in sweep.groups:
        axes = [(key, len(getattr(group, key))) for key in
                ("learning_rates", "seeds", *(key for key, _ in _AXES.values()))]
        for key, count in axes:
            if count > MAX_AXIS_VALUES:
                raise _too_many(sweep.source, f"sweep.groups.{group.name}.{key}", count)
        varied = [(key, count) for key, count in axes if count]
        sizes.append((group.name, varied, math.prod(count for _, count in varied)))
    total = sum(size for _, _, size in sizes)
    if total > MAX_RUNS:
        name, axes, size = max(sizes, key=lambda item: item[2])
        detail = " x ".join(f"{count:,} {key}" for key, count in axes)
        raise ConfigError(f"{sweep.source}: the sweep has {total:,} runs, more than the "
                          f"{MAX_RUNS:,} one sweep may hold (wiring.experiments.grid.MAX_RUNS); "
                          f"group '{name}' alone has {size:,} ({detail}); reduce its axes "
                          "or split the study into several sweeps")


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
    _check_size(sweep)
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
