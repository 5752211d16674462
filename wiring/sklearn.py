"""scikit-learn estimators that train a :class:`~wiring.Network` with a learning rule.

:class:`GraphNetClassifier` and :class:`GraphNetRegressor` wrap the engine in the
scikit-learn API (``fit``/``predict``/``score``, ``get_params``/``set_params``,
``clone``), so a graph-structured network trained by the balance rule or one of
its comparators drops into :class:`~sklearn.pipeline.Pipeline`,
:class:`~sklearn.model_selection.GridSearchCV` and
:func:`~sklearn.model_selection.cross_val_score`. The graph and the rule are
parameters. Training is :func:`wiring.fit`; graphs named by a string are built
by :func:`wiring.graphs.families.build_graph` from the keys of the ``[graph]`` section of
``wiring train`` configs; every default comes from :mod:`wiring.config`.

This module is not imported by ``import wiring`` (it imports scikit-learn);
import it explicitly: ``from wiring.sklearn import GraphNetClassifier``.

How the estimators use the network:

* **Inputs.** Each row of ``X`` is clamped, as it is, onto the input neurons
  (column ``k`` onto ``graph.inputs[k]``). Nothing is rescaled: inputs of order 1
  are expected. Put a :class:`~sklearn.preprocessing.StandardScaler` or
  :class:`~sklearn.preprocessing.MinMaxScaler` in front in a ``Pipeline``. Large
  inputs saturate ``tanh`` neurons, whose balance ``f = σ'`` then vanishes and
  learning stalls.
* **Targets, as in** :mod:`wiring.data`. A classifier encodes the labels with
  :class:`~sklearn.preprocessing.LabelEncoder` and clamps the output credit at the
  error against their one-hot rows (``classes_[k]`` is output neuron
  ``graph.outputs[k]``; two outputs for a binary problem). A regressor has one
  output neuron per target column and, by default, standardises each column
  (``normalize_y``).
* **Outputs.** Predictions are the rates of the output neurons at the firing
  fixed point, with the inputs clamped (:meth:`wiring.Network.settle`).

Divergence is never a silent NaN. If training diverges (the firing or credit
dynamics blow up, or the weights pass ``wiring.fit``'s ``weight_limit``), ``fit``
raises a :class:`~wiring.errors.WiringError` naming the learning rate
(``on_diverge="raise"``, the default). So does training that ends with its loss
blown up while the rates stay finite (saturating ``tanh`` neurons hide a too-high
learning rate from both checks): a last epoch whose mean training loss is non-finite
or more than twice the untrained network's on the same data (the three conditions
of :mod:`wiring.divergence`; ``wiring.fit`` applies them and the estimators take its
verdict). With
``on_diverge="warn"`` it issues a :class:`~sklearn.exceptions.ConvergenceWarning`
instead and keeps the weights of the last stable epoch (the last before the dynamics,
the weights or the epoch's mean loss blew up), or the untrained network's if their
training loss is lower. A fit that ends with its training loss above the untrained
network's by more than 10% but not twice it (the model got worse; learning never
does that) keeps its weights and gets a ``ConvergenceWarning`` that names
``learning_rate``. At prediction time, a sample whose firing diverges
raises :class:`~wiring.errors.SettleDidNotConverge`. A sample that reaches
``settle_max_iter`` without settling gets a ``ConvergenceWarning``, and its
outputs are the (finite) rates after the last iteration.

Examples
--------
>>> from sklearn.datasets import load_iris
>>> from sklearn.pipeline import make_pipeline
>>> from sklearn.preprocessing import StandardScaler
>>> from wiring.sklearn import GraphNetClassifier
>>> X, y = load_iris(return_X_y=True)
>>> model = make_pipeline(StandardScaler(), GraphNetClassifier(
...     graph="layered", hidden=8, learning_rate=0.05, epochs=20, random_state=0))
>>> model.fit(X, y).score(X, y) > 0.9
True
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from wiring._checks import check_choice, check_int, check_positive
from wiring.config import (
    TASK_GRAPH_DEFAULTS,
    GraphConfig,
    NeuronConfig,
    TaskConfig,
    TrainConfig,
    TrainSettings,
)
from wiring.data import one_hot
from wiring.divergence import WORSE_FACTOR, blew_up
from wiring.errors import SettleDidNotConverge, WiringError
from wiring.graphs.families import GRAPH_FAMILIES, build_graph
from wiring.graphs.graph import Graph
from wiring.kernels.settle import CONVERGED, DIVERGED
from wiring.network import Network
from wiring.neurons import ACTIVATIONS, BALANCES
from wiring.rules import LOSSES, Rule, get_rule
from wiring.train import _evaluate, fit

__all__ = ["GraphNetClassifier", "GraphNetRegressor", "ON_DIVERGE"]

#: What ``fit`` does when training diverges: raise a WiringError, or warn
#: (ConvergenceWarning) and keep the weights of the last stable epoch.
ON_DIVERGE = ("raise", "warn")

# the one home of defaults (wiring.config): the [graph], [neurons] and [train] sections
_G, _N, _T = GraphConfig(), NeuronConfig(), TrainSettings()
# graph.family "auto" resolves per task; the estimators are the supervised task
_FAMILY = TASK_GRAPH_DEFAULTS["supervised"]["family"]
# keys of [graph] the estimator sets itself from `graph` and `hidden`
_OWN_GRAPH_KEYS = ("family", "hidden", "sizes")
_SEED_MAX = 2**31 - 1
# The divergence test is the engine's (wiring.divergence, with the measurements behind
# BLOWUP_FACTOR = 2 and WORSE_FACTOR = 1.1): wiring.fit returns "unstable" when the
# last epoch's training loss blew up; the estimators take that verdict and warn above
# WORSE_FACTOR.

GraphSpec = str | Graph | Callable[[int, int, int], Graph]


class _GraphNetBase(BaseEstimator):
    """Shared fitting and settling of the two estimators (not public)."""

    _loss: str  # "mse" for the regressor; the classifier reads its `loss` parameter

    # ---------------------------------------------------------------- checks
    def _check_params(self) -> None:
        """Validate the parameters; every error names the parameter (WiringError)."""
        graph = self.graph
        if isinstance(graph, str):
            check_choice(graph, "graph", GRAPH_FAMILIES)
        elif not (isinstance(graph, Graph) or callable(graph)):
            raise WiringError(
                f"`graph` must be a graph family name ({', '.join(GRAPH_FAMILIES)}), a "
                f"wiring.Graph or a callable (n_inputs, n_outputs, seed) -> Graph; got "
                f"{type(graph).__name__}")
        self._hidden_sizes()
        if self.graph_params is not None and not isinstance(self.graph_params, Mapping):
            raise WiringError(f"`graph_params` must be a dict of [graph] config keys or None, "
                              f"got {type(self.graph_params).__name__}")
        get_rule(self.rule)  # a name (built-in or registered) or a Rule
        check_choice(self._loss_name(), "loss", LOSSES)
        check_positive(self.learning_rate, "learning_rate", allow_zero=True)
        check_int(self.epochs, "epochs", minimum=0)
        check_int(self.batch_size, "batch_size", minimum=1)
        check_choice(self.activation, "activation", ACTIVATIONS)
        check_choice(self.output_activation, "output_activation", ACTIVATIONS)
        check_choice(self.balance, "balance", BALANCES)
        check_positive(self.settle_tol, "settle_tol")
        check_int(self.settle_max_iter, "settle_max_iter", minimum=1)
        check_choice(self.on_diverge, "on_diverge", ON_DIVERGE)

    def _loss_name(self) -> str:
        return self._loss

    def _hidden_sizes(self) -> list[int]:
        """``hidden`` as a list of layer sizes (one entry unless ``graph="layered"``)."""
        hidden = self.hidden
        if isinstance(hidden, numbers.Integral) and not isinstance(hidden, bool):
            sizes = [hidden]
        elif isinstance(hidden, tuple | list):
            if self.graph != "layered":
                raise WiringError(f"`hidden` = {hidden!r}: a sequence of layer sizes needs "
                                  f"graph='layered'; other graphs take one int (hidden neurons)")
            sizes = list(hidden)
        else:
            raise WiringError(f"`hidden` must be a positive int (or, for graph='layered', a "
                              f"tuple of layer sizes), got {hidden!r}")
        for k, size in enumerate(sizes):
            check_int(size, "hidden" if len(sizes) == 1 else f"hidden[{k}]", minimum=1)
        return [int(s) for s in sizes]

    # ----------------------------------------------------------------- graph
    def _make_graph(self, n_in: int, n_out: int, seed: int) -> Graph:
        graph = self.graph
        if isinstance(graph, str):
            graph = build_graph(self._train_config(n_in, n_out, seed), n_in, n_out)
        elif not isinstance(graph, Graph):  # a callable, checked in _check_params
            graph = graph(n_in, n_out, seed)
            if not isinstance(graph, Graph):
                raise WiringError(f"`graph` returned {type(graph).__name__}; a callable "
                                  f"`graph` must return a wiring.Graph")
        have = (graph.inputs.size, graph.outputs.size)
        if have != (n_in, n_out):
            what = "classes" if isinstance(self, ClassifierMixin) else "targets"
            raise WiringError(
                f"`graph` has {have[0]} input and {have[1]} output neurons; the data need "
                f"{n_in} inputs (features of X) and {n_out} outputs ({what})")
        return graph

    def _train_config(self, n_in: int, n_out: int, seed: int) -> TrainConfig:
        """The ``[graph]`` section for ``build_graph``: ``graph``, ``hidden`` and
        ``graph_params`` (any other key of the section) over the defaults."""
        from wiring.config import _merge

        params = dict(self.graph_params or {})
        own = [key for key in _OWN_GRAPH_KEYS if key in params]
        if own:
            raise WiringError(f"`graph_params` must not set {own[0]!r}: the estimator sets "
                              f"it from `graph` and `hidden`")
        sizes = self._hidden_sizes()
        base = GraphConfig(
            family=self.graph, hidden=sizes[0],
            sizes=[n_in, *sizes, n_out] if self.graph == "layered" else [],
            n=n_in + sum(sizes) + n_out)
        section = _merge(base, params, "`graph_params`")
        return TrainConfig(task=TaskConfig(seed=seed), graph=section)

    # ---------------------------------------------------------------- fitting
    def _fit_network(self, X: np.ndarray, Y: np.ndarray) -> None:
        """Build the graph and network from ``random_state``; train on (X, Y)."""
        self._check_params()
        rs = check_random_state(self.random_state)
        graph_seed, net_seed, fit_seed = (int(s) for s in rs.randint(0, _SEED_MAX, size=3))
        graph = self._make_graph(X.shape[1], Y.shape[1], graph_seed)
        net = Network(graph, activation=self.activation,
                      output_activation=self.output_activation, balance=self.balance,
                      balance_center=self.balance_center, balance_width=self.balance_width,
                      init_scale=self.init_scale, seed=net_seed,
                      unit_magnitude=self.unit_magnitude)
        # for on_diverge="warn": the untrained weights and those after the last epoch
        # before any blow-up (two copies, whatever the number of epochs)
        kept: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        start: list[float] = []  # the untrained network's training loss (row 0)
        blown: list[int] = []  # the first epoch whose mean training loss blew up

        def watch(row: dict) -> None:  # runs before the snapshot of the same epoch
            if row["epoch"] == 0:
                start.append(float(row["train_loss"]))
            elif not blown and blew_up(start[0], float(row["train_loss"])):
                blown.append(row["epoch"])

        def keep(epoch: int, step: int, network: Network) -> None:
            if epoch == 0 or not blown:
                for old in [e for e in kept if e]:
                    del kept[old]
                kept[epoch] = (network.weight, network.bias.copy())

        warn = self.on_diverge == "warn"
        result = fit(net, (X, Y), rule=self.rule, loss=self._loss_name(),
                     learning_rate=self.learning_rate, epochs=self.epochs,
                     batch_size=self.batch_size, seed=fit_seed, tol=self.settle_tol,
                     max_iter=self.settle_max_iter, method=self.method, on_diverge="record",
                     snapshot_epochs=range(self.epochs + 1) if warn else (),
                     on_snapshot=keep if warn else None, on_epoch=watch if warn else None)
        epochs_done = len(result.metrics) - 1
        if result.status != "ok":  # dynamics, weights or loss (wiring.divergence)
            name = type(self).__name__
            if not warn:
                raise WiringError(
                    f"{name} training diverged: {result.reason}. Lower `learning_rate` "
                    f"(now {self.learning_rate:g}), scale the inputs, or pass "
                    f"on_diverge='warn' to keep the last stable epoch")
            epochs_done, losses = self._best_kept(net, X, Y, kept, result.metrics[0])
            net.weight, net.bias = kept[epochs_done]
            last = max(kept)
            what = (f"after epoch {last}, the last stable one" if epochs_done else
                    "of the untrained network" + (f", below epoch {last}'s {losses[last]:.4g}"
                                                  if last else ": no epoch ended stable"))
            warnings.warn(
                f"{name} training diverged: {result.reason}. Kept the weights {what} "
                f"(n_iter_ = {epochs_done}, training loss {losses[epochs_done]:.4g}); lower "
                f"`learning_rate` (now {self.learning_rate:g})",
                ConvergenceWarning, stacklevel=3)
        else:
            if epochs_done and result.metrics[-1]["nonconverged"]:
                warnings.warn(
                    f"{result.metrics[-1]['nonconverged']} of {X.shape[0]} training samples "
                    f"did not settle within settle_max_iter={self.settle_max_iter} in the last "
                    f"epoch and were skipped; raise `settle_max_iter` or lower `learning_rate`",
                    ConvergenceWarning, stacklevel=3)
            start, end = (float(result.metrics[i]["train_loss"]) for i in (0, -1))
            if epochs_done and end > WORSE_FACTOR * start:  # NaN start: never
                warnings.warn(
                    f"{type(self).__name__}: the training loss ended at {end:.4g} in epoch "
                    f"{epochs_done}, {end / start:.3g}x the untrained network's {start:.4g}: "
                    f"training made the model worse; `learning_rate` (now "
                    f"{self.learning_rate:g}) is probably too high",
                    ConvergenceWarning, stacklevel=3)
        self.network_ = net
        self.fit_result_ = result
        self.n_iter_ = int(epochs_done)
        self.loss_curve_ = [float(row["train_loss"]) for row in result.metrics[1:epochs_done + 1]]

    def _best_kept(self, net: Network, X: np.ndarray, Y: np.ndarray,
                   kept: dict[int, tuple[np.ndarray, np.ndarray]],
                   row0: dict) -> tuple[int, dict[int, float]]:
        """The kept epoch whose weights have the lowest training loss, and the losses.

        ``kept`` holds epoch 0 (the untrained network, whose loss ``row0`` has) and the
        last stable epoch; the latter's weights are settled on the training data
        (forward only, as ``wiring.fit`` evaluates epoch 0). The untrained network is
        always a candidate, so the result is never worse than where training started.
        """
        losses = {0: float(row0["train_loss"])}
        for epoch, (weight, bias) in kept.items():
            if epoch:
                net.weight, net.bias = weight, bias
                losses[epoch] = _evaluate(net, X, Y, self._loss_name(), self.settle_tol,
                                          self.settle_max_iter, self.method)["test_loss"]
        finite = {e: v for e, v in losses.items() if np.isfinite(v)}
        if not finite:  # nothing settles anywhere: keep the untrained network
            return 0, losses
        return min(finite, key=lambda e: (finite[e], e)), losses

    # --------------------------------------------------------------- settling
    def _outputs(self, X: ArrayLike) -> np.ndarray:
        """Settled output rates, shape (n_samples, n_outputs); never NaN."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        net = self.network_
        x, info = net.settle(X, tol=self.settle_tol, max_iter=self.settle_max_iter,
                             method=self.method, return_info=True)
        out = x[:, net.graph.outputs]
        bad = np.flatnonzero((info.status == DIVERGED) | ~np.all(np.isfinite(out), axis=1))
        if bad.size:
            k = int(bad[0])
            raise SettleDidNotConverge(
                f"firing diverged for {bad.size} of {X.shape[0]} samples (first: sample {k}); "
                "the trained network has no stable state for these inputs: scale the inputs "
                "as in training, or refit with a lower `learning_rate`",
                phase="firing", iterations=int(info.iterations[k]),
                residual=float(info.residual[k]), sample=k)
        capped = info.status != CONVERGED
        if capped.any():
            warnings.warn(
                f"firing did not settle within settle_max_iter={self.settle_max_iter} for "
                f"{int(capped.sum())} of {X.shape[0]} samples (largest residual "
                f"{float(info.residual[capped].max()):.3g}); their outputs are the rates "
                "after the last iteration", ConvergenceWarning, stacklevel=3)
        return out


class GraphNetClassifier(ClassifierMixin, _GraphNetBase):
    """A classifier: a network on a directed graph trained by a local learning rule.

    One output neuron per class. The labels are encoded with
    :class:`~sklearn.preprocessing.LabelEncoder` and one-hot
    (:func:`wiring.data.one_hot`): training clamps the output credit at the error
    of the output rates against these rows, ``c_out = -∂L/∂x_out``, as
    ``wiring train`` does on digits.

    Parameters
    ----------
    graph : str, wiring.Graph or callable, default "recurrent"
        A family of :data:`wiring.graphs.families.GRAPH_FAMILIES` ("recurrent", "layered",
        "all-to-all", "erdos-renyi", "sbm", "small-world", "file"), built for the data
        by :func:`wiring.graphs.families.build_graph`; or a :class:`wiring.Graph` whose inputs
        and outputs match the features and classes; or a callable
        ``graph(n_inputs, n_outputs, seed) -> Graph`` (``seed`` an int drawn from
        ``random_state``).
    hidden : int or tuple of int, default 100
        Hidden neurons. For "layered", a tuple gives one hidden layer per entry. For
        the other families the graph has ``n_inputs + hidden + n_outputs`` neurons
        (unless ``graph_params`` sets ``n``). Unused for a Graph or a callable.
    graph_params : dict, optional
        Further keys of the ``[graph]`` config section (:class:`wiring.config.GraphConfig`),
        e.g. ``{"recurrent_density": 0.2}``, ``{"density": 0.1}``, ``{"skip": True}``.
    rule : str or Rule, default "balance-exact"
        A learning rule of :data:`wiring.RULES`, built-in or added by
        :func:`wiring.rules.register`, or the :class:`~wiring.rules.Rule` that returns:
        pass the object when fitting in other processes (``n_jobs``), which do not see
        rules registered in this one.
    loss : {"cross-entropy", "mse"}, default "cross-entropy"
        Cross-entropy of the softmax of the output rates, or ``0.5 ||x_out - y||²``.
    learning_rate : float, default 0.02
        ``r`` in ``Δw_ij = r f(s_i) c_i x_j``.
    epochs : int, default 8
        Passes over the training data.
    batch_size : int, default 1
        1 is online learning (the paper's setting); above 1, the summed change of a
        mini-batch divided by its size.
    activation, output_activation : str, default "tanh", "linear"
        Activations (:data:`wiring.ACTIVATIONS`) of the hidden and output neurons.
    balance : {"derivative", "gaussian"}, default "derivative"
        Balance function ``f``; ``"derivative"`` (σ′) makes the exact rule backprop.
    balance_center, balance_width : float, default 0.0, 1.0
        Set-point and width of the Gaussian balance.
    unit_magnitude : bool, default False
        Sign-concordant feedback with unit magnitudes.
    init_scale : float, default 1.0
        Initial weights are Gaussian with std ``init_scale / sqrt(in-degree)``.
    method : {"auto", "jacobi", "gauss-seidel", "anderson"}, default "auto"
        How firing and credit settle (:meth:`wiring.Network.settle`).
    settle_tol : float, default 1e-8
        Settling tolerance (max-abs change of the rates).
    settle_max_iter : int, default 1000
        Iteration cap of each settle.
    on_diverge : {"raise", "warn"}, default "raise"
        When training diverges (the dynamics blow up, the weights pass the weight
        limit, or the final training loss is above twice the untrained network's):
        raise a :class:`~wiring.errors.WiringError` naming ``learning_rate``, or warn
        (:class:`~sklearn.exceptions.ConvergenceWarning`) and keep the weights of the
        last stable epoch, or the untrained network's if better (see Notes).
    random_state : int, RandomState or None, default None
        Seeds the graph (random families), the initial weights, the comparator
        rules' fixed feedback and the sample order. An int makes ``fit``
        bit-for-bit reproducible.

    Attributes
    ----------
    classes_ : ndarray, shape (n_classes,)
        The class labels; ``classes_[k]`` is output neuron ``network_.graph.outputs[k]``.
    n_features_in_ : int
        Number of features seen in ``fit``.
    feature_names_in_ : ndarray of str
        Feature names, when ``X`` was a DataFrame with string column names.
    network_ : wiring.Network
        The trained network.
    fit_result_ : wiring.FitResult
        Per-epoch metrics and status of the training (``status`` is ``"unstable"``
        and ``reason`` says why when training diverged, the loss blow-up included).
    n_iter_ : int
        Epochs whose weights the model holds (``epochs``, unless training diverged
        with ``on_diverge="warn"``: then the epoch kept, 0 for the untrained network).
    loss_curve_ : list of float
        Mean training loss of each epoch (each sample's loss before its update).

    See Also
    --------
    GraphNetRegressor : The regressor.
    wiring.fit : The training loop.

    Notes
    -----
    Defaults are those of ``wiring train`` (:mod:`wiring.config`).

    **Probabilities.** With ``loss="cross-entropy"`` the output rates are the logits
    of the loss, so ``predict_proba`` is their softmax (the model's own probability)
    and ``decision_function`` returns the rates (for two classes, ``x_1 - x_0``, the
    log-odds). With ``loss="mse"`` the outputs regress onto the one-hot rows, so each
    estimates its class probability: ``predict_proba`` clips them at 0 and divides by
    their sum (uniform where no output is positive). Its ranking can then differ from
    ``decision_function``'s. ``predict`` is the class of the largest output rate.

    **Inputs** are not rescaled: scale them (``StandardScaler``, ``MinMaxScaler``) in a
    ``Pipeline``. See the module docstring for what happens when dynamics diverge.

    **Divergence.** Too high a ``learning_rate`` can make the firing or credit dynamics
    blow up, or the weights pass ``wiring.fit``'s ``weight_limit`` (1e6). With ``tanh``
    neurons it often does neither: the rates saturate and stay finite while each update
    overshoots, and the model ends near chance, predicting one class. So ``fit`` also
    compares the training loss the run records at its start (the untrained network,
    ``fit_result_.metrics[0]``) and at its end (the mean over the last epoch): a final
    loss that is not finite, or more than twice the start, is divergence. Runs that
    learn end below the start (0.01-0.97x on digits, over learning rates 3e-4 to 0.1,
    1-8 epochs, every rule); rates that blow up end at 3x to 10⁵x. Between them, a
    final loss 1.1-2x the start (on digits, rates just below the blow-up) is a model
    that training made worse: ``fit`` keeps it but warns
    (:class:`~sklearn.exceptions.ConvergenceWarning`, naming ``learning_rate``). The
    divergence error names ``learning_rate`` and gives both losses and the final
    ``max |w|``; in :class:`~sklearn.model_selection.GridSearchCV` the fit then scores
    NaN, is ranked last, and its ``FitFailedWarning`` carries the message. With
    ``on_diverge="warn"``, the weights after the last stable epoch (the last before the
    dynamics, the weights or an epoch's mean loss blew up) are settled on the training
    data and kept if their loss is below the untrained network's; otherwise the
    untrained weights are kept (``n_iter_`` says which: the epoch, or 0). The kept model
    is never worse on the training data than where training started, and ``fit`` holds
    only these two copies of the weights, whatever the number of epochs.

    **scikit-learn checks.** With the default loss it passes every check of
    :func:`sklearn.utils.estimator_checks.check_estimator` (scikit-learn 1.9),
    with no expected failures (``tests/wiring/test_sklearn.py``). With
    ``loss="mse"`` one check is an expected failure:
    ``check_decision_proba_consistency``, because ``predict_proba`` (clipped,
    normalised rates) is then not a monotone function of the binary
    ``decision_function`` (``x_1 - x_0``), as described above.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn.preprocessing import StandardScaler
    >>> X, y = load_iris(return_X_y=True)
    >>> X = StandardScaler().fit_transform(X)
    >>> clf = GraphNetClassifier(graph="layered", hidden=8, learning_rate=0.05, epochs=20,
    ...                          random_state=0).fit(X, y)
    >>> clf.classes_.tolist(), clf.n_iter_
    ([0, 1, 2], 20)
    >>> clf.predict_proba(X[:1]).shape
    (1, 3)
    >>> clf.score(X, y) > 0.9
    True
    """

    def __init__(
        self,
        *,
        graph: GraphSpec = _FAMILY,
        hidden: int | tuple[int, ...] = _G.hidden,
        graph_params: dict[str, Any] | None = None,
        rule: str | Rule = _T.rule,
        loss: str = _T.loss,
        learning_rate: float = _T.learning_rate,
        epochs: int = _T.epochs,
        batch_size: int = _T.batch_size,
        activation: str = _N.activation,
        output_activation: str = _N.output_activation,
        balance: str = _N.balance,
        balance_center: float = _N.balance_center,
        balance_width: float = _N.balance_width,
        unit_magnitude: bool = _N.unit_magnitude,
        init_scale: float = _N.init_scale,
        method: str = _T.method,
        settle_tol: float = _T.tol,
        settle_max_iter: int = _T.max_iter,
        on_diverge: str = "raise",
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.graph = graph
        self.hidden = hidden
        self.graph_params = graph_params
        self.rule = rule
        self.loss = loss
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.activation = activation
        self.output_activation = output_activation
        self.balance = balance
        self.balance_center = balance_center
        self.balance_width = balance_width
        self.unit_magnitude = unit_magnitude
        self.init_scale = init_scale
        self.method = method
        self.settle_tol = settle_tol
        self.settle_max_iter = settle_max_iter
        self.on_diverge = on_diverge
        self.random_state = random_state

    def _loss_name(self) -> str:
        return self.loss

    def fit(self, X: ArrayLike, y: ArrayLike) -> GraphNetClassifier:
        """Build the network for the data and train it.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Inputs, clamped as they are onto the input neurons (scale them first).
        y : array_like, shape (n_samples,)
            Class labels (any hashable type scikit-learn accepts).

        Returns
        -------
        GraphNetClassifier
            ``self``, fitted.

        Raises
        ------
        ValueError
            Bad input (NaN, wrong shapes, a continuous ``y``) or a bad parameter
            (:class:`~wiring.errors.WiringError`, naming it); training that diverges,
            with ``on_diverge="raise"``.

        Examples
        --------
        >>> X = [[-1.0], [-0.5], [0.5], [1.0]]
        >>> clf = GraphNetClassifier(graph="layered", hidden=4, learning_rate=0.2,
        ...                          epochs=30, random_state=0).fit(X, ["a", "a", "b", "b"])
        >>> clf.classes_.tolist(), clf.predict([[-2.0], [2.0]]).tolist()
        (['a', 'b'], ['a', 'b'])
        """
        X, y = validate_data(self, X, y, dtype=np.float64)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        self.classes_ = encoder.classes_
        Y = one_hot(encoder.transform(y), self.classes_.size)
        self._fit_network(X, Y)
        return self

    def decision_function(self, X: ArrayLike) -> np.ndarray:
        """The settled output rates (logits under cross-entropy).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)

        Returns
        -------
        ndarray, shape (n_samples, n_classes) or (n_samples,)
            Rate of each class's output neuron; for two classes (and for one), a 1-D
            array: ``x_1 - x_0`` (positive favours ``classes_[1]``), or ``x_0``.

        Examples
        --------
        >>> clf = GraphNetClassifier(graph="layered", hidden=4, learning_rate=0.2,
        ...                          epochs=30, random_state=0).fit([[-1.], [1.]], [0, 1])
        >>> bool(clf.decision_function([[2.0]])[0] > 0)
        True
        """
        out = self._outputs(X)
        if out.shape[1] == 2:
            return out[:, 1] - out[:, 0]
        return out[:, 0] if out.shape[1] == 1 else out

    def predict_proba(self, X: ArrayLike) -> np.ndarray:
        """Class probabilities from the settled output rates.

        Softmax of the rates under ``loss="cross-entropy"``; under ``loss="mse"`` the
        rates clipped at 0 and divided by their sum (uniform if none is positive).

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)

        Returns
        -------
        ndarray, shape (n_samples, n_classes)
            Rows sum to 1; columns follow ``classes_``.

        Examples
        --------
        >>> clf = GraphNetClassifier(graph="layered", hidden=4, learning_rate=0.2,
        ...                          epochs=30, random_state=0).fit([[-1.], [1.]], [0, 1])
        >>> p = clf.predict_proba([[-2.0], [2.0]])
        >>> p.shape, bool(p[0, 0] > 0.5), bool(p[1, 1] > 0.5)
        ((2, 2), True, True)
        """
        out = self._outputs(X)
        if self.loss == "cross-entropy":
            z = np.exp(out - out.max(axis=1, keepdims=True))
            return z / z.sum(axis=1, keepdims=True)
        pos = np.clip(out, 0.0, None)
        total = pos.sum(axis=1, keepdims=True)
        return np.where(total > 0, pos / np.where(total > 0, total, 1.0), 1.0 / out.shape[1])

    def predict(self, X: ArrayLike) -> np.ndarray:
        """The class whose output neuron has the largest settled rate.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)

        Returns
        -------
        ndarray, shape (n_samples,)
            Labels from ``classes_``.

        Examples
        --------
        >>> clf = GraphNetClassifier(graph="layered", hidden=4, learning_rate=0.2,
        ...                          epochs=30, random_state=0).fit([[-1.], [1.]], [3, 7])
        >>> clf.predict([[-2.0], [2.0]]).tolist()
        [3, 7]
        """
        out = self._outputs(X)  # checks it is fitted before classes_ is read
        return self.classes_[np.argmax(out, axis=1)]


class GraphNetRegressor(RegressorMixin, _GraphNetBase):
    """A regressor: a network on a directed graph trained by a local learning rule.

    One output neuron per target column, linear by default. Training clamps the
    output credit at ``y - x_out`` (squared error, ``c_out = -∂L/∂x_out``).

    Parameters
    ----------
    graph : str, wiring.Graph or callable, default "recurrent"
        As in :class:`GraphNetClassifier`; outputs = target columns.
    hidden : int or tuple of int, default 100
        As in :class:`GraphNetClassifier`.
    graph_params : dict, optional
        Further keys of the ``[graph]`` config section.
    rule : str or Rule, default "balance-exact"
        A learning rule of :data:`wiring.RULES`, built-in or added by
        :func:`wiring.rules.register`, or the :class:`~wiring.rules.Rule` that returns:
        pass the object when fitting in other processes (``n_jobs``), which do not see
        rules registered in this one.
    learning_rate : float, default 0.02
    epochs : int, default 8
    batch_size : int, default 1
    activation, output_activation : str, default "tanh", "linear"
    balance : {"derivative", "gaussian"}, default "derivative"
    balance_center, balance_width : float, default 0.0, 1.0
    unit_magnitude : bool, default False
    init_scale : float, default 1.0
    method : {"auto", "jacobi", "gauss-seidel", "anderson"}, default "auto"
    settle_tol : float, default 1e-8
    settle_max_iter : int, default 1000
    on_diverge : {"raise", "warn"}, default "raise"
        As in :class:`GraphNetClassifier`.
    normalize_y : bool, default True
        Train on each target column standardised (mean 0, std 1; a constant column
        is only centred) and map predictions back. The error clamped onto the outputs
        is then of order 1 whatever the units of ``y``, so ``learning_rate`` means the
        same on every target.
    random_state : int, RandomState or None, default None
        As in :class:`GraphNetClassifier`.

    Attributes
    ----------
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        When ``X`` was a DataFrame with string column names.
    n_outputs_ : int
        Target columns (output neurons).
    y_mean_, y_scale_ : ndarray, shape (n_outputs,)
        Standardisation of the targets (0 and 1 without ``normalize_y``).
    network_ : wiring.Network
    fit_result_ : wiring.FitResult
    n_iter_ : int
    loss_curve_ : list of float
        Mean training loss per epoch, on the standardised targets.

    See Also
    --------
    GraphNetClassifier : The classifier.

    Notes
    -----
    Inputs are not rescaled; put a scaler in a ``Pipeline``. A 1-D ``y`` gives 1-D
    predictions, a 2-D ``y`` 2-D ones. Diverging training is caught as in
    :class:`GraphNetClassifier` (Notes), the loss blow-up included: a final training
    loss (on the standardised targets) above twice the untrained network's. Passes
    every check of :func:`sklearn.utils.estimator_checks.check_estimator`
    (scikit-learn 1.9) with no expected failures.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.uniform(-1, 1, size=(200, 2))
    >>> y = 100 + 30 * np.sin(2 * X[:, 0]) + 10 * X[:, 1]
    >>> reg = GraphNetRegressor(graph="layered", hidden=10, learning_rate=0.02, epochs=40,
    ...                         random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    _loss = "mse"

    def __init__(
        self,
        *,
        graph: GraphSpec = _FAMILY,
        hidden: int | tuple[int, ...] = _G.hidden,
        graph_params: dict[str, Any] | None = None,
        rule: str | Rule = _T.rule,
        learning_rate: float = _T.learning_rate,
        epochs: int = _T.epochs,
        batch_size: int = _T.batch_size,
        activation: str = _N.activation,
        output_activation: str = _N.output_activation,
        balance: str = _N.balance,
        balance_center: float = _N.balance_center,
        balance_width: float = _N.balance_width,
        unit_magnitude: bool = _N.unit_magnitude,
        init_scale: float = _N.init_scale,
        method: str = _T.method,
        settle_tol: float = _T.tol,
        settle_max_iter: int = _T.max_iter,
        on_diverge: str = "raise",
        normalize_y: bool = True,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.graph = graph
        self.hidden = hidden
        self.graph_params = graph_params
        self.rule = rule
        self.learning_rate = learning_rate
        self.epochs = epochs
        self.batch_size = batch_size
        self.activation = activation
        self.output_activation = output_activation
        self.balance = balance
        self.balance_center = balance_center
        self.balance_width = balance_width
        self.unit_magnitude = unit_magnitude
        self.init_scale = init_scale
        self.method = method
        self.settle_tol = settle_tol
        self.settle_max_iter = settle_max_iter
        self.on_diverge = on_diverge
        self.normalize_y = normalize_y
        self.random_state = random_state

    def __sklearn_tags__(self):  # scikit-learn's tag protocol: y may have several columns
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: ArrayLike, y: ArrayLike) -> GraphNetRegressor:
        """Build the network for the data and train it.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
            Inputs, clamped as they are onto the input neurons (scale them first).
        y : array_like, shape (n_samples,) or (n_samples, n_targets)
            Targets.

        Returns
        -------
        GraphNetRegressor
            ``self``, fitted.

        Raises
        ------
        ValueError
            Bad input or parameter (naming it); diverging training, with
            ``on_diverge="raise"``.

        Examples
        --------
        >>> X = np.linspace(-1, 1, 20)[:, None]
        >>> reg = GraphNetRegressor(graph="layered", hidden=4, learning_rate=0.05,
        ...                         epochs=30, random_state=0).fit(X, 5 + 2 * X[:, 0])
        >>> reg.n_outputs_, abs(float(reg.predict([[0.0]])[0]) - 5) < 0.2
        (1, True)
        """
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=np.float64)
        if not isinstance(self.normalize_y, bool | np.bool_):
            raise WiringError(f"`normalize_y` must be True or False, got {self.normalize_y!r}")
        Y = np.asarray(y, dtype=np.float64).reshape(X.shape[0], -1)
        self._y_ndim = y.ndim
        self.n_outputs_ = Y.shape[1]
        if self.normalize_y:
            self.y_mean_ = Y.mean(axis=0)
            scale = Y.std(axis=0)
            self.y_scale_ = np.where(scale > 0, scale, 1.0)
        else:
            self.y_mean_, self.y_scale_ = np.zeros(Y.shape[1]), np.ones(Y.shape[1])
        self._fit_network(X, np.ascontiguousarray((Y - self.y_mean_) / self.y_scale_))
        return self

    def predict(self, X: ArrayLike) -> np.ndarray:
        """Settled output rates, mapped back to the units of ``y``.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)

        Returns
        -------
        ndarray, shape (n_samples,) or (n_samples, n_targets)
            1-D when ``y`` was 1-D in ``fit``.

        Examples
        --------
        >>> X = np.linspace(-1, 1, 20)[:, None]
        >>> reg = GraphNetRegressor(graph="layered", hidden=4, epochs=5,
        ...                         random_state=0).fit(X, np.c_[X, -X])
        >>> reg.predict(X[:3]).shape
        (3, 2)
        """
        pred = self._outputs(X) * self.y_scale_ + self.y_mean_
        return pred[:, 0] if self._y_ndim == 1 else pred
