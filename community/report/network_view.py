"""The interactive network view of the report: one plotly figure per run, a frame per snapshot.

Plain arrays in, a :mod:`plotly` figure out; nothing here reads files or knows the
report's content model (:mod:`community.report.network_section` does both). The
figure is plotly's own: drag to pan, scroll or box to zoom, double-click to reset,
hover for a neuron's attributes, and a slider (plotly's native ``sliders`` driving
``frames``, no script of ours) over the snapshots of the run. What it shows:

* **Nodes** at one fixed position per neuron for every snapshot, so moving the
  slider shows the same neurons changing: :func:`layout_positions`, a seeded
  Fruchterman--Reingold layout of ``|w|`` of one snapshot (the last, by default), in
  which edges inside one of its communities pull :data:`WITHIN_PULL` times harder.
* **Colours** by community. Partitions of different snapshots number their
  communities independently, so each snapshot's communities are first matched to
  the reference (layout) snapshot's by largest overlap, one to one
  (:func:`match_labels`, after :func:`community.detect.match_labels`): a colour
  follows a community across the slider.
* **Edges**: the ``max_edges`` strongest by ``|w|`` of each snapshot
  (:func:`strongest_edges`; self-loops and zero weights are not drawn), red
  excitatory and blue inhibitory; direction is not drawn.
* **Hover**: neuron id, its name where the run has one (a connectome's cell name, a
  graph file's node id), kind (input / output / hidden, clamped), community (the
  number the neurons table holds), in- and out-strength (sum of ``|w|`` onto / from
  the neuron within the drawn node set, all edges, not only the drawn ones), in- and
  out-degree (non-zero weights), participation coefficient, within-module z and
  role.

plotly.js is not part of a figure: :func:`plotly_js` gives plotly's *basic* partial
bundle (:data:`BASIC_BUNDLE`, scatter traces included), which the report inlines once.

Examples
--------
>>> import numpy as np
>>> frame = NetworkFrame(step=0, src=np.array([0, 1, 2]), dst=np.array([1, 2, 0]),
...                      weight=np.array([0.5, -2.0, 1.0]), membership=np.array([0, 0, 1]))
>>> fig = network_figure(np.array([10, 11, 12]), [frame, frame], title="toy")
>>> [t["name"] for t in fig["data"]], len(fig["frames"])
(['excitatory', 'inhibitory', 'neurons'], 2)
>>> hover_values(frame)["in_strength"].tolist(), hover_values(frame)["out_degree"].tolist()
([1.0, 0.5, 2.0], [1, 1, 1])
"""

from __future__ import annotations

import base64
import html
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from community import detect
from community.layout import WITHIN_PULL, layout_positions  # shared with the Gephi files
from wiring.errors import WiringError

__all__ = ["NETWORK_MAX_EDGES", "NETWORK_MAX_NEURONS", "PALETTE", "HOVER_COLUMNS", "WITHIN_PULL",
           "NetworkFrame", "layout_positions", "match_labels", "strongest_edges",
           "hover_values", "kind_labels", "typed_array", "network_figure", "figure_html",
           "plotly_js", "BASIC_BUNDLE", "BASIC_TRACES"]

log = logging.getLogger(__name__)

#: Edges drawn per snapshot by default: the strongest by ``|w|``.
NETWORK_MAX_EDGES = 2000
#: Runs whose graphs have more neurons than this get no network view by default.
NETWORK_MAX_NEURONS = 5000
#: Community colours (plotly's Dark24 then Light24); they repeat beyond 48 communities.
PALETTE: tuple[str, ...] = (
    "#2E91E5", "#E15F99", "#1CA71C", "#FB0D0D", "#DA16FF", "#222A2A", "#B68100", "#750D86",
    "#EB663B", "#511CFB", "#00A08B", "#FB00D1", "#FC0080", "#B2828D", "#6C7C32", "#778AAE",
    "#862A16", "#A777F1", "#620042", "#1616A7", "#DA60CA", "#6C4516", "#0D2A63", "#AF0038",
    "#FD3216", "#00FE35", "#6A76FC", "#FED4C4", "#FE00CE", "#0DF9FF", "#F6F926", "#FF9616",
    "#479B55", "#EEA6FB", "#DC587D", "#D626FF", "#6E899C", "#00B5F7", "#B68E00", "#C9FBE5",
    "#FF0092", "#22FFA7", "#E3EE9E", "#86CE00", "#BC7196", "#7E7DCD", "#FC6955", "#E48F72",
)
_EDGE_COLOURS = {"excitatory": "rgba(200, 40, 40, 0.35)", "inhibitory": "rgba(40, 70, 200, 0.35)"}
_HOVER = ("neuron %{customdata[0]}<br>%{text}<br>community %{customdata[1]}"
          "<br>strength in %{customdata[2]:.4g}, out %{customdata[3]:.4g}"
          "<br>degree in %{customdata[4]}, out %{customdata[5]}"
          "<br>participation %{customdata[6]:.3f}, within-module z %{customdata[7]:.2f}"
          "<extra></extra>")
#: Columns of a node's ``customdata`` row, in the order the hover template uses them.
HOVER_COLUMNS = ("neuron", "community", "in_strength", "out_strength", "in_degree",
                 "out_degree", "participation", "within_z")


@dataclass(frozen=True)
class NetworkFrame:
    """One snapshot of a run, restricted to the drawn neurons.

    Attributes
    ----------
    step : int
        Training step (the slider's label).
    src, dst : ndarray of int
        Edge ``e`` goes ``src[e] -> dst[e]``; both are positions ``0..n-1`` in the
        neuron order of :func:`network_figure`.
    weight : ndarray of float
        ``W[dst[e], src[e]]``.
    membership : ndarray of int, shape (n,)
        Community of each neuron, as the analysis numbered them.
    participation, within_z : ndarray of float, shape (n,), optional
        Per-neuron measures of the analysis (NaN where unknown).
    role : sequence of str, optional
        Guimerà--Amaral role of each neuron ("" where unknown).
    title : str
        Plain text shown above the plot while this frame is shown (escaped here).
    n_edges : int
        Edges that could be drawn: non-zero weights between two different neurons
        (computed).
    """

    step: int
    src: np.ndarray
    dst: np.ndarray
    weight: np.ndarray
    membership: np.ndarray
    participation: np.ndarray | None = None
    within_z: np.ndarray | None = None
    role: Sequence[str] | None = None
    title: str = ""
    n_edges: int = field(init=False, default=0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "n_edges", int(np.count_nonzero(
            (np.asarray(self.weight) != 0) & (np.asarray(self.src) != np.asarray(self.dst)))))


def match_labels(membership: np.ndarray, reference: np.ndarray) -> np.ndarray:
    """Colour index of each neuron: ``membership`` matched to ``reference``'s communities.

    :func:`community.detect.match_labels` (largest total overlap, one to one) against
    ``reference``'s communities numbered ``0..k-1`` in order of their labels, so the
    reference's colours are the first ``k`` of :data:`PALETTE`; a community left
    without a partner gets the next free number from ``k``. The result is the same
    partition as ``membership``.

    Parameters
    ----------
    membership, reference : ndarray of int, shape (n,)
        Two partitions of the same neurons.

    Returns
    -------
    ndarray of int64, shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> match_labels(np.array([7, 7, 3, 3, 5]), np.array([0, 0, 4, 4, 4])).tolist()
    [0, 0, 1, 1, 2]
    """
    _, ranks = np.unique(np.asarray(reference), return_inverse=True)
    return detect.match_labels(membership, ranks.reshape(-1))


def strongest_edges(src: np.ndarray, dst: np.ndarray, weight: np.ndarray, *,
                    max_edges: int) -> np.ndarray:
    """Indices of the at most ``max_edges`` strongest edges by ``|w|``, strongest first.

    Self-loops and zero weights are never chosen; ties go to the lower index.

    Examples
    --------
    >>> import numpy as np
    >>> strongest_edges(np.array([0, 1, 2, 2]), np.array([1, 1, 0, 1]),
    ...                 np.array([0.5, 9.0, -2.0, 0.5]), max_edges=2).tolist()
    [2, 0]
    """
    w = np.abs(np.asarray(weight, dtype=float))
    candidates = np.flatnonzero((w > 0) & (np.asarray(src) != np.asarray(dst)))
    order = np.argsort(-w[candidates], kind="stable")
    return candidates[order[:max(int(max_edges), 0)]]


def hover_values(frame: NetworkFrame) -> dict[str, np.ndarray]:
    """Per-neuron strengths and degrees of one frame (what the hover shows).

    ``in_strength[i]`` is the sum of ``|w|`` over edges onto ``i``, ``out_strength``
    over edges from ``i``; degrees count the non-zero weights (a self-loop counts once
    in each).

    Examples
    --------
    >>> import numpy as np
    >>> f = NetworkFrame(step=0, src=np.array([0, 0]), dst=np.array([1, 0]),
    ...                  weight=np.array([-3.0, 1.0]), membership=np.array([0, 0]))
    >>> [v.tolist() for v in hover_values(f).values()]  # in/out strength, in/out degree
    [[1.0, 3.0], [4.0, 0.0], [1, 1], [2, 0]]
    """
    n = np.asarray(frame.membership).size
    w = np.abs(np.asarray(frame.weight, dtype=float))
    nz = (w > 0).astype(np.int64)
    return {"in_strength": np.bincount(frame.dst, weights=w, minlength=n),
            "out_strength": np.bincount(frame.src, weights=w, minlength=n),
            "in_degree": np.bincount(frame.dst, weights=nz, minlength=n).astype(np.int64),
            "out_degree": np.bincount(frame.src, weights=nz, minlength=n).astype(np.int64)}


def _or_nan(values: np.ndarray | None, n: int) -> np.ndarray:
    return np.full(n, np.nan) if values is None else np.asarray(values, dtype=float)


_DTYPES = {"f4": "<f4", "f8": "<f8"}


def typed_array(values: np.ndarray, dtype: str = "f4") -> dict[str, str]:
    """plotly.js's typed-array form of a float array: ``{"dtype", "bdata"[, "shape"]}``.

    ``bdata`` is the base64 of the little-endian bytes; a 2-D array also has
    ``shape`` (``"rows, columns"``). plotly.js reads it as a typed array, so a
    figure's numbers take 4 (``"f4"``) or 8 (``"f8"``) bytes, not their decimal text.

    Examples
    --------
    >>> import numpy as np
    >>> typed_array(np.array([1.0, np.nan]))
    {'dtype': 'f4', 'bdata': 'AACAPwAAwH8='}
    """
    arr = np.ascontiguousarray(values, dtype=_DTYPES[dtype])
    spec = {"dtype": dtype, "bdata": base64.b64encode(arr.tobytes()).decode("ascii")}
    if arr.ndim == 2:
        spec["shape"] = f"{arr.shape[0]}, {arr.shape[1]}"
    return spec


def _compact(values: np.ndarray) -> dict[str, str]:
    """float32 when every finite value survives it to about 7 digits, else float64."""
    finite = np.abs(values[np.isfinite(values)])
    small = finite.size == 0 or (finite.max() < 1e30 and finite[finite > 0].min(initial=1.0)
                                 > 1e-30)
    return typed_array(values, "f4" if small else "f8")


def _edge_xy(pos: np.ndarray, src: np.ndarray, dst: np.ndarray) -> tuple[dict, dict]:
    """x and y of line segments src -> dst, separated by NaN (plotly draws a gap)."""
    xy = np.full((src.size, 3, 2), np.nan, dtype=np.float32)
    xy[:, 0] = pos[src]
    xy[:, 1] = pos[dst]
    return typed_array(xy[:, :, 0].ravel()), typed_array(xy[:, :, 1].ravel())


def _frame_traces(frame: NetworkFrame, pos: np.ndarray, neurons: np.ndarray,
                  kinds: Sequence[str], reference: np.ndarray, max_edges: int,
                  names: Sequence[str] | None = None
                  ) -> tuple[list[dict[str, Any]], np.ndarray]:
    src, dst = np.asarray(frame.src, dtype=np.int64), np.asarray(frame.dst, dtype=np.int64)
    weight = np.asarray(frame.weight, dtype=float)
    shown = strongest_edges(src, dst, weight, max_edges=max_edges)
    traces: list[dict[str, Any]] = []
    for sign in (1, -1):
        e = shown[np.sign(weight[shown]) == sign]
        x, y = _edge_xy(pos, src[e], dst[e])
        traces.append({"x": x, "y": y})
    n = neurons.size
    values = hover_values(frame)
    custom = _compact(np.column_stack([
        neurons.astype(float), np.asarray(frame.membership, dtype=float),
        values["in_strength"], values["out_strength"], values["in_degree"].astype(float),
        values["out_degree"].astype(float), _or_nan(frame.participation, n),
        _or_nan(frame.within_z, n)]))
    roles = frame.role if frame.role is not None else [""] * n
    text = [html.escape(f"{k}, role {r}" if r else k) for k, r in zip(kinds, roles, strict=True)]
    if names is not None:  # the name on a line of its own, above the kind
        text = [f"name {html.escape(str(a))}<br>{t}" for a, t in zip(names, text, strict=True)]
    labels = match_labels(frame.membership, reference)
    colours = [PALETTE[c % len(PALETTE)] for c in labels]
    traces.append({"marker": {"color": colours}, "customdata": custom, "text": text})
    return traces, shown


def network_figure(neurons: np.ndarray, frames: Sequence[NetworkFrame], *,
                   kinds: Sequence[str] | None = None, names: Sequence[str] | None = None,
                   title: str = "",
                   max_edges: int = NETWORK_MAX_EDGES, layout_frame: int = -1,
                   positions: np.ndarray | None = None, seed: int = 0) -> dict[str, Any]:
    """A plotly figure of a run's weight graph with one frame and slider step per snapshot.

    Traces: 0 excitatory edges, 1 inhibitory edges (lines, segments separated by
    NaN), 2 neurons (markers; ``customdata`` columns :data:`HOVER_COLUMNS`, ``text``
    the name, if given, then the kind and role). Each frame replaces the edges, the
    neurons' colours, ``customdata`` and ``text``, and the title; the neurons do not
    move. A single snapshot gives a figure without frames and slider.

    Parameters
    ----------
    neurons : ndarray of int, shape (n,)
        Neuron ids (shown on hover) of positions ``0..n-1``.
    frames : sequence of NetworkFrame
        The snapshots, in slider order (by step).
    kinds : sequence of str, optional
        What each neuron is ("input", "hidden, clamped", ...); default "neuron".
    names : sequence of str, optional
        The neurons' names (the ``name`` column of the neurons table, where the run has
        a nodes file), shown on hover under the id; escaped here.
    title : str
        Plain text above the plot (escaped here); each frame's own title follows it.
    max_edges : int, default :data:`NETWORK_MAX_EDGES`
        Edges drawn per snapshot: the strongest by ``|w|``.
    layout_frame : int, default -1
        The frame whose weights and communities place the neurons
        (:func:`layout_positions`) and whose communities the colours follow; the
        figure opens on it.
    positions : ndarray, shape (n, 2), optional
        Positions to use instead of :func:`layout_positions`.
    seed : int, default 0
        Seed of the layout.

    Returns
    -------
    dict
        The figure as plotly's JSON structure (``data``, ``layout``, ``frames``, the
        last two with ``sliders`` only for more than one snapshot), numbers
        as typed arrays (:func:`typed_array`); ``plotly.graph_objects.Figure(fig)``
        makes it an object, :func:`figure_html` a page fragment.

    Examples
    --------
    >>> import numpy as np
    >>> f = [NetworkFrame(step=s, src=np.array([0, 1]), dst=np.array([1, 2]),
    ...                   weight=np.array([1.0, s + 1.0]), membership=np.array([0, 0, 1]))
    ...      for s in (0, 5)]
    >>> fig = network_figure(np.arange(3), f, max_edges=1)
    >>> [fr["name"] for fr in fig["frames"]], fig["layout"]["sliders"][0]["active"]
    (['step 0', 'step 5'], 1)
    >>> network_figure(np.arange(3), f, names=["AVAL", "AVAR", "R&D"])["data"][2]["text"][2]
    'name R&amp;D<br>neuron'
    """
    if not frames:
        raise WiringError("`frames` is empty: a network figure needs at least one snapshot")
    neurons = np.asarray(neurons)
    n = neurons.size
    kinds = list(kinds) if kinds is not None else ["neuron"] * n
    if names is not None:
        names = [str(a) for a in names]
        if len(names) != n:
            raise WiringError(f"`names` has {len(names)} entries; expected {n}, one per neuron")
    ref = frames[layout_frame]
    if positions is None:
        positions = layout_positions(ref.src, ref.dst, ref.weight, n=n,
                                     membership=ref.membership, seed=seed)
    pos = np.asarray(positions, dtype=float)
    reference = np.asarray(ref.membership)
    size = 9 if n <= 300 else 6 if n <= 1000 else 4
    head = html.escape(title)
    fig_frames, steps = [], []
    for frame in frames:
        traces, shown = _frame_traces(frame, pos, neurons, kinds, reference, max_edges,
                                      names)
        caption = f"; {html.escape(frame.title)}" if frame.title else ""
        text = (f"{head}<br><sup>step {frame.step}: {shown.size:,} of {frame.n_edges:,} edges "
                f"drawn{caption}</sup>")
        name = f"step {frame.step}"
        fig_frames.append({"name": name, "data": traces, "traces": [0, 1, 2],
                           "layout": {"title": {"text": text}}})
        steps.append({"label": str(frame.step), "method": "animate",
                      "args": [[name], {"mode": "immediate", "transition": {"duration": 0},
                                        "frame": {"duration": 0, "redraw": True}}]})
    active = range(len(frames))[layout_frame]
    first = fig_frames[active]["data"]
    data: list[dict[str, Any]] = [
        {"type": "scatter", "name": name, "mode": "lines", "hoverinfo": "skip",
         "showlegend": False, "line": {"color": _EDGE_COLOURS[name], "width": 0.8},
         **first[k]}
        for k, name in enumerate(("excitatory", "inhibitory"))]
    data.append({
        "type": "scatter", "name": "neurons", "mode": "markers", "showlegend": False,
        "x": typed_array(pos[:, 0]), "y": typed_array(pos[:, 1]),
        "marker": {"size": size, "line": {"width": 0.5, "color": "#333333"},
                   **first[2]["marker"]},
        "customdata": first[2]["customdata"], "text": first[2]["text"],
        "hovertemplate": _HOVER})
    axis = {"visible": False, "showgrid": False, "zeroline": False}
    layout = {
        "title": {"text": fig_frames[active]["layout"]["title"]["text"], "font": {"size": 13}},
        "height": 640, "dragmode": "pan", "hovermode": "closest", "plot_bgcolor": "white",
        "margin": {"l": 10, "r": 10, "t": 60, "b": 10}, "xaxis": axis,
        "yaxis": {**axis, "scaleanchor": "x", "scaleratio": 1},
        "sliders": [{"active": active, "steps": steps, "currentvalue": {"prefix": "step "},
                     "pad": {"t": 10}, "len": 1.0, "x": 0.0}]}
    if len(frames) == 1:  # nothing to slide over (plotly draws no one-step slider)
        del layout["sliders"]
        return {"data": data, "layout": layout}
    return {"data": data, "layout": layout, "frames": fig_frames}


def figure_html(fig: Any, div_id: str) -> str:
    """The ``<div>`` and ``<script>`` plotly writes for ``fig``, without plotly.js.

    Pan by dragging, zoom with the scroll wheel or a box (mode bar); the figure does
    not play on load; the mode bar has no button that sends the chart anywhere (the
    PNG download is drawn in the browser).

    Examples
    --------
    >>> import numpy as np
    >>> f = NetworkFrame(step=0, src=np.array([0]), dst=np.array([1]),
    ...                  weight=np.array([1.0]), membership=np.array([0, 1]))
    >>> snippet = figure_html(network_figure(np.arange(2), [f, f]), "net-1")
    >>> 'id="net-1"' in snippet, "Plotly.addFrames" in snippet, "cdn" in snippet
    (True, True, False)
    """
    import plotly.io as pio

    # offline: no button that uploads the chart (plotly.js 4 shows "Share chart" unless
    # told not to)
    config = {"scrollZoom": True, "displaylogo": False, "responsive": True,
              "showSendToCloud": False,
              "modeBarButtonsToRemove": ["select2d", "lasso2d", "sendChartToCloud",
                                         "sendDataToCloud"]}
    return pio.to_html(fig, full_html=False, include_plotlyjs=False, include_mathjax=False,
                       auto_play=False, div_id=div_id, config=config, validate=False)


#: The partial plotly.js bundle the report inlines (plotly.js-basic-dist-min of the same
#: plotly.js version as the installed plotly package): trace types scatter, bar and pie,
#: with frames, sliders and hover; about 1.2 MB against 4.8 MB for the full bundle.
BASIC_BUNDLE = Path(__file__).resolve().parent / "assets" / "plotly-basic.min.js"
#: Trace types of :data:`BASIC_BUNDLE`; :func:`network_figure` draws only scatter traces.
BASIC_TRACES = ("scatter", "bar", "pie")


def _bundle_version(js: str) -> str | None:
    found = re.search(r"plotly\.js\b[^\n]*?\bv(\d+\.\d+\.\d+)", js[:300])
    return found.group(1) if found else None


def plotly_js(bundle: str = "basic") -> str:
    """The plotly.js the report inlines once, safe inside ``<script>``.

    Parameters
    ----------
    bundle : {"basic", "full"}, default "basic"
        "basic": :data:`BASIC_BUNDLE` (scatter, bar and pie traces: all the report
        draws), if it is the plotly.js version the installed plotly package writes its
        figures for; otherwise, and for "full", the full bundle shipped with the
        installed plotly package (logged).

    Returns
    -------
    str

    Examples
    --------
    >>> basic, full = plotly_js(), plotly_js("full")
    >>> 1_000_000 < len(basic) < len(full) / 3, "</script" in basic.lower()
    (True, False)
    """
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    if bundle not in ("basic", "full"):
        raise WiringError(f"`bundle` must be 'basic' or 'full', got {bundle!r}")
    js = None
    if bundle == "basic":
        try:
            js = BASIC_BUNDLE.read_text(encoding="utf-8")
        except OSError as exc:
            log.info("no basic plotly.js bundle (%s): inlining the full one", exc)
        if js is not None and _bundle_version(js) != get_plotlyjs_version():
            log.info("basic plotly.js bundle %s does not match plotly's %s: inlining the "
                     "full one", _bundle_version(js), get_plotlyjs_version())
            js = None
    if js is None:
        js = get_plotlyjs()
    # nothing in the bundles closes a script element today; make sure of it
    return js.replace("</script", "<\\/script").replace("</SCRIPT", "<\\/SCRIPT")


def kind_labels(neurons: np.ndarray, flags: Mapping[str, np.ndarray]) -> list[str]:
    """``"input"`` / ``"output"`` / ``"hidden"`` (plus ``", clamped"``) of each neuron.

    Examples
    --------
    >>> import numpy as np
    >>> kind_labels(np.arange(3), {"is_input": np.array([True, False, False]),
    ...                            "is_clamped": np.array([False, True, False])})
    ['input', 'hidden, clamped', 'hidden']
    """
    n = np.asarray(neurons).size

    def flag(name: str) -> np.ndarray:
        v = flags.get(name)
        return np.zeros(n, dtype=bool) if v is None else np.asarray(v, dtype=bool)

    inp, out, clamped = flag("is_input"), flag("is_output"), flag("is_clamped")
    kinds = np.where(inp, "input", np.where(out, "output", "hidden")).tolist()
    return [k + (", clamped" if c else "") for k, c in zip(kinds, clamped, strict=True)]
