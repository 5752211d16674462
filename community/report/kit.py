"""The section kit: the content model and helpers every report section is built with.

A report is a list of :class:`Section` objects, each a list of :class:`Item` objects
(text, figure, table, code, terms, interactive figure), rendered by the two templates of
``community/report/templates`` (:func:`environment`) and written with
:func:`write_atomic`. The sweep report's section modules (:mod:`community.report.sections`,
:mod:`community.report.verdicts`, :mod:`community.report.matrices`,
:mod:`community.report.network_section`) fill sections from an :class:`Inputs`: the
loaded tables and settings of one analysed sweep or run. The paper report
(:mod:`community.paper.report`) builds its own sections with the same :class:`Section`,
:class:`Item`, :func:`fmt`, :func:`environment` and :func:`write_atomic`; nothing outside
this package needs a private name of it.

Helpers for tables (all take and return DataFrames or plain values, none reads a file
except :func:`load_snapshot_of` and :func:`read_text`):

* :func:`fmt`, :func:`lr_text`, :func:`group_name` -- values as the report prints them;
* :func:`final_rows`, :func:`group_order`, :func:`of_group`, :func:`learning_rates` --
  slices of the snapshots table;
* :func:`has_data`, :func:`is_flat`, :func:`informative`, :func:`dropped_note` -- whether
  a column is worth a panel, and the one line that says which were dropped and why;
* :func:`group_colours` -- one colour per group, the same in every figure;
* :func:`panel_grid` -- one figure with a panel per measure;
* :func:`load_snapshot_of`, :func:`n_neurons`, :func:`chosen_rows` -- the run shown per
  learning rate and its snapshot.

Examples
--------
>>> sec = Section("demo", "Demo")
>>> sec.text("One line.")
>>> sec.table("A table.", pd.DataFrame({"learning_rate": [0.5], "ok": [True]}))
>>> [(item.kind, item.columns, item.rows) for item in sec.items][1]
('table', ['learning rate', 'ok'], [['0.5', 'yes']])
>>> fmt(float("nan")), lr_text(0.003981), group_name("")
('n/a', '0.00398', '(single run)')
"""

from __future__ import annotations

import base64
import io
import json
import tempfile  # noqa: F401 -- the docstring examples use it
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

import wiring.runs as runs
from community import plot
from community.report import network_view
from wiring.errors import WiringError

__all__ = ["FIGURE_DIR", "DPI", "Item", "Section", "Inputs", "fmt", "lr_text", "group_name",
           "read_text", "pretty_json", "final_rows", "group_order", "of_group",
           "learning_rates", "sort_cells", "has_data", "is_flat", "flat_value",
           "informative", "dropped_note", "group_colours", "panel_grid",
           "load_snapshot_of", "n_neurons", "chosen_rows", "environment", "write_atomic"]

#: Folder of the Markdown report's PNG files, relative to the report.
FIGURE_DIR = "figures"
#: Resolution of the report's PNG figures.
DPI = 80


# --------------------------------------------------------------------------- content model


@dataclass
class Item:
    """One element of a section.

    Attributes
    ----------
    kind : str
        "text", "figure", "table", "code", "terms" (``rows`` of ``[term, definition]``)
        or "interactive" (``html``: a plotly figure's div and script, see
        :mod:`community.report.network_view`).
    text : str
        The paragraph ("text") or the code ("code").
    caption : str
        Caption of a figure, table or interactive figure; heading of a code block.
    columns, rows : list
        A table's column names and its rows of printed cells.
    lang : str
        Language of a code block.
    png : bytes
        A figure's PNG.
    file : str
        A figure's path relative to the report (``figures/fig-NN-<section>.png``).
    number : int
        A figure's number in the report (1-based).
    html : str
        An interactive figure's HTML fragment.

    Examples
    --------
    >>> Item("figure", png=b"png").data_uri
    'data:image/png;base64,cG5n'
    """

    kind: str
    text: str = ""
    caption: str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    lang: str = ""
    png: bytes = b""
    file: str = ""
    number: int = 0
    html: str = ""

    @property
    def data_uri(self) -> str:
        """The PNG as a ``data:`` URI (what the HTML report's ``<img>`` shows)."""
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")


@dataclass
class Section:
    """A numbered section of a report: an anchor ``id``, a ``title`` and its items.

    Examples
    --------
    >>> s = Section("config", "Configuration")
    >>> s.code("sweep.toml", "[sweep]", "toml")
    >>> s.items[0].kind, s.items[0].caption
    ('code', 'sweep.toml')
    """

    id: str
    title: str
    items: list[Item] = field(default_factory=list)

    def text(self, text: str) -> None:
        """Append a paragraph.

        Parameters
        ----------
        text : str
            The paragraph.

        Examples
        --------
        >>> s = Section("intro", "Introduction")
        >>> s.text("One line.")
        >>> s.items[0].kind, s.items[0].text
        ('text', 'One line.')
        """
        self.items.append(Item("text", text=text))

    def code(self, caption: str, text: str, lang: str = "") -> None:
        """Append a code block under the heading ``caption``.

        Parameters
        ----------
        caption : str
            Heading of the block.
        text : str
            The code.
        lang : str, optional
            Language of the code (for highlighting), "" for none.

        Examples
        --------
        >>> s = Section("config", "Configuration")
        >>> s.code("sweep.toml", "[sweep]", "toml")
        >>> s.items[0].caption, s.items[0].text, s.items[0].lang
        ('sweep.toml', '[sweep]', 'toml')
        """
        self.items.append(Item("code", caption=caption, text=text, lang=lang))

    def table(self, caption: str, df: pd.DataFrame) -> None:
        """Append ``df`` as a table: cells printed with :func:`fmt`, underscores of the
        column names as spaces.

        Parameters
        ----------
        caption : str
            Caption of the table.
        df : DataFrame
            The table; its index is not shown.

        Examples
        --------
        >>> s = Section("runs", "Runs")
        >>> s.table("Runs.", pd.DataFrame({"learning_rate": [0.5], "ok": [True]}))
        >>> s.items[0].columns, s.items[0].rows
        (['learning rate', 'ok'], [['0.5', 'yes']])
        """
        rows = [[fmt(v) for v in r] for r in df.itertuples(index=False, name=None)]
        columns = [str(c).replace("_", " ") for c in df.columns]
        self.items.append(Item("table", caption=caption, columns=columns, rows=rows))


@dataclass
class Inputs:
    """What the sweep report's sections are built from (loaded once, read by all).

    Attributes
    ----------
    sweep : Path
        The sweep or run directory.
    tables : dict of str to DataFrame
        The analysis tables by name (``runs``, ``snapshots``, ``neurons``, ``blocks``,
        ``regimes``, ``training``, ``skipped``), empty where missing.
    settings : dict
        ``analysis/settings.json``.
    describe : str
        The analysis choices in one sentence (weight mode, quality function), stated
        once at the top of the report.
    skipped : list of dict
        Rows of the *Skipped* section found while building (``run_id``, ``group``,
        ``stage``, ``reason``).
    figures : list of Item
        Every figure so far, in order.
    chosen : dict
        ``(group, learning rate) -> snapshot row``: the run the weight-matrix section
        showed; later sections show the same run.
    kind : {"sweep", "run"}
        What the report is of: "run" for a run directory (``config.toml``, no
        ``sweep.toml``), which is headed as a run, not as a sweep of one run.
    dropped : set of str
        Runs removed from the tables because they did not end "ok".
    colours : dict
        Group -> matplotlib colour (:func:`group_colours`), the same in every figure.
    heatmap_max_neurons, network_max_neurons, network_max_edges : int
        Size limits of the weight-matrix and network-view sections.
    """

    sweep: Path
    tables: dict[str, pd.DataFrame]
    settings: dict[str, Any]
    describe: str
    kind: str = "sweep"
    skipped: list[dict[str, str]] = field(default_factory=list)
    figures: list[Item] = field(default_factory=list)
    chosen: dict[tuple[str, float], pd.Series] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    colours: dict[Any, str] = field(default_factory=dict)
    heatmap_max_neurons: int = plot.HEATMAP_MAX_NEURONS
    network_max_neurons: int = network_view.NETWORK_MAX_NEURONS
    network_max_edges: int = network_view.NETWORK_MAX_EDGES

    def figure(self, section: Section, fig: Any, caption: str) -> None:
        """Save ``fig`` as PNG into a new figure item of ``section``, numbered next.

        Parameters
        ----------
        section : Section
            The section the figure is appended to.
        fig : matplotlib Figure
            The figure (anything with ``savefig``).
        caption : str
            Caption of the figure.

        Examples
        --------
        >>> from matplotlib.figure import Figure
        >>> inp = Inputs(Path("sweep"), {}, {}, "")
        >>> sec = Section("demo", "Demo")
        >>> inp.figure(sec, Figure(figsize=(1, 1)), "An empty figure.")
        >>> item = sec.items[0]
        >>> item.number, item.file, item.png[1:4], inp.figures == [item]
        (1, 'figures/fig-01-demo.png', b'PNG', True)
        """
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI)
        number = len(self.figures) + 1
        item = Item("figure", caption=caption, png=buf.getvalue(), number=number,
                    file=f"{FIGURE_DIR}/fig-{number:02d}-{section.id}.png")
        self.figures.append(item)
        section.items.append(item)

    def skip(self, row: pd.Series, stage: str, reason: str) -> None:
        """List the run of ``row`` under *Skipped* with ``stage`` and ``reason``.

        Parameters
        ----------
        row : Series
            A table row; its ``run_id`` and ``group`` are listed ("" where missing).
        stage : str
            Where the run was skipped (e.g. "report").
        reason : str
            Why.

        Examples
        --------
        >>> inp = Inputs(Path("sweep"), {}, {}, "")
        >>> inp.skip(pd.Series({"run_id": "r1"}), "report", "no snapshot")
        >>> inp.skipped
        [{'run_id': 'r1', 'group': '', 'stage': 'report', 'reason': 'no snapshot'}]
        """
        self.skipped.append({"run_id": str(row.get("run_id", "")),
                             "group": str(row.get("group", "")), "stage": stage,
                             "reason": reason})

    def colour(self, group: Any) -> str:
        """The colour of ``group`` in every figure ("C0" for a group not in the tables).

        Parameters
        ----------
        group : object
            A group of the tables.

        Returns
        -------
        str
            A matplotlib colour.

        Examples
        --------
        >>> inp = Inputs(Path("sweep"), {}, {}, "", colours={"noise": "C1"})
        >>> inp.colour("noise"), inp.colour("other")
        ('C1', 'C0')
        """
        return self.colours.get(group, "C0")


# --------------------------------------------------------------------------- values


def fmt(v: Any) -> str:
    """A table cell: booleans as yes/no, floats to 4 significant digits, NaN as n/a.

    Examples
    --------
    >>> [fmt(v) for v in (None, True, 1234.5678, np.int64(3), "x")]
    ['', 'yes', '1235', '3', 'x']
    """
    if v is None:
        return ""
    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, float | np.floating):
        return "n/a" if not np.isfinite(v) else f"{float(v):.4g}"
    if isinstance(v, np.integer):
        return str(int(v))
    return str(v)


def lr_text(v: Any) -> str:
    """A learning rate, compactly (three significant digits).

    Examples
    --------
    >>> [lr_text(v) for v in (0.003981, 251.19, 1e4, "x")]
    ['0.00398', '251', '1e+04', 'x']
    """
    try:
        return f"{float(v):.3g}"
    except (TypeError, ValueError):
        return str(v)


def group_name(g: Any) -> str:
    """A group as printed: "(single run)" for the empty group of a run directory.

    Examples
    --------
    >>> group_name("noise"), group_name("")
    ('noise', '(single run)')
    """
    return str(g) if str(g) else "(single run)"


def read_text(path: Path) -> str | None:
    """The UTF-8 text of ``path``, or None where it cannot be read.

    Examples
    --------
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "a.txt").write_text("hi", encoding="utf-8")
    >>> read_text(d / "a.txt"), read_text(d / "missing.txt")
    ('hi', None)
    """
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def pretty_json(text: str | None) -> str | None:
    """``text`` re-indented as JSON (as it is where it is not JSON; None stays None).

    Examples
    --------
    >>> print(pretty_json('{"a": [1]}'))
    {
      "a": [
        1
      ]
    }
    >>> pretty_json("not json"), pretty_json(None)
    ('not json', None)
    """
    if text is None:
        return None
    try:
        return json.dumps(json.loads(text), indent=2, sort_keys=False)
    except ValueError:
        return text


# --------------------------------------------------------------------------- table slices


def final_rows(snaps: pd.DataFrame) -> pd.DataFrame:
    """The final snapshot of each run (``is_final``); empty without that column.

    Examples
    --------
    >>> snaps = pd.DataFrame({"step": [0, 10], "is_final": [False, True]})
    >>> final_rows(snaps)["step"].tolist(), len(final_rows(snaps[["step"]]))
    ([10], 0)
    """
    if snaps.empty or "is_final" not in snaps:
        return snaps.iloc[0:0]
    return snaps[snaps["is_final"]]


def group_order(df: pd.DataFrame) -> list[Any]:
    """Groups of ``df`` in report order: noise-task groups first, then by name.

    Examples
    --------
    >>> group_order(pd.DataFrame({"group": ["b", "a", "n"], "task": ["s", "s", "noise"]}))
    ['n', 'a', 'b']
    """
    if df.empty:
        return []
    if "group" not in df:
        return [""]
    groups = sorted(pd.unique(df["group"].fillna("")), key=str)
    if "task" in df:
        noise = set(df.loc[df["task"] == "noise", "group"])
        groups.sort(key=lambda g: g not in noise)
    return groups


def of_group(df: pd.DataFrame, group: Any) -> pd.DataFrame:
    """Rows of ``group`` (all rows of a table without a group column).

    A missing group (NaN) counts as the empty group "".

    Examples
    --------
    >>> df = pd.DataFrame({"group": ["a", "b", None], "x": [1, 2, 3]})
    >>> of_group(df, "a")["x"].tolist(), of_group(df, "")["x"].tolist()
    ([1], [3])
    >>> of_group(df[["x"]], "a")["x"].tolist()
    [1, 2, 3]
    """
    return df[df["group"].fillna("") == group] if "group" in df else df


def learning_rates(df: pd.DataFrame) -> list[Any]:
    """The learning rates of ``df``, ascending (numerically).

    Examples
    --------
    >>> [float(r) for r in learning_rates(pd.DataFrame({"learning_rate": [10, 2, 10, None]}))]
    [2.0, 10.0]
    >>> learning_rates(pd.DataFrame({"x": [1]}))
    []
    """
    if "learning_rate" not in df:
        return []
    return sorted(pd.unique(df["learning_rate"].dropna()), key=float)


def sort_cells(df: pd.DataFrame, groups: Sequence[Any] = ()) -> pd.DataFrame:
    """Rows of a table by group (in ``groups`` order, others after them by name), then
    rule, prune and graph family, then learning rate numerically (not as text).

    Examples
    --------
    >>> df = pd.DataFrame({"group": ["b", "a", "a"], "learning_rate": [1.0, 10.0, 2.0]})
    >>> sort_cells(df, ["b"]).to_numpy().tolist()
    [['b', 1.0], ['a', 2.0], ['a', 10.0]]
    """
    if df.empty:
        return df
    rank = {g: k for k, g in enumerate(groups)}
    keys = pd.DataFrame(index=df.index)
    if "group" in df:
        names = df["group"].fillna("")
        keys["_g"] = names.map(lambda g: rank.get(g, len(rank)))
        keys["_name"] = names.astype(str)
    for col in ("rule", "prune", "graph_family"):
        if col in df:
            keys[col] = df[col].astype(str)
    if "learning_rate" in df:
        keys["_rate"] = pd.to_numeric(df["learning_rate"], errors="coerce")
    if keys.empty or not len(keys.columns):
        return df
    order = keys.sort_values(list(keys.columns), kind="stable").index
    return df.loc[order]


def has_data(df: pd.DataFrame, col: str) -> bool:
    """Whether ``col`` exists and holds at least one number.

    Examples
    --------
    >>> df = pd.DataFrame({"q": [None, 0.5], "empty": [None, None]})
    >>> bool(has_data(df, "q")), bool(has_data(df, "empty")), bool(has_data(df, "missing"))
    (True, False, False)
    """
    return col in df and pd.to_numeric(df[col], errors="coerce").notna().any()


def is_flat(df: pd.DataFrame, *cols: str) -> bool:
    """Whether the columns ``cols`` of ``df`` hold one value between them, the same in at
    least two rows: a panel of them would show a flat line and tell nothing (one row is a
    single point, not flat; a missing column holds nothing).

    Values equal to 9 significant digits count as one; NaN is ignored.

    Examples
    --------
    >>> is_flat(pd.DataFrame({"d": [0.1, 0.1, 0.1]}), "d")
    True
    >>> is_flat(pd.DataFrame({"d": [0.1, 0.2]}), "d"), is_flat(pd.DataFrame({"d": [3.0]}), "d")
    (False, False)
    >>> is_flat(pd.DataFrame({"q": [0.0, 0.0], "q_null": [0.0, 0.1]}), "q", "q_null")
    False
    """
    present = [c for c in cols if c in df]
    if not present:
        return False
    values = np.column_stack([pd.to_numeric(df[c], errors="coerce").to_numpy(dtype=float)
                              for c in present])
    if (~np.isnan(values)).any(axis=1).sum() < 2:  # fewer than two rows: not a line
        return False
    v = values[~np.isnan(values)]
    scale = np.abs(v).max()
    return bool(np.all(np.abs(v - v[0]) <= 1e-9 * max(scale, 1e-300)))


def flat_value(df: pd.DataFrame, col: str) -> str:
    """The one value of a flat column, printed (:func:`fmt`).

    The first number of ``col``; "n/a" where it holds none.

    Examples
    --------
    >>> df = pd.DataFrame({"density": [None, 0.1, 0.1], "empty": [None, None, None]})
    >>> flat_value(df, "density"), flat_value(df, "empty")
    ('0.1', 'n/a')
    """
    v = pd.to_numeric(df[col], errors="coerce").dropna()
    return fmt(float(v.iloc[0])) if len(v) else "n/a"


def informative(df: pd.DataFrame, names: Sequence[str],
                columns: Callable[[str], Sequence[str]] | None = None
                ) -> tuple[list[str], list[str]]:
    """Split panel names into those worth drawing and those with no information.

    ``columns(name)`` gives the columns a panel draws (default ``[name]``); a panel is
    dropped when :func:`is_flat` holds for them together.

    Returns
    -------
    kept, dropped : list of str
        Both in the order of ``names``.

    Examples
    --------
    >>> df = pd.DataFrame({"loss": [2.0, 1.0], "density": [0.1, 0.1]})
    >>> informative(df, ["loss", "density"])
    (['loss'], ['density'])
    """
    cols = columns or (lambda name: [name])
    kept = [n for n in names if not is_flat(df, *cols(n))]
    return kept, [n for n in names if n not in kept]


def dropped_note(df: pd.DataFrame, dropped: Sequence[str], what: str, *,
                 columns: Callable[[str], Sequence[str]] | None = None) -> str:
    """One line saying which panels of ``what`` were not drawn and why ("" for none).

    Parameters
    ----------
    df : DataFrame
        The table the panels would have drawn.
    dropped : sequence of str
        Names of the panels not drawn (the second list of :func:`informative`).
    what : str
        What the panels are of (starts the line, e.g. "Group noise").
    columns : callable, optional
        ``columns(name)``: the columns of a panel (default ``[name]``), as for
        :func:`informative`; the first present one gives the value printed.

    Returns
    -------
    str
        The line, or "" when ``dropped`` is empty.

    Examples
    --------
    >>> df = pd.DataFrame({"density": [0.1, 0.1]})
    >>> dropped_note(df, ["density"], "g")
    'g: not drawn, no information (the same value in every run and step): density = 0.1.'
    >>> dropped_note(df, [], "g")
    ''
    """
    if not dropped:
        return ""
    cols = columns or (lambda name: [name])
    parts = []
    for name in dropped:
        col = next((c for c in cols(name) if c in df), None)
        label = plot.LABELS.get(name) or " and ".join(
            plot.LABELS.get(c, c.replace("_", " ")) for c in cols(name))
        parts.append(label if col is None else f"{label} = {flat_value(df, col)}")
    return (f"{what}: not drawn, no information (the same value in every run and step): "
            + "; ".join(parts) + ".")


def group_colours(groups: Sequence[Any]) -> dict[Any, str]:
    """One matplotlib colour per group, in report order (``"C0"``, ``"C1"``, ...).

    Examples
    --------
    >>> group_colours(["noise", "digits"])
    {'noise': 'C0', 'digits': 'C1'}
    """
    return {g: f"C{k % 10}" for k, g in enumerate(dict.fromkeys(groups))}


def panel_grid(inp: Inputs, sec: Section, names: Sequence[str], *,
               draw: Callable[..., None], caption: str, one_legend: bool = False,
               gaps: tuple[float, float] = (0.95, 1.05),
               margins: tuple[float, float, float, float] = (0.8, 0.25, 0.55, 0.55)) -> None:
    """One figure with a panel per name, drawn by ``draw(name, ax)``, added to ``sec``.

    Fixed margins, no layout engine (:func:`community.plot.panel_figure`): the figure is
    drawn once when saved. With ``one_legend`` only the first panel draws a legend (the
    panels share their entries): ``draw(name, ax, legend=...)`` is called. No names, no
    figure.

    Parameters
    ----------
    inp : Inputs
        Numbers the figure and keeps it (:meth:`Inputs.figure`).
    sec : Section
        The section the figure is appended to.
    names : sequence of str
        One panel per name, at most three in a row.
    draw : callable
        ``draw(name, ax)`` (``draw(name, ax, legend=...)`` with ``one_legend``) draws a
        panel.
    caption : str
        Caption of the figure.
    one_legend : bool, optional
        Only the first panel draws a legend.
    gaps, margins : tuple of float, optional
        Space between the panels and around them, inches
        (:func:`community.plot.panel_figure`).

    Examples
    --------
    >>> inp, sec = Inputs(Path("sweep"), {}, {}, ""), Section("demo", "Demo")
    >>> panel_grid(inp, sec, ["a", "b"], draw=lambda name, ax: ax.set_title(name),
    ...            caption="Two panels.")
    >>> [(item.kind, item.number, item.caption) for item in sec.items]
    [('figure', 1, 'Two panels.')]
    >>> panel_grid(inp, sec, [], draw=lambda name, ax: None, caption="None.")
    >>> len(sec.items)
    1
    """
    if not names:
        return
    fig, axes = plot.panel_figure(len(names), ncols=min(len(names), 3), panel_size=(4.4, 3.4),
                                  layout="fixed", gaps=gaps, margins=margins)
    for k, (name, ax) in enumerate(zip(names, axes, strict=True)):
        if one_legend:
            draw(name, ax, legend=k == 0)
        else:
            draw(name, ax)
    inp.figure(sec, fig, caption)


# --------------------------------------------------------------------------- snapshots


def load_snapshot_of(inp: Inputs, row: pd.Series, what: str = "") -> Any | None:
    """The snapshot file of a table row, or None (the reason listed as skipped).

    ``what`` prefixes the reason (e.g. ``"network view: "``).

    Parameters
    ----------
    inp : Inputs
        Where a run whose snapshot cannot be loaded is listed (:meth:`Inputs.skip`).
    row : Series
        A snapshot-table row (``step``, ``snapshot_path``, ``run_id``, ``group``).
    what : str, optional
        Prefix of the reason a run is skipped.

    Returns
    -------
    object or None
        The snapshot (:func:`wiring.runs.load_snapshot`), or None.

    Examples
    --------
    >>> inp = Inputs(Path("sweep"), {}, {}, "")
    >>> row = pd.Series({"run_id": "r1", "group": "g", "step": 5, "snapshot_path": None})
    >>> load_snapshot_of(inp, row, "network view: ") is None
    True
    >>> inp.skipped[0]["reason"]
    'network view: no snapshot_path for step 5'
    """
    step = row["step"]
    path = row.get("snapshot_path")
    if not isinstance(path, str) or not path:
        inp.skip(row, "report", f"{what}no snapshot_path for step {step}")
        return None
    try:
        return runs.load_snapshot(path)
    except (WiringError, OSError) as exc:
        inp.skip(row, "report", f"{what}snapshot of step {step} not loaded: {exc}")
        return None


def n_neurons(inp: Inputs, row: pd.Series) -> int:
    """Neurons of one analysed snapshot, from the tables (no snapshot is read).

    The row's ``n_nodes`` where recorded, else the rows of the neuron table of its run
    and step (0 without those columns).

    Examples
    --------
    >>> nrn = pd.DataFrame({"run_id": ["r1", "r1", "r1", "r2"], "step": [5, 5, 0, 5]})
    >>> inp = Inputs(Path("sweep"), {"neurons": nrn}, {}, "")
    >>> n_neurons(inp, pd.Series({"run_id": "r1", "step": 5}))
    2
    >>> n_neurons(inp, pd.Series({"run_id": "r1", "step": 5, "n_nodes": 64.0}))
    64
    """
    n = row.get("n_nodes")
    if n is not None and pd.notna(n):
        return int(n)
    nrn = inp.tables["neurons"]
    if {"run_id", "step"} <= set(nrn.columns):
        return int(((nrn["run_id"] == row["run_id"]) & (nrn["step"] == row["step"])).sum())
    return 0


def chosen_rows(inp: Inputs, group: Any) -> list[pd.Series]:
    """Representative final snapshot per learning rate: the weight-matrix section's,
    else the lowest seed's.

    Parameters
    ----------
    inp : Inputs
        Its ``snapshots`` table and the runs already shown (``inp.chosen``).
    group : object
        The group.

    Returns
    -------
    list of Series
        One final snapshot row per learning rate, ascending.

    Examples
    --------
    >>> snaps = pd.DataFrame({"group": "g", "learning_rate": [1.0, 1.0, 2.0],
    ...                       "seed": [1, 0, 0], "run_id": ["a", "b", "c"],
    ...                       "is_final": True})
    >>> inp = Inputs(Path("sweep"), {"snapshots": snaps}, {}, "")
    >>> [r["run_id"] for r in chosen_rows(inp, "g")]
    ['b', 'c']
    >>> inp.chosen[("g", 1.0)] = snaps.iloc[0]
    >>> [r["run_id"] for r in chosen_rows(inp, "g")]
    ['a', 'c']
    """
    final = of_group(final_rows(inp.tables["snapshots"]), group)
    out = []
    for lr in learning_rates(final):
        row = inp.chosen.get((group, lr))
        if row is None:
            d = final[final["learning_rate"] == lr]
            row = d.sort_values("seed").iloc[0] if "seed" in d else d.iloc[0]
        out.append(row)
    return out


# --------------------------------------------------------------------------- rendering


def _md_cell(value: Any) -> str:
    return str(value).replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def _fence(text: str) -> str:
    longest, run = 0, 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    return "`" * max(3, longest + 1)


def environment() -> Any:
    """The jinja2 environment of the report templates (``report.html.j2``, autoescaped,
    and ``report.md.j2``, with the filters ``md_cell`` and ``fence``).

    The templates take ``title``, ``kind`` (what the report is of, e.g. "Sweep", "Run"),
    ``sweep_dir``, ``generated``, ``describe``, ``sections`` and ``plotly_js``.

    Examples
    --------
    >>> sorted(environment().list_templates())
    ['report.html.j2', 'report.md.j2']
    """
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("community.report", "templates"),
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
        trim_blocks=True, lstrip_blocks=True)
    env.filters["md_cell"] = _md_cell
    env.filters["fence"] = _fence
    return env


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` with the project's one atomic writer,
    :func:`wiring.runs.atomic_open` (a temporary file renamed into place, mode 0644);
    return ``path``.

    Examples
    --------
    >>> d = Path(tempfile.mkdtemp())
    >>> write_atomic(d / "x.txt", b"hi").read_bytes(), sorted(p.name for p in d.iterdir())
    (b'hi', ['x.txt'])
    """
    with runs.atomic_open(path, "wb") as fh:
        fh.write(data)
    return Path(path)
