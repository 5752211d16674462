"""The regime rules, in order, on hand-made table rows: each threshold decides where its
docstring says, the evidence names the nulls beaten, and failed runs are never results."""

import numpy as np
import pandas as pd
import pytest

from community import regimes
from community.regimes import DEFINITIONS, REGIMES, classify

P_BEAT, P_FAIL = 1 / 21, 0.5


def row(run_id, lr, **kw):
    """A final snapshot row that passes nothing, with the given columns changed."""
    base = {"run_id": run_id, "group": "g", "learning_rate": lr, "is_final": True,
            "weight_change": 1.0, "weight_growth": 3.0, "isolated_fraction": 0.0,
            "saturated_fraction": 0.0, "n_null": 20, "sbm_blocks": 1,
            "q_max": 0.1, "block_assortativity": 0.0, "block_disassortativity": 0.0,
            "hub_share": 0.12}
    for sig, null_value in (("q", 0.1), ("ba", 0.0), ("bd", 0.0), ("hub", 0.12)):
        for null in ("init_pruned", "shuffle", "rewire"):
            base[f"{sig}_z_{null}"] = 0.0
            base[f"{sig}_p_{null}"] = P_FAIL
            base[f"{sig}_null_{null}"] = null_value
    base.update(kw)
    return base


def beat(sig, nulls=("init_pruned",), z=10.0):
    out = {}
    for null in nulls:
        out[f"{sig}_z_{null}"] = z
        out[f"{sig}_p_{null}"] = P_BEAT
    return out


def verdicts(rows, runs=None):
    out = classify(pd.DataFrame(rows), None if runs is None else pd.DataFrame(runs))
    return out.set_index("learning_rate")


def test_every_regime_has_a_definition():
    assert set(DEFINITIONS) == set(REGIMES)


def test_rules_in_order():
    rows = [
        row("a", 1, weight_change=0.01),                                      # unchanged
        row("b", 2, weight_growth=500.0, isolated_fraction=0.2, **beat("hub"),
            hub_share=0.8),                                                    # runaway
        row("c", 3, weight_growth=500.0, saturated_fraction=0.3),             # runaway
        row("d", 4, weight_growth=500.0),                                      # growth only
        row("e", 5, **beat("bd"), block_disassortativity=0.6),                 # across
        row("f", 6, **beat("hub"), hub_share=0.5),                             # hubs
        row("g", 7, **beat("q"), q_max=0.3, **beat("ba"), block_assortativity=0.4),
        row("h", 8, **beat("hub"), hub_share=0.5, **beat("bd"),
            block_disassortativity=0.6),                                       # mixed
    ]
    got = verdicts(rows)["regime"].to_dict()
    assert got == {1: "unchanged", 2: "runaway", 3: "runaway", 4: "changed",
                   5: "across-module", 6: "hub-dominated", 7: "within-module", 8: "mixed"}
    mixed = verdicts(rows).loc[8]
    assert "block disassortativity" in mixed["evidence"] and "strength share" in \
        mixed["evidence"]


def test_modularity_without_assortative_blocks_is_not_a_module():
    """Hubs raise modularity; the degree-corrected block model must confirm modules."""
    out = verdicts([row("a", 1, **beat("q"), q_max=0.3, **beat("hub"), hub_share=0.6)]).loc[1]
    assert out["regime"] == "hub-dominated"
    assert "not confirmed" in out["evidence"]


def test_effect_sizes_must_clear_their_minimum():
    rows = [row("a", 1, **beat("q"), q_max=0.1 + regimes.Q_EXCESS_MIN / 2, **beat("ba"),
                block_assortativity=0.4),
            row("b", 2, **beat("bd"), block_disassortativity=regimes.BD_MIN / 2),
            row("c", 3, **beat("hub"), hub_share=regimes.HUB_SHARE_MIN / 2)]
    assert set(verdicts(rows)["regime"]) == {"changed"}


def test_a_majority_of_seeds_must_beat_the_null_and_splits_are_reported():
    rows = [row("a", 1, **beat("bd"), block_disassortativity=0.6),
            row("b", 1, block_disassortativity=0.6),
            row("c", 1, block_disassortativity=0.6)]
    out = verdicts(rows).loc[1]
    assert out["regime"] == "changed" and out["bd_beats"] == "1/3" and out["seeds_split"]
    assert "seeds split" in out["evidence"] and "not detected at this power" in \
        out["evidence"]
    rows[1] = row("b", 1, **beat("bd"), block_disassortativity=0.6)
    assert verdicts(rows).loc[1, "regime"] == "across-module"


def test_the_nulls_beaten_are_named():
    r = verdicts([row("a", 1, **beat("bd", ("init_pruned", "rewire")),
                      block_disassortativity=0.6)]).loc[1]
    assert r["nulls_beaten"] == "bd: init-pruned, degree-preserving rewiring"
    assert "shuffled weights 0/1" in r["evidence"]


def test_only_the_init_pruned_null_decides():
    r = verdicts([row("a", 1, **beat("bd", ("shuffle", "rewire")),
                      block_disassortativity=0.6)]).loc[1]
    assert r["regime"] == "changed"


def test_too_few_null_draws_give_no_structural_verdict():
    r = verdicts([row("a", 1, n_null=3, **beat("bd"), block_disassortativity=0.6)]).loc[1]
    assert r["regime"] == "changed" and "only 3 null draws" in r["evidence"]


def test_unstable_runs_decide_or_are_left_out():
    runs = [{"run_id": k, "group": "g", "learning_rate": lr, "run_status": st,
             "reason": "the training loss rose from 2.3 to 9e4" if st != "ok" else ""}
            for k, lr, st in (("a", 1, "unstable"), ("b", 1, "unstable"), ("c", 1, "ok"),
                              ("d", 2, "ok"), ("e", 2, "ok"), ("f", 2, "failed"))]
    rows = [row("c", 1), row("d", 2, **beat("bd"), block_disassortativity=0.6),
            row("e", 2, **beat("bd"), block_disassortativity=0.6)]
    out = verdicts(rows, runs)
    assert out.loc[1, "regime"] == "unstable" and "training loss" in out.loc[1, "evidence"]
    assert out.loc[2, "regime"] == "across-module"
    assert (out.loc[2, "n_runs"], out.loc[2, "n_analysed"], out.loc[2, "n_unstable"]) == \
        (3, 2, 1)
    assert "left out" in out.loc[2, "evidence"]


def test_runs_that_could_not_be_analysed_get_no_verdict():
    runs = [{"run_id": "a", "group": "g", "learning_rate": 1, "run_status": "ok"}]
    assert classify(pd.DataFrame(columns=["run_id", "is_final"]), pd.DataFrame(runs)).empty


@pytest.mark.parametrize("value", [np.nan])
def test_missing_change_is_never_called_unchanged(value):
    assert verdicts([row("a", 1, weight_change=value)]).loc[1, "regime"] == "changed"
