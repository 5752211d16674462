"""Per-run measurements for the paper's experiments: a weight matrix beside its nulls.

Every structural number of the reproduction comes from :func:`structure`, applied to
three graphs per run (the ``graph`` column of every table):

``trained``
    the run's final weights (or one snapshot of them);
``null_initial``
    the run's initial weights pruned to the trained graph's density
    (:func:`community.tables.prune_to_density`): what pruning alone would leave;
``null_shuffle``
    the trained weights shuffled over the surviving synapses
    (:func:`community.nulls.shuffle_weights`): the same support and weight
    distribution with the arrangement destroyed.

A Leiden-ordered sparse random matrix already looks block-diagonal, so a claim about
``trained`` holds only where it differs from both nulls.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

import wiring.runs as runs
from community import detect, measures, nulls
from community.tables import prune_to_density
from wiring.errors import WiringError

__all__ = ["Variant", "REFERENCE", "structure", "measure_run", "weights_digest", "GRAPHS",
           "EVIDENCE_MIN_PRUNE", "N_NULL", "MOVING_RELATIVE"]

GRAPHS = ("trained", "null_initial", "null_shuffle")


@dataclass(frozen=True)
class Variant:
    """How a weight matrix becomes a partition (the analysis choices the paper leaves open).

    Attributes
    ----------
    weight_mode : {"abs", "signed", "sym", "pos", "neg"}
    quality : {"modularity", "rb", "cpm"}
    resolution : float

    Examples
    --------
    >>> Variant().name
    'abs_modularity'
    >>> Variant("signed", "rb", 2.0).name
    'signed_rb2'
    """

    weight_mode: str = "abs"
    quality: str = "modularity"
    resolution: float = 1.0

    @property
    def name(self) -> str:
        """Short label used in tables and figures."""
        tail = "" if self.quality == "modularity" else f"{self.resolution:g}"
        return f"{self.weight_mode}_{self.quality}{tail}"


REFERENCE = Variant()


def structure(W: np.ndarray, variant: Variant = REFERENCE, *, seed: int = 0,
              clamped: np.ndarray | None = None) -> dict:
    """Community structure of one weight matrix.

    Parameters
    ----------
    W : ndarray (n, n)
        ``W[i, j]`` = weight onto ``i`` from ``j``.
    variant : Variant
        Weight graph and Leiden quality.
    seed : int
        Leiden seed.
    clamped : ndarray of int, optional
        Credit-clamped neurons: adds their share of the total strength relative to
        their share of the neurons (1 = like any other neuron).

    Returns
    -------
    dict
        modularity (Leicht--Newman Q of the Leiden partition on the variant's graph),
        leiden_quality, n_communities, n_nontrivial (communities of more than one neuron),
        isolated_fraction (neurons with no synapse but a self-loop), largest_fraction,
        within_fraction,
        within_chance_size, within_chance_strength, within_excess_size,
        within_excess_strength, offdiag_index, gini_strength, top10_share,
        participation_ratio, density, weight_abs_max, clamped_strength_ratio,
        and ``membership`` (the partition).

    Examples
    --------
    >>> A = np.kron(np.eye(2), np.ones((3, 3)))
    >>> r = structure(A)
    >>> r["n_communities"], round(r["within_fraction"], 3), round(r["within_excess_size"], 2)
    (2, 1.0, 2.0)
    """
    A = np.abs(W)
    part = detect.leiden(W, quality=variant.quality, resolution=variant.resolution,
                         mode=variant.weight_mode, seed=seed)
    m = part.membership
    q_mode = variant.weight_mode if variant.weight_mode in ("signed", "sym") else "abs"
    Wq = W if q_mode == "signed" else (np.maximum(W, 0) if variant.weight_mode == "pos" else
                                        np.maximum(-W, 0) if variant.weight_mode == "neg" else A)
    sizes = measures.community_sizes(m)
    within = measures.within_fraction(A, m)
    chance = measures.within_chance(m, self_loops=bool(np.any(np.diag(A) != 0)))
    chance_s = measures.within_chance_strength(A, m)
    conc = measures.concentration(A)
    off = A - np.diag(np.diag(A))
    isolated = (off.sum(axis=0) + off.sum(axis=1)) == 0
    out = {
        # one community: Q is 0 exactly (rounding would otherwise leave +-1e-16 noise)
        "modularity": (0.0 if sizes.size == 1 else
                       float(measures.modularity(Wq, m, mode=q_mode))),
        "leiden_quality": float(part.quality),
        "n_communities": int(sizes.size),
        "n_nontrivial": int(np.sum(sizes > 1)),
        "isolated_fraction": float(isolated.mean()) if isolated.size else np.nan,
        "largest_fraction": float(sizes.max() / m.size) if m.size else np.nan,
        "within_fraction": within,
        "within_chance_size": chance,
        "within_chance_strength": chance_s,
        "within_excess_size": within / chance if chance > 0 else np.nan,
        "within_excess_strength": within / chance_s if chance_s > 0 else np.nan,
        "offdiag_index": float(measures.offdiagonal_index(measures.block_matrix(A, m))),
        "gini_strength": conc["gini"],
        "top10_share": conc["top_share"],
        "participation_ratio": conc["participation_ratio"],
        "density": float(np.count_nonzero(A) / max(A.size, 1)),
        "weight_abs_max": float(A.max(initial=0.0)),
        "clamped_strength_ratio": np.nan,
        "membership": m,
    }
    if clamped is not None and len(clamped) and A.sum() > 0:
        k = A.sum(axis=0) + A.sum(axis=1)
        out["clamped_strength_ratio"] = float(k[clamped].sum() / k.sum() * m.size / len(clamped))
    return out


def _params(cfg: dict) -> dict:
    sim, nc = cfg.get("simulation", {}), cfg.get("neurons", {})
    return {
        "learning_rate": float(sim.get("learning_rate", np.nan)),
        "learning_rate_end": float(sim.get("learning_rate_end", 0.0)),
        "prune": float(sim.get("prune", np.nan)), "sigma": float(sim.get("noise_rate", np.nan)),
        "iterations": int(sim.get("iterations", 0)), "mode": sim.get("mode", ""),
        "pruning": sim.get("pruning", ""), "clamped_fraction": float(sim.get("clamped_fraction",
                                                                            np.nan)),
        "activation": nc.get("activation", ""), "init_scale": float(nc.get("init_scale", np.nan)),
        "seed": int(cfg.get("task", {}).get("seed", 0)),
    }


#: prune fractions at and above which every final snapshot gets the null-model evidence
#: (:func:`community.evidence.structure_evidence`, ``N_NULL`` draws of each null); below
#: it the graph is (nearly) complete, the draws cost about 15x more and degree-preserving
#: rewiring has almost nothing to rewire, so the signatures are measured without nulls
EVIDENCE_MIN_PRUNE = 0.8
#: null draws per null model and run
N_NULL = 20
#: a synapse counts as still moving when it changed by more than this fraction of its
#: size between the last two snapshots
MOVING_RELATIVE = 0.01


def _evidence(W: np.ndarray, W0: np.ndarray, balance, *, seed: int, n_null: int,
              clamped: np.ndarray) -> dict:
    """The null-model evidence of one snapshot as flat ``ev_*`` columns, and the hubs'
    make-up: the share of the top-10% neurons by total strength that are credit-clamped."""
    from community.evidence import structure_evidence

    ev = structure_evidence(W, W0, n_null=n_null, balance=balance, seed=seed,
                            block_weights="none" if np.count_nonzero(W) < W.size else
                            "lognormal")
    membership = ev.pop("membership_sbm", None)
    scalar = int | float | np.floating | np.integer
    out = {"_membership_sbm": membership,
           **{f"ev_{k}": (float(v) if isinstance(v, scalar) else v) for k, v in ev.items()}}
    A = np.abs(W)
    k = A.sum(axis=0) + A.sum(axis=1)
    top = np.argsort(-k, kind="stable")[:max(1, int(np.ceil(0.1 * k.size)))]
    out["hub_clamped_share"] = (float(np.isin(top, clamped).mean()) if clamped.size
                                else float("nan"))
    return out


def weights_digest(snapshot: runs.Snapshot) -> str:
    """SHA-256 of a snapshot's edges and weights (the bytes of ``src``, ``dst``, ``weight``):
    equal digests mean bit-identical weights.

    Examples
    --------
    >>> from wiring.runs.snapshots import Snapshot
    >>> s = Snapshot(src=np.array([0]), dst=np.array([1]), weight=np.array([0.5]),
    ...              bias=np.zeros(2), inputs=np.array([0]), outputs=np.array([1]),
    ...              clamped=np.array([], dtype=np.int64), n=2, step=0)
    >>> len(weights_digest(s))
    64
    """
    import hashlib

    h = hashlib.sha256()
    for a in (snapshot.src, snapshot.dst, snapshot.weight):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def measure_run(run_dir: str | Path, variants: tuple[Variant, ...] = (REFERENCE,), *,
                every_snapshot: bool = False, steps: tuple[int, ...] = (),
                evidence_steps: str = "final", n_null: int = N_NULL) -> tuple[list[dict], dict]:
    """Measure one Algorithm-1 run directory: trained graph and both nulls, per variant.

    Parameters
    ----------
    run_dir : str or Path
        A run directory of ``task.kind = "noise"``.
    variants : tuple of Variant
    every_snapshot : bool
        Also measure the trained graph (and its shuffle null) at every snapshot, not only
        the final one (the development study).
    steps : tuple of int
        Also measure the trained graph at these snapshot steps (the duration study).
    evidence_steps : {"final", "none", "measured"}
        Where the null-model evidence (``ev_*`` columns, ``n_null`` draws of each null;
        only when the run's prune fraction is at least :data:`EVIDENCE_MIN_PRUNE`, else
        the signatures without nulls) is computed: the final snapshot, nowhere, or
        every measured snapshot (signatures only except at the final one).
    n_null : int

    Returns
    -------
    rows : list of dict
        One row per (variant, snapshot step, graph) with the run's parameters, status,
        ``max_change`` (largest |w| change since the previous measured snapshot, trained
        rows only), ``moving_share`` (share of synapses whose |w| changed by more than
        :data:`MOVING_RELATIVE` of itself since the previous snapshot of the run),
        ``weights_sha256`` (final trained rows), the measures of :func:`structure` and,
        on reference trained rows, the evidence (NaN measures for an unstable run, whose
        weights are not an outcome of the rule).
    extra : dict
        For the Fig. 4 matrices, of the reference variant: ``final`` (W),
        ``initial_pruned`` (the init-pruned null's W), ``membership`` and ``q`` (the
        trained graph's partition and its modularity), ``membership_sbm`` (its block
        model) and ``null_membership`` and ``null_q`` (the same of the init-pruned null),
        as measured here: the figure computes nothing. Empty for an unstable run.

    Examples
    --------
    >>> import tempfile
    >>> from wiring.experiments.studies import run_studies
    >>> d = tempfile.mkdtemp()
    >>> _ = run_studies(d, quick=True, only=("development",), workers=1)
    >>> rows, extra = measure_run(f"{d}/development/runs/constant_low__lr0.0316_s0", n_null=2)
    >>> sorted({r["graph"] for r in rows}), extra["final"].shape
    (['null_initial', 'null_shuffle', 'trained'], (120, 120))
    """
    run_dir = Path(run_dir)
    cfg = runs.read_config(run_dir)
    status = runs.read_status(run_dir) or {"status": "failed", "reason": "no status.json"}
    paths = runs.list_snapshots(run_dir)
    if not paths:
        raise WiringError(f"run {run_dir} has no snapshots")
    snaps = [runs.load_snapshot(p) for p in paths]
    snaps.sort(key=lambda s: s.step)
    base = {"run_id": run_dir.name, **_params(cfg), "status": status.get("status", "failed"),
            "reason": status.get("reason", "")}
    seed = base["seed"]
    W0 = snaps[0].dense()
    clamped = np.asarray(snaps[-1].clamped, dtype=np.int64)
    rows: list[dict] = []
    extra: dict = {}
    stable = base["status"] == "ok"
    want = set(steps)
    chosen = [s for s in snaps if every_snapshot or s is snaps[-1] or s.step in want]
    with_nulls = base["prune"] >= EVIDENCE_MIN_PRUNE
    moving = {}
    for before, after in zip(snaps[:-1], snaps[1:], strict=True):
        a, b = np.abs(before.dense()), np.abs(after.dense())
        live = b > 0
        moving[after.step] = (float(np.mean(np.abs(b - a)[live] > MOVING_RELATIVE * b[live]))
                              if live.any() else float("nan"))
    for variant in variants:
        previous = None
        for snap in chosen:
            W = snap.dense()
            # largest weight change since the previous snapshot measured (NaN for the first)
            change = float(np.max(np.abs(W - previous))) if previous is not None else np.nan
            previous = W
            final = snap is snaps[-1]
            graphs = {"trained": W}
            if final or every_snapshot:
                graphs["null_shuffle"] = nulls.shuffle_weights(W, seed=seed)
            if final:
                graphs["null_initial"] = prune_to_density(W0, int(np.count_nonzero(W)))
            for kind, M in graphs.items():
                row = {**base, "variant": variant.name, "weight_mode": variant.weight_mode,
                       "quality": variant.quality, "resolution": variant.resolution,
                       "step": snap.step, "is_final": final, "graph": kind,
                       "max_change": change if kind == "trained" else np.nan,
                       "moving_share": (moving.get(snap.step, np.nan) if kind == "trained"
                                        else np.nan)}
                if final and kind == "trained":
                    row["weights_sha256"] = weights_digest(snap)
                if stable and np.count_nonzero(M):
                    res = structure(M, variant, seed=seed, clamped=clamped)
                    m = res.pop("membership")
                    if variant == REFERENCE and kind == "trained" and snap.step > 0 and (
                            evidence_steps == "measured" or
                            (evidence_steps == "final" and final)):
                        n = n_null if (final and with_nulls) else 0
                        ev = _evidence(M, W0, snap.extra.get("balance"), seed=seed,
                                       n_null=n, clamped=clamped)
                        if final:
                            extra["membership_sbm"] = ev["_membership_sbm"]
                        del ev["_membership_sbm"]
                        row.update(ev)
                    if final and variant == REFERENCE and kind == "trained":
                        extra.update(final=W, initial_pruned=graphs["null_initial"],
                                     membership=m, q=res["modularity"])
                    elif final and variant == REFERENCE and kind == "null_initial":
                        extra.update(null_membership=m, null_q=res["modularity"])
                    row.update(res)
                rows.append(row)
    return rows, extra
