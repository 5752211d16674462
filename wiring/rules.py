"""Learning rules: how credit travels back, by name, and how to add your own.

Every rule runs the same three processes (firing, credit, plasticity
``dw_ij = r * f(s_i) * c_i * x_j``); they differ in the weight that carries
credit back over edge ``j -> i`` and in how the outputs and inputs are treated.

=====================  =============================================================
``"balance"``          the paper's rule as published: credit carried by ``W``; output
                       credit *overwritten* by the error; clamped inputs keep their
                       balance ``f(s_in)`` (their incoming weights learn)
``"balance-exact"``    Almeida-Pineda form, the exact gradient on any graph:
                       ``c = e + W^T (f(s) * c)``, error *added*, ``f = 0`` on inputs
``"fa"``               feedback alignment: a fixed random ``B`` on the same edges
``"sign-concordant"``  feedback ``sign(W) * M``, ``M`` fixed random magnitudes (or 1)
``"dfa"``              direct feedback alignment: ``c_i = (B e)_i`` straight from the
                       output error, no recurrence in the credit path
=====================  =============================================================

``fa``, ``sign-concordant`` and ``dfa`` use the exact variant's conventions
(error added, ``f = 0`` on clamped inputs).

Your own rule
-------------
:func:`register` builds a rule from the same parts and files it under a name in
:data:`RULES`, beside the five above; every place that takes a rule name
(:func:`wiring.fit`, :class:`~wiring.Network` methods, ``wiring train --set
train.rule=NAME``, a sweep's ``rules = [...]``, the scikit-learn estimators) then
accepts it. The parts are the feedback (:data:`FEEDBACKS`, or your own per-edge
weights), whether output credit is overwritten or added (:data:`OUTPUT_CREDIT`),
whether clamped inputs keep their balance, and optionally a balance function
(:data:`wiring.neurons.BALANCES`) that replaces the network's.

A rule registered in a running process exists in that process. Sweeps hand the
registered rules their runs use to their local worker processes; a fresh process
(``wiring train`` from a shell, a Dask worker) finds rules through the
``wiring.rules`` entry-point group (:func:`get_rule` loads it when a name is unknown).

Examples
--------
>>> list(RULES)[:5]
['balance', 'balance-exact', 'fa', 'sign-concordant', 'dfa']
>>> RULES["balance"].overwrite_outputs, RULES["balance-exact"].overwrite_outputs
(True, False)
>>> rule = register("gauss-exact", feedback="same", balance="gaussian", balance_width=2.0)
>>> rule.record()["balance"], rule.exact
('gaussian', False)
>>> unregister("gauss-exact")
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from wiring._checks import WritableOnUnpickle, as_float_array, check_choice, check_positive
from wiring.errors import WiringError
from wiring.graphs.graph import Graph
from wiring.kernels import plasticity as _kp
from wiring.neurons import BALANCES

__all__ = ["Rule", "RULES", "BUILTIN_RULES", "FEEDBACKS", "OUTPUT_CREDIT", "LOSSES",
           "ENTRY_POINT_GROUP", "Feedback", "get_rule", "register", "unregister",
           "make_feedback"]

log = logging.getLogger(__name__)

#: Feedback sources by name: ``same`` (credit carried by ``W`` itself), ``random`` (a
#: fixed random ``B`` on the same edges, as ``fa``), ``sign`` (``sign(W) * M``, as
#: ``sign-concordant``; ``M`` is 1 with the network's ``unit_magnitude``), ``direct``
#: (a fixed random projection of the output error to every neuron, as ``dfa``). The
#: random weights are the network's (:attr:`wiring.Network.feedback`, from its seed).
FEEDBACKS: dict[str, int] = {"same": _kp.FB_SAME, "random": _kp.FB_FIXED,
                             "sign": _kp.FB_SIGN, "direct": _kp.FB_DIRECT}
#: What happens to the output neurons' credit: the error is ``added`` to the credit
#: they receive (``c = e + ...``, the exact form) or credit is ``overwritten`` by it
#: (clamped, the paper's literal rule).
OUTPUT_CREDIT = ("added", "overwritten")
#: Entry-point group searched for rules when a name is unknown: each entry point is a
#: module that calls :func:`register` when imported, or a callable taking no argument
#: that does.
ENTRY_POINT_GROUP = "wiring.rules"
# rule names: they name run directories (a sweep's ``_r<rule>``) and CLI values
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")
_FEEDBACK_NAMES = {code: name for name, code in FEEDBACKS.items()}


@dataclass(frozen=True)
class Rule:
    """How a rule assigns credit (see module docstring); :func:`register` builds one.

    Attributes
    ----------
    name : str
    feedback : int
        Kernel code of the feedback source (the values of :data:`FEEDBACKS`).
    overwrite_outputs : bool
        Output credit clamped to the error (True) or the error added (False).
    inputs_balanced : bool
        Clamped inputs keep ``f(s_in)`` (True) or get ``f = 0`` (False).
    exact : bool
        Equals the gradient on every graph when ``f = sigma'``.
    balance : str or None
        A name of :data:`wiring.neurons.BALANCES` that replaces the network's balance
        function under this rule; None (the built-ins): the network's.
    balance_center, balance_width : float
        Set-point and width of a ``"gaussian"`` ``balance``.
    feedback_weights : ndarray or None
        User-supplied feedback, one value per edge in the graph's edge order (then
        ``feedback`` is the ``random`` code); None: the network's own.
    feedback_sha256 : str
        SHA-256 of ``feedback_weights`` as little-endian float64 ("" without them).
    """

    name: str
    feedback: int
    overwrite_outputs: bool
    inputs_balanced: bool
    exact: bool
    balance: str | None = None
    balance_center: float = 0.0
    balance_width: float = 1.0
    feedback_weights: np.ndarray | None = field(default=None, repr=False, compare=False)
    feedback_sha256: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        if self.feedback_weights is not None:
            if self.feedback != _kp.FB_FIXED:
                raise WiringError("`feedback_weights` need the fixed-feedback code "
                                  f"(FEEDBACKS['random'] = {_kp.FB_FIXED})")
            w = np.array(self.feedback_weights, dtype="<f8", order="C")  # a copy
            w.flags.writeable = False
            object.__setattr__(self, "feedback_weights", w)
            object.__setattr__(self, "feedback_sha256", hashlib.sha256(w.tobytes()).hexdigest())

    @property
    def builtin(self) -> bool:
        """True for the five rules of the module's table.

        Examples
        --------
        >>> RULES["fa"].builtin
        True
        """
        return _BUILTIN.get(self.name) is self

    def record(self) -> dict:
        """The rule's parts as JSON-ready values, as a run's provenance records them.

        User-supplied feedback is recorded by its SHA-256 and shape, not its values: to
        rerun, register the rule again with the same array.

        Returns
        -------
        dict
            ``name``, ``builtin``, ``feedback`` (a key of :data:`FEEDBACKS`, or
            ``"array"`` with ``feedback_sha256`` and ``feedback_shape``),
            ``output_credit``, ``inputs_balanced``, ``balance`` (None: the network's;
            with ``balance_center`` and ``balance_width`` for ``"gaussian"``), ``exact``.

        Examples
        --------
        >>> RULES["balance"].record()["output_credit"]
        'overwritten'
        >>> sorted(register("mine", feedback=[0.5, -1.0]).record())[:3]
        ['balance', 'builtin', 'exact']
        >>> unregister("mine")
        """
        out = {"name": self.name, "builtin": self.builtin,
               "feedback": _FEEDBACK_NAMES[self.feedback],
               "output_credit": OUTPUT_CREDIT[int(self.overwrite_outputs)],
               "inputs_balanced": self.inputs_balanced, "balance": self.balance,
               "exact": self.exact}
        if self.feedback_weights is not None:
            out.update(feedback="array", feedback_sha256=self.feedback_sha256,
                       feedback_shape=list(self.feedback_weights.shape))
        if self.balance == "gaussian":
            out.update(balance_center=self.balance_center, balance_width=self.balance_width)
        return out


#: Learning rules by name: the five built-ins of the module's table, then any
#: :func:`register` added.
RULES: dict[str, Rule] = {
    "balance": Rule("balance", _kp.FB_SAME, True, True, False),
    "balance-exact": Rule("balance-exact", _kp.FB_SAME, False, False, True),
    "fa": Rule("fa", _kp.FB_FIXED, False, False, False),
    "sign-concordant": Rule("sign-concordant", _kp.FB_SIGN, False, False, False),
    "dfa": Rule("dfa", _kp.FB_DIRECT, False, False, False),
}
_BUILTIN = dict(RULES)
#: Names of the built-in rules (never replaced by :func:`register`).
BUILTIN_RULES = tuple(_BUILTIN)

#: Losses on the output rates: ``mse`` = 0.5 ||x_out - y||^2; ``cross-entropy`` =
#: softmax cross-entropy with the output rates as logits.
LOSSES: dict[str, int] = {"mse": _kp.MSE, "cross-entropy": _kp.CROSS_ENTROPY}

_plugins_loaded = False
_from_entry_points: set[str] = set()  # names an entry point registered


def _load_plugins() -> None:
    """Import the :data:`ENTRY_POINT_GROUP` entry points, once per process."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    from importlib.metadata import entry_points

    before = set(RULES)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            if callable(obj):
                obj()
        except Exception as exc:  # a broken plugin must not hide the other rules
            log.warning("rule entry point %r (%s) failed: %s: %s", ep.name, ep.value,
                        type(exc).__name__, exc)
    _from_entry_points.update(set(RULES) - before)


def get_rule(rule: str | Rule, argument: str = "rule") -> Rule:
    """Look up a rule by name (or pass a :class:`Rule` through); the error lists the names.

    A name not in :data:`RULES` first loads the :data:`ENTRY_POINT_GROUP` entry points.

    Parameters
    ----------
    rule : str or Rule
    argument : str
        The argument's name, for the error message.

    Returns
    -------
    Rule

    Examples
    --------
    >>> get_rule("fa").name
    'fa'
    >>> get_rule("hebb")
    Traceback (most recent call last):
    ...
    wiring.errors.WiringError: unknown rule 'hebb'; choose one of balance, balance-exact, \
fa, sign-concordant, dfa
    """
    if isinstance(rule, Rule):
        return rule
    if isinstance(rule, str) and rule not in RULES:
        _load_plugins()
    return RULES[check_choice(rule, argument, RULES)]


def register(
    name: str,
    *,
    feedback: str | ArrayLike,
    output_credit: str = "added",
    inputs_balanced: bool = False,
    balance: str | None = None,
    balance_center: float | None = None,
    balance_width: float | None = None,
    overwrite: bool = False,
) -> Rule:
    """Build a rule from the kernels' parts and file it in :data:`RULES` under ``name``.

    The built-ins are such combinations: ``balance-exact`` is ``feedback="same"`` with
    the defaults; ``balance`` adds ``output_credit="overwritten", inputs_balanced=True``;
    ``fa``, ``sign-concordant`` and ``dfa`` are ``feedback="random"``, ``"sign"`` and
    ``"direct"``. A rule registered with the same parts trains bit for bit as its
    built-in twin.

    Parameters
    ----------
    name : str
        Letters, digits and ``_.+-``, not starting with ``_.+-`` (it can name run
        directories). A built-in's name is refused.
    feedback : str or array_like
        A key of :data:`FEEDBACKS`, or your own feedback weights: one finite value per
        edge, in the graph's edge order (checked against the network when the rule
        runs). They carry credit as ``fa``'s ``B`` does.
    output_credit : {"added", "overwritten"}
        The output error added to the credit outputs receive, or their credit
        overwritten by it. With ``feedback="direct"`` outputs' credit is the error
        either way: leave it ``"added"``.
    inputs_balanced : bool
        Clamped input neurons keep their balance ``f(s_in)`` (their incoming weights
        learn) or get ``f = 0``.
    balance : str, optional
        A balance function of :data:`wiring.neurons.BALANCES` used under this rule in
        place of the network's (default None: the network's own).
    balance_center, balance_width : float, optional
        Set-point and width of ``balance="gaussian"`` (default 0 and 1).
    overwrite : bool
        Replace a rule registered earlier under ``name`` (never a built-in).

    Returns
    -------
    Rule

    Raises
    ------
    WiringError
        Naming the argument: an unknown part, a bad value, or ``name`` already taken.

    Examples
    --------
    ``fa`` again, and ``fa`` with feedback weights of your own (a graph of 3 edges):

    >>> register("my-fa", feedback="random") == RULES["fa"]  # the name differs
    False
    >>> mine = register("my-b", feedback=[0.3, -0.2, 0.5])
    >>> mine.record()["feedback"], mine.record()["feedback_shape"]
    ('array', [3])
    >>> register("my-fa", feedback="same")
    Traceback (most recent call last):
    ...
    wiring.errors.WiringError: `name` 'my-fa' is already a registered rule; pass \
overwrite=True to replace it
    >>> unregister("my-fa"); unregister("my-b")
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise WiringError(f"`name` must be a non-empty str of letters, digits and _.+- (not "
                          f"starting with _.+-), got {name!r}")
    if not isinstance(overwrite, bool):
        raise WiringError(f"`overwrite` must be True or False, got {overwrite!r}")
    if name in _BUILTIN:
        raise WiringError(f"`name` {name!r} is a built-in rule ({', '.join(BUILTIN_RULES)}) "
                          "and cannot be replaced; choose another name")
    if name in RULES and not overwrite:
        raise WiringError(f"`name` {name!r} is already a registered rule; pass overwrite=True "
                          "to replace it")
    weights = None
    if isinstance(feedback, str):
        if feedback not in FEEDBACKS:
            raise WiringError(f"unknown feedback {feedback!r}; choose one of "
                              f"{', '.join(FEEDBACKS)}, or pass an array with one feedback "
                              "weight per edge")
        code = FEEDBACKS[feedback]
    else:
        weights = as_float_array(feedback, "feedback", shape=(None,))
        code = _kp.FB_FIXED
    check_choice(output_credit, "output_credit", OUTPUT_CREDIT)
    if code == _kp.FB_DIRECT and output_credit != "added":
        raise WiringError("`output_credit` has no effect with feedback='direct' (the outputs' "
                          "credit is the error either way); leave it 'added'")
    if not isinstance(inputs_balanced, bool | np.bool_):
        raise WiringError(f"`inputs_balanced` must be True or False, got {inputs_balanced!r}")
    if balance is not None:
        check_choice(balance, "balance", BALANCES)
    if balance != "gaussian":
        for value, arg in ((balance_center, "balance_center"), (balance_width, "balance_width")):
            if value is not None:
                raise WiringError(f"`{arg}` applies to balance='gaussian' only, got "
                                  f"balance={balance!r}")
    center = 0.0 if balance_center is None else float(
        as_float_array(balance_center, "balance_center", shape=()))
    width = 1.0 if balance_width is None else check_positive(balance_width, "balance_width")
    overwrite_outputs = output_credit == "overwritten"
    exact = (code == _kp.FB_SAME and not overwrite_outputs and not inputs_balanced
             and balance in (None, "derivative"))
    rule = Rule(name, code, overwrite_outputs, bool(inputs_balanced), exact, balance, center,
                width, feedback_weights=weights)
    RULES[name] = rule
    return rule


def unregister(name: str) -> None:
    """Remove a rule :func:`register` added (built-ins stay).

    Parameters
    ----------
    name : str

    Examples
    --------
    >>> _ = register("tmp", feedback="sign")
    >>> unregister("tmp"); "tmp" in RULES
    False
    """
    if name in _BUILTIN:
        raise WiringError(f"`name` {name!r} is a built-in rule and cannot be removed")
    if name not in RULES:
        raise WiringError(f"`name` {name!r} is not a registered rule; registered: "
                          f"{', '.join(n for n in RULES if n not in _BUILTIN) or 'none'}")
    del RULES[name]


def install(rules: Iterable[Rule]) -> None:
    """File rules built elsewhere (another process) under their names, replacing a
    registered rule of the same name; built-ins are left as they are."""
    for rule in rules:
        if rule.name not in _BUILTIN and RULES.get(rule.name) != rule:
            RULES[rule.name] = rule


def registered(names: Iterable[str], *, runtime: bool = False) -> tuple[Rule, ...]:
    """The registered (not built-in) rules among ``names``, each once, in order; with
    ``runtime``, only those a fresh process would not find through an entry point."""
    out: dict[str, Rule] = {}
    for name in names:
        if name not in _BUILTIN and name in RULES:
            if not (runtime and name in _from_entry_points):
                out.setdefault(name, RULES[name])
    return tuple(out.values())


# ------------------------------------------------------------- what the kernels get
def edge_feedback(rule: Rule, network) -> np.ndarray | None:
    """Per-edge fixed feedback ``B`` of a ``random``-feedback rule, in the user's edge
    order: the rule's own weights (their length checked against the graph) or the
    network's; None for other rules."""
    if rule.feedback != _kp.FB_FIXED:
        return None
    w = rule.feedback_weights
    if w is None:
        return network.feedback.B
    E = network.graph.n_edges
    if w.shape != (E,):
        raise WiringError(f"rule {rule.name!r}: `feedback` holds {w.size} weights but the "
                          f"network's graph has {E} edges; register the rule with one "
                          "feedback weight per edge, in the graph's edge order")
    return w


def kernel_feedback(rule: Rule, network, dtype=np.float64) -> tuple:
    """``(fb_mode, B_out, M_out, direct)`` for the kernels, arrays in ``dtype``
    (edge arrays in the graph's out-CSR order)."""
    g = network.graph
    ft = np.dtype(dtype)
    if rule.feedback_weights is not None:
        B = edge_feedback(rule, network)
        return (rule.feedback, np.ascontiguousarray(B[g.out_eid], dtype=ft),
                np.zeros(0, ft), np.zeros((0, 0), ft))
    if rule.feedback in (_kp.FB_FIXED, _kp.FB_SIGN, _kp.FB_DIRECT):
        fbk = network.feedback
        return (rule.feedback, np.ascontiguousarray(fbk.B[g.out_eid], dtype=ft),
                np.ascontiguousarray(fbk.M[g.out_eid], dtype=ft),
                np.ascontiguousarray(fbk.direct, dtype=ft))
    return rule.feedback, np.zeros(0, ft), np.zeros(0, ft), np.zeros((0, 0), ft)


def kernel_masks(rule: Rule, network) -> tuple[np.ndarray, np.ndarray]:
    """``(fixed, zero_mask)``: neurons whose credit is overwritten by the error, and
    neurons whose balance is 0 under ``rule``."""
    n = network.graph.n
    fixed = np.zeros(n, dtype=np.uint8)
    if rule.overwrite_outputs:
        fixed[network.graph.outputs] = 1
    zero_mask = np.zeros(n, dtype=np.uint8) if rule.inputs_balanced else network._clamp
    return fixed, zero_mask


def kernel_balance(rule: Rule, network) -> tuple[str, int, float, float]:
    """``(name, code, center, width)`` of the balance function under ``rule``: the
    rule's own if it has one, else the network's."""
    if rule.balance is None:
        return (network.balance, network._balance_code, network.balance_center,
                network.balance_width)
    return rule.balance, BALANCES[rule.balance], rule.balance_center, rule.balance_width


@dataclass(frozen=True)
class Feedback(WritableOnUnpickle):
    """Fixed random feedback weights of the comparator rules.

    ``B`` (fa) and ``M`` (sign-concordant magnitudes) are per edge, in the user's
    edge order; ``direct`` (dfa) is an ``(n, n_outputs)`` matrix.
    """

    B: np.ndarray
    M: np.ndarray
    direct: np.ndarray


def make_feedback(
    graph: Graph, seed: int | np.random.Generator | None, *, unit_magnitude: bool = False
) -> Feedback:
    """Draw the comparator rules' fixed feedback weights.

    Edge feedback is Gaussian with standard deviation ``1 / sqrt(in-degree of the
    postsynaptic neuron)`` (the scale of the default initial weights); sign-concordant
    magnitudes are its absolute values, or 1 with ``unit_magnitude``; direct
    feedback is Gaussian with standard deviation ``1 / sqrt(n_outputs)``.

    Parameters
    ----------
    graph : Graph
    seed : int, Generator or None
    unit_magnitude : bool
        Sign-concordant feedback with unit magnitudes (``sign(W)``).

    Returns
    -------
    Feedback

    Examples
    --------
    >>> g = Graph.from_edges(3, [0, 1], [1, 2], inputs=[0], outputs=[2])
    >>> make_feedback(g, 0).direct.shape
    (3, 1)
    """
    from wiring._checks import as_rng, standard_normal

    rng = as_rng(seed)
    indeg = np.bincount(graph.dst, minlength=graph.n).astype(float)
    scale = 1.0 / np.sqrt(np.maximum(indeg[graph.dst], 1.0))
    B = standard_normal(rng, graph.n_edges) * scale
    M = np.abs(standard_normal(rng, graph.n_edges)) * scale
    if unit_magnitude:
        M = np.ones(graph.n_edges)
    m = max(graph.outputs.size, 1)
    direct = standard_normal(rng, (graph.n, graph.outputs.size)) / np.sqrt(m)
    return Feedback(B=B, M=M, direct=np.ascontiguousarray(direct))
