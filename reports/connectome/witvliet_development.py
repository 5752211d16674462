"""Prediction 3 on real development: does the worm's wiring move from across-module to
within-module from L1 to adult?

The eight chemical-synapse connectomes of Witvliet et al. 2021 (`wiring.connectomes`),
synapse counts as weights. For each stage: the signatures of `community.evidence`
(modularity Q, block assortativity and disassortativity of a degree-corrected block model,
hub share), each against 20 draws of the shuffled-weights and degree-preserving rewiring
nulls (no init-pruned null: there are no initial weights), and the anatomical classes'
agreement with the block model (NMI). Trend over stages: Spearman's rho of each signature
(and its z against each null) with stage number, n = 8.

Run from the repository root:
    .venv/bin/python reports/connectome/witvliet_development.py
It writes witvliet_development.csv beside this file and prints the trend table.
"""

from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.metrics import normalized_mutual_info_score

from community.evidence import structure_evidence
from wiring import connectomes

HERE = Path(__file__).resolve().parent
N_NULL = 20


def dense(graph, weight):
    W = np.zeros((graph.n, graph.n))
    W[graph.dst, graph.src] = weight
    return W


def main() -> pd.DataFrame:
    rows = []
    for stage in range(1, 9):
        name = f"witvliet2021-{stage}"
        graph, weight = connectomes.load(name)
        W = dense(graph, weight)
        np.fill_diagonal(W, 0.0)
        ev = structure_evidence(W, None, n_null=N_NULL, null_models=("shuffle", "rewire"),
                                block_weights="none", seed=stage)
        classes = np.asarray(graph.node_attrs["class"])
        row = {"stage": stage, "name": name, "neurons": graph.n,
               "synapses": int(weight.sum()), "connections": int(np.count_nonzero(W)),
               "nmi_blocks_classes": normalized_mutual_info_score(classes,
                                                                  ev["membership_sbm"])}
        row.update({k: v for k, v in ev.items() if k != "membership_sbm"})
        rows.append(row)
    df = pd.DataFrame(rows)
    df.to_csv(HERE / "witvliet_development.csv", index=False)
    trend = []
    for col in ("q", "ba", "bd", "hub", "q_z_shuffle", "q_z_rewire", "bd_z_shuffle",
                "bd_z_rewire", "sbm_blocks", "nmi_blocks_classes"):
        rho = stats.spearmanr(df["stage"], df[col])
        trend.append({"measure": col, "L1": df[col].iloc[0], "adult": df[col].iloc[-1],
                      "spearman_rho": rho.statistic, "p": rho.pvalue})
    trend = pd.DataFrame(trend)
    trend.to_csv(HERE / "witvliet_development_trend.csv", index=False)
    return trend


if __name__ == "__main__":
    with pd.option_context("display.width", 140):
        print(main().round(4).to_string(index=False))
