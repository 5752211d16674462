"""Configuration: frozen dataclasses are the one home of every default.

A TOML file overrides the defaults section by section; ``--set section.key=value``
on the command line overrides the file. Unknown sections or keys and values of
the wrong type are errors that name the file and the key. The resolved
configuration is written into every run directory as ``config.toml``.

``wiring train`` reads :class:`TrainConfig`. ``task.kind`` picks what runs:
``"supervised"`` trains a network on data with a learning rule;
``"noise"`` runs the paper's Algorithm 1 (noise instead of clamping, credit-clamped
neurons, pruning) with the ``[simulation]`` section.

Examples
--------
>>> cfg = TrainConfig()
>>> cfg.train.rule, cfg.data.name, cfg.graph.family
('balance-exact', 'digits', 'recurrent')
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
    "SimulationConfig", "TrainConfig", "load_config", "apply_overrides", "config_to_dict",
]


@dataclass(frozen=True)
class TaskConfig:
    """What ``wiring train`` runs: ``kind`` = "supervised" or "noise" (Algorithm 1)."""

    kind: str = "supervised"
    seed: int = 0


@dataclass(frozen=True)
class DataConfig:
    """Data set (supervised task): ``name`` in digits, mnist1d, npz, csv, idx."""

    name: str = "digits"
    path: str = ""
    test_path: str = ""
    labels_path: str = ""
    test_labels_path: str = ""
    test_fraction: float = 0.25
    n_samples: int = 4000
    x_key: str = "X"
    y_key: str = "y"
    label_column: int = -1


@dataclass(frozen=True)
class GraphConfig:
    """Graph family and its parameters.

    ``family``: recurrent (inputs -> recurrent hidden -> outputs), layered, all-to-all,
    erdos-renyi, sbm, small-world, or file (``path`` to .graphml/.gexf/.csv).
    For data tasks the input/output counts come from the data.
    """

    family: str = "recurrent"
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
    self_loops: bool = False
    path: str = ""


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
    kernel: str = "auto"  # "auto" | "sample" | "batch" (see wiring.train.fit)
    dtype: str = "float64"  # "float64" | "float32" (batch kernel)
    threads: int = 0  # numba threads of the batch kernel; 0 = automatic (fit's threads=None)
    probes: int = 0  # > 0: rule-vs-gradient alignment and prediction probes on this
    #                 many test samples at every snapshot (probes.parquet)
    snapshot_epochs: list[int] = field(default_factory=lambda: [0, 1, 2, 4, 8])


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
    if isinstance(hint, types.UnionType):
        raise ConfigError(f"{where}: unsupported type")  # not used
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
            raise ConfigError(f"--set {item!r}: expected section.key=value")
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


def config_to_dict(cfg: TrainConfig) -> dict:
    """The configuration as a nested dict (what ``config.toml`` holds).

    Parameters
    ----------
    cfg : TrainConfig

    Returns
    -------
    dict

    Examples
    --------
    >>> config_to_dict(TrainConfig())["train"]["rule"]
    'balance-exact'
    """
    return dataclasses.asdict(cfg)
