"""The rule comparison as a two-stage study: rates chosen on validation data, then tested.

Stage 1, ``rules_select``: every rule on every (data set, graph) is trained over a
learning-rate grid on the training split minus a validation part
(``data.holdout = "validation"``, 20% of the training split) with seeds 100-101, and
evaluated on that validation part only. Where the best mean validation accuracy sits on
an edge of the grid, the grid of that (data, graph, rule) is extended by a factor
:data:`EXTEND_FACTOR` past that edge and the new runs are added (at most
:data:`MAX_EXTENSIONS` times per edge); the sweep resumes, so kept runs are not redone.

Stage 2, ``rules``: each (data, graph, rule) at its chosen rate, seeds 0-4, trained on
the whole training split and evaluated on the test split, which stage 1 never saw, with
the alignment and prediction probes. The chosen rates are written to
``<runs>/rules_select/chosen_rates.csv``.

Examples
--------
>>> spec = selection_spec(quick=True)
>>> sorted(spec["sweep"]["groups"])[:2]
['digits_layered__balance', 'digits_layered__balance-exact']
>>> spec["sweep"]["groups"]["digits_layered__fa"]["data"]["holdout"]
'validation'
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

import wiring.runs as runs
from wiring.experiments.sweep import SweepResult, run_sweep
from wiring.runs.atomic import atomic_open
from wiring.runs.tomlfile import dump_toml

__all__ = ["RULES", "EXTEND_FACTOR", "MAX_EXTENSIONS", "selection_spec", "choose_rates",
           "final_spec", "run_rules_study"]

RULES = ("balance", "balance-exact", "fa", "sign-concordant", "dfa")
#: a grid whose best rate is on an edge grows by this factor past it ...
EXTEND_FACTOR = 4.0
#: ... at most this many times per edge
MAX_EXTENSIONS = 2


def _sizes(quick: bool) -> dict:
    if quick:
        return {"grid": [0.02], "select_seeds": [100], "seeds": [0], "epochs": 2,
                "samples": 600, "probes": 40, "data": ("digits",), "extensions": 0}
    return {"grid": [0.005, 0.02, 0.08], "select_seeds": [100, 101],
            "seeds": [0, 1, 2, 3, 4], "epochs": 6, "samples": 2000, "probes": 60,
            "data": ("digits", "mnist1d"), "extensions": MAX_EXTENSIONS}


def _task(z: dict, data: str, family: str, *, holdout: str) -> dict:
    n_in = 64 if data == "digits" else 40
    graph = ({"family": "recurrent", "hidden": 100, "recurrent_density": 0.1,
              "feedback_density": 0.1} if family == "recurrent"
             else {"family": "layered", "sizes": [n_in, 100, 10]})
    probes = 0 if holdout == "validation" else z["probes"]
    epochs = z["epochs"]
    return {"task": {"kind": "supervised"},
            "data": {"name": data, "n_samples": z["samples"], "holdout": holdout},
            "graph": graph,
            "train": {"loss": "cross-entropy", "epochs": epochs, "probes": probes,
                      "snapshot_epochs": sorted({0, epochs} if holdout == "validation"
                                                else {0, 1, epochs // 2, epochs})}}


def _pairs(z: dict) -> list[tuple[str, str, str]]:
    return [(data, family, rule) for data in z["data"] for family in ("recurrent", "layered")
            for rule in RULES]


def selection_spec(quick: bool = False,
                   extra_rates: dict[str, list[float]] | None = None) -> dict:
    """Stage 1's sweep: one group per (data, graph, rule), ``data.holdout = "validation"``.

    Parameters
    ----------
    quick : bool
    extra_rates : dict, optional
        Group name -> rates added to the grid by edge extensions.

    Returns
    -------
    dict
        The sweep mapping.

    Examples
    --------
    >>> spec = selection_spec(extra_rates={"digits_layered__fa": [0.32]})
    >>> spec["sweep"]["groups"]["digits_layered__fa"]["learning_rates"]
    [0.005, 0.02, 0.08, 0.32]
    """
    z = _sizes(quick)
    groups = {}
    for data, family, rule in _pairs(z):
        name = f"{data}_{family}__{rule}"
        lrs = sorted({*z["grid"], *(extra_rates or {}).get(name, [])})
        groups[name] = {"learning_rates": lrs, "rules": [rule],
                        **_task(z, data, family, holdout="validation")}
    return {"sweep": {"name": "rules_select", "seeds": z["select_seeds"], "groups": groups}}


def choose_rates(status: pd.DataFrame, accuracy: dict[str, float]) -> pd.DataFrame:
    """The best learning rate per group from stage 1's runs.

    Parameters
    ----------
    status : DataFrame
        The selection sweep's ``sweep_status`` (``run_id``, ``group``, ``learning_rate``,
        ``status``).
    accuracy : dict
        run_id -> final validation accuracy over every validation sample (a run that
        failed or diverged counts 0).

    Returns
    -------
    DataFrame
        One row per group: ``group``, ``learning_rate`` (best mean accuracy, the smaller
        rate on a tie), ``accuracy``, ``edge`` ("low", "high" or ""), ``grid`` (the rates
        tried, as text).

    Examples
    --------
    >>> st = pd.DataFrame({"run_id": ["a", "b", "c"], "group": ["g"] * 3,
    ...                    "learning_rate": [0.01, 0.1, 1.0], "status": ["ok"] * 3})
    >>> choose_rates(st, {"a": 0.5, "b": 0.7, "c": 0.9})[["learning_rate", "edge"]].values.tolist()
    [[1.0, 'high']]
    """
    st = status.assign(acc=[accuracy.get(r, 0.0) if s == "ok" else 0.0
                            for r, s in zip(status["run_id"], status["status"], strict=True)])
    rows = []
    for group, g in st.groupby("group", sort=True):
        mean = g.groupby("learning_rate")["acc"].mean().sort_index()
        best = float(mean.index[int(np.argmax(mean.to_numpy()))])
        lrs = mean.index.to_numpy()
        edge = "low" if best == lrs[0] and lrs.size > 1 else (
            "high" if best == lrs[-1] and lrs.size > 1 else "")
        rows.append({"group": group, "learning_rate": best, "accuracy": float(mean.max()),
                     "edge": edge, "grid": " ".join(f"{v:g}" for v in lrs)})
    return pd.DataFrame(rows)


def final_spec(chosen: pd.DataFrame, quick: bool = False) -> dict:
    """Stage 2's sweep: each group at its chosen rate, fresh seeds, the test split.

    Parameters
    ----------
    chosen : DataFrame
        From :func:`choose_rates`.
    quick : bool

    Returns
    -------
    dict

    Examples
    --------
    >>> chosen = pd.DataFrame({"group": ["digits_layered__fa"], "learning_rate": [0.02]})
    >>> g = final_spec(chosen)["sweep"]["groups"]["digits_layered__fa"]
    >>> g["learning_rates"], g["rules"], g["data"]["holdout"]
    ([0.02], ['fa'], 'test')
    """
    z = _sizes(quick)
    groups = {}
    for row in chosen.itertuples():
        data_family, rule = row.group.split("__")
        data, family = data_family.split("_", 1)
        groups[row.group] = {"learning_rates": [float(row.learning_rate)], "rules": [rule],
                             **_task(z, data, family, holdout="test")}
    return {"sweep": {"name": "rules", "seeds": z["seeds"], "groups": groups}}


def _validation_accuracy(sweep_dir: Path) -> dict[str, float]:
    """Final accuracy over every held-out sample of each run (unsettled samples wrong)."""
    out = {}
    for d in sorted((sweep_dir / "runs").iterdir()) if (sweep_dir / "runs").is_dir() else []:
        try:
            m = runs.read_metrics(d)
        except Exception:  # noqa: BLE001 - a run without metrics scores 0
            continue
        if not len(m) or "test_accuracy" not in m:
            continue
        last = m.iloc[-1]
        n = float(last.get("test_samples", np.nan))
        acc = float(last["test_accuracy"]) if np.isfinite(last["test_accuracy"]) else 0.0
        if np.isfinite(n) and n > 0 and "test_nonconverged" in m:
            acc *= (n - float(last["test_nonconverged"])) / n
        out[d.name] = acc
    return out


def _write(path: Path, spec: dict, header: str) -> Path:
    with atomic_open(path, "w") as fh:
        fh.write(header + dump_toml(spec))
    return path


def run_rules_study(runs_dir: str | Path, *, quick: bool = False, workers: int | None = None,
                    progress: Callable[[int, int], None] | None = None) -> SweepResult:
    """Run (or resume) both stages into ``<runs_dir>/rules_select`` and ``<runs_dir>/rules``.

    Parameters
    ----------
    runs_dir : str or Path
    quick : bool
    workers : int, optional
    progress : callable(done, total), optional

    Returns
    -------
    SweepResult
        Stage 2's sweep.

    Examples
    --------
    >>> import tempfile
    >>> res = run_rules_study(tempfile.mkdtemp(), quick=True, workers=1)  # doctest: +SKIP
    >>> res.counts["ok"]  # doctest: +SKIP
    10
    """
    runs_dir = Path(runs_dir)
    cfg_dir = runs_dir / "configs"
    cfg_dir.mkdir(parents=True, exist_ok=True)
    header = f"# `wiring reproduce{' --quick' if quick else ''}`: generated by {__name__}\n"
    z = _sizes(quick)
    extra: dict[str, list[float]] = {}
    select_dir = runs_dir / "rules_select"
    for _round in range(z["extensions"] + 1):
        path = _write(cfg_dir / "rules_select.toml", selection_spec(quick, extra), header)
        res = run_sweep(path, select_dir, resume=True, workers=workers, progress=progress)
        chosen = choose_rates(res.table, _validation_accuracy(select_dir))
        grow = chosen[chosen["edge"] != ""]
        if grow.empty or _round == z["extensions"]:
            break
        for row in grow.itertuples():
            factor = EXTEND_FACTOR if row.edge == "high" else 1 / EXTEND_FACTOR
            extra.setdefault(row.group, []).append(float(f"{row.learning_rate * factor:.4g}"))
    with atomic_open(select_dir / "chosen_rates.csv", "w") as fh:
        chosen.to_csv(fh, index=False)
    path = _write(cfg_dir / "rules.toml", final_spec(chosen, quick), header)
    return run_sweep(path, runs_dir / "rules", resume=True, workers=workers, progress=progress)
