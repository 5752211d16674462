"""A supervised task on a real circuit: the adult worm's sensory neurons taught to drive its
motor neurons, and which learning rules keep its firing settled while they learn.

Circuit: Witvliet et al. 2021 dataset 8 (`wiring.connectomes`, "witvliet2021-8"), the
adult brain (nerve ring), chemical synapses, synapse counts scaled to the random
initialisation's root-mean-square weight as initial weights (`graph.weights = "auto"`).
Inputs: its 69 sensory neurons; outputs: its 36 motor neurons; every motor neuron is
reachable from a sensory neuron along the synapses' direction. Chosen over Cook et al.
2019's hermaphrodite because it is the adult stage of the series
`witvliet_development.py` measures (the same units: synapse counts, where Cook's weights
are EM section counts), and because its 180 neurons and 36 outputs keep the whole table
within a few CPU-minutes, where Cook's whole animal has 302 neurons and 126 motor outputs
(most in the ventral cord), which would need far more samples per class.

Task: the teacher data set (`wiring.data.load_teacher`): 1000 samples x 69 N(0, 1)
inputs, each labelled with the motor neuron a fixed random linear map (drawn from the
run's seed) drives most; 750 train, 250 test, stratified. Each rule of `wiring.rules`
(`balance-exact`, the paper's `balance`, and the comparators `fa`, `sign-concordant`,
`dfa`) trains at learning rates 0.01, 0.03 and 0.1 with seeds 0 and 1, 5 epochs, every
other setting `wiring train`'s default (cross-entropy, tanh neurons with linear
outputs, batch size 1). Each run is `run_train`, the code `wiring train` runs, e.g.:

    .venv/bin/wiring train --set data.name=teacher --set data.n_samples=1000 \\
        --set graph.family=connectome --set graph.name=witvliet2021-8 \\
        --set graph.inputs=class=sensory --set graph.outputs=class=motor \\
        --set train.rule=fa --set train.learning_rate=0.03 --set train.epochs=5 \\
        --set task.seed=0 --out runs/worm-fa

A failure is a failure: a run whose dynamics or weights diverged, or on which no training
sample settled, has status "unstable" and its reason, and no accuracy.

Columns of sensorimotor_runs.csv (one row per run): rule, learning_rate, seed, status,
reason; epochs (the last epoch recorded); test_accuracy (over the test samples whose
firing settled) and test_accuracy_all (every test sample, one that did not settle counted
wrong), after the last epoch, ok runs only; chance_uniform (1 / 36) and chance_majority
(the test share of the commonest training class: always answering it); train_settled and
test_settled (the share of training and test samples whose firing settles with the final
weights, ok runs only); train_updated (the share of the last epoch's training samples
whose firing and credit both settled, so that the rule updated the weights on them; any
run). sensorimotor.csv: per rule x rate over the two seeds, the status ("ok",
"unstable" or "mixed"), the runs ok, the reasons of the others, the means of the
accuracies and settled shares over the ok runs and of train_updated over every run.
sensorimotor_baselines.csv: per seed, the task's sizes, the chance levels, the
untrained network's test accuracy, and a reference: multinomial logistic regression from
the inputs straight to the labels (what a direct linear map learns from 750 samples).

Run from the repository root (about 6 CPU-minutes):
    .venv/bin/python reports/connectome/sensorimotor.py
It writes the three CSVs beside this file and prints the rule x rate table.
"""

import logging
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import shortest_path
from sklearn.linear_model import LogisticRegression

from wiring import Network, runs
from wiring.config import TrainConfig, apply_overrides
from wiring.experiments.jobs import build_dataset, run_train
from wiring.graphs.families import build_graph, load_source

HERE = Path(__file__).resolve().parent
CONNECTOME = "witvliet2021-8"
RULES = ("balance-exact", "balance", "fa", "sign-concordant", "dfa")
RATES = (0.01, 0.03, 0.1)
SEEDS = (0, 1)
EPOCHS = 5
N_SAMPLES = 1000


def config(rule: str, rate: float, seed: int) -> TrainConfig:
    return apply_overrides(TrainConfig(), [
        "task.kind=supervised", f"task.seed={seed}", "data.name=teacher",
        f"data.n_samples={N_SAMPLES}", "graph.family=connectome", f"graph.name={CONNECTOME}",
        "graph.inputs=class=sensory", "graph.outputs=class=motor", f"train.rule={rule}",
        f"train.learning_rate={rate}", f"train.epochs={EPOCHS}",
        f"train.snapshot_epochs=[0, {EPOCHS}]"])


def settled_share(cfg: TrainConfig, run: Path, X: np.ndarray, graph) -> float:
    """The share of the rows of X whose firing settles with the run's final weights."""
    snap = runs.load_snapshot(runs.list_snapshots(run)[-1])
    nc, t = cfg.neurons, cfg.train
    net = Network(graph, snap.weight, snap.bias, activation=nc.activation,
                  output_activation=nc.output_activation)
    _, info = net.settle(X, tol=t.tol, max_iter=t.max_iter, method=t.method,
                         return_info=True)
    return float(info.converged.mean())


def baseline(seed: int) -> dict:
    cfg = config("balance-exact", RATES[0], seed)
    src = load_source(cfg)
    ds = build_dataset(cfg, source=src)
    g = src.graph
    adj = csr_matrix((np.ones(g.n_edges), (g.src, g.dst)), shape=(g.n, g.n))
    hops = shortest_path(adj, indices=g.inputs, unweighted=True).min(axis=0)[g.outputs]
    commonest = np.bincount(ds.labels_train, minlength=ds.n_classes).argmax()
    clf = LogisticRegression(max_iter=5000).fit(ds.X_train, ds.labels_train)
    return {"seed": seed, "connectome": CONNECTOME, "n_features": ds.n_features,
            "n_classes": ds.n_classes, "n_train": ds.n_train, "n_test": ds.n_test,
            "classes_without_samples": int(np.sum(np.bincount(
                np.concatenate([ds.labels_train, ds.labels_test]),
                minlength=ds.n_classes) == 0)),
            "outputs_reachable": int(np.isfinite(hops).sum()),
            "max_hops_to_output": float(hops[np.isfinite(hops)].max()),
            "chance_uniform": 1.0 / ds.n_classes,
            "chance_majority": float(np.mean(ds.labels_test == commonest)),
            "linear_readout_accuracy": float(clf.score(ds.X_test, ds.labels_test))}


def train_one(rule: str, rate: float, seed: int, base: dict, tmp: Path) -> dict:
    cfg = config(rule, rate, seed)
    run = run_train(cfg, tmp / f"{rule}_lr{rate}_s{seed}")
    status = runs.read_status(run)
    metrics = runs.read_metrics(run)
    last = metrics.iloc[-1]
    ran = int(last["step"] - metrics["step"].iloc[-2])  # samples the last epoch ran
    row = {"rule": rule, "learning_rate": rate, "seed": seed, "status": status["status"],
           "reason": status.get("reason") or "", "epochs": int(last["epoch"]),
           "test_accuracy": np.nan, "test_accuracy_all": np.nan,
           "chance_uniform": base["chance_uniform"],
           "chance_majority": base["chance_majority"],
           "train_settled": np.nan, "test_settled": np.nan,
           "train_updated": 1.0 - float(last["nonconverged"]) / ran if ran else np.nan}
    if row["status"] == "ok":
        src = load_source(cfg)
        ds = build_dataset(cfg, source=src)
        graph = build_graph(cfg, ds.n_features, ds.n_classes, source=src)
        row.update(test_accuracy=float(last["test_accuracy"]),
                   test_accuracy_all=float(last["test_accuracy_all"]),
                   train_settled=settled_share(cfg, run, ds.X_train, graph),
                   test_settled=1.0 - float(last["test_nonconverged"]) / ds.n_test)
    base.setdefault("untrained_accuracy_all", float(metrics["test_accuracy_all"].iloc[0]))
    return row


def summarise(table: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (rule, rate), cell in table.groupby(["rule", "learning_rate"], sort=False):
        ok = cell[cell["status"] == "ok"]
        status = ("ok" if len(ok) == len(cell) else "unstable" if ok.empty else "mixed")
        reasons = "; ".join(f"seed {r.seed}: {r.reason}" for r in cell.itertuples()
                            if r.status != "ok")
        row = {"rule": rule, "learning_rate": rate, "status": status,
               "runs_ok": f"{len(ok)}/{len(cell)}", "reason": reasons}
        for col in ("test_accuracy", "test_accuracy_all", "train_settled", "test_settled"):
            row[col] = ok[col].mean() if len(ok) else np.nan
        row["train_updated"] = cell["train_updated"].mean()
        row["chance_uniform"] = cell["chance_uniform"].iloc[0]
        row["chance_majority"] = cell["chance_majority"].mean()
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> pd.DataFrame:
    logging.getLogger("wiring").setLevel(logging.WARNING)
    # a class without samples is counted in the baselines (the loader warns per build)
    logging.getLogger("wiring.data").setLevel(logging.ERROR)
    start = time.process_time()
    bases = {seed: baseline(seed) for seed in SEEDS}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for seed in SEEDS:
            for rule in RULES:
                for rate in RATES:
                    rows.append(train_one(rule, rate, seed, bases[seed], Path(tmp)))
    table = pd.DataFrame(rows)
    table.to_csv(HERE / "sensorimotor_runs.csv", index=False)
    pd.DataFrame(bases.values()).to_csv(HERE / "sensorimotor_baselines.csv", index=False)
    summary = summarise(table)
    summary.to_csv(HERE / "sensorimotor.csv", index=False)
    print(f"CPU time: {time.process_time() - start:.0f} s")
    return summary


if __name__ == "__main__":
    with pd.option_context("display.width", 160, "display.max_colwidth", 60):
        out = main()
        print(out.drop(columns="reason").round(3).to_string(index=False))
        print(pd.read_csv(HERE / "sensorimotor_baselines.csv").round(3).to_string(index=False))
