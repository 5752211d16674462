"""
Export a trained weight graph to Gephi
======================================

`Gephi <https://gephi.org>`_ (desktop or Gephi Lite in the browser) is where many network
scientists look at a graph: force layouts, filters on attributes, a timeline. This
example writes a trained weight graph as a GEXF file. Every neuron carries its
community and its Guimerà–Amaral role measures, and every synapse its signed weight.
It then reads the file back to show exactly what Gephi will get, and draws the graph
with networkx, coloured with the same community colours the file carries.

Size: one Algorithm-1 run (300 neurons, 6,000 iterations, about 2 s) and one file of
9,000 synapses, with a five-snapshot timeline beside it. For a whole sweep the
command ``wiring export runs/mine`` (or :func:`community.export.export_sweep`) writes
the same files for every run, with the attributes taken from the analysis tables.
"""

# %%
# A trained weight graph
# ----------------------
# The paper's Algorithm 1 at a low learning rate (settings of
# :ref:`sphx_glr_auto_examples_plot_paper_fig4.py`): 300 neurons all-to-all, 90% of the
# synapses pruned, 10% of the neurons credit-clamped. We keep five snapshots for a
# timeline.

import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pandas as pd

import community
import wiring
from community import measures
from community.export import community_colour, write_dynamic_gexf, write_gexf
from community.plot import block_heatmap

graph = wiring.all_to_all(300, self_loops=True)
res = wiring.simulate(graph, learning_rate=0.1, iterations=6000, prune=0.9, seed=0,
                      snapshot_at=[1, 1500, 3000, 4500, 6000])
w = res.weight  # final weights, in the graph's edge order (zero = pruned)
W = graph.dense(w)
print(res.status, "|", np.count_nonzero(w), "of", w.size, "synapses survive pruning")

# %%
# Node attributes
# ---------------
# The communities come from :func:`community.leiden` (directed modularity on ``|W|``).
# ``community.measures`` gives the per-neuron quantities:
#
# * in- and out-strength (sum of ``|w|`` received and sent);
# * the participation coefficient ``P`` (0 when all of a neuron's weight stays in its
#   own community, near ``1 - 1/K`` when it is spread over all ``K``);
# * the within-module degree z-score;
# * the Guimerà–Amaral role that those two give.
#
# Attribute types follow the numpy dtypes: integers, doubles, booleans and strings.

part = community.leiden(W, seed=0)
m = part.membership
P = measures.participation(W, m)
z = measures.within_module_z(W, m)
in_strength, out_strength = measures.strengths(W)
clamped = np.zeros(graph.n, dtype=bool)
clamped[res.clamped] = True
node_attrs = {
    "community": m,
    "role": measures.roles(P, z).astype(str),
    "in_strength": in_strength,
    "out_strength": out_strength,
    "participation": P,
    "within_z": z,
    "clamped": clamped,
}
print(f"{part.n_communities} communities, sizes {part.sizes.tolist()}, "
      f"Q = {part.quality:.3f}")
print(pd.Series(node_attrs["role"]).value_counts().to_string())

# %%
# Writing the files
# -----------------
# :func:`community.export.write_gexf` writes one static GEXF 1.3 file. Pruned synapses
# (weight 0) are left out. ``edge_ids`` keeps each synapse's position in the run's edge
# order as its id (``e<k>``), so the same synapse has the same id in every file.
# The XML edge ``weight`` is ``|w|``, because Gephi's layouts need positive weights.
# The signed value goes in the attribute ``signed_weight``, and ``within_module``
# says whether the synapse stays inside a community.
#
# :func:`community.export.write_dynamic_gexf` writes the snapshots as one dynamic file.
# Gephi's timeline then replays how the final synapses' weights grew.

workdir = tempfile.TemporaryDirectory(prefix="wiring-gephi-")
out = Path(workdir.name)
keep = np.flatnonzero(w != 0)
static_file = write_gexf(
    out / "final.gexf", src=graph.src[keep], dst=graph.dst[keep], weight=w[keep],
    n=graph.n, node_attrs=node_attrs, communities=m, edge_ids=keep,
    title="Algorithm 1, 300 neurons, r = 0.1, p = 0.9, seed 0, iteration 6000")
dynamic_file = write_dynamic_gexf(
    out / "dynamic.gexf", src=graph.src[keep], dst=graph.dst[keep], n=graph.n,
    weights=[snap[keep] for _, snap in res.snapshots],
    steps=[step for step, _ in res.snapshots], edge_ids=keep)
for f in (static_file, dynamic_file):
    print(f"{f.name}: {f.stat().st_size / 1e6:.2f} MB")

# %%
# What Gephi gets
# ---------------
# The head of the static file declares the attributes with their types, once per class
# (Gephi Lite reads only one block per class). Then come the nodes, each with its
# ``viz:color``, and the edges.

lines = static_file.read_text().splitlines()
print("\n".join(line[:110] for line in lines[:34]))

# %%
# networkx reads the file back, which is a quick check that the attributes survive the
# round trip. These are the node columns Gephi's Data Laboratory will show:

G = nx.read_gexf(static_file)
nodes = pd.DataFrame.from_dict(dict(G.nodes(data=True)), orient="index")
print(G)
print(nodes.drop(columns=["viz"]).head(8).round(3).to_string())
edge = next(iter(G.edges(data=True)))
print("one edge:", edge)

# %%
# The same graph, drawn
# ---------------------
# A force layout on ``|w|`` (networkx's ``spring_layout``), with nodes coloured by
# community in the colours of the file (``community.export.community_colour``) and
# sized by in-strength. Only the strongest 10% of the synapses are drawn. Next to it is
# the block matrix: the mean ``|w|`` onto community ``a`` from community ``b``
# (:func:`community.block_matrix`).

H = nx.Graph()
H.add_nodes_from(range(graph.n))
A = np.abs(W) + np.abs(W).T  # undirected strength of each pair, for the layout
iu, ju = np.nonzero(np.triu(A, k=1))
H.add_weighted_edges_from(zip(iu.tolist(), ju.tolist(), A[iu, ju].tolist(), strict=True))
pos = nx.spring_layout(H, weight="weight", seed=0, iterations=100)

strong = A[iu, ju] >= np.quantile(A[iu, ju], 0.9)
colours = np.array([community_colour(c) for c in m]) / 255

fig, (ax_g, ax_b) = plt.subplots(1, 2, figsize=(12, 5.4), layout="constrained",
                                 gridspec_kw={"width_ratios": [3, 2]})
nx.draw_networkx_edges(H, pos, edgelist=list(zip(iu[strong], ju[strong], strict=True)),
                       ax=ax_g, alpha=0.15, width=0.5)
nx.draw_networkx_nodes(H, pos, ax=ax_g, node_color=colours,
                       node_size=10 + 60 * in_strength / in_strength.max(),
                       edgecolors=np.where(clamped, "k", "none"), linewidths=0.8)
ax_g.set_title(f"|W| after 6,000 iterations (r = 0.1): {part.n_communities} Leiden "
               "communities\nnode size: in-strength; black ring: credit-clamped neuron")
ax_g.set_axis_off()
block_heatmap(community.block_matrix(W, m), ax=ax_b,
              title="block matrix: mean |w| onto a from b")
plt.show()
print(f"mean in-strength: credit-clamped neurons {in_strength[clamped].mean():.1f}, "
      f"others {in_strength[~clamped].mean():.1f}")

# %%
# The modules here are weak: ``Q`` is under 0.2, and most neurons are "connectors" with
# much of their weight in other modules. The force layout therefore does not pull them
# apart. The block matrix shows what sets the modules off: within-module blocks two to
# three times as strong as the rest. The credit-clamped neurons sit in the middle of the
# layout because they receive far more weight than the others (printed above). Gephi
# makes such questions quick to explore with the attributes in the file.
#
# In Gephi, open ``final.gexf``. Choose *Appearance → Nodes → Partition → community* to
# colour by module (or keep the file's colours), and *Filters → Attributes → Equal →
# within_module* to show only the synapses inside modules. Open ``dynamic.gexf`` and
# turn on the timeline to replay the weights.

workdir.cleanup()
