"""The paper's experiments as sweeps: what ``wiring reproduce`` runs.

Six studies, each an ordinary sweep (:mod:`wiring.experiments.sweep`: resumable, one run
directory per run) written as ``<runs>/<study>.toml`` and run into ``<runs>/<study>/``:

``phase``
    Algorithm 1 on 300 neurons all-to-all (with self-loops, the paper's dense ``W``):
    learning rate r on a half-decade grid across the transition (0.0316 ... 3.16, and
    r = 10 as the runaway reference) x pruning fraction p x noise sigma. The reference
    cell (p = 0.9, sigma = 0.1) has 20 seeds per rate (its own group, ``reference``);
    every other cell 5.
``duration``
    r versus r x T: the reference cell's rates run for 54,000 iterations with a snapshot
    every 2,000, seeds 0-7 (a constant rate makes the snapshot at T exactly the run of
    length T with the same seed, so T in {2k, 6k, 18k, 54k} comes from one run).
``sensitivity``
    The unstated choices at the reference cell over the same rates: activation, initial
    weight scale, the pruning reading, the fraction of credit-clamped neurons (the
    weight-graph and Leiden choices are re-analyses of the ``phase`` runs, done by
    :mod:`community.paper`).
``timescales``
    The timescale-separated mode (firing and credit settled every iteration) beside the
    one-step mode at the same iterations, at every rate (where settling fails, the run
    is recorded ``unstable``).
``development``
    Learning-rate schedules that start below runaway (1 -> 0.0316 and 0.316 -> 0.0316)
    beside constant low and constant high rates, and the runaway schedule 10 -> 0.1
    as a labelled reference; snapshots (weights, rates, balance f, credit) through time.
``rules``
    Supervised digits and mnist1d, recurrent and layered graphs, the five rules. The
    learning rate is chosen per (data, graph, rule) on a validation split carved out of
    the training split (``data.holdout = "validation"``, seeds 100-101, the grid
    extended by a factor 4 past an edge that wins); the chosen rate is then trained
    with 5 fresh seeds and evaluated on the test split, with alignment and prediction
    probes (:mod:`wiring.experiments.rules_study`).

``quick=True`` shrinks every axis (fewer rates, seeds, iterations, samples) so the
whole reproduction runs in CI in minutes through every code path.

Examples
--------
>>> specs = study_specs(quick=True)
>>> sorted(specs)
['development', 'duration', 'phase', 'sensitivity', 'timescales']
>>> specs["phase"]["sweep"]["groups"]["reference"]["prunes"]
[0.9]
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

from wiring.experiments.rules_study import run_rules_study
from wiring.experiments.sweep import SweepResult, run_sweep
from wiring.runs.atomic import atomic_open
from wiring.runs.tomlfile import dump_toml

__all__ = ["STUDIES", "NOISE_STUDIES", "study_specs", "write_study_configs", "run_studies",
           "PHASE_RATES", "RUNAWAY_RATE", "REFERENCE_PRUNE", "REFERENCE_SIGMA", "DURATIONS"]

NOISE_STUDIES = ("phase", "duration", "sensitivity", "timescales", "development")
STUDIES = (*NOISE_STUDIES, "rules")

#: the cell at which the sensitivity, timescale, duration and Fig. 4 comparisons are made
REFERENCE_PRUNE = 0.9
REFERENCE_SIGMA = 0.1
#: the half-decade learning-rate grid across the transition, and the runaway reference
PHASE_RATES = (0.0316, 0.1, 0.316, 1.0, 3.16)
RUNAWAY_RATE = 10.0
#: the training durations of the r versus r x T design (snapshots of one run)
DURATIONS = (2000, 6000, 18000, 54000)


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
        return {"n": 120, "iterations": 600, "lrs": [0.1, 1.0, RUNAWAY_RATE],
                "seeds": [0, 1], "ref_seeds": [0, 1, 2], "prunes": [0.8, 0.9],
                "sigmas": [0.1, 0.3], "durations": (200, 600, 1800), "duration_seeds": [0, 1],
                "settled_iterations": 150, "dev_iterations": 1200, "dev_seeds": [0]}
    return {"n": 300, "iterations": 6000, "lrs": [*PHASE_RATES, RUNAWAY_RATE],
            "seeds": [0, 1, 2, 3, 4], "ref_seeds": list(range(20)),
            "prunes": [0.0, 0.5, 0.8, 0.9, 0.95], "sigmas": [0.03, 0.1, 0.3],
            "durations": DURATIONS, "duration_seeds": list(range(8)),
            "settled_iterations": 1500, "dev_iterations": 12000,
            "dev_seeds": list(range(10))}


def study_specs(quick: bool = False) -> dict[str, dict]:
    """The noise-task studies' sweep configurations as nested dicts (TOML-ready).

    The ``rules`` study is adaptive (its second stage depends on the first's validation
    accuracy) and is built by :mod:`wiring.experiments.rules_study`.

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
    >>> study_specs()["phase"]["sweep"]["learning_rates"]
    [0.0316, 0.1, 0.316, 1.0, 3.16, 10.0]
    >>> len(study_specs()["phase"]["sweep"]["groups"]["reference"]["seeds"])
    20
    """
    z = _sizes(quick)
    base = _noise_base(z["n"], z["iterations"])
    specs: dict[str, dict] = {}

    groups: dict[str, dict] = {"reference": {"prunes": [REFERENCE_PRUNE],
                                             "seeds": z["ref_seeds"], **copy.deepcopy(base)}}
    for sigma in z["sigmas"]:
        g = copy.deepcopy(base)
        g["simulation"].update(noise_rate=sigma, noise_credit=sigma)
        prunes = [p for p in z["prunes"]
                  if not (p == REFERENCE_PRUNE and sigma == REFERENCE_SIGMA)]
        groups[f"sigma{sigma:g}"] = {"prunes": prunes, **g}
    specs["phase"] = {"sweep": {"name": "phase", "learning_rates": z["lrs"],
                                "seeds": z["seeds"], "groups": groups}}

    long = copy.deepcopy(base)
    step = z["durations"][0]
    long["simulation"].update(iterations=z["durations"][-1],
                              snapshots=z["durations"][-1] // step)
    specs["duration"] = {"sweep": {"name": "duration", "learning_rates": z["lrs"],
                                   "seeds": z["duration_seeds"], "groups": {"reference": long}}}

    variants: dict[str, dict] = {
        "sigmoid": {"neurons": {"activation": "sigmoid"}},
        "init0.5": {"neurons": {"init_scale": 0.5}},
        "init2": {"neurons": {"init_scale": 2.0}},
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
    low = PHASE_RATES[0]

    def schedule(end: float) -> dict:
        g = copy.deepcopy(dev)
        g["simulation"].update(learning_rate_end=end, stages=6)
        return g

    specs["development"] = {"sweep": {"name": "development", "seeds": z["dev_seeds"], "groups": {
        "schedule_1": {"learning_rates": [1.0], **schedule(low)},
        "schedule_0.316": {"learning_rates": [0.316], **schedule(low)},
        "constant_low": {"learning_rates": [low], **copy.deepcopy(dev)},
        "constant_0.316": {"learning_rates": [0.316], **copy.deepcopy(dev)},
        "constant_1": {"learning_rates": [1.0], **copy.deepcopy(dev)},
        "runaway_schedule": {"learning_rates": [RUNAWAY_RATE], **schedule(0.1)},
    }}}
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
    >>> paths["phase"].name
    'phase.toml'
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
    6
    """
    unknown = [s for s in only if s not in STUDIES]
    if unknown:
        from wiring.errors import ConfigError

        raise ConfigError(f"unknown study {unknown[0]!r}; choose from {', '.join(STUDIES)}")
    runs_dir = Path(runs_dir)
    paths = write_study_configs(runs_dir / "configs", quick=quick)
    results = {}
    for name in only:
        bar = None if progress is None else progress(name)
        if name == "rules":
            results[name] = run_rules_study(runs_dir, quick=quick, workers=workers,
                                            progress=bar)
        else:
            results[name] = run_sweep(paths[name], runs_dir / name, resume=True,
                                      workers=workers, progress=bar)
    return results
