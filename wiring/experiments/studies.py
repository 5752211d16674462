"""The paper's experiments as sweeps: what ``wiring reproduce`` runs.

Five studies, each an ordinary sweep (:mod:`wiring.experiments.sweep`: resumable, one run
directory per run) written as ``<runs>/<study>.toml`` and run into ``<runs>/<study>/``:

``phase``
    Algorithm 1 on 300 neurons all-to-all (with self-loops, the paper's dense ``W``):
    learning rate r x pruning fraction p x noise sigma (one group per sigma), >= 5 seeds.
``sensitivity``
    The unstated choices at one (p, sigma) cell over the same r axis: activation,
    initial weight scale, number of iterations, the pruning reading, the fraction of
    credit-clamped neurons. (The weight-graph and Leiden choices are re-analyses of
    the ``phase`` runs, done by :mod:`community.paper`.)
``timescales``
    The timescale-separated mode (firing and credit settled every iteration) beside
    the one-step mode at the same iterations.
``development``
    A learning-rate schedule from high to low r beside constant high and constant low r.
``rules``
    Supervised digits and mnist1d, recurrent and layered graphs, the five rules at one
    learning-rate grid each, with alignment and prediction probes.

``quick=True`` shrinks every axis (fewer rates, seeds, iterations, samples) so the
whole reproduction runs in CI in minutes through every code path.

Examples
--------
>>> specs = study_specs(quick=True)
>>> sorted(specs)
['development', 'phase', 'rules', 'sensitivity', 'timescales']
>>> specs["phase"]["sweep"]["groups"]["sigma0.1"]["prunes"]
[0.0, 0.9]
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

from wiring.experiments.sweep import SweepResult, run_sweep
from wiring.runs.atomic import atomic_open
from wiring.runs.tomlfile import dump_toml

__all__ = ["STUDIES", "study_specs", "write_study_configs", "run_studies"]

STUDIES = ("phase", "sensitivity", "timescales", "development", "rules")

#: the cell at which the sensitivity, timescale and Fig. 4 comparisons are made
REFERENCE_PRUNE = 0.9
REFERENCE_SIGMA = 0.1


def _noise_base(n: int, iterations: int) -> dict:
    return {
        "task": {"kind": "noise"},
        "graph": {"family": "all-to-all", "n": n, "self_loops": True},
        "simulation": {"iterations": iterations, "prune": REFERENCE_PRUNE, "pruning": "regrow",
                       "clamped_fraction": 0.1, "noise_rate": REFERENCE_SIGMA,
                       "noise_credit": REFERENCE_SIGMA, "snapshots": 1},
    }


def _sizes(quick: bool) -> dict:
    if quick:
        return {"n": 300, "iterations": 600, "lrs": [0.001, 0.1, 10.0], "seeds": [0, 1],
                "prunes": [0.0, 0.9], "sigmas": [0.03, 0.1, 0.3], "settled_iterations": 150,
                "dev_iterations": 1200, "dev_seeds": [0], "rule_lrs": [0.02], "rule_seeds": [0],
                "epochs": 2, "samples": 600, "probes": 40}
    return {"n": 300, "iterations": 6000,
            "lrs": [0.001, 0.01, 0.1, 1.0, 10.0, 100.0, 1000.0], "seeds": [0, 1, 2, 3, 4],
            "prunes": [0.0, 0.5, 0.8, 0.9, 0.95], "sigmas": [0.03, 0.1, 0.3],
            "settled_iterations": 1500, "dev_iterations": 12000, "dev_seeds": [0, 1, 2, 3, 4],
            "rule_lrs": [0.005, 0.02, 0.08], "rule_seeds": [0, 1, 2], "epochs": 8,
            "samples": 4000, "probes": 200}


def study_specs(quick: bool = False) -> dict[str, dict]:
    """The five sweep configurations as nested dicts (TOML-ready).

    Parameters
    ----------
    quick : bool
        CI size (every code path, minutes) instead of the full size.

    Returns
    -------
    dict
        Study name -> sweep mapping (see :mod:`wiring.experiments.sweep` for the format).

    Examples
    --------
    >>> study_specs()["phase"]["sweep"]["learning_rates"][:3]
    [0.001, 0.01, 0.1]
    """
    z = _sizes(quick)
    base = _noise_base(z["n"], z["iterations"])
    specs: dict[str, dict] = {}

    groups = {}
    for sigma in z["sigmas"]:
        g = copy.deepcopy(base)
        g["simulation"].update(noise_rate=sigma, noise_credit=sigma)
        groups[f"sigma{sigma:g}"] = {"prunes": z["prunes"], **g}
    specs["phase"] = {"sweep": {"name": "phase", "learning_rates": z["lrs"],
                                "seeds": z["seeds"], "groups": groups}}

    variants: dict[str, dict] = {
        "reference": {},
        "sigmoid": {"neurons": {"activation": "sigmoid"}},
        "init0.5": {"neurons": {"init_scale": 0.5}},
        "init2": {"neurons": {"init_scale": 2.0}},
        "iters_third": {"simulation": {"iterations": z["iterations"] // 3}},
        "iters_triple": {"simulation": {"iterations": z["iterations"] * 3}},
        "structural": {"simulation": {"pruning": "structural"}},
        "clamp0.02": {"simulation": {"clamped_fraction": 0.02}},
        "clamp0.3": {"simulation": {"clamped_fraction": 0.3}},
    }
    groups = {}
    for name, change in variants.items():
        g = copy.deepcopy(base)
        for section, values in change.items():
            g.setdefault(section, {}).update(values)
        groups[name] = g
    specs["sensitivity"] = {"sweep": {"name": "sensitivity", "learning_rates": z["lrs"],
                                      "seeds": z["seeds"], "groups": groups}}

    groups = {}
    for mode in ("one-step", "settled"):
        g = copy.deepcopy(base)
        g["simulation"].update(mode=mode, iterations=z["settled_iterations"])
        groups[mode] = g
    specs["timescales"] = {"sweep": {"name": "timescales", "learning_rates": z["lrs"],
                                     "seeds": z["seeds"], "groups": groups}}

    dev = copy.deepcopy(base)
    dev["simulation"].update(iterations=z["dev_iterations"], snapshots=12)
    high, low = 10.0, 0.1
    schedule = copy.deepcopy(dev)
    schedule["simulation"].update(learning_rate_end=low, stages=6)
    mild = copy.deepcopy(dev)
    mild["simulation"].update(learning_rate_end=0.01, stages=6)
    specs["development"] = {"sweep": {"name": "development", "seeds": z["dev_seeds"], "groups": {
        "schedule": {"learning_rates": [high], **schedule},
        "schedule_mild": {"learning_rates": [1.0], **mild},
        "constant_high": {"learning_rates": [high], **copy.deepcopy(dev)},
        "constant_low": {"learning_rates": [low], **copy.deepcopy(dev)},
    }}}

    groups = {}
    for data, n_in in (("digits", 64), ("mnist1d", 40)):
        for family in ("recurrent", "layered"):
            graph = ({"family": "recurrent", "hidden": 100, "recurrent_density": 0.1,
                      "feedback_density": 0.1} if family == "recurrent"
                     else {"family": "layered", "sizes": [n_in, 100, 10]})
            groups[f"{data}_{family}"] = {
                "task": {"kind": "supervised"},
                "data": {"name": data, "n_samples": z["samples"]},
                "graph": graph,
                "train": {"loss": "cross-entropy", "epochs": z["epochs"], "probes": z["probes"],
                          "snapshot_epochs": sorted({0, 1, z["epochs"] // 2, z["epochs"]})},
            }
    specs["rules"] = {"sweep": {
        "name": "rules", "learning_rates": z["rule_lrs"], "seeds": z["rule_seeds"],
        "rules": ["balance", "balance-exact", "fa", "sign-concordant", "dfa"],
        "groups": groups}}
    return specs


def write_study_configs(directory: str | Path, *, quick: bool = False) -> dict[str, Path]:
    """Write every study's sweep file as ``<directory>/<study>.toml`` (atomically).

    Parameters
    ----------
    directory : str or Path
    quick : bool

    Returns
    -------
    dict
        Study name -> path.

    Examples
    --------
    >>> import tempfile
    >>> paths = write_study_configs(tempfile.mkdtemp(), quick=True)
    >>> paths["rules"].name
    'rules.toml'
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    header = (f"# `wiring reproduce{' --quick' if quick else ''}`: generated by "
              "wiring.experiments.studies\n")
    paths = {}
    for name, spec in study_specs(quick).items():
        path = directory / f"{name}.toml"
        with atomic_open(path, "w") as fh:
            fh.write(header + dump_toml(spec))
        paths[name] = path
    return paths


def run_studies(runs_dir: str | Path, *, quick: bool = False, only: tuple[str, ...] = STUDIES,
                workers: int | None = None,
                progress: Callable[[str], Callable[[int, int], None] | None] | None = None,
                ) -> dict[str, SweepResult]:
    """Run (or resume) every study into ``<runs_dir>/<study>/``.

    Parameters
    ----------
    runs_dir : str or Path
        Where the study configs and sweep directories go.
    quick : bool
        CI size.
    only : tuple of str
        A subset of :data:`STUDIES`.
    workers : int, optional
        Worker processes per sweep.
    progress : callable(study) -> callable(done, total), optional
        Progress-bar factory.

    Returns
    -------
    dict
        Study name -> :class:`~wiring.experiments.sweep.SweepResult`.

    Examples
    --------
    >>> import tempfile
    >>> res = run_studies(tempfile.mkdtemp(), quick=True, only=("development",), workers=1)
    >>> res["development"].counts["ok"]
    4
    """
    unknown = [s for s in only if s not in STUDIES]
    if unknown:
        from wiring.errors import ConfigError

        raise ConfigError(f"unknown study {unknown[0]!r}; choose from {', '.join(STUDIES)}")
    runs_dir = Path(runs_dir)
    paths = write_study_configs(runs_dir / "configs", quick=quick)
    results = {}
    for name in only:
        results[name] = run_sweep(paths[name], runs_dir / name, resume=True, workers=workers,
                                  progress=None if progress is None else progress(name))
    return results
