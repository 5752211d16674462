"""Training loops: online and mini-batch fitting of a :class:`~wiring.Network` on data.

The sample loop runs inside one numba kernel per epoch (``kernels.plasticity``);
this module shuffles, evaluates, collects one metrics row per epoch and hands
snapshots to the caller. Nothing here writes files (see :mod:`wiring.runs`).
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numba
import numpy as np

from wiring._batched import DTYPES, run_batched
from wiring._checks import as_rng, check_choice, check_int, check_positive
from wiring._html import summary_html
from wiring._progress import Progress, ProgressArg
from wiring.config import TrainSettings
from wiring.divergence import dynamics_reason, loss_blowup, weight_reason
from wiring.errors import DataError, SettleDidNotConverge, TrainingDiverged, WiringError
from wiring.kernels.settle import CONVERGED, DIVERGED
from wiring.network import DEFAULT_TOL, Network
from wiring.rules import Rule, edge_feedback, get_rule

__all__ = ["FitResult", "fit", "ON_DIVERGE", "KERNELS"]

log = logging.getLogger(__name__)

ON_DIVERGE = ("record", "raise")
#: Training kernels: "sample" walks the graph once per sample (``kernels.plasticity``);
#: "batch" moves a whole mini-batch through each sweep (``kernels.batch``, CSR x
#: dense batch, multi-threaded); "auto" picks "batch" when ``batch_size > 1`` (or
#: float32 is asked for) and nothing needs the per-sample kernel.
KERNELS = ("auto", "sample", "batch")
#: Default settling tolerance in float32, and the smallest accepted: changes of a few
#: float32 ulps (6e-8 relative) cannot be resolved, so a smaller tol never converges.
FLOAT32_TOL = 1e-5
FLOAT32_MIN_TOL = 1e-6
#: With ``threads=None`` the batch kernel runs on one thread when a sweep's work, edges x
#: batch size, is below this: each sweep is then a few microseconds of work per thread,
#: less than handing it over costs (benchmarks/bench_batch.py --only threads), and on a
#: machine busy with other processes the hand-overs can cost 10-100x more. The weights
#: are bit-identical on any number of threads, so the choice changes only the speed.
AUTO_THREADS_MIN_WORK = 2_000_000
#: Samples per call when the batch kernel evaluates a test set.
EVAL_BATCH = 256
EVAL_MEMORY = 2**28


@dataclass
class FitResult:
    """Outcome of :func:`fit`.

    Attributes
    ----------
    metrics : list of dict
        One row per epoch (epoch 0 = before training); see :func:`fit`.
    status : str
        ``"ok"`` or ``"unstable"``: the dynamics or the weights diverged (training
        stopped there), or training ended with its loss blown up (the three conditions
        of :mod:`wiring.divergence`).
    reason : str
        What diverged, where, at which learning rate (empty when ok).
    snapshots : list of (epoch, step, weight, bias)
        Kept in memory when no ``on_snapshot`` callback is given.
    params : dict
        The settings of the fit: rule, loss, learning rate, epochs asked for, batch
        size, kernel, dtype and settling method.
    """

    metrics: list = field(default_factory=list)
    status: str = "ok"
    reason: str = ""
    snapshots: list = field(default_factory=list)
    params: dict = field(default_factory=dict)

    def _last(self, key: str) -> object:
        """The latest value of a metric (NaN if no row has it)."""
        return next((row[key] for row in reversed(self.metrics) if key in row), float("nan"))

    def __repr__(self) -> str:
        epochs = self.metrics[-1]["epoch"] if self.metrics else 0
        return (f"FitResult(status={self.status!r}, rule={self.params.get('rule')!r}, "
                f"epochs={epochs}, train_loss={self._last('train_loss'):.4g}, "
                f"test_accuracy={self._last('test_accuracy'):.4g}, "
                f"snapshots={len(self.snapshots)})")

    def _repr_html_(self) -> str:
        status = self.status + (f": {self.reason}" if self.reason else "")
        p = self.params
        rows = [("status", status), ("rule", p.get("rule", "?")), ("loss", p.get("loss", "?")),
                ("learning rate", p.get("learning_rate", float("nan"))),
                ("batch size", p.get("batch_size", "?")),
                ("epochs", self.metrics[-1]["epoch"] if self.metrics else 0),
                ("samples seen", self.metrics[-1]["step"] if self.metrics else 0)]
        rows += [(label, self._last(key)) for key, label in _HTML_METRICS]
        rows.append(("snapshots kept", len(self.snapshots)))
        columns = [c for c in _TAIL_COLUMNS if any(c in row for row in self.metrics)]
        tail = [[row.get(c, "") for c in columns] for row in self.metrics[-5:]]
        return summary_html("wiring.FitResult", rows, table=("last epochs", columns, tail))


#: (metric, label) shown in a FitResult's HTML summary, latest values.
_HTML_METRICS = (("train_loss", "train loss"), ("train_accuracy", "train accuracy"),
                 ("test_loss", "test loss"), ("test_accuracy", "test accuracy (settled)"),
                 ("test_accuracy_all", "test accuracy (all)"),
                 ("test_nonconverged", "test samples not settled"),
                 ("samples_per_second", "samples/s"))
_TAIL_COLUMNS = ("epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy")


def _split(data):
    if hasattr(data, "X_train"):
        return data.X_train, data.Y_train, data.X_test, data.Y_test
    if isinstance(data, tuple) and len(data) in (2, 4):
        return (*data, None, None) if len(data) == 2 else data
    raise DataError("`data` must be a wiring.data.Dataset or a tuple (X, Y[, X_test, Y_test])")


def _eval_batch(n: int, dtype: str) -> int:
    """Samples per evaluation call: EVAL_BATCH, fewer when the (n, B) work arrays (nine
    of them) would pass EVAL_MEMORY bytes."""
    per_sample = 9 * n * np.dtype(dtype).itemsize
    return int(max(1, min(EVAL_BATCH, EVAL_MEMORY // max(per_sample, 1))))


def _evaluate(net, X, Y, loss, tol, max_iter, method, engine=None):
    if X is None or len(X) == 0:
        return {}
    X = net._check_X(X)
    Y = net._check_Y(Y, X.shape[0])
    if engine is not None:  # (kernel, dtype): the mini-batch kernel in that float type
        done, stats = run_batched(net, X, Y, rule="balance-exact", loss=loss, tol=tol,
                                  max_iter=max_iter, method=method, do_credit=False,
                                  batch_size=_eval_batch(net.n, engine[1]), dtype=engine[1])
    else:
        done, stats, _ = net._run(X, Y, rule="balance-exact", loss=loss, tol=tol,
                                  max_iter=max_iter, method=method, do_credit=False)
    ok = stats[:done, 2] == CONVERGED
    return {
        "test_loss": float(stats[:done, 6][ok].mean()) if ok.any() else float("nan"),
        "test_accuracy": float(stats[:done, 7][ok].mean()) if ok.any() else float("nan"),
        "test_nonconverged": int(X.shape[0] - ok.sum()),
        "test_samples": int(X.shape[0]),
        # every test sample, one whose firing did not settle counted wrong
        "test_accuracy_all": float(stats[:done, 7][ok].sum() / X.shape[0]),
    }


def _scaled(stat, w) -> float:
    """stat(w) computed as max|w| * stat(w / max|w|): exact for std and norm, no overflow.

    A graph without edges gives 0.0, as the other weight statistics do (and no warning).
    """
    if not w.size:
        return 0.0
    top = float(np.max(np.abs(w)))
    return float(top * stat(w / top)) if top > 0 and np.isfinite(top) else float(stat(w))


def _norm(v: np.ndarray) -> float:
    """Euclidean norm by numpy's pairwise sum, not ``np.linalg.norm``: that one is a BLAS
    dot product, whose summation order depends on the kernel BLAS picks for the CPU."""
    return float(np.sqrt(np.sum(v * v)))


def _postfix(row: dict) -> dict:
    """The figures a progress bar shows beside the count."""
    keys = (("train_loss", "loss"), ("test_accuracy", "test_acc"))
    return {short: row[key] for key, short in keys if key in row}


def _weight_stats(net):
    w = net._w_in
    return {
        "weight_abs_mean": float(np.mean(np.abs(w))) if w.size else 0.0,
        "weight_abs_max": float(np.max(np.abs(w))) if w.size else 0.0,
        # on w / max|w|, so weights near the float range do not overflow the squares
        "weight_std": _scaled(np.std, w),
        "weight_norm": _scaled(_norm, w),
        "bias_abs_max": float(np.max(np.abs(net.bias))),
    }


#: fit's defaults are the config's ([train] of wiring.config), so `wiring train` and
#: `wiring.fit` train alike unless told otherwise
_T = TrainSettings()


def fit(
    network: Network,
    data: object,
    *,
    rule: str | Rule = _T.rule,
    loss: str = _T.loss,
    learning_rate: float = _T.learning_rate,
    epochs: int = _T.epochs,
    batch_size: int = _T.batch_size,
    seed: int | np.random.Generator | None = None,
    tol: float | None = None,
    max_iter: int = _T.max_iter,
    method: str = _T.method,
    warm_start: bool = _T.warm_start,
    on_diverge: str = _T.on_diverge,
    snapshot_epochs: Iterable[int] = (),
    on_snapshot: Callable[[int, int, Network], None] | None = None,
    on_epoch: Callable[[dict], None] | None = None,
    kernel: str = _T.kernel,
    dtype: str = _T.dtype,
    threads: int | None = None,
    weight_limit: float = _T.weight_limit,
    progress: ProgressArg = False,
) -> FitResult:
    """Train ``network`` in place with a learning rule.

    The defaults are those of :class:`wiring.config.TrainSettings` (the ``[train]``
    section ``wiring train`` reads): ``rule="balance-exact"``, ``loss="cross-entropy"``,
    ``learning_rate=0.02``, ``epochs=8``, ``batch_size=1``, and so on, so the Python
    function and the command line train alike. ``tol`` is the one exception: left
    ``None`` it is the dtype's own tolerance (see below).

    Every sample: firing settles with the inputs clamped, credit settles with the
    output error, and the rule's update ``r f(s_i) c_i x_j`` is applied at once
    (``batch_size=1``, online, the paper's setting) or summed over a mini-batch and
    applied as ``learning_rate * sum / batch_size`` (a shorter last batch is divided
    by its own length). Samples whose firing or credit
    hits ``max_iter`` are skipped (counted in ``nonconverged``).

    Parameters
    ----------
    network : Network
        Trained in place.
    data : Dataset or tuple
        A :class:`wiring.data.Dataset`, or ``(X, Y)`` / ``(X, Y, X_test, Y_test)``.
    rule : str or Rule
        A name in :data:`wiring.rules.RULES`, built-in or added by
        :func:`wiring.rules.register`, or a :class:`~wiring.rules.Rule`.
    loss : {"mse", "cross-entropy"}
    learning_rate : float
    epochs : int
    batch_size : int
    seed : int, Generator or None
        Seeds the sample order.
    tol : float, optional
        Convergence tolerance of settling (max-abs change). Default ``1e-10`` in
        float64 and ``FLOAT32_TOL`` (1e-5) in float32, whose rounding (about 6e-8
        relative) stops smaller changes from ever being seen.
    max_iter, method
        Settling controls, as in :meth:`Network.settle`.
    warm_start : bool
        Start each sample's settle from the previous sample's state.
    on_diverge : {"record", "raise"}
        When training diverges (:mod:`wiring.divergence`: non-finite or exploding
        rates or credit, ``max |w|`` past ``weight_limit``, or a last epoch whose mean
        training loss is non-finite or above ``BLOWUP_FACTOR`` (2) times the untrained
        network's, ``metrics[0]``): record status ``"unstable"`` with the reason (the
        dynamics and weight checks stop training at that epoch; the loss is judged
        once training has ended, and the last metrics row is marked ``"unstable"``),
        or raise: :class:`~wiring.errors.SettleDidNotConverge` for the dynamics and
        weights, :class:`~wiring.errors.TrainingDiverged` for the loss. Either way the
        network keeps the weights training reached.
    snapshot_epochs : iterable of int
        Epochs after which to snapshot (0 = before training).
    on_snapshot : callable(epoch, step, network), optional
        Receives snapshots instead of keeping them in memory.
    on_epoch : callable(row), optional
        Receives each metrics row as it is made (progress reporting).
    kernel : {"auto", "sample", "batch"}
        "sample": the graph is walked once per sample. "batch": a whole mini-batch
        goes through every sweep together (CSR x dense batch; parallel over neurons,
        bit-identical for any thread count). Both settle each batch with the weights
        at its start and apply the same update; they agree to rounding (iterative
        settling stops per sample within ``tol`` either way). "auto": "batch" when
        ``batch_size > 1`` or ``dtype="float32"``, unless ``warm_start`` or
        ``method="gauss-seidel"`` or ``"anderson"`` (per-sample only).
    dtype : {"float64", "float32"}
        Float type of weights, data and state inside the batch kernel. float32
        halves memory and roughly doubles throughput; its accuracy cost is measured
        in ``benchmarks/bench_batch.py`` (README, Speed). The network keeps float64
        arrays holding the float32 values.
    threads : int, optional
        numba threads for the batch kernel. ``None`` (default): one thread when a
        sweep's work (edges x batch size) is below :data:`AUTO_THREADS_MIN_WORK`, else
        numba's setting (all cores unless ``NUMBA_NUM_THREADS`` or
        ``numba.set_num_threads`` says otherwise). ``0``: numba's setting, always.
        ``k``: exactly ``k``. Results are bit-identical for every choice.
    weight_limit : float
        A run whose largest ``|w|`` passes this after an epoch is stopped and recorded
        ``"unstable"`` (saturating activations can hide runaway weights from the
        settle's divergence check), as in :func:`wiring.simulate`.
    progress : bool, "auto" or callable(done, total)
        A progress bar over epochs (``tqdm.auto``: a widget in Jupyter, text on
        stderr elsewhere), showing the latest train loss and test accuracy. ``False``
        (the default: the library is quiet unless asked): none. ``True``: always.
        ``"auto"``: in Jupyter or when stderr is a terminal, never when ``CI`` is
        set. A callable receives ``(epochs done, epochs)`` instead. Updated once per
        epoch, outside the kernels: results are the same with or without it.

    Returns
    -------
    FitResult
        ``metrics`` rows have: ``epoch``, ``step`` (samples seen), ``train_loss``,
        ``train_accuracy`` (at each sample's settle, before its update),
        ``test_loss``, ``test_accuracy`` (over the test samples whose firing settled),
        ``test_nonconverged``, ``test_samples``, ``test_accuracy_all`` (over every test
        sample, an unsettled one counted wrong: the honest figure when some do not settle),
        ``firing_iterations_mean/max``, ``credit_iterations_mean/max``,
        ``nonconverged``, weight statistics, ``seconds``, ``samples_per_second``,
        ``status`` (``"unstable"`` on the row where training diverged).

    Examples
    --------
    >>> from wiring.graphs.builders import layered
    >>> net = Network(layered([2, 4, 1]), seed=0)
    >>> X = np.array([[0., 0.], [0., 1.], [1., 0.], [1., 1.]]); Y = X[:, :1] * X[:, 1:]
    >>> res = fit(net, (X, Y), loss="mse", learning_rate=0.2, epochs=50, seed=0)
    >>> res.metrics[-1]["train_loss"] < res.metrics[1]["train_loss"]
    True

    Too high a rate under cross-entropy: the rates stay finite (tanh saturates) and the
    weights far below ``weight_limit``, but the training loss blows up.

    >>> rng = np.random.default_rng(0)
    >>> X3, Y3 = rng.random((30, 4)), np.eye(3)[rng.integers(0, 3, 30)]
    >>> net = Network(layered([4, 8, 3]), output_activation="linear", seed=0)
    >>> res = fit(net, (X3, Y3), loss="cross-entropy", learning_rate=10.0, epochs=3, seed=0)
    >>> res.status, res.metrics[-1]["status"]
    ('unstable', 'unstable')
    >>> res.reason.split(",")[0]
    'the training loss rose from 1.152 (untrained network) to 47.49 in epoch 3'
    """
    if threads:  # numba's thread count is process state: restore it after
        args = dict(locals(), threads=0)
        previous = numba.get_num_threads()
        threads = check_int(threads, "threads", minimum=0)
        if threads > numba.config.NUMBA_NUM_THREADS:
            raise WiringError(f"`threads` must be <= {numba.config.NUMBA_NUM_THREADS} (numba's "
                              f"pool, NUMBA_NUM_THREADS), got {threads}")
        numba.set_num_threads(threads)
        try:
            return fit(**args)
        finally:
            numba.set_num_threads(previous)
    if not isinstance(progress, Progress):  # one bar around the whole fit, closed on errors
        args = dict(locals())
        with Progress(progress, total=epochs, desc="fit", unit="epoch") as args["progress"]:
            return fit(**args)
    if not isinstance(network, Network):
        raise WiringError(f"`network` must be a wiring.Network, got {type(network).__name__}")
    rule_spec = get_rule(rule)
    if rule_spec.feedback_weights is not None:  # a rule's own feedback: one per edge
        edge_feedback(rule_spec, network)
    X, Y, Xt, Yt = _split(data)
    X = network._check_X(X)
    Y = network._check_Y(Y, X.shape[0])
    if X.shape[0] == 0:
        raise DataError("`X` has no rows: there is nothing to train on")
    if Xt is not None:
        Xt = network._check_X(Xt, "X_test")
        Yt = network._check_Y(Yt, Xt.shape[0], "Y_test")
    lr = check_positive(learning_rate, "learning_rate", allow_zero=True)
    epochs = check_int(epochs, "epochs", minimum=0)
    batch_size = check_int(batch_size, "batch_size", minimum=1)
    check_choice(on_diverge, "on_diverge", ON_DIVERGE)
    check_choice(kernel, "kernel", KERNELS)
    weight_limit = check_positive(weight_limit, "weight_limit")
    check_choice(dtype, "dtype", DTYPES)
    per_sample_only = warm_start or method in ("gauss-seidel", "anderson")
    if kernel == "auto":
        kernel = "batch" if (batch_size > 1 or dtype == "float32") and not per_sample_only \
            else "sample"
    if kernel == "batch" and per_sample_only:
        raise WiringError("`kernel='batch'` cannot warm-start or settle by Gauss-Seidel or "
                          "Anderson: use kernel='sample', or method='jacobi'/'auto' without "
                          "warm_start")
    if kernel == "sample" and dtype != "float64":
        raise WiringError("`dtype='float32'` needs the batch kernel: kernel='batch' or 'auto'")
    engine = ("batch", dtype) if kernel == "batch" else None
    if engine is not None and threads is None and numba.get_num_threads() > 1 \
            and network.graph.n_edges * min(batch_size, X.shape[0]) < AUTO_THREADS_MIN_WORK:
        here = locals()  # every argument, as validated and resolved so far
        return fit(**{name: here[name] for name in inspect.signature(fit).parameters
                      if name != "threads"}, threads=1)
    if threads is not None:
        check_int(threads, "threads", minimum=0)
    if tol is None:
        tol = FLOAT32_TOL if dtype == "float32" else DEFAULT_TOL
    elif dtype == "float32" and check_positive(tol, "tol") < FLOAT32_MIN_TOL:
        raise WiringError(f"`tol`={tol:g} is below what float32 can resolve: use tol >= "
                          f"{FLOAT32_MIN_TOL:g} with dtype='float32' (default {FLOAT32_TOL:g})")
    rng = as_rng(seed)
    snaps = {check_int(e, "snapshot_epochs entries", minimum=0) for e in snapshot_epochs}
    result = FitResult(params={"rule": rule_spec.name, "loss": loss, "learning_rate": lr,
                               "epochs": epochs, "batch_size": batch_size, "kernel": kernel,
                               "dtype": dtype, "method": method})

    def snapshot(epoch, step):
        if epoch in snaps:
            if on_snapshot is not None:
                on_snapshot(epoch, step, network)
            else:
                result.snapshots.append((epoch, step, network.weight, network.bias.copy()))

    row0 = {"epoch": 0, "step": 0,
            **_evaluate(network, Xt, Yt, loss, tol, max_iter, method, engine),
            **_weight_stats(network)}
    tr = _evaluate(network, X, Y, loss, tol, max_iter, method, engine)
    row0["train_loss"], row0["train_accuracy"] = tr["test_loss"], tr["test_accuracy"]
    result.metrics.append(row0)
    if on_epoch is not None:
        on_epoch(row0)
    progress.update(0, **_postfix(row0))
    snapshot(0, 0)
    step = 0
    for epoch in range(1, epochs + 1):
        order = rng.permutation(X.shape[0]).astype(np.int64)
        t0 = time.perf_counter()
        if engine is not None:
            done, stats = run_batched(network, X, Y, rule=rule, loss=loss, tol=tol,
                                      max_iter=max_iter, method=method, lr=lr,
                                      batch_size=batch_size, order=order, dtype=dtype)
        else:
            done, stats, _ = network._run(X, Y, rule=rule, loss=loss, tol=tol,
                                          max_iter=max_iter, method=method, lr=lr,
                                          batch_size=batch_size, order=order,
                                          warm_start=warm_start)
        seconds = time.perf_counter() - t0
        step += done
        st = stats[:done]
        ok = (st[:, 2] == CONVERGED) & (st[:, 5] == CONVERGED)
        row = {
            "epoch": epoch,
            "step": step,
            "train_loss": float(st[ok, 6].mean()) if ok.any() else float("nan"),
            "train_accuracy": float(st[ok, 7].mean()) if ok.any() else float("nan"),
            "firing_iterations_mean": float(st[:, 0].mean()),
            "firing_iterations_max": int(st[:, 0].max()),
            "credit_iterations_mean": float(st[:, 3].mean()),
            "credit_iterations_max": int(st[:, 3].max()),
            "nonconverged": int(done - ok.sum()),
            "seconds": seconds,
            "samples_per_second": done / seconds if seconds > 0 else float("inf"),
        }
        diverged = done < X.shape[0] or (st[-1, 2] == DIVERGED or st[-1, 5] == DIVERGED)
        w_max = float(np.max(np.abs(network._w_in), initial=0.0))
        runaway = not w_max <= weight_limit
        if diverged or runaway:
            phase = "firing" if st[-1, 2] == DIVERGED else "credit"
            if diverged:
                reason = dynamics_reason(f"epoch {epoch}, sample {done - 1}", lr, phase=phase,
                                         weight_abs_max=w_max)
            else:
                reason = weight_reason(f"epoch {epoch}", lr, weight_abs_max=w_max,
                                       weight_limit=weight_limit)
            if on_diverge == "raise":
                col = 0 if phase == "firing" else 3
                raise SettleDidNotConverge(reason, phase=phase, iterations=int(st[-1, col]),
                                           residual=float(st[-1, col + 1]), sample=done - 1)
            result.status, result.reason = "unstable", reason
            row["status"] = "unstable"
            result.metrics.append(row)
            log.info("training unstable: %s", reason)
            break
        row.update(_evaluate(network, Xt, Yt, loss, tol, max_iter, method, engine))
        row.update(_weight_stats(network))
        row["status"] = "ok"
        result.metrics.append(row)
        if on_epoch is not None:
            on_epoch(row)
        progress.update(epoch, **_postfix(row))
        snapshot(epoch, step)
    result.metrics[0]["status"] = "ok"
    if result.status == "ok" and len(result.metrics) > 1:  # condition 3: the loss
        first, last = result.metrics[0], result.metrics[-1]
        reason = loss_blowup(first["train_loss"], last["train_loss"], epoch=last["epoch"],
                             weight_abs_max=last["weight_abs_max"],
                             weight_abs_max_start=first["weight_abs_max"], learning_rate=lr)
        if reason:
            if on_diverge == "raise":
                raise TrainingDiverged(reason, epoch=last["epoch"],
                                       loss_start=first["train_loss"],
                                       loss_end=last["train_loss"])
            result.status, result.reason = "unstable", reason
            last["status"] = "unstable"
            log.info("training unstable: %s", reason)
    return result
