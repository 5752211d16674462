"""A read-only view of one run directory: :func:`open_run` -> :class:`Run`.

Re-exported by :mod:`wiring.runs` (import from there). The view reads the
configuration, the status and the list of snapshots when it is opened; metrics,
provenance and snapshot arrays are read from disk when asked for, so a view of a
run still in progress shows what is there. In Jupyter it displays as a summary:
status, the configuration's key settings, the last metrics rows and the snapshots.

Examples
--------
>>> import tempfile
>>> from wiring import runs
>>> tmp = tempfile.TemporaryDirectory()
>>> d = runs.prepare_run_dir(tmp.name + "/run")
>>> _ = runs.write_config(d, {"task": {"kind": "noise", "seed": 0}})
>>> _ = runs.write_snapshot(d, 0, src=[0], dst=[1], weight=[0.5], bias=[0.0, 0.0],
...                         inputs=[0], outputs=[1], n=2)
>>> run = open_run(d)
>>> run.finished, run.steps
(False, [0])
>>> _ = runs.write_status(d, "ok")
>>> open_run(d)
Run('run', status='ok', task='noise', snapshots=1)
>>> tmp.cleanup()
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from wiring._html import summary_html
from wiring.runs.atomic import RunFormatError
from wiring.runs.nodes import read_nodes
from wiring.runs.rundir import read_config, read_metrics, read_status
from wiring.runs.snapshots import Snapshot, _run_dir, list_snapshots, load_snapshot

__all__ = ["Run", "open_run"]

#: Configuration keys a run's summary shows, by task kind.
SUMMARY_KEYS = {
    "supervised": ("task.seed", "data.name", "graph.family", "graph.hidden", "train.rule",
                   "train.loss", "train.learning_rate", "train.epochs", "train.batch_size"),
    "noise": ("task.seed", "graph.family", "graph.n", "simulation.learning_rate",
              "simulation.iterations", "simulation.prune", "simulation.pruning",
              "simulation.mode"),
}
#: Metrics columns of the summary's table (those present), last rows.
TAIL_COLUMNS = ("epoch", "iteration", "step", "train_loss", "test_accuracy",
                "weight_abs_max", "density")
TAIL_ROWS = 5


@dataclass(frozen=True, eq=False)
class Run:
    """A read-only view of a run directory (see :mod:`wiring.runs` for the format).

    Open one with :func:`open_run`.

    Attributes
    ----------
    path : Path
        The run directory.
    config : dict
        ``config.toml``, as :func:`wiring.runs.read_config` returns it.
    status : dict or None
        ``status.json``; ``None`` while the run is unfinished.
    snapshot_paths : tuple of Path
        The snapshot files, by increasing step.

    Examples
    --------
    >>> import tempfile
    >>> from wiring import runs
    >>> tmp = tempfile.TemporaryDirectory()
    >>> d = runs.prepare_run_dir(tmp.name + "/r")
    >>> _ = runs.write_config(d, {"task": {"kind": "supervised"}, "train": {"rule": "fa"}})
    >>> open_run(d).summary()
    {'task': 'supervised', 'train.rule': 'fa'}
    >>> tmp.cleanup()
    """

    path: Path
    config: dict
    status: dict | None
    snapshot_paths: tuple[Path, ...]

    @property
    def finished(self) -> bool:
        """True once ``status.json`` exists (the run ended: ok, unstable or failed)."""
        return self.status is not None

    @property
    def steps(self) -> list[int]:
        """Training steps of the snapshots, increasing."""
        return [int(p.stem.split("_", 1)[1]) for p in self.snapshot_paths]

    def summary(self) -> dict[str, Any]:
        """Return the key settings of the configuration.

        Returns
        -------
        dict
            ``task`` (the task kind) and the ``SUMMARY_KEYS`` of that kind
            present in ``config.toml``, as ``"section.key": value``.

        Examples
        --------
        >>> Run(Path("r"), {"task": {"kind": "noise"}, "graph": {"n": 30}}, None, ()).summary()
        {'task': 'noise', 'graph.n': 30}
        """
        kind = self.config.get("task", {}).get("kind", "?")
        out: dict[str, Any] = {"task": kind}
        for key in SUMMARY_KEYS.get(kind, ()):
            section, name = key.split(".")
            value = self.config.get(section, {}).get(name)
            if value is not None:
                out[key] = value
        return out

    def metrics(self) -> pd.DataFrame:
        """Read the metrics table (:func:`wiring.runs.read_metrics`).

        Returns
        -------
        DataFrame
            One row per epoch or checkpoint.

        Examples
        --------
        >>> import tempfile
        >>> from wiring import runs
        >>> tmp = tempfile.TemporaryDirectory()
        >>> d = runs.prepare_run_dir(tmp.name + "/r")
        >>> _ = runs.write_config(d, {"task": {"kind": "noise"}})
        >>> _ = runs.write_metrics(d, {"iteration": [0, 100], "density": [1.0, 0.5]})
        >>> open_run(d).metrics()["density"].tolist()
        [1.0, 0.5]
        >>> tmp.cleanup()
        """

        return read_metrics(self.path)

    def nodes(self) -> pd.DataFrame | None:
        """Read the neurons' names and attributes (:func:`wiring.runs.read_nodes`).

        Returns
        -------
        DataFrame or None
            One row per neuron (``neuron``, ``name``, ``is_input``, ``is_output``, then
            the node attributes); ``None`` when the run has no nodes file (its neurons
            are known by index only).

        Examples
        --------
        >>> import tempfile
        >>> from wiring import runs
        >>> tmp = tempfile.TemporaryDirectory()
        >>> d = runs.prepare_run_dir(tmp.name + "/r")
        >>> _ = runs.write_config(d, {"task": {"kind": "noise"}})
        >>> open_run(d).nodes() is None
        True
        >>> _ = runs.write_table(d, "nodes", {"neuron": [0, 1], "name": ["AVAL", "AVAR"]})
        >>> open_run(d).nodes()["name"].tolist()
        ['AVAL', 'AVAR']
        >>> tmp.cleanup()
        """
        return read_nodes(self.path)

    def snapshot(self, step: int | None = None) -> Snapshot:
        """Load one snapshot.

        Parameters
        ----------
        step : int, optional
            Training step (default: the last snapshot).

        Returns
        -------
        Snapshot

        Raises
        ------
        RunFormatError
            If the run has no snapshot of that step (the message lists the steps).

        Examples
        --------
        >>> import tempfile
        >>> from wiring import runs
        >>> tmp = tempfile.TemporaryDirectory()
        >>> d = runs.prepare_run_dir(tmp.name + "/r")
        >>> _ = runs.write_config(d, {"task": {"kind": "noise"}})
        >>> for k in (0, 10):
        ...     _ = runs.write_snapshot(d, k, src=[0], dst=[1], weight=[k / 10], bias=[0.0, 0.0],
        ...                             inputs=[0], outputs=[1], n=2)
        >>> open_run(d).snapshot().weight.tolist(), open_run(d).snapshot(0).weight.tolist()
        ([1.0], [0.0])
        >>> tmp.cleanup()
        """
        steps = self.steps
        if step is None and steps:
            return load_snapshot(self.snapshot_paths[-1])
        if step in steps:
            return load_snapshot(self.snapshot_paths[steps.index(step)])
        raise RunFormatError(f"run {str(self.path)!r} has no snapshot of `step` {step!r}; "
                             f"its steps are {steps}")

    def __repr__(self) -> str:
        status = self.status["status"] if self.status else "unfinished"
        return (f"Run({self.path.name!r}, status={status!r}, "
                f"task={self.summary()['task']!r}, snapshots={len(self.snapshot_paths)})")

    def _repr_html_(self) -> str:
        if self.status is None:
            status = "unfinished (no status.json yet)"
        else:
            status = self.status["status"] + (f": {self.status['reason']}"
                                               if self.status.get("reason") else "")
        rows: list[tuple[str, Any]] = [("path", str(self.path)), ("status", status)]
        rows += list(self.summary().items())
        steps = self.steps
        shown = ", ".join(map(str, steps if len(steps) <= 8 else [*steps[:3], "...",
                                                                    *steps[-3:]]))
        rows.append(("snapshots", f"{len(steps)}: steps {shown}" if steps else "0"))
        try:
            metrics = self.metrics()
        except RunFormatError:  # not written yet (a run in progress) or unreadable
            metrics = pd.DataFrame()
        columns = [c for c in TAIL_COLUMNS if c in metrics.columns]
        tail = metrics[columns].tail(TAIL_ROWS).values.tolist() if columns else []
        return summary_html("wiring run", rows, table=("last metrics rows", columns, tail))


def open_run(path: str | os.PathLike) -> Run:
    """Open a run directory as a read-only :class:`Run` view.

    Parameters
    ----------
    path : str or path-like
        A run directory (one holding ``config.toml``).

    Returns
    -------
    Run

    Raises
    ------
    RunFormatError
        If ``path`` is not a directory, or ``config.toml`` or ``status.json`` is
        missing or unreadable (the message names the file).

    Examples
    --------
    >>> open_run("/nonexistent/run")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wiring.runs.RunFormatError: run directory '/nonexistent/run' does not exist ...
    """

    path = _run_dir(path)
    return Run(path=path, config=read_config(path), status=read_status(path),
               snapshot_paths=tuple(list_snapshots(path)))
