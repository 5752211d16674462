"""Learning on scikit-learn's digits with a recurrent graph (64 -> 100 recurrent -> 10)."""

import numpy as np
import pytest

from wiring.data import load_digits
from wiring.graphs.builders import recurrent
from wiring.network import Network
from wiring.train import fit


@pytest.fixture(scope="module")
def digits():
    return load_digits(test_fraction=0.25, seed=0)


@pytest.fixture(scope="module")
def graph():
    g = recurrent(64, 100, 10, recurrent_density=0.1, seed=0)
    hidden = np.arange(64, 164)
    rec = np.isin(g.src, hidden) & np.isin(g.dst, hidden)
    assert rec.sum() > 500 and not g.is_dag  # genuinely recurrent
    return g


@pytest.mark.parametrize(("rule", "floor"), [("balance-exact", 0.90), ("fa", 0.85),
                                             ("sign-concordant", 0.85), ("dfa", 0.85)])
def test_rules_learn_digits(digits, graph, rule, floor):
    net = Network(graph, seed=0, output_activation="linear")
    res = fit(net, digits, rule=rule, loss="cross-entropy", learning_rate=0.02, epochs=4,
              seed=0, tol=1e-8)
    assert res.status == "ok"
    acc = res.metrics[-1]["test_accuracy"]
    assert res.metrics[0]["test_accuracy"] < 0.3  # chance before training
    assert acc >= floor, f"{rule}: test accuracy {acc:.3f}"
    assert res.metrics[-1]["nonconverged"] == 0
