"""The ``wiring`` command line: ``wiring train [CONFIG] [--out DIR] [--set k=v ...]``."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

__all__ = ["main"]


def _progress_bar(desc: str, quiet: bool):
    """(update(done, total), close) of a tqdm.auto bar: drawn when stderr is a terminal
    (or in Jupyter), never with ``-q`` or when ``CI`` is set."""
    if quiet:
        return None, lambda: None
    from wiring._progress import Progress

    bar = Progress("auto", desc=desc, unit="step")
    return bar.update, bar.close


def _cmd_train(args) -> int:
    from wiring.config import apply_overrides, load_config
    from wiring.experiments.jobs import run_train
    from wiring.runs import read_status

    _check_config_argument(args.config, args.set or [])
    cfg = apply_overrides(load_config(args.config), args.set or [])
    out = Path(args.out or f"runs/train-{cfg.task.kind}")
    update, close = _progress_bar("train" if cfg.task.kind == "supervised" else "simulate",
                                  args.quiet)
    try:
        run_dir = run_train(cfg, out, overwrite=args.overwrite, progress=update)
    finally:
        close()
    status = read_status(run_dir) or {}
    print(f"run directory: {run_dir}  status: {status.get('status', '?')}"
          + (f" ({status['reason']})" if status.get("reason") else ""))
    print(_summary(run_dir))
    return 0


def _check_config_argument(config: str | None, sets: list[str]) -> None:
    """Catch a value meant for ``--set`` that argparse read as the CONFIG file:
    ``--set train.learning_rate 0.05`` (a space for '='), or ``train.epochs=2``
    without ``--set``."""
    import tomllib

    from wiring.errors import ConfigError

    if config is None or Path(config).exists():
        return
    bare = [item for item in sets if "=" not in item]
    if len(bare) == 1:
        raise ConfigError(f"--set {bare[0]!r} has no value and {config!r} is no config file: "
                          f"--set takes one SECTION.KEY=VALUE word, with '=' and no spaces; "
                          f"did you mean --set {bare[0]}={config}?")
    if "=" in config:
        raise ConfigError(f"cannot read config file {config}: no such file; to override one "
                          f"value write --set {config}")
    try:
        tomllib.loads(f"v = {config}")
    except tomllib.TOMLDecodeError:
        return  # a file name: load_config reports it
    raise ConfigError(f"cannot read config file {config}: no such file, and it looks like a "
                      "value; override config values with --set SECTION.KEY=VALUE (one word, "
                      "e.g. --set train.learning_rate=0.05)")


def _summary(run_dir) -> str:
    """One line with the last metrics row's headline numbers."""
    from wiring.runs import read_metrics

    table = read_metrics(run_dir)
    if table.empty:  # e.g. the noise task with simulation.iterations = 0
        return "last checkpoint: none (no metrics rows)"
    last = table.iloc[-1]
    keys = ("epoch", "iteration", "train_loss", "test_accuracy", "test_nonconverged",
            "weight_abs_max", "density")
    parts = [f"{k}={int(last[k])}" if k in ("epoch", "iteration", "test_nonconverged")
             else f"{k}={last[k]:.4g}" for k in keys if k in last.index and last[k] == last[k]]
    return "last checkpoint: " + ", ".join(parts)


def _scheduler_address(flag: str | None) -> str | None:
    """--scheduler, else $DASK_SCHEDULER_ADDRESS; "local" (or unset) means local processes."""
    import os

    address = flag if flag is not None else os.environ.get("DASK_SCHEDULER_ADDRESS", "")
    address = address.strip()
    return None if address in ("", "local") else address


def _cmd_sweep(args) -> int:
    from wiring.experiments.sweep import run_sweep

    out = Path(args.out or "runs/sweep")
    update, close = _progress_bar("sweep", args.quiet)
    try:
        result = run_sweep(args.config, out, resume=args.resume, workers=args.workers,
                           progress=update, scheduler=_scheduler_address(args.scheduler))
    finally:
        close()
    print(f"sweep directory: {result.out}  " + ", ".join(
        f"{k}: {v}" for k, v in result.counts.items()))
    if args.no_report:
        return 0
    return _analyse_report_export(result.out, args, out=None)


def _check_community() -> None:
    """Refuse clearly when ``import community`` finds another package of that name.

    python-louvain installs a top-level ``community`` module too; in one environment the
    two overwrite each other, and ``community.report`` would fail with a bare
    ModuleNotFoundError.
    """
    from wiring.errors import WiringError

    try:
        import community
    except ImportError as exc:
        raise WiringError(f"cannot import wiring's `community` package: {exc}") from exc
    if not hasattr(community, "analyse_sweep"):
        where = getattr(community, "__file__", None) or "an unknown location"
        raise WiringError(
            f"the `community` package found at {where} is not wiring's (python-louvain "
            "installs a module of the same name): install wiring in a virtual environment "
            "of its own, as `bash dev.sh main` does")


def _analyse_report_export(path: Path, args, *, out: Path | None) -> int:
    """Analyse ``path`` in place, then write its report and Gephi files under ``out``
    (``None``: in place, ``path/report`` and ``path/gephi``)."""
    # community is imported lazily: only these commands need it (tests/test_layering.py)
    _check_community()
    from community.export import export_sweep
    from community.report import build_report
    from community.tables import AnalysisSettings, analyse_sweep
    from wiring.experiments.sweep import analysis_settings

    # the sweep file's [analysis] table, then the command line's options over it
    chosen = analysis_settings(path)
    for key in ("weight_mode", "quality", "resolution", "n_null", "nulls", "block_weights"):
        if getattr(args, key, None) is not None:
            chosen[key] = getattr(args, key)
    if "nulls" in chosen:
        chosen["nulls"] = tuple(chosen["nulls"])
    settings = AnalysisSettings(**chosen)
    update, close = _progress_bar("analyse", args.quiet)
    try:
        analyse_sweep(path, settings=settings, workers=args.workers or 2, progress=update)
    finally:
        close()
    html, md = build_report(path, out_dir=out / "report" if out else None)
    gephi = (out or path) / "gephi"
    files = export_sweep(path, fmt="gexf", out_dir=gephi)
    print(f"report: {html}  (markdown: {md})\nGephi files: {len(files)} under {gephi}")
    return 0


def _cmd_report(args) -> int:
    return _analyse_report_export(Path(args.path), args,
                                  out=Path(args.out) if args.out else None)


def _cmd_analyse(args) -> int:
    from wiring.experiments.external import convert

    out = Path(args.out)
    chosen = {key: getattr(args, key) for key in ("weight_mode", "quality", "resolution",
                                                  "n_null", "nulls", "block_weights")
              if getattr(args, key, None) is not None}
    convert(args.paths, out, labels=args.labels, analysis=chosen, overwrite=args.overwrite)
    n_runs = sum(1 for p in (out / "runs").iterdir() if p.is_dir())
    print(f"{n_runs} run directories under {out / 'runs'}")
    return _analyse_report_export(out, args, out=None)


def _cmd_export(args) -> int:
    _check_community()
    from community.export import export_sweep

    out = Path(args.out) if args.out else Path(args.path) / "gephi"
    files = export_sweep(Path(args.path), fmt=args.format, snapshots=args.snapshots,
                         out_dir=out, all_runs=args.all_runs,
                         dynamic=None if args.dynamic == "auto" else args.dynamic)
    print(f"{len(files)} {args.format} files under {out}")
    return 0


def _cmd_config(args) -> int:
    from wiring.config import apply_overrides, config_to_dict, load_config, resolve_config
    from wiring.runs import dump_toml

    if args.sweep:
        from wiring.experiments.grid import DEFAULT_SWEEP

        print(DEFAULT_SWEEP, end="")
        return 0
    _check_config_argument(args.config, args.set or [])
    cfg = resolve_config(apply_overrides(load_config(args.config), args.set or []))
    print(f"# the resolved configuration ({args.config or 'the built-in defaults'}"
          f"{', with --set' if args.set else ''}): what `wiring train` would run\n"
          + dump_toml(config_to_dict(cfg)), end="")
    return 0


def _cmd_reproduce(args) -> int:

    from wiring.experiments.studies import STUDIES, run_studies

    out = Path(args.out or ("reports/paper-quick" if args.quick else "reports/paper"))
    runs_dir = Path(args.runs or ("runs/paper-quick" if args.quick else "runs/paper"))
    if not args.report_only:
        def factory(study):
            update, close = _progress_bar(study, args.quiet)
            factory.closers.append(close)
            return update
        factory.closers = []
        try:
            results = run_studies(runs_dir, quick=args.quick, workers=args.workers,
                                  only=tuple(args.only or STUDIES), progress=factory)
        finally:
            for close in factory.closers:
                close()
        for name, res in results.items():
            print(f"{name}: " + ", ".join(f"{k}: {v}" for k, v in res.counts.items()))
    # community is imported lazily: only these commands need it (tests/test_layering.py)
    _check_community()
    from community.paper.analyse import analyse_studies
    from community.paper.report import build_paper_report, gather_inputs

    gather_inputs(out, runs_dir, studies=(*STUDIES, "rules_select"), quick=args.quick)
    # the quick size draws 5 of each null per run instead of 20: every code path, in minutes
    analyse_studies(runs_dir, out, workers=args.workers or 2, n_null=5 if args.quick else 20)
    html, md = build_paper_report(out, runs_dir=runs_dir, quick=args.quick)
    print(f"report: {html}  (markdown: {md})")
    return 0


def _analysis_options(p) -> None:
    p.add_argument("--weight-mode", default=None, choices=("abs", "pos", "neg", "signed", "sym"),
                   help="weights forming the graph (default: the sweep file's [analysis], "
                        "else abs)")
    p.add_argument("--quality", default=None, choices=("modularity", "rb", "cpm"),
                   help="Leiden quality function (default: modularity)")
    p.add_argument("--resolution", type=float, default=None,
                   help="Leiden resolution (default: 1)")
    p.add_argument("--n-null", type=int, default=None, metavar="N",
                   help="draws of each null model per final snapshot (default: the sweep "
                        "file's [analysis] n_null, else 20; at least 20 for a verdict)")
    p.add_argument("--nulls", nargs="+", default=None,
                   choices=("init-pruned", "shuffle", "rewire"),
                   help="null models (default: all three)")
    p.add_argument("--block-weights", default=None,
                   choices=("auto", "none", "lognormal", "exponential"),
                   help="how the block model uses weights (default: auto: the surviving "
                        "synapses when the run pruned, their magnitudes otherwise)")
    p.add_argument("--workers", type=int, default=None,
                   help="parallel processes (default: the sweep file's workers, else one per "
                   "core, for the runs; 2 for the analysis)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


def _package_version() -> str:
    from wiring import __version__

    return __version__


class _HelpWithDefaults(argparse.HelpFormatter):
    """Every option's help ends with its default, unless the help already states it or
    there is none to state (a flag, or a default that depends on other options)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if ("default" in text.lower() or default in (None, False, argparse.SUPPRESS)
                or action.option_strings == [] or isinstance(action, argparse._VersionAction)):
            return text
        shown = " ".join(map(str, default)) if isinstance(default, list | tuple) else default
        return f"{text} (default: {shown})"


_SWEEP_DEFAULT = ("the embedded default (print it with `wiring config --sweep`): the paper's "
                  "experiment, Algorithm 1 on 300 neurons all-to-all with p = 0.9 pruning at 6 "
                  "learning rates from 1e-4 to 1e4 x 3 seeds, and a supervised recurrent network "
                  "on digits at 3 learning rates")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation and tests)."""
    parser = argparse.ArgumentParser(
        prog="wiring", formatter_class=_HelpWithDefaults,
        description="Train neural circuits with the balance/credit rule and its comparators.")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress details")
    parser.add_argument("-V", "--version", action="version",
                        version=f"%(prog)s {_package_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    tr = sub.add_parser("train", formatter_class=_HelpWithDefaults,
                        help="train one network (or run Algorithm 1) into a run directory")
    tr.add_argument("config", nargs="?", help="TOML config (default: the built-in defaults)")
    tr.add_argument("--out", help="run directory (default: runs/train-<task>)")
    tr.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE",
                    help="override one config value, e.g. --set train.learning_rate=0.05; "
                    "repeatable (default: none)")
    tr.add_argument("--overwrite", action="store_true",
                    help="replace an existing run directory")
    tr.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    tr.set_defaults(func=_cmd_train)
    sw = sub.add_parser("sweep", formatter_class=_HelpWithDefaults,
                        help="run a grid of trainings, then analyse, report, export",
                        description="Run a grid of trainings, then analyse them, write the "
                        "report and the Gephi files. Without CONFIG it runs " + _SWEEP_DEFAULT
                        + ".")
    sw.add_argument("config", nargs="?",
                    help="sweep TOML (default: " + _SWEEP_DEFAULT + ")")
    sw.add_argument("--out", help="sweep directory (default: runs/sweep)")
    sw.add_argument("--resume", action="store_true",
                    help="keep the finished runs of an interrupted (or extended) sweep and "
                    "run the rest")
    sw.add_argument("--no-report", action="store_true", help="only run the trainings")
    sw.add_argument("--scheduler", metavar="ADDRESS",
                    help="run each training as a task on this Dask scheduler "
                    "(tcp://HOST:PORT) instead of local processes; --out must be on a "
                    "filesystem every Dask worker shares, under the same path. Default: "
                    "$DASK_SCHEDULER_ADDRESS if set, else local processes ('local' forces "
                    "them)")
    _analysis_options(sw)
    sw.set_defaults(func=_cmd_sweep)
    rp = sub.add_parser("report", formatter_class=_HelpWithDefaults,
                        help="analyse a sweep or run directory and write its report")
    rp.add_argument("path", help="sweep directory or run directory")
    rp.add_argument("--out", help="write the report and Gephi files under this directory "
                    "(default: in place, PATH/report and PATH/gephi; the analysis tables are "
                    "the sweep's own and always go to PATH/analysis)")
    _analysis_options(rp)
    rp.set_defaults(func=_cmd_report)
    an = sub.add_parser("analyse", formatter_class=_HelpWithDefaults,
                        help="analyse weights trained elsewhere (.npz, CSV edge lists, "
                        "GraphML/GEXF): tables, regimes, report, Gephi files",
                        description="Convert weight matrices trained anywhere into run "
                        "directories of a sweep directory (OUT/runs), then analyse them as "
                        "`wiring report` does: the tables, regimes, report and Gephi files "
                        "of a sweep. W[i, j] is the weight onto neuron i from neuron j. "
                        "Labels (learning rate, seed, step, group) come from file names "
                        "such as lr0.1_s3_step2000.npz, or from a labels.toml; a snapshot "
                        "at step 0 is a run's initial weights (without one, no init-pruned "
                        "null). Formats and labels: wiring.experiments.external.")
    an.add_argument("paths", nargs="+",
                    help=".npz, .csv (src,dst,weight), .graphml or .gexf files, or folders "
                    "of them (a folder's labels.toml is read)")
    an.add_argument("--out", default="runs/analyse",
                    help="sweep directory to write (runs/, analysis/, report/, gephi/)")
    an.add_argument("--labels", metavar="TOML",
                    help="labels file: a table per file name with learning_rate, seed, step, "
                    "group (default: each folder's labels.toml); overrides the file names")
    an.add_argument("--overwrite", action="store_true",
                    help="replace what an earlier `wiring analyse` wrote in --out")
    _analysis_options(an)
    an.set_defaults(func=_cmd_analyse)
    rr = sub.add_parser("reproduce", formatter_class=_HelpWithDefaults,
                        help="run the paper's studies, analyse them and write "
                        "reports/paper (resumable)")
    rr.add_argument("--quick", action="store_true",
                    help="CI size: every code path in minutes (default out: reports/paper-quick)")
    rr.add_argument("--out", help="report directory (default: reports/paper)")
    rr.add_argument("--runs", help="where the runs go (default: runs/paper)")
    rr.add_argument("--only", nargs="+", metavar="STUDY",
                    help="run only these studies (phase, duration, sensitivity, timescales, "
                    "development, rules); the report uses every study found (default: all)")
    rr.add_argument("--report-only", action="store_true",
                    help="skip the runs: re-analyse what is there and rebuild the report")
    rr.add_argument("--workers", type=int, default=None,
                    help="parallel processes (default: one per core for the runs, 2 for the "
                    "analysis)")
    rr.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    rr.set_defaults(func=_cmd_reproduce)
    ex = sub.add_parser("export", formatter_class=_HelpWithDefaults,
                        help="write GEXF / GraphML files of an analysed sweep or run")
    ex.add_argument("path", help="sweep directory or run directory (analysed)")
    ex.add_argument("--out", help="directory of the files (default: PATH/gephi)")
    ex.add_argument("--format", default="gexf", choices=("gexf", "graphml"),
                    help="GEXF (the Gephi format: static files plus a dynamic timeline) or GraphML")
    ex.add_argument("--snapshots", default="final", choices=("final", "all"),
                    help="static files for the final snapshot only, or every snapshot")
    ex.add_argument("--all-runs", action="store_true",
                    help="every analysed run, not only the lowest seed of each cell")
    ex.add_argument("--dynamic", default="auto", choices=("auto", "first-seed", "all", "none"),
                    help="which runs get a dynamic GEXF timeline (auto: the lowest seed of "
                    "each cell)")
    ex.set_defaults(func=_cmd_export)
    cf = sub.add_parser("config", formatter_class=_HelpWithDefaults,
                        help="print the resolved configuration (or the default sweep)")
    cf.add_argument("config", nargs="?", help="TOML config (default: the built-in defaults)")
    cf.add_argument("--set", action="append", metavar="SECTION.KEY=VALUE",
                    help="override one config value, as for `wiring train` (default: none)")
    cf.add_argument("--show", action="store_true",
                    help="print it (what the command does; accepted for clarity)")
    cf.add_argument("--sweep", action="store_true",
                    help="print the embedded default sweep file instead")
    cf.set_defaults(func=_cmd_config)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``wiring`` console script.

    Parameters
    ----------
    argv : list of str, optional
        Arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        Exit status: 0 on success, 2 on a usage or input error.

    Examples
    --------
    >>> main(["train", "--set", "train.rule=hebb", "--out", "/nonexistent/x", "-q"])
    2
    """
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")
    from wiring.errors import WiringError

    try:
        return args.func(args)
    except WiringError as exc:
        print(f"wiring {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
