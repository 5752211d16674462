"""How a sweep is analysed: the ``[analysis]`` table of a sweep file and the command line's
options over it reach the analysis settings, and bad values name their key."""

import numpy as np
import pytest

from community.tables import AnalysisSettings, analyse_sweep
from wiring.errors import ConfigError, WiringError
from wiring.experiments.cli import main
from wiring.experiments.sweep import analysis_settings, load_sweep, run_sweep

TINY = """
[sweep]
name = "tiny"
learning_rates = [0.05]
seeds = [0]
workers = 1
[task]
kind = "noise"
[graph]
family = "all-to-all"
n = 24
self_loops = true
[simulation]
iterations = 300
snapshots = 2
prune = 0.5
"""


def test_default_sweep_asks_for_twenty_null_draws():
    assert load_sweep().analysis == {"n_null": 20}
    assert AnalysisSettings().n_null == 20
    assert AnalysisSettings().nulls == ("init-pruned", "shuffle", "rewire")


def test_analysis_table_is_checked_key_by_key(tmp_path):
    p = tmp_path / "s.toml"
    p.write_text(TINY + "[analysis]\nn_nul = 5\n")
    with pytest.raises(ConfigError, match="analysis.n_nul"):
        load_sweep(p)
    p.write_text(TINY + "[analysis]\nn_null = 'many'\n")
    with pytest.raises(ConfigError, match="analysis.n_null"):
        load_sweep(p)
    p.write_text(TINY + "[analysis]\nnulls = 'shuffle'\n")
    with pytest.raises(ConfigError, match="analysis.nulls"):
        load_sweep(p)
    with pytest.raises(WiringError, match="nulls"):
        AnalysisSettings(nulls=("shuffle", "bogus"))
    with pytest.raises(WiringError, match="block_weights"):
        AnalysisSettings(block_weights="heavy")


@pytest.fixture(scope="module")
def tiny_sweep(tmp_path_factory):
    root = tmp_path_factory.mktemp("an")
    cfg = root / "tiny.toml"
    cfg.write_text(TINY + '[analysis]\nn_null = 4\nnulls = ["init-pruned", "rewire"]\n')
    out = root / "out"
    run_sweep(cfg, out, workers=1)
    return out


def test_sweep_file_settings_reach_the_analysis_and_a_resume_ignores_them(tiny_sweep, tmp_path):
    assert analysis_settings(tiny_sweep) == {"n_null": 4, "nulls": ["init-pruned", "rewire"]}
    assert main(["report", str(tiny_sweep), "-q", "--workers", "1"]) == 0
    t = analyse_sweep(tiny_sweep, write=False,
                      settings=AnalysisSettings(n_null=4, nulls=("init-pruned", "rewire")))
    final = t["snapshots"][t["snapshots"]["is_final"]]
    assert (final["n_null"] == 4).all()
    assert final["q_p_shuffle"].isna().all() and final["q_p_rewire"].notna().all()
    # the analysis table never blocks a resume: the runs never read it
    cfg = tmp_path / "again.toml"
    cfg.write_text(TINY + "[analysis]\nn_null = 30\n")
    res = run_sweep(cfg, tiny_sweep, workers=1, resume=True)
    assert res.counts["ok"] == 1


def test_command_line_overrides_the_sweep_file(tiny_sweep):
    import pandas as pd

    assert main(["report", str(tiny_sweep), "-q", "--workers", "1", "--n-null", "2",
                 "--nulls", "shuffle", "--block-weights", "lognormal"]) == 0
    snaps = pd.read_parquet(tiny_sweep / "analysis" / "snapshots.parquet")
    final = snaps[snaps["is_final"]]
    assert (final["n_null"] == 2).all() and (final["sbm_weights"] == "lognormal").all()
    assert final["q_p_shuffle"].notna().all() and np.isnan(final["q_p_rewire"]).all()
