"""
The rule on the worm's wiring
=============================

What does the balance rule do to a real wiring diagram? Here the paper's Algorithm 1
(noise instead of a task, 10% of the neurons credit-clamped) runs on the adult
*C. elegans* brain of Witvliet et al. 2021 (dataset 8: 180 neurons, 1,933 chemical
connections). It starts from the worm's synapse counts, scaled as ``wiring train``
scales them, and it does not prune: the connectome is already sparse, so the rule only
re-weights the worm's own synapses.

We compare one low and one runaway learning rate (``r = 0.1`` and ``r = 10``, the
reproduction's plastic-low and runaway rates) with the connectome itself. The weight
matrices are ordered by anatomical class (sensory, inter, motor) and, inside each class,
by the connectome's own Leiden modules.

Size: one seed, 6,000 iterations per rate (well under a second each once the kernels
are compiled). The full version is ``reports/connectome/adult_regimes.py``: five rates,
10 seeds each, every measure against 20 draws of two null models, and tests over seeds
(:doc:`/user_guide/connectomes`).
"""

# %%
# The connectome, as ``wiring train`` reads it
# --------------------------------------------
# :func:`wiring.graphs.families.load_source` reads the graph a configuration names and
# decides its initial weights: the synapse counts times ``graph.weight_scale``
# (``"auto"``: the random initialisation's root-mean-square weight; raw counts of tens
# of synapses would saturate tanh neurons). The run at ``r = 0.1`` below, on the command
# line: ``wiring train --set task.kind=noise --set graph.family=connectome
# --set graph.name=witvliet2021-8 --set simulation.prune=0
# --set simulation.iterations=6000 --set simulation.learning_rate=0.1``.

import matplotlib.pyplot as plt
import numpy as np

import community
import wiring
from community.plot_matrices import weight_heatmap
from wiring.config import TrainConfig, apply_overrides
from wiring.graphs.families import load_source

cfg = apply_overrides(TrainConfig(), ["task.kind='noise'", "graph.family=connectome",
                                      "graph.name=witvliet2021-8"])
src = load_source(cfg)
graph, w0 = src.graph, src.weight
counts = w0 / src.config.graph.weight_scale
kinds = np.array(["sensory", "inter", "motor"])  # the classes of these 180 neurons
cls = np.array([list(kinds).index(c) for c in graph.node_attrs["class"]])  # 0, 1, 2
print(f"{graph.n} neurons, {graph.n_edges} connections, {int(counts.sum())} synapses; "
      f"weight scale {src.config.graph.weight_scale:.4f}")
print({str(k): int(np.sum(cls == i)) for i, k in enumerate(kinds)})


def dense(weight):
    """The edge weights as a matrix, W[i, j] onto i from j."""
    W = np.zeros((graph.n, graph.n))
    W[graph.dst, graph.src] = weight
    return W


# %%
# Two learning rates
# ------------------
# :func:`wiring.simulate` runs Algorithm 1. ``prune=0`` keeps every synapse; the
# weights may change sign (the rule is not constrained to excitation). A run whose
# dynamics or weights diverge would come back with ``status == "unstable"`` and a
# reason, never with NaN weights.

results = {r: wiring.simulate(graph, learning_rate=r, iterations=6000, prune=0.0,
                              weight=w0, seed=0, snapshot_at=[6000])
           for r in (0.1, 10.0)}
for r, res in results.items():
    print(f"r = {r:g}: {res.status}; max |w| grew {np.abs(res.weight).max() / w0.max():.1f}x, "
          f"{np.mean(res.weight < 0):.0%} of synapses negative, "
          f"{community.saturated_fraction(res.states[-1][2]):.0%} of neurons saturated")

# %%
# Structure beside the anatomy
# ----------------------------
# On ``|W|`` (and on the counts): Leiden modularity, the hub share (top-10% strength
# share), and how Leiden's modules line up with the anatomical classes and with the
# connectome's own modules (NMI and ARI, :func:`community.agreement`). One seed and no
# null draws: the report adds both.

C = dense(counts)
own = community.leiden(C, seed=0).membership
mats = {"connectome (synapse counts)": C}
mats.update({f"r = {r:g}": np.abs(dense(res.weight)) for r, res in results.items()})
for title, A in mats.items():
    part = community.leiden(A, seed=0)
    to_cls = community.agreement(part.membership, cls)
    to_own = community.agreement(part.membership, own)
    hub = community.hub_concentration(A)["top_share_max"]
    print(f"{title:28s} Q {part.quality:.3f}, {part.n_communities} modules, hub share "
          f"{hub:.3f}, NMI to classes {to_cls['nmi']:.3f}, ARI to the connectome's modules "
          f"{to_own['ari']:.3f}")

# %%
# The matrices, by class
# ----------------------
# Rows are postsynaptic, columns presynaptic; lines separate the classes. Each panel
# has its own colour scale (the 99th percentile of its non-zero ``|w|``).

order = np.lexsort((own, cls))  # by class, then by the connectome's Leiden module
fig, axes = plt.subplots(1, 3, figsize=(13, 4.4), layout="constrained")
for ax, (title, A) in zip(axes, mats.items(), strict=True):
    weight_heatmap(A[np.ix_(order, order)], cls[order], ax=ax, title=title, absolute=True)
    ax.set_xticks(ax.get_xticks(), [kinds[int(t.get_text())] for t in ax.get_xticklabels()])
    ax.set_yticks(ax.get_yticks(), [kinds[int(t.get_text())] for t in ax.get_yticklabels()])
    ax.set_xlabel("presynaptic (by class)")
    ax.set_ylabel("postsynaptic (by class)")
plt.show()

# %%
# What this shows and what it does not
# ------------------------------------
# One seed at two rates shows what the rule does to the weights: at ``r = 10`` the
# weights grow, many neurons saturate and the strength piles onto fewer neurons. It
# does not show whether a measure differs from the connectome or between rates beyond
# seed-to-seed variation, nor whether it beats a null model: that needs the seeds and
# the null draws of ``reports/connectome/adult_regimes.py``, whose results are in
# :doc:`/user_guide/connectomes`.
