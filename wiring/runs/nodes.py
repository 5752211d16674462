"""The neurons' names and attributes of a run: ``nodes.parquet`` / ``nodes.csv``.

Re-exported by :mod:`wiring.runs` (import from there). ``wiring train`` writes the file
when its graph's neurons have names or attributes (a GraphML or GEXF graph file, a
connectome), ``wiring analyse`` when the weights came with named nodes (GraphML, GEXF, a
CSV edge list with non-integer ids); other runs have none (the format is in
:mod:`wiring.runs.rundir`). :func:`read_nodes` reads it back, checked, or says there is
none, so a reader (the analysis tables, the Gephi files, the report) shows names where
there are some and neuron indices otherwise.

Examples
--------
>>> import tempfile
>>> from wiring import runs
>>> tmp = tempfile.TemporaryDirectory()
>>> d = runs.prepare_run_dir(tmp.name + "/run")
>>> read_nodes(d) is None                       # an older run, or an unnamed graph
True
>>> _ = runs.write_table(d, "nodes", {"neuron": [0, 1], "name": ["AVAL", "AVAR"],
...                                   "is_input": [True, False],
...                                   "is_output": [False, True],
...                                   "class": ["inter", "inter"]})
>>> nodes = read_nodes(d, n=2)
>>> nodes["name"].tolist(), [c for c in nodes.columns if c not in NODE_COLUMNS]
(['AVAL', 'AVAR'], ['class'])
>>> tmp.cleanup()
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pyarrow

from wiring.runs.atomic import RunFormatError
from wiring.runs.snapshots import _run_dir

__all__ = ["NODES_PARQUET", "NODES_CSV", "NODE_COLUMNS", "read_nodes"]

NODES_PARQUET = "nodes.parquet"
NODES_CSV = "nodes.csv"
#: The first columns of the nodes table; every further column is a node attribute (an
#: attribute named like one of these is written as ``attr_<name>``).
NODE_COLUMNS = ("neuron", "name", "is_input", "is_output")


def read_nodes(run_dir: str | os.PathLike, *, n: int | None = None) -> pd.DataFrame | None:
    """Read the nodes table of a run: each neuron's name and attributes, or None.

    Parameters
    ----------
    run_dir : str or path-like
        A run directory.
    n : int, optional
        The run's number of neurons (a snapshot's ``n``): the table must then have
        exactly ``n`` rows.

    Returns
    -------
    DataFrame or None
        ``None`` when the run has neither ``nodes.parquet`` nor ``nodes.csv`` (its
        neurons are known by index only). Otherwise one row per neuron, row ``i``
        describing neuron ``i``: ``neuron`` (int64, ``0 .. n-1``), ``name`` (str),
        ``is_input`` and ``is_output`` (bool, where written), then one column per node
        attribute (:data:`NODE_COLUMNS` are the fixed ones). The Parquet file is read
        when there is one, else the CSV, whose ``name`` column is read as text as
        written (``"007"`` and ``"NA"`` stay names); attribute types from a CSV are
        pandas' guesses.

    Raises
    ------
    RunFormatError
        If the file read is unreadable, lacks ``neuron`` or ``name``, has a
        ``neuron`` column other than ``0 .. n-1`` in order, an empty name, or a number
        of rows other than ``n`` (the message names the file and column).

    Examples
    --------
    >>> import tempfile
    >>> from wiring import runs
    >>> tmp = tempfile.TemporaryDirectory()
    >>> d = runs.prepare_run_dir(tmp.name + "/run")
    >>> _ = runs.write_table(d, "nodes", {"neuron": [0, 1], "name": ["007", "NA"]})
    >>> (d / "nodes.parquet").unlink()              # the CSV keeps names as written
    >>> read_nodes(d)["name"].tolist()
    ['007', 'NA']
    >>> read_nodes(d, n=3)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    wiring.runs.RunFormatError: ...nodes.csv' has 2 rows; the run's snapshots have 3 neurons
    >>> tmp.cleanup()
    """
    run = _run_dir(run_dir)
    pq_path, csv_path = run / NODES_PARQUET, run / NODES_CSV
    if pq_path.is_file():
        path = pq_path
        try:
            table = pd.read_parquet(pq_path, engine="pyarrow")
        except (pyarrow.ArrowException, OSError) as exc:
            raise RunFormatError(f"{str(pq_path)!r} is not a readable Parquet file: "
                                 f"{exc}") from None
    elif csv_path.is_file():
        path = csv_path
        try:
            table = pd.read_csv(csv_path)
            if "name" in table:  # names as written: no "007" -> 7, no "NA" -> NaN
                table["name"] = pd.read_csv(csv_path, usecols=["name"], dtype=str,
                                            keep_default_na=False)["name"]
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise RunFormatError(f"{str(csv_path)!r} is not a readable CSV file: "
                                 f"{exc}") from None
    else:
        return None
    return _checked(table, str(path), n)


def _checked(table: pd.DataFrame, where: str, n: int | None) -> pd.DataFrame:
    for col in ("neuron", "name"):
        if col not in table:
            raise RunFormatError(f"{where!r} has no column `{col}`; its columns are "
                                 f"{', '.join(map(str, table.columns))}")
    if n is not None and len(table) != n:
        raise RunFormatError(f"{where!r} has {len(table)} rows; the run's snapshots have "
                             f"{n} neurons")
    neuron = pd.to_numeric(table["neuron"], errors="coerce").to_numpy(dtype=float)
    wrong = np.flatnonzero(neuron != np.arange(len(table)))
    if wrong.size:
        i = int(wrong[0])
        raise RunFormatError(f"{where!r}: column `neuron` must be 0 .. n-1 in order (row i "
                             f"describes neuron i); row {i} has {table['neuron'].tolist()[i]!r}")
    empty = np.flatnonzero(table["name"].isna().to_numpy()
                           | (table["name"].astype(str).str.len() == 0).to_numpy())
    if empty.size:
        raise RunFormatError(f"{where!r}: column `name` is empty for neuron {int(empty[0])}")
    table = table.copy()
    table["neuron"] = table["neuron"].astype(np.int64)
    table["name"] = table["name"].astype(str)
    return table
