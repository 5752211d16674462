"""The paper's noise-driven simulation (Algorithm 1) on any graph.

No task: Gaussian noise replaces clamping, a fraction of neurons has its credit
clamped (identity rows of ``J = W^T diag(f(s))``), and after every update the
fraction ``prune`` of smallest ``|w|`` is set to zero. Two readings of pruning:

``"regrow"``
    the update is dense over the graph's edges (a pruned synapse gets
    ``r f_i c_i x_j`` like any other and may come back); prune again every iteration.
``"structural"``
    a pruned synapse is gone for good: it receives no further update.

Two timescale readings: ``mode="one-step"`` (the paper's: one step of firing,
credit and plasticity per iteration) and ``mode="settled"`` (firing and credit
iterated to their fixed points every iteration, with that iteration's noise held).

A run is *unstable* when the rates or credit become non-finite or explode (checked
every iteration) or ``max |w|`` exceeds ``weight_limit`` (checked at every checkpoint
and every 2,000 iterations): conditions 1 and 2 of :mod:`wiring.divergence`, with the
same reasons as :func:`wiring.fit` gives (``"firing dynamics diverged at iteration
400 (learning rate 10; max |w| = 812): ..."``, ``"the weights diverged at iteration
400 (learning rate 1e+03): max |w| = 2.3e+06 passed weight_limit 1e+06"``). The
third condition, a blown-up loss, does not apply: the noise task has no data, hence
no loss. The simulation stops there and says so in the result; it never returns NaN
weights (``weight`` is then the state at the last checkpoint before the divergence).

At every snapshot iteration the neurons' state is kept beside the weights
(``SimulationResult.states``): the rates ``x`` and the balance values ``f(s)``, so
an analysis can measure saturation (``f`` near 0). Keeping it copies two arrays and
does not change the trajectory.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from wiring._checks import (
    as_float_array,
    as_rng,
    check_choice,
    check_fraction,
    check_int,
    check_positive,
    geomspace,
    standard_normal,
)
from wiring._html import summary_html
from wiring._progress import Progress, ProgressArg
from wiring.config import NeuronConfig, SimulationConfig
from wiring.divergence import dynamics_reason, weight_reason
from wiring.errors import WiringError
from wiring.graphs.graph import Graph
from wiring.kernels import algorithm1 as _ka
from wiring.neurons import activation_code, balance_code

__all__ = ["SimulationResult", "simulate", "PRUNING_MODES", "SIMULATION_MODES"]

log = logging.getLogger(__name__)

PRUNING_MODES = ("regrow", "structural")
SIMULATION_MODES = ("one-step", "settled")
#: Iterations between two checks of ``max |w|`` against ``weight_limit`` (and between
#: progress updates): the noise of up to this many iterations is drawn per chunk.
CHUNK = 2000
#: Most bytes of one pre-drawn noise array (rate or credit noise, float64 of
#: ``rows x n``) per kernel call: 64 MiB. A chunk of ``CHUNK`` iterations is drawn in
#: blocks of ``max(1, NOISE_BYTES // (8 n))`` rows, so all 2,000 rows up to n = 4,194
#: and 8 rows at n = 10**6 (at most ~4 x 64 MiB of noise alive at a time: two arrays
#: and a draw's uniforms). The results do not depend on it: each noise stream draws one
#: uniform per value in order, the kernel carries its state from call to call, and
#: ``max |w|`` is still checked only at the end of each chunk of ``CHUNK`` iterations.
NOISE_BYTES = 64 * 2**20


@dataclass
class SimulationResult:
    """What a simulation leaves: final state, snapshots, per-checkpoint metrics.

    Attributes
    ----------
    weight : ndarray (E,)
        Final weights in the graph's edge order; if unstable, the weights at the last
        checkpoint before the divergence.
    bias : ndarray (n,)
    clamped : ndarray of int64
        Credit-clamped neurons.
    status : str
        ``"ok"`` or ``"unstable"``.
    reason : str
        Why a run is unstable (empty if ok).
    iterations : int
        Iterations completed.
    snapshots : list of (int, ndarray)
        ``(iteration, weight)`` pairs at the requested iterations.
    metrics : list of dict
        One row per checkpoint (see :func:`simulate`).
    states : list of (int, ndarray, ndarray)
        ``(iteration, rate, balance)`` at the same iterations as ``snapshots`` (one
        entry per snapshot, in the same order), each array of length n: ``rate`` is
        the rates ``x`` after that iteration (``σ(s)`` plus the iteration's rate
        noise, as the next iteration uses them) and ``balance`` is ``f(s)`` of the
        net inputs ``s`` that iteration computed (with the weights before its
        update). At iteration 0: the initial rates, and ``f(s)`` of ``s = W x + b``
        the initial weights give them (what the first iteration computes).
    credits : list of (int, ndarray)
        ``(iteration, credit)`` at the same iterations: each neuron's credit ``c`` after
        that iteration (with its credit noise; at iteration 0 the initial credit), for
        the paper's prediction 1 on Algorithm-1 networks.
    """

    weight: np.ndarray
    bias: np.ndarray
    clamped: np.ndarray
    status: str
    reason: str
    iterations: int
    snapshots: list = field(default_factory=list)
    metrics: list = field(default_factory=list)
    states: list = field(default_factory=list)
    credits: list = field(default_factory=list)

    def __repr__(self) -> str:
        return (f"SimulationResult(status={self.status!r}, iterations={self.iterations}, "
                f"n={self.bias.size}, edges={self.weight.size}, "
                f"density={_density(self.weight):.4g}, snapshots={len(self.snapshots)})")

    def _repr_html_(self) -> str:
        w = np.abs(self.weight)
        last = self.metrics[-1] if self.metrics else {}
        rows = [("status", self.status + (f": {self.reason}" if self.reason else "")),
                ("iterations", self.iterations), ("neurons", self.bias.size),
                ("edges", self.weight.size), ("credit-clamped", self.clamped.size),
                ("learning rate", last.get("learning_rate", float("nan"))),
                ("density", _density(self.weight)),
                ("mean |w|", float(w.mean()) if w.size else 0.0),
                ("max |w|", float(w.max(initial=0.0))), ("snapshots kept", len(self.snapshots))]
        columns = ("iteration", "learning_rate", "weight_abs_max", "density", "rate_abs_mean")
        tail = [[row[c] for c in columns] for row in self.metrics[-5:]]
        return summary_html("wiring.SimulationResult", rows,
                            table=("last checkpoints", columns, tail))


def _density(weight: np.ndarray) -> float:
    """Fraction of synapses with a non-zero weight (0 for a graph without edges)."""
    return float(np.mean(weight != 0)) if weight.size else 0.0


#: simulate's defaults are the config's ([simulation] and [neurons] of wiring.config),
#: so `wiring train --set task.kind=noise` and `wiring.simulate` run alike
_S = SimulationConfig()
_N = NeuronConfig()


def simulate(
    graph: Graph,
    *,
    learning_rate: float = _S.learning_rate,
    iterations: int = _S.iterations,
    learning_rate_end: float | None = None,
    stages: int = _S.stages,
    prune: float = _S.prune,
    pruning: str = _S.pruning,
    mode: str = _S.mode,
    clamped_fraction: float = _S.clamped_fraction,
    noise_rate: float = _S.noise_rate,
    noise_credit: float = _S.noise_credit,
    activation: str = _N.activation,
    balance: str = _N.balance,
    balance_center: float = _N.balance_center,
    balance_width: float = _N.balance_width,
    init_scale: float = _N.init_scale,
    weight: np.ndarray | None = None,
    tol: float = _S.tol,
    max_iter: int = _S.max_iter,
    weight_limit: float = _S.weight_limit,
    snapshot_at: Iterable[int] = (),
    checkpoint_every: int | None = None,
    seed: int | np.random.Generator | None = None,
    on_chunk: Callable[[int], None] | None = None,
    progress: ProgressArg = False,
) -> SimulationResult:
    """Run the paper's Algorithm 1 on ``graph``.

    Every default is that of :class:`wiring.config.SimulationConfig` and
    :class:`~wiring.config.NeuronConfig` (the ``[simulation]`` and ``[neurons]`` sections
    of ``wiring train --set task.kind=noise``): the paper's setting, ``learning_rate=0.01``,
    ``iterations=20000``, ``prune=0.9`` with ``pruning="regrow"``, 10% credit-clamped
    neurons, noise ``0.1``.

    Parameters
    ----------
    graph : Graph
        Any directed graph (inputs and outputs are ignored: noise drives it).
    learning_rate : float
        ``r`` in ``dw_ij = r f(s_i) c_i x_j`` (>= 0).
    iterations : int
        Number of iterations.
    learning_rate_end, stages : float, int
        A learning-rate schedule: ``stages`` equal blocks of iterations whose rates go
        geometrically from ``learning_rate`` to ``learning_rate_end`` (default: constant
        ``learning_rate``). Where the rate changes, the pending update is applied with the
        rate that computed it (the paper's development prediction: high plasticity early,
        lower later).
    prune : float
        Fraction of edges with the smallest ``|w|`` set to zero after every update, in [0, 1).
    pruning : {"regrow", "structural"}
        See module docstring.
    mode : {"one-step", "settled"}
        See module docstring.
    clamped_fraction : float
        Fraction of neurons (chosen at random from ``seed``) with clamped credit.
    noise_rate, noise_credit : float
        Standard deviations of the Gaussian noise added to rates and credit.
    activation, balance, balance_center, balance_width : str, float
        Neuron model, as in :class:`wiring.Network`.
    init_scale : float
        Initial weights are Gaussian with std ``init_scale / sqrt(in-degree)``
        (ignored when ``weight`` is given).
    weight : array_like (E,), optional
        Initial weights in the graph's edge order.
    tol, max_iter : float, int
        Settling tolerance and cap (``mode="settled"`` only).
    weight_limit : float
        ``max |w|`` above which the run is declared unstable.
    snapshot_at : iterable of int
        Iterations (0 = initial weights) at which to keep a copy of the weights
        (``snapshots``) and of the rates and balance values (``states``).
    checkpoint_every : int, optional
        Metric rows every this many iterations (default: ``iterations // 20``).
    seed : int, Generator or None
        Seeds initial weights, the clamped set and the noise.
    on_chunk : callable, optional
        Called with the number of iterations just completed (for progress bars).
    progress : bool, "auto" or callable(done, total)
        A progress bar over iterations (``tqdm.auto``: a widget in Jupyter, text
        on stderr elsewhere). ``False`` (the default: the library is quiet unless
        asked): none. ``True``: always. ``"auto"``: in Jupyter or when stderr is a
        terminal, never when ``CI`` is set. A callable receives ``(iterations done,
        iterations)`` instead. Updated once per chunk of up to 2,000 iterations,
        outside the kernel: results are the same with or without it.

    Returns
    -------
    SimulationResult
        ``status`` ``"unstable"`` with a ``reason`` when the dynamics or the weights
        diverged (see the module docstring and :mod:`wiring.divergence`).

    Examples
    --------
    >>> from wiring.graphs.builders import all_to_all
    >>> res = simulate(all_to_all(30), learning_rate=0.01, iterations=200, prune=0.5,
    ...                seed=0, snapshot_at=[0, 200])
    >>> res.status, [step for step, _ in res.snapshots]
    ('ok', [0, 200])
    >>> float(np.mean(res.weight == 0)) >= 0.5
    True
    >>> [(step, rate.shape, balance.shape) for step, rate, balance in res.states]
    [(0, (30,), (30,)), (200, (30,), (30,))]
    >>> bool(np.all((res.states[-1][2] > 0) & (res.states[-1][2] <= 1)))  # f = tanh'
    True
    """
    if not isinstance(progress, Progress):  # one bar around the whole run, closed on errors
        args = dict(locals())
        with Progress(progress, total=iterations, desc="simulate", unit="it") as args["progress"]:
            return simulate(**args)
    if not isinstance(graph, Graph):
        raise WiringError(f"`graph` must be a wiring.Graph, got {type(graph).__name__}")
    lr = check_positive(learning_rate, "learning_rate", allow_zero=True)
    stages = check_int(stages, "stages", minimum=1)
    iterations = check_int(iterations, "iterations", minimum=0)
    max_iter = check_int(max_iter, "max_iter", minimum=1)
    prune = check_fraction(prune, "prune")
    check_choice(pruning, "pruning", PRUNING_MODES)
    check_choice(mode, "mode", SIMULATION_MODES)
    check_fraction(clamped_fraction, "clamped_fraction")
    sx = check_positive(noise_rate, "noise_rate", allow_zero=True)
    sc = check_positive(noise_credit, "noise_credit", allow_zero=True)
    act = activation_code(activation)
    bal = balance_code(balance)
    width = check_positive(balance_width, "balance_width")
    tol = check_positive(tol, "tol")
    weight_limit = check_positive(weight_limit, "weight_limit")
    rng = as_rng(seed)
    n, E = graph.n, graph.n_edges
    if weight is None:
        check_positive(init_scale, "init_scale", allow_zero=True)
        indeg = np.bincount(graph.dst, minlength=n).astype(float)
        weight = (standard_normal(rng, E) * init_scale
                  / np.sqrt(np.maximum(indeg[graph.dst], 1)))
    else:
        weight = as_float_array(weight, "weight", shape=(E,))
    n_clamped = int(round(clamped_fraction * n))
    clamped = np.sort(rng.choice(n, size=n_clamped, replace=False)).astype(np.int64)
    snap_steps = sorted({check_int(s, "snapshot_at entries", minimum=0) for s in snapshot_at})
    as_float_array(balance_center, "balance_center", shape=())  # finite, a number
    bad = [s for s in snap_steps if s < 0 or s > iterations]
    if bad:
        raise WiringError(f"`snapshot_at` holds {bad[0]}, outside [0, {iterations}]")
    stage_rates = _stage_rates(lr, learning_rate_end, stages)
    stage_starts = sorted({int(round(k * iterations / stages)) for k in range(1, stages)}
                          - {0, iterations})
    every = (max(iterations // 20, 1) if checkpoint_every is None
             else check_int(checkpoint_every, "checkpoint_every", minimum=1))

    w = np.ascontiguousarray(weight[graph.in_eid])
    bias = np.zeros(n)
    mask = np.ones(E)
    contig = _ka.contiguous_rows(graph.in_indptr, graph.in_src)
    clamp_mask = np.zeros(n, dtype=np.uint8)
    clamp_mask[clamped] = 1
    x = standard_normal(rng, n) * sx
    c = standard_normal(rng, n) * sc
    # one stream each for rate and credit noise, so the trajectory does not depend on
    # how the iterations are cut into chunks (checkpoints, snapshots)
    rng_x, rng_c = rng.spawn(2)
    delta = np.zeros(n)
    f = np.zeros(n)
    prune_k = int(np.floor(prune * E))
    pstate = np.array([0.0, 0.05])
    flags = np.zeros(1, dtype=np.int64)
    band = np.empty(E + 1)  # +1: the branch-free compaction stores one past the count
    settings = (act, bal, float(balance_center), width, lr, prune_k,
                pruning == "structural", mode == "settled", tol, int(max_iter))

    def user_order(w_in):
        out = np.empty(E)
        out[graph.in_eid] = w_in
        return out

    def current():
        """Weights after the last completed iteration (pending update applied on a copy)."""
        if not flags[0]:
            return w
        return _ka.flushed_weights((graph.in_indptr, graph.in_src), contig, w, mask, delta, x,
                                   lr, prune_k, pruning == "structural", pstate)

    result = SimulationResult(weight=weight.copy(), bias=bias, clamped=clamped, status="ok",
                              reason="", iterations=0)
    last_good = weight.copy()  # the weights at the last checkpoint that was finite
    if 0 in snap_steps:
        result.snapshots.append((0, weight.copy()))
        result.states.append((0, x.copy(), _initial_balance(
            graph, weight, bias, x, activation, balance, float(balance_center), width)))
        result.credits.append((0, c.copy()))
    stops = sorted(set(snap_steps) | set(range(every, iterations + 1, every)) | {iterations}
                   | set(stage_starts))
    stops = [s for s in stops if s > 0]
    done = 0
    fire_tot = credit_tot = capped_tot = 0
    rows = _noise_rows(n)
    lr = stage_rates[0]
    settings = (*settings[:4], lr, *settings[5:])
    for stop in stops:
        stage = int(np.searchsorted(stage_starts, done, side="right"))
        if stage_rates[stage] != lr:  # a new stage: apply the old rate's pending update
            _ka.flush_pending((graph.in_indptr, graph.in_src), contig, w, mask, delta, x, lr,
                              prune_k, pruning == "structural", pstate, flags)
            lr = stage_rates[stage]
            settings = (*settings[:4], lr, *settings[5:])
        while done < stop:
            T = min(CHUNK, stop - done)
            t_done, status = 0, _ka.OK
            while t_done < T and status == _ka.OK:  # the chunk in blocks of `rows` rows
                block = min(rows, T - t_done)
                nx = standard_normal(rng_x, (block, n))
                nx *= sx
                nc = standard_normal(rng_c, (block, n))
                nc *= sc
                t_block, status, fi, ci, cap = _ka.run_algorithm1(
                    (graph.in_indptr, graph.in_src, contig), (w, bias), mask,
                    (x, c, delta, f), settings, clamp_mask, nx, nc, pstate, band, flags)
                del nx, nc
                t_done += t_block
                fire_tot += fi
                credit_tot += ci
                capped_tot += cap
            runaway = status == _ka.OK and not np.max(np.abs(current()),
                                                      initial=0.0) <= weight_limit
            if runaway:
                status = _ka.DIVERGED
            done += t_done
            if on_chunk is not None:
                on_chunk(t_done)
            progress.update(done)
            if status != _ka.OK:
                result.status = "unstable"
                where = f"iteration {done}"
                if runaway:
                    wc = current()
                    big = (float(np.max(np.abs(wc), initial=0.0)) if np.all(np.isfinite(wc))
                           else float("inf"))
                    result.reason = weight_reason(where, lr, weight_abs_max=big,
                                                  weight_limit=weight_limit)
                else:  # the kernel saw non-finite or exploding rates (firing) or credit;
                    # max |w| of the weights that produced them (the pending update,
                    # made from the blown-up state, is not applied)
                    phase = "firing" if not np.all(np.abs(x) < _ka.HUGE) else "credit"
                    big = float(np.max(np.abs(w), initial=0.0))
                    result.reason = dynamics_reason(where, lr, phase=phase,
                                                    weight_abs_max=big)
                log.info("simulation unstable: %s", result.reason)
                break
        if result.status != "ok":
            break
        wu = user_order(current())
        last_good = wu
        if stop in snap_steps:
            result.snapshots.append((stop, wu.copy()))
            result.states.append((stop, x.copy(), f.copy()))
            result.credits.append((stop, c.copy()))
        result.metrics.append({
            "iteration": stop,
            "learning_rate": lr,
            "weight_abs_mean": float(np.mean(np.abs(wu))) if E else 0.0,
            "weight_abs_max": float(np.max(np.abs(wu), initial=0.0)),
            "weight_std": (float(np.max(np.abs(wu)) * np.std(wu / np.max(np.abs(wu))))
                           if E and np.max(np.abs(wu)) > 0 else 0.0),
            "density": float(np.mean(wu != 0)) if E else 0.0,
            "rate_abs_mean": float(np.mean(np.abs(x))),
            "credit_abs_mean": float(np.mean(np.abs(c))),
            "firing_iterations_mean": fire_tot / max(done, 1),
            "credit_iterations_mean": credit_tot / max(done, 1),
            "settle_capped": capped_tot,
            "prune_threshold": float(pstate[0]),
        })
    result.iterations = done
    result.weight = user_order(current()) if result.status == "ok" else last_good
    return result


def _initial_balance(graph: Graph, weight: np.ndarray, bias: np.ndarray, x: np.ndarray,
                     activation: str, balance: str, center: float,
                     width: float) -> np.ndarray:
    """f(s) of ``s = W x + b``: the balance the initial weights give the initial rates,
    which the first iteration computes (the kernel's ``f`` is still empty). ``s`` is
    summed in edge order (``np.bincount``: one sequential loop) and ``f`` comes from the
    kernel's own functions, so the values are the same bits on every machine."""
    from wiring.kernels.settle import balance_values

    n = graph.n
    s = np.bincount(graph.dst, weights=weight * x[graph.src], minlength=n) + bias
    act = np.full(n, activation_code(activation), dtype=np.int64)
    f = np.empty(n)
    balance_values(act, s, np.zeros(n), np.ones(n, dtype=np.uint8), balance_code(balance),
                   float(center), float(width), np.zeros(n, dtype=np.uint8), f)
    return f


def _noise_rows(n: int) -> int:
    """Rows of noise drawn per kernel call: ``CHUNK``, fewer where ``CHUNK x n`` float64
    would pass :data:`NOISE_BYTES`, at least 1."""
    return max(1, min(CHUNK, NOISE_BYTES // (8 * max(n, 1))))


def _stage_rates(lr: float, lr_end: float | None, stages: int) -> list[float]:
    """Per-stage learning rates: geometric from ``lr`` to ``lr_end`` (constant if None)."""
    if lr_end is None or stages == 1:
        return [lr] * stages
    lr_end = check_positive(lr_end, "learning_rate_end")
    if lr <= 0:
        raise WiringError("a learning-rate schedule needs `learning_rate` > 0")
    return geomspace(lr, lr_end, stages)  # not np.geomspace: its bits depend on the CPU
