"""The supervised rule comparison: its tables from the two-stage ``rules`` study, its report
section and its rows of the report's verdict table.

The study (:mod:`wiring.experiments.rules_study`) runs in two stages under one runs
directory: ``rules_select/`` trains every (data, graph, rule) over a learning-rate grid
on a validation split and chooses the rate; ``rules/`` trains each at its chosen rate with
fresh seeds on the test split. Sweep groups are named ``f"{data}_{graph}__{rule}"``
(:func:`split_group`).

:func:`rules_tables` reads both stages and returns the tables of :data:`RULES_TABLES`:

``rules_selection``
    every stage-1 run: ``data``, ``graph``, ``rule``, ``learning_rate``, ``seed``,
    ``status``, ``validation_samples``, ``validation_nonconverged``,
    ``validation_accuracy`` (settled samples only, the engine's), ``validation_accuracy_all``
    (every validation sample, an unsettled one counted wrong), ``score`` (what the choice
    uses: ``validation_accuracy_all`` of a run that ended ``ok``, 0 otherwise), and per
    (data, graph, rule, learning_rate): ``rate_mean``, ``rate_sd``, ``rate_runs``.
``rules_chosen``
    per (data, graph, rule): the chosen ``learning_rate`` (best mean score, the smaller rate
    on a tie, as the study chose), ``validation_mean``, ``validation_sd``, ``runs``, the
    ``grid`` tried, ``n_rates``, ``base_grid``, ``extended_low``/``extended_high`` (rates
    added past each edge), ``edge`` (``"low"``, ``"high"``, ``"only rate"`` or ``""``),
    ``on_edge``, ``recorded_rate`` (``chosen_rates.csv``), ``stage2_rate`` (the rate stage 2
    ran) and ``agrees``.
``rules_runs``
    every stage-2 run: ident, ``status``, ``test_samples``, ``test_nonconverged``,
    ``test_nonconverged_fraction``, ``test_accuracy`` (settled only), ``test_accuracy_all``
    (every test sample, unsettled counted wrong), ``scored_accuracy`` (0 for a run that
    failed or diverged), ``train_loss``, ``epochs_done``.
``rules_tests``
    per (data, graph) each rule against ``balance-exact`` over the stage-2 seeds
    (:func:`accuracy_tests`).
``rules_curves``, ``rules_alignment``, ``rules_structure``, ``rules_roles``
    stage 2's learning curves, alignment probes, community structure of the final
    hidden-to-hidden weights of recurrent graphs, and node-role shares.

:func:`rules_section` writes the report's section from those tables alone and
:func:`rules_claims` the rows of the report's verdict table.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats as sps

import wiring.runs as runs
from community import stats
from community.paper._sections import Context, Sec, fmt_p
from community.paper.claims import holm
from community.report.kit import Section
from community.tables import AnalysisSettings, analyse_run
from wiring.errors import WiringError

#: the rules in the order tables list them (the study's order)
RULE_ORDER = ("balance", "balance-exact", "fa", "sign-concordant", "dfa")

__all__ = ["rules_tables", "rules_section", "rules_claims", "split_group", "choose",
           "accuracy_tests", "accuracy_summary", "RULES_TABLES", "RULES_STRUCTURE_COLUMNS",
           "REFERENCE_RULE", "ALPHA"]

#: the tables :func:`rules_tables` returns
RULES_TABLES = ("rules_selection", "rules_chosen", "rules_runs", "rules_tests", "rules_curves",
                "rules_alignment", "rules_structure", "rules_roles")
#: the rule every other is tested against: the exact gradient
REFERENCE_RULE = "balance-exact"
#: significance level of the Holm-adjusted tests
ALPHA = 0.05
_KEYS = ["data", "graph", "rule"]
#: how the section names the study's graph families
_GRAPHS = {"recurrent": "a recurrent graph (100 hidden neurons, 10% recurrent edges, 10% "
                        "output-to-hidden feedback edges, so balance differs from "
                        "balance-exact)",
           "layered": "a layered reference (one hidden layer of 100; balance = balance-exact "
                      "there)"}

#: The columns of ``rules_structure`` (the final snapshots' rows of the sweep tables that
#: the rules section reads; the sweep tables hold more).
RULES_STRUCTURE_COLUMNS = (
    "run_id", "group", "task", "rule", "learning_rate", "seed", "prune", "pruning",
    "graph_family", "step", "snapshot_path", "run_status", "weight_mode", "quality",
    "resolution", "nodes", "n_nodes", "n_edges", "density", "weight_abs_mean",
    "weight_abs_max", "weight_change", "modularity", "leiden_quality", "n_communities",
    "largest_community_fraction", "within_fraction", "within_chance", "within_excess",
    "offdiag_index", "q_z_shuffle", "q_z_rewire", "q_initial_pruned", "louvain_ari",
    "louvain_modularity", "step_fraction", "is_final", "ari_final")


# --------------------------------------------------------------------------- reading runs


def _ordered(df: pd.DataFrame) -> pd.DataFrame:
    """Rows by data, graph and the study's rule order (other rules after, by name)."""
    if df.empty or not set(_KEYS) <= set(df.columns):
        return df.reset_index(drop=True)
    rank = {r: i for i, r in enumerate(RULE_ORDER)}
    key = df["rule"].map(lambda r: (rank.get(r, len(RULE_ORDER)), str(r)))
    return (df.assign(_rank=key).sort_values(["data", "graph", "_rank"], kind="stable")
            .drop(columns="_rank").reset_index(drop=True))


def split_group(group: str, rule: str = "") -> tuple[str, str, str]:
    """(data, graph, rule) of a sweep group named ``f"{data}_{graph}__{rule}"``.

    Parameters
    ----------
    group : str
        The group name.
    rule : str, optional
        The rule of a group named the older way, ``f"{data}_{graph}"`` (from the run's
        config).

    Returns
    -------
    tuple of str

    Examples
    --------
    >>> split_group("digits_recurrent__balance-exact")
    ('digits', 'recurrent', 'balance-exact')
    >>> split_group("mnist1d_layered", rule="fa")
    ('mnist1d', 'layered', 'fa')
    """
    head, sep, tail = group.partition("__")
    data, _, graph = head.partition("_")
    return data, graph, tail if sep else rule


def _status(sweep_dir: Path) -> pd.DataFrame:
    """The sweep's ``sweep_status`` table (empty when the sweep is absent)."""
    table = sweep_dir / "sweep_status.parquet"
    if not table.is_file():
        return pd.DataFrame(columns=["run_id", "group", "learning_rate", "seed", "status"])
    return pd.read_parquet(table)


def _samples(metrics: pd.DataFrame, cfg: dict) -> float:
    """Held-out set size of a supervised run: the ``test_samples`` column (engine >= this
    version), else the documented split of the built-in data sets on the test split
    (ceil(test_fraction x 1797) for digits, ceil(test_fraction x n_samples) for mnist1d),
    else NaN (a validation split of an older engine)."""
    if "test_samples" in metrics and metrics["test_samples"].notna().any():
        return float(metrics["test_samples"].dropna().iloc[0])
    data = cfg.get("data", {})
    if data.get("holdout", "test") != "test":
        return float("nan")
    frac = float(data.get("test_fraction", 0.25))
    if data.get("name") == "digits":
        return float(np.ceil(frac * 1797))
    if data.get("name") == "mnist1d":
        return float(np.ceil(frac * int(data.get("n_samples", 4000))))
    return float("nan")


def _accuracy_all(metrics: pd.DataFrame, n: float) -> pd.Series:
    """Accuracy over every held-out sample, an unsettled one counted wrong: the engine's
    ``test_accuracy`` (settled samples only; NaN when none settled) times the settled
    share."""
    acc = metrics["test_accuracy"].astype(float).fillna(0.0)
    nonconv = metrics.get("test_nonconverged", pd.Series(0.0, index=metrics.index))
    return acc * (n - nonconv.astype(float)) / n


def _read_run(run_id: str, group: str, d: Path,
              status: str) -> tuple[dict, pd.DataFrame, dict]:
    """One run's identity, its metrics with the all-sample accuracy (empty when the run
    left none) and its config."""
    try:
        cfg = runs.read_config(d)
    except (WiringError, OSError):
        cfg = {}
    train = cfg.get("train", {})
    data, graph, rule = split_group(group, str(train.get("rule", "")))
    ident = {"run_id": run_id, "group": group, "data": data, "graph": graph, "rule": rule,
             "learning_rate": float(train.get("learning_rate", np.nan)),
             "seed": cfg.get("task", {}).get("seed", np.nan), "status": status}
    try:
        m = runs.read_metrics(d)
    except (WiringError, OSError):
        return ident, pd.DataFrame(), cfg
    if m.empty or "test_accuracy" not in m:
        return ident, pd.DataFrame(), cfg
    n = _samples(m, cfg)
    m = m.drop(columns=["test_samples", "test_accuracy_all"], errors="ignore")
    m = m.drop(columns=[c for c in ident if c in m]).assign(**ident)
    m["test_samples"] = n
    m["test_accuracy_all"] = _accuracy_all(m, n)
    m["test_nonconverged_fraction"] = m.get("test_nonconverged", np.nan) / n
    return ident, m, cfg


def _final(ident: dict, m: pd.DataFrame, prefix: str) -> dict:
    """The final row of a run: held-out accuracy (settled, all samples), score."""
    row = dict(ident)
    if m.empty:
        row.update({f"{prefix}_samples": np.nan, f"{prefix}_nonconverged": np.nan,
                    f"{prefix}_accuracy": np.nan, f"{prefix}_accuracy_all": np.nan,
                    "train_loss": np.nan, "epochs_done": 0})
    else:
        last = m.iloc[-1]
        row.update({f"{prefix}_samples": float(last["test_samples"]),
                    f"{prefix}_nonconverged": float(last.get("test_nonconverged", np.nan)),
                    f"{prefix}_accuracy": float(last["test_accuracy"]),
                    f"{prefix}_accuracy_all": float(last["test_accuracy_all"]),
                    "train_loss": float(last.get("train_loss", np.nan)),
                    "epochs_done": int(last.get("epoch", 0))})
    acc = row[f"{prefix}_accuracy_all"]
    row["score"] = float(acc) if row["status"] == "ok" and np.isfinite(acc) else 0.0
    return row


def _stage(sweep_dir: Path) -> list[tuple[dict, pd.DataFrame, Path, dict]]:
    st = _status(sweep_dir)
    out = []
    for r in st.itertuples(index=False):
        d = sweep_dir / "runs" / str(r.run_id)
        ident, m, cfg = _read_run(str(r.run_id), str(r.group), d, str(r.status))
        if not np.isfinite(ident["learning_rate"]):
            ident["learning_rate"] = float(r.learning_rate)
        if not np.isfinite(float(ident["seed"])):
            ident["seed"] = int(r.seed)
        if len(m):
            m = m.assign(learning_rate=ident["learning_rate"], seed=ident["seed"])
        out.append((ident, m, d, cfg))
    return out


# --------------------------------------------------------------------------- stage 1


def _selection(select_dir: Path) -> pd.DataFrame:
    rows = [{**_final(ident, m, "validation"),
             "validation_fraction": cfg.get("data", {}).get("validation_fraction", np.nan)}
            for ident, m, _d, cfg in _stage(select_dir)]
    if not rows:
        return pd.DataFrame()
    df = pd.DataFrame(rows).drop(columns=["train_loss", "epochs_done"])
    g = df.groupby([*_KEYS, "learning_rate"])["score"]
    return df.assign(rate_mean=g.transform("mean"), rate_sd=g.transform("std"),
                     rate_runs=g.transform("size"))


def _base_grid(selection: pd.DataFrame) -> list[float]:
    """The grid every (data, graph, rule) started from: the rates every group tried (an
    extension adds rates to some groups only; community reads the runs, not the study's
    code, :mod:`wiring.experiments.rules_study`)."""
    tried = [np.array(sorted(set(g["learning_rate"]))) for _k, g in selection.groupby(_KEYS)]
    common = set.intersection(*(set(t.tolist()) for t in tried)) if tried else set()
    return sorted(float(v) for v in common)


def choose(selection: pd.DataFrame, base_grid: list[float] | None = None) -> pd.DataFrame:
    """The chosen learning rate per (data, graph, rule) from the stage-1 runs.

    The rule of :func:`wiring.experiments.rules_study.choose_rates`: the rate of the best
    mean ``score`` over seeds, the smaller rate on a tie.

    Parameters
    ----------
    selection : DataFrame
        ``rules_selection`` (``data``, ``graph``, ``rule``, ``learning_rate``, ``score``).
    base_grid : list of float, optional
        The grid before any extension (default: the rates every (data, graph, rule) tried).

    Returns
    -------
    DataFrame
        One row per (data, graph, rule): ``learning_rate``, ``validation_mean``,
        ``validation_sd``, ``runs``, ``grid``, ``n_rates``, ``base_grid``,
        ``extended_low``, ``extended_high``, ``edge``, ``on_edge``.

    Examples
    --------
    >>> sel = pd.DataFrame({"data": "d", "graph": "g", "rule": "fa",
    ...                     "learning_rate": [0.01, 0.01, 0.1, 0.1, 0.4, 0.4],
    ...                     "score": [0.5, 0.6, 0.8, 0.7, 0.9, 0.9]})
    >>> c = choose(sel, base_grid=[0.01, 0.1])
    >>> c[["learning_rate", "edge", "on_edge", "extended_high"]].values.tolist()
    [[0.4, 'high', True, 1]]
    """
    cols = [*_KEYS, "learning_rate", "validation_mean", "validation_sd", "runs", "grid",
            "n_rates", "base_grid", "extended_low", "extended_high", "edge", "on_edge"]
    if selection.empty:
        return pd.DataFrame(columns=cols)
    tried_all = [set(g["learning_rate"]) for _k, g in selection.groupby(_KEYS)]
    if base_grid is None:
        base_grid = sorted(set.intersection(*tried_all))
    lo, hi = (min(base_grid), max(base_grid)) if base_grid else (np.inf, -np.inf)
    rows = []
    for key, g in selection.groupby(_KEYS, sort=True):
        agg = g.groupby("learning_rate")["score"].agg(["mean", "std", "size"]).sort_index()
        i = int(np.argmax(agg["mean"].to_numpy()))  # first maximum: the smaller rate
        lrs = agg.index.to_numpy(dtype=float)
        best = float(lrs[i])
        edge = ("only rate" if lrs.size == 1 else "low" if i == 0
                else "high" if i == lrs.size - 1 else "")
        rows.append({**dict(zip(_KEYS, key, strict=True)), "learning_rate": best,
                     "validation_mean": float(agg["mean"].iloc[i]),
                     "validation_sd": float(agg["std"].iloc[i]),
                     "runs": int(agg["size"].iloc[i]),
                     "grid": " ".join(f"{v:g}" for v in lrs), "n_rates": int(lrs.size),
                     "base_grid": " ".join(f"{v:g}" for v in base_grid),
                     "extended_low": int((lrs < lo * (1 - 1e-9)).sum()),
                     "extended_high": int((lrs > hi * (1 + 1e-9)).sum()),
                     "edge": edge, "on_edge": edge != ""})
    return _ordered(pd.DataFrame(rows, columns=cols))


def _chosen(select_dir: Path, selection: pd.DataFrame, stage2: pd.DataFrame) -> pd.DataFrame:
    if selection.empty:
        return pd.DataFrame()
    chosen = choose(selection, _base_grid(selection))
    recorded = pd.DataFrame(columns=["group", "recorded_rate"])
    path = select_dir / "chosen_rates.csv"
    if path.is_file():
        rec = pd.read_csv(path)
        if {"group", "learning_rate"} <= set(rec.columns):
            recorded = rec[["group", "learning_rate"]].rename(
                columns={"learning_rate": "recorded_rate"})
    parts = [split_group(str(g)) for g in recorded["group"]]
    recorded = recorded.assign(**{k: [p[i] for p in parts] for i, k in enumerate(_KEYS)})
    chosen = chosen.merge(recorded[[*_KEYS, "recorded_rate"]], on=_KEYS, how="left")
    if len(stage2):
        ran = stage2.groupby(_KEYS)["learning_rate"].agg(
            lambda s: float(s.iloc[0]) if s.nunique() == 1 else np.nan).rename("stage2_rate")
        chosen = chosen.merge(ran.reset_index(), on=_KEYS, how="left")
    else:
        chosen["stage2_rate"] = np.nan
    rates = chosen[["recorded_rate", "stage2_rate"]].to_numpy(dtype=float)
    chosen["agrees"] = [bool(all(np.isclose(v, lr) for v in r if np.isfinite(v)))
                        for lr, r in zip(chosen["learning_rate"], rates, strict=True)]
    return _ordered(chosen)


# --------------------------------------------------------------------------- stage 2


def _welch_ci(a: np.ndarray, b: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Welch t interval of ``mean(b) - mean(a)`` (NaN with fewer than 2 values a side;
    the point itself when neither sample varies)."""
    if a.size < 2 or b.size < 2:
        return float("nan"), float("nan")
    diff = float(b.mean() - a.mean())
    va, vb = float(np.var(a, ddof=1)), float(np.var(b, ddof=1))
    se2 = va / a.size + vb / b.size
    if se2 <= 0:
        return diff, diff
    df = se2**2 / ((va / a.size) ** 2 / (a.size - 1) + (vb / b.size) ** 2 / (b.size - 1))
    half = float(sps.t.ppf((1 + level) / 2, df)) * float(np.sqrt(se2))
    return diff - half, diff + half


def accuracy_tests(runs_table: pd.DataFrame, *, reference: str = REFERENCE_RULE,
                   value: str = "scored_accuracy", alpha: float = ALPHA) -> pd.DataFrame:
    """Each rule against ``reference`` per (data, graph): difference of mean test accuracy
    over seeds, its 95% Welch t interval, Welch's two-sided p, Hedges' g
    (:func:`community.stats.compare`), and Holm's adjustment over every comparison of the
    table.

    Parameters
    ----------
    runs_table : DataFrame
        ``rules_runs`` (``data``, ``graph``, ``rule``, ``status`` and ``value``).
    reference : str
        The rule the others are compared with.
    value : str
        The column compared (default: the all-sample accuracy, 0 for a failed run).
    alpha : float
        Level of the Holm-adjusted tests.

    Returns
    -------
    DataFrame
        ``data``, ``graph``, ``rule``, ``reference``, ``n_rule``, ``n_reference``,
        ``failed_rule``, ``failed_reference``, ``mean_rule``, ``mean_reference``, ``diff``
        (rule - reference), ``ci_low``, ``ci_high``, ``p_welch``, ``p_holm``, ``hedges_g``,
        ``significant`` (``p_holm < alpha``) and ``reading``: "lower"/"higher than ..."
        when significant, else "no difference detected at this power" -- not equality:
        the interval says which differences the seeds cannot exclude.

    Examples
    --------
    >>> rr = pd.DataFrame({"data": "d", "graph": "g", "status": "ok",
    ...                    "rule": ["balance-exact"] * 3 + ["fa"] * 3,
    ...                    "scored_accuracy": [0.90, 0.91, 0.92, 0.80, 0.81, 0.79]})
    >>> t = accuracy_tests(rr)
    >>> t[["rule", "n_rule", "significant"]].values.tolist(), round(float(t["diff"][0]), 3)
    ([['fa', 3, True]], -0.11)
    """
    cols = ["data", "graph", "rule", "reference", "n_rule", "n_reference", "failed_rule",
            "failed_reference", "mean_rule", "mean_reference", "diff", "ci_low", "ci_high",
            "p_welch", "p_holm", "hedges_g", "significant", "reading"]
    if runs_table.empty or value not in runs_table:
        return pd.DataFrame(columns=cols)
    rows = []
    for (data, graph), cell in runs_table.groupby(["data", "graph"], sort=True):
        ref = cell[cell["rule"] == reference]
        a = ref[value].astype(float).dropna().to_numpy()
        for rule in sorted(set(cell["rule"]) - {reference}):
            other = cell[cell["rule"] == rule]
            b = other[value].astype(float).dropna().to_numpy()
            c = stats.compare(a, b, n_perm=1, n_boot=1)
            lo, hi = _welch_ci(a, b)
            p = c["p_welch"]
            if not np.isfinite(p) and a.size >= 2 and b.size >= 2 and c["diff"] == 0:
                p = 1.0  # two identical constant samples: no evidence of a difference
            rows.append({"data": data, "graph": graph, "rule": rule, "reference": reference,
                         "n_rule": int(b.size), "n_reference": int(a.size),
                         "failed_rule": int((other["status"] != "ok").sum()),
                         "failed_reference": int((ref["status"] != "ok").sum()),
                         "mean_rule": c["mean_b"], "mean_reference": c["mean_a"],
                         "diff": c["diff"], "ci_low": lo, "ci_high": hi, "p_welch": p,
                         "hedges_g": c["hedges_g"]})
    if not rows:
        return pd.DataFrame(columns=cols)
    out = pd.DataFrame(rows)
    out["p_holm"] = holm(out["p_welch"].to_numpy())
    out["significant"] = out["p_holm"] < alpha
    out["reading"] = [_reading(r, alpha) for r in out.itertuples(index=False)]
    return _ordered(out[cols])


def _reading(r: Any, alpha: float) -> str:
    if not np.isfinite(r.p_holm):
        return "not testable (fewer than 2 runs a side, or no spread)"
    if r.significant:
        side = "lower" if r.diff < 0 else "higher"
        return f"{side} than {r.reference} (Holm p < {alpha:g})"
    return (f"no difference detected at this power (n = {r.n_rule} vs {r.n_reference}); "
            f"differences in [{r.ci_low:.3f}, {r.ci_high:.3f}] not excluded")


def _stage2(rules_dir: Path, workers: int) -> dict[str, pd.DataFrame]:
    rows, curves, align, struct, roles = [], [], [], [], []
    done = _stage(rules_dir)
    for ident, m, d, _cfg in done:
        row = _final(ident, m, "test")
        row["scored_accuracy"] = row.pop("score")
        row["test_nonconverged_fraction"] = row["test_nonconverged"] / row["test_samples"]
        rows.append(row)
        if len(m):
            curves.append(m)
        path = d / "probes.parquet"
        if path.is_file():
            align.append(pd.read_parquet(path).assign(**ident))
    settings = AnalysisSettings(n_null=10)
    tasks = [(ident["group"], d, settings) for ident, _m, d, _cfg in done
             if ident["graph"] == "recurrent" and d.is_dir()]
    if workers > 1 and len(tasks) > 1:
        ctx = multiprocessing.get_context("forkserver")
        with ProcessPoolExecutor(workers, mp_context=ctx) as pool:
            results = list(pool.map(_analyse_rules_run, tasks))
    else:
        results = [_analyse_rules_run(t) for t in tasks]
    by_run = {r["run_id"]: r for r in rows}
    for snaps, neurons in results:
        if len(snaps):
            fin = snaps[snaps["is_final"]]
            fin = fin[[c for c in RULES_STRUCTURE_COLUMNS if c in fin]]
            if len(fin):
                struct.append(fin.assign(**{k: by_run[fin["run_id"].iloc[0]][k]
                                            for k in ("data", "graph", "rule")}))
        if len(neurons):
            fin_n = neurons[neurons["is_final"]]
            if fin_n.empty:
                continue
            share = fin_n["role"].value_counts(normalize=True)
            ident = by_run[fin_n["run_id"].iloc[0]]
            roles.extend({**{k: ident[k] for k in ("run_id", *_KEYS, "learning_rate",
                                                  "seed")},
                          "role": role, "share": float(v)} for role, v in share.items())
    order = ["run_id", "group", *_KEYS, "learning_rate", "seed", "status", "test_samples",
             "test_nonconverged", "test_nonconverged_fraction", "test_accuracy",
             "test_accuracy_all", "scored_accuracy", "train_loss", "epochs_done"]
    rr = pd.DataFrame(rows, columns=order)
    return {"rules_runs": rr,
            "rules_tests": accuracy_tests(rr),
            "rules_curves": pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(),
            "rules_alignment": _with_error_column(align),
            "rules_structure": pd.concat(struct, ignore_index=True) if struct else pd.DataFrame(),
            "rules_roles": pd.DataFrame(roles)}


def _with_error_column(align: list) -> pd.DataFrame:
    """The alignment probes with a ``probe_error`` column always present ("" when fine)."""
    if not align:
        return pd.DataFrame()
    df = pd.concat(align, ignore_index=True)
    df["probe_error"] = df["probe_error"].fillna("") if "probe_error" in df else ""
    cols = [c for c in df.columns if c != "probe_error"]
    at = cols.index("norm_gradient") + 1 if "norm_gradient" in cols else len(cols)
    return df[[*cols[:at], "probe_error", *cols[at:]]]


def _analyse_rules_run(task: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    group, d, settings = task
    tabs = analyse_run(d.name, group, d, settings=settings)
    return tabs["snapshots"], tabs["neurons"]


def rules_tables(runs_dir: Path, workers: int = 1) -> dict[str, pd.DataFrame]:
    """The rule comparison's tables from ``<runs_dir>/rules_select`` and ``<runs_dir>/rules``.

    Parameters
    ----------
    runs_dir : Path
        The runs directory holding both stages of the study (a missing stage gives empty
        tables).
    workers : int
        Processes for the structure analysis of stage 2's recurrent runs.

    Returns
    -------
    dict of DataFrame
        The tables of :data:`RULES_TABLES` (see the module docstring).

    Examples
    --------
    >>> t = rules_tables(Path("/nonexistent"))
    >>> tuple(t) == RULES_TABLES, all(df.empty for df in t.values())
    (True, True)
    """
    runs_dir = Path(runs_dir)
    selection = _selection(runs_dir / "rules_select")
    out = _stage2(runs_dir / "rules", workers)
    chosen = _chosen(runs_dir / "rules_select", selection, out["rules_runs"])
    out = {"rules_selection": selection, "rules_chosen": chosen, **out}
    if out["rules_runs"].empty:
        out["rules_runs"] = pd.DataFrame()
    if out["rules_tests"].empty:
        out["rules_tests"] = pd.DataFrame()
    return {name: out[name] for name in RULES_TABLES}


# --------------------------------------------------------------------------- report


def _get(t: dict, name: str) -> pd.DataFrame:
    df = t.get(name)
    return df if isinstance(df, pd.DataFrame) else pd.DataFrame()


def _t_interval(v: pd.Series) -> tuple[float, float]:
    x = v.astype(float).dropna().to_numpy()
    if x.size < 2:
        return float("nan"), float("nan")
    half = float(sps.t.ppf(0.975, x.size - 1)) * float(np.std(x, ddof=1)) / np.sqrt(x.size)
    return float(x.mean()) - half, float(x.mean()) + half


def accuracy_summary(rr: pd.DataFrame) -> pd.DataFrame:
    """Per (data, graph, rule) of ``rules_runs``: rate, runs, failed runs, mean, sd and 95%
    t interval of ``scored_accuracy``, mean unsettled share.

    Examples
    --------
    >>> rr = pd.DataFrame({"data": "d", "graph": "g", "rule": "fa", "learning_rate": 0.1,
    ...                    "status": ["ok", "ok", "unstable"], "scored_accuracy": [0.8, 0.9, 0.0],
    ...                    "test_nonconverged_fraction": [0.0, 0.1, float("nan")]})
    >>> s = accuracy_summary(rr).iloc[0]
    >>> int(s["runs"]), int(s["failed"]), round(float(s["mean"]), 4)
    (3, 1, 0.5667)
    """
    rows = []
    for key, g in rr.groupby(_KEYS, sort=True):
        lo, hi = _t_interval(g["scored_accuracy"])
        rows.append({**dict(zip(_KEYS, key, strict=True)),
                     "learning_rate": " ".join(f"{v:g}" for v in sorted(set(g["learning_rate"]))),
                     "runs": len(g), "failed": int((g["status"] != "ok").sum()),
                     "mean": float(g["scored_accuracy"].mean()),
                     "sd": float(g["scored_accuracy"].std()), "ci_low": lo, "ci_high": hi,
                     "nonconverged": float(g["test_nonconverged_fraction"].mean())})
    return _ordered(pd.DataFrame(rows))


def _seeds(df: pd.DataFrame) -> str:
    s = sorted({int(v) for v in df["seed"].dropna()}) if "seed" in df else []
    if not s:
        return "no seeds"
    if s == list(range(s[0], s[-1] + 1)) and len(s) > 2:
        return f"seeds {s[0]}-{s[-1]}"
    return "seed" + ("s " if len(s) > 1 else " ") + ", ".join(map(str, s))


def _selection_text(s: Sec, sel: pd.DataFrame, ch: pd.DataFrame) -> None:
    per = sel.groupby([*_KEYS, "learning_rate"]).size()
    n_rate = (f"{int(per.min())}" if per.min() == per.max()
              else f"{int(per.min())}-{int(per.max())}")
    frac = sorted({float(v) for v in sel.get("validation_fraction", pd.Series()).dropna()})
    part = (" and ".join(f"{v:.0%}" for v in frac) + " of the training split, "
            if frac else "")
    s.text(f"Learning rates were chosen on a validation split ({part}data.holdout = "
           "validation; the test split is not used in this stage): each (data, graph, rule) "
           f"was trained at every rate of its grid with {_seeds(sel)} ({n_rate} "
           f"run{'s' if per.max() > 1 else ''} per "
           f"rate, {len(sel)} runs in all). A "
           "run scores its final accuracy over every validation sample (a sample whose "
           "firing did not settle counts wrong; a run that failed or diverged scores 0); the "
           "rate of the best mean score is chosen, the smaller one on a tie. Where the best "
           "rate sat on an edge of the grid, the grid was extended past that edge "
           "(wiring.experiments.rules_study: a factor 4, at most twice).")
    if ch.empty:
        return
    base = str(ch["base_grid"].iloc[0]) if "base_grid" in ch else ""
    ext = ch[(ch["extended_low"] + ch["extended_high"]) > 0]
    edge = ch[ch["edge"].isin(["low", "high"])]
    only = ch[ch["edge"] == "only rate"]
    s.text(f"Starting grid: {base or 'n/a'}. Grids extended for {len(ext)} of {len(ch)} "
           "(data, graph, rule)" + (": " + ", ".join(
               f"{r.data}/{r.graph}/{r.rule} ({r.grid})" for r in ext.itertuples())
               if len(ext) else "") + ".")
    if len(edge):
        s.key(f"Chosen rate on an edge of the final grid (after any extension) for "
              f"{len(edge)} of {len(ch)} (data, graph, rule): " + ", ".join(
                  f"{r.data}/{r.graph}/{r.rule} ({r.edge} edge, r = {r.learning_rate:g})"
                  for r in edge.itertuples())
              + ". For these the best rate may lie outside the range tried; their test "
                "accuracy below is at the best rate tried, not necessarily the rule's best.")
    elif len(only) < len(ch):
        s.key(f"Every chosen rate of the {len(ch) - len(only)} (data, graph, rule) with more "
              "than one rate tried is inside its grid.")
    if len(only):
        s.text(f"{len(only)} (data, graph, rule) had a single rate (a quick-size run): "
               "there was no choice to make and no edge to test.")
    if "agrees" in ch and not ch["agrees"].all():
        bad = ch[~ch["agrees"]]
        s.text("The rate recomputed here differs from the one the study recorded or ran for: "
               + ", ".join(f"{r.data}/{r.graph}/{r.rule}" for r in bad.itertuples())
               + " (stage 2 ran the recorded rate).")
    show = [c for c in ("data", "graph", "rule", "learning_rate", "validation_mean",
                        "validation_sd", "runs", "grid", "edge", "stage2_rate") if c in ch]
    s.table("Chosen learning rate per (data, graph, rule): best mean validation accuracy "
            "(every validation sample; failed runs 0) over the grid tried; 'edge' names an "
            "edge of the grid the choice still sits on.", ch[show])


def _tests_text(s: Sec, tests: pd.DataFrame) -> None:
    n = len(tests)
    s.text(f"Each rule against {REFERENCE_RULE} (the exact gradient, the reference) on the "
           "same data and graph: difference of mean test accuracy (rule minus reference), "
           "its 95% Welch t interval, Welch's two-sided p, Hedges' g (bias-corrected "
           f"standardised difference), Holm's adjustment over the {n} comparisons of the "
           f"table; 'significant' = Holm p < {ALPHA:g}. A comparison that is not significant "
           "shows no difference detected at this power (this many seeds, this spread), not "
           "equality: its interval lists the differences the seeds cannot exclude.")
    show = ["data", "graph", "rule", "n_rule", "n_reference", "failed_rule", "mean_rule",
            "mean_reference", "diff", "ci_low", "ci_high", "p_welch", "p_holm", "hedges_g",
            "significant"]
    s.table(f"Test accuracy of each rule minus {REFERENCE_RULE}'s, at each rule's chosen rate "
            "(Welch t over seeds; Holm over the table).", tests[show])
    for (data, graph), g in tests.groupby(["data", "graph"], sort=True):
        sig = g[g["significant"].astype(bool)]
        ns = g[~g["significant"].astype(bool) & g["p_holm"].notna()]
        parts = [f"{r.rule} {'lower' if r.diff < 0 else 'higher'} by {abs(r.diff):.3f} "
                 f"[{r.ci_low:.3f}, {r.ci_high:.3f}], Holm p {fmt_p(r.p_holm)}, g = "
                 f"{_num(r.hedges_g, 2)}" for r in sig.itertuples()]
        if len(ns):
            lo, hi = float(ns["ci_low"].min()), float(ns["ci_high"].max())
            n_lo, n_hi = int(ns["n_rule"].min()), int(ns["n_rule"].max())
            n = f"{n_lo}" if n_lo == n_hi else f"{n_lo}-{n_hi}"
            parts.append(f"no difference detected at this power for {', '.join(ns['rule'])} "
                         f"(n = {n} vs {int(ns['n_reference'].iloc[0])}; their intervals "
                         f"span [{lo:.3f}, {hi:.3f}])")
        untested = g[g["p_holm"].isna()]
        if len(untested):
            parts.append(f"not testable: {', '.join(untested['rule'])}")
        s.key(f"{data}, {graph} graph, against {REFERENCE_RULE}: " + "; ".join(parts) + ".")


def rules_section(t: dict, ctx: Context) -> Section:
    """The report's rule-comparison section, from the tables of :func:`rules_tables` alone.

    Parameters
    ----------
    t : dict
        Table name -> DataFrame (missing or empty tables are skipped).
    ctx : Context
        The report directory, the drawn figures and the running figure number.

    Returns
    -------
    Sec
        The section; its key sentences are in ``highlights``.

    Examples
    --------
    >>> s = rules_section({}, Context(Path(".")))
    >>> s.id, len(s.highlights)
    ('rules', 0)
    """
    s = Sec("rules", "Rules compared: balance, balance-exact, FA, sign-concordant, DFA")
    sel, ch = _get(t, "rules_selection"), _get(t, "rules_chosen")
    rr = _get(t, "rules_runs")
    present = pd.concat([df[["data", "graph"]] for df in (sel, rr) if
                         {"data", "graph"} <= set(df.columns)] or [pd.DataFrame(
                             columns=["data", "graph"])])
    datas = sorted({str(v) for v in present["data"]})
    graphs = [_GRAPHS.get(g, f"a {g} graph") for g in sorted({str(v) for v in present["graph"]},
                                                               reverse=True)]
    s.text(f"Supervised tasks ({', '.join(datas) or 'none run'}) on "
           f"{' and '.join(graphs) or 'no graph'}; cross-entropy, online updates. Rules: "
           "balance (the paper's literal rule), balance-exact (recurrent backprop, the exact "
           "gradient), FA = feedback alignment, sign-concordant feedback, DFA = direct "
           "feedback alignment. Two stages: the learning rate of each (data, graph, rule) is "
           "chosen on a validation split, then fresh seeds train at that rate and meet the "
           "test split once.")
    if len(sel):
        _selection_text(s, sel, ch)
    else:
        s.text("No stage-1 (rate selection) runs: the chosen rates are not documented here.")
    ctx.figure(s, "rules_selection",
               "Validation accuracy against learning rate per rule (stage 1; points: seeds, "
               "line: mean, ring: the chosen rate).")
    if len(rr):
        summ = accuracy_summary(rr)
        s.text(f"Stage 2: every (data, graph, rule) at its chosen rate, {_seeds(rr)}, trained "
               "on the whole training split and evaluated on the test split. Accuracy is over "
               "every test sample, a sample whose firing did not settle within the "
               "engine's iteration limit counted wrong; a run that failed or diverged counts 0 "
               "('failed' runs); 'nonconverged' is the mean share of unsettled test samples.")
        s.table("Test accuracy at each rule's chosen rate (mean, sd and 95% t interval over "
                "seeds).", summ)
    tests = _get(t, "rules_tests")
    if len(tests):
        _tests_text(s, tests)
    ctx.figure(s, "rules_accuracy",
               "Test accuracy at each rule's chosen rate (points: seeds; bar: mean with 95% t "
               "interval).")
    ctx.figure(s, "rules_curves",
               "Learning curves (test accuracy per epoch) at each rule's chosen rate.")
    al = _get(t, "rules_alignment")
    if len(al) and {"epoch", "cosine", "sign_agreement"} <= set(al.columns):
        last = al[al["epoch"] == al.groupby("run_id")["epoch"].transform("max")]
        tab = last.groupby(_KEYS)[["cosine", "sign_agreement"]].agg(["mean", "std", "size"])
        tab.columns = [f"{a}_{b}" if b != "size" else f"{a}_n" for a, b in tab.columns]
        tab = tab.drop(columns="sign_agreement_n").rename(columns={"cosine_n": "runs"})
        s.text("Alignment of each rule's update with the exact gradient at the end of "
               f"training: {REFERENCE_RULE} is the gradient (cosine 1 by construction); on "
               "layered graphs balance equals balance-exact.")
        s.table("Cosine between the rule's update and the negative gradient, and the share of "
                "synapses with the same sign, at the last probe (mean, sd over runs).",
                tab.reset_index())
    ctx.figure(s, "rules_alignment",
               "Cosine with the exact gradient over training.")
    rs = _get(t, "rules_structure")
    if len(rs):
        cols = [c for c in ("modularity", "q_initial_pruned", "q_z_shuffle", "within_excess",
                            "n_communities") if c in rs]
        tab = rs.groupby(["data", "rule"])[cols].mean()
        tab.insert(0, "runs", rs.groupby(["data", "rule"]).size())
        tab = tab.reset_index()
        s.table("Community structure of the final hidden-to-hidden weights per rule "
                "(recurrent graphs; mean over runs; Q z-score against weight-shuffled nulls; "
                "q initial pruned = Q of the initial graph).", tab)
        if {"modularity", "q_initial_pruned", "q_z_shuffle"} <= set(tab.columns):
            dq = (tab["modularity"] - tab["q_initial_pruned"]).abs().max()
            zmax = tab["q_z_shuffle"].abs().max()
            s.key(f"Recurrent hidden layer after training: per (data, rule), mean Q differs "
                  f"from the initial graph's by at most {dq:.3f}; the mean Q z-score against "
                  f"weight-shuffled nulls is at most {zmax:.2f} in size (see the table).")
    ctx.figure(s, "rules_structure", "Community structure and roles per rule.")
    return s


def _num(v: float, digits: int) -> str:
    return f"{float(v):.{digits}f}" if np.isfinite(float(v)) else "n/a"


def rules_claims(t: dict) -> list[dict]:
    """Rows of the report's verdict table: per (data, graph), "every rule reaches
    balance-exact's test accuracy", judged on ``rules_tests``; and "the chosen rates are
    inside the grids tried", from ``rules_chosen``.

    Parameters
    ----------
    t : dict
        Table name -> DataFrame.

    Returns
    -------
    list of dict
        Keys ``claim``, ``method``, ``null``, ``effect``, ``ci``, ``p``, ``n``,
        ``verdict``.

    Examples
    --------
    >>> rules_claims({})
    []
    """
    rows = []
    tests = _get(t, "rules_tests")
    n_tests = len(tests)
    for (data, graph), g in (tests.groupby(["data", "graph"], sort=True) if n_tests else []):
        sig = g[g["significant"].astype(bool)]
        lower, higher = sig[sig["diff"] < 0], sig[sig["diff"] > 0]
        r = (lower.sort_values("p_holm").iloc[0] if len(lower)
             else g.sort_values("diff").iloc[0])
        if len(lower):
            verdict = "rejected: " + ", ".join(lower["rule"]) + f" below {REFERENCE_RULE}"
        elif g["p_holm"].notna().any():
            verdict = ("not rejected: no gap detected at this power (not shown equal; the "
                       "ci bounds the largest gap)")
        else:
            verdict = "not testable"
        if len(higher):
            verdict += "; " + ", ".join(higher["rule"]) + f" above {REFERENCE_RULE}"
        rows.append({
            "claim": f"{data}, {graph} graph: every rule reaches {REFERENCE_RULE}'s test "
                     "accuracy",
            "method": f"Welch t over seeds per rule vs {REFERENCE_RULE}, Holm over "
                      f"{n_tests} comparisons; 95% Welch t interval",
            "null": f"mean test accuracy of the rule = {REFERENCE_RULE}'s",
            "effect": f"{r['rule']} - {REFERENCE_RULE} = {_num(r['diff'], 3)} "
                      f"(g = {_num(r['hedges_g'], 2)})",
            "ci": f"[{_num(r['ci_low'], 3)}, {_num(r['ci_high'], 3)}]",
            "p": float(r["p_holm"]),
            "n": f"{int(r['n_rule'])} vs {int(r['n_reference'])} seeds",
            "verdict": verdict})
    ch = _get(t, "rules_chosen")
    if len(ch) and "edge" in ch:
        multi = ch[ch["edge"] != "only rate"]
        edge = multi[multi["edge"] != ""]
        rows.append({
            "claim": "each chosen learning rate is inside the grid tried",
            "method": "best mean validation accuracy over seeds; grid extended past a "
                      "winning edge",
            "null": "-",
            "effect": f"{len(edge)} of {len(multi)} choices on an edge",
            "ci": "",
            "p": float("nan"),
            "n": f"{len(multi)} (data, graph, rule)",
            "verdict": ("no grid with more than one rate" if multi.empty else "holds"
                        if edge.empty else "fails for: " + ", ".join(
                            f"{r.data}/{r.graph}/{r.rule} ({r.edge})"
                            for r in edge.itertuples()))})
    return rows
