"""Configuration: frozen dataclasses are the one home of every default.

A TOML file overrides the defaults section by section; ``--set section.key=value``
on the command line overrides the file. Unknown sections or keys and values of
the wrong type are errors that name the file and the key. The resolved
configuration is written into every run directory as ``config.toml``.

``wiring train`` reads :class:`TrainConfig`. ``task.kind`` picks what runs:
``"supervised"`` trains a network on data with a learning rule;
``"noise"`` runs the paper's Algorithm 1 (noise instead of clamping, credit-clamped
neurons, pruning) with the ``[simulation]`` section.

Some defaults depend on other keys; a key left unset follows them, a key you set is
used as given. :func:`resolve_config` fills them in, and ``config.toml`` records the
result, so it always describes what ran:

- ``graph.family = "auto"``: ``"recurrent"`` for the supervised task, ``"all-to-all"``
  for the noise task (:data:`TASK_GRAPH_DEFAULTS`);
- ``graph.self_loops`` unset: true for the noise task's default graph (the paper's
  dense matrix, 300 neurons all-to-all with self-loops), false otherwise (a family
  you name has no self-loops unless you set ``graph.self_loops = true``);
- ``train.snapshot_epochs`` unset: the epochs of :data:`DEFAULT_SNAPSHOT_EPOCHS`
  up to ``train.epochs``, and always the final epoch;
- ``graph.weights = "auto"``: ``"random"`` for a family that is built (no weights of its
  own), ``"file"`` for a connectome (its synapse counts); for ``graph.family = "file"``
  the run decides once it has read the file (``"file"`` when the file has edge weights),
  as it does ``graph.weight_scale = "auto"``
  (:func:`wiring.graphs.families.load_source`), and its ``config.toml`` records both.

Examples
--------
>>> cfg = TrainConfig()
>>> cfg.train.rule, cfg.data.name, cfg.graph.family
('balance-exact', 'digits', 'auto')
>>> resolve_config(cfg).graph.family
'recurrent'
>>> cfg2 = apply_overrides(cfg, ["train.learning_rate=0.1"])
>>> cfg2.train.learning_rate
0.1
"""

from __future__ import annotations

import dataclasses
import tomllib
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path

from wiring.errors import ConfigError

__all__ = [
    "TaskConfig", "DataConfig", "GraphConfig", "NeuronConfig", "TrainSettings",
    "SimulationConfig", "TrainConfig", "TASK_GRAPH_DEFAULTS", "DEFAULT_SNAPSHOT_EPOCHS",
    "load_config", "apply_overrides", "resolve_config", "default_snapshot_epochs",
    "config_to_dict",
]

#: What ``graph.family = "auto"`` and an unset ``graph.self_loops`` become, per
#: ``task.kind`` (see :func:`resolve_config`). The noise task's default is the paper's
#: network for Algorithm 1: every neuron connected to every neuron, itself included.
TASK_GRAPH_DEFAULTS = {"supervised": {"family": "recurrent", "self_loops": False},
                       "noise": {"family": "all-to-all", "self_loops": True}}

#: The epochs snapshotted when ``train.snapshot_epochs`` is unset (those up to
#: ``train.epochs``, plus the final epoch: see :func:`default_snapshot_epochs`).
DEFAULT_SNAPSHOT_EPOCHS = (0, 1, 2, 4, 8)


@dataclass(frozen=True)
class TaskConfig:
    """What ``wiring train`` runs: ``kind`` = "supervised" or "noise" (Algorithm 1)."""

    kind: str = "supervised"
    seed: int = 0


@dataclass(frozen=True)
class DataConfig:
    """Data set (supervised task): ``name`` in digits, mnist1d, teacher, npz, csv, idx.

    ``holdout`` says what the run evaluates on: ``"test"`` (the test split) or
    ``"validation"`` (the last ``ceil(validation_fraction x n_train)`` samples of the
    training split, which are then not trained on; the test split is not touched), for
    choosing hyperparameters without looking at the test set.

    ``n_samples`` is the sample count of the generated sets (mnist1d, teacher).
    ``n_features`` and ``n_classes`` size the teacher task (``name = "teacher"``,
    :func:`wiring.data.load_teacher`: a fixed random linear map from the inputs, labels
    the output it drives most); 0 (the default) means "from the graph": the input and
    output neurons ``graph.inputs``/``graph.outputs`` pick in a graph file or connectome
    (``graph.family = "file"`` or ``"connectome"``), e.g. sensory -> motor. A family that
    is built numbers its inputs and outputs from the data, so it needs both set (> 0);
    for a read graph a value > 0 must equal the graph's count. Other data sets have
    their own sizes and take neither.
    """

    name: str = "digits"
    path: str = ""
    test_path: str = ""
    labels_path: str = ""
    test_labels_path: str = ""
    test_fraction: float = 0.25
    holdout: str = "test"
    validation_fraction: float = 0.2
    n_samples: int = 4000
    n_features: int = 0  # teacher: inputs; 0 = the graph's input neurons
    n_classes: int = 0  # teacher: classes; 0 = the graph's output neurons
    x_key: str = "X"
    y_key: str = "y"
    label_column: int = -1


@dataclass(frozen=True)
class GraphConfig:
    """Graph family and its parameters.

    ``family``: recurrent (inputs -> recurrent hidden -> outputs), layered, all-to-all,
    erdos-renyi, sbm, small-world, file (``path`` to .graphml/.gexf/.csv), connectome
    (``name``, one of :func:`wiring.connectomes.available`, with ``synapses`` and
    ``cells`` as :func:`wiring.connectomes.load` takes them), or auto (the default:
    recurrent for the supervised task, all-to-all for the noise task). For data tasks the
    input/output counts come from the data. ``self_loops`` left unset (``None``) is true
    for the noise task's default graph and false otherwise; :func:`resolve_config` fills
    both in.

    A file or connectome graph says itself which neurons are inputs and outputs:
    ``inputs``/``outputs`` are a list of node names (node ids as written in the file; a
    CSV edge list's integer ids), ``"ATTR=VALUE"`` (the nodes whose attribute ``ATTR``
    is ``VALUE``, e.g. ``"class=sensory"``), ``"ATTR"`` (a boolean node attribute), or
    ``""`` (the default: the boolean attributes ``input``/``output`` where a GraphML or
    GEXF file has them, else none). ``weights``: the initial weights, ``"file"`` (the
    file's edge weights or the connectome's synapse counts, times ``weight_scale``) or
    ``"random"`` (drawn as for any family, ``neurons.init_scale``); ``"auto"`` (the
    default) is ``"file"`` where there are weights. ``weight_scale`` ``"auto"`` is 1 for a
    file's weights and, for synapse counts, the factor that gives them the random
    initialisation's root-mean-square weight (:func:`wiring.graphs.families.load_source`).
    """

    family: str = "auto"
    hidden: int = 100
    sizes: list[int] = field(default_factory=list)
    skip: bool = False
    recurrent_density: float = 0.1
    input_density: float = 1.0
    output_density: float = 1.0
    feedback_density: float = 0.0
    n: int = 300
    density: float = 0.1
    blocks: int = 4
    p_in: float = 0.3
    p_out: float = 0.02
    k: int = 10
    rewire: float = 0.1
    self_loops: bool | None = None  # None: the task's default (see resolve_config)
    path: str = ""
    name: str = ""  # family "connectome": which one (wiring.connectomes.available())
    synapses: str = "chemical"  # family "connectome": "chemical" | "electrical"
    cells: str = "neurons"  # family "connectome": "neurons" | "all"
    # families "file" and "connectome": node names, "ATTR=VALUE", "ATTR", or "" (default)
    inputs: str | list[str | int] = ""
    outputs: str | list[str | int] = ""
    weights: str = "auto"  # "auto" | "file" | "random" (see resolve_config)
    weight_scale: float | str = "auto"  # a factor for the file's weights, or "auto"


@dataclass(frozen=True)
class NeuronConfig:
    """Neuron model and initial weights."""

    activation: str = "tanh"
    output_activation: str = "linear"
    balance: str = "derivative"
    balance_center: float = 0.0
    balance_width: float = 1.0
    init_scale: float = 1.0
    unit_magnitude: bool = False


@dataclass(frozen=True)
class TrainSettings:
    """Supervised training."""

    rule: str = "balance-exact"
    loss: str = "cross-entropy"
    learning_rate: float = 0.02
    epochs: int = 8
    batch_size: int = 1
    tol: float = 1e-8
    max_iter: int = 1000
    method: str = "auto"  # "auto" | "jacobi" | "gauss-seidel"
    warm_start: bool = False
    on_diverge: str = "record"
    weight_limit: float = 1e6  # max |w| past this: the run diverged (wiring.divergence)
    kernel: str = "auto"  # "auto" | "sample" | "batch" (see wiring.train.fit)
    dtype: str = "float64"  # "float64" | "float32" (batch kernel)
    threads: int = 0  # numba threads of the batch kernel; 0 = automatic (fit's threads=None)
    probes: int = 0  # > 0: rule-vs-gradient alignment and prediction probes on this
    #                 many test samples at every snapshot (probes.parquet)
    # None: DEFAULT_SNAPSHOT_EPOCHS up to `epochs`, plus `epochs` (see resolve_config)
    snapshot_epochs: list[int] | None = None


@dataclass(frozen=True)
class SimulationConfig:
    """The paper's Algorithm 1 (``task.kind = "noise"``) on ``graph`` (default: 300
    neurons all-to-all with self-loops, the paper's dense matrix)."""

    learning_rate: float = 0.01
    learning_rate_end: float = 0.0  # > 0: geometric schedule learning_rate -> this
    stages: int = 1  # blocks of equal length in the schedule
    iterations: int = 20000
    prune: float = 0.9
    pruning: str = "regrow"
    mode: str = "one-step"
    clamped_fraction: float = 0.1
    noise_rate: float = 0.1
    noise_credit: float = 0.1
    tol: float = 1e-8
    max_iter: int = 500
    weight_limit: float = 1e6
    snapshots: int = 10


@dataclass(frozen=True)
class TrainConfig:
    """Everything ``wiring train`` needs; each section is a dataclass above."""

    task: TaskConfig = field(default_factory=TaskConfig)
    data: DataConfig = field(default_factory=DataConfig)
    graph: GraphConfig = field(default_factory=GraphConfig)
    neurons: NeuronConfig = field(default_factory=NeuronConfig)
    train: TrainSettings = field(default_factory=TrainSettings)
    simulation: SimulationConfig = field(default_factory=SimulationConfig)


def _coerce(value, annotation, where: str):
    """Check ``value`` against a field's type; ints are accepted for floats."""
    hint = annotation
    origin = typing.get_origin(hint)
    if origin in (list,):
        (item,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(f"{where} must be a list, got {type(value).__name__} {value!r}")
        return [_coerce(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
    if isinstance(hint, types.UnionType):  # `X | None`: None (Python only) means unset
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if value is None and len(args) < len(typing.get_args(hint)):
            return None
        if len(args) == 1:
            return _coerce(value, args[0], where)
        # `X | Y`: the first that fits; a list is judged by the list type (its items named)
        lists = [a for a in args if typing.get_origin(a) is list]
        if isinstance(value, list) and lists:
            return _coerce(value, lists[0], where)
        for arg in args:
            if arg in lists:
                continue
            try:
                return _coerce(value, arg, where)
            except ConfigError:
                pass
        kinds = {str: "a string", float: "a number", int: "an integer", bool: "true or false"}
        want = " or ".join(kinds.get(a, "a list") for a in args)
        raise ConfigError(f"{where} must be {want}, got {value!r}")
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{where} must be true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{where} must be an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{where} must be a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{where} must be a string, got {value!r}")
        return value
    raise ConfigError(f"{where}: unsupported type {hint}")  # pragma: no cover


def _merge(obj, mapping: dict, source: str, prefix: str = ""):
    if not isinstance(mapping, dict):
        raise ConfigError(f"{source}: [{prefix.rstrip('.')}] must be a table")
    hints = typing.get_type_hints(type(obj))
    names = {f.name for f in dataclasses.fields(obj)}
    changes = {}
    for key, value in mapping.items():
        if key not in names:
            raise ConfigError(
                f"{source}: unknown key '{prefix}{key}'; "
                f"valid keys here: {', '.join(sorted(names))}"
            )
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            changes[key] = _merge(current, value, source, f"{prefix}{key}.")
        else:
            changes[key] = _coerce(value, hints[key], f"{source}: '{prefix}{key}'")
    return dataclasses.replace(obj, **changes)


def load_config(
    path: str | Path | None = None, *, base: TrainConfig | None = None
) -> TrainConfig:
    """Read a TOML file over the defaults (or over ``base``).

    Parameters
    ----------
    path : str or Path, optional
        A TOML file; ``None`` returns the defaults.
    base : TrainConfig, optional
        What the file overrides (default: :class:`TrainConfig` defaults).

    Returns
    -------
    TrainConfig

    Raises
    ------
    ConfigError
        Unreadable file, TOML syntax error, unknown key or wrong type; the message
        names the file and the key.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False) as fh:
    ...     _ = fh.write("[train]\\nepochs = 3\\n")
    >>> load_config(fh.name).train.epochs
    3
    >>> os.remove(fh.name)
    """
    cfg = base or TrainConfig()
    if path is None:
        return cfg
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:  # TOML is UTF-8 by definition
        raise ConfigError(f"{path}: not UTF-8 text (TOML files are UTF-8): {exc}") from None
    try:
        mapping = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return _merge(cfg, mapping, str(path))


def apply_overrides(cfg: TrainConfig, overrides: list[str]) -> TrainConfig:
    """Apply ``section.key=value`` strings (values in TOML syntax; bare words are strings).

    Parameters
    ----------
    cfg : TrainConfig
    overrides : list of str

    Returns
    -------
    TrainConfig

    Examples
    --------
    >>> apply_overrides(TrainConfig(), ["train.rule=fa"]).train.rule
    'fa'
    """
    for item in overrides:
        if "=" not in item:
            raise ConfigError(f"--set {item!r}: expected SECTION.KEY=VALUE, one word with '=' "
                              "and no spaces (e.g. --set train.learning_rate=0.05)")
        key, raw = item.split("=", 1)
        try:
            value = tomllib.loads(f"v = {raw}")["v"]
        except tomllib.TOMLDecodeError:
            value = raw
        parts = key.strip().split(".")
        mapping: dict = {}
        node = mapping
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
        cfg = _merge(cfg, mapping, "--set")
    return cfg


def default_snapshot_epochs(epochs: int) -> list[int]:
    """The epochs snapshotted when ``train.snapshot_epochs`` is unset.

    Those of :data:`DEFAULT_SNAPSHOT_EPOCHS` up to ``epochs``, and ``epochs`` itself,
    so the trained network is always saved (``[0, 1, 2, 4, 8]`` for the default 8
    epochs).

    Parameters
    ----------
    epochs : int
        ``train.epochs``.

    Returns
    -------
    list of int
        Sorted, without repeats.

    Examples
    --------
    >>> default_snapshot_epochs(8), default_snapshot_epochs(2), default_snapshot_epochs(20)
    ([0, 1, 2, 4, 8], [0, 1, 2], [0, 1, 2, 4, 8, 20])
    """
    keep = {e for e in DEFAULT_SNAPSHOT_EPOCHS if e <= epochs}
    if epochs >= 0:
        keep.add(epochs)
    return sorted(keep)


def resolve_config(cfg: TrainConfig) -> TrainConfig:
    """``cfg`` with the defaults that depend on other keys filled in.

    ``graph.family = "auto"`` becomes the task's family and an unset
    ``graph.self_loops`` the task's choice for it (:data:`TASK_GRAPH_DEFAULTS`; a
    family named explicitly has no self-loops unless ``graph.self_loops`` says so);
    an unset ``train.snapshot_epochs`` becomes :func:`default_snapshot_epochs` of
    ``train.epochs``; for the noise task ``train.rule`` is ``"balance"``, the paper's
    rule that Algorithm 1 runs (the task reads no other key of ``[train]``);
    ``graph.weights = "auto"`` becomes ``"random"`` for a family that is built and
    ``"file"`` for a connectome (for a graph file it stays ``"auto"`` until the run reads
    the file: :func:`wiring.graphs.families.load_source`). Values that are set are kept as
    they are. ``config.toml`` holds the resolved configuration, so it always describes
    what ran.

    Parameters
    ----------
    cfg : TrainConfig

    Returns
    -------
    TrainConfig
        With concrete values only (resolving it again changes nothing).

    Examples
    --------
    >>> cfg = apply_overrides(TrainConfig(), ["task.kind='noise'"])
    >>> g = resolve_config(cfg).graph
    >>> g.family, g.self_loops, resolve_config(cfg).train.rule
    ('all-to-all', True, 'balance')
    >>> g = resolve_config(apply_overrides(cfg, ["graph.self_loops=false"])).graph
    >>> g.family, g.self_loops
    ('all-to-all', False)
    >>> resolve_config(apply_overrides(TrainConfig(), ["train.epochs=3"])).train.snapshot_epochs
    [0, 1, 2, 3]
    """
    rep = dataclasses.replace
    g, t = cfg.graph, cfg.train
    # an unknown task.kind is validate()'s to report; resolve as for the supervised task
    task = TASK_GRAPH_DEFAULTS.get(cfg.task.kind, TASK_GRAPH_DEFAULTS["supervised"])
    family, self_loops = g.family, g.self_loops
    if family == "auto":
        family = task["family"]
        if self_loops is None:
            self_loops = task["self_loops"]
    if self_loops is None:
        self_loops = False
    snaps = t.snapshot_epochs
    if snaps is None:
        snaps = default_snapshot_epochs(t.epochs)
    rule = "balance" if cfg.task.kind == "noise" else t.rule  # what Algorithm 1 runs
    weights = g.weights
    if weights == "auto" and family != "file":  # a file's weights: known once it is read
        weights = "file" if family == "connectome" else "random"
    return rep(cfg, graph=rep(g, family=family, self_loops=self_loops, weights=weights),
               train=rep(t, snapshot_epochs=list(snaps), rule=rule))


def config_to_dict(cfg: TrainConfig) -> dict:
    """The resolved configuration as a nested dict (what ``config.toml`` holds).

    Parameters
    ----------
    cfg : TrainConfig
        Resolved first (:func:`resolve_config`).

    Returns
    -------
    dict

    Examples
    --------
    >>> config_to_dict(TrainConfig())["train"]["rule"]
    'balance-exact'
    >>> config_to_dict(TrainConfig())["graph"]["family"]
    'recurrent'
    """
    return dataclasses.asdict(resolve_config(cfg))


def _upgrade_legacy(config: dict) -> bool:
    """Rewrite a resolved configuration (``config.toml``, a sweep group) written by an
    earlier wiring in today's terms, in place; True if it changed. That noise task built
    the paper's all-to-all graph with self-loops whatever ``graph`` said while
    ``graph.family`` was "recurrent" (the default then), and recorded "recurrent"; today
    that family is an error there."""
    graph, task = config.get("graph"), config.get("task")
    if not (isinstance(graph, dict) and isinstance(task, dict) and task.get("kind") == "noise"
            and graph.get("family") == "recurrent"):
        return False
    graph["family"] = "all-to-all"
    graph["self_loops"] = True
    return True
