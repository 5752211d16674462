"""Configured jobs: a :class:`~wiring.config.TrainConfig` in, a run directory out.

:func:`run_train` builds the data set, graph and network a configuration
describes, trains (or simulates, for the noise task) and writes the run
directory of :mod:`wiring.runs`: ``config.toml`` and ``provenance.json`` first,
snapshots as they come, ``metrics.parquet``/``.csv`` and ``status.json`` last.

Every snapshot file also holds the neurons' state, per neuron (length n, float64):
``rate`` and ``balance`` (``f(s)``), so an analysis can measure saturation. Noise
task: the state of the simulation at that iteration (``SimulationResult.states``).
Supervised task: the mean over the first :data:`STATE_SAMPLES` test samples (training
samples when there is no test set) whose firing settles with the snapshot's weights;
``balance`` is ``f(s)`` as the run's rule uses it (0 on input neurons under the rules
that give inputs no balance), and both are NaN when no sample settles. Supervised
snapshots also hold ``epoch``.

A graph file or connectome (``graph.family = "file"`` or ``"connectome"``) is read once,
before ``config.toml`` is written, so that file records the initial weights the run chose
(``graph.weights`` and ``graph.weight_scale``: :func:`wiring.graphs.families.load_source`).
Its neurons' names and attributes go to ``nodes.parquet`` and ``nodes.csv`` (one row per
neuron, in neuron order: ``neuron``, ``name``, ``is_input``, ``is_output``, then one column
per node attribute, e.g. a connectome's ``class``, ``type`` and ``description``; an
attribute named like one of the first four is written as ``attr_<name>``). Graphs that
are built, whose neurons have no names, get no such table.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np

from wiring import runs
from wiring.config import TrainConfig, config_to_dict, resolve_config
from wiring.errors import ConfigError, WiringError
from wiring.graphs.families import (
    GRAPH_FAMILIES,
    READ_FAMILIES,
    GraphSource,
    build_graph,
    check_graph_config,
    load_source,
)
from wiring.graphs.graph import Graph
from wiring.kernels.plasticity import FB_DIRECT
from wiring.network import METHODS, Network
from wiring.rules import get_rule

__all__ = ["build_dataset", "validate", "run_train",
           "STATE_SAMPLES"]

log = logging.getLogger(__name__)

#: Supervised runs: the snapshot's ``rate`` and ``balance`` arrays are means over the
#: first this many test samples (those whose firing settles).
STATE_SAMPLES = 100


def build_dataset(cfg: TrainConfig, *, source: GraphSource | None = None):
    """The data set named by ``cfg.data`` (supervised task).

    The teacher task (``data.name = "teacher"``) takes its sizes from ``data.n_features``
    and ``data.n_classes``, where those are 0 from the graph file or connectome's input
    and output neurons (:func:`wiring.graphs.families.load_source`; read here unless
    ``source`` is given).

    Parameters
    ----------
    cfg : TrainConfig
    source : GraphSource, optional
        The graph file or connectome of ``cfg`` already read (``load_source(cfg)``).

    Returns
    -------
    wiring.data.Dataset

    Raises
    ------
    ConfigError
        Naming the key: a data file key missing, or teacher sizes that are 0 for a built
        graph family or a read graph with no input or fewer than two output neurons.

    Examples
    --------
    >>> ds = build_dataset(TrainConfig())
    >>> ds.n_features, ds.n_classes
    (64, 10)
    >>> from wiring.config import apply_overrides
    >>> val = build_dataset(apply_overrides(TrainConfig(), ["data.holdout=validation"]))
    >>> val.n_train + val.n_test == ds.n_train, val.n_test   # 20% of the training split
    (True, 270)
    >>> worm = apply_overrides(TrainConfig(), ["data.name=teacher", "data.n_samples=200",
    ...     "graph.family=connectome", "graph.name=witvliet2021-8",
    ...     "graph.inputs=class=sensory", "graph.outputs=class=motor"])
    >>> build_dataset(worm)  # 69 sensory neurons -> 36 motor neurons
    Dataset(name='teacher', n_train=150, n_test=50, n_features=69, n_classes=36)
    """
    ds = _load_dataset(cfg, source)
    if cfg.data.holdout == "validation":
        return _validation_split(ds, cfg.data.validation_fraction)
    return ds


def _validation_split(ds, fraction: float):
    """The training split cut into training and validation parts; the validation part
    takes the place of the test split (the test split is left out)."""
    import math

    from wiring.data import Dataset

    n_val = math.ceil(fraction * ds.labels_train.size)
    if not 0 < n_val < ds.labels_train.size:
        raise ConfigError(f"'data.validation_fraction' = {fraction} leaves no training or no "
                          f"validation sample of {ds.labels_train.size}")
    cut = ds.labels_train.size - n_val
    return Dataset(ds.X_train[:cut], ds.Y_train[:cut], ds.X_train[cut:], ds.Y_train[cut:],
                   ds.labels_train[:cut], ds.labels_train[cut:],
                   name=f"{ds.name} (validation)", n_classes=ds.n_classes)


def _load_dataset(cfg: TrainConfig, source: GraphSource | None = None):
    from wiring import data

    d, seed = cfg.data, cfg.task.seed
    common = {"test_fraction": d.test_fraction, "seed": seed}
    if d.name == "digits":
        return data.load_digits(**common)
    if d.name == "mnist1d":
        return data.load_mnist1d(n_samples=d.n_samples, **common)
    if d.name == "teacher":
        n_features, n_classes = _teacher_sizes(cfg, source)
        return data.load_teacher(n_features=n_features, n_classes=n_classes,
                                 n_samples=d.n_samples, **common)
    if d.name in ("npz", "csv", "idx") and not d.path:
        raise ConfigError(f"'data.path' is required for data.name = {d.name!r}")
    if d.name == "npz":
        return data.load_npz(d.path, x_key=d.x_key, y_key=d.y_key, **common)
    if d.name == "csv":
        return data.load_csv(d.path, label_column=d.label_column, **common)
    if d.name == "idx":
        if not d.labels_path:
            raise ConfigError("'data.labels_path' is required for data.name = 'idx'")
        return data.load_idx(d.path, d.labels_path, test_images=d.test_path or None,
                             test_labels=d.test_labels_path or None, **common)
    raise ConfigError(f"unknown 'data.name' {d.name!r}; choose one of digits, mnist1d, "
                      "teacher, npz, csv, idx")


#: The keys that size the teacher task, and the graph key that gives each when it is 0.
_TEACHER_KEYS = (("n_features", "inputs", "input"), ("n_classes", "outputs", "output"))


def _teacher_sizes(cfg: TrainConfig, source: GraphSource | None) -> tuple[int, int]:
    """``(n_features, n_classes)`` of the teacher task: ``data.n_features`` and
    ``data.n_classes``, a 0 replaced by the read graph's input/output neuron count."""
    d = cfg.data
    sizes = {"n_features": d.n_features, "n_classes": d.n_classes}
    if d.n_features and d.n_classes:
        return d.n_features, d.n_classes
    family = resolve_config(cfg).graph.family
    if family not in READ_FAMILIES:
        key = "n_features" if not d.n_features else "n_classes"
        raise ConfigError(
            f"'data.{key}' = 0 means \"from the graph\", but graph.family = {family!r} is "
            f"built with one {'input' if key == 'n_features' else 'output'} neuron per data "
            f"{'feature' if key == 'n_features' else 'class'}: set 'data.{key}' (e.g. "
            f"data.{key}={20 if key == 'n_features' else 5}), or train on a graph file or "
            "connectome (graph.family = 'file' or 'connectome')")
    if source is None:
        source = load_source(cfg)
    minimum = {"n_features": 1, "n_classes": 2}
    for key, graph_key, what in _TEACHER_KEYS:
        if sizes[key]:
            continue
        have = getattr(source.graph, graph_key).size
        if have < minimum[key]:
            raise ConfigError(
                f"'data.{key}' = 0 takes the teacher's {key[2:]} from the graph's {what} "
                f"neurons, but 'graph.{graph_key}' = {getattr(cfg.graph, graph_key)!r} picks "
                f"{have} (at least {minimum[key]} needed): choose them with "
                f"'graph.{graph_key}' (e.g. \"class={'sensory' if what == 'input' else 'motor'}"
                "\")")
        sizes[key] = int(have)
    return sizes["n_features"], sizes["n_classes"]


def validate(cfg: TrainConfig) -> None:
    """Check every name in ``cfg`` against its registry before anything runs.

    Parameters
    ----------
    cfg : TrainConfig

    Returns
    -------
    None

    Raises
    ------
    ConfigError
        Naming the key whose value is invalid.

    Examples
    --------
    >>> validate(TrainConfig())
    >>> from wiring.config import apply_overrides
    >>> validate(apply_overrides(TrainConfig(), ["train.epochs=2"]))  # snapshots: [0, 1, 2]
    >>> validate(apply_overrides(TrainConfig(), ["train.epochs=2",
    ...                                          "train.snapshot_epochs=[0, 4]"]))
    Traceback (most recent call last):
    ...
    wiring.errors.ConfigError: 'train.snapshot_epochs' holds 4, outside [0, 2] (train.epochs)
    """
    from wiring._batched import DTYPES
    from wiring._checks import check_choice, check_fraction, check_int, check_positive
    from wiring.data import DATASETS
    from wiring.neurons import ACTIVATIONS, BALANCES
    from wiring.rules import LOSSES
    from wiring.simulate import PRUNING_MODES, SIMULATION_MODES
    from wiring.train import FLOAT32_MIN_TOL, FLOAT32_TOL, KERNELS, ON_DIVERGE

    checks = [
        (cfg.task.kind, "task.kind", ("supervised", "noise")),
        (cfg.data.name, "data.name", tuple(DATASETS)),
        (cfg.data.holdout, "data.holdout", ("test", "validation")),
        (cfg.graph.family, "graph.family", ("auto", *GRAPH_FAMILIES)),
        (cfg.neurons.activation, "neurons.activation", ACTIVATIONS),
        (cfg.neurons.output_activation, "neurons.output_activation", ACTIVATIONS),
        (cfg.neurons.balance, "neurons.balance", BALANCES),
        (cfg.train.loss, "train.loss", LOSSES),
        (cfg.train.method, "train.method", METHODS),
        (cfg.train.on_diverge, "train.on_diverge", ON_DIVERGE),
        (cfg.train.kernel, "train.kernel", KERNELS),
        (cfg.train.dtype, "train.dtype", DTYPES),
        (cfg.simulation.pruning, "simulation.pruning", PRUNING_MODES),
        (cfg.simulation.mode, "simulation.mode", SIMULATION_MODES),
    ]
    try:
        for value, name, choices in checks:
            check_choice(value, name, choices)
        get_rule(cfg.train.rule, "train.rule")  # built-in, registered or an entry point's
        if cfg.task.kind == "noise" and cfg.graph.family == "recurrent":
            raise ConfigError(
                "'graph.family' = 'recurrent' (inputs -> hidden -> outputs) needs a data set's "
                "inputs and outputs, which task.kind = 'noise' has none of; leave graph.family "
                "unset (or 'auto') for the paper's all-to-all network with self-loops, or "
                f"choose one of {', '.join(f for f in GRAPH_FAMILIES if f != 'recurrent')}. "
                "(Earlier versions silently built all-to-all with self-loops here.)")
        cfg = resolve_config(cfg)
        t, sim, g, nc, d = cfg.train, cfg.simulation, cfg.graph, cfg.neurons, cfg.data
        check_graph_config(g)  # graph.inputs/outputs/weights/name: read families only
        for value, name, zero_ok in [
            (t.learning_rate, "train.learning_rate", True), (t.tol, "train.tol", False),
            (sim.learning_rate, "simulation.learning_rate", True),
            (sim.learning_rate_end, "simulation.learning_rate_end", True),
            (sim.noise_rate, "simulation.noise_rate", True),
            (sim.noise_credit, "simulation.noise_credit", True),
            (sim.tol, "simulation.tol", False),
            (sim.weight_limit, "simulation.weight_limit", False),
            (nc.balance_width, "neurons.balance_width", False),
            (nc.init_scale, "neurons.init_scale", True),
        ]:
            check_positive(value, name, allow_zero=zero_ok)
        for value, name, minimum in [
            (t.epochs, "train.epochs", 0), (t.batch_size, "train.batch_size", 1),
            (t.threads, "train.threads", 0),
            (t.max_iter, "train.max_iter", 1), (sim.iterations, "simulation.iterations", 0),
            (sim.max_iter, "simulation.max_iter", 1), (sim.snapshots, "simulation.snapshots", 1),
            (sim.stages, "simulation.stages", 1), (t.probes, "train.probes", 0),
            (g.hidden, "graph.hidden", 1), (g.n, "graph.n", 1), (g.blocks, "graph.blocks", 1),
            (g.k, "graph.k", 1), (d.n_samples, "data.n_samples", 10),
            (d.n_features, "data.n_features", 0), (d.n_classes, "data.n_classes", 0),
            *((size, f"graph.sizes[{i}]", 1) for i, size in enumerate(g.sizes)),
        ]:
            check_int(value, name, minimum=minimum)
        # the seed also seeds the data split (scikit-learn takes [0, 2**32))
        check_int(cfg.task.seed, "task.seed", maximum=2**32 - 1)
        if not np.isfinite(nc.balance_center):
            raise WiringError(f"`neurons.balance_center` must be a finite number, got "
                              f"{nc.balance_center!r}")
        if t.dtype == "float32" and t.tol < FLOAT32_MIN_TOL:
            raise ConfigError(f"train.tol = {t.tol:g} is below what float32 resolves; with "
                              f"train.dtype = \"float32\" set train.tol >= {FLOAT32_MIN_TOL:g} "
                              f"(e.g. {FLOAT32_TOL:g})")
        for value, name in [(sim.prune, "simulation.prune"),
                            (sim.clamped_fraction, "simulation.clamped_fraction"),
                            (d.test_fraction, "data.test_fraction"),
                            (d.validation_fraction, "data.validation_fraction")]:
            check_fraction(value, name)
        for value, name in [(g.recurrent_density, "graph.recurrent_density"),
                            (g.input_density, "graph.input_density"),
                            (g.output_density, "graph.output_density"),
                            (g.feedback_density, "graph.feedback_density"),
                            (g.density, "graph.density"), (g.p_in, "graph.p_in"),
                            (g.p_out, "graph.p_out"), (g.rewire, "graph.rewire")]:
            if not 0.0 <= value <= 1.0:
                raise ConfigError(f"'{name}' must be a probability in [0, 1], got {value!r}")
        _check_teacher_keys(cfg)
        bad = [e for e in t.snapshot_epochs if not 0 <= e <= t.epochs]
        if bad:
            raise ConfigError(f"'train.snapshot_epochs' holds {bad[0]}, outside [0, "
                              f"{t.epochs}] (train.epochs)")
    except ConfigError:
        raise
    except Exception as exc:  # WiringError from the checks: re-label as a config error
        raise ConfigError(f"invalid configuration: {exc}") from None


def _check_teacher_keys(cfg: TrainConfig) -> None:
    """``data.n_features``/``data.n_classes``: the teacher task's only, > 0 for a built
    graph family, and ``n_classes`` not 1 (``cfg`` resolved)."""
    d = cfg.data
    for key, _, _ in _TEACHER_KEYS:
        value = getattr(d, key)
        if d.name != "teacher" and value:
            raise ConfigError(f"'data.{key}' = {value} sizes the teacher task (data.name = "
                              f"'teacher'); data.name = {d.name!r} has its own")
    if d.name != "teacher" or cfg.task.kind != "supervised":
        return
    if d.n_classes == 1:
        raise ConfigError("'data.n_classes' = 1: the teacher task needs at least 2 classes "
                          "(or 0: one per output neuron of a graph file or connectome)")
    if cfg.graph.family not in READ_FAMILIES:
        for key, _, _ in _TEACHER_KEYS:
            if not getattr(d, key):
                _teacher_sizes(cfg, None)  # raises, naming the key


def _write_nodes(run_dir: Path, graph: Graph) -> None:
    """``nodes.parquet``/``nodes.csv`` for a graph whose neurons have names or attributes
    (a graph file or connectome): one row per neuron, in neuron order; an attribute
    named like one of :data:`wiring.runs.NODE_COLUMNS` is written as ``attr_<name>``."""
    import pandas as pd

    if graph.node_names is None and graph.node_attrs is None:
        return
    names = graph.node_names or tuple(str(i) for i in range(graph.n))
    table = {"neuron": np.arange(graph.n, dtype=np.int64), "name": list(names),
             "is_input": graph.input_mask(), "is_output": graph.output_mask()}
    for key, values in (graph.node_attrs or {}).items():
        table[f"attr_{key}" if key in runs.NODE_COLUMNS else key] = values
    runs.write_table(run_dir, "nodes", pd.DataFrame(table))


def _snapshot_writer(run_dir: Path, clamped=()) -> Callable:
    def write(step: int, graph: Graph, weight: np.ndarray, bias: np.ndarray, **extra):
        runs.write_snapshot(run_dir, step, src=graph.src, dst=graph.dst, weight=weight,
                            bias=bias, inputs=graph.inputs, outputs=graph.outputs,
                            clamped=np.asarray(clamped, dtype=np.int64), n=graph.n, **extra)
    return write


def run_train(cfg: TrainConfig, out: str | Path, *, overwrite: bool = False,
              progress: Callable[[int, int], None] | None = None) -> Path:
    """Run the job ``cfg`` describes and write its run directory at ``out``.

    Its ``config.toml`` holds ``cfg`` resolved (:func:`wiring.config.resolve_config`):
    the graph family, self-loops and snapshot epochs the task chose where ``cfg`` left
    them unset.

    Parameters
    ----------
    cfg : TrainConfig
    out : str or Path
        Run directory; an existing non-empty one is refused unless ``overwrite``.
    overwrite : bool
    progress : callable(done, total), optional
        Progress reports (epochs, or simulation iterations).

    Returns
    -------
    Path
        The run directory.

    Examples
    --------
    >>> import tempfile
    >>> from wiring.config import apply_overrides
    >>> cfg = apply_overrides(TrainConfig(), ["task.kind='noise'", "graph.n=20",
    ...                       "simulation.iterations=100", "simulation.snapshots=2"])
    >>> d = run_train(cfg, tempfile.mkdtemp() + "/run")
    >>> sorted(p.name for p in d.iterdir())[:3]
    ['config.toml', 'metrics.csv', 'metrics.parquet']
    >>> graph = runs.read_config(d)["graph"]
    >>> graph["family"], graph["self_loops"]
    ('all-to-all', True)
    """
    validate(cfg)
    cfg = resolve_config(cfg)  # config.toml records the defaults the task filled in
    run_dir = runs.prepare_run_dir(out, overwrite=overwrite)
    try:
        return _run_job(cfg, run_dir, progress)
    except WiringError as exc:  # bad data file, unreadable graph, ...: say so on disk
        runs.write_status(run_dir, "failed", reason=str(exc))
        raise


def _run_job(cfg: TrainConfig, run_dir: Path, progress) -> Path:
    import pandas as pd

    from wiring.simulate import simulate
    from wiring.train import fit

    try:
        source = load_source(cfg)  # a graph file or connectome, read once (None: built)
        if source is not None:  # config.toml records the weights it chose (graph.weights)
            cfg = source.config
            if cfg.task.kind == "supervised" and cfg.data.name == "teacher":
                # and the teacher's sizes taken from the graph (data.n_features, n_classes)
                n_features, n_classes = _teacher_sizes(cfg, source)
                cfg = dataclasses.replace(cfg, data=dataclasses.replace(
                    cfg.data, n_features=n_features, n_classes=n_classes))
    except WiringError:
        runs.write_config(run_dir, config_to_dict(cfg))  # what was asked for, as it failed
        raise
    weight0 = None if source is None else source.weight  # None: drawn from the seed
    runs.write_config(run_dir, config_to_dict(cfg))
    extra = {"job": "train", "task": cfg.task.kind}
    rule = get_rule(cfg.train.rule)
    if cfg.task.kind == "supervised" and not rule.builtin:  # what the name stood for
        extra["rule"] = rule.record()
    runs.write_provenance(run_dir, seed=cfg.task.seed, extra=extra)
    nc = cfg.neurons
    if cfg.task.kind == "supervised":
        ds = build_dataset(cfg, source=source)
        graph = build_graph(cfg, ds.n_features, ds.Y_train.shape[1], source=source)
        _write_nodes(run_dir, graph)
        net = Network(graph, weight0, activation=nc.activation,
                      output_activation=nc.output_activation,
                      balance=nc.balance, balance_center=nc.balance_center,
                      balance_width=nc.balance_width, init_scale=nc.init_scale,
                      seed=cfg.task.seed, unit_magnitude=nc.unit_magnitude)
        t = cfg.train
        write = _snapshot_writer(run_dir)
        total = t.epochs

        def on_epoch(row):
            if progress is not None:
                progress(row["epoch"], total)

        probe_rows: list = []
        Xp, Yp = ds.X_test[:t.probes], ds.Y_test[:t.probes]
        Xs = (ds.X_test if len(ds.X_test) else ds.X_train)[:STATE_SAMPLES]

        def on_snapshot(epoch, step, nw):
            rate, balance = _settled_state(nw, Xs, t)
            write(step, graph, nw.weight, nw.bias, epoch=epoch, rate=rate, balance=balance)
            if t.probes:
                probe_rows.append(_probe_row(nw, Xp, Yp, t, epoch, step))

        log.info("training started")
        res = fit(net, ds, rule=t.rule, loss=t.loss, learning_rate=t.learning_rate,
                  epochs=t.epochs, batch_size=t.batch_size, seed=cfg.task.seed, tol=t.tol,
                  max_iter=t.max_iter, method=t.method, warm_start=t.warm_start,
                  on_diverge=t.on_diverge, weight_limit=t.weight_limit,
                  snapshot_epochs=t.snapshot_epochs,
                  kernel=t.kernel, dtype=t.dtype, threads=t.threads or None,
                  on_snapshot=on_snapshot,
                  on_epoch=on_epoch)
        params = {"rule": t.rule, "learning_rate": t.learning_rate, "seed": cfg.task.seed,
                  "task": "supervised", "data": cfg.data.name, "graph": cfg.graph.family}
        status, reason, metrics = res.status, res.reason, res.metrics
        if probe_rows:
            runs.write_table(run_dir, "probes", pd.DataFrame(probe_rows))
        if t.probes and status == "ok":
            _write_predictions(run_dir, net, Xp, Yp, t)
    elif cfg.task.kind == "noise":
        s = cfg.simulation
        graph = build_graph(cfg, source=source)
        _write_nodes(run_dir, graph)
        snaps = np.unique(np.linspace(0, s.iterations, max(s.snapshots, 1) + 1).astype(int))
        log.info("training started")
        res = simulate(graph, learning_rate=s.learning_rate, iterations=s.iterations,
                       learning_rate_end=s.learning_rate_end or None, stages=s.stages,
                       prune=s.prune, pruning=s.pruning, mode=s.mode,
                       clamped_fraction=s.clamped_fraction, noise_rate=s.noise_rate,
                       noise_credit=s.noise_credit, activation=nc.activation,
                       balance=nc.balance, balance_center=nc.balance_center,
                       balance_width=nc.balance_width, init_scale=nc.init_scale,
                       weight=weight0, tol=s.tol, max_iter=s.max_iter,
                       weight_limit=s.weight_limit, snapshot_at=snaps, seed=cfg.task.seed,
                       on_chunk=None if progress is None else _counter(progress, s.iterations))
        write = _snapshot_writer(run_dir, res.clamped)
        for (step, w), (_, rate, balance), (_, credit) in zip(res.snapshots, res.states,
                                                               res.credits, strict=True):
            write(step, graph, w, res.bias, rate=rate, balance=balance, credit=credit)
        params = {"rule": "balance", "learning_rate": s.learning_rate, "seed": cfg.task.seed,
                  "task": "noise", "prune": s.prune, "pruning": s.pruning, "mode": s.mode,
                  "noise_rate": s.noise_rate}
        status, reason, metrics = res.status, res.reason, res.metrics
    else:
        raise ConfigError(f"unknown 'task.kind' {cfg.task.kind!r}; choose supervised or noise")
    table = pd.DataFrame([{**params, **row} for row in metrics])
    runs.write_metrics(run_dir, table)
    runs.write_status(run_dir, status, reason=reason)
    return run_dir


def _settled_state(net: Network, X: np.ndarray, t) -> tuple[np.ndarray, np.ndarray]:
    """Per neuron, the mean rate and mean ``f(s)`` (as rule ``t.rule`` uses it) over the
    rows of ``X`` whose firing settles (forward only, the weights unchanged); NaN
    arrays when none does."""
    from wiring.kernels.settle import CONVERGED

    n = net.n
    if len(X) == 0:
        return np.full(n, np.nan), np.full(n, np.nan)
    X = net._check_X(X)
    Y = np.zeros((X.shape[0], net.graph.outputs.size))
    done, stats, (x, s, _) = net._run(X, Y, rule="balance-exact", loss="mse", tol=t.tol,
                                      max_iter=t.max_iter, method=t.method, do_credit=False,
                                      record=True)
    ok = np.flatnonzero(stats[:done, 2] == CONVERGED)
    if not ok.size:
        return np.full(n, np.nan), np.full(n, np.nan)
    f = net._balance_numpy(s[ok], x[ok], t.rule)
    return x[ok].mean(axis=0), f.mean(axis=0)


def _probe_row(net: Network, X: np.ndarray, Y: np.ndarray, t, epoch: int, step: int) -> dict:
    """Alignment of the rule's update with the exact gradient, and the two synaptic
    predictions, on held-out samples at one snapshot (NaN where they cannot be taken)."""
    from wiring import probes
    from wiring.errors import SettleDidNotConverge

    row = {"epoch": epoch, "step": step, "n_samples": len(X), "cosine": np.nan,
           "sign_agreement": np.nan, "cosine_free": np.nan, "norm_rule": np.nan,
           "norm_gradient": np.nan, "probe_error": ""}
    try:
        al = probes.update_alignment(net, X, Y, rule=t.rule, loss=t.loss, tol=t.tol,
                                     max_iter=t.max_iter)
        row.update(cosine=al["cosine"], sign_agreement=al["sign_agreement"],
                   cosine_free=al["cosine_free"], norm_rule=al["norm_rule"],
                   norm_gradient=al["norm_gradient"])
    except SettleDidNotConverge as exc:
        row.update(probe_error=str(exc))
    return row


def _write_predictions(run_dir: Path, net: Network, X: np.ndarray, Y: np.ndarray, t) -> None:
    """The paper's synaptic predictions on the trained network: per (sample, neuron)
    retrograde signals (prediction 1) and per (sample, synapse) residuals of
    ``dw_ij w_ij = r x_j g_ji`` (prediction 2), for the rule the run used.

    Samples whose firing or credit does not settle are left out one by one, never the
    whole run; each table's ``probe_samples`` and ``unsettled_samples`` columns say how
    many were tried and how many of them were left out."""
    import pandas as pd

    from wiring import probes

    if get_rule(t.rule).feedback == FB_DIRECT:  # no synaptic retrograde path: nothing to measure
        return
    kw = {"rule": t.rule, "loss": t.loss, "tol": t.tol, "max_iter": t.max_iter}
    sig, bad1 = _settled_samples(lambda x, y: probes.retrograde_signals(net, x, y, **kw), X, Y)
    syn, bad2 = _settled_samples(lambda x, y: probes.synapse_check(
        net, x, y, learning_rate=t.learning_rate, **kw), X[:20], Y[:20])
    if sig is not None:
        keep = ~(sig["is_input"] | sig["is_output"])
        runs.write_table(run_dir, "retrograde", pd.DataFrame(
            {k: sig[k][keep] for k in ("sample", "neuron", "s", "balance", "credit",
                                       "effective", "amplitude", "carrier_sum")}).assign(
            probe_samples=len(X), unsettled_samples=bad1))
    if syn is not None:
        v = syn["valid"]
        runs.write_table(run_dir, "synapses", pd.DataFrame(
            {k: syn[k][v] for k in ("sample", "edge", "dw", "g", "x_pre", "w", "residual")}
        ).assign(probe_samples=min(len(X), 20), unsettled_samples=bad2))


def _settled_samples(probe, X: np.ndarray, Y: np.ndarray) -> tuple[dict | None, int]:
    """``probe(X, Y)`` on the whole batch; if some sample does not settle, on each sample
    alone, keeping those that do (their ``sample`` index is the batch's). Returns the
    merged result (None if no sample settles) and the number left out."""
    from wiring.errors import SettleDidNotConverge

    try:
        return probe(X, Y), 0
    except SettleDidNotConverge:
        pass
    parts, bad = [], 0
    for k in range(len(X)):
        try:
            out = probe(X[k:k + 1], Y[k:k + 1])
        except SettleDidNotConverge:
            bad += 1
            continue
        out = dict(out)
        out["sample"] = np.full_like(np.asarray(out["sample"]), k)
        parts.append(out)
    if not parts:
        log.warning("predictions not measured: no probe sample settles")
        return None, bad
    # the per-sample arrays, concatenated (summary scalars are per call: left out)
    return {key: np.concatenate([p[key] for p in parts]) for key in parts[0]
            if np.ndim(parts[0][key])}, bad


def _counter(progress, total):
    state = {"done": 0}

    def tick(k):
        state["done"] += k
        progress(state["done"], total)
    return tick
