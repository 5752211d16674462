"""Probe samples that do not settle are left out one by one, counted, never the whole run;
and ``data.holdout = "validation"`` evaluates on a part of the training split."""

import numpy as np
import pytest

from wiring.config import TrainConfig, apply_overrides
from wiring.errors import ConfigError, SettleDidNotConverge
from wiring.experiments.jobs import _settled_samples, build_dataset


def _probe(X, Y):
    if np.any(X[:, 0] < 0):           # "does not settle"
        raise SettleDidNotConverge("no fixed point", phase="firing", iterations=10, residual=1.0,
                                   sample=0)
    return {"sample": np.repeat(np.arange(len(X)), 2), "value": np.repeat(X[:, 0], 2),
            "n_excluded": 0}


def test_unsettled_samples_are_dropped_one_by_one_and_counted():
    X = np.array([[1.0], [-1.0], [3.0], [-2.0]])
    out, bad = _settled_samples(_probe, X, X)
    assert bad == 2
    assert out["sample"].tolist() == [0, 0, 2, 2]           # the batch's own indices
    assert out["value"].tolist() == [1.0, 1.0, 3.0, 3.0]
    assert "n_excluded" not in out                         # per-call scalars are dropped


def test_all_settled_is_one_call_and_none_settled_is_none():
    X = np.array([[1.0], [2.0]])
    out, bad = _settled_samples(_probe, X, X)
    assert bad == 0 and out["sample"].tolist() == [0, 0, 1, 1]
    assert _settled_samples(_probe, -X, -X) == (None, 2)


def test_validation_holdout_never_touches_the_test_split():
    base = build_dataset(TrainConfig())
    val = build_dataset(apply_overrides(TrainConfig(), ["data.holdout=validation",
                                                        "data.validation_fraction=0.25"]))
    n_val = int(np.ceil(0.25 * base.n_train))
    assert val.n_test == n_val and val.n_train == base.n_train - n_val
    np.testing.assert_array_equal(val.X_test, base.X_train[-n_val:])
    np.testing.assert_array_equal(val.X_train, base.X_train[:-n_val])
    # no validation sample is a test sample
    test_rows = {r.tobytes() for r in base.X_test}
    assert not any(r.tobytes() in test_rows for r in val.X_test)


def test_bad_validation_fraction_names_the_key():
    from wiring.experiments.jobs import validate

    with pytest.raises(ConfigError, match="data.validation_fraction"):
        validate(apply_overrides(TrainConfig(), ["data.validation_fraction=1.5"]))
    with pytest.raises(ConfigError, match="data.holdout"):
        validate(apply_overrides(TrainConfig(), ["data.holdout=train"]))
