"""Matrix figures: community-ordered weight heatmaps and block matrices, drawn only.

Graphs of more than :data:`HEATMAP_MAX_NEURONS` neurons are too large to draw neuron
by neuron; :func:`community_block_heatmap` and :func:`community_block_grid` draw them
as block-level views instead (one cell per pair of communities, sized by the
communities), from a ``K x K`` block matrix, never an ``n x n`` one.

The matrix half of the figure functions (:mod:`community.plot` holds the measure
and training figures and re-exports everything public here; import from there).
Functions take a weight matrix and a membership vector, or a block matrix, that
are already computed. Single-panel functions take ``ax=None`` and return the
:class:`~matplotlib.axes.Axes` they drew on (a new figure when ``ax`` is None);
grid functions return a :class:`~matplotlib.figure.Figure`. Nothing here writes
files. This module also holds the figure helpers both plot modules share
(:func:`panel_figure`, the Agg switch and the new-axes helper).

Figures are created with :class:`matplotlib.figure.Figure` (not ``pyplot``), so
no global figure list grows, and matplotlib is switched to the non-interactive
``Agg`` backend. matplotlib is imported inside the functions.

**Matrix convention.** ``W[i, j]`` is the weight onto neuron ``i`` from neuron
``j`` (rows are postsynaptic, columns presynaptic), as in :mod:`wiring.runs`.
Block matrices follow it: ``B[a, b]`` is the mean ``|w|`` onto block ``a`` from
block ``b``.

Examples
--------
>>> import numpy as np
>>> W = np.array([[0.0, 1.0, 0.0], [-1.0, 0.0, 0.5], [0.2, 0.0, 0.0]])
>>> ax = weight_heatmap(W, [1, 0, 1], title="toy")
>>> ax.get_title(), ax.images[0].get_array().shape
('toy', (3, 3))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "community_order",
    "panel_figure",
    "weight_heatmap",
    "heatmap_grid",
    "block_heatmap",
    "block_grid",
    "group_singleton_blocks",
    "TICK_GAP",
    "TICK_CHAR",
    "HEATMAP_MAX_NEURONS",
    "community_block_heatmap",
    "community_block_grid",
]

_PANEL = (3.8, 3.3)
#: ``layout="fixed"`` margins (left, right, bottom, top) and default gaps, inches.
_MARGINS = (0.8, 0.25, 0.55, 0.55)
_GAPS = (0.95, 1.05)

#: Largest number of neurons drawn neuron by neuron. Above it a weight matrix is shown as a
#: block-level view (:func:`community_block_heatmap`: one cell per pair of communities, sized
#: by the communities), since an ``n x n`` image of more neurons than a figure has pixels
#: shows nothing the blocks do not, and costs ``8 n^2`` bytes to hold.
HEATMAP_MAX_NEURONS = 2000


# --------------------------------------------------------------------------- helpers


def _new_axes(ax: Axes | None, size: tuple[float, float] = (5.0, 3.8)) -> Axes:
    # a bare Figure, not pyplot: no backend is chosen or changed (a notebook's stays inline)
    if ax is not None:
        return ax
    from matplotlib.figure import Figure

    fig = Figure(figsize=size, layout="constrained")
    return fig.add_subplot()


#: Tick labels of a community-ordered heatmap are at least this fraction of its side
#: apart, and :data:`TICK_CHAR` of it per character of the two labels (on average) where
#: that is more; a label closer to a kept one is left out (it would overprint it).
TICK_GAP = 0.045
#: Fraction of a heatmap's side one tick-label character takes (see :data:`TICK_GAP`).
TICK_CHAR = 0.02


def _spaced(centres: np.ndarray, sizes: np.ndarray, labels: Sequence[str],
            side: float) -> list[int]:
    """Indices of the tick centres to label: larger blocks first, none closer to a label
    already kept than :data:`TICK_GAP` (or :data:`TICK_CHAR` per character); in axis
    order."""
    def gap(a: int, b: int) -> float:
        return side * max(TICK_GAP, TICK_CHAR * (len(labels[a]) + len(labels[b])) / 2)

    kept: list[int] = []
    for k in np.argsort(-np.asarray(sizes), kind="stable"):
        if all(abs(centres[k] - centres[j]) >= gap(int(k), j) for j in kept):
            kept.append(int(k))
    return sorted(kept)


def group_singleton_blocks(B: pd.DataFrame, sizes: ArrayLike) -> tuple[pd.DataFrame,
                                                                        np.ndarray]:
    """Gather the communities of one neuron in a block matrix into one last "single" block.

    The merged cells are means over the neuron pairs they hold: with ``sizes`` ``s``, the
    cell of blocks ``A`` and ``C`` (sets of communities) is
    ``sum(s_a s_c B[a, c]) / (sum(s_a) sum(s_c))``. With fewer than two singletons the
    matrix is returned as it is.

    Parameters
    ----------
    B : DataFrame, shape (k, k)
        Mean ``|w|`` onto community (index) from community (columns), the same labels in
        the same order on both.
    sizes : array_like of int, shape (k,)
        Neurons of each community, in the order of ``B.index``.

    Returns
    -------
    B : DataFrame
        With the singletons' rows and columns replaced by one labelled ``"single"``, last.
    sizes : ndarray of int

    Examples
    --------
    >>> B = pd.DataFrame([[1.0, 0.0, 0.0], [0.5, 2.0, 4.0], [0.5, 0.0, 6.0]],
    ...                  index=[0, 1, 2], columns=[0, 1, 2])
    >>> G, n = group_singleton_blocks(B, [3, 1, 1])
    >>> G.index.tolist(), G.to_numpy().tolist(), n.tolist()
    ([0, 'single'], [[1.0, 0.0], [0.5, 3.0]], [3, 2])
    """
    sizes = np.asarray(sizes, dtype=float)
    single = sizes == 1
    if single.sum() < 2:
        return B, sizes.astype(np.int64)
    groups = np.where(single, -1, np.arange(sizes.size))  # -1: the merged block
    order = [g for g in dict.fromkeys(groups[~single])] + [-1]
    M = np.zeros((len(order), sizes.size))
    for r, g in enumerate(order):
        M[r, groups == g] = sizes[groups == g]
    totals = M.sum(axis=1)
    values = np.nan_to_num(B.to_numpy(dtype=float))
    merged = (M @ values @ M.T) / np.outer(totals, totals)
    index = B.index.tolist()
    labels = [index[g] for g in order[:-1]] + ["single"]
    return (pd.DataFrame(merged, index=labels, columns=labels),
            totals.astype(np.int64))


def community_order(membership: ArrayLike) -> np.ndarray:
    """The neuron order of the heatmaps: by community label, stable within a community.

    Parameters
    ----------
    membership : array_like of int, shape (n,)
        Community of each neuron.

    Returns
    -------
    ndarray of int, shape (n,)
        ``np.argsort(membership, kind="stable")``.

    Examples
    --------
    >>> community_order([2, 0, 2, 0, 1]).tolist()
    [1, 3, 4, 0, 2]
    """
    return np.argsort(np.asarray(membership), kind="stable")


def panel_figure(n: int, *, ncols: int | None = None,
                 panel_size: tuple[float, float] = _PANEL, layout: str = "constrained",
                 gaps: tuple[float, float] = _GAPS,
                 margins: tuple[float, float, float, float] = _MARGINS
                 ) -> tuple[Figure, list[Axes]]:
    """An empty grid of ``n`` panels (unused cells removed), for the grid figures.

    Parameters
    ----------
    n : int
        Number of panels, ``>= 1``.
    ncols : int, optional
        Columns (default: ``min(n, 4)``).
    panel_size : tuple of float
        Width and height of one panel, inches.
    layout : {"constrained", "fixed"}
        ``"constrained"``: matplotlib's constrained layout sizes the margins around
        every label (exact, but it lays the figure out twice more when saving, over a
        second per figure of many panels). ``"fixed"``: no layout engine; margins of
        fixed size in inches (``margins``, ``gaps`` between panels) that fit the labels,
        titles of up to two lines and colour bars these figures draw, so saving draws
        the figure once.
    gaps : tuple of float
        With ``layout="fixed"``: space between columns and between rows, inches
        (default 0.95 and 1.05).
    margins : tuple of float
        With ``layout="fixed"``: left, right, bottom and top margins of the figure,
        inches (default 0.8, 0.25, 0.55, 0.55).

    Returns
    -------
    tuple
        ``(Figure, list of n Axes)`` in row-major order.

    Examples
    --------
    >>> fig, axes = panel_figure(5, ncols=3)
    >>> len(axes), len(fig.axes)
    (5, 5)
    >>> fig, axes = panel_figure(2, layout="fixed")
    >>> left = axes[0].get_position().x0 * fig.get_size_inches()[0]  # inches
    >>> fig.get_layout_engine() is None, round(float(left), 2)
    (True, 0.8)
    """
    from matplotlib.figure import Figure

    if layout not in ("constrained", "fixed"):
        raise ValueError(f"`layout` must be 'constrained' or 'fixed', got {layout!r}")
    n = max(int(n), 1)
    ncols = max(1, min(ncols or min(n, 4), n))
    nrows = -(-n // ncols)
    width, height = panel_size[0] * ncols, panel_size[1] * nrows
    if layout == "constrained":
        fig = Figure(figsize=(width, height), layout="constrained")
        grid = fig.subplots(nrows, ncols, squeeze=False)
    else:
        left, right, bottom, top = margins
        ax_w = (width - left - right - (ncols - 1) * gaps[0]) / ncols
        ax_h = (height - bottom - top - (nrows - 1) * gaps[1]) / nrows
        fig = Figure(figsize=(width, height))
        grid = fig.subplots(nrows, ncols, squeeze=False, gridspec_kw={
            "left": left / width, "right": 1 - right / width, "bottom": bottom / height,
            "top": 1 - top / height, "wspace": gaps[0] / ax_w, "hspace": gaps[1] / ax_h})
    axes = list(grid.ravel())
    for extra in axes[n:]:
        fig.delaxes(extra)
    return fig, axes[:n]


# --------------------------------------------------------------------------- matrices


def weight_heatmap(W: ArrayLike, membership: ArrayLike, *, ax: Axes | None = None,
                   title: str | None = None, vmax: float | None = None,
                   colorbar: bool = True, absolute: bool = False,
                   group_singletons: bool = False) -> Axes:
    """Signed weight matrix with neurons ordered by community (the paper's Fig. 4).

    Rows and columns are permuted by :func:`community_order`; thin lines mark the
    community boundaries; the diverging colormap is centred at 0 (red excitatory,
    blue inhibitory).

    Parameters
    ----------
    W : array_like of float, shape (n, n)
        ``W[i, j]`` = weight onto ``i`` (postsynaptic, y axis) from ``j``
        (presynaptic, x axis).
    membership : array_like of int, shape (n,)
        Community of each neuron.
    ax : Axes, optional
        Where to draw (default: a new figure).
    title : str, optional
    vmax : float, optional
        Colour limit ``[-vmax, vmax]``; default the 99th percentile of ``|W|``
        (the maximum, or 1, if that is 0).
    colorbar : bool
        Add a colour bar beside ``ax``.
    absolute : bool, default False
        Draw ``|W|`` on a sequential colormap from 0 to ``vmax`` (the paper's panels)
        instead of the signed weights centred at 0; ``vmax`` then defaults to the 99th
        percentile of the non-zero ``|W|``.
    group_singletons : bool, default False
        Gather the neurons that are alone in their community into one last block,
        labelled ``"single"`` (after strong learning Leiden can leave hundreds of them,
        and a boundary line around each would hide the matrix).

    Returns
    -------
    Axes
        With one image (``ax.images[0]``, the permuted matrix) and two lines per
        community boundary.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.arange(16.0).reshape(4, 4) - 8
    >>> ax = weight_heatmap(W, [1, 0, 1, 0])
    >>> ax.images[0].get_array()[0].tolist()   # row of neuron 1, columns 1, 3, 0, 2
    [-3.0, -1.0, -4.0, -2.0]
    >>> len(ax.lines)                          # one boundary: a horizontal + a vertical line
    2
    >>> ax = weight_heatmap(np.ones((4, 4)), [0, 0, 1, 2], group_singletons=True)
    >>> [t.get_text() for t in ax.get_xticklabels()], len(ax.lines)
    (['0', 'single'], 2)
    """
    W = np.asarray(W, dtype=float)
    m = np.asarray(membership)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or m.shape != (W.shape[0],):
        raise ValueError(f"`W` must be square (n, n) and `membership` of length n; got W "
                         f"{W.shape} and membership {m.shape}")
    single_label = None
    if group_singletons and m.size:
        labels, sizes = np.unique(m, return_counts=True)
        single = np.isin(m, labels[sizes == 1])
        if single.sum() > 1:  # one singleton is a block of its own anyway
            single_label = int(m.max()) + 1
            m = np.where(single, single_label, m)
    ax = _new_axes(ax, (4.6, 4.0))
    order = community_order(m)  # the gathered block, labelled max + 1, comes last
    Wp = W[np.ix_(order, order)]
    if absolute:
        Wp = np.abs(Wp)
    if vmax is None:
        absw = np.abs(W[np.isfinite(W)])
        if absolute:
            absw = absw[absw > 0]
        vmax = float(np.percentile(absw, 99)) if absw.size else 0.0
        if not vmax > 0:
            vmax = float(absw.max()) if absw.size and absw.max() > 0 else 1.0
    cmap, vmin = ("Reds", 0.0) if absolute else ("RdBu_r", -vmax)
    im = ax.imshow(Wp, cmap=cmap, vmin=vmin, vmax=vmax, interpolation="nearest",
                   aspect="equal")
    ms = m[order]
    cuts = np.flatnonzero(ms[1:] != ms[:-1]) + 1
    for c in cuts:
        ax.axhline(c - 0.5, color="0.15", lw=0.6, gid="boundary")
        ax.axvline(c - 0.5, color="0.15", lw=0.6, gid="boundary")
    edges = np.concatenate([[0], cuts, [ms.size]])
    if 0 < edges.size - 1 <= 20:
        centres = (edges[:-1] + edges[1:] - 1) / 2
        labels = ["single" if v == single_label else str(v) for v in ms[edges[:-1]]]
        keep = _spaced(centres, edges[1:] - edges[:-1], labels, ms.size)
        ax.set_xticks(centres[keep], [labels[k] for k in keep], fontsize=7)
        ax.set_yticks(centres[keep], [labels[k] for k in keep], fontsize=7)
    else:
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_xlabel("presynaptic j (by community)")
    ax.set_ylabel("postsynaptic i (by community)")
    if title:
        ax.set_title(title, fontsize=9)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.8, label="|w|" if absolute else "w")
    return ax


def heatmap_grid(panels: Sequence[tuple[str, ArrayLike, ArrayLike]], *,
                 ncols: int | None = None, group_singletons: bool = False,
                 layout: str = "constrained", colorbars: Sequence[bool] | None = None
                 ) -> Figure:
    """Community-ordered weight heatmaps side by side (e.g. one per learning rate).

    Parameters
    ----------
    panels : sequence of (title, W, membership)
        One panel each, drawn with :func:`weight_heatmap` (own colour scale). The same
        ``W`` may appear twice with two memberships (e.g. Leiden communities beside
        block-model blocks, with ``ncols=2``).
    ncols : int, optional
        Columns (default: up to 4).
    group_singletons : bool, default False
        Passed to :func:`weight_heatmap`: neurons alone in their community are gathered
        in one last block.
    layout : {"constrained", "fixed"}
        :func:`panel_figure`'s layout.
    colorbars : sequence of bool, optional
        Which panels get a colour bar (default: every panel). A panel without one that
        draws the same ``W`` as the next (Leiden beside block order) shares its scale.

    Returns
    -------
    Figure
        One image axes per panel (plus one colour-bar axes each, where drawn).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.eye(3)
    >>> fig = heatmap_grid([("a", W, [0, 0, 1]), ("b", -W, [0, 1, 1])])
    >>> [ax.get_title() for ax in fig.axes if ax.images]
    ['a', 'b']
    """
    fig, axes = panel_figure(len(panels), ncols=ncols, panel_size=(4.0, 3.6), layout=layout)
    bars = [True] * len(panels) if colorbars is None else list(colorbars)
    if len(bars) != len(panels):
        raise ValueError(f"`colorbars` has {len(bars)} entries for {len(panels)} panels")
    for ax, (title, W, m), bar in zip(axes, panels, bars, strict=False):
        weight_heatmap(W, m, ax=ax, title=title, group_singletons=group_singletons,
                       colorbar=bar)
    return fig


def block_heatmap(B: ArrayLike | pd.DataFrame, *, ax: Axes | None = None,
                  title: str | None = None, colorbar: bool = True) -> Axes:
    """Block matrix: mean ``|w|`` onto block ``a`` (rows) from block ``b`` (columns).

    Parameters
    ----------
    B : array_like or DataFrame, shape (k, k)
        Block means; a DataFrame's index and columns label the blocks.
    ax : Axes, optional
    title : str, optional
    colorbar : bool

    Returns
    -------
    Axes
        With one image; values are written into the cells when ``k <= 8``.

    Examples
    --------
    >>> ax = block_heatmap([[1.0, 0.1], [0.2, 0.9]], title="B")
    >>> ax.images[0].get_array().shape, len(ax.texts)
    ((2, 2), 4)
    """
    labels = None
    if isinstance(B, pd.DataFrame):
        labels = [str(v) for v in B.index], [str(v) for v in B.columns]
        B = B.to_numpy(dtype=float)
    B = np.asarray(B, dtype=float)
    ax = _new_axes(ax, (4.2, 3.6))
    finite = B[np.isfinite(B)]
    im = ax.imshow(B, cmap="viridis", vmin=0.0,
                   vmax=float(finite.max()) if finite.size and finite.max() > 0 else 1.0,
                   interpolation="nearest")
    k_to, k_from = B.shape
    if max(k_to, k_from) <= 8:
        hi = float(finite.max()) if finite.size else 0.0
        for a in range(k_to):
            for b in range(k_from):
                v = B[a, b]
                ax.text(b, a, "" if not np.isfinite(v) else f"{v:.2g}", ha="center",
                        va="center", fontsize=7, color="white" if v < 0.6 * hi else "black")
    if max(k_to, k_from) <= 20:
        rows, cols = labels or ([str(i) for i in range(k_to)], [str(j) for j in range(k_from)])
        ax.set_yticks(range(k_to), rows, fontsize=7)
        ax.set_xticks(range(k_from), cols, fontsize=7)
    ax.set_xlabel("from block b")
    ax.set_ylabel("to block a")
    if title:
        ax.set_title(title, fontsize=9)
    if colorbar:
        ax.figure.colorbar(im, ax=ax, shrink=0.8, label="mean |w|")
    return ax


def block_grid(panels: Sequence[tuple], *, ncols: int | None = None,
               layout: str = "constrained", group_singletons: bool = False) -> Figure:
    """Block matrices side by side.

    Parameters
    ----------
    panels : sequence of (title, B) or (title, B, sizes)
        Drawn with :func:`block_heatmap`; ``sizes`` (neurons per community, in the order
        of ``B``'s rows, ``B`` a DataFrame) allows ``group_singletons``.
    ncols : int, optional
    layout : {"constrained", "fixed"}
        :func:`panel_figure`'s layout.
    group_singletons : bool, default False
        Gather the communities of one neuron of each panel with ``sizes`` into one last
        block, "single" (:func:`group_singleton_blocks`): after strong learning Leiden
        can leave dozens of them, a smear of one-cell rows along the diagonal.

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = block_grid([("x", [[1.0]]), ("y", [[0.5, 0.1], [0.1, 0.5]])])
    >>> sum(1 for ax in fig.axes if ax.images)
    2
    """
    fig, axes = panel_figure(len(panels), ncols=ncols, panel_size=(3.6, 3.2), layout=layout)
    for ax, (title, B, *sizes) in zip(axes, panels, strict=False):
        if group_singletons and sizes and isinstance(B, pd.DataFrame):
            B, _ = group_singleton_blocks(B, sizes[0])
        block_heatmap(B, ax=ax, title=title)
    return fig


def community_block_heatmap(B: ArrayLike | pd.DataFrame, sizes: ArrayLike, *,
                            ax: Axes | None = None, title: str | None = None,
                            colorbar: bool = True, label: str = "mean |w|") -> Axes:
    """Block-level view of a weight matrix too large to draw neuron by neuron.

    One cell per (target community ``a``, source community ``b``), coloured by
    ``B[a, b]`` and as tall and wide as the two communities are large, so the picture
    is the neuron-level heatmap of :func:`weight_heatmap` (neurons ordered by
    community) averaged over each block. Memory and time depend on the number of
    communities ``K`` only, never on the number of neurons. The title says that it
    is a block-level view.

    Parameters
    ----------
    B : array_like or DataFrame, shape (K, K)
        Block values in community order, rows the target (postsynaptic)
        community, e.g. the ``mean_abs_weight`` of the ``blocks`` table. NaN cells
        (a one-neuron community's diagonal) are left blank.
    sizes : array_like of int, shape (K,)
        Neurons in each community; cell extents are proportional to them.
    ax : Axes, optional
        Where to draw (default: a new figure).
    title : str, optional
        First line of the title; a second line says "block-level view" with the
        numbers of communities and neurons.
    colorbar : bool
        Add a colour bar beside ``ax``.
    label : str
        Colour-bar label.

    Returns
    -------
    Axes
        With one :class:`~matplotlib.collections.QuadMesh` (gid ``"block-level"``,
        ``K x K`` values), two lines per community boundary (gid ``"boundary"``)
        and, for ``K <= 20``, ticks labelled ``community (size)`` on the communities
        wide enough for a label (at least 1/40 of the neurons).

    Examples
    --------
    >>> ax = community_block_heatmap([[1.0, 0.1], [0.2, 0.9]], [300, 100], title="r = 0.1")
    >>> ax.get_title().splitlines()
    ['r = 0.1', 'block-level view: 2 communities, 400 neurons']
    >>> ax.collections[0].get_array().shape, ax.get_xlim()
    ((2, 2), (np.float64(0.0), np.float64(400.0)))
    """
    if isinstance(B, pd.DataFrame):
        B = B.to_numpy(dtype=float)
    B = np.asarray(B, dtype=float)
    sizes = np.asarray(sizes)
    if B.ndim != 2 or B.shape[0] != B.shape[1] or sizes.shape != (B.shape[0],):
        raise ValueError(f"`B` must be square (K, K) and `sizes` of length K; got B {B.shape} "
                         f"and sizes {sizes.shape}")
    if sizes.size and (sizes.min() < 0 or not np.all(np.isfinite(sizes))):
        raise ValueError(f"`sizes` must be non-negative counts, got {sizes.tolist()[:10]}")
    ax = _new_axes(ax, (4.6, 4.0))
    k = sizes.size
    edges = np.concatenate([[0.0], np.cumsum(sizes, dtype=float)])
    n = float(edges[-1])
    finite = B[np.isfinite(B)]
    hi = float(finite.max()) if finite.size and finite.max() > 0 else 1.0
    lo = min(float(finite.min()), 0.0) if finite.size else 0.0
    signed = lo < 0
    vmax = max(hi, -lo) if signed else hi
    mesh = ax.pcolormesh(edges, edges, np.ma.masked_invalid(B),
                         cmap="RdBu_r" if signed else "viridis",
                         vmin=-vmax if signed else 0.0, vmax=vmax)
    mesh.set_gid("block-level")
    ax.set_xlim(0.0, n)
    ax.set_ylim(n, 0.0)  # community 0 at the top, as in the neuron-level heatmap
    ax.set_aspect("equal")
    for c in edges[1:-1]:
        ax.axhline(c, color="0.15", lw=0.6, gid="boundary")
        ax.axvline(c, color="0.15", lw=0.6, gid="boundary")
    if 0 < k <= 20:
        wide = np.flatnonzero(sizes >= n / 40)  # room for a label
        centres = (edges[:-1] + edges[1:])[wide] / 2
        labels = [f"{a} ({int(sizes[a])})" for a in wide]
        ax.set_xticks(centres, labels, fontsize=6, rotation=90)
        ax.set_yticks(centres, labels, fontsize=6)
        sizes_note = "community (size)"
    else:
        ax.set_xticks([])
        ax.set_yticks([])
        sizes_note = (f"{k} communities of {int(sizes.min())} to {int(sizes.max())} neurons"
                      if k else "no communities")
    ax.set_xlabel(f"presynaptic {sizes_note}")
    ax.set_ylabel("postsynaptic community")
    head = f"block-level view: {k} communities, {int(n):,} neurons"
    ax.set_title(f"{title}\n{head}" if title else head, fontsize=8)
    if colorbar:
        ax.figure.colorbar(mesh, ax=ax, shrink=0.8, label=label)
    return ax


def community_block_grid(panels: Sequence[tuple[str, ArrayLike | pd.DataFrame, ArrayLike]], *,
                         ncols: int | None = None, label: str = "mean |w|",
                         layout: str = "constrained") -> Figure:
    """Block-level views side by side: :func:`heatmap_grid` for graphs above
    :data:`HEATMAP_MAX_NEURONS` neurons.

    Parameters
    ----------
    panels : sequence of (title, B, sizes)
        One panel each, drawn with :func:`community_block_heatmap`.
    ncols : int, optional
        Columns (default: up to 4).
    label : str
        Colour-bar label of every panel.
    layout : {"constrained", "fixed"}
        :func:`panel_figure`'s layout.

    Returns
    -------
    Figure

    Examples
    --------
    >>> fig = community_block_grid([("a", [[1.0]], [5000]), ("b", [[0.5, 0.1], [0.1, 0.5]],
    ...                                                          [3000, 2000])])
    >>> [ax.get_title().splitlines()[0] for ax in fig.axes if ax.get_title()]
    ['a', 'b']
    """
    fig, axes = panel_figure(len(panels), ncols=ncols, panel_size=(4.4, 4.0), layout=layout)
    for ax, (title, B, sizes) in zip(axes, panels, strict=False):
        community_block_heatmap(B, sizes, ax=ax, title=title, label=label)
    return fig
