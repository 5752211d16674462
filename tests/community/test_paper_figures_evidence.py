"""Figures of the reproduction's evidence, drawn from small synthetic tables of the real schema
(the tables of community.paper.inference and the Fig. 4 arrays of community.paper.analyse)."""

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib.colors import LogNorm
from matplotlib.image import imread

from community.evidence import NULL_MODELS
from community.paper import figures_evidence as fe
from community.paper import figures_phase as fp

FUNCS = (fe.key_figure, fe.signatures, fe.plasticity, fe.collapse, fe.pooled)
NAMES = ("key_figure", "signatures", "plasticity", "collapse", "pooled")
TABLES = ("structure", "rates", "plasticity", "dynamics", "collapse", "pooled")
RATES = {"low": 0.1, "high": 0.316, "runaway": 10.0}
LRS = (0.0316, 0.1, 0.316, 1.0, 10.0)
SIGS = ("q", "ba", "bd", "hub")


def _fig4(rng, n=24):
    out = {}
    for tag, lr in RATES.items():
        W = rng.lognormal(size=(n, n)) * (rng.uniform(size=(n, n)) < 0.3)
        out[f"{tag}_trained"] = W * np.where(rng.uniform(size=(n, n)) < 0.5, -1, 1)
        out[f"{tag}_null_initial"] = rng.normal(size=(n, n)) * (rng.uniform(size=(n, n)) < 0.3)
        member = np.repeat(np.arange(4), n // 4)
        member[:3] = [4, 5, 6]  # singletons
        out[f"{tag}_membership"] = member
        out[f"{tag}_null_membership"] = np.arange(n) % 3
        out[f"{tag}_membership_sbm"] = np.arange(n) % 2
        out[f"{tag}_q_trained"] = np.float64(0.25)
        out[f"{tag}_q_null"] = np.float64(0.0625)
        out[f"{tag}_learning_rate"] = np.float64(lr)
    return out


def _structure(rng):
    rows = []
    base = {"group": "reference", "graph": "trained", "variant": "abs_modularity",
            "status": "ok", "prune": 0.9, "sigma": 0.1}
    for lr, seed in itertools.product(LRS, range(3)):
        ev = {f"ev_{s}": float(rng.normal(0.3, 0.05)) for s in SIGS}
        ev |= {f"ev_{s}_null_mean_{null}": float(rng.normal(0.1, 0.01))
               for s, null in itertools.product(SIGS, NULL_MODELS)}
        rows.append({**base, "study": "phase", "is_final": True, "step": 600,
                     "learning_rate": lr, "seed": seed, **ev})
        # rows the signature figure must leave out
        rows.append({**rows[-1], "graph": "null_initial", "ev_q": 99.0})
        rows.append({**rows[-2], "status": "unstable", "ev_q": 99.0})
        for step in (0, 200, 600, 1800):
            rows.append({**base, "study": "duration", "is_final": step == 1800, "step": step,
                         "learning_rate": lr, "seed": seed,
                         **{f"ev_{s}": float(np.tanh(np.log10(lr) + 0.5 * np.log10(step + 1)
                                                     - 1.5)) for s in SIGS}})
    return pd.DataFrame(rows)


@pytest.fixture(scope="module")
def tables():
    rng = np.random.default_rng(0)
    plast = pd.DataFrame({"learning_rate": LRS, "runs": 3, "unstable": [0, 0, 0, 0, 2],
                          "isolated": [0.0, 0.0, 0.01, 0.1, 0.5],
                          "saturated": [0.0, 0.0, 0.02, 0.2, 0.6],
                          "moving_share": [0.6, 0.4, 0.2, 0.05, np.nan],
                          "weight_growth": [1.1, 1.5, 3.0, 30.0, 1e4],
                          "weight_abs_max": [1.0, 2.0, 3.0, 30.0, 1e4],
                          "plastic": [True, True, True, False, False]})
    dyn = pd.DataFrame([{"study": study, "run_id": f"{study}{lr}{seed}", "group": "reference",
                         "learning_rate": lr, "seed": seed, "iteration": it,
                         "weight_abs_max": (1 + lr) ** (it / 600) * (1 + 0.1 * seed)}
                        for study, lr, seed, it in itertools.product(
                            ("duration", "development"), LRS, range(3), (0, 600, 1200, 1800))])
    coll = pd.DataFrame([{"signature": s, "range": rg, "alpha": a, "ci_low": a - 0.2,
                          "ci_high": a + 0.2, "n_points": 45}
                         for s in ("q", "bd", "hub", "log_offdiag")
                         for rg, a in (("plastic", 0.5), ("all stable", 0.75))])
    pooled = pd.DataFrame([{"signature": s, "term": term, "coef": c, "se": 0.1,
                            "ci_low": c - 0.2, "ci_high": c + 0.2, "p": 0.01 if c < 0 else 0.4}
                           for s in ("q", "ba", "bd", "hub", "log_offdiag")
                           for term, c in (("log_r", -0.3), ("log_r:prune", 0.1),
                                           ("slope at p=0", 0.05), ("slope at p=0.5", -0.1),
                                           ("slope at p=0.9", -0.4))])
    return {"structure": _structure(rng),
            "rates": pd.DataFrame({"name": list(RATES), "learning_rate": list(RATES.values())}),
            "plasticity": plast, "dynamics": dyn, "collapse": coll, "pooled": pooled,
            "fig4": _fig4(rng)}


def _keep_figures(monkeypatch):
    """Figures handed to save_png, kept unsaved (saving clears a figure)."""
    figs = []

    def keep(fig, out_dir, name):
        figs.append(fig)
        return out_dir / name

    monkeypatch.setattr(fe, "save_png", keep)
    return figs


@pytest.fixture(scope="module")
def drawn(tables, tmp_path_factory):
    out = tmp_path_factory.mktemp("evidence")
    return out, fe.draw_all(tables, out)


@pytest.mark.parametrize("empty", [{}, {**{t: pd.DataFrame() for t in TABLES}, "fig4": {}}],
                         ids=["no-tables", "empty-tables"])
def test_every_figure_is_none_without_data(empty, tmp_path):
    for fn in FUNCS:
        assert fn(empty, tmp_path) is None, fn.__name__
    assert fe.draw_all(empty, tmp_path) == {}
    assert list(tmp_path.iterdir()) == []


def test_draw_all_of_nothing_is_empty(tmp_path):
    assert fe.draw_all({}, tmp_path) == {}


def test_draw_all_returns_the_report_names(drawn):
    _out, paths = drawn
    assert set(paths) == set(NAMES)


@pytest.mark.parametrize("fn", FUNCS, ids=lambda f: f.__name__)
def test_each_figure_writes_a_readable_png(fn, drawn):
    out, paths = drawn
    path = paths[fn.__name__]
    assert path == out / f"{fn.__name__}.png" and path.stat().st_size > 0
    img = imread(path)
    assert img.ndim == 3 and min(img.shape[:2]) > 200
    assert not list(out.glob(".*.png"))  # no temporary file left behind


def test_key_figure_draws_the_tables_partitions_and_computes_none(tables, tmp_path,
                                                                  monkeypatch):
    from community import detect, measures

    def computed(*args, **kwargs):
        raise AssertionError("a figure computed a partition or a measure")

    for module, name in ((detect, "leiden"), (detect, "louvain"), (measures, "modularity")):
        monkeypatch.setattr(module, name, computed)
    seen = []
    original = fe.weight_heatmap

    def record(A, m, **kw):
        ax = original(A, m, **kw)
        seen.append((np.asarray(m), ax))
        return ax

    monkeypatch.setattr(fe, "weight_heatmap", record)
    _keep_figures(monkeypatch)
    fig4 = tables["fig4"]
    assert fe.key_figure(tables, tmp_path) == tmp_path / "key_figure.png"
    assert len(seen) == 9
    # panels are drawn column by column: block model, Leiden, null by its own Leiden
    for (m, ax), (tag, key) in zip(seen, itertools.product(
            fe.TAGS, ("membership_sbm", "membership", "null_membership")), strict=True):
        np.testing.assert_array_equal(m, fig4[f"{tag}_{key}"])
        assert f"r = {float(fig4[f'{tag}_learning_rate']):g}" in ax.get_title()
        im = ax.images[0]
        assert isinstance(im.norm, LogNorm)
        assert tuple(im.cmap.get_bad()[:3]) == (1.0, 1.0, 1.0)  # no synapse: white
    titles = [ax.get_title() for _m, ax in seen]
    assert "(low)" in titles[0] and "(plastic high)" in titles[3]
    assert "(runaway reference)" in titles[6]
    assert "Q = 0.250" in titles[1] and "Q = 0.062" in titles[2]


def test_key_figure_with_tags_or_partitions_missing(tables, tmp_path):
    fig4 = {k: v for k, v in tables["fig4"].items()
            if not k.startswith("runaway") and not k.startswith("high_membership_sbm")
            and "_q_" not in k and "null_membership" not in k}
    path = fe.key_figure({"fig4": fig4}, tmp_path)
    assert path.name == "key_figure.png" and imread(path).ndim == 3
    only_high = {k: v for k, v in tables["fig4"].items() if k.startswith("high")}
    assert fe.key_figure({"fig4": only_high}, tmp_path).is_file()


def test_signatures_select_the_stable_trained_reference_rows(tables, tmp_path, monkeypatch):
    figs = _keep_figures(monkeypatch)
    path = fe.signatures(tables, tmp_path)
    assert path.name == "signatures.png"
    axes = [ax for ax in figs[0].axes if ax.get_title()]
    assert len(axes) == len(SIGS)
    st = tables["structure"]
    ok = st[(st.study == "phase") & (st.graph == "trained") & (st.status == "ok")]
    for ax in axes:
        trained, *nulls = [ln for ln in ax.lines if ln.get_linestyle() in ("-", "--")
                           and len(ln.get_xdata()) == len(LRS)]
        assert len(nulls) == len(NULL_MODELS)
        assert all(ln.get_linestyle() == "--" for ln in nulls)
        if ax.get_title().startswith("modularity"):
            want = ok.groupby("learning_rate")["ev_q"].mean().to_numpy()
            np.testing.assert_allclose(trained.get_ydata(), want)  # the 99s are left out
        marked = {round(float(ln.get_xdata()[0]), 4) for ln in ax.lines
                  if ln.get_linestyle() == ":"}
        assert marked == set(RATES.values())


def test_collapse_uses_the_first_alpha_of_each_signature(tables, tmp_path, monkeypatch):
    figs = _keep_figures(monkeypatch)
    assert fe.collapse(tables, tmp_path).name == "collapse.png"
    titles = [ax.get_title() for ax in figs[0].axes]
    right = [t for t in titles if t.startswith("collapsed")]
    assert len(right) == 3
    assert all("α = 0.50 [0.30, 0.70] (plastic rates)" in t for t in right)
    # without a fit the right column says so; the left still draws
    no_fit = {**tables, "collapse": pd.DataFrame()}
    assert fe.collapse(no_fit, tmp_path) is not None
    assert "no data: collapse fit of q" in [t.get_text() for t in figs[1].axes[1].texts]


def test_pooled_draws_only_the_slopes(tables, tmp_path, monkeypatch):
    figs = _keep_figures(monkeypatch)
    assert fe.pooled(tables, tmp_path).name == "pooled.png"
    axes = [ax for ax in figs[0].axes if ax.get_title()]
    assert len(axes) == 5
    for ax in axes:
        xs = sorted(float(x) for ln in ax.lines if ln.get_marker() == "o"
                    for x in ln.get_xdata())
        assert xs == [0.0, 0.5, 0.9]
    no_slopes = {"pooled": tables["pooled"][~tables["pooled"]["term"].str.startswith("slope")]}
    assert fe.pooled(no_slopes, tmp_path) is None


def test_plasticity_draws_with_one_of_its_tables(tables, tmp_path):
    assert fe.plasticity({"plasticity": tables["plasticity"]}, tmp_path).is_file()
    assert fe.plasticity({"dynamics": tables["dynamics"]}, tmp_path).is_file()
    dev_only = tables["dynamics"][tables["dynamics"]["study"] == "development"]
    assert fe.plasticity({"dynamics": dev_only}, tmp_path) is None


def test_mean_ci_is_a_t_interval():
    m, lo, hi = fe.mean_ci([1.0, 2.0, 3.0, np.nan])
    assert m == 2.0 and np.isclose(hi - m, 4.302652729911275 / np.sqrt(3))
    assert all(np.isnan(fe.mean_ci([])))


def test_phase_figures_read_the_rates_table():
    rates = pd.DataFrame({"name": ["low", "high", "runaway"],
                          "learning_rate": [0.1, np.nan, 10.0]})
    assert fp.contrast_rates({"rates": rates}) == {"low": 0.1, "runaway": 10.0}
    assert fp.contrast_rates({"rates": pd.DataFrame()}) == {}
    assert not hasattr(fp, "fig4_pair")
