"""Learning-rate regimes, classified from the ``snapshots`` table only.

For each cell (group, rule, pruning fraction, graph family, learning rate) the final
snapshots of all seeds are pooled and
the regime is decided by these rules, in order (thresholds are the constants
below, and the evidence for each verdict is written beside it):

1. ``"unstable"``: at least :data:`UNSTABLE_SHARE` of the runs ended unstable
   (the dynamics diverged; their last finite checkpoint is what was analysed).
2. ``"unchanged"``: the weights moved less than :data:`CHANGE_MIN` (mean relative
   Frobenius change ``||W - W0|| / ||W0||``): too slow to change anything.
3. ``"across-module"``: the off-diagonal-block index is at least
   :data:`OFFDIAG_MIN`: some across-module block is as strong as a typical
   within-module block.
4. ``"within-module"``: within-module weight is at least :data:`WITHIN_EXCESS_MIN`
   times its size-matched chance level, the off-diagonal index is below
   :data:`OFFDIAG_MIN`, and the Leiden quality beats the weight-shuffle null by
   at least :data:`Z_MIN` standard deviations (when the null was computed): block
   structure beyond what Leiden finds in a shuffled matrix.
5. ``"mixed"``: changed, but none of the signatures above.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["REGIMES", "UNSTABLE_SHARE", "CHANGE_MIN", "OFFDIAG_MIN", "WITHIN_EXCESS_MIN",
           "Z_MIN", "classify"]

REGIMES = ("unchanged", "within-module", "across-module", "unstable", "mixed")
UNSTABLE_SHARE = 0.5
CHANGE_MIN = 0.05
OFFDIAG_MIN = 1.0
WITHIN_EXCESS_MIN = 1.2
Z_MIN = 2.0

#: A cell: runs that differ only in their seed (missing columns are ignored).
CELL = ["group", "rule", "prune", "graph_family", "learning_rate"]
COLUMNS = ["group", "rule", "prune", "graph_family", "learning_rate", "regime", "n_runs",
           "n_unstable", "weight_change_mean", "modularity_mean", "within_excess_mean",
           "offdiag_index_mean", "q_z_shuffle_mean", "evidence"]


def _fmt(v: float) -> str:
    return "n/a" if not np.isfinite(v) else f"{v:.3g}"


def classify(snapshots: pd.DataFrame) -> pd.DataFrame:
    """One row per (group, learning rate): the regime and the evidence for it.

    Parameters
    ----------
    snapshots : DataFrame
        The ``snapshots`` table of :mod:`community.tables` (uses the final
        snapshot of every run).

    Returns
    -------
    DataFrame
        Columns ``group, rule, prune, graph_family, learning_rate, regime, n_runs, n_unstable,
        weight_change_mean, modularity_mean, within_excess_mean,
        offdiag_index_mean, q_z_shuffle_mean, evidence``.

    Examples
    --------
    >>> snaps = pd.DataFrame({"group": ["g"] * 2, "learning_rate": [1e-4, 1.0],
    ...     "is_final": [True, True], "run_status": ["ok", "unstable"],
    ...     "weight_change": [0.001, 3.0], "modularity": [0.1, 0.2],
    ...     "within_excess": [1.0, 1.0], "offdiag_index": [0.9, 0.9],
    ...     "q_z_shuffle": [0.0, 0.0]})
    >>> classify(snaps)["regime"].tolist()
    ['unchanged', 'unstable']
    """
    if snapshots is None or snapshots.empty or "is_final" not in snapshots:
        return pd.DataFrame(columns=COLUMNS)
    final = snapshots[snapshots["is_final"]]
    cell = [c for c in CELL if c in final.columns]
    rows = []
    for key, g in final.groupby(cell, sort=True, dropna=False):
        ident = dict(zip(cell, key if isinstance(key, tuple) else (key,), strict=True))
        n = len(g)
        n_unstable = int((g["run_status"] == "unstable").sum())
        change = float(g["weight_change"].mean())
        q = float(g["modularity"].mean())
        excess = float(g["within_excess"].mean())
        odi = float(g["offdiag_index"].mean())
        z = float(g["q_z_shuffle"].mean()) if "q_z_shuffle" in g else float("nan")
        facts = (f"unstable {n_unstable}/{n}; weight change {_fmt(change)}; "
                 f"within/chance {_fmt(excess)}; off-diagonal index {_fmt(odi)}; "
                 f"Q z vs shuffle {_fmt(z)}")
        if n_unstable >= UNSTABLE_SHARE * n:
            regime, why = "unstable", f"unstable share >= {UNSTABLE_SHARE}"
        elif np.isfinite(change) and change < CHANGE_MIN:
            regime, why = "unchanged", f"weight change < {CHANGE_MIN}"
        elif odi >= OFFDIAG_MIN:
            regime, why = "across-module", f"off-diagonal index >= {OFFDIAG_MIN}"
        elif excess >= WITHIN_EXCESS_MIN and (not np.isfinite(z) or z >= Z_MIN):
            regime = "within-module"
            why = (f"within/chance >= {WITHIN_EXCESS_MIN}, off-diagonal index < {OFFDIAG_MIN}"
                   + (f", Q z >= {Z_MIN}" if np.isfinite(z) else ", no null computed"))
        else:
            regime, why = "mixed", "changed, no modular signature passed its threshold"
        rows.append({**ident, "regime": regime, "n_runs": n,
                     "n_unstable": n_unstable, "weight_change_mean": change,
                     "modularity_mean": q, "within_excess_mean": excess,
                     "offdiag_index_mean": odi, "q_z_shuffle_mean": z,
                     "evidence": f"{why} ({facts})"})
    return pd.DataFrame(rows, columns=COLUMNS)
