"""Assemble the report of an analysed sweep and render it with the template files.

The report is built from what is on disk only: the tables in ``<sweep>/analysis/``
(Parquet, falling back to the CSV twins), ``analysis/settings.json``, the weight
snapshots named in ``snapshots.snapshot_path``, ``<sweep>/sweep.toml`` and
``<sweep>/provenance.json``. Sections, in order: the verdicts (one row per group and
learning rate of the ``regimes`` table, the regime definitions and which null decides;
:mod:`community.report.verdicts`); summary; weight matrices in Leiden order beside
block-model order (a block-level view for graphs of more than
:data:`community.plot.HEATMAP_MAX_NEURONS` neurons); the interactive network view
(plotly, :mod:`community.report.network_view`: pan, zoom, hover, a slider over the
snapshots of a run); block matrices; structure against the learning rate, with the
null models' means; null-model z-scores of each signature; communities; roles;
emergence over training; training and convergence; regimes; skipped; configuration and
provenance.

Only runs that ended "ok" are analysed, and only they are drawn: rows of any other run
in the snapshots, neurons or blocks tables (an older analysis wrote them) are dropped
on loading and listed under *Skipped*; the training curves keep unstable runs, dashed.

Missing pieces never stop the build: an absent table gives a short note in its
section, and a snapshot file that cannot be read is listed under *Skipped* (with
stage ``report``) while the next seed of the same learning rate is tried.

The section builders and the content model they fill live in
:mod:`community.report.sections`; this module loads the inputs, runs the builders
in order and renders and writes the result.

Outputs, each written to a temporary file and moved into place with
:func:`os.replace`::

    <out_dir>/report.html        self-contained: PNG figures as data: URIs, inline CSS;
                                 scripts only when the network view has a figure:
                                 plotly.js (plotly's basic partial bundle, 1.2 MB;
                                 network_view.plotly_js), inlined
                                 once, and one plotly figure call per figure
    <out_dir>/report.md          the same sections, figures referenced relatively
    <out_dir>/figures/*.png      the figures of report.md
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from community.plot import HEATMAP_MAX_NEURONS
from community.report import matrices as mx
from community.report import sections as sc
from community.report import verdicts
from community.report.kit import (
    FIGURE_DIR,
    Inputs,
    Item,
    Section,
    environment,
    group_colours,
    group_order,
    read_text,
    write_atomic,
)
from community.report.network_section import _network_section
from community.report.network_view import NETWORK_MAX_EDGES, NETWORK_MAX_NEURONS, plotly_js
from wiring.errors import WiringError

__all__ = ["build_report", "REPORT_HTML", "REPORT_MD", "FIGURE_DIR"]

log = logging.getLogger(__name__)

REPORT_HTML = "report.html"
REPORT_MD = "report.md"

_TABLES = ("runs", "snapshots", "neurons", "blocks", "regimes", "training", "skipped")

#: The section builders, in report order: the verdicts first.
_SECTIONS = (verdicts._verdicts, sc._summary, mx._heatmaps, _network_section, mx._blocks,
             verdicts._measures, verdicts._nulls, sc._communities, sc._roles, sc._emergence,
             sc._training, sc._regimes, sc._skipped, sc._config)
#: Sections that may be built in a second process: they read the tables only (not the
#: runs the weight-matrix section chose) and add nothing to *Skipped*. About half the work.
_FORKABLE = (verdicts._measures, verdicts._nulls, sc._communities, sc._emergence,
             sc._training)
#: Built last, in the parent: *Skipped* lists what every other section skipped.
_LAST = (sc._skipped, sc._config)
_BY_NAME = {make.__name__: make for make in _SECTIONS}


# --------------------------------------------------------------------------- helpers


def _read_table(analysis: Path, name: str, problems: list[dict[str, str]]) -> pd.DataFrame:
    for suffix, reader in ((".parquet", pd.read_parquet), (".csv", pd.read_csv)):
        path = analysis / f"{name}{suffix}"
        if not path.is_file():
            continue
        try:
            return reader(path)
        except pd.errors.EmptyDataError:  # an empty CSV: an empty table
            return pd.DataFrame()
        except (OSError, ValueError) as exc:  # unreadable: say so, try the CSV twin
            problems.append({"run_id": "", "group": "", "stage": "report",
                             "reason": f"cannot read {path.name}: {exc}"})
    return pd.DataFrame()


def _drop_unanalysed(tables: dict[str, pd.DataFrame], problems: list[dict[str, str]]
                     ) -> set[str]:
    """Remove every run that did not end "ok" from the snapshots, neurons and blocks tables.

    The analysis writes no such rows (an unstable run's last weights are not a result);
    tables of an older analysis may hold them, and they must not be drawn as results
    anywhere. The runs are listed under *Skipped*; the training table keeps them.
    """
    bad: dict[str, str] = {}
    runs_t, snaps = tables["runs"], tables["snapshots"]
    for df in (runs_t, snaps):
        if {"run_id", "run_status"} <= set(df.columns) and len(df):
            for rid, status in df.loc[df["run_status"].fillna("ok").astype(str) != "ok",
                                      ["run_id", "run_status"]].itertuples(index=False):
                bad.setdefault(str(rid), str(status))
    if not bad:
        return set()
    shown = set()
    for name in ("snapshots", "neurons", "blocks"):
        df = tables[name]
        if "run_id" in df and len(df):
            hit = df["run_id"].astype(str).isin(bad)
            if hit.any():
                shown |= set(df.loc[hit, "run_id"].astype(str))
                tables[name] = df[~hit].reset_index(drop=True)
    groups = (dict(zip(runs_t["run_id"].astype(str), runs_t["group"].fillna(""), strict=False))
              if {"run_id", "group"} <= set(runs_t.columns) else {})
    if "group" in snaps and "run_id" in snaps:
        groups.update(zip(snaps["run_id"].astype(str), snaps["group"].fillna(""),
                          strict=False))
    for rid in sorted(shown):
        problems.append({"run_id": rid, "group": str(groups.get(rid, "")), "stage": "report",
                         "reason": f"run ended {bad[rid]}: its rows in the analysis tables "
                                   "are not shown (its last weights are not a result)"})
    return shown


def _load_inputs(sweep: Path) -> Inputs:
    analysis = sweep / "analysis"
    problems: list[dict[str, str]] = []
    tables = {name: _read_table(analysis, name, problems) for name in _TABLES}
    snaps = tables["snapshots"]
    if len(snaps) and "is_final" not in snaps and {"run_id", "step"} <= set(snaps.columns):
        snaps["is_final"] = snaps["step"] == snaps.groupby("run_id")["step"].transform("max")
    if len(snaps) and "is_final" in snaps:
        snaps["is_final"] = snaps["is_final"].astype(bool)
    dropped = _drop_unanalysed(tables, problems)
    snaps = tables["snapshots"]
    training = tables["training"]
    for source in (tables["runs"], snaps):  # the runs table knows every run, also unstable
        if len(training) and len(source) and "run_id" in training and "run_id" in source:
            missing = [c for c in ("learning_rate", "seed", "run_status")
                       if c not in training and c in source]
            if missing:
                ids = source[["run_id", *missing]].drop_duplicates("run_id")
                training = training.merge(ids, on="run_id", how="left")
    tables["training"] = training
    try:
        settings = json.loads(read_text(analysis / "settings.json") or "{}")
    except ValueError as exc:
        problems.append({"run_id": "", "group": "", "stage": "report",
                         "reason": f"cannot read settings.json: {exc}"})
        settings = {}
    if not isinstance(settings, dict):
        settings = {}

    def setting(key: str, default: str) -> str:
        if key in settings:
            return str(settings[key])
        if key in snaps and snaps[key].notna().any():
            return ", ".join(str(v) for v in pd.unique(snaps[key].dropna()))
        return default

    describe = (f"Weight mode: {setting('weight_mode', 'unknown')}; quality function: "
                f"{setting('quality', 'unknown')} (resolution {setting('resolution', 'n/a')}), "
                "in every figure and table below.")
    inp = Inputs(sweep=sweep, tables=tables, settings=settings, describe=describe,
                 dropped=dropped,
                 colours=group_colours(group_order(tables["runs"]) or group_order(snaps)))
    inp.skipped.extend(problems)
    return inp


# --------------------------------------------------------------------------- building


def report_kind(path: Path) -> str:
    """ "run" for a run directory (``config.toml`` and no ``sweep.toml``), else "sweep".

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> report_kind(d)
    'sweep'
    >>> _ = (d / "config.toml").write_text("")
    >>> report_kind(d)
    'run'
    """
    return "run" if (path / "config.toml").is_file() and not (path / "sweep.toml").is_file() \
        else "sweep"


def _can_fork() -> bool:
    return sys.platform == "linux" and "fork" in multiprocessing.get_all_start_methods()


def _idle_cores(interval: float = 0.1) -> float | None:
    """Cores idle over ``interval`` seconds (``/proc/stat``), None where unknown.

    A second drawing process only pays when a core is free: with the cores busy it
    competes with the first and the build is slower than in one process.
    """
    def sample() -> tuple[int, int]:
        with open("/proc/stat", encoding="ascii") as fh:
            values = [int(v) for v in fh.readline().split()[1:]]
        return sum(values), values[3] + (values[4] if len(values) > 4 else 0)

    try:
        total0, idle0 = sample()
        time.sleep(interval)
        total1, idle1 = sample()
    except (OSError, ValueError, IndexError):
        return None
    if total1 <= total0:
        return None
    return (idle1 - idle0) / (total1 - total0) * (os.cpu_count() or 1)


def _default_workers() -> int:
    """2 where fork is available and at least ~1.5 cores are idle, else 1."""
    if (os.cpu_count() or 1) < 2 or not _can_fork():
        return 1
    idle = _idle_cores()
    return 2 if idle is None or idle >= 1.5 else 1


def _child(inp: Inputs, names: list[str], conn: Any) -> None:
    """Build the sections ``names`` in a forked process; send them (or the error) back."""
    try:
        start = len(inp.skipped)
        made = [_BY_NAME[name](inp) for name in names]
        conn.send(("ok", made, inp.skipped[start:]))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which rebuilds
        conn.send(("error", f"{type(exc).__name__}: {exc}", []))
    finally:
        conn.close()


def _build_sections(inp: Inputs, workers: int) -> list[Section]:
    """Run every section builder, in report order; with ``workers > 1`` (and fork
    available) the :data:`_FORKABLE` ones in a forked process meanwhile.

    The figures are numbered afterwards, in report order, so the result is the same
    either way. If the second process fails, its sections are built here instead (an
    error that is not about the fork then surfaces with its own traceback).
    """
    forked: list[Any] = []
    proc = conn = None
    if workers > 1 and _can_fork():
        forked = list(_FORKABLE)
        ctx = multiprocessing.get_context("fork")
        conn, send = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=_child, args=(inp, [m.__name__ for m in forked], send),
                           daemon=True)
        proc.start()
        send.close()
    built = {make: make(inp) for make in _SECTIONS if make not in forked and make not in _LAST}
    if proc is not None:
        try:
            status, made, skipped = conn.recv()
        except (EOFError, OSError) as exc:
            status, made, skipped = "error", f"no result ({exc})", []
        proc.join()
        conn.close()
        if status == "ok":
            built.update(zip(forked, made, strict=True))
            inp.skipped.extend(skipped)
        else:
            log.warning("report sections in a second process failed (%s); building them "
                        "here", made)
            built.update({make: make(inp) for make in forked})
    built.update({make: make(inp) for make in _LAST})
    sections = [built[make] for make in _SECTIONS]
    inp.figures = []
    for sec in sections:  # number the figures in report order
        for item in sec.items:
            if item.kind == "figure":
                item.number = len(inp.figures) + 1
                item.file = f"{FIGURE_DIR}/fig-{item.number:02d}-{sec.id}.png"
                inp.figures.append(item)
    return sections


# --------------------------------------------------------------------------- rendering


def _write_figures(out: Path, figures: Iterable[Item]) -> None:
    fig_dir = out / FIGURE_DIR
    fig_dir.mkdir(parents=True, exist_ok=True)
    current = set()
    for f in figures:
        write_atomic(out / f.file, f.png)
        current.add(Path(f.file).name)
    for stale in fig_dir.glob("fig-*.png"):
        if stale.name not in current:
            stale.unlink()


def build_report(sweep_dir: str | os.PathLike, *, out_dir: str | os.PathLike | None = None,
                 title: str | None = None,
                 heatmap_max_neurons: int = HEATMAP_MAX_NEURONS,
                 network_max_neurons: int = NETWORK_MAX_NEURONS,
                 network_max_edges: int = NETWORK_MAX_EDGES,
                 workers: int | None = None) -> tuple[Path, Path]:
    """Write ``report.html`` (self-contained) and ``report.md`` for an analysed sweep.

    Parameters
    ----------
    sweep_dir : str or path-like
        A sweep (or run) directory holding ``analysis/`` written by
        :func:`community.tables.analyse_sweep`; ``sweep.toml`` and
        ``provenance.json`` beside it are shown verbatim when present.
    out_dir : str or path-like, optional
        Output directory (created), default ``<sweep_dir>/report``.
    title : str, optional
        Report title, default ``"Community report: sweep <name>"`` (``"run <name>"``
        for a run directory: ``config.toml`` and no ``sweep.toml``; a run's report shows
        its ``config.toml`` where a sweep's shows ``sweep.toml``).
    heatmap_max_neurons : int, default :data:`community.plot.HEATMAP_MAX_NEURONS`
        A group whose graphs have more neurons than this is shown in the weight-matrix
        section as a block-level view (mean ``|w|`` between communities, from the
        ``blocks`` table), without reading its snapshots or allocating an ``n x n``
        matrix.
    network_max_neurons : int, default ``network_view.NETWORK_MAX_NEURONS`` (5000)
        Runs whose graphs have more neurons than this get no interactive network view
        (listed under *Skipped*).
    network_max_edges : int, default ``network_view.NETWORK_MAX_EDGES`` (2000)
        Edges drawn per snapshot in the network view: the strongest by ``|w|``.
    workers : int, optional
        Processes that draw figures: 1 draws everything here; 2 builds about half of the
        sections -- structure, null models, communities, emergence, training -- in one
        forked process meanwhile (Linux). Default: 2 when at least about 1.5 cores are
        idle (sampled from ``/proc/stat`` for 0.1 s; a second process on busy cores is
        slower than one), else 1. The report is the same either way.

    Returns
    -------
    tuple of Path
        ``(html_path, md_path)``. Figures of the Markdown file are in
        ``<out_dir>/figures/``.

    Raises
    ------
    WiringError
        If ``sweep_dir/analysis`` does not exist or ``heatmap_max_neurons``,
        ``network_max_neurons``, ``network_max_edges`` or ``workers`` is not a positive
        integer.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> sweep = Path(tempfile.mkdtemp())
    >>> (sweep / "analysis").mkdir()
    >>> html, md = build_report(sweep, title="empty")
    >>> html.name, md.name, "Nothing was skipped." in md.read_text()
    ('report.html', 'report.md', True)
    """
    sweep = Path(sweep_dir)
    for name, value in (("heatmap_max_neurons", heatmap_max_neurons),
                        ("network_max_neurons", network_max_neurons),
                        ("network_max_edges", network_max_edges),
                        ("workers", 1 if workers is None else workers)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
            raise WiringError(f"`{name}` must be a positive integer, got {value!r}")
    if not (sweep / "analysis").is_dir():
        raise WiringError(f"no analysis directory at {sweep / 'analysis'}; "
                          "run the analysis first")
    out = Path(out_dir) if out_dir is not None else sweep / "report"
    out.mkdir(parents=True, exist_ok=True)
    inp = _load_inputs(sweep)
    inp.kind = report_kind(sweep)
    inp.heatmap_max_neurons = int(heatmap_max_neurons)
    inp.network_max_neurons = int(network_max_neurons)
    inp.network_max_edges = int(network_max_edges)
    if workers is None:
        workers = _default_workers()
    sections = _build_sections(inp, int(workers))
    interactive = any(item.kind == "interactive" for s in sections for item in s.items)
    context = {
        "title": title or f"Community report: {inp.kind} {sweep.resolve().name}",
        "kind": inp.kind.capitalize(),
        "sweep_dir": str(sweep.resolve()),
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "describe": inp.describe,
        "sections": sections,
        # plotly.js once for all interactive figures, and only if there is one
        "plotly_js": plotly_js() if interactive else "",
    }
    env = environment()
    html = env.get_template("report.html.j2").render(**context)
    md = env.get_template("report.md.j2").render(**context)
    _write_figures(out, inp.figures)
    md_path = write_atomic(out / REPORT_MD, md.encode("utf-8"))
    html_path = write_atomic(out / REPORT_HTML, html.encode("utf-8"))
    log.info("wrote %s and %s (%d figures)", html_path, md_path, len(inp.figures))
    return html_path, md_path
