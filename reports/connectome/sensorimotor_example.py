"""
A supervised task on the worm's wiring
======================================

The adult *C. elegans* brain (Witvliet et al. 2021, dataset 8: 180 neurons and their
chemical synapses, from ``wiring.connectomes``) has 69 sensory and 36 motor neurons. A
data set with 69 features and 36 classes lets them be the network's inputs and outputs
as the anatomy gives them: the **teacher** task (``data.name = "teacher"``). Its inputs
are N(0, 1) samples, and each sample's class is the motor neuron that a fixed random
linear map from the sensory neurons (drawn from the seed) drives most. The sizes come from
the graph: ``graph.inputs = "class=sensory"`` and ``graph.outputs = "class=motor"``.

Each rule trains the connectome, its synapse counts scaled as the initial weights, with
the same samples and order. For every epoch we draw the test accuracy over all test
samples (one whose firing does not settle counts as wrong) and the share of test samples
whose firing settles. A run that goes unstable stops there, and its curve with it.

Size: 300 samples, 3 epochs, one learning rate and one seed (about 20 s). The full
version is ``reports/connectome/sensorimotor.py``: 1000 samples, 5 epochs, three
learning rates and two seeds, tabulated in the user guide ("A supervised task on a real
circuit").
"""

# %%
# The configuration ``wiring train`` takes
# ----------------------------------------
# ``run_train`` is what ``wiring train --set ...`` runs, so each run below is the
# command line with these ``--set`` values and ``train.rule`` changed.

import logging
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from wiring import runs
from wiring.config import TrainConfig, apply_overrides
from wiring.experiments.jobs import build_dataset, run_train

logging.getLogger("wiring").setLevel(logging.ERROR)  # a short run: its classes are few
SETTINGS = ["data.name=teacher", "data.n_samples=300", "graph.family=connectome",
            "graph.name=witvliet2021-8", "graph.inputs=class=sensory",
            "graph.outputs=class=motor", "train.learning_rate=0.03", "train.epochs=3",
            "train.snapshot_epochs=[0]", "task.seed=0"]
RULES = ["balance-exact", "balance", "fa", "sign-concordant", "dfa"]

data = build_dataset(apply_overrides(TrainConfig(), SETTINGS))
commonest = np.bincount(data.labels_train, minlength=data.n_classes).argmax()
majority = float(np.mean(data.labels_test == commonest))
print(data, f"; the commonest class is {majority:.3f} of the test split")

# %%
# One run per rule
# ----------------

results = {}
with tempfile.TemporaryDirectory() as tmp:
    for rule in RULES:
        run = run_train(apply_overrides(TrainConfig(), [*SETTINGS, f"train.rule={rule}"]),
                        Path(tmp) / rule)
        results[rule] = (runs.read_status(run), runs.read_metrics(run))
for rule, (status, _) in results.items():
    said = status["status"] + (f" ({status['reason'][:60]}...)" if status["reason"] else "")
    print(f"{rule:16s} {said}")

# %%
# Accuracy and settling per epoch
# -------------------------------
# Only epochs that finished as ``ok`` are drawn. An unstable run ends with a cross at
# its last good epoch: its accuracy after the failure is not a result.

fig, (ax_acc, ax_set) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
for i, (rule, (status, metrics)) in enumerate(results.items()):
    good = metrics[metrics["status"] == "ok"]
    settled = 1.0 - good["test_nonconverged"] / good["test_samples"]
    label = rule if status["status"] == "ok" else f"{rule} (unstable)"
    for ax, values in ((ax_acc, good["test_accuracy_all"]), (ax_set, settled)):
        ax.plot(good["epoch"], values, marker="os^Dv"[i], color=f"C{i}", label=label)
        if status["status"] != "ok":
            ax.plot(good["epoch"].iloc[-1], values.iloc[-1], "x", color=f"C{i}", ms=12)
ax_acc.axhline(majority, color="0.5", lw=0.8, ls=":", label="commonest class")
ax_acc.axhline(1 / data.n_classes, color="0.5", lw=0.8, ls="--", label="1 / 36")
ax_acc.set(xlabel="epoch", ylabel="test accuracy (all samples)",
           title="sensory -> motor teacher task")
ax_set.set(xlabel="epoch", ylabel="share of test samples", ylim=(-0.05, 1.05),
           title="test samples whose firing settles")
for ax in (ax_acc, ax_set):
    ax.set_xticks(range(int(max(m["epoch"].max() for _, m in results.values())) + 1))
ax_acc.legend(frameon=False, fontsize=8)
plt.show()

# %%
# Learning here is slow: three short epochs take the stable rules from below the
# uniform chance level to about the commonest class's share, or a few points above it,
# and the runs that fail are as much a result as the accuracies (the printout above
# gives their reasons). ``reports/connectome/sensorimotor.py`` runs the longer version
# and writes the table, with the reason for every unstable run.
