"""Structure beyond modules: disassortative blocks, hubs, isolated and saturated neurons,
reciprocity and the rich club.

Modularity only sees assortative modules (docs: user_guide/communities). The measures here look
for what it misses or mistakes for modules: weight running *across* blocks (feed-forward,
sender -> receiver), weight piled onto a few neurons (hubs), neurons left with no synapse
(isolated) or with a balance ``f(s)`` near 0 (saturated, so learning stops), reciprocated
synapses, and a densely interconnected core of high-degree neurons (rich club).

As everywhere in :mod:`community`, ``W[i, j]`` is the weight onto neuron ``i`` from neuron
``j`` (edge ``j -> i``), a dense array, a ``scipy.sparse`` matrix, a networkx graph or a
:class:`wiring.runs.Snapshot` (:func:`community.graphs.as_weights`: above
:data:`community.graphs.DENSE_MAX_NEURONS` neurons a sparse input stays sparse); a synapse
is a non-zero entry, and ``A = |W|``.

Examples
--------
>>> import numpy as np
>>> W = np.zeros((4, 4))
>>> W[2:, :2] = 1.0                       # neurons 0, 1 drive 2, 3: sender -> receiver
>>> block_disassortativity(W, [0, 0, 1, 1]), reciprocity(W), isolated_fraction(W)
(1.0, 0.0, 0.0)
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from community.graphs import (
    CommunityError,
    Weights,
    _check_choice,
    _max_abs,
    _offdiag,
    _safe_scale,
    as_weights,
)
from community.measures import (
    _abs_and_membership,
    block_matrix,
    community_sizes,
    concentration,
    strengths,
)
from community.nulls import null_zscore

__all__ = [
    "DISASSORTATIVITY_COUNTS",
    "block_assortativity",
    "block_disassortativity",
    "hub_concentration",
    "isolated_fraction",
    "saturated_fraction",
    "reciprocity",
    "rich_club",
]

#: What :func:`block_disassortativity` counts of a disassortative block: only the weight in
#: excess of the denser end's within-block density, or the whole block.
DISASSORTATIVITY_COUNTS = ("excess", "block")

_NAN = float("nan")


def _is_number(x: object) -> bool:
    return (not isinstance(x, bool) and isinstance(x, int | float | np.number)
            and math.isfinite(x))


def _no_self_loops(A: np.ndarray | sp.csr_array) -> np.ndarray | sp.csr_array:
    """``|W|`` without its diagonal, divided by :func:`community.graphs._safe_scale` of its
    maximum (dense: in place)."""
    if sp.issparse(A):
        A = _offdiag(A)
        A.data /= _safe_scale(_max_abs(A))
        return A
    np.fill_diagonal(A, 0.0)
    A /= _safe_scale(A.max(initial=0.0))
    return A


def block_disassortativity(
    W: Weights,
    membership: ArrayLike,
    *,
    count: str = "excess",
) -> float:
    """Share of the weight that runs across blocks, denser than both blocks inside.

    With ``B = block_matrix(|W|, membership)`` (``B[a, b]``: mean ``|w|`` onto block ``a``
    from block ``b`` over all ``N_ab`` ordered pairs of distinct neurons; ``N_ab = n_a
    n_b`` for ``a != b``) and ``S = sum_{i != j} |W[i, j]|``, a block pair ``a != b`` is
    *disassortative* when ``B[a, b] > r_ab = max(B[a, a], B[b, b])``: the projection from
    ``b`` to ``a`` is denser than either block is inside. Then

    - ``count="excess"`` (default):
      ``D = sum_{a != b disassortative} N_ab (B[a, b] - r_ab) / S``, the share of the
      weight *in excess of* what the denser of the two blocks puts on its own pairs;
    - ``count="block"``: ``D = sum_{a != b disassortative} N_ab B[a, b] / S``, the share
      of the weight lying in disassortative blocks, whatever the margin.

    Both are 1 for a pure sender -> receiver or feed-forward graph with nothing inside
    the blocks, and 0 for assortative modules (no across-block mean beats a diagonal).
    ``"block"`` is an all-or-nothing count of noisy block means: on an Erdos--Renyi
    graph with 2-8 random blocks it gives anything from 0.1 to 0.6, because about a
    third of the across-block means beat both diagonals by chance. ``"excess"`` only
    counts the margin, which there is as small as the noise of a block mean (about
    0.01-0.06 for 200 neurons at density 0.1), so it is the default.

    One-neuron blocks: their diagonal ``B[a, a]`` is undefined (no pair), and a pair
    with an undefined diagonal at either end is never disassortative; its weight stays
    in ``S``. A one-neuron block can hold no within-block weight, so all of its weight
    is across blocks *by construction*: counting it (e.g. reading the NaN as 0) would
    make a partition into singletons score ``D = 1`` on any graph, and a hub split off
    into its own block (as modularity partitions and block models without degree
    correction do) look like disassortative structure. A single neuron that drives or
    receives much is a hub: see :func:`hub_concentration`. Self-loops are left out, as
    in :func:`~community.measures.block_matrix`.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights, ``W[i, j]`` onto ``i`` from ``j``.
    membership : array_like of int, shape (n,)
        Block of each neuron (non-negative labels), e.g. from a block model.
    count : {"excess", "block"}, default "excess"
        Count the excess weight of a disassortative block, or all of it.

    Returns
    -------
    float
        ``D`` in ``[0, 1]``; 0 for fewer than two non-empty blocks; NaN if ``S = 0``.

    Raises
    ------
    CommunityError
        Bad ``W`` or ``membership`` (length, labels), or unknown ``count``.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.zeros((4, 4))
    >>> W[2:, :2] = 1.0                 # block 0 -> block 1: B[1, 0] = 1
    >>> W[1, 0] = 1.0                   # one synapse inside block 0: B[0, 0] = 1/2
    >>> block_disassortativity(W, [0, 0, 1, 1])                 # 4 (1 - 1/2) / 5
    0.4
    >>> block_disassortativity(W, [0, 0, 1, 1], count="block")  # 4 / 5
    0.8
    >>> block_disassortativity(W, [0, 0, 0, 1])   # the one-neuron block 1 never counts
    0.0
    """
    count = _check_choice(count, "count", DISASSORTATIVITY_COUNTS)
    A, m, _ = _abs_and_membership(W, membership)
    A = _no_self_loops(A)                           # D is scale-invariant
    total = A.sum()
    if total <= 0:
        return _NAN
    B = block_matrix(A, m)
    sizes = community_sizes(m).astype(np.float64)
    d = np.diag(B)
    ref = np.maximum(d[:, None], d[None, :])        # NaN if either end is a singleton
    off = ~np.eye(B.shape[0], dtype=bool)
    with np.errstate(invalid="ignore"):
        hit = off & (B > ref)                       # NaN compares False
    pairs = np.outer(sizes, sizes)
    counted = B - ref if count == "excess" else B
    return float(np.sum(pairs[hit] * counted[hit]) / total)


def block_assortativity(W: Weights, membership: ArrayLike) -> float:
    """Share of the weight that stays inside blocks denser than every block they touch.

    The mirror of :func:`block_disassortativity` (``count="excess"``). With ``B =
    block_matrix(|W|, membership)``, ``N_aa = n_a (n_a - 1)`` ordered pairs inside block
    ``a``, ``S = sum_{i != j} |W[i, j]|`` and ``r_a = max_{b != a} max(B[a, b], B[b,
    a])`` the densest projection onto or from ``a``, a block with ``B[a, a] > r_a`` is
    *assortative* and

    ``A = sum_{a assortative} N_aa (B[a, a] - r_a) / S``,

    the weight inside such blocks in excess of their densest outside projection. 0 for
    fewer than two blocks (nothing to be denser than) and for disassortative blocks;
    near 1 for modules with nothing between them; of a core and its periphery only the
    core's excess over its projections counts. With the blocks of a *degree-corrected* block
    model it separates modules from hubs: a few neurons with large degrees are explained
    by their degrees, so they form no block, where modularity can rise around each hub.
    One-neuron blocks never count (no pair inside).

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights, ``W[i, j]`` onto ``i`` from ``j``.
    membership : array_like of int, shape (n,)
        Block of each neuron.

    Returns
    -------
    float
        ``A`` in ``[0, 1]``; NaN if ``S = 0``.

    Raises
    ------
    CommunityError
        Bad ``W`` or ``membership``.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.kron(np.eye(2), np.ones((3, 3))) - np.eye(6)   # two 3-cliques
    >>> W[3, 0] = 1.0                                         # one link between them
    >>> round(block_assortativity(W, [0, 0, 0, 1, 1, 1]), 4)  # 2 x 6 (1 - 1/9) / 13
    0.8205
    >>> block_assortativity(W, [0] * 6)
    0.0
    """
    A, m, _ = _abs_and_membership(W, membership)
    A = _no_self_loops(A)
    total = A.sum()
    if total <= 0:
        return _NAN
    B = block_matrix(A, m)
    K = B.shape[0]
    if K < 2:
        return 0.0
    sizes = community_sizes(m).astype(np.float64)
    out = 0.0
    for a in range(K):
        if sizes[a] < 2:
            continue
        around = np.concatenate([np.delete(B[a], a), np.delete(B[:, a], a)])
        around = around[np.isfinite(around)]
        ref = around.max() if around.size else 0.0
        if B[a, a] > ref:
            out += sizes[a] * (sizes[a] - 1) * (B[a, a] - ref)
    return float(out / total)


def _top_share(x: np.ndarray, top: float) -> float:
    """Share of ``sum(x)`` held by the ``ceil(top n)`` (at least 1) largest values,
    counted as :func:`community.measures.concentration` counts its ``top_share``."""
    total = x.sum()
    if x.size == 0 or total <= 0:
        return _NAN
    n_top = max(1, math.ceil(round(top * x.size, 9)))
    return float(np.sort(x)[::-1][:n_top].sum() / total)


def hub_concentration(W: Weights, *, top: float = 0.1) -> dict[str, float]:
    """How much of the incoming and of the outgoing weight a few neurons hold.

    With ``k_i^in = sum_j |W[i, j]|`` (weight onto ``i``) and ``k_i^out = sum_j
    |W[j, i]|`` (weight from ``i``), over ``n`` neurons:

    - ``gini_in``, ``gini_out``: Gini coefficients ``G(x) = sum_r (2 r - n - 1) x_(r) /
      (n sum_r x_r)`` of ``k^in`` and ``k^out`` (values sorted ascending, rank ``r = 1 ..
      n``), from :func:`community.measures.concentration`: 0 when all are equal, ``(n -
      1) / n`` when one neuron holds everything;
    - ``top_share_in``, ``top_share_out``: the share of ``sum_i k_i^in`` (of ``sum_i
      k_i^out``) held by the ``ceil(top n)`` (at least 1) neurons of largest ``k^in``
      (``k^out``): about ``top`` when weight is spread evenly, 1 when those neurons hold
      all of it;
    - ``top_share_max = max(top_share_in, top_share_out)``.

    Incoming and outgoing weight are kept apart because the hubs of a trained circuit are
    often one-sided: a few rows (neurons everybody projects onto) carry large in-strength
    while every neuron's out-strength stays ordinary.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights, ``W[i, j]`` onto ``i`` from ``j``.
    top : float, default 0.1
        Fraction of neurons counted by the top shares, in ``(0, 1]``.

    Returns
    -------
    dict
        ``"gini_in"``, ``"gini_out"``, ``"top_share_in"``, ``"top_share_out"``,
        ``"top_share_max"``: floats; NaN where the strengths in question are all 0 (or
        there is no neuron).

    Raises
    ------
    CommunityError
        Bad ``W``, or ``top`` outside ``(0, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.zeros((4, 4))
    >>> W[0, 1:] = 1.0                    # neuron 0 receives from everybody
    >>> h = hub_concentration(W, top=0.25)
    >>> h["gini_in"], h["gini_out"], h["top_share_in"], h["top_share_out"], h["top_share_max"]
    (0.75, 0.25, 1.0, 0.3333333333333333, 1.0)
    """
    A = abs(as_weights(W))
    c = concentration(A, top=top)                   # also checks `top`
    k_in, k_out = strengths(A)
    share_in, share_out = _top_share(k_in, top), _top_share(k_out, top)
    share_max = _NAN if math.isnan(share_in) else max(share_in, share_out)
    return {"gini_in": c["gini_in"], "gini_out": c["gini_out"], "top_share_in": share_in,
            "top_share_out": share_out, "top_share_max": share_max}


def isolated_fraction(W: Weights, *, threshold: float = 0.0) -> float:
    """Fraction of neurons with no synapse to or from any other neuron.

    ``f = #{i : |W[i, j]| <= t and |W[j, i]| <= t for all j != i} / n`` with ``t`` the
    ``threshold``: a synapse is a weight with ``|w| > t``. A self-loop ``W[i, i]`` alone
    does not connect a neuron to the circuit, so it is ignored.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights, ``W[i, j]`` onto ``i`` from ``j``.
    threshold : float, default 0.0
        Weights with ``|w| <= threshold`` count as absent (0: only exact zeros, e.g.
        pruned synapses).

    Returns
    -------
    float
        In ``[0, 1]``; NaN if there is no neuron.

    Raises
    ------
    CommunityError
        Bad ``W``, or ``threshold`` negative or not a finite number.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.zeros((4, 4))
    >>> W[1, 0] = 2.0                     # 0 -> 1
    >>> W[2, 2] = 5.0                     # a self-loop only: 2 is isolated, as is 3
    >>> isolated_fraction(W)
    0.5
    >>> isolated_fraction(W, threshold=2.0)
    1.0
    """
    if not (_is_number(threshold) and threshold >= 0):
        raise CommunityError(f"`threshold` must be a finite number >= 0, got {threshold!r}")
    W = as_weights(W)
    n = W.shape[0]
    if n == 0:
        return _NAN
    if sp.issparse(W):
        C = _offdiag(W).tocoo()
        syn = np.abs(C.data) > threshold
        connected = np.zeros(n, dtype=bool)
        connected[C.row[syn]] = True
        connected[C.col[syn]] = True
        return float(np.count_nonzero(~connected) / n)
    A = np.abs(W) > threshold
    np.fill_diagonal(A, False)
    connected = A.any(axis=0) | A.any(axis=1)
    return float(np.count_nonzero(~connected) / n)


def saturated_fraction(
    balance: ArrayLike,
    *,
    threshold: float = 1e-3,
    nodes: ArrayLike | None = None,
) -> float:
    """Fraction of neurons whose balance ``f(s)`` is (near) 0, so their learning stops.

    ``f = #{i in nodes : |f_i| < threshold} / |nodes|`` for the balance values ``f_i =
    f(s_i)`` of the neurons (e.g. ``tanh'(s_i)``, which vanishes when ``|s_i|`` is large:
    the neuron is saturated and its incoming weights get no more update).

    Parameters
    ----------
    balance : array_like of float, shape (n,)
        Balance value of each neuron (at one state, or averaged over samples).
    threshold : float, default 1e-3
        ``|f|`` below which a neuron counts as saturated, ``> 0``.
    nodes : array_like, optional
        Neurons to count (e.g. the hidden ones): integer indices into ``balance``
        (distinct), or a boolean mask of length ``n``. Default: all.

    Returns
    -------
    float
        In ``[0, 1]``; NaN if no neuron is counted.

    Raises
    ------
    CommunityError
        ``balance`` not 1-D or holding NaN or infinite values, ``threshold`` not a finite
        number ``> 0``, or ``nodes`` out of range, repeated or of the wrong kind.

    Examples
    --------
    >>> saturated_fraction([0.5, 1e-5, 0.0, 0.9])
    0.5
    >>> saturated_fraction([0.5, 1e-5, 0.0, 0.9], nodes=[0, 1, 3])
    0.3333333333333333
    >>> saturated_fraction([0.5, 1e-5, 0.0, 0.9], nodes=[True, False, False, True])
    0.0
    """
    try:
        f = np.asarray(balance, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CommunityError(f"`balance` must be a numeric 1-D array: {exc}") from None
    if f.ndim != 1:
        raise CommunityError(f"`balance` must be 1-D (one value per neuron), got shape {f.shape}")
    bad = ~np.isfinite(f)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise CommunityError(f"`balance` holds {int(bad.sum())} non-finite value(s) "
                             f"(first at balance[{i}] = {float(f[i])!r})")
    if not (_is_number(threshold) and threshold > 0):
        raise CommunityError(f"`threshold` must be a finite number > 0, got {threshold!r}")
    if nodes is not None:
        raw = np.asarray(nodes)
        if raw.ndim != 1 or not (raw.size == 0 or raw.dtype == bool
                                 or np.issubdtype(raw.dtype, np.integer)):
            raise CommunityError(f"`nodes` must be 1-D neuron indices or a boolean mask, "
                                 f"got {raw!r}")
        if raw.dtype == bool:
            if raw.size != f.size:
                raise CommunityError(f"`nodes` mask has length {raw.size} but `balance` has "
                                     f"{f.size} neurons")
            f = f[raw]
        else:
            idx = raw.astype(np.int64)
            if idx.size and (idx.min() < 0 or idx.max() >= f.size):
                raise CommunityError(f"`nodes` must lie in [0, {f.size}), got values in "
                                     f"[{int(idx.min())}, {int(idx.max())}]")
            if np.unique(idx).size != idx.size:
                raise CommunityError("`nodes` holds repeated neuron indices")
            f = f[idx]
    if f.size == 0:
        return _NAN
    return float(np.count_nonzero(np.abs(f) < threshold) / f.size)


def reciprocity(W: Weights, *, weighted: bool = False) -> float:
    """Fraction of synapses whose reverse synapse also exists.

    Unweighted (networkx's ``reciprocity`` of the graph without self-loops):
    ``r = #{(i, j) : i != j, W[i, j] != 0, W[j, i] != 0} / #{(i, j) : i != j, W[i, j] !=
    0}``, the fraction of directed edges ``j -> i`` with a reverse ``i -> j``.
    Weighted (Squartini et al. 2013): ``r_w = sum_{i != j} min(|W[i, j]|, |W[j, i]|) /
    sum_{i != j} |W[i, j]|``, the share of the weight that is reciprocated; it equals
    ``r`` when every weight is 0 or 1. Self-loops are left out of both. An
    Erdos--Renyi graph of density ``p`` has ``r`` about ``p``.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights, ``W[i, j]`` onto ``i`` from ``j``.
    weighted : bool, default False
        Return ``r_w`` instead of ``r``.

    Returns
    -------
    float
        In ``[0, 1]``; NaN if there is no synapse between distinct neurons.

    Raises
    ------
    CommunityError
        Bad ``W``, or ``weighted`` not a bool.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0.0, 1.0, 0.0],
    ...               [3.0, 0.0, 0.0],
    ...               [-2.0, 0.0, 7.0]])   # 0 <-> 1 reciprocated, 0 -> 2 not
    >>> reciprocity(W)
    0.6666666666666666
    >>> reciprocity(W, weighted=True)   # (1 + 1) / (1 + 3 + 2)
    0.3333333333333333
    """
    if not isinstance(weighted, bool | np.bool_):
        raise CommunityError(f"`weighted` must be a bool, got {weighted!r}")
    A = abs(as_weights(W))
    if sp.issparse(A):
        A = _offdiag(A)
        if weighted:
            A.data /= _safe_scale(_max_abs(A))
            total = A.sum()
            return float(A.minimum(A.T).sum() / total) if total > 0 else _NAN
        E = _support(A)
        return float(E.multiply(E.T).nnz / E.nnz) if E.nnz else _NAN
    np.fill_diagonal(A, 0.0)
    if weighted:
        A /= _safe_scale(A.max(initial=0.0))        # r_w is scale-invariant
        total = A.sum()
        return float(np.minimum(A, A.T).sum() / total) if total > 0 else _NAN
    E = A > 0
    n_edges = np.count_nonzero(E)
    return float(np.count_nonzero(E & E.T) / n_edges) if n_edges else _NAN


def _support(A: np.ndarray | sp.csr_array) -> np.ndarray | sp.csr_array:
    """The 0/1 float matrix of the synapses between distinct neurons (non-zero entries)."""
    if sp.issparse(A):
        E = _offdiag(A)
        E.data[:] = 1.0
        return E
    E = (A != 0).astype(np.float64)
    np.fill_diagonal(E, 0.0)
    return E


def _rich_club_phi(E: np.ndarray | sp.csr_array, k: float) -> float:
    """``E_{>k} / (N_{>k} (N_{>k} - 1))`` of a 0/1 matrix without self-loops."""
    rich = (E.sum(axis=0) + E.sum(axis=1)) > k
    N = int(np.count_nonzero(rich))
    if N < 2:
        return _NAN
    if sp.issparse(E):
        idx = np.flatnonzero(rich)
        return float(E[idx][:, idx].sum() / (N * (N - 1)))
    return float(E[np.ix_(rich, rich)].sum() / (N * (N - 1)))


def rich_club(
    W: Weights,
    *,
    k: float | None = None,
    n_null: int = 20,
    seed: int | np.random.Generator | None = 0,
) -> dict[str, float | int | np.ndarray]:
    """Directed rich-club coefficient, normalised against degree-preserving rewiring.

    On the unweighted graph of the synapses between distinct neurons (edge ``j -> i`` when
    ``W[i, j] != 0``, ``i != j``; self-loops left out), the degree of neuron ``i`` is
    ``d_i = d_i^in + d_i^out``, its number of synapses onto plus from other neurons
    (a reciprocated pair counts twice). With ``N_{>k}`` neurons of ``d > k`` and
    ``E_{>k}`` directed edges among them,

    ``phi(k) = E_{>k} / (N_{>k} (N_{>k} - 1))``,

    the density of the club of neurons of degree above ``k`` (1 when they are all linked
    both ways). Dense graphs of high-degree neurons are dense partly by their degrees
    alone, so ``phi`` is compared with ``n_null`` graphs from
    :func:`community.nulls.rewire` (every in- and out-degree kept, so the same neurons
    form the club) through :func:`community.nulls.null_zscore`:
    ``rho = phi / mean(phi_null)`` (the normalised coefficient of Colizza et al. 2006;
    ``rho > 1``: a rich club beyond what the degrees give), ``z = (phi -
    mean(phi_null)) / std(phi_null)`` (``ddof=1``) and the one-sided empirical
    ``p = (1 + #{phi_null >= phi}) / (n_null + 1)``.

    Every non-zero weight is a synapse: for dense trained weights, pass a pruned or
    thresholded ``W`` (a complete graph has ``phi = 1`` for every ``k`` and cannot be
    rewired).

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights, ``W[i, j]`` onto ``i`` from ``j``.
    k : float, optional
        Degree threshold: the club is the neurons of degree ``d > k``. Default: the 90th
        percentile of the degrees (``numpy.percentile``, linear interpolation), so
        roughly the top tenth of neurons -- fewer when degrees tie at the cut, none in a
        regular graph.
    n_null : int, default 20
        Number of rewired graphs, at least 2.
    seed : int, numpy Generator or None, default 0
        Randomness of the rewiring.

    Returns
    -------
    dict
        ``"observed"`` (``phi``), ``"mean"`` and ``"std"`` (of ``phi`` over the null
        graphs), ``"rho"``, ``"z"``, ``"p"`` (floats), ``"n_null"``, ``"n_rich"``
        (``N_{>k}``, ints), ``"k"`` (float) and ``"samples"`` (ndarray of the null
        ``phi``). If fewer than two neurons have ``d > k`` the club is undefined: the
        floats are NaN and no null graph is drawn (``samples`` empty). ``z`` is NaN when
        the null has no spread; ``rho`` is ``inf`` when ``phi > 0`` and every null
        ``phi`` is 0.

    Raises
    ------
    CommunityError
        Bad ``W`` or ``seed``, ``k`` negative or not a finite number, ``n_null < 2``.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> W = (rng.random((60, 60)) < 0.05).astype(float)
    >>> W[:8, :8] = 1.0                          # neurons 0-7 linked all to all
    >>> np.fill_diagonal(W, 0.0)
    >>> res = rich_club(W, k=12, n_null=20, seed=0)
    >>> res["n_rich"], res["observed"], round(res["rho"], 2), res["p"]   # p = 1 / 21
    (8, 1.0, 2.69, 0.047619047619047616)
    >>> rich_club(W, seed=0)["k"]          # default: the 90th percentile of the degrees
    18.0
    """
    if not isinstance(n_null, int | np.integer) or isinstance(n_null, bool) or n_null < 2:
        raise CommunityError(f"`n_null` must be an integer >= 2, got {n_null!r}")
    if k is not None and not (_is_number(k) and k >= 0):
        raise CommunityError(f"`k` must be a finite number >= 0 or None, got {k!r}")
    E = _support(as_weights(W))
    degree = E.sum(axis=0) + E.sum(axis=1)
    if k is None:
        k = float(np.percentile(degree, 90)) if degree.size else 0.0
    k = float(k)
    n_rich = int(np.count_nonzero(degree > k))
    res: dict[str, float | int | np.ndarray] = {
        "observed": _NAN, "mean": _NAN, "std": _NAN, "rho": _NAN, "z": _NAN, "p": _NAN,
        "n_null": int(n_null), "n_rich": n_rich, "k": k, "samples": np.zeros(0)}
    if n_rich < 2:
        return res

    def phi(M: np.ndarray | sp.csr_array) -> float:
        return _rich_club_phi(M, k)

    nz = null_zscore(E, phi, null="rewire", n=int(n_null), seed=seed)
    observed, mean, samples = nz["observed"], nz["mean"], nz["samples"]
    if mean > 0:
        rho = observed / mean
    else:
        rho = math.inf if observed > 0 else _NAN
    p = (1 + int(np.count_nonzero(samples >= observed))) / (n_null + 1)
    res.update(observed=observed, mean=mean, std=nz["std"], rho=rho, z=nz["z"], p=p,
               samples=samples)
    return res
