"""community.plot: every function draws fabricated tables and returns what it drew on."""

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from community import plot, plot_matrices

matplotlib.use("Agg")

LRS = (0.001, 0.01, 0.1)
SEEDS = (0, 1, 2)


def data_lines(ax):
    """The mean lines drawn for data (not nulls, error bars, legend proxies or guides)."""
    return [line for line in ax.lines if line.get_gid() == "mean"]


def legend_labels(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


@pytest.fixture
def final():
    rng = np.random.default_rng(1)
    rows = [{"group": g, "learning_rate": lr, "seed": s, "modularity": rng.uniform(0, 0.6),
             "within_excess": rng.uniform(0.5, 3), "offdiag_index": rng.uniform(0, 2),
             "n_communities": int(rng.integers(2, 9)), "q_z_shuffle": rng.normal(3, 1)}
            for g in ("noise", "digits") for lr in LRS for s in SEEDS]
    return pd.DataFrame(rows)


@pytest.fixture
def snapshots():
    rng = np.random.default_rng(2)
    rows = [{"learning_rate": lr, "seed": s, "step_fraction": f,
             "modularity": f * (0.5 - lr) + rng.normal(0, 0.01)}
            for lr in LRS for s in SEEDS for f in (0.0, 0.25, 0.5, 1.0)]
    return pd.DataFrame(rows)


@pytest.fixture
def training():
    noise = pd.DataFrame([{"run_id": f"n{lr}{s}", "group": "noise", "learning_rate": lr,
                           "seed": s, "iteration": it, "weight_abs_max": 0.5 + lr * it,
                           "density": 1 - it / 500, "firing_iterations_mean": 1.0,
                           "credit_iterations_mean": 1.0, "settle_capped": 0}
                          for lr in LRS for s in SEEDS for it in range(0, 101, 20)])
    sup = pd.DataFrame([{"run_id": f"d{lr}{s}", "group": "digits", "learning_rate": lr,
                         "seed": s, "epoch": e, "step": 10 * e, "train_loss": 2 / (1 + lr * e),
                         "test_accuracy": 1 - 1 / (1 + lr * e), "firing_iterations_mean": 20 - e,
                         "credit_iterations_mean": 30 - e, "nonconverged": e % 2}
                        for lr in LRS[1:] for s in SEEDS for e in range(5)])
    return noise, sup


# --------------------------------------------------------------------------- matrices


def test_heatmap_puts_communities_contiguously_rows_postsynaptic():
    rng = np.random.default_rng(0)
    n = 13
    W = rng.normal(size=(n, n))  # asymmetric: W[i, j] onto i from j
    m = rng.integers(0, 4, n)
    ax = plot.weight_heatmap(W, m, title="t")
    order = np.argsort(m, kind="stable")
    image = np.asarray(ax.images[0].get_array())
    np.testing.assert_array_equal(image, W[np.ix_(order, order)])
    # contiguous communities, original order kept inside each community
    assert (np.diff(m[order]) >= 0).all()
    for c in np.unique(m):
        assert (np.diff(order[m[order] == c]) > 0).all()
    k = np.unique(m).size
    assert sum(line.get_gid() == "boundary" for line in ax.lines) == 2 * (k - 1)
    assert ax.get_xlabel().startswith("presynaptic j") and ax.get_ylabel().startswith(
        "postsynaptic i")
    lo, hi = ax.images[0].get_clim()
    assert hi == pytest.approx(np.percentile(np.abs(W), 99)) and lo == -hi
    assert ax.images[0].get_cmap().name == "RdBu_r"
    assert len(ax.figure.axes) == 2  # heatmap + colour bar


def test_heatmap_options_and_errors():
    W = np.array([[0.0, 2.0], [-1.0, 0.0]])
    ax = plot.weight_heatmap(W, [0, 0], vmax=5.0, colorbar=False)
    assert ax.images[0].get_clim() == (-5.0, 5.0) and len(ax.figure.axes) == 1
    assert not [line for line in ax.lines if line.get_gid() == "boundary"]
    assert plot.weight_heatmap(np.zeros((3, 3)), [0, 1, 2]).images[0].get_clim() == (-1.0, 1.0)
    with pytest.raises(ValueError, match="membership"):
        plot.weight_heatmap(np.zeros((3, 3)), [0, 1])
    with pytest.raises(ValueError, match="square"):
        plot.weight_heatmap(np.zeros((3, 2)), [0, 1, 2])


def test_heatmap_draws_on_given_axes():
    fig, axes = plot.panel_figure(2)
    assert plot.weight_heatmap(np.eye(3), [0, 1, 0], ax=axes[1], colorbar=False) is axes[1]
    assert not axes[0].images


def test_heatmap_grid_one_panel_per_learning_rate():
    rng = np.random.default_rng(3)
    panels = [(f"r = {lr:g}", rng.normal(size=(8, 8)), rng.integers(0, 3, 8)) for lr in LRS]
    fig = plot.heatmap_grid(panels)
    assert isinstance(fig, Figure)
    image_axes = [ax for ax in fig.axes if ax.images]
    assert [ax.get_title() for ax in image_axes] == [p[0] for p in panels]
    for ax, (_, W, m) in zip(image_axes, panels, strict=True):
        o = np.argsort(m, kind="stable")
        np.testing.assert_array_equal(ax.images[0].get_array(), W[np.ix_(o, o)])


def test_block_heatmap_and_grid():
    B = pd.DataFrame([[1.0, 0.2, 0.1], [0.3, 0.9, 0.0], [0.1, 0.1, 0.7]],
                     index=[0, 1, 2], columns=[0, 1, 2])
    ax = plot.block_heatmap(B, title="blocks")
    np.testing.assert_array_equal(ax.images[0].get_array(), B.to_numpy())
    assert len(ax.texts) == 9 and ax.get_xlabel() == "from block b"
    assert ax.get_ylabel() == "to block a" and ax.get_title() == "blocks"
    big = plot.block_heatmap(np.ones((10, 10)), colorbar=False)
    assert not big.texts
    fig = plot.block_grid([("a", B), ("b", np.eye(2))], ncols=1)
    assert sum(1 for a in fig.axes if a.images) == 2


def test_heatmap_labels_no_block_too_small_to_hold_its_label():
    # 200 neurons: two large blocks, three of 2 neurons side by side, one of 14
    m = np.repeat([0, 1, 2, 3, 4, 5], [90, 90, 2, 2, 2, 14])
    ax = plot.weight_heatmap(np.ones((200, 200)), m, colorbar=False)
    labels = [t.get_text() for t in ax.get_xticklabels()]
    # 3 and 4 sit 2 and 4 neurons from 2's label (less than TICK_GAP x 200 = 9): left out
    assert labels == ["0", "1", "2", "5"]
    assert np.diff(ax.get_xticks()).min() >= plot_matrices.TICK_GAP * 200
    assert [t.get_text() for t in ax.get_yticklabels()] == labels
    assert len([ln for ln in ax.lines if ln.get_gid() == "boundary"]) == 10  # lines stay
    # a longer label needs more room: "single" beside a one-digit block
    m = np.repeat(np.arange(9), [60, 30, 4, 1, 1, 1, 1, 1, 1])  # 3-8 alone: "single"
    for single, want in ((True, ["0", "1", "single"]), (False, None)):
        ax = plot.weight_heatmap(np.ones((100, 100)), m, colorbar=False,
                                 group_singletons=single)
        labels = [t.get_text() for t in ax.get_xticklabels()]
        if want:
            # 2's label is 5 neurons from "single"'s: more than TICK_GAP x 100, less than
            # TICK_CHAR x 100 x 3.5 characters
            assert labels == want
        else:  # 9 blocks, the six singletons' labels 1 apart: one of them is kept
            assert labels[:3] == ["0", "1", "2"] and len(labels) == 4


def test_block_grid_gathers_singleton_communities():
    rng = np.random.default_rng(4)
    k = 30  # two real communities and 28 neurons alone in theirs
    B = pd.DataFrame(rng.uniform(size=(k, k)), index=range(k), columns=range(k))
    sizes = np.array([40, 30] + [1] * (k - 2))
    fig = plot.block_grid([("r", B, sizes)], group_singletons=True)
    (ax,) = [a for a in fig.axes if a.images]
    shown = ax.images[0].get_array()
    assert shown.shape == (3, 3)
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", "1", "single"]
    np.testing.assert_allclose(shown[:2, :2], B.to_numpy()[:2, :2])
    np.testing.assert_allclose(shown[2, 2], B.to_numpy()[2:, 2:].mean())
    np.testing.assert_allclose(shown[0, 2], B.to_numpy()[0, 2:].mean())
    # without the flag, or without sizes, every community keeps its own row
    for panels, flag in (([("r", B, sizes)], False), ([("r", B)], True)):
        fig = plot.block_grid(panels, group_singletons=flag)
        assert [a for a in fig.axes if a.images][0].images[0].get_array().shape == (k, k)


def test_community_block_heatmap_cells_sized_by_communities():
    B = np.array([[1.0, 0.2, 0.1], [0.3, 0.9, 0.0], [0.1, 0.1, np.nan]])
    sizes = np.array([2500, 1200, 1])  # far beyond HEATMAP_MAX_NEURONS in total
    ax = plot.community_block_heatmap(B, sizes, title="r = 0.1")
    (mesh,) = [c for c in ax.collections if c.get_gid() == "block-level"]
    values = mesh.get_array()
    np.testing.assert_array_equal(np.ma.getdata(values)[:2], B[:2])
    assert np.ma.getmaskarray(values)[2, 2]  # the one-neuron community's diagonal: blank
    # the image spans n neurons, each cell as wide and tall as its communities
    xy = mesh.get_coordinates()
    np.testing.assert_array_equal(xy[0, :, 0], [0, 2500, 3700, 3701])
    np.testing.assert_array_equal(xy[:, 0, 1], [0, 2500, 3700, 3701])
    assert ax.get_xlim() == (0, 3701) and ax.get_ylim() == (3701, 0)  # community 0 on top
    assert ax.get_title().splitlines() == ["r = 0.1",
                                           "block-level view: 3 communities, 3,701 neurons"]
    assert sum(line.get_gid() == "boundary" for line in ax.lines) == 4
    # communities too thin for a label (< 1/40 of the neurons) get none
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0 (2500)", "1 (1200)"]
    assert mesh.get_cmap().name == "viridis" and mesh.get_clim() == (0.0, 1.0)
    assert len(ax.figure.axes) == 2  # + colour bar


def test_community_block_heatmap_signed_many_blocks_and_errors():
    rng = np.random.default_rng(0)
    B = rng.normal(size=(30, 30))
    ax = plot.community_block_heatmap(B, np.full(30, 100), colorbar=False)
    mesh = ax.collections[0]
    assert mesh.get_cmap().name == "RdBu_r"
    lo, hi = mesh.get_clim()
    assert lo == -hi == -np.abs(B).max()
    assert not ax.get_xticks().size and "30 communities of 100 to 100" in ax.get_xlabel()
    assert ax.get_title() == "block-level view: 30 communities, 3,000 neurons"
    with pytest.raises(ValueError, match="sizes"):
        plot.community_block_heatmap(np.eye(2), [1, 2, 3])
    with pytest.raises(ValueError, match="square"):
        plot.community_block_heatmap(np.ones((2, 3)), [1, 2])
    fig = plot.community_block_grid([("a", np.eye(2), [3000, 10]), ("b", [[1.0]], [5000])])
    assert [a.get_title().splitlines()[0] for a in fig.axes if a.get_title()] == ["a", "b"]
    assert plot.HEATMAP_MAX_NEURONS == 2000


def test_panel_figure_removes_unused_cells():
    fig, axes = plot.panel_figure(5, ncols=2)
    assert len(axes) == 5 and len(fig.axes) == 5
    assert all(isinstance(ax, Axes) for ax in axes)


# --------------------------------------------------------------------------- measures


def test_measure_vs_lr_mean_over_seeds_with_chance_line(final):
    noise = final[final["group"] == "noise"]
    ax = plot.measure_vs_lr(noise, "within_excess")
    (line,) = data_lines(ax)
    means = noise.groupby("learning_rate")["within_excess"].mean()
    np.testing.assert_allclose(line.get_xdata(), means.index)
    np.testing.assert_allclose(line.get_ydata(), means.to_numpy())
    assert [ln.get_ydata()[0] for ln in ax.lines if ln.get_gid() == "refline"] == [1.0]
    assert ax.get_xscale() == "log" and ax.collections  # CI error bars
    assert ax.get_ylabel() == "within-module weight / chance"


def test_measure_vs_lr_hue_and_options(final):
    ax = plot.measure_vs_lr(final, "modularity", hue="group")
    assert len(data_lines(ax)) == 2 and legend_labels(ax) == ["noise", "digits"]
    assert not [ln for ln in ax.lines if ln.get_gid() == "refline"]
    ax = plot.measure_vs_lr(final, "offdiag_index", refline=1.0, logx=False)
    assert ax.get_xscale() == "linear"
    assert [ln.get_gid() for ln in ax.lines].count("refline") == 1
    zero = final.assign(learning_rate=final["learning_rate"] - 0.001)
    assert plot.measure_vs_lr(zero, "modularity").get_xscale() == "linear"


def test_group_colours_are_given_not_counted(final):
    from matplotlib.colors import to_hex

    colours = {"noise": "#1f77b4", "digits": "#d62728"}
    # digits alone, or first: still its own colour, not the first of the cycle
    for df in (final[final["group"] == "digits"], final.iloc[::-1]):
        ax = plot.measure_vs_lr(df, "modularity", hue="group", colors=colours)
        assert {ln.get_label(): to_hex(ln.get_color()) for ln in data_lines(ax)} == {
            g: colours[g] for g in pd.unique(df["group"])}
        ax = plot.community_counts(df, hue="group", colors=colours)
        assert {ln.get_label(): to_hex(ln.get_color()) for ln in data_lines(ax)} == {
            g: colours[g] for g in pd.unique(df["group"])}
        points = {to_hex(c) for c in ax.collections[-1].get_facecolors()}
        assert points == {colours[g] for g in pd.unique(df["group"])}
    ax = plot.measure_vs_lr(final[final["group"] == "digits"], "modularity", color="#d62728")
    assert to_hex(data_lines(ax)[0].get_color()) == "#d62728"
    assert to_hex(data_lines(plot.measure_vs_lr(final, "modularity"))[0].get_color()) == \
        "#1f77b4"  # C0 by default


def test_missing_data_gives_a_note_not_an_error(final):
    ax = plot.measure_vs_lr(final.assign(modularity=np.nan), "modularity")
    assert not ax.lines and "no data" in ax.texts[0].get_text()
    assert "no data" in plot.emergence(pd.DataFrame(), "modularity").texts[0].get_text()
    assert "no data" in plot.role_map(pd.DataFrame({"a": [1]})).texts[0].get_text()
    assert "no data" in plot.training_curves(pd.DataFrame({"x": [1]})).texts[0].get_text()
    assert "no data" in plot.convergence(pd.DataFrame({"x": [1]})).texts[0].get_text()
    assert "no data" in plot.community_counts(pd.DataFrame()).texts[0].get_text()


def test_community_counts_every_run_and_the_mean(final):
    ax = plot.community_counts(final, hue="group")
    assert len(data_lines(ax)) == 2
    assert len(ax.collections[-1].get_offsets()) == len(final)
    assert ax.get_ylabel() == "number of communities"


def test_role_map_points_boundaries_and_role_order():
    rng = np.random.default_rng(4)
    roles = ["connector hub", "peripheral", "ultra-peripheral", "non-hub connector"]
    nrn = pd.DataFrame({"participation": rng.uniform(0, 1, 40), "within_z": rng.normal(0, 2, 40),
                        "role": [roles[i % 4] for i in range(40)]})
    nrn.loc[3, "within_z"] = np.nan  # singleton community: z undefined, not drawn
    ax = plot.role_map(nrn)
    assert len(ax.collections[0].get_offsets()) == 39
    boundaries = [a for a in [*ax.lines, *ax.collections] if a.get_gid() == "role-boundary"]
    assert len(boundaries) == 3  # z = 2.5 line, non-hub and hub P segments
    segs = [s for c in boundaries[1:] for s in c.get_segments()]
    assert sorted(round(s[0][0], 2) for s in segs) == [0.05, 0.3, 0.62, 0.75, 0.8]
    assert legend_labels(ax) == ["ultra-peripheral", "peripheral", "non-hub connector",
                                 "connector hub"]


def test_emergence_one_line_per_learning_rate_on_a_log_scale(snapshots):
    ax = plot.emergence(snapshots, "modularity")
    lines = data_lines(ax)[:3]
    assert legend_labels(ax) == ["0.001", "0.01", "0.1"]
    colours = {tuple(line.get_color()) for line in lines}
    assert len(colours) == 3
    mean = snapshots[snapshots["learning_rate"] == 0.01].groupby("step_fraction")["modularity"]
    np.testing.assert_allclose(lines[1].get_ydata(), mean.mean().to_numpy())
    assert ax.get_xlabel().startswith("training time")


def test_training_curves_epoch_or_iteration(training):
    noise, sup = training
    ax = plot.training_curves(sup)
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "training loss"
    assert legend_labels(ax) == ["0.01", "0.1"] and len(data_lines(ax)) >= 2
    ax = plot.training_curves(noise)
    assert ax.get_xlabel() == "iteration" and ax.get_ylabel() == "max |w|"
    assert ax.get_yscale() == "log" and legend_labels(ax) == ["0.001", "0.01", "0.1"]
    both = pd.concat([noise, sup], ignore_index=True)  # task columns NaN for the other task
    assert plot.training_curves(both, y="density").get_xlabel() == "iteration"
    assert plot.training_curves(both, y="test_accuracy").get_xlabel() == "epoch"


def test_convergence_iterations_and_nonconverged(training):
    _, sup = training
    ax = plot.convergence(sup)
    styles = {line.get_linestyle() for line in data_lines(ax)}
    assert len(styles) == 2  # firing solid, credit dashed
    assert "firing" in legend_labels(ax) and "credit" in legend_labels(ax)
    ax = plot.convergence(sup, y="nonconverged")
    assert ax.get_ylabel() == "non-converged samples" and len(data_lines(ax)) == 2


def test_plots_do_not_touch_pyplot_or_their_input(final, snapshots, training):
    import matplotlib.pyplot as plt

    before = final.copy()
    plot.measure_vs_lr(final, "modularity", hue="group")
    plot.community_counts(final)
    plot.emergence(snapshots, "modularity")
    plot.training_curves(training[0])
    pd.testing.assert_frame_equal(final, before)
    assert plt.get_fignums() == [] and matplotlib.get_backend().lower() == "agg"


def test_plotting_never_switches_the_matplotlib_backend():
    # a notebook's inline backend must survive a call with or without ax= (it once forced Agg)
    from community.plot_matrices import panel_figure, weight_heatmap

    before = matplotlib.get_backend()
    matplotlib.use("svg")
    try:
        W = np.arange(16.0).reshape(4, 4)
        weight_heatmap(W, [0, 0, 1, 1])
        fig, axes = panel_figure(2)
        weight_heatmap(W, [0, 1, 0, 1], ax=axes[0])
        assert matplotlib.get_backend() == "svg"
        import io

        buf = io.BytesIO()
        fig.savefig(buf, format="png")  # a bare Figure still renders
        assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    finally:
        matplotlib.use(before)


def test_weight_heatmap_gathers_singletons_last_and_draws_absolute_weights():
    from community.plot_matrices import weight_heatmap

    # communities 0 (neurons 1, 4) and 2 (neurons 0, 5); neurons 2 and 3 alone (labels 1, 3)
    m = np.array([2, 0, 1, 3, 0, 2])
    W = -np.arange(36.0).reshape(6, 6)
    ax = weight_heatmap(W, m, absolute=True, group_singletons=True, colorbar=False)
    order = [1, 4, 0, 5, 2, 3]  # by label, then the gathered singletons
    np.testing.assert_array_equal(ax.images[0].get_array(), np.abs(W)[np.ix_(order, order)])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "2", "single"]
    assert len(ax.lines) == 4  # two boundaries, each a horizontal and a vertical line
    assert ax.images[0].get_cmap().name == "Reds" and ax.images[0].get_clim()[0] == 0
    # a single singleton stays a block of its own; signed weights stay centred at 0
    ax = weight_heatmap(W, [0, 0, 1, 1, 1, 2], group_singletons=True, colorbar=False)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]
    lo, hi = ax.images[0].get_clim()
    assert lo == -hi


# --------------------------------------------------------------------------- CIs, nulls, unstable


def test_mean_ci_is_the_t_interval_of_the_seed_values():
    from scipy import stats

    from community.plot import _mean_ci

    df = pd.DataFrame({"learning_rate": [0.1, 0.1, 0.1, 1.0, 1.0, 2.0, 2.0],
                       "y": [1.0, 2.0, 4.0, 3.0, np.inf, 5.0, np.nan]})
    s = _mean_ci(df, ["learning_rate"], "y").set_index("learning_rate")
    lo, hi = stats.t.interval(0.95, 2, loc=7 / 3, scale=stats.sem([1.0, 2.0, 4.0]))
    assert s.loc[0.1, "mean"] == pytest.approx(7 / 3) and s.loc[0.1, "count"] == 3
    assert (s.loc[0.1, "lo"], s.loc[0.1, "hi"]) == pytest.approx((lo, hi))
    # one finite value: a mean and no interval; no finite value: no row
    assert s.loc[1.0, "mean"] == 3.0 and np.isnan(s.loc[1.0, "lo"])
    assert list(s.index) == [0.1, 1.0, 2.0] and s.loc[2.0, "count"] == 1


def test_measure_vs_lr_draws_each_null_and_marks_unstable_rates(final):
    noise = final[final["group"] == "noise"].assign(
        null_a=lambda d: d["modularity"] * 0.5, null_b=0.2)
    ax = plot.measure_vs_lr(noise, "modularity", nulls={"init-pruned": "null_a",
                                                       "rewired": "null_b"},
                            unstable=[1.0, 10.0])
    lines = {ln.get_gid(): ln for ln in ax.lines if ln.get_gid()}
    means = noise.groupby("learning_rate")["null_a"].mean()
    np.testing.assert_allclose(lines["null:init-pruned"].get_ydata(), means.to_numpy())
    np.testing.assert_allclose(lines["null:rewired"].get_ydata(), [0.2] * 3)
    assert lines["null:init-pruned"].get_linestyle() != lines["null:rewired"].get_linestyle()
    assert lines["null:rewired"].get_linestyle() != lines["mean"].get_linestyle()
    assert lines["unstable"].get_xdata().tolist() == [1.0, 10.0]
    bands = [p for p in ax.patches if p.get_gid() == "unstable-band"]
    assert len(bands) == 2
    # the unstable rates are on the axis, labelled, although they have no data point
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0.001", "0.01", "0.1", "1", "10"]
    assert 10.0 not in set(lines["mean"].get_xdata())
    assert legend_labels(ax) == ["observed", "null: init-pruned", "null: rewired",
                                 "unstable: not analysed"]
    # a measure with no data at all still shows the unstable rates
    empty = plot.measure_vs_lr(noise.assign(modularity=np.nan), "modularity", unstable=[1.0])
    assert [ln.get_gid() for ln in empty.lines] == ["unstable"]
    assert plot.measure_vs_lr(noise.assign(w=10.0 ** noise["seed"]), "w",
                              logy=True).get_yscale() == "log"


def test_null_zscores_one_line_per_null_with_infinite_z_marked():
    df = pd.DataFrame({"learning_rate": [0.01, 0.01, 0.1, 0.1, 1.0, 1.0],
                       "z_a": [3.0, 5.0, 40.0, 60.0, 1.0, 2.0],
                       "z_b": [0.0, 1.0, np.inf, np.inf, -np.inf, 0.5],
                       "z_c": np.nan})
    ax = plot.null_zscores(df, {"init-pruned": "z_a", "shuffled": "z_b", "rewired": "z_c"},
                           unstable=[10.0])
    lines = {ln.get_gid(): ln for ln in ax.lines if ln.get_gid() != "z-inf"}
    assert lines["null:init-pruned"].get_ydata().tolist() == [4.0, 50.0, 1.5]
    # only finite z enter the mean: lr 0.1 has none for "shuffled"
    assert lines["null:shuffled"].get_xdata().tolist() == [0.01, 1.0]
    assert "null:rewired" not in lines  # no data
    infs = [ln for ln in ax.lines if ln.get_gid() == "z-inf"]
    assert sorted((ln.get_marker(), ln.get_xdata().tolist()[0]) for ln in infs) == [
        ("^", 0.1), ("v", 1.0)]
    assert [ln.get_ydata()[0] for ln in ax.lines if ln.get_gid() == "refline"] == [2.0]
    assert ax.get_yscale() == "symlog"  # means up to 50
    assert lines["unstable"].get_xdata().tolist() == [10.0]
    assert legend_labels(ax)[:2] == ["init-pruned", "shuffled"]
    assert "no data" in plot.null_zscores(df, {"x": "z_c"}).texts[0].get_text()


def test_training_curves_draw_unstable_runs_dashed_on_their_own(training):
    noise, _ = training
    bad = noise[(noise["learning_rate"] == 0.1) & (noise["seed"] == 2)].assign(
        run_status="unstable", weight_abs_max=lambda d: 10.0 ** (d["iteration"] / 20))
    worse = noise[noise["learning_rate"] == 0.01].assign(run_status="failed",
                                                           run_id=lambda d: d["run_id"] + "x")
    tr = pd.concat([noise[~noise.index.isin(bad.index)].assign(run_status="ok"), bad, worse])
    tr = tr[~((tr["learning_rate"] == 0.01) & (tr["run_status"] == "ok"))]
    ax = plot.training_curves(tr, y="weight_abs_max")
    dashed = [ln for ln in ax.lines if ln.get_gid() == "unstable-run"]
    assert len(dashed) == 1 + 3  # the unstable run, and each failed run of lr 0.01
    assert all(ln.get_linestyle() == "--" for ln in dashed)
    np.testing.assert_allclose(dashed[-1].get_ydata(), bad["weight_abs_max"])
    # the mean of lr 0.1 is over its two stable seeds only
    ok = tr[(tr["learning_rate"] == 0.1) & (tr["run_status"] == "ok")]
    mean = [ln for ln in data_lines(ax) if ln.get_label() == "0.1"][0]
    np.testing.assert_allclose(mean.get_ydata(),
                               ok.groupby("iteration")["weight_abs_max"].mean().to_numpy())
    assert legend_labels(ax) == ["0.001", "0.1", "0.01 (unstable)",
                                 "unstable run (not analysed)"]
    ax = plot.convergence(tr)
    assert {ln.get_linestyle() for ln in ax.lines if ln.get_gid() == "unstable-run"} == {":"}


def test_fixed_layout_grids_and_shared_colour_bars():
    fig, axes = plot.panel_figure(4, ncols=2, layout="fixed", gaps=(1.0, 1.0))
    assert fig.get_layout_engine() is None
    w, h = fig.get_size_inches()
    left = axes[0].get_position().x0 * w
    gap = (axes[1].get_position().x0 - axes[0].get_position().x1) * w
    assert left == pytest.approx(0.8) and gap == pytest.approx(1.0)
    with pytest.raises(ValueError, match="layout"):
        plot.panel_figure(2, layout="tight")
    W = np.random.default_rng(0).normal(size=(6, 6))
    fig = plot.heatmap_grid([("leiden", W, [0, 0, 1, 1, 2, 2]), ("sbm", W, [0] * 6)],
                            ncols=2, colorbars=[False, True], layout="fixed")
    assert len(fig.axes) == 3  # two heatmaps, one colour bar
    with pytest.raises(ValueError, match="colorbars"):
        plot.heatmap_grid([("a", W, [0] * 6)], colorbars=[True, True])
