"""Builders for common graph families, each returning a :class:`~wiring.graphs.graph.Graph`.

Builders create edges only; weights are initialised elsewhere. Every builder
returns its edges sorted by postsynaptic neuron, then presynaptic neuron, i.e. in
the row-major order of ``W[dst, src]`` (for :func:`layered` this is: by
destination layer, then ``dst``, then ``src``).

Neuron numbering for the random families (:func:`all_to_all`, :func:`erdos_renyi`,
:func:`stochastic_block`, :func:`small_world`): the first ``n_inputs`` neurons are
inputs, the last ``n_outputs`` are outputs. Three keywords restrict which ordered
pairs may be edges, and are honoured exactly:

* ``input_sources=True`` -- no edge enters an input neuron;
* ``output_sinks=True`` -- no edge leaves an output neuron;
* ``self_loops=False`` -- no edge goes from a neuron to itself.

Every builder refuses, before sampling, sizes whose graph would exceed
:data:`wiring.graphs.graph.MAX_NEURONS` neurons or this machine's memory (for random families,
at the expected edge count), with a :class:`~wiring.errors.GraphError` naming the sizes.

Randomness comes from ``seed`` (an int, a :class:`numpy.random.Generator` or
``None``), normalised once with :func:`wiring._checks.as_rng`. Random sampling is
vectorised (geometric skipping or a uniform draw per candidate block, never a
Python loop over pairs), so 10,000-neuron graphs build in well under a second.

Examples
--------
>>> g = all_to_all(300)
>>> g.n, g.n_edges, g.inputs.size, g.outputs.size
(300, 89700, 0, 0)
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
from numpy.typing import ArrayLike

from wiring._checks import as_rng, check_int
from wiring.errors import GraphError
from wiring.graphs.graph import Graph, check_graph_size

__all__ = [
    "layered",
    "all_to_all",
    "erdos_renyi",
    "stochastic_block",
    "small_world",
    "recurrent",
]

Seed = int | np.random.Generator | None

_EMPTY = np.zeros(0, dtype=np.int64)
_GEOMETRIC_BELOW = 0.2  # below this probability geometric skipping beats a uniform draw
_CHUNK = 1 << 22  # candidates per uniform draw, bounds temporary memory


# --------------------------------------------------------------------------- checks


def _count(value, name: str, *, minimum: int = 1) -> int:
    """Check ``value`` is an integer ``>= minimum``; the error names ``name``."""
    return check_int(value, name, minimum=minimum, error=GraphError)


def _probability(value, name: str) -> float:
    """Check ``value`` is a real number in ``[0, 1]``; the error names ``name``."""
    if (
        isinstance(value, bool)
        or not isinstance(value, numbers.Real)
        or not np.isfinite(value)
        or not 0 <= value <= 1
    ):
        raise GraphError(f"`{name}` must be a probability in [0, 1], got {value!r}")
    return float(value)


def _sizes(sizes, name: str, *, min_len: int = 1) -> list[int]:
    """Check ``sizes`` is a sequence of at least ``min_len`` positive integers."""
    if isinstance(sizes, str | bytes) or not isinstance(sizes, Sequence | np.ndarray):
        raise GraphError(f"`{name}` must be a sequence of positive integers, got {sizes!r}")
    if len(sizes) < min_len:
        raise GraphError(f"`{name}` must list at least {min_len} size(s), got {len(sizes)}")
    return [_count(s, f"{name}[{i}]") for i, s in enumerate(sizes)]


def _io_counts(n: int, n_inputs, n_outputs) -> tuple[int, int]:
    """Check the input/output counts fit in ``n`` neurons."""
    n_in = _count(n_inputs, "n_inputs", minimum=0)
    n_out = _count(n_outputs, "n_outputs", minimum=0)
    if n_in + n_out > n:
        raise GraphError(
            f"`n_inputs` + `n_outputs` = {n_in} + {n_out} exceeds the {n} neurons available"
        )
    return n_in, n_out


def _check_size(n: int, n_edges: float, what: str) -> None:
    """Refuse sizes beyond the neuron limit or this machine's memory before sampling
    (``n_edges`` may be the expected count of a random family)."""
    check_graph_size(n, n_edges, what=f"{what} ({n} neurons, ~{n_edges:.3g} edges)")


def _flag(value, name: str) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise GraphError(f"`{name}` must be True or False, got {value!r}")
    return bool(value)


# ------------------------------------------------------------------------- sampling


def _bernoulli_positions(rng: np.random.Generator | None, m: int, p: float) -> np.ndarray:
    """Ascending positions in ``[0, m)``, each present independently with probability ``p``."""
    if m == 0 or p == 0.0:
        return _EMPTY
    if p == 1.0:
        return np.arange(m, dtype=np.int64)
    if p < 1e-9:  # gaps could overflow int64: draw the count, then the positions
        k = int(rng.binomial(m, p))
        return np.sort(rng.choice(m, size=k, replace=False)).astype(np.int64)
    parts = []
    if p < _GEOMETRIC_BELOW:
        last = -1  # geometric skipping: gaps between successes are Geometric(p)
        while True:
            mean = (m - 1 - last) * p
            size = int(mean + 6.0 * np.sqrt(mean) + 16)
            pos = last + np.cumsum(rng.geometric(p, size))
            cut = int(np.searchsorted(pos, m))
            parts.append(pos[:cut])
            if cut < size:
                break
            last = int(pos[-1])
    else:
        for lo in range(0, m, _CHUNK):
            hi = min(m, lo + _CHUNK)
            parts.append(lo + np.flatnonzero(rng.random(hi - lo) < p))
    return np.concatenate(parts).astype(np.int64, copy=False)


def _block(
    rng: np.random.Generator | None,
    dst_range: tuple[int, int],
    src_range: tuple[int, int],
    p: float,
    self_loops: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """Sample edges ``src -> dst`` with ``dst``, ``src`` in half-open ranges.

    Each candidate pair is kept independently with probability ``p``; the pair
    ``d -> d`` is not a candidate unless ``self_loops``. Edges come out sorted by
    ``dst``, then ``src``.
    """
    d0, d1 = dst_range
    s0, s1 = src_range
    if d1 <= d0 or s1 <= s0 or p == 0.0:
        return _EMPTY, _EMPTY
    rows = np.arange(d0, d1, dtype=np.int64)
    width = s1 - s0
    if self_loops:
        diag = np.zeros(rows.size, dtype=bool)
    else:
        diag = (rows >= s0) & (rows < s1)
    per_row = width - diag.astype(np.int64)
    offsets = np.zeros(rows.size + 1, dtype=np.int64)
    np.cumsum(per_row, out=offsets[1:])
    flat = _bernoulli_positions(rng, int(offsets[-1]), p)
    r = np.searchsorted(offsets, flat, side="right") - 1  # empty rows are skipped
    dst = rows[r]
    src = s0 + (flat - offsets[r])
    src += diag[r] & (src >= dst)  # step over the excluded diagonal
    return src, dst


def _assemble(n: int, blocks, inputs: np.ndarray, outputs: np.ndarray) -> Graph:
    """Concatenate sampled blocks, sort by (dst, src), and build the graph."""
    blocks = [b for b in blocks if b[0].size]
    if blocks:
        src = np.concatenate([b[0] for b in blocks])
        dst = np.concatenate([b[1] for b in blocks])
        if len(blocks) > 1:
            order = np.lexsort((src, dst))
            src, dst = src[order], dst[order]
    else:
        src = dst = _EMPTY
    return Graph.from_edges(n, src, dst, inputs=inputs, outputs=outputs)


def _allowed(n: int, n_in: int, n_out: int, input_sources: bool, output_sinks: bool):
    """Allowed destination and source ranges under the input/output constraints."""
    dst_range = (n_in if input_sources else 0, n)
    src_range = (0, n - n_out if output_sinks else n)
    return dst_range, src_range


def _io_arrays(n: int, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    return np.arange(n_in, dtype=np.int64), np.arange(n - n_out, n, dtype=np.int64)


def _pairs(dst_range: tuple[int, int], src_range: tuple[int, int]) -> float:
    """Candidate pairs of a block (an upper bound: self-loops included), as a float."""
    return float(max(dst_range[1] - dst_range[0], 0)) * max(src_range[1] - src_range[0], 0)


def _clip(r: tuple[int, int], lo: int, hi: int) -> tuple[int, int]:
    return max(r[0], lo), min(r[1], hi)


# ------------------------------------------------------------------------- builders


def layered(sizes: Sequence[int], *, skip: bool = False) -> Graph:
    """A layered feed-forward graph (multilayer perceptron).

    Neurons are numbered layer by layer: layer 0 holds ``0 .. sizes[0]-1``, and so on.

    Parameters
    ----------
    sizes : sequence of int
        Neurons per layer, at least two layers. Layer 0 are the inputs, the last
        layer the outputs.
    skip : bool, default False
        If False, every neuron of layer ``k`` connects to every neuron of layer
        ``k+1``. If True, every layer also connects to every later layer.

    Returns
    -------
    Graph
        An acyclic graph. Edges are ordered by destination layer, then ``dst``,
        then ``src``.

    Raises
    ------
    GraphError
        If ``sizes`` has fewer than two entries or a size is not a positive integer.

    Examples
    --------
    >>> g = layered([2, 3, 1])
    >>> g.n_edges, g.inputs.tolist(), g.outputs.tolist(), g.is_dag
    (9, [0, 1], [5], True)
    >>> layered([2, 3, 1], skip=True).n_edges   # adds the 2 input -> output edges
    11
    """
    sizes = _sizes(sizes, "sizes", min_len=2)
    skip = _flag(skip, "skip")
    before = np.cumsum([0, *sizes[:-1]], dtype=float)  # neurons in earlier layers
    n_edges = sum(s * (before[k] if skip else sizes[k - 1]) for k, s in enumerate(sizes) if k)
    shown = sizes if len(sizes) <= 6 else [*sizes[:3], "...", *sizes[-2:]]
    _check_size(sum(sizes), n_edges, f"layered `sizes` = {shown}")
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(bounds[-1])
    blocks = []
    for k in range(1, len(sizes)):
        first_src = 0 if skip else int(bounds[k - 1])
        blocks.append(
            _block(
                None, (int(bounds[k]), int(bounds[k + 1])), (first_src, int(bounds[k])), 1.0, True
            )
        )
    inputs = np.arange(0, sizes[0], dtype=np.int64)
    outputs = np.arange(int(bounds[-2]), n, dtype=np.int64)
    # blocks already come in (dst, src) order, one destination layer after another
    src = np.concatenate([b[0] for b in blocks])
    dst = np.concatenate([b[1] for b in blocks])
    return Graph.from_edges(n, src, dst, inputs=inputs, outputs=outputs)


def all_to_all(
    n: int,
    *,
    n_inputs: int = 0,
    n_outputs: int = 0,
    self_loops: bool = False,
    input_sources: bool = True,
    output_sinks: bool = False,
) -> Graph:
    """Every allowed ordered pair of neurons is an edge.

    Parameters
    ----------
    n : int
        Number of neurons.
    n_inputs, n_outputs : int, default 0
        The first ``n_inputs`` neurons are inputs, the last ``n_outputs`` outputs.
        With both 0 this is the paper's fully connected noise-driven network.
    self_loops : bool, default False
        Include the edges ``i -> i``.
    input_sources : bool, default True
        No edge enters an input neuron.
    output_sinks : bool, default False
        No edge leaves an output neuron.

    Returns
    -------
    Graph
        ``n * (n - 1)`` edges without constraints (``n * n`` with self-loops),
        ordered by ``dst``, then ``src``.

    Raises
    ------
    GraphError
        If a count is not a non-negative integer or inputs and outputs exceed ``n``.

    Examples
    --------
    >>> all_to_all(300).n_edges
    89700
    >>> g = all_to_all(4, n_inputs=1, n_outputs=1, output_sinks=True)
    >>> list(zip(g.src.tolist(), g.dst.tolist()))
    [(0, 1), (2, 1), (0, 2), (1, 2), (0, 3), (1, 3), (2, 3)]
    """
    n = _count(n, "n")
    n_in, n_out = _io_counts(n, n_inputs, n_outputs)
    self_loops = _flag(self_loops, "self_loops")
    dst_range, src_range = _allowed(
        n, n_in, n_out, _flag(input_sources, "input_sources"), _flag(output_sinks, "output_sinks")
    )
    _check_size(n, _pairs(dst_range, src_range), f"all_to_all `n` = {n}")
    return _assemble(
        n, [_block(None, dst_range, src_range, 1.0, self_loops)], *_io_arrays(n, n_in, n_out)
    )


def erdos_renyi(
    n: int,
    density: float,
    *,
    n_inputs: int = 0,
    n_outputs: int = 0,
    self_loops: bool = False,
    input_sources: bool = True,
    output_sinks: bool = False,
    seed: Seed = None,
) -> Graph:
    """Directed Erdős–Rényi graph: each allowed pair is an edge with probability ``density``.

    Parameters
    ----------
    n : int
        Number of neurons.
    density : float
        Edge probability in ``[0, 1]``.
    n_inputs, n_outputs : int, default 0
        The first ``n_inputs`` neurons are inputs, the last ``n_outputs`` outputs.
    self_loops : bool, default False
        Whether ``i -> i`` pairs are candidates.
    input_sources : bool, default True
        No edge enters an input neuron.
    output_sinks : bool, default False
        No edge leaves an output neuron.
    seed : int, numpy.random.Generator or None
        Source of randomness.

    Returns
    -------
    Graph
        Edges ordered by ``dst``, then ``src``.

    Raises
    ------
    GraphError
        If a size is invalid or ``density`` is not in ``[0, 1]``.

    Examples
    --------
    >>> g = erdos_renyi(1000, 0.05, seed=0)
    >>> round(g.n_edges / (1000 * 999), 2)
    0.05
    >>> g = erdos_renyi(50, 0.5, n_inputs=5, seed=1)
    >>> g.inputs_are_sources()
    True
    """
    n = _count(n, "n")
    density = _probability(density, "density")
    n_in, n_out = _io_counts(n, n_inputs, n_outputs)
    self_loops = _flag(self_loops, "self_loops")
    dst_range, src_range = _allowed(
        n, n_in, n_out, _flag(input_sources, "input_sources"), _flag(output_sinks, "output_sinks")
    )
    _check_size(n, density * _pairs(dst_range, src_range),
                f"erdos_renyi `n` = {n}, `density` = {density}")
    rng = as_rng(seed)
    return _assemble(
        n, [_block(rng, dst_range, src_range, density, self_loops)], *_io_arrays(n, n_in, n_out)
    )


def _block_probabilities(p, n_blocks: int) -> np.ndarray:
    """Return ``p`` as a ``(B, B)`` matrix, expanding a ``(p_in, p_out)`` pair."""
    try:
        arr = np.asarray(p, dtype=np.float64)
    except (TypeError, ValueError):
        raise GraphError(
            f"`p` must be a (B, B) matrix or a pair (p_in, p_out) of numbers, got {p!r}"
        ) from None
    if arr.shape == (2,):
        p_in = _probability(float(arr[0]), "p[0] (p_in)")
        p_out = _probability(float(arr[1]), "p[1] (p_out)")
        arr = np.full((n_blocks, n_blocks), p_out)
        np.fill_diagonal(arr, p_in)
        return arr
    if arr.shape != (n_blocks, n_blocks):
        raise GraphError(
            f"`p` has shape {arr.shape}; expected ({n_blocks}, {n_blocks}) for "
            f"{n_blocks} blocks, or a pair (p_in, p_out)"
        )
    bad = ~(np.isfinite(arr) & (arr >= 0) & (arr <= 1))
    if bad.any():
        a, b = np.argwhere(bad)[0]
        raise GraphError(f"`p[{a}, {b}]` must be a probability in [0, 1], got {arr[a, b]!r}")
    return arr


def stochastic_block(
    sizes: Sequence[int],
    p: ArrayLike | tuple[float, float],
    *,
    n_inputs: int = 0,
    n_outputs: int = 0,
    self_loops: bool = False,
    input_sources: bool = True,
    output_sinks: bool = False,
    seed: Seed = None,
) -> tuple[Graph, np.ndarray]:
    """Directed stochastic block model with contiguous blocks.

    Block ``b`` holds neurons ``sum(sizes[:b]) .. sum(sizes[:b+1]) - 1``.

    Parameters
    ----------
    sizes : sequence of int
        Neurons per block.
    p : array_like, shape (B, B), or pair of float
        Edge probabilities. ``p[a, b]`` is the probability of an edge *from* a
        neuron of block ``b`` *to* a neuron of block ``a`` (the ``W[dst, src]``
        convention). A pair ``(p_in, p_out)`` means ``p_in`` within blocks and
        ``p_out`` between them. (For two blocks a ``(2, 2)`` matrix is still a
        matrix; only a length-2 sequence is read as a pair.)
    n_inputs, n_outputs : int, default 0
        The first ``n_inputs`` neurons are inputs, the last ``n_outputs`` outputs.
    self_loops : bool, default False
        Whether ``i -> i`` pairs are candidates.
    input_sources : bool, default True
        No edge enters an input neuron.
    output_sinks : bool, default False
        No edge leaves an output neuron.
    seed : int, numpy.random.Generator or None
        Source of randomness.

    Returns
    -------
    graph : Graph
        Edges ordered by ``dst``, then ``src``.
    labels : ndarray of int64, shape (n,)
        Block index of every neuron (the planted partition).

    Raises
    ------
    GraphError
        If a size is invalid or ``p`` has the wrong shape or a value outside ``[0, 1]``.

    Examples
    --------
    >>> g, labels = stochastic_block([3, 2], (1.0, 0.0), seed=0)
    >>> labels.tolist()
    [0, 0, 0, 1, 1]
    >>> g.n_edges   # 3*2 + 2*1 edges, all within blocks
    8
    """
    sizes = _sizes(sizes, "sizes")
    if len(sizes) > 10**5:  # (B, B) probabilities: refuse before building them
        check_graph_size(sum(sizes), float(len(sizes)) ** 2,
                         what=f"stochastic_block with {len(sizes)} blocks")
    probs = _block_probabilities(p, len(sizes))
    sz = np.asarray(sizes, dtype=float)
    _check_size(sum(sizes), float(sz @ probs @ sz), f"stochastic_block `sizes` ({len(sizes)} "
                "blocks)")
    bounds = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)
    n = int(bounds[-1])
    n_in, n_out = _io_counts(n, n_inputs, n_outputs)
    self_loops = _flag(self_loops, "self_loops")
    dst_ok, src_ok = _allowed(
        n, n_in, n_out, _flag(input_sources, "input_sources"), _flag(output_sinks, "output_sinks")
    )
    rng = as_rng(seed)
    blocks = []
    for a in range(len(sizes)):
        dst_range = _clip(dst_ok, int(bounds[a]), int(bounds[a + 1]))
        for b in range(len(sizes)):
            src_range = _clip(src_ok, int(bounds[b]), int(bounds[b + 1]))
            blocks.append(_block(rng, dst_range, src_range, float(probs[a, b]), self_loops))
    labels = np.repeat(np.arange(len(sizes), dtype=np.int64), sizes)
    return _assemble(n, blocks, *_io_arrays(n, n_in, n_out)), labels


def _distinct_draws(rng: np.random.Generator, owner: np.ndarray, limit: np.ndarray) -> np.ndarray:
    """For each slot draw an index in ``[0, limit[owner])``, distinct among slots of one owner.

    Colliding draws are redrawn until none collide; the procedure is symmetric in
    the index values, so each owner gets a uniformly random subset. ``limit`` must
    be at least the number of slots per owner.
    """
    idx = rng.integers(0, limit[owner])
    for _ in range(64):
        order = np.lexsort((idx, owner))
        o, v = owner[order], idx[order]
        dup = np.zeros(owner.size, dtype=bool)
        dup[1:] = (o[1:] == o[:-1]) & (v[1:] == v[:-1])
        if not dup.any():
            return idx
        redo = order[dup]
        idx[redo] = rng.integers(0, limit[owner[redo]])
    # nearly full owners: finish each with an exact draw without replacement
    order = np.lexsort((idx, owner))
    o, v = owner[order], idx[order]
    dup = np.zeros(owner.size, dtype=bool)
    dup[1:] = (o[1:] == o[:-1]) & (v[1:] == v[:-1])
    for j in np.unique(o[dup]):
        slots = np.flatnonzero(owner == j)
        idx[slots] = rng.choice(int(limit[j]), size=slots.size, replace=False)
    return idx


def small_world(
    n: int,
    k: int,
    rewire: float,
    *,
    n_inputs: int = 0,
    n_outputs: int = 0,
    self_loops: bool = False,
    input_sources: bool = True,
    output_sinks: bool = False,
    seed: Seed = None,
) -> Graph:
    """Directed Watts–Strogatz small-world graph.

    Each neuron ``i`` starts with edges to its ``k`` successors on a ring,
    ``i+1 .. i+k (mod n)``. Each of these edges independently has its target
    rewired with probability ``rewire``; a rewired edge gets a target drawn
    uniformly from the allowed targets that ``i`` does not already keep, so no
    duplicate (and, unless ``self_loops``, no self-loop) arises. At ``rewire=1``
    every out-neighbourhood is a uniform random ``k``-subset of the allowed targets.
    Ring edges that break a constraint (into an input neuron under
    ``input_sources``) are always rewired, so every neuron that may send edges
    has out-degree exactly ``k``; output neurons under ``output_sinks`` send none.

    Parameters
    ----------
    n : int
        Number of neurons.
    k : int
        Out-degree, ``1 <= k`` and at most the number of allowed targets.
    rewire : float
        Rewiring probability in ``[0, 1]``.
    n_inputs, n_outputs : int, default 0
        The first ``n_inputs`` neurons are inputs, the last ``n_outputs`` outputs.
    self_loops : bool, default False
        Whether a rewired edge may land on its own source.
    input_sources : bool, default True
        No edge enters an input neuron.
    output_sinks : bool, default False
        No edge leaves an output neuron.
    seed : int, numpy.random.Generator or None
        Source of randomness.

    Returns
    -------
    Graph
        Edges ordered by ``dst``, then ``src``.

    Raises
    ------
    GraphError
        If a size or ``rewire`` is invalid, or ``k`` exceeds the allowed targets.

    Examples
    --------
    >>> g = small_world(6, 2, 0.0)
    >>> sorted(zip(g.src.tolist(), g.dst.tolist()))[:4]
    [(0, 1), (0, 2), (1, 2), (1, 3)]
    >>> g = small_world(100, 4, 0.3, seed=0)
    >>> set(np.bincount(g.src, minlength=100).tolist())
    {4}
    """
    n = _count(n, "n")
    k = _count(k, "k")
    rewire = _probability(rewire, "rewire")
    n_in, n_out = _io_counts(n, n_inputs, n_outputs)
    self_loops = _flag(self_loops, "self_loops")
    (t0, _), (_, s_hi) = _allowed(
        n, n_in, n_out, _flag(input_sources, "input_sources"), _flag(output_sinks, "output_sinks")
    )
    n_targets = n - t0  # allowed targets are t0 .. n-1
    inputs, outputs = _io_arrays(n, n_in, n_out)
    if s_hi == 0:
        return Graph.from_edges(n, _EMPTY, _EMPTY, inputs=inputs, outputs=outputs)
    # fewest candidate targets of any source: one less for sources that are targets
    fewest = n_targets - (0 if self_loops or s_hi <= t0 else 1)
    if k > min(fewest, n - 1):
        raise GraphError(
            f"`k` = {k} exceeds the {min(fewest, n - 1)} distinct targets a neuron can "
            f"have here (n={n}, n_inputs={n_in}, input_sources={t0 > 0}, "
            f"self_loops={self_loops})"
        )
    # edges, plus the (rewired edges x (k + 1)) boolean rank table, in edges' worth of bytes
    _check_size(n, float(s_hi) * k * (1 + rewire * (k + 1) / 56),
                f"small_world `n` = {n}, `k` = {k}")
    rng = as_rng(seed)
    sources = np.arange(s_hi, dtype=np.int64)
    ring = (sources[:, None] + np.arange(1, k + 1)) % n  # (S, k) initial targets
    keep = (ring >= t0) & (rng.random(ring.shape) >= rewire)
    # excluded targets of each source, as offsets from t0: kept ring targets and itself
    big = np.iinfo(np.int64).max // 2
    excl = np.where(keep, ring - t0, big)
    own = np.where(self_loops | (sources < t0), big, sources - t0)
    excl = np.sort(np.concatenate([excl, own[:, None]], axis=1), axis=1)
    n_excl = (excl < big).sum(axis=1)
    owner = np.repeat(sources, k - keep.sum(axis=1))
    if owner.size:
        # draw distinct ranks among the non-excluded targets, then map rank -> target
        idx = _distinct_draws(rng, owner, n_targets - n_excl)
        shifted = excl - np.arange(excl.shape[1])  # rank r maps to r + #{shifted <= r}
        new = t0 + idx + (shifted[owner] <= idx[:, None]).sum(axis=1)
    else:
        new = _EMPTY
    src = np.concatenate([np.repeat(sources, k)[keep.ravel()], owner])
    dst = np.concatenate([ring[keep], new])
    order = np.lexsort((src, dst))
    return Graph.from_edges(n, src[order], dst[order], inputs=inputs, outputs=outputs)


def recurrent(
    n_inputs: int,
    n_hidden: int,
    n_outputs: int,
    *,
    input_density: float = 1.0,
    recurrent_density: float = 0.1,
    output_density: float = 1.0,
    feedback_density: float = 0.0,
    self_loops: bool = False,
    seed: Seed = None,
) -> Graph:
    """A recurrent network on data: inputs -> recurrent hidden pool -> outputs.

    Neurons ``0 .. n_inputs-1`` are inputs, the next ``n_hidden`` are hidden, the
    last ``n_outputs`` are outputs. Each possible edge of the four kinds below is
    present independently with its density; no other edges exist (inputs are
    sources; no input -> output or output -> output edges).

    Parameters
    ----------
    n_inputs, n_hidden, n_outputs : int
        Sizes of the three groups, each positive.
    input_density : float, default 1.0
        Probability of each input -> hidden edge.
    recurrent_density : float, default 0.1
        Probability of each hidden -> hidden edge.
    output_density : float, default 1.0
        Probability of each hidden -> output edge.
    feedback_density : float, default 0.0
        Probability of each output -> hidden edge; above 0 outputs stop being sinks.
    self_loops : bool, default False
        Whether hidden ``i -> i`` pairs are candidates.
    seed : int, numpy.random.Generator or None
        Source of randomness.

    Returns
    -------
    Graph
        Edges ordered by ``dst``, then ``src``.

    Raises
    ------
    GraphError
        If a size is not a positive integer or a density is not in ``[0, 1]``.

    Examples
    --------
    >>> g = recurrent(3, 20, 2, recurrent_density=0.2, seed=0)
    >>> g.inputs.tolist(), g.outputs.tolist()
    ([0, 1, 2], [23, 24])
    >>> g.inputs_are_sources(), g.outputs_are_sinks()
    (True, True)
    """
    n_in = _count(n_inputs, "n_inputs")
    n_hid = _count(n_hidden, "n_hidden")
    n_out = _count(n_outputs, "n_outputs")
    p_in = _probability(input_density, "input_density")
    p_rec = _probability(recurrent_density, "recurrent_density")
    p_out = _probability(output_density, "output_density")
    p_fb = _probability(feedback_density, "feedback_density")
    self_loops = _flag(self_loops, "self_loops")
    n = n_in + n_hid + n_out
    _check_size(n, float(n_hid) * (n_in * p_in + n_hid * p_rec + n_out * (p_fb + p_out)),
                f"recurrent `n_inputs`, `n_hidden`, `n_outputs` = {n_in}, {n_hid}, {n_out}")
    rng = as_rng(seed)
    inp, hid, out = (0, n_in), (n_in, n_in + n_hid), (n_in + n_hid, n)
    blocks = [
        _block(rng, hid, inp, p_in, True),
        _block(rng, hid, hid, p_rec, self_loops),
        _block(rng, hid, out, p_fb, True),
        _block(rng, out, hid, p_out, True),
    ]
    return _assemble(n, blocks, *_io_arrays(n, n_in, n_out))
