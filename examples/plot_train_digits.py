"""
Train a recurrent network on digits
===================================

A network with a recurrent hidden pool learns scikit-learn's 8×8 handwritten digits with
the balance rule of Fan & Mysore. There is no separate backward pass. For each sample,
the rates settle with the inputs clamped to the image, credit settles with the output
error, and every synapse changes by presynaptic rate × postsynaptic credit ×
postsynaptic balance. We plot the learning curves and the test confusion matrix, and
show the weights as a matrix before and after training.

Size: the full data set (1,347 training and 450 test images), one seed, 8 epochs of
online learning. This takes about 5 s once the kernels are compiled. The full-size
version is the ``digits_recurrent`` group of the ``rules`` study in
``wiring reproduce``. It uses the same data and hidden pool with output → hidden
feedback synapses added, and runs 3 learning rates × 3 seeds × 8 epochs for every rule.
"""

# %%
# Data and graph
# --------------
# :func:`wiring.data.load_digits` returns the images (pixels scaled to [0, 1]) split
# into training and test sets (stratified, seeded), with one-hot targets.
# :func:`wiring.recurrent` builds the graph: 64 input neurons (one per pixel) project to
# a pool of 100 hidden neurons, which are wired among themselves at random (10% of the
# possible hidden → hidden synapses, cycles included) and project to 10 output neurons.

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from sklearn.metrics import ConfusionMatrixDisplay, confusion_matrix

import wiring
from community.plot import weight_heatmap
from wiring.data import load_digits

data = load_digits(seed=0)
graph = wiring.recurrent(64, 100, 10, recurrent_density=0.1, seed=0)
net = wiring.Network(graph, seed=0, output_activation="linear")
print(data)
print(net)
print("cycles in the graph:", not graph.is_dag)

# %%
# The paper's rule, ``"balance"``, overwrites the credit of the output neurons with
# the error and lets clamped inputs keep a balance value. The exact variant,
# ``"balance-exact"``, adds the error instead and gives inputs no balance. The two agree
# when no synapse enters an input neuron and none leaves an output neuron. That is
# true for this graph, so here the balance rule follows the exact gradient of the loss
# (recurrent backprop). :ref:`sphx_glr_auto_examples_plot_compare_rules.py` uses a graph
# where the two differ.

print("inputs are sources:", graph.inputs_are_sources(),
      "| outputs are sinks:", graph.outputs_are_sinks())

# %%
# Training
# --------
# :func:`wiring.fit` trains the network in place. ``batch_size=1`` is online learning,
# the paper's setting. The output rates are linear, and the loss is softmax
# cross-entropy on them. ``snapshot_epochs`` keeps a copy of the weights before training
# (epoch 0) and after the last epoch. ``fit`` returns one metrics row per epoch.

result = wiring.fit(net, data, rule="balance", loss="cross-entropy", learning_rate=0.02,
                    epochs=8, seed=0, snapshot_epochs=[0, 8])
metrics = pd.DataFrame(result.metrics)
print("status:", result.status)
print(metrics[["epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy",
               "nonconverged", "seconds"]].round(4).to_string(index=False))

# %%
# ``train_loss`` and ``train_accuracy`` are measured at each sample's settle, before its
# update, over the epoch (for epoch 0, on the untrained network). The test columns are
# measured after the epoch. A sample whose firing does not settle within ``max_iter``
# sweeps is skipped and counted in ``nonconverged``. ``test_accuracy_all`` counts such
# samples as wrong. Here every sample settles (``nonconverged`` is 0).

fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(9, 3.4), layout="constrained")
ax_loss.plot(metrics["epoch"], metrics["train_loss"], "o-", label="train")
ax_loss.plot(metrics["epoch"], metrics["test_loss"], "s--", label="test")
ax_loss.set(xlabel="epoch", ylabel="cross-entropy", title="loss")
ax_acc.plot(metrics["epoch"], metrics["train_accuracy"], "o-", label="train")
ax_acc.plot(metrics["epoch"], metrics["test_accuracy_all"], "s--", label="test")
ax_acc.axhline(0.1, color="0.6", lw=0.8, ls=":", label="chance")
ax_acc.set(xlabel="epoch", ylabel="accuracy", title="accuracy", ylim=(0, 1.02))
ax_acc.legend(frameon=False)
fig.suptitle("recurrent 64-100-10 network, balance rule, online, r = 0.02")
plt.show()

# %%
# Test predictions
# ----------------
# :meth:`wiring.Network.predict` settles the network on each test image and returns the
# output rates. The predicted class is the most active output neuron.

pred = net.predict(data.X_test).argmax(axis=1)
accuracy = float(np.mean(pred == data.labels_test))
print(f"test accuracy: {accuracy:.3f} on {len(pred)} images")

fig, ax = plt.subplots(figsize=(4.8, 4.2), layout="constrained")
ConfusionMatrixDisplay(confusion_matrix(data.labels_test, pred)).plot(
    ax=ax, colorbar=False, cmap="Blues")
ax.set_title(f"test confusion matrix (accuracy {accuracy:.3f})")
plt.show()

# %%
# The weights as a matrix
# -----------------------
# ``W[i, j]`` is the synapse onto neuron ``i`` (row, postsynaptic) from neuron ``j``
# (column, presynaptic). :meth:`wiring.Network.dense` builds ``W`` from the weights of
# the edges. :func:`community.plot.weight_heatmap` draws it with red for excitatory and
# blue for inhibitory weights. Here its groups are the three neuron types, not detected
# communities. Input neurons receive nothing (their rows are empty). The hidden pool
# receives from the inputs and from itself (sparse, cycles included), and the outputs
# receive from the hidden pool. The last panel shows what learning changed.

kind = np.zeros(graph.n, dtype=int)
kind[graph.hidden] = 1
kind[graph.outputs] = 2
W0 = graph.dense(result.snapshots[0][2])  # (epoch, step, weight, bias): before training
W1 = net.dense()
vmax = float(np.percentile(np.abs(W1[W1 != 0]), 99))
fig, axes = plt.subplots(1, 3, figsize=(13, 4.4), layout="constrained")
for ax, M, title in ((axes[0], W0, "initial W"), (axes[1], W1, "trained W (8 epochs)"),
                     (axes[2], W1 - W0, "change W - W0")):
    weight_heatmap(M, kind, ax=ax, vmax=vmax, title=title, colorbar=ax is axes[2])
    ax.set_xticklabels(["inputs", "hidden", "outputs"])
    ax.set_yticklabels(["inputs", "hidden", "outputs"])
    ax.set(xlabel="presynaptic j", ylabel="postsynaptic i")
plt.show()

# %%
# The mean change per synapse of each block (existing synapses only):

names = {0: "inputs", 1: "hidden", 2: "outputs"}
rows = []
for post, pre in ((1, 0), (1, 1), (2, 1)):
    block = np.ix_(kind == post, kind == pre)
    exists = W0[block] != 0
    rows.append({"block": f"{names[pre]} -> {names[post]}", "synapses": int(exists.sum()),
                 "mean |w0|": np.abs(W0[block][exists]).mean(),
                 "mean |w - w0|": np.abs((W1 - W0)[block][exists]).mean()})
print(pd.DataFrame(rows).round(4).to_string(index=False))

# %%
# The synapses onto the output neurons change most. Those 1,000 weights carry the
# error most directly. What the trained hidden pool looks like to community detection
# is the subject of the other examples.
