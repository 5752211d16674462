"""Measures of a partitioned weight graph: one function per measure, arrays in, numbers out.

Every function takes the weights ``W`` (``W[i, j]`` onto neuron ``i`` from neuron
``j``, i.e. edge ``j -> i``; a dense array, a ``scipy.sparse`` matrix, a networkx graph
or a :class:`wiring.runs.Snapshot`, read by :func:`community.graphs.as_weights`: above
:data:`community.graphs.DENSE_MAX_NEURONS` neurons a sparse input stays sparse)
and, where needed, a ``membership`` vector of non-negative integer community
labels (``K = max(membership) + 1`` communities; a label without members is an
empty community). Except :func:`modularity`, which has a weight ``mode``, the
measures use the absolute weights ``|W|``: pass ``max(W, 0)`` or ``max(-W, 0)``
to measure the excitatory or inhibitory graph alone.

Notation: ``A = |W|``; the in-strength of ``i`` is ``k_i^in = sum_j A[i, j]``,
its out-strength ``k_i^out = sum_j A[j, i]``.

Examples
--------
>>> import numpy as np
>>> W = np.kron(np.eye(2), np.ones((3, 3))) - np.eye(6)   # two 3-cliques
>>> m = np.array([0, 0, 0, 1, 1, 1])
>>> modularity(W, m), within_fraction(W, m), round(within_chance(m), 2)
(0.5, 1.0, 0.4)
>>> block_matrix(W, m)
array([[1., 0.],
       [0., 1.]])
"""

from __future__ import annotations

import math

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from community.graphs import (
    WEIGHT_MODES,
    CommunityError,
    Weights,
    _as_membership,
    _check_choice,
    _entries,
    _offdiag,
    _safe_scale,
    _transform,
    as_weights,
)

__all__ = [
    "DIRECTIONS",
    "HUB_Z",
    "P_ULTRA_PERIPHERAL",
    "P_PERIPHERAL",
    "P_NONHUB_CONNECTOR",
    "P_PROVINCIAL_HUB",
    "P_CONNECTOR_HUB",
    "ROLE_NAMES",
    "strengths",
    "modularity",
    "community_sizes",
    "block_matrix",
    "within_fraction",
    "within_chance",
    "within_chance_strength",
    "concentration",
    "offdiagonal_index",
    "participation",
    "within_module_z",
    "roles",
    "agreement",
]

#: Which edges of a neuron count: incoming, outgoing, or both.
DIRECTIONS = ("in", "out", "all")

# Guimerà & Amaral (2005) role thresholds
#: Within-module z at or above which a neuron is a hub.
HUB_Z = 2.5
#: Non-hubs: ``P <= 0.05`` ultra-peripheral (R1).
P_ULTRA_PERIPHERAL = 0.05
#: Non-hubs: ``0.05 < P <= 0.62`` peripheral (R2).
P_PERIPHERAL = 0.62
#: Non-hubs: ``0.62 < P <= 0.80`` non-hub connector (R3); above, non-hub kinless (R4).
P_NONHUB_CONNECTOR = 0.80
#: Hubs: ``P <= 0.30`` provincial hub (R5).
P_PROVINCIAL_HUB = 0.30
#: Hubs: ``0.30 < P <= 0.75`` connector hub (R6); above, kinless hub (R7).
P_CONNECTOR_HUB = 0.75
#: Role names R1 .. R7.
ROLE_NAMES = ("ultra-peripheral", "peripheral", "non-hub connector", "non-hub kinless",
              "provincial hub", "connector hub", "kinless hub")


def _abs_and_membership(W, membership) -> tuple[np.ndarray | sp.csr_array, np.ndarray, int]:
    A = abs(as_weights(W))
    m = _as_membership(membership, A.shape[0])
    K = int(m.max()) + 1 if m.size else 0
    return A, m, K


def _one_hot(m: np.ndarray, K: int) -> np.ndarray:
    M = np.zeros((m.size, K), dtype=np.float64)
    M[np.arange(m.size), m] = 1.0
    return M


def _one_hot_sparse(m: np.ndarray, K: int) -> sp.csr_array:
    return sp.csr_array((np.ones(m.size), (np.arange(m.size), m)), shape=(m.size, K))


def _within_sum(A: sp.csr_array, m: np.ndarray) -> float:
    """``sum_ij A[i, j] delta(m_i, m_j)`` of a sparse ``A``."""
    rows, cols, vals = _entries(A)
    return float(vals[m[rows] == m[cols]].sum())


def strengths(W: Weights) -> tuple[np.ndarray, np.ndarray]:
    """In- and out-strengths of ``|W|``.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights, ``W[i, j]`` onto ``i`` from ``j``.

    Returns
    -------
    k_in, k_out : ndarray of float64, shape (n,)
        ``k_in[i] = sum_j |W[i, j]|`` (weight onto ``i``) and
        ``k_out[j] = sum_i |W[i, j]|`` (weight from ``j``).

    Examples
    --------
    >>> k_in, k_out = strengths([[0.0, -2.0], [1.0, 0.0]])
    >>> k_in.tolist(), k_out.tolist()
    ([2.0, 1.0], [1.0, 2.0])
    """
    A = abs(as_weights(W))
    return A.sum(axis=1), A.sum(axis=0)


def _layer_modularity(A: np.ndarray, m: np.ndarray, K: int, resolution: float) -> float | None:
    total = A.sum()
    if total <= 0:
        return None
    scale = _safe_scale(A.max())  # Q is scale-invariant; k_in . k_out must not overflow
    if scale != 1.0:
        A = A / scale
        total = A.sum()
    if sp.issparse(A):
        within = _within_sum(A, m)
    else:
        same = m[:, None] == m[None, :]
        within = A[same].sum()
    k_in_c = np.bincount(m, weights=A.sum(axis=1), minlength=K)
    k_out_c = np.bincount(m, weights=A.sum(axis=0), minlength=K)
    return float((within - resolution * np.dot(k_in_c, k_out_c) / total) / total)


def modularity(
    W: Weights,
    membership: ArrayLike,
    *,
    mode: str = "abs",
    resolution: float = 1.0,
) -> float:
    """Directed (Leicht--Newman) modularity of a partition.

    For a non-negative weight matrix ``A`` (``A[i, j]`` on edge ``j -> i``) with
    total weight ``m = sum_ij A[i, j]``:

    ``Q = (1/m) sum_ij [A[i, j] - gamma k_i^in k_j^out / m] delta(c_i, c_j)``

    where ``gamma`` is ``resolution``. ``A`` is ``|W|``, ``max(W, 0)`` or
    ``max(-W, 0)`` for modes ``"abs"``, ``"pos"``, ``"neg"``. For ``"sym"``,
    ``A = S + diag(S)`` with ``S = (|W| + |W|^T) / 2``: symmetric, so ``Q`` is
    Newman's undirected modularity of the graph of :mod:`community.graphs` (a
    self-loop counting twice in the strength, as in igraph). For ``"signed"``,
    ``Q = Q(W+) - Q(|W-|)``, each term normalised by its own total weight (a sign
    without any weight contributes 0). This is the objective leidenalg optimises
    for a multiplex of the two layers with layer weights ``1`` and ``-1``, and
    equals :attr:`community.detect.Partition.quality` of :func:`community.detect.leiden`
    with quality ``"modularity"`` (or ``"rb"`` at the same resolution) -- no
    extra factor. Self-loops ``A[i, i]`` count as within-module weight.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights.
    membership : array_like of int, shape (n,)
        Community of each neuron (non-negative labels).
    mode : {"abs", "pos", "neg", "signed", "sym"}, default "abs"
        Which weights form the graph.
    resolution : float, default 1.0
        ``gamma >= 0``.

    Returns
    -------
    float
        ``Q``; NaN if the graph has no weight at all.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.kron(np.eye(2), np.ones((4, 4))) - np.eye(8)
    >>> W[0, 4] = W[4, 0] = -3.0             # inhibitory links between the cliques
    >>> m = [0, 0, 0, 0, 1, 1, 1, 1]
    >>> modularity(W, m, mode="pos"), modularity(W, m, mode="signed")
    (0.5, 1.0)
    >>> modularity(np.triu(W), m, mode="sym") == modularity(np.abs(W), m)
    True
    """
    mode = _check_choice(mode, "mode", WEIGHT_MODES)
    if (isinstance(resolution, bool) or not isinstance(resolution, int | float | np.number)
            or not (math.isfinite(resolution) and resolution >= 0)):
        raise CommunityError(f"`resolution` must be a finite number >= 0, got {resolution!r}")
    A = as_weights(W)
    m = _as_membership(membership, A.shape[0])
    K = int(m.max()) + 1 if m.size else 0
    if mode == "signed" and sp.issparse(A):
        layers = ((_transform(A, "pos"), 1.0), (_transform(A, "neg"), -1.0))
    elif mode == "signed":
        layers = ((np.maximum(A, 0.0), 1.0), (np.maximum(-A, 0.0), -1.0))
    elif mode == "sym" and sp.issparse(A):
        S = _transform(A, mode)
        layers = ((S + sp.diags_array(S.diagonal()).tocsr(), 1.0),)
    elif mode == "sym":
        S = _transform(A, mode)
        layers = ((S + np.diag(np.diag(S)), 1.0),)
    else:
        layers = ((_transform(A, mode), 1.0),)
    q, any_weight = 0.0, False
    for L, sign in layers:
        ql = _layer_modularity(L, m, K, float(resolution))
        if ql is not None:
            q += sign * ql
            any_weight = True
    return q if any_weight else float("nan")


def community_sizes(membership: ArrayLike) -> np.ndarray:
    """Number of neurons in each community.

    Parameters
    ----------
    membership : array_like of int, shape (n,)
        Non-negative community labels.

    Returns
    -------
    ndarray of int64, shape (K,)
        ``sizes[a]`` for ``a = 0 .. max(membership)`` (0 for unused labels).

    Examples
    --------
    >>> community_sizes([0, 2, 0, 0]).tolist()
    [3, 0, 1]
    """
    raw = np.asarray(membership)
    m = _as_membership(raw, raw.size if raw.ndim == 1 else -1)
    return np.bincount(m).astype(np.int64)


def block_matrix(W: Weights, membership: ArrayLike) -> np.ndarray:
    """Mean absolute weight from each community to each community.

    ``B[a, b] = sum_{i in a, j in b, i != j} |W[i, j]| / N_ab``, the mean ``|w|``
    onto community ``a`` from community ``b`` over all ordered pairs of distinct
    neurons, absent edges counting as 0: ``N_ab = n_a n_b`` for ``a != b`` and
    ``n_a (n_a - 1)`` on the diagonal. Self-loops ``W[i, i]`` are left out.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights.
    membership : array_like of int, shape (n,)
        Community labels.

    Returns
    -------
    ndarray of float64, shape (K, K)
        Rows: target community; columns: source community. NaN where there is
        no pair (the diagonal entry of a one-neuron community, or unused labels).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0.0, 1.0, 0.0],
    ...               [3.0, 0.0, 0.0],
    ...               [-4.0, 0.0, 5.0]])
    >>> block_matrix(W, [0, 0, 1])
    array([[ 2.,  0.],
           [ 2., nan]])
    """
    A, m, K = _abs_and_membership(W, membership)
    if sp.issparse(A):
        M = _one_hot_sparse(m, K)
        S = (M.T @ _offdiag(A) @ M).toarray()
        sizes = np.bincount(m, minlength=K).astype(np.float64)
    else:
        np.fill_diagonal(A, 0.0)
        M = _one_hot(m, K)
        S = M.T @ A @ M
        sizes = M.sum(axis=0)
    pairs = np.outer(sizes, sizes) - np.diag(sizes)
    B = np.full((K, K), np.nan)
    np.divide(S, pairs, out=B, where=pairs > 0)
    return B


def within_fraction(W: Weights, membership: ArrayLike) -> float:
    """Fraction of the total ``|w|`` that lies inside communities.

    ``f = sum_ij |W[i, j]| delta(c_i, c_j) / sum_ij |W[i, j]|`` (self-loops are
    within their neuron's community).

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights.
    membership : array_like of int, shape (n,)
        Community labels.

    Returns
    -------
    float
        In ``[0, 1]``; NaN if all weights are 0. Compare with :func:`within_chance`.

    Examples
    --------
    >>> within_fraction([[0.0, 1.0, 0.0], [3.0, 0.0, 0.0], [-4.0, 0.0, 0.0]], [0, 0, 1])
    0.5
    """
    A, m, _ = _abs_and_membership(W, membership)
    total = A.sum()
    if total <= 0:
        return float("nan")
    if sp.issparse(A):
        return float(_within_sum(A, m) / total)
    return float(A[m[:, None] == m[None, :]].sum() / total)


def within_chance(membership: ArrayLike, *, self_loops: bool = False) -> float:
    """Within-community fraction expected if weight were spread evenly over all synapses.

    ``f0 = sum_a n_a (n_a - 1 + s) / (n (n - 1 + s))`` with ``s = 1`` if
    self-loops are possible synapses, else 0: the size-matched chance level of
    :func:`within_fraction`.

    Parameters
    ----------
    membership : array_like of int, shape (n,)
        Community labels.
    self_loops : bool, default False
        Count the ``n`` self-synapses ``i -> i`` among the possible ones.

    Returns
    -------
    float
        NaN if there is no possible synapse (``n < 2`` without self-loops).

    Examples
    --------
    >>> within_chance([0, 0, 1, 1])
    0.3333333333333333
    >>> within_chance([0, 0, 1, 1], self_loops=True)
    0.5
    """
    if not isinstance(self_loops, bool | np.bool_):
        raise CommunityError(f"`self_loops` must be a bool, got {self_loops!r}")
    sizes = community_sizes(membership).astype(np.float64)
    n = sizes.sum()
    s = 1.0 if self_loops else 0.0
    denom = n * (n - 1 + s)
    if denom <= 0:
        return float("nan")
    return float(np.sum(sizes * (sizes - 1 + s)) / denom)


def within_chance_strength(W: Weights, membership: ArrayLike) -> float:
    """Within-community fraction expected if weight were placed at random, strengths kept.

    ``f0 = sum_c K_c^out K_c^in / S^2``, the expected :func:`within_fraction`
    under the directed weighted configuration model of ``|W|`` (the expected
    weight of edge ``j -> i`` is ``k_i^in k_j^out / S``), where
    ``K_c^in = sum_{i in c} k_i^in``, ``K_c^out = sum_{i in c} k_i^out`` and
    ``S = sum_ij |W[i, j]|``; self-loops count as possible within-community
    weight. This is the strength-matched chance level (compare the size-matched
    :func:`within_chance`); at resolution 1, ``modularity(|W|) =
    within_fraction - within_chance_strength``.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights, ``W[i, j]`` onto ``i`` from ``j``.
    membership : array_like of int, shape (n,)
        Community labels.

    Returns
    -------
    float
        In ``[0, 1]``; NaN if all weights are 0.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0.0, 1.0, 0.0],
    ...               [3.0, 0.0, 0.0],
    ...               [-4.0, 0.0, 0.0]])
    >>> within_chance_strength(W, [0, 0, 1])        # (4 * 8 + 4 * 0) / 8**2
    0.5
    """
    A, m, K = _abs_and_membership(W, membership)
    total = A.sum()
    if total <= 0:
        return float("nan")
    k_in_c = np.bincount(m, weights=A.sum(axis=1), minlength=K)
    k_out_c = np.bincount(m, weights=A.sum(axis=0), minlength=K)
    return float(np.dot(k_in_c, k_out_c) / total**2)


def _gini(x: np.ndarray) -> float:
    """Gini coefficient of non-negative values; NaN if there are none or all are 0."""
    total = x.sum()
    if x.size == 0 or total <= 0:
        return float("nan")
    n = x.size
    rank = np.arange(1, n + 1, dtype=np.float64)
    return float(np.sum((2.0 * rank - n - 1.0) * np.sort(x)) / (n * total))


def concentration(W: Weights, *, top: float = 0.1) -> dict[str, float]:
    """How concentrated the weight of ``|W|`` is on a few neurons.

    With ``k_i = k_i^in + k_i^out`` the total strength of neuron ``i`` (a
    self-loop counts in both) and ``n`` neurons:

    - Gini coefficient ``G(x) = sum_r (2 r - n - 1) x_(r) / (n sum_r x_r)`` over
      the values sorted ascending (rank ``r = 1 .. n``): 0 when all are equal,
      ``(n - 1) / n`` when one neuron holds everything;
    - ``top_share``: the fraction of ``sum_i k_i`` held by the ``ceil(top n)``
      (at least 1) neurons of largest ``k``;
    - ``participation_ratio = (sum_i k_i)^2 / (n sum_i k_i^2)``: 1 when all
      strengths are equal, ``1 / n`` when one neuron holds everything.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights, ``W[i, j]`` onto ``i`` from ``j``.
    top : float, default 0.1
        Fraction of neurons counted by ``top_share``, in ``(0, 1]``.

    Returns
    -------
    dict
        ``"gini"`` (of ``k``), ``"gini_in"`` (of ``k^in``), ``"gini_out"`` (of
        ``k^out``), ``"top_share"``, ``"participation_ratio"``: floats, NaN
        where the strengths in question are all 0 (or there is no neuron).

    Raises
    ------
    CommunityError
        ``top`` outside ``(0, 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> concentration(np.ones((4, 4)))["gini"], concentration(np.ones((4, 4)))["top_share"]
    (0.0, 0.25)
    >>> W = np.zeros((4, 4))
    >>> W[0, 1:] = 1.0                                     # neuron 0 receives everything
    >>> c = concentration(W)
    >>> c["gini_in"], c["gini_out"], c["top_share"], c["participation_ratio"]
    (0.75, 0.25, 0.5, 0.75)
    """
    if (isinstance(top, bool) or not isinstance(top, int | float | np.number)
            or not (math.isfinite(top) and 0 < top <= 1)):
        raise CommunityError(f"`top` must be a number in (0, 1], got {top!r}")
    k_in, k_out = strengths(W)
    k = k_in + k_out
    n = k.size
    total = k.sum()
    nan = float("nan")
    if n == 0 or total <= 0:
        top_share = ratio = nan
    else:
        n_top = max(1, math.ceil(round(top * n, 9)))
        top_share = float(np.sort(k)[::-1][:n_top].sum() / total)
        ratio = float(total**2 / (n * np.sum(k**2)))
    return {"gini": _gini(k), "gini_in": _gini(k_in), "gini_out": _gini(k_out),
            "top_share": top_share, "participation_ratio": ratio}


def offdiagonal_index(B: ArrayLike) -> float:
    """Strongest across-community block relative to a typical within-community block.

    ``I = max_{a != b} B[a, b] / mean_a B[a, a]`` for a block matrix from
    :func:`block_matrix` (NaN entries, e.g. the diagonal of one-neuron
    communities, are skipped). ``I > 1``: some across-community projection is
    denser than the average community is inside itself -- the signature of
    disassortative (e.g. layered, feed-forward) structure; assortative modules
    give ``I < 1``.

    Two cautions. ``I`` only sees the structure the partition shows: a modularity
    partition (Leiden, Louvain) looks for assortative modules, so on a planted
    sender -> receiver graph it mixes senders and receivers and ``I`` stays below 1;
    use a block-model partition for across-block structure. And ``I`` is one maximum
    over ``K (K - 1)`` noisy block means against their diagonal mean, so it exceeds 1
    without any structure, the more so the more blocks: on an Erdos--Renyi graph
    (200 neurons, density 0.1) with random labels it is about 1.0 for 2 blocks, 1.1
    for 4 and 1.3 for 8. Compare ``I`` with a null model, or use
    :func:`community.structure.block_disassortativity`, which weighs every
    across-block projection by how much it exceeds both blocks' insides.

    Parameters
    ----------
    B : array_like of float, shape (K, K)
        Mean ``|w|`` onto block ``a`` (row) from block ``b`` (column).

    Returns
    -------
    float
        NaN if ``K < 2`` or every diagonal or every off-diagonal entry is NaN, or
        if both the numerator and the denominator are 0; ``inf`` if only the
        denominator is 0.

    Examples
    --------
    >>> offdiagonal_index([[1.0, 3.0], [0.5, 2.0]])
    2.0
    >>> offdiagonal_index([[1.0]])
    nan
    """
    try:
        B = np.array(B, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CommunityError(f"`B` must be a numeric (K, K) matrix: {exc}") from None
    if B.ndim != 2 or B.shape[0] != B.shape[1]:
        raise CommunityError(f"`B` must be a square (K, K) matrix, got shape {B.shape}")
    if np.isinf(B).any():
        raise CommunityError("`B` holds infinite entries")
    K = B.shape[0]
    if K < 2:
        return float("nan")
    diag = np.diag(B)
    off = B[~np.eye(K, dtype=bool)]
    if np.all(np.isnan(diag)) or np.all(np.isnan(off)):
        return float("nan")
    within = float(np.nanmean(diag))
    across = float(np.nanmax(off))
    if within == 0:
        return float("inf") if across > 0 else float("nan")
    return across / within


def _module_strengths(A: np.ndarray | sp.csr_array, m: np.ndarray, K: int,
                      direction: str) -> np.ndarray | sp.csr_array:
    """``S[i, s]``: weight between neuron ``i`` and community ``s`` in ``direction``
    (sparse for a sparse ``A``)."""
    M = _one_hot_sparse(m, K) if sp.issparse(A) else _one_hot(m, K)
    if direction == "in":
        return A @ M            # onto i from s
    if direction == "out":
        return A.T @ M          # from i onto s
    return A @ M + A.T @ M


def participation(
    W: Weights, membership: ArrayLike, *, direction: str = "all"
) -> np.ndarray:
    """Guimerà--Amaral participation coefficient of each neuron.

    ``P_i = 1 - sum_s (k_is / k_i)^2`` where ``k_is`` is the ``|w|`` between
    neuron ``i`` and community ``s`` and ``k_i = sum_s k_is``: with ``"in"``
    ``k_is = sum_{j in s} |W[i, j]|``, with ``"out"`` ``k_is = sum_{j in s}
    |W[j, i]|``, with ``"all"`` their sum. ``P_i = 0`` if all of ``i``'s weight
    stays in one community, approaching ``1 - 1/K`` when it is spread evenly.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights.
    membership : array_like of int, shape (n,)
        Community labels.
    direction : {"in", "out", "all"}, default "all"
        Which edges of each neuron count.

    Returns
    -------
    ndarray of float64, shape (n,)
        ``P``; 0 for a neuron with zero strength in ``direction``.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.array([[0.0, 1.0, 1.0],
    ...               [1.0, 0.0, 0.0],
    ...               [0.0, 0.0, 0.0]])
    >>> participation(W, [0, 0, 1], direction="in").tolist()
    [0.5, 0.0, 0.0]
    """
    direction = _check_choice(direction, "direction", DIRECTIONS)
    A, m, K = _abs_and_membership(W, membership)
    S = _module_strengths(A, m, K, direction)
    k = S.sum(axis=1)
    P = np.zeros(m.size)
    has = k > 0
    if sp.issparse(S):
        # k_is / k_i stays below 1: no overflow where (k_is)^2 could
        F = sp.diags_array(np.divide(1.0, k, out=np.zeros_like(k), where=has)) @ S
        P[has] = 1.0 - F.multiply(F).sum(axis=1)[has]
        return P
    P[has] = 1.0 - np.sum((S[has] / k[has, None]) ** 2, axis=1)
    return P


def within_module_z(
    W: Weights, membership: ArrayLike, *, direction: str = "all"
) -> np.ndarray:
    """Within-module degree z-score of each neuron (Guimerà--Amaral).

    ``z_i = (kappa_i - mean_{c_i} kappa) / std_{c_i} kappa`` where ``kappa_i`` is
    the ``|w|`` between ``i`` and its own community (in ``direction``, as for
    :func:`participation`) and the mean and (population, ``ddof=0``) standard
    deviation run over all members of ``i``'s community, ``i`` included.

    Parameters
    ----------
    W : array_like (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Weights.
    membership : array_like of int, shape (n,)
        Community labels.
    direction : {"in", "out", "all"}, default "all"
        Which edges of each neuron count.

    Returns
    -------
    ndarray of float64, shape (n,)
        ``z``; 0 for every member of a community whose ``kappa`` has zero
        spread (one-neuron communities included).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.zeros((4, 4))
    >>> W[1:, 0] = 1.0                                   # neuron 0 drives 1, 2, 3
    >>> within_module_z(W, [0, 0, 0, 0], direction="out").round(3).tolist()
    [1.732, -0.577, -0.577, -0.577]
    """
    direction = _check_choice(direction, "direction", DIRECTIONS)
    A, m, K = _abs_and_membership(W, membership)
    S = _module_strengths(A, m, K, direction)
    if sp.issparse(S):
        rows, cols, vals = _entries(S.tocsr())
        own = cols == m[rows]
        kappa = np.bincount(rows[own], weights=vals[own], minlength=m.size)
    else:
        kappa = S[np.arange(m.size), m]
    kappa = kappa / _safe_scale(np.max(kappa, initial=0.0))  # z is scale-invariant
    count = np.bincount(m, minlength=K).astype(np.float64)
    mean = np.divide(np.bincount(m, weights=kappa, minlength=K), count,
                     out=np.zeros(K), where=count > 0)
    dev = kappa - mean[m]
    var = np.divide(np.bincount(m, weights=dev**2, minlength=K), count,
                    out=np.zeros(K), where=count > 0)
    std = np.sqrt(var)[m]
    scale = np.maximum(np.abs(kappa), np.abs(mean[m]))
    # a spread at rounding level of kappa is zero spread
    flat = std <= 1e-12 * np.maximum(scale, 1e-300)
    z = np.zeros(m.size)
    np.divide(dev, std, out=z, where=~flat)
    return z


def roles(P: ArrayLike, z: ArrayLike) -> np.ndarray:
    """Guimerà--Amaral node roles R1--R7 from participation and within-module z.

    Non-hubs (``z < HUB_Z = 2.5``): R1 ultra-peripheral ``P <= 0.05``; R2
    peripheral ``0.05 < P <= 0.62``; R3 non-hub connector ``0.62 < P <= 0.80``;
    R4 non-hub kinless ``P > 0.80``. Hubs (``z >= 2.5``): R5 provincial hub
    ``P <= 0.30``; R6 connector hub ``0.30 < P <= 0.75``; R7 kinless hub
    ``P > 0.75``. The thresholds are the module constants ``HUB_Z``,
    ``P_ULTRA_PERIPHERAL``, ``P_PERIPHERAL``, ``P_NONHUB_CONNECTOR``,
    ``P_PROVINCIAL_HUB`` and ``P_CONNECTOR_HUB``.

    Parameters
    ----------
    P : array_like of float
        Participation coefficients (:func:`participation`).
    z : array_like of float, same shape
        Within-module z-scores (:func:`within_module_z`).

    Returns
    -------
    ndarray of str, same shape
        Names from :data:`ROLE_NAMES`.

    Raises
    ------
    CommunityError
        Shapes differ or an entry is NaN.

    Examples
    --------
    >>> roles([0.0, 0.5, 0.7, 0.9], [0.0, 1.0, -1.0, 2.0]).tolist()
    ['ultra-peripheral', 'peripheral', 'non-hub connector', 'non-hub kinless']
    >>> roles([0.2, 0.5, 0.9], [3.0, 2.5, 4.0]).tolist()
    ['provincial hub', 'connector hub', 'kinless hub']
    """
    try:
        P = np.asarray(P, dtype=np.float64)
        z = np.asarray(z, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise CommunityError(f"`P` and `z` must be numeric arrays: {exc}") from None
    if P.shape != z.shape:
        raise CommunityError(f"`P` has shape {P.shape} but `z` has shape {z.shape}")
    if np.isnan(P).any():
        raise CommunityError("`P` holds NaN")
    if np.isnan(z).any():
        raise CommunityError("`z` holds NaN")
    hub = z >= HUB_Z
    nonhub_idx = np.digitize(P, [P_ULTRA_PERIPHERAL, P_PERIPHERAL, P_NONHUB_CONNECTOR],
                             right=True)
    hub_idx = 4 + np.digitize(P, [P_PROVINCIAL_HUB, P_CONNECTOR_HUB], right=True)
    return np.asarray(ROLE_NAMES)[np.where(hub, hub_idx, nonhub_idx)]


def agreement(a: ArrayLike, b: ArrayLike) -> dict[str, float]:
    """Agreement between two partitions of the same neurons.

    Parameters
    ----------
    a, b : array_like of int, shape (n,)
        Community labels (any integers; only the grouping matters).

    Returns
    -------
    dict
        ``"ari"``: adjusted Rand index (1 identical, about 0 for chance);
        ``"nmi"``: normalised mutual information (arithmetic normalisation), both
        from :mod:`sklearn.metrics`.

    Examples
    --------
    >>> agreement([0, 0, 1, 1], [5, 5, 2, 2])
    {'ari': 1.0, 'nmi': 1.0}
    """
    a = np.asarray(a)
    b = np.asarray(b)
    for name, x in (("a", a), ("b", b)):
        if x.ndim != 1 or (x.size and not np.issubdtype(x.dtype, np.integer)):
            raise CommunityError(f"`{name}` must be a 1-D integer array, got {x!r}")
    if a.size != b.size:
        raise CommunityError(f"`b` has length {b.size} but `a` has length {a.size}")
    return {"ari": float(adjusted_rand_score(a, b)),
            "nmi": float(normalized_mutual_info_score(a, b))}
