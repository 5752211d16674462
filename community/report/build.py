"""Assemble the report of an analysed sweep and render it with the template files.

The report is built from what is on disk only: the tables in ``<sweep>/analysis/``
(Parquet, falling back to the CSV twins), ``analysis/settings.json``, the weight
snapshots named in ``snapshots.snapshot_path``, ``<sweep>/sweep.toml`` and
``<sweep>/provenance.json``. Sections, in order: summary; Leiden-ordered weight
matrices (a block-level view for graphs of more than
:data:`community.plot.HEATMAP_MAX_NEURONS` neurons); the interactive network view
(plotly, :mod:`community.report.network_view`: pan, zoom, hover, a slider over the
snapshots of a run); block matrices; measures
against the learning rate; null-model z-scores; communities; roles; emergence over
training; training and convergence; regimes; skipped; configuration and provenance.

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
                                 plotly.js of the installed plotly package, inlined
                                 once, and one plotly figure call per figure
    <out_dir>/report.md          the same sections, figures referenced relatively
    <out_dir>/figures/*.png      the figures of report.md
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from community.plot import HEATMAP_MAX_NEURONS
from community.report.network_view import NETWORK_MAX_EDGES, NETWORK_MAX_NEURONS, plotly_js
from community.report.sections import (
    _SECTIONS,
    FIGURE_DIR,
    _Inputs,
    _Item,
    _read_text,
)
from wiring.errors import WiringError

__all__ = ["build_report", "REPORT_HTML", "REPORT_MD", "FIGURE_DIR"]

log = logging.getLogger(__name__)

REPORT_HTML = "report.html"
REPORT_MD = "report.md"

_TABLES = ("snapshots", "neurons", "blocks", "regimes", "training", "skipped")


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


def _load_inputs(sweep: Path) -> _Inputs:
    analysis = sweep / "analysis"
    problems: list[dict[str, str]] = []
    tables = {name: _read_table(analysis, name, problems) for name in _TABLES}
    snaps = tables["snapshots"]
    if len(snaps) and "is_final" not in snaps and {"run_id", "step"} <= set(snaps.columns):
        snaps["is_final"] = snaps["step"] == snaps.groupby("run_id")["step"].transform("max")
    if len(snaps) and "is_final" in snaps:
        snaps["is_final"] = snaps["is_final"].astype(bool)
    training = tables["training"]
    if len(training) and len(snaps) and "run_id" in training:
        missing = [c for c in ("learning_rate", "seed") if c not in training and c in snaps]
        if missing:
            ids = snaps[["run_id", *missing]].drop_duplicates("run_id")
            tables["training"] = training.merge(ids, on="run_id", how="left")
    try:
        settings = json.loads(_read_text(analysis / "settings.json") or "{}")
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
                f"{setting('quality', 'unknown')} (resolution {setting('resolution', 'n/a')}).")
    inp = _Inputs(sweep=sweep, tables=tables, settings=settings, describe=describe)
    inp.skipped.extend(problems)
    return inp


# --------------------------------------------------------------------------- rendering


def _md_cell(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _fence(text: str) -> str:
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("community.report", "templates"),
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True)
    env.filters["md_cell"] = _md_cell
    env.filters["fence"] = _fence
    return env


def _write_atomic(path: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; reports are meant to be shared
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _write_figures(out: Path, figures: Iterable[_Item]) -> None:
    fig_dir = out / FIGURE_DIR
    fig_dir.mkdir(parents=True, exist_ok=True)
    current = set()
    for f in figures:
        _write_atomic(out / f.file, f.png)
        current.add(Path(f.file).name)
    for stale in fig_dir.glob("fig-*.png"):
        if stale.name not in current:
            stale.unlink()


def build_report(sweep_dir: str | os.PathLike, *, out_dir: str | os.PathLike | None = None,
                 title: str | None = None,
                 heatmap_max_neurons: int = HEATMAP_MAX_NEURONS,
                 network_max_neurons: int = NETWORK_MAX_NEURONS,
                 network_max_edges: int = NETWORK_MAX_EDGES) -> tuple[Path, Path]:
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
        Report title, default ``"Community report: <sweep name>"``.
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

    Returns
    -------
    tuple of Path
        ``(html_path, md_path)``. Figures of the Markdown file are in
        ``<out_dir>/figures/``.

    Raises
    ------
    WiringError
        If ``sweep_dir/analysis`` does not exist or ``heatmap_max_neurons``,
        ``network_max_neurons`` or ``network_max_edges`` is not a positive integer.

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
                        ("network_max_edges", network_max_edges)):
        if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
            raise WiringError(f"`{name}` must be a positive integer, got {value!r}")
    if not (sweep / "analysis").is_dir():
        raise WiringError(f"no analysis directory at {sweep / 'analysis'}; "
                          "run the analysis first")
    out = Path(out_dir) if out_dir is not None else sweep / "report"
    out.mkdir(parents=True, exist_ok=True)
    inp = _load_inputs(sweep)
    inp.heatmap_max_neurons = int(heatmap_max_neurons)
    inp.network_max_neurons = int(network_max_neurons)
    inp.network_max_edges = int(network_max_edges)
    sections = [make(inp) for make in _SECTIONS]
    interactive = any(item.kind == "interactive" for s in sections for item in s.items)
    context = {
        "title": title or f"Community report: {sweep.resolve().name}",
        "sweep_dir": str(sweep.resolve()),
        "generated": datetime.now(UTC).isoformat(timespec="seconds"),
        "describe": inp.describe,
        "sections": sections,
        # plotly.js once for all interactive figures, and only if there is one
        "plotly_js": plotly_js() if interactive else "",
    }
    env = _environment()
    html = env.get_template("report.html.j2").render(**context)
    md = env.get_template("report.md.j2").render(**context)
    _write_figures(out, inp.figures)
    md_path = _write_atomic(out / REPORT_MD, md.encode("utf-8"))
    html_path = _write_atomic(out / REPORT_HTML, html.encode("utf-8"))
    log.info("wrote %s and %s (%d figures)", html_path, md_path, len(inp.figures))
    return html_path, md_path
