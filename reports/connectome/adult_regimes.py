"""The rule on the adult worm's wiring: what structure does Algorithm 1 build at each
learning-rate regime on the adult C. elegans connectome, compared with the anatomy?

Data. ``witvliet2021-8`` (`wiring.connectomes`): Witvliet et al. 2021 dataset 8, the
adult brain (nerve ring), chemical synapses, 180 neurons, 1,933 connections, 7,099
synapses; classes 69 sensory, 75 inter, 36 motor. Chosen over ``cook2019-herm`` because it
is the end point of the eight-stage series that ``witvliet_development.py`` analyses
(same neurons, same counting of synapses as active zones, not Cook's EM serial sections),
so the rule's results and real development are measured on one wiring diagram; it is
also smaller (180 rather than ~300 neurons), which the compute budget needs.

Method. The paper's Algorithm 1 (``wiring.simulate``: tanh neurons, f = tanh', 10% of the
neurons credit-clamped, noise sigma = 0.1 on rates and credit, one step of each process
per iteration, 6,000 iterations as in the paper reproduction) on the connectome's
directed graph, starting from the synapse counts scaled as ``wiring train`` scales them
(``graph.weights = "file"``, ``graph.weight_scale = "auto"``: the random
initialisation's root-mean-square weight; ``wiring.graphs.families.load_source``).
Learning rates on the reproduction's half-decade grid: 0.0316, 0.1 (plastic-low there),
0.316 (no longer plastic there), 1, 10 (runaway there); 10 seeds each (a seed chooses the
credit-clamped neurons and the noise; the initial weights are the same in every run).
No pruning (prune = 0): the paper prunes 90% of an all-to-all matrix to make a sparse
wiring diagram; the connectome already is one (6% of ordered pairs), and pruning 90% of
its synapses would leave ~190 and cut the graph apart. The rule therefore re-weights the
worm's own synapses; the topology is fixed. A run whose dynamics or weights diverge is
recorded as unstable with its reason and never measured.

Measures, on |W| of each run's final weights and on the synapse counts
(``community.evidence.structure_evidence``): modularity Q (directed Louvain, best of
two), block disassortativity and block assortativity of a degree-corrected block model
(``community.blocks.fit_blocks``, number of blocks by description length, |w| as a
lognormal edge covariate: with a fixed topology a model of the synapses alone would see
the same graph in every run), hub share (top-10% strength share). Partitions: Leiden on
|W| (``community.leiden``, modularity, seed 0) and the block model's; each compared by
ARI and NMI (sklearn, via ``community.agreement``) with the anatomical classes
(sensory/inter/motor) and with the connectome's own Leiden and block partitions.
Plasticity as the paper reproduction defines it (``community.paper.inference``
criteria): the share of synapses still moving (|w| changing by > 1% between iterations
4,000 and 6,000), isolated and saturated (f < 1e-3) neurons, max |w| growth.

Nulls, 20 draws each, for every run and for the connectome: the weights shuffled over
the same synapses (``shuffle``: keeps the topology, here the anatomy's) and
degree-preserving rewiring (``rewire``: each synapse keeps its source and weight).
``structure_evidence`` gives Q, bd, ba and hub against them (the block model refitted
on each draw with the observed number of blocks); the class agreements are measured on
independent draws of the same nulls (``community.evidence.null_draws``: Leiden and a
block model with the observed number of blocks on each draw). A measure *beats* a null
in one run when its one-sided empirical p <= 0.05 and z >= 2 (``community.evidence``);
over seeds, the count of such runs is tested against the 5% expected by chance
(one-sided binomial). The init-pruned null is left out: without pruning it is the
counts permuted over the same synapses, and the rule's runs are compared with the
counts themselves by the tests below.

Tests over seeds. Each rate against the connectome: one-sample t of the 10 seeds'
values against the connectome's value; for the agreement with the connectome's own
partitions, the reference is the connectome against itself (Leiden seeds 1-10 and
block-model seeds 1-10 against seed 0; Welch t, ``community.stats.compare``). Between
regimes: paired t of each rate against r = 0.1 (the same seed shares the clamped
neurons and the noise streams), and Friedman's test over all rates per measure. Holm
within each family (rate vs connectome; rate vs 0.1; Friedman). A non-significant test is "not
detected at this power", with the effect a two-sided test at alpha 0.05 would detect
with 80% power (statsmodels, from the observed sd).

Run from the repository root:
    .venv/bin/python reports/connectome/adult_regimes.py            # ~8 CPU-minutes
    .venv/bin/python reports/connectome/adult_regimes.py --tables   # tables from runs CSV
It writes beside this file: adult_regimes_runs.csv (one row per run and one for the
connectome, every measure and null z/p), adult_regimes_plasticity.csv (per rate),
adult_regimes_tests.csv (every test) and adult_regimes_results.csv (the short table),
and prints the short table.
"""

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.power import TTestIndPower, TTestPower

from community import agreement, fit_blocks, leiden
from community.evidence import P_MAX, Z_MIN, null_draws, null_statistics, structure_evidence
from community.paper.claims import holm
from community.paper.inference import (
    PLASTIC_ISOLATED_MAX,
    PLASTIC_MOVING_MIN,
    PLASTIC_SATURATED_MAX,
    R_LOW,
    binomial_p,
)
from community.stats import compare
from community.structure import isolated_fraction, saturated_fraction
from wiring.config import TrainConfig, apply_overrides
from wiring.graphs.families import load_source
from wiring.simulate import simulate

HERE = Path(__file__).resolve().parent
NAME = "witvliet2021-8"
RATES = (0.0316, 0.1, 0.316, 1.0, 10.0)
SEEDS = tuple(range(10))
ITERATIONS = 6000
PRUNE = 0.0
N_NULL = 20
NULLS = ("shuffle", "rewire")
BLOCK_WEIGHTS = "lognormal"
N_SELF = 10  # analysis seeds of the connectome's self-agreement
MOVING_RELATIVE = 0.01
SIGNATURES = ("q", "bd", "ba", "hub")
CLASS_AGREEMENT = ("ari_leiden_classes", "nmi_leiden_classes", "ari_sbm_classes",
                   "nmi_sbm_classes")
OWN_AGREEMENT = ("ari_leiden_own", "nmi_leiden_own", "ari_sbm_own", "nmi_sbm_own")
WITH_NULLS = SIGNATURES + CLASS_AGREEMENT
MEASURES = WITH_NULLS + OWN_AGREEMENT


def source():
    """The connectome as ``wiring train`` reads it: graph, scaled counts, raw counts."""
    cfg = apply_overrides(TrainConfig(), ["task.kind='noise'", "graph.family=connectome",
                                          f"graph.name={NAME}"])
    src = load_source(cfg)
    return src.graph, src.weight, src.weight / src.config.graph.weight_scale


def dense(graph, weight):
    W = np.zeros((graph.n, graph.n))
    W[graph.dst, graph.src] = weight
    return W


def class_nulls(A, K, classes, seed):
    """ARI/NMI of Leiden and of a K-block model with the classes on each null draw."""
    out = {}
    for k, null in enumerate(NULLS):
        draws = {m: [] for m in CLASS_AGREEMENT}
        for j, V in enumerate(null_draws(A, None, null=null, n=N_NULL, seed=seed + k)):
            V = np.abs(V)
            lei = agreement(leiden(V, seed=j).membership, classes)
            sbm = (agreement(fit_blocks(V, n_blocks=K, weights=BLOCK_WEIGHTS, n_init=2,
                                        seed=j).membership, classes)
                   if K > 1 else {"ari": 0.0, "nmi": 0.0})
            for kind, agr in (("leiden", lei), ("sbm", sbm)):
                for stat in ("ari", "nmi"):
                    draws[f"{stat}_{kind}_classes"].append(agr[stat])
        out[null] = draws
    return out


def measure(A, classes, own, seed, balance=None):
    """Every measure of |W| = ``A`` with its null z and p; ``own``: the connectome's
    Leiden and block memberships (None for the connectome itself)."""
    ev = structure_evidence(A, None, n_null=N_NULL, null_models=NULLS,
                            block_weights=BLOCK_WEIGHTS, balance=balance, seed=seed)
    sbm = ev.pop("membership_sbm")
    lei = leiden(A, seed=0)
    row = {k: ev[k] for k in SIGNATURES}
    row.update({"leiden_k": lei.n_communities, "sbm_blocks": ev["sbm_blocks"],
                "saturated": ev["saturated_fraction"], "isolated": ev["isolated_fraction"]})
    for kind, m in (("leiden", lei.membership), ("sbm", sbm)):
        agr = agreement(m, classes)
        row[f"ari_{kind}_classes"], row[f"nmi_{kind}_classes"] = agr["ari"], agr["nmi"]
        if own is not None:
            agr = agreement(m, own[kind])
            row[f"ari_{kind}_own"], row[f"nmi_{kind}_own"] = agr["ari"], agr["nmi"]
    for null in NULLS:
        for sig in SIGNATURES:
            row[f"{sig}_z_{null}"] = ev[f"{sig}_z_{null}"]
            row[f"{sig}_p_{null}"] = ev[f"{sig}_p_{null}"]
    for null, draws in class_nulls(A, ev["sbm_blocks"], classes, seed + 7).items():
        for m in CLASS_AGREEMENT:
            st = null_statistics(row[m], draws[m])
            row[f"{m}_z_{null}"], row[f"{m}_p_{null}"] = st["z"], st["p"]
    for null in NULLS:
        for m in WITH_NULLS:
            row[f"{m}_beats_{null}"] = bool(row[f"{m}_p_{null}"] <= P_MAX
                                            and row[f"{m}_z_{null}"] >= Z_MIN)
    return row, {"leiden": lei.membership, "sbm": sbm}


def self_agreement(C, own):
    """The connectome against itself: Leiden and block model, seeds 1..N_SELF vs 0."""
    rows = []
    for s in range(1, N_SELF + 1):
        lei = agreement(leiden(C, seed=s).membership, own["leiden"])
        sbm = agreement(fit_blocks(C, weights=BLOCK_WEIGHTS, n_init=2, seed=s).membership,
                        own["sbm"])
        rows.append({"source": "connectome (self)", "learning_rate": np.nan, "seed": s,
                     "status": "ok", "ari_leiden_own": lei["ari"], "nmi_leiden_own": lei["nmi"],
                     "ari_sbm_own": sbm["ari"], "nmi_sbm_own": sbm["nmi"]})
    return rows


def train(graph, w0, counts, lr, seed):
    """One run: status and plasticity, then (if stable) every measure."""
    res = simulate(graph, learning_rate=lr, iterations=ITERATIONS, prune=PRUNE, weight=w0,
                   seed=seed, snapshot_at=[4000, ITERATIONS])
    row = {"source": f"r = {lr:g}", "learning_rate": lr, "seed": seed, "status": res.status,
           "reason": res.reason, "iterations": res.iterations}
    if res.status != "ok":
        return row, None, None
    w = res.weight
    before = np.abs(res.snapshots[0][1])
    after = np.abs(w)
    live = after > 0
    A = np.abs(dense(graph, w))
    k = A.sum(axis=0) + A.sum(axis=1)
    top = np.argsort(-k, kind="stable")[:int(np.ceil(0.1 * graph.n))]
    row.update({
        "weight_abs_max": float(after.max()),
        "weight_growth": float(after.max() / np.abs(w0).max()),
        "negative_share": float(np.mean(w < 0)),
        "moving_share": float(np.mean(np.abs(after - before)[live]
                                      > MOVING_RELATIVE * after[live])),
        "spearman_counts": float(stats.spearmanr(after, counts).statistic),
        "hub_clamped_share": float(np.isin(top, res.clamped).mean()),
    })
    return row, A, res.states[-1][2]


def run_all() -> pd.DataFrame:
    graph, w0, counts = source()
    classes = np.unique(np.asarray(graph.node_attrs["class"]), return_inverse=True)[1]
    C = dense(graph, counts)
    t0 = time.process_time()
    row, own = measure(C, classes, None, seed=0)
    row.update({"source": "connectome", "learning_rate": np.nan, "seed": np.nan,
                "status": "ok", "isolated": isolated_fraction(C), "saturated": np.nan})
    rows = [row] + self_agreement(C, own)
    for i, lr in enumerate(RATES):
        for seed in SEEDS:
            row, A, balance = train(graph, w0, counts, lr, seed)
            if A is not None:
                m, _ = measure(A, classes, own, seed=1000 * (i + 1) + seed, balance=balance)
                row.update(m)
                row["saturated"] = saturated_fraction(balance)
            rows.append(row)
            print(f"r = {lr:g} seed {seed}: {row['status']} "
                  f"({time.process_time() - t0:.0f} s CPU)", file=sys.stderr)
    df = pd.DataFrame(rows)
    df.to_csv(HERE / "adult_regimes_runs.csv", index=False)
    return df


def plasticity(runs: pd.DataFrame) -> pd.DataFrame:
    """Per rate: unstable runs and the paper reproduction's plastic criteria (medians)."""
    trained = runs[runs["learning_rate"].notna()]
    ok = trained[trained["status"] == "ok"]
    sat_low = ok.loc[np.isclose(ok["learning_rate"], R_LOW), "saturated"].median()
    rows = []
    for lr, g in trained.groupby("learning_rate"):
        good = g[g["status"] == "ok"]
        med = good[["moving_share", "isolated", "saturated", "weight_growth",
                    "negative_share", "spearman_counts", "hub", "hub_clamped_share"]].median()
        row = {"learning_rate": lr, "runs": len(g), "unstable": int(len(g) - len(good)),
               "unstable_reasons": "; ".join(sorted(set(g.loc[g["status"] != "ok",
                                                                "reason"]))),
               **med.to_dict()}
        row["plastic"] = bool(row["unstable"] == 0
                              and row["moving_share"] >= PLASTIC_MOVING_MIN
                              and row["isolated"] <= PLASTIC_ISOLATED_MAX
                              and row["saturated"] <= sat_low + PLASTIC_SATURATED_MAX)
        rows.append(row)
    return pd.DataFrame(rows)


def _mde(sd: float, n: int) -> float:
    """The effect a two-sided one-sample/paired t at alpha 0.05 detects with 80% power
    (the Welch comparisons use the two-sample t's, from the pooled sd)."""
    if n < 2 or not np.isfinite(sd):
        return np.nan
    return float(TTestPower().solve_power(nobs=n, alpha=0.05, power=0.8) * sd)


def _verdict(effect: float, p_holm: float, mde: float) -> str:
    if not np.isfinite(p_holm):
        return "untested (no variance over seeds)"
    if p_holm < 0.05:
        return "higher" if effect > 0 else "lower"
    return f"not detected at this power (80% for |effect| >= {mde:.3g})"


def tests(runs: pd.DataFrame) -> pd.DataFrame:
    """Each rate vs the connectome; each rate vs r = 0.1 (paired); Friedman over rates."""
    conn = runs[runs["source"] == "connectome"].iloc[0]
    self_ = runs[runs["source"] == "connectome (self)"]
    ok = runs[runs["learning_rate"].notna() & (runs["status"] == "ok")]
    vs_conn, vs_low, omnibus = [], [], []
    for m in MEASURES:
        for lr, g in ok.groupby("learning_rate"):
            x = g[m].to_numpy(float)
            if m in OWN_AGREEMENT:
                ref = self_[m].to_numpy(float)
                c = compare(ref, x, n_perm=2000, seed=0)
                p, test, refv = c["p_welch"], "Welch t vs the connectome's self-agreement", \
                    float(ref.mean())
                pooled = np.sqrt(((x.size - 1) * x.var(ddof=1) + (ref.size - 1)
                                  * ref.var(ddof=1)) / (x.size + ref.size - 2))
                mde = float(TTestIndPower().solve_power(nobs1=x.size, ratio=ref.size / x.size,
                                                        alpha=0.05, power=0.8) * pooled)
            else:
                refv = float(conn[m])
                p = float(stats.ttest_1samp(x, refv).pvalue)
                test = "one-sample t vs the connectome's value"
                mde = _mde(x.std(ddof=1), x.size)
            vs_conn.append({"family": "rate vs connectome", "measure": m, "a": "connectome",
                            "b": f"r = {lr:g}", "test": test, "n": x.size,
                            "reference": refv, "mean": x.mean(), "effect": x.mean() - refv,
                            "p": p, "mde80": mde})
        low = ok[np.isclose(ok["learning_rate"], R_LOW)].set_index("seed")[m]
        for lr, g in ok.groupby("learning_rate"):
            if np.isclose(lr, R_LOW):
                continue
            pair = pd.concat([low, g.set_index("seed")[m]], axis=1, join="inner").dropna()
            d = (pair.iloc[:, 1] - pair.iloc[:, 0]).to_numpy(float)
            p = float(stats.ttest_rel(pair.iloc[:, 1], pair.iloc[:, 0]).pvalue)
            vs_low.append({"family": "rate vs r = 0.1", "measure": m, "a": f"r = {R_LOW:g}",
                           "b": f"r = {lr:g}", "test": "paired t over seeds", "n": d.size,
                           "reference": pair.iloc[:, 0].mean(), "mean": pair.iloc[:, 1].mean(),
                           "effect": d.mean(), "p": p, "mde80": _mde(d.std(ddof=1), d.size)})
        wide = ok.pivot(index="seed", columns="learning_rate", values=m).dropna()
        chi = stats.friedmanchisquare(*[wide[c] for c in wide.columns])
        omnibus.append({"family": "Friedman over rates", "measure": m, "a": "all rates",
                        "b": "all rates", "test": "Friedman chi-square over seeds stable at "
                        "every rate", "n": len(wide), "effect": float(chi.statistic),
                        "p": float(chi.pvalue), "p_holm": float(chi.pvalue)})
    out = []
    for fam in (vs_conn, vs_low):
        df = pd.DataFrame(fam)
        df["p_holm"] = holm(df["p"].to_numpy())
        df["verdict"] = [_verdict(e, p, d) for e, p, d in
                         zip(df["effect"], df["p_holm"], df["mde80"], strict=True)]
        out.append(df)
    om = pd.DataFrame(omnibus)
    om["p_holm"] = holm(om["p"].to_numpy())
    om["verdict"] = np.where(om["p_holm"] < 0.05, "differs between rates",
                             "not detected at this power")
    out.append(om)
    return pd.concat(out, ignore_index=True)


def results(runs: pd.DataFrame, tested: pd.DataFrame) -> pd.DataFrame:
    """The short table: per source and measure, mean (sd) over seeds, null beats, test."""
    vs = tested[tested["family"] == "rate vs connectome"].set_index(["b", "measure"])
    rows = []
    sources = ["connectome", "connectome (self)"] + [f"r = {lr:g}" for lr in RATES]
    for src in sources:
        g = runs[(runs["source"] == src) & (runs["status"] == "ok")]
        for m in MEASURES:
            if m not in g or g[m].isna().all():
                continue
            x = g[m].dropna()
            row = {"source": src, "measure": m, "n": len(x), "mean": x.mean(),
                   "sd": x.std(ddof=1) if len(x) > 1 else np.nan}
            for null in NULLS:
                col = f"{m}_beats_{null}"
                if col in g and m in WITH_NULLS:
                    k = int(g[col].astype(bool).sum())
                    row[f"beats_{null}"] = f"{k}/{len(g)}"
                    # over seeds, against the 5% one run beats a null by chance
                    row[f"binom_p_{null}"] = binomial_p(k, len(g)) if len(g) > 1 else np.nan
                    row[f"median_z_{null}"] = g[f"{m}_z_{null}"].median()
            if (src, m) in vs.index:
                t = vs.loc[(src, m)]
                row.update({"vs_connectome": t["effect"], "p_holm": t["p_holm"],
                            "verdict_vs_connectome": t["verdict"]})
            rows.append(row)
    return pd.DataFrame(rows)


def main(rerun: bool = True) -> pd.DataFrame:
    runs = run_all() if rerun else pd.read_csv(HERE / "adult_regimes_runs.csv")
    plastic = plasticity(runs)
    plastic.to_csv(HERE / "adult_regimes_plasticity.csv", index=False)
    tested = tests(runs)
    tested.to_csv(HERE / "adult_regimes_tests.csv", index=False)
    table = results(runs, tested)
    table.to_csv(HERE / "adult_regimes_results.csv", index=False)
    with pd.option_context("display.width", 200, "display.max_rows", 200,
                           "display.max_colwidth", 60):
        print(f"{NAME}, prune {PRUNE:g}, {ITERATIONS} iterations, {len(SEEDS)} seeds per "
              f"rate, {N_NULL} draws per null ({', '.join(NULLS)}); |W|.")
        print("\nPlasticity per rate (medians over stable seeds):")
        print(plastic.round(4).to_string(index=False))
        print("\nResults (mean over seeds; beats = runs with p <= 0.05 and z >= 2):")
        print(table.round(4).to_string(index=False))
        between = tested[tested["family"] != "rate vs connectome"]
        print("\nBetween regimes:")
        print(between[["family", "measure", "b", "n", "effect", "p_holm", "verdict"]]
              .round(4).to_string(index=False))
    return table


if __name__ == "__main__":
    main(rerun="--tables" not in sys.argv[1:])
