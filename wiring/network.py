"""The engine's one stateful class: a graph with weights, biases and neuron choices."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from wiring._checks import (
    WritableOnUnpickle,
    as_float_array,
    as_rng,
    check_choice,
    check_int,
    check_positive,
    standard_normal,
)
from wiring._html import summary_html
from wiring.errors import DataError, SettleDidNotConverge, WiringError
from wiring.graphs.graph import Graph
from wiring.kernels import plasticity as _kp
from wiring.kernels.settle import CAPPED, CONVERGED, DIVERGED
from wiring.neurons import activation_code, balance_code
from wiring.rules import (
    LOSSES,
    Feedback,
    get_rule,
    kernel_balance,
    kernel_feedback,
    kernel_masks,
    make_feedback,
)

__all__ = ["Network", "SettleInfo"]

log = logging.getLogger(__name__)

#: Settling methods: "auto" (one exact sweep on acyclic graphs, else Jacobi),
#: "jacobi", "gauss-seidel" (in place; same fixed points, usually fewer sweeps),
#: "anderson" (Jacobi sweeps combined by Anderson acceleration; same fixed points).
METHODS = ("auto", "jacobi", "gauss-seidel", "anderson")
DEFAULT_TOL = 1e-10
DEFAULT_MAX_ITER = 1000
_STATUS_NAMES = {CONVERGED: "converged", CAPPED: "iteration cap", DIVERGED: "diverged"}


@dataclass(frozen=True)
class SettleInfo:
    """Per-sample convergence report of a settle (one entry per sample).

    ``status`` is 0 (converged), 1 (iteration cap reached, finite state) or
    2 (diverged: non-finite or exploding state).
    """

    iterations: np.ndarray
    residual: np.ndarray
    status: np.ndarray

    @property
    def converged(self) -> np.ndarray:
        """Boolean array, True where the sample converged."""
        return self.status == CONVERGED


class Network(WritableOnUnpickle):
    """A directed graph of rate neurons with weights, biases and a balance function.

    Weights are given and returned per edge in the graph's (the user's) edge
    order: ``weight[e]`` is the synapse onto ``graph.dst[e]`` from ``graph.src[e]``.

    Parameters
    ----------
    graph : Graph
        The wiring diagram with its input and output neurons.
    weight : array_like, shape (E,), optional
        Initial weights. Default: Gaussian with standard deviation
        ``init_scale / sqrt(in-degree)`` drawn from ``seed``.
    bias : array_like, shape (n,), optional
        Biases (default 0).
    activation : {"tanh", "sigmoid", "relu", "linear", "satrelu"}
        Activation of every non-input neuron.
    output_activation : str, optional
        Activation of the output neurons (default: ``activation``).
    balance : {"derivative", "gaussian"}
        Balance function ``f``: the activation's derivative (the rule is then
        backprop), or a Gaussian bell ``exp(-(s - balance_center)^2 / 2 balance_width^2)``.
    balance_center, balance_width : float
        Set-point and width of the Gaussian bell.
    init_scale : float
        Scale of the default random weights.
    seed : int, Generator or None
        Seed of the default weights and of the comparator rules' fixed feedback.
    unit_magnitude : bool
        Sign-concordant feedback with unit magnitudes instead of random ones.

    Examples
    --------
    >>> from wiring.graphs.builders import layered
    >>> net = Network(layered([2, 3, 1]), seed=0)
    >>> net.settle([[0.5, -0.5]]).shape
    (1, 6)
    """

    def __init__(
        self,
        graph: Graph,
        weight: ArrayLike | None = None,
        bias: ArrayLike | None = None,
        *,
        activation: str = "tanh",
        output_activation: str | None = None,
        balance: str = "derivative",
        balance_center: float = 0.0,
        balance_width: float = 1.0,
        init_scale: float = 1.0,
        seed: int | np.random.Generator | None = None,
        unit_magnitude: bool = False,
    ) -> None:
        if not isinstance(graph, Graph):
            raise WiringError(f"`graph` must be a wiring.Graph, got {type(graph).__name__}")
        self.graph = graph
        rng = as_rng(seed)
        self._feedback_seed = int(rng.integers(2**63))  # first: same feedback either way
        E, n = graph.n_edges, graph.n
        if weight is None:
            check_positive(init_scale, "init_scale", allow_zero=True)
            indeg = np.bincount(graph.dst, minlength=n).astype(float)
            weight = (standard_normal(rng, E) * init_scale
                      / np.sqrt(np.maximum(indeg[graph.dst], 1)))
        weight = as_float_array(weight, "weight", shape=(E,))
        bias = np.zeros(n) if bias is None else as_float_array(bias, "bias", shape=(n,))
        out_act = activation if output_activation is None else output_activation
        act = np.full(n, activation_code(activation), dtype=np.int64)
        act[graph.outputs] = activation_code(out_act, "output_activation")
        # the neuron model is fixed at construction (the kernels get its codes): read-only
        self._neuron = {
            "activation": activation, "output_activation": out_act, "balance": balance,
            "balance_center": float(as_float_array(balance_center, "balance_center", shape=())),
            "balance_width": check_positive(balance_width, "balance_width"),
            "unit_magnitude": bool(unit_magnitude),
        }
        self._act = act
        self._balance_code = balance_code(balance)
        self._feedback: Feedback | None = None
        self._w_in = np.ascontiguousarray(weight[graph.in_eid])
        self._w_out = np.ascontiguousarray(weight[graph.out_eid])
        self._bias = bias.copy()
        self._clamp = graph.input_mask().astype(np.uint8)

    @classmethod
    def from_edges(
        cls,
        n: int,
        src: ArrayLike,
        dst: ArrayLike,
        weight: ArrayLike,
        *,
        bias: ArrayLike | None = None,
        inputs: ArrayLike,
        outputs: ArrayLike,
        activation: str = "tanh",
        balance: str = "derivative",
        **kwargs: object,
    ) -> Network:
        """Build a network from edge arrays and their weights.

        Parameters
        ----------
        n : int
            Number of neurons.
        src, dst : array_like of int, shape (E,)
            Edge ``e`` is the synapse onto ``dst[e]`` from ``src[e]``.
        weight : array_like, shape (E,)
            Weight of each edge, in the same order.
        bias : array_like, shape (n,), optional
        inputs, outputs : array_like of int
            Input neurons (clamped to the columns of ``X``, in this order) and
            output neurons (compared with the columns of ``Y``).
        activation, balance : str
            See :class:`Network`.
        **kwargs
            Further keyword arguments of :class:`Network`.

        Returns
        -------
        Network

        Examples
        --------
        >>> net = Network.from_edges(3, [0, 1], [1, 2], [2.0, -1.0], inputs=[0], outputs=[2])
        >>> net.weight.tolist()
        [2.0, -1.0]
        """
        graph = Graph.from_edges(n, src, dst, inputs=inputs, outputs=outputs)
        return cls(graph, weight, bias, activation=activation, balance=balance, **kwargs)

    # ------------------------------------------------------------------ state
    @property
    def n(self) -> int:
        """Number of neurons."""
        return self.graph.n

    @property
    def weight(self) -> np.ndarray:
        """A copy of the weights in the graph's edge order."""
        w = np.empty(self.graph.n_edges)
        w[self.graph.in_eid] = self._w_in
        return w

    @weight.setter
    def weight(self, value) -> None:
        value = as_float_array(value, "weight", shape=(self.graph.n_edges,))
        self._w_in = np.ascontiguousarray(value[self.graph.in_eid])
        self._w_out = np.ascontiguousarray(value[self.graph.out_eid])

    @property
    def bias(self) -> np.ndarray:
        """Biases, one per neuron (the array itself; assign to replace it, validated)."""
        return self._bias

    @bias.setter
    def bias(self, value) -> None:
        self._bias = as_float_array(value, "bias", shape=(self.graph.n,)).copy()

    activation = property(lambda self: self._neuron["activation"],
                          doc="Activation of the non-input neurons (read-only).")
    output_activation = property(lambda self: self._neuron["output_activation"],
                                 doc="Activation of the output neurons (read-only).")
    balance = property(lambda self: self._neuron["balance"],
                       doc="Name of the balance function (read-only).")
    balance_center = property(lambda self: self._neuron["balance_center"],
                              doc="Set-point of the Gaussian balance (read-only).")
    balance_width = property(lambda self: self._neuron["balance_width"],
                             doc="Width of the Gaussian balance (read-only).")
    unit_magnitude = property(lambda self: self._neuron["unit_magnitude"],
                              doc="Sign-concordant feedback with unit magnitudes (read-only).")

    @property
    def feedback(self) -> Feedback:
        """The comparator rules' fixed random feedback (drawn once, from the seed)."""
        if self._feedback is None:
            self._feedback = make_feedback(
                self.graph, self._feedback_seed, unit_magnitude=self.unit_magnitude
            )
        return self._feedback

    def dense(self) -> np.ndarray:
        """The dense weight matrix ``W`` with ``W[i, j]`` the weight onto i from j.

        Examples
        --------
        >>> Network.from_edges(2, [0], [1], [3.0], inputs=[0], outputs=[1]).dense().tolist()
        [[0.0, 0.0], [3.0, 0.0]]
        """
        return self.graph.dense(self.weight)

    def copy(self) -> Network:
        """An independent copy (weights, biases, feedback and settings).

        Examples
        --------
        >>> a = Network.from_edges(2, [0], [1], [1.0], inputs=[0], outputs=[1])
        >>> b = a.copy(); b.weight = [5.0]; a.weight.tolist()
        [1.0]
        """
        new = object.__new__(Network)
        new.__dict__.update(self.__dict__)
        new._w_in = self._w_in.copy()
        new._w_out = self._w_out.copy()
        new._bias = self._bias.copy()
        return new

    # --------------------------------------------------------------- kernels
    def _check_params(self) -> None:
        for name, arr in (("weight", self._w_in), ("bias", self.bias)):
            if not np.all(np.isfinite(arr)):
                raise WiringError(
                    f"the network's `{name}` contains NaN or inf; the dynamics diverged "
                    "earlier (lower the learning rate) or bad values were set"
                )

    def _check_X(self, X, name: str = "X") -> np.ndarray:
        X = as_float_array(X, name, error=DataError)
        if X.ndim == 1:
            X = X[None, :]
        return as_float_array(X, name, shape=(None, self.graph.inputs.size), error=DataError)

    def _check_Y(self, Y, batch: int, name: str = "Y") -> np.ndarray:
        Y = as_float_array(Y, name, error=DataError)
        if Y.ndim == 1:
            Y = Y[None, :]
        return as_float_array(Y, name, shape=(batch, self.graph.outputs.size), error=DataError)

    def _method_code(self, method: str) -> int:
        """0 Jacobi, 1 Gauss-Seidel, 2 one topological sweep (acyclic graphs, "auto"),
        3 Anderson-accelerated Jacobi."""
        check_choice(method, "method", METHODS)
        if method == "auto":
            return 2 if self.graph.is_dag else 0
        return {"jacobi": 0, "gauss-seidel": 1, "anderson": 3}[method]

    def _run(self, X, Y, *, rule, loss, tol, max_iter, method, lr=0.0, batch_size=1,
             order=None, warm_start=False, do_credit=True, record=False, dw=None, db=None):
        """Validate once, then call the sample kernel. Returns (n_done, stats, record)."""
        g = self.graph
        rule_spec = get_rule(rule)
        loss_code = LOSSES[check_choice(loss, "loss", LOSSES)]
        tol = check_positive(tol, "tol")
        max_iter = check_int(max_iter, "max_iter", minimum=1)
        if do_credit and g.outputs.size == 0:
            raise WiringError("the network has no output neurons: credit needs `outputs`")
        self._check_params()
        order = np.arange(X.shape[0], dtype=np.int64) if order is None else order
        fixed, zero_mask = kernel_masks(rule_spec, self)
        feedback = kernel_feedback(rule_spec, self)
        _, bal_code, center, width = kernel_balance(rule_spec, self)
        E, n = g.n_edges, g.n
        dw = np.zeros(E) if dw is None else dw
        db = np.zeros(n) if db is None else db
        stats = np.zeros((order.size, 8))
        rec_rows = order.size if record else 0
        rec = (np.zeros((rec_rows, n)), np.zeros((rec_rows, n)), np.zeros((rec_rows, n)))
        topo = g.topo_order if g.topo_order is not None else np.zeros(0, dtype=np.int64)
        done = _kp.run_samples(
            (g.in_indptr, g.in_src, g.out_indptr, g.out_dst, g.in_to_out, topo),
            (self._w_in, self._w_out, self.bias),
            (self._act, self._clamp, zero_mask, fixed, g.inputs, g.outputs,
             bal_code, center, width),
            feedback,
            (X, Y, order),
            (loss_code, tol, int(max_iter), self._method_code(method), float(lr), int(batch_size),
             bool(warm_start), bool(do_credit)),
            dw, db, stats, rec,
        )
        return done, stats, rec

    @staticmethod
    def _raise_if_bad(stats, done, *, credit: bool) -> None:
        for phase, col in (("firing", 0), ("credit", 3)):
            if phase == "credit" and not credit:
                continue
            status = stats[:done, col + 2]
            bad = np.flatnonzero(status != CONVERGED)
            if bad.size:
                k = int(bad[0])
                why = _STATUS_NAMES[int(status[k])]
                raise SettleDidNotConverge(
                    f"{phase} did not converge for sample {k} ({why}: residual "
                    f"{stats[k, col + 1]:.3g} after {int(stats[k, col])} iterations); "
                    "raise `max_iter`, loosen `tol`, or lower the weights' scale",
                    phase=phase, iterations=int(stats[k, col]),
                    residual=float(stats[k, col + 1]), sample=k,
                )

    # ------------------------------------------------------------ public API
    def settle(
        self,
        X: ArrayLike,
        *,
        tol: float = DEFAULT_TOL,
        max_iter: int = DEFAULT_MAX_ITER,
        method: Literal["auto", "jacobi", "gauss-seidel", "anderson"] = "auto",
        return_info: bool = False,
    ):
        """Firing equilibrium with the input neurons clamped to the rows of ``X``.

        Free neurons start at rate 0 and iterate ``x <- sigma(W x + b)`` until the
        largest change is ``<= tol``: Jacobi (``"jacobi"``, all neurons from the
        previous sweep) or Gauss-Seidel (``"gauss-seidel"``, in place in neuron order:
        the same fixed points, usually fewer sweeps) or ``"anderson"`` (each step
        combines the last 5 Jacobi sweeps by Anderson acceleration: the same stopping
        rule and fixed points, far fewer sweeps near the edge of stability; it can also
        reach an equilibrium the neurons' own dynamics would not settle to, so where
        plain iteration fails, check what it found). ``"auto"`` does one exact sweep
        in topological order on an acyclic graph and Jacobi otherwise.

        Parameters
        ----------
        X : array_like, shape (batch, n_inputs)
            Input rates, columns in the order of ``graph.inputs``.
        tol : float
            Convergence tolerance on the max-abs change of the rates.
        max_iter : int
            Iteration cap per sample.
        method : {"auto", "jacobi", "gauss-seidel", "anderson"}
        return_info : bool
            Also return a :class:`SettleInfo` instead of raising on non-convergence.

        Returns
        -------
        x : ndarray, shape (batch, n)
            Rates of all neurons.
        info : SettleInfo
            Only with ``return_info=True``.

        Raises
        ------
        SettleDidNotConverge
            If a sample does not converge (unless ``return_info``).

        Examples
        --------
        >>> net = Network.from_edges(2, [0], [1], [1.0], inputs=[0], outputs=[1])
        >>> abs(float(net.settle([[0.5]])[0, 1]) - float(np.tanh(0.5))) < 1e-15
        True
        """
        X = self._check_X(X)
        Y = np.zeros((X.shape[0], self.graph.outputs.size))
        done, stats, rec = self._run(X, Y, rule="balance-exact", loss="mse", tol=tol,
                                     max_iter=max_iter, method=method, do_credit=False,
                                     record=True)
        info = SettleInfo(stats[:, 0].astype(np.int64), stats[:, 1], stats[:, 2].astype(np.int8))
        if done < X.shape[0]:
            info.status[done:] = DIVERGED
        if return_info:
            return rec[0], info
        self._raise_if_bad(stats, X.shape[0], credit=False)
        return rec[0]

    def predict(self, X: ArrayLike, **kwargs: object) -> np.ndarray:
        """Settled rates of the output neurons, shape (batch, n_outputs).

        Parameters
        ----------
        X : array_like, shape (batch, n_inputs)
        **kwargs
            Settling controls of :meth:`settle`.

        Returns
        -------
        ndarray, shape (batch, n_outputs)

        Examples
        --------
        >>> net = Network.from_edges(2, [0], [1], [1.0], inputs=[0], outputs=[1])
        >>> net.predict([[0.0]]).tolist()
        [[0.0]]
        """
        return self.settle(X, **kwargs)[:, self.graph.outputs]

    def credit(self, X: ArrayLike, Y: ArrayLike, rule: str = "balance-exact", *, loss: str = "mse",
               tol: float = DEFAULT_TOL, max_iter: int = DEFAULT_MAX_ITER,
               method: str = "auto") -> dict[str, np.ndarray]:
        """Settled rates, net inputs, credit and effective credit per sample.

        Parameters
        ----------
        X, Y : array_like
            Inputs (batch, n_inputs) and targets (batch, n_outputs).
        rule : str or Rule
            A name in :data:`wiring.rules.RULES` (built-in or registered), or a
            :class:`~wiring.rules.Rule`.
        loss : {"mse", "cross-entropy"}
        tol, max_iter, method
            As in :meth:`settle`; the same tolerance applies to the credit.

        Returns
        -------
        dict
            ``x``, ``s``, ``c`` (credit), ``effective`` (``f(s) * c``, zero where the
            rule gives a neuron no balance), each (batch, n).

        Examples
        --------
        >>> net = Network.from_edges(2, [0], [1], [1.0], inputs=[0], outputs=[1])
        >>> float(net.credit([[0.0]], [[1.0]])["c"][0, 1])
        1.0
        """
        X = self._check_X(X)
        Y = self._check_Y(Y, X.shape[0])
        done, stats, rec = self._run(X, Y, rule=rule, loss=loss, tol=tol, max_iter=max_iter,
                                     method=method, record=True)
        self._raise_if_bad(stats, done, credit=True)
        x, s, c = rec
        f = self._balance_numpy(s, x, rule)
        return {"x": x, "s": s, "c": c, "effective": f * c}

    def _balance_numpy(self, s, x, rule) -> np.ndarray:
        """f(s) for a batch (samples x neurons) with the rule's zeros on inputs: the values
        the kernel uses (``kernels.settle.balance_values``: f of the settled rate on free
        neurons, of sigma(s) on clamped ones), the same bits on every machine."""
        from wiring.kernels.settle import balance_rows

        spec = get_rule(rule)
        _, zero_mask = kernel_masks(spec, self)
        _, bal_code, center, width = kernel_balance(spec, self)
        s = np.ascontiguousarray(s, dtype=np.float64)
        f = np.empty_like(s)
        balance_rows(self._act, s, np.ascontiguousarray(x, dtype=np.float64), self._clamp,
                     bal_code, center, width, zero_mask, f)
        return f

    def plasticity(
        self, X: ArrayLike, Y: ArrayLike, rule: str = "balance-exact", *, loss: str = "mse",
        tol: float = DEFAULT_TOL, max_iter: int = DEFAULT_MAX_ITER, method: str = "auto",
    ) -> tuple[np.ndarray, np.ndarray]:
        """The change the rule makes at learning rate 1, summed over the batch.

        ``dw[e] = sum_samples f(s_i) c_i x_j`` for edge ``e: j -> i`` and
        ``db[i] = sum_samples f(s_i) c_i``, at the settled rates and credit. With
        ``rule="balance-exact"`` and ``balance="derivative"`` this is exactly
        ``-dL/dw`` and ``-dL/db`` of the summed loss at the firing fixed point.

        Parameters
        ----------
        X, Y : array_like
            Inputs (batch, n_inputs) and targets (batch, n_outputs).
        rule : str or Rule
            A name in :data:`wiring.rules.RULES` (built-in or registered), or a
            :class:`~wiring.rules.Rule`.
        loss : {"mse", "cross-entropy"}
            ``mse`` is ``0.5 * ||x_out - Y||^2`` per sample; ``cross-entropy`` is
            ``-sum Y log softmax(x_out)`` (targets need not sum to one).
        tol, max_iter, method
            As in :meth:`settle`.

        Returns
        -------
        dw : ndarray, shape (E,)
            Per edge, in the order given to :meth:`from_edges`.
        db : ndarray, shape (n,)
            Per neuron.

        Raises
        ------
        SettleDidNotConverge
            If firing or credit does not converge for some sample.

        Examples
        --------
        >>> net = Network.from_edges(2, [0], [1], [0.0], inputs=[0], outputs=[1])
        >>> dw, db = net.plasticity([[2.0]], [[1.0]])
        >>> float(dw[0]), float(db[1])   # (y - x) * tanh'(0) * x_in, (y - x) * tanh'(0)
        (2.0, 1.0)
        """
        X = self._check_X(X)
        Y = self._check_Y(Y, X.shape[0])
        dw_in = np.zeros(self.graph.n_edges)
        db = np.zeros(self.graph.n)
        done, stats, _ = self._run(X, Y, rule=rule, loss=loss, tol=tol, max_iter=max_iter,
                                   method=method, dw=dw_in, db=db)
        self._raise_if_bad(stats, done, credit=True)
        dw = np.empty_like(dw_in)
        dw[self.graph.in_eid] = dw_in
        return dw, db

    def loss(
        self, X: ArrayLike, Y: ArrayLike, *, loss: str = "mse", tol: float = DEFAULT_TOL,
        max_iter: int = DEFAULT_MAX_ITER, method: str = "auto",
    ) -> float:
        """Mean loss over the batch at the settled rates.

        Parameters
        ----------
        X, Y : array_like
            Inputs (batch, n_inputs) and targets (batch, n_outputs).
        loss : {"mse", "cross-entropy"}
        tol, max_iter, method
            Settling controls of :meth:`settle`.

        Returns
        -------
        float

        Examples
        --------
        >>> net = Network.from_edges(2, [0], [1], [1.0], inputs=[0], outputs=[1])
        >>> net.loss([[0.0]], [[1.0]])
        0.5
        """
        X = self._check_X(X)
        Y = self._check_Y(Y, X.shape[0])
        done, stats, _ = self._run(X, Y, rule="balance-exact", loss=loss, do_credit=False,
                                   tol=tol, max_iter=max_iter, method=method)
        self._raise_if_bad(stats, done, credit=False)
        return float(stats[:, 6].mean())

    def __repr__(self) -> str:
        g = self.graph
        return (f"Network(n={g.n}, edges={g.n_edges}, inputs={g.inputs.size}, "
                f"outputs={g.outputs.size}, activation={self.activation!r}, "
                f"balance={self.balance!r})")

    def _repr_html_(self) -> str:
        act = self.activation
        if self.output_activation != act:
            act = f"{act} (outputs: {self.output_activation})"
        balance = self.balance
        if balance == "gaussian":
            balance = f"gaussian (center {self.balance_center:g}, width {self.balance_width:g})"
        w = np.abs(self._w_in)
        rows = [*self.graph._summary_rows(), ("activation", act), ("balance", balance),
                ("mean |w|", float(w.mean()) if w.size else 0.0),
                ("max |w|", float(w.max(initial=0.0))), ("zero weights", int(np.sum(w == 0))),
                ("max |bias|", float(np.max(np.abs(self._bias))))]
        return summary_html("wiring.Network", rows)


