"""wiring.rules.register: rules of one's own, built from the kernels' parts.

Re-registering a built-in's parts under a new name trains bit for bit as the built-in
(both kernels), user feedback weights equal ``fa`` when they are ``fa``'s own, and a
registered rule works wherever a built-in does: ``fit``, ``Network`` methods, probes,
``wiring train --set train.rule=NAME``, a sweep on 2 worker processes, the estimators.
"""

import hashlib
import json
import types

import numpy as np
import pytest

from wiring import Network, fit, probes, rules
from wiring.errors import ConfigError, WiringError
from wiring.experiments.cli import main
from wiring.experiments.sweep import run_sweep
from wiring.graphs.builders import erdos_renyi, layered
from wiring.rules import RULES, get_rule, register, unregister
from wiring.runs import list_snapshots, load_snapshot, read_provenance


@pytest.fixture(autouse=True)
def clean_registry():
    """Every test starts and ends with the five built-ins only."""
    yield
    for name in [n for n in RULES if n not in rules.BUILTIN_RULES]:
        unregister(name)


def recurrent_net(**kwargs):
    """Inputs that receive edges and outputs that send them: the graph on which
    balance, balance-exact and the comparators all differ."""
    g = erdos_renyi(12, 0.25, n_inputs=3, n_outputs=2, input_sources=False, seed=0)
    assert g.is_dag is False
    return Network(g, init_scale=0.5, seed=0, **kwargs)


def data(n=24, n_in=3, n_out=2, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, (n, n_in))
    return X, np.eye(n_out)[rng.integers(0, n_out, n)] * 0.8


def trained(rule, net=None, **kw):
    net = recurrent_net() if net is None else net
    res = fit(net, data(), rule=rule, loss="mse", learning_rate=0.05, epochs=2, seed=3, **kw)
    assert res.status == "ok", res.reason
    return net.weight, net.bias


KERNELS = [{"kernel": "sample"}, {"kernel": "batch", "batch_size": 4, "method": "jacobi"}]
PARTS = {
    "balance-exact": {"feedback": "same"},
    "balance": {"feedback": "same", "output_credit": "overwritten", "inputs_balanced": True},
    "fa": {"feedback": "random"},
    "sign-concordant": {"feedback": "sign"},
    "dfa": {"feedback": "direct"},
}


# ------------------------------------------------------------------ bit for bit


@pytest.mark.parametrize("builtin", list(PARTS))
@pytest.mark.parametrize("kw", KERNELS, ids=["sample", "batch"])
def test_a_builtins_parts_under_a_new_name_train_bit_for_bit(builtin, kw):
    mine = register(f"my-{builtin}", **PARTS[builtin])
    w_mine, b_mine = trained(mine.name, **kw)
    w_ref, b_ref = trained(builtin, **kw)
    assert np.array_equal(w_mine, w_ref) and np.array_equal(b_mine, b_ref)
    parts = {k: v for k, v in mine.record().items() if k not in ("name", "builtin")}
    ref = {k: v for k, v in RULES[builtin].record().items() if k not in ("name", "builtin")}
    assert parts == ref  # the same parts, down to `exact`


def test_the_builtins_differ_here_so_the_comparison_means_something():
    ws = {name: trained(name)[0] for name in PARTS}
    names = list(ws)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            assert not np.array_equal(ws[a], ws[b]), (a, b)


@pytest.mark.parametrize("kw", KERNELS, ids=["sample", "batch"])
def test_user_feedback_equal_to_fas_own_is_fa_and_another_is_not(kw):
    net = recurrent_net()
    B = net.feedback.B.copy()
    register("own-b", feedback=B)
    w_ref, b_ref = trained("fa", net.copy(), **kw)
    w_own, b_own = trained("own-b", net.copy(), **kw)
    assert np.array_equal(w_own, w_ref) and np.array_equal(b_own, b_ref)
    register("other-b", feedback=-B)
    w_other, _ = trained("other-b", net.copy(), **kw)
    assert not np.array_equal(w_other, w_ref)
    B[:] = 0.0  # the rule keeps its own copy
    assert np.array_equal(trained("own-b", net.copy(), **kw)[0], w_ref)


def test_a_rules_balance_replaces_the_networks():
    mine = register("gauss", feedback="same", balance="gaussian", balance_center=0.3,
                    balance_width=0.7)
    assert not mine.exact
    ref = trained("balance-exact", recurrent_net(balance="gaussian", balance_center=0.3,
                                                 balance_width=0.7))
    got = trained("gauss", recurrent_net())
    assert np.array_equal(got[0], ref[0]) and np.array_equal(got[1], ref[1])
    # the balance values reported agree with what trained
    X, Y = data(4)
    net_g = recurrent_net(balance="gaussian", balance_center=0.3, balance_width=0.7)
    a = recurrent_net().credit(X, Y, rule="gauss")["effective"]
    b = net_g.credit(X, Y, rule="balance-exact")["effective"]
    assert np.array_equal(a, b)
    ra = probes.retrograde_signals(recurrent_net(), X, Y, rule="gauss")["balance"]
    rb = probes.retrograde_signals(net_g, X, Y, rule="balance-exact")["balance"]
    assert np.allclose(ra, rb)


def test_a_rule_object_works_without_registration_and_probes_see_its_feedback():
    net = recurrent_net()
    B = np.linspace(-1, 1, net.graph.n_edges)
    rule = register("probe-b", feedback=B)
    unregister("probe-b")
    assert "probe-b" not in RULES
    res = fit(net.copy(), data(), rule=rule, loss="mse", learning_rate=0.05, epochs=1, seed=3)
    assert res.params["rule"] == "probe-b"
    register("probe-b", feedback=B)
    assert np.array_equal(probes.credit_carrier(net, "probe-b"), B)
    X, Y = data(3)
    al = probes.update_alignment(net, X, Y, rule="probe-b")
    assert -1.0 <= al["cosine"] <= 1.0


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(("kwargs", "argument"), [
    ({"feedback": "mirror"}, "feedback"),
    ({"feedback": "same", "output_credit": "clamped"}, "output_credit"),
    ({"feedback": "same", "balance": "sigmoid-bell"}, "balance"),
    ({"feedback": "same", "inputs_balanced": "yes"}, "inputs_balanced"),
    ({"feedback": "same", "balance_width": 2.0}, "balance_width"),
    ({"feedback": "same", "balance": "gaussian", "balance_width": 0.0}, "balance_width"),
    ({"feedback": [1.0, np.nan]}, "feedback"),
    ({"feedback": np.ones((2, 2))}, "feedback"),
    ({"feedback": "direct", "output_credit": "overwritten"}, "output_credit"),
])
def test_bad_parts_name_the_argument(kwargs, argument):
    with pytest.raises(WiringError, match=argument):
        register("bad", **kwargs)
    assert "bad" not in RULES


def test_unknown_feedback_lists_the_parts():
    with pytest.raises(WiringError, match="same, random, sign, direct"):
        register("bad", feedback="mirror")


@pytest.mark.parametrize("kw", KERNELS, ids=["sample", "batch"])
def test_wrong_feedback_length_names_feedback_when_the_rule_meets_the_graph(kw):
    net = recurrent_net()
    register("short", feedback=np.ones(net.graph.n_edges - 1))
    with pytest.raises(WiringError, match=r"`feedback` holds \d+ weights .* \d+ edges"):
        trained("short", net, **kw)
    X, Y = data(2)
    for call in (lambda: net.plasticity(X, Y, rule="short"),
                 lambda: probes.credit_carrier(net, "short")):
        with pytest.raises(WiringError, match="`feedback`"):
            call()


def test_duplicate_and_builtin_names():
    register("dup", feedback="same")
    with pytest.raises(WiringError, match=r"`name` 'dup' is already .*overwrite=True"):
        register("dup", feedback="random")
    assert get_rule("dup").feedback == RULES["balance-exact"].feedback
    register("dup", feedback="random", overwrite=True)
    assert get_rule("dup").feedback == RULES["fa"].feedback
    for builtin in rules.BUILTIN_RULES:
        with pytest.raises(WiringError, match=rf"`name` '{builtin}' is a built-in"):
            register(builtin, feedback="same", overwrite=True)
        with pytest.raises(WiringError, match="`name`"):
            unregister(builtin)
    for bad in ("", "has space", "-dash", 3):
        with pytest.raises(WiringError, match="`name`"):
            register(bad, feedback="same")
    with pytest.raises(WiringError, match="`name` 'nope' is not a registered rule"):
        unregister("nope")
    assert list(RULES)[:5] == list(rules.BUILTIN_RULES)


def test_record_of_user_feedback_is_its_digest_and_shape():
    B = np.array([0.5, -1.0, 2.0])
    rec = register("rec", feedback=B, inputs_balanced=True).record()
    assert rec == {"name": "rec", "builtin": False, "feedback": "array",
                   "feedback_sha256": hashlib.sha256(B.astype("<f8").tobytes()).hexdigest(),
                   "feedback_shape": [3], "output_credit": "added", "inputs_balanced": True,
                   "balance": None, "exact": False}
    json.dumps(rec)
    # equal parts, equal rules; other weights, another rule
    first = get_rule("rec")
    assert register("rec", feedback=B.tolist(), inputs_balanced=True, overwrite=True) == first
    assert register("rec", feedback=B * 2, inputs_balanced=True, overwrite=True) != first
    a = rules.Rule("x", RULES["fa"].feedback, False, False, False, feedback_weights=B)
    b = rules.Rule("x", RULES["fa"].feedback, False, False, False, feedback_weights=B * 2)
    assert a != b and a == rules.Rule("x", RULES["fa"].feedback, False, False, False,
                                      feedback_weights=B.copy())


# ------------------------------------------------------------------ everywhere


DIGITS_CLI = ["--set", "graph.family='layered'", "--set", "graph.hidden=8",
              "--set", "train.epochs=1", "--set", "train.probes=5"]
DIGITS_EDGES = layered([64, 8, 10]).n_edges


def test_cli_train_by_name_records_the_parts(tmp_path, capsys):
    B = np.random.default_rng(0).normal(size=DIGITS_EDGES) * 0.2
    register("cli-b", feedback=B)
    out = tmp_path / "run"
    assert main(["train", "--out", str(out), "-q", "--set", "train.rule=cli-b",
                 *DIGITS_CLI]) == 0, capsys.readouterr().err
    assert "status: ok" in capsys.readouterr().out
    rec = read_provenance(out)["extra"]["rule"]
    assert rec["name"] == "cli-b" and rec["feedback"] == "array"
    assert rec["feedback_shape"] == [DIGITS_EDGES]
    assert rec["feedback_sha256"] == hashlib.sha256(B.tobytes()).hexdigest()
    assert (out / "retrograde.parquet").is_file()  # the probes ran with the rule's B
    # a built-in's run does not gain the record; an unknown name is a config error
    ref = tmp_path / "ref"
    assert main(["train", "--out", str(ref), "-q", "--set", "train.rule=fa", *DIGITS_CLI]) == 0
    assert "rule" not in read_provenance(ref)["extra"]
    assert main(["train", "--out", str(tmp_path / "x"), "-q",
                 "--set", "train.rule=nobody"]) == 2
    assert "unknown train.rule 'nobody'" in capsys.readouterr().err


SWEEP = """
[sweep]
name = "mine"
learning_rates = [0.05]
seeds = [0]
rules = ["my-exact", "my-b"]

[graph]
family = "layered"
hidden = 8

[train]
epochs = 1
snapshot_epochs = [0, 1]
"""


def test_sweep_workers_see_rules_registered_here(tmp_path):
    register("my-exact", feedback="same")
    register("my-b", feedback=np.random.default_rng(1).normal(size=DIGITS_EDGES) * 0.2)
    path = tmp_path / "sweep.toml"
    path.write_text(SWEEP)
    two = run_sweep(path, tmp_path / "two", workers=2)
    assert two.counts == {"ok": 2, "unstable": 0, "failed": 0, "skipped": 0}, \
        two.table[["run_id", "reason"]].to_dict("records")
    assert read_provenance(tmp_path / "two")["extra"]["start_method"] != "in-process"
    one = run_sweep(path, tmp_path / "one", workers=1)
    for run_id in two.table["run_id"]:
        a = list_snapshots(tmp_path / "one" / "runs" / run_id)[-1]
        b = list_snapshots(tmp_path / "two" / "runs" / run_id)[-1]
        assert np.array_equal(load_snapshot(a).weight, load_snapshot(b).weight)
    # my-exact is balance-exact: the same weights as the built-in's run
    path.write_text(SWEEP.replace('["my-exact", "my-b"]', '["balance-exact"]'))
    ref = run_sweep(path, tmp_path / "ref", workers=1)
    w_ref = load_snapshot(list_snapshots(ref.out / "runs" / ref.table["run_id"][0])[-1]).weight
    mine = [r for r in one.table["run_id"] if "my-exact" in r][0]
    assert np.array_equal(load_snapshot(list_snapshots(one.out / "runs" / mine)[-1]).weight,
                          w_ref)


def test_a_dask_sweep_refuses_rules_only_this_process_knows(tmp_path):
    register("my-exact", feedback="same")
    register("my-b", feedback="random")
    path = tmp_path / "sweep.toml"
    path.write_text(SWEEP)
    with pytest.raises(WiringError, match="rules 'my-exact', 'my-b' are registered in this "):
        run_sweep(path, tmp_path / "out", scheduler="tcp://127.0.0.1:1")
    assert not (tmp_path / "out").exists()


def test_sklearn_estimator_by_name_and_by_object():
    from sklearn.base import clone
    from sklearn.datasets import load_digits

    from wiring.sklearn import GraphNetClassifier

    X, y = load_digits(return_X_y=True)
    X, y = X[:300] / 16.0, y[:300]
    kw = {"graph": "layered", "hidden": 8, "epochs": 1, "random_state": 0}
    mine = register("sk-exact", feedback="same")
    ref = GraphNetClassifier(rule="balance-exact", **kw).fit(X, y)
    by_name = GraphNetClassifier(rule="sk-exact", **kw).fit(X, y)
    by_object = clone(GraphNetClassifier(rule=mine, **kw)).fit(X, y)
    for est in (by_name, by_object):
        assert np.array_equal(est.network_.weight, ref.network_.weight)
        assert np.array_equal(est.predict(X), ref.predict(X))
    with pytest.raises(WiringError, match="unknown rule 'nobody'"):
        GraphNetClassifier(rule="nobody", **kw).fit(X, y)


def test_entry_points_are_searched_for_an_unknown_name(monkeypatch, tmp_path):
    calls = []

    def plugin():
        calls.append(1)
        register("from-plugin", feedback="sign")

    def broken():
        raise RuntimeError("boom")

    eps = [types.SimpleNamespace(name="good", value="pkg:plugin", load=lambda: plugin),
           types.SimpleNamespace(name="bad", value="pkg:broken", load=lambda: broken)]
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "entry_points",
                        lambda group: eps if group == rules.ENTRY_POINT_GROUP else [])
    monkeypatch.setattr(rules, "_plugins_loaded", False)
    monkeypatch.setattr(rules, "_from_entry_points", set())
    assert get_rule("fa").name == "fa" and not calls  # known names never load plugins
    assert get_rule("from-plugin").name == "from-plugin" and calls == [1]
    with pytest.raises(WiringError, match="unknown rule 'still-missing'"):
        get_rule("still-missing")
    assert calls == [1]  # loaded once per process
    # a rule an entry point provides reaches Dask workers by the same route: not refused
    from wiring.experiments.sweep import _check_dask_rules, expand, load_sweep

    path = tmp_path / "sweep.toml"
    path.write_text(SWEEP.replace('["my-exact", "my-b"]', '["from-plugin"]'))
    _check_dask_rules(expand(load_sweep(path)))  # no error


def test_validate_accepts_a_registered_name_and_names_the_key():
    from wiring.config import TrainConfig, apply_overrides
    from wiring.experiments.jobs import validate

    cfg = apply_overrides(TrainConfig(), ["train.rule=later"])
    with pytest.raises(ConfigError, match="train.rule 'later'"):
        validate(cfg)
    register("later", feedback="same")
    validate(cfg)
