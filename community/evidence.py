"""Structural evidence of a trained weight matrix, each measure against three null models.

The regimes (:mod:`community.regimes`) rest on four *signatures*, each a number
computed the same way on the trained weights and on every null draw:

``q``
    within-module structure: the modularity found by :func:`community.modmax.max_modularity`
    (directed Louvain, best of two runs) on ``|W|``;
``bd``
    across-module structure: :func:`community.structure.block_disassortativity` of
    ``|W|`` over the blocks of a degree-corrected stochastic block model
    (:func:`community.blocks.fit_blocks`). The trained weights get the number of blocks
    chosen by description length; each null draw is fitted with that same number of
    blocks, so that the null asks "how disassortative are the best ``K`` blocks of a
    graph without this structure?" (forcing ``K`` blocks on a random graph finds some);
``hub``
    weight piled onto a few neurons: the larger of the top-10% shares of in- and of
    out-strength (:func:`community.structure.hub_concentration`);
``ba``
    block-level assortativity (:func:`community.structure.block_assortativity`) of the
    same blocks (refitted on the null draws as for ``bd``): weight inside blocks denser
    than every block they touch. Modularity also rises around hubs (a neuron with a
    large in-strength gathers its senders into a "module"), while the degree-corrected
    block model explains hubs by their degrees; so a within-module verdict asks both.

The null models (:data:`NULL_MODELS`), ``n_null`` draws each (default 20):

``init-pruned``
    the run's initial weights, permuted over the initial synapses and pruned to the
    final number of synapses by ``|w|``: what pruning random weights alone builds (the
    permutation makes each draw a new sample of i.i.d. initial weights; with a fixed
    topology and no pruning it is the untrained network with its weights reshuffled);
``shuffle``
    the trained weights permuted over the surviving synapses: keeps the topology the rule
    chose, asks whether *which* synapse got *which* weight matters;
``rewire``
    degree-preserving rewiring of the trained graph (each synapse keeps its source and
    weight): asks whether the structure goes beyond the degree sequence.

For each signature and null: ``z = (observed - mean) / std`` (sample std of the draws;
``+inf``/``-inf`` when every draw equals the mean and the observation does not, NaN
when it does) and the one-sided empirical ``p = (1 + #{draws >= observed}) / (n_null +
1)``; with 20 draws the smallest p is 1/21 = 0.048, reached only by exceeding every
draw. A signature *beats* a null when ``p <= P_MAX`` and ``z >= Z_MIN``.

Also measured, without nulls: the block model's number of blocks and description
length, isolated and saturated fractions, reciprocity, in/out-strength Gini and the
growth of ``max |w|``; and the rich-club coefficient of the neurons above the 90th
percentile of degree (:func:`community.structure.rich_club`), normalised by its mean
over the rewiring null's draws (``rich_club_rho``, with its empirical p).

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> b = np.repeat([0, 1], 40)
>>> W0 = rng.normal(size=(80, 80))
>>> W = np.where((b[:, None] == 1) & (b[None, :] == 0), 1.0, 0.05) * rng.random((80, 80))
>>> W = W * (np.abs(W) >= np.quantile(np.abs(W), 0.8))      # 20% of synapses survive
>>> ev = structure_evidence(W, W0, n_null=20, seed=0)
>>> ev["sbm_blocks"], ev["bd_p_init-pruned"] <= 0.05, ev["bd_z_init-pruned"] > 2
(2, True, True)
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import Any

import networkx as nx
import numpy as np
import scipy.sparse as sp

from community import nulls
from community.blocks import fit_blocks
from community.graphs import (
    CommunityError,
    Weights,
    _as_rng,
    _canonical,
    _check_choice,
    _max_abs,
    as_weights,
)
from community.modmax import max_modularity
from community.structure import (
    _rich_club_phi,
    _support,
    block_assortativity,
    block_disassortativity,
    hub_concentration,
    isolated_fraction,
    reciprocity,
    saturated_fraction,
)
from wiring.runs import Snapshot

__all__ = ["NULL_MODELS", "SIGNATURES", "Z_MIN", "P_MAX", "BLOCK_WEIGHT_CHOICES",
           "null_draws", "prune_to_density", "null_statistics", "structure_evidence"]

#: Null models, the first the one every regime verdict must beat (module docstring).
NULL_MODELS = ("init-pruned", "shuffle", "rewire")
#: Signatures measured against the nulls: modularity, block disassortativity, hub share,
#: block assortativity.
SIGNATURES = ("q", "bd", "hub", "ba")
#: A signature beats a null with ``z >= Z_MIN`` ...
Z_MIN = 2.0
#: ... and an empirical one-sided ``p <= P_MAX``.
P_MAX = 0.05
#: How the block model uses weights (``"auto"``: the surviving synapses when the run
#: pruned, ``"lognormal"`` magnitudes when the topology was fixed).
BLOCK_WEIGHT_CHOICES = ("auto", "none", "lognormal", "exponential")


def prune_to_density(W0: np.ndarray | sp.sparray | sp.spmatrix | nx.Graph | Snapshot,
                     n_keep: int) -> np.ndarray | sp.csr_array:
    """The weights ``W0`` with all but their ``n_keep`` largest ``|w|`` set to zero.

    Ties go to the lower flat index.

    Parameters
    ----------
    W0 : ndarray, scipy.sparse matrix, networkx graph or Snapshot
        Weights of any shape, e.g. a run's first snapshot as a dense matrix (a graph or
        snapshot is read by :func:`community.graphs.as_weights`).
    n_keep : int
        How many entries keep their weight: the number of non-zero weights of the
        matrix whose density is matched.

    Returns
    -------
    ndarray
        Same shape and dtype as ``W0``; a ``scipy.sparse.csr_array`` (float64) for a
        sparse ``W0``, with the entries the dense matrix would keep.

    Examples
    --------
    >>> prune_to_density(np.array([[0.0, -3.0], [1.0, 2.0]]), 2).tolist()
    [[0.0, -3.0], [0.0, 2.0]]
    """
    if isinstance(W0, nx.Graph | Snapshot):
        W0 = as_weights(W0, name="W0")
    if sp.issparse(W0):
        out = _canonical(W0)    # row-major: the order of the dense matrix's flat index
        keep = _top_abs(out.data, np.arange(out.data.size), n_keep)
        out.data[np.setdiff1d(np.arange(out.data.size), keep)] = 0.0
        out.eliminate_zeros()
        return out
    flat = W0.ravel()
    out = np.zeros_like(flat)
    if n_keep > 0:
        keep = _top_abs(flat, np.flatnonzero(flat), n_keep)
        out[keep] = flat[keep]
    return out.reshape(W0.shape)


def _top_abs(flat: np.ndarray, keep: np.ndarray, n_keep: int) -> np.ndarray:
    """The ``n_keep`` of the indices ``keep`` (ascending) with the largest ``|flat|``; ties
    go to the lower index."""
    if n_keep > 0:
        if n_keep < keep.size:
            # the n_keep-th largest |w| by selection (linear time), then every larger one
            # and, of those equal to it, the lowest indices
            mag = np.abs(flat[keep])
            cut = np.partition(mag, mag.size - n_keep)[mag.size - n_keep]
            above = keep[mag > cut]
            tied = keep[mag == cut][:n_keep - above.size]
            keep = np.concatenate([above, tied])
        return keep
    return keep[:0]


def null_draws(W: Weights, W0: Weights | None, *, null: str, n: int,
               seed: int | np.random.Generator | None = 0
               ) -> Iterator[np.ndarray | sp.csr_array]:
    """``n`` draws of one null model of the trained weights ``W``.

    Parameters
    ----------
    W : ndarray (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Trained weights, ``W[i, j]`` onto ``i`` from ``j``
        (:func:`community.graphs.as_weights`).
    W0 : same kinds, or None
        The run's initial weights (``"init-pruned"`` only).
    null : {"init-pruned", "shuffle", "rewire"}
    n : int
        Number of draws.
    seed : int, numpy Generator or None

    Yields
    ------
    ndarray (n, n)
        Sparse (``scipy.sparse.csr_array``) where the weights are read sparse.

    Examples
    --------
    >>> W0 = np.arange(1.0, 10.0).reshape(3, 3)
    >>> [int(np.count_nonzero(V)) for V in null_draws(np.eye(3), W0, null="init-pruned",
    ...                                                n=2)]
    [3, 3]
    """
    null = _check_choice(null, "null", NULL_MODELS)
    rng = _as_rng(seed)
    W = as_weights(W)
    if W0 is not None:
        W0 = as_weights(W0, name="W0")
    if null == "init-pruned":
        if W0 is None or W0.shape != W.shape:
            raise CommunityError("`W0` (the initial weights, same shape as `W`) is needed "
                                 "for the init-pruned null")
        n_keep = int(W.count_nonzero() if sp.issparse(W) else np.count_nonzero(W))
    for _ in range(n):
        if null == "shuffle":
            yield nulls.shuffle_weights(W, seed=rng)
        elif null == "rewire":
            yield nulls.rewire(W, seed=rng)
        else:
            yield prune_to_density(nulls.shuffle_weights(W0, seed=rng), n_keep)


def null_statistics(observed: float, samples: Sequence[float]) -> dict[str, float]:
    """z-score and one-sided empirical p of ``observed`` against null ``samples``.

    Parameters
    ----------
    observed : float
    samples : sequence of float
        The statistic on each null draw (NaN draws are dropped).

    Returns
    -------
    dict
        ``mean``, ``std`` (``ddof=1``), ``z`` and ``p`` (module docstring), ``n``.

    Examples
    --------
    >>> s = null_statistics(3.0, [0.0, 1.0, 2.0, 1.0])
    >>> round(s["z"], 3), s["p"], s["n"]
    (2.449, 0.2, 4)
    >>> null_statistics(0.5, [0.0] * 20)["z"], round(null_statistics(0.5, [0.0] * 20)["p"], 4)
    (inf, 0.0476)
    """
    x = np.asarray([s for s in samples if np.isfinite(s)], dtype=np.float64)
    nan = float("nan")
    if x.size < 2 or not np.isfinite(observed):
        return {"mean": float(x.mean()) if x.size else nan, "std": nan, "z": nan, "p": nan,
                "n": int(x.size)}
    mean, std = float(x.mean()), float(x.std(ddof=1))
    if std <= 1e-12 * max(abs(mean), abs(observed), 1e-300):
        std = 0.0
        z = (math.copysign(math.inf, observed - mean)
             if abs(observed - mean) > 1e-12 * max(abs(mean), abs(observed), 1e-300) else nan)
    else:
        z = (observed - mean) / std
    p = (1.0 + float(np.sum(x >= observed - 1e-12 * max(abs(observed), 1e-300)))) / (x.size + 1)
    return {"mean": mean, "std": std, "z": float(z), "p": p, "n": int(x.size)}


def _hub(A: np.ndarray) -> float:
    return float(hub_concentration(A)["top_share_max"])


def _same_support(V: np.ndarray | sp.csr_array, A: np.ndarray | sp.csr_array) -> bool:
    """Whether ``V`` and ``A`` have the same non-zero entries."""
    if sp.issparse(V):
        V, A = _canonical(V), _canonical(A)
        return bool(np.array_equal(V.indptr, A.indptr)
                    and np.array_equal(V.indices, A.indices))
    return bool(np.array_equal(V != 0, A != 0))


def structure_evidence(
    W: Weights,
    W0: Weights | None,
    *,
    n_null: int = 20,
    null_models: Sequence[str] = NULL_MODELS,
    block_weights: str = "none",
    balance: np.ndarray | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """The three signatures of ``W`` and their z and p against each null model.

    Parameters
    ----------
    W : ndarray (n, n), scipy.sparse matrix, networkx graph or Snapshot
        Trained weights, ``W[i, j]`` onto ``i`` from ``j`` (``|W|`` is analysed). Read
        by :func:`community.graphs.as_weights`: above
        :data:`community.graphs.DENSE_MAX_NEURONS` neurons a sparse ``W`` (and its null
        draws) stays sparse.
    W0 : same kinds, or None
        The run's initial weights, for the init-pruned null and the weight growth
        (None, e.g. weights trained elsewhere without their initial snapshot: that
        null is left out and its columns are NaN, the weight growth too).
    n_null : int, default 20
        Draws per null model (0: no nulls).
    null_models : sequence of str, default all of :data:`NULL_MODELS`
    block_weights : {"none", "lognormal", "exponential"}, default "none"
        How the block model uses weights (:func:`community.blocks.fit_blocks`).
    balance : ndarray (n,), optional
        Each neuron's balance ``f(s)`` at this snapshot, for the saturated fraction.
    seed : int, default 0
        Seeds the null draws and the fits.

    Returns
    -------
    dict
        ``q``, ``bd``, ``hub``, ``ba`` and, per signature ``x`` and null ``m``: ``x_z_m``,
        ``x_p_m``, ``x_null_mean_m``; ``sbm_blocks``, ``sbm_dl``, ``sbm_weights``,
        ``membership_sbm`` (array), ``isolated_fraction``, ``saturated_fraction``,
        ``reciprocity``, ``gini_in``, ``gini_out``, ``top_share_in``, ``top_share_out``,
        ``rich_club_rho``, ``rich_club_p``, ``weight_growth`` (``max |W| / max |W0|``),
        ``n_null``.

    Raises
    ------
    CommunityError
        Bad arguments, or a graph without synapses.

    Examples
    --------
    >>> import numpy as np
    >>> W = np.kron(np.eye(2), np.ones((6, 6))) - np.eye(12)
    >>> ev = structure_evidence(W, None, n_null=0)
    >>> round(ev["q"], 3), ev["sbm_blocks"], ev["isolated_fraction"]
    (0.5, 2, 0.0)
    """
    if isinstance(n_null, bool) or not isinstance(n_null, int | np.integer) or n_null < 0:
        raise CommunityError(f"`n_null` must be an integer >= 0, got {n_null!r}")
    models = [_check_choice(m, "null_models", NULL_MODELS) for m in null_models]
    A = abs(as_weights(W))
    if W0 is not None:
        W0 = as_weights(W0, name="W0")
        if sp.issparse(A) != sp.issparse(W0):  # one kind for the draws and the comparisons
            A, W0 = _canonical(A), _canonical(W0)
    sparse = sp.issparse(A)
    if not (A.nnz if sparse else np.any(A)):
        raise CommunityError("`W` has no synapses left; nothing to measure")
    rng = np.random.default_rng(seed)
    sbm = fit_blocks(A, weights=block_weights, n_init=2, seed=seed)
    K = sbm.n_communities
    q = max_modularity(A, seed=seed).quality
    hc = hub_concentration(A)
    top0 = _max_abs(W0) if W0 is not None else 0.0
    out: dict[str, Any] = {
        "q": q, "bd": block_disassortativity(A, sbm.membership), "hub": hc["top_share_max"],
        "ba": block_assortativity(A, sbm.membership),
        "sbm_blocks": K, "sbm_dl": float(sbm.quality), "sbm_weights": block_weights,
        "membership_sbm": np.asarray(sbm.membership),
        "isolated_fraction": isolated_fraction(A),
        "saturated_fraction": (saturated_fraction(np.asarray(balance, dtype=np.float64))
                               if balance is not None else float("nan")),
        "reciprocity": reciprocity(A),
        "gini_in": hc["gini_in"], "gini_out": hc["gini_out"],
        "top_share_in": hc["top_share_in"], "top_share_out": hc["top_share_out"],
        "weight_growth": (float(_max_abs(A) / top0) if top0 > 0 else float("nan")),
        "n_null": int(n_null),
    }
    E = _support(A)
    degree = E.sum(axis=0) + E.sum(axis=1)
    k_rich = float(np.percentile(degree, 90))
    phi = _rich_club_phi(E, k_rich)
    out["rich_club_rho"] = out["rich_club_p"] = float("nan")
    for model in NULL_MODELS:
        if model not in models or n_null == 0 or (model == "init-pruned" and W0 is None):
            for sig in SIGNATURES:
                for key in ("z", "p", "null_mean"):
                    out[f"{sig}_{key}_{model}"] = float("nan")
            continue
        draws: dict[str, list[float]] = {sig: [] for sig in SIGNATURES}
        phis = []
        seeds = rng.integers(2**31 - 1, size=n_null)
        for k, V in enumerate(null_draws(A, W0, null=model, n=n_null, seed=rng)):
            V = abs(V)
            if model == "rewire":      # the same neurons form the club: degrees are kept
                phis.append(_rich_club_phi(_support(V), k_rich))
            draws["q"].append(max_modularity(V, seed=int(seeds[k])).quality)
            draws["hub"].append(_hub(V))
            if K == 1:
                m = None                      # one block: nothing across, nothing denser
            elif block_weights == "none" and _same_support(V, A):
                m = sbm.membership  # the same synapses: the same graph to the block model
            else:
                m = fit_blocks(V, n_blocks=K, weights=block_weights, n_init=2,
                               seed=int(seeds[k])).membership
            draws["bd"].append(0.0 if m is None else block_disassortativity(V, m))
            draws["ba"].append(0.0 if m is None else block_assortativity(V, m))
        for sig in SIGNATURES:
            st = null_statistics(out[sig], draws[sig])
            out[f"{sig}_z_{model}"] = st["z"]
            out[f"{sig}_p_{model}"] = st["p"]
            out[f"{sig}_null_mean_{model}"] = st["mean"]
        if phis and np.isfinite(phi):
            st = null_statistics(phi, phis)
            out["rich_club_rho"] = phi / st["mean"] if st["mean"] > 0 else float("inf")
            out["rich_club_p"] = st["p"]
    return out
