"""Learning rules: how credit travels back, by name.

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

Examples
--------
>>> list(RULES)
['balance', 'balance-exact', 'fa', 'sign-concordant', 'dfa']
>>> RULES["balance"].overwrite_outputs, RULES["balance-exact"].overwrite_outputs
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from wiring._checks import WritableOnUnpickle, check_choice
from wiring.graphs.graph import Graph
from wiring.kernels import plasticity as _kp

__all__ = ["Rule", "RULES", "LOSSES", "Feedback", "get_rule", "make_feedback"]


@dataclass(frozen=True)
class Rule:
    """How a rule assigns credit (see module docstring)."""

    name: str
    feedback: int  # FB_SAME, FB_FIXED, FB_SIGN, FB_DIRECT
    overwrite_outputs: bool  # output credit clamped (True) or error added (False)
    inputs_balanced: bool  # clamped inputs keep f(s_in) (True) or get f = 0 (False)
    exact: bool  # equals the gradient on every graph with f = sigma'


#: Learning rules by name: how credit travels back (see the table in the module docstring).
RULES: dict[str, Rule] = {
    "balance": Rule("balance", _kp.FB_SAME, True, True, False),
    "balance-exact": Rule("balance-exact", _kp.FB_SAME, False, False, True),
    "fa": Rule("fa", _kp.FB_FIXED, False, False, False),
    "sign-concordant": Rule("sign-concordant", _kp.FB_SIGN, False, False, False),
    "dfa": Rule("dfa", _kp.FB_DIRECT, False, False, False),
}

#: Losses on the output rates: ``mse`` = 0.5 ||x_out - y||^2; ``cross-entropy`` =
#: softmax cross-entropy with the output rates as logits.
LOSSES: dict[str, int] = {"mse": _kp.MSE, "cross-entropy": _kp.CROSS_ENTROPY}


def get_rule(name: str) -> Rule:
    """Look up a rule by name; the error lists the valid names.

    Examples
    --------
    >>> get_rule("fa").name
    'fa'
    """
    return RULES[check_choice(name, "rule", RULES)]


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
