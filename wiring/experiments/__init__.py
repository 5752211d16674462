"""Experiments: configured jobs, sweeps and their executors, the paper's studies, and
the command line.

Modules: :mod:`~wiring.experiments.jobs` (a config in, a run directory out),
:mod:`~wiring.experiments.grid` (a sweep file parsed and expanded into runs),
:mod:`~wiring.experiments._execute` (the local executor),
:mod:`~wiring.experiments._dask` (the Dask executor),
:mod:`~wiring.experiments.sweep` (a whole sweep: output directory, resume, status table),
:mod:`~wiring.experiments.studies` (``wiring reproduce``) and
:mod:`~wiring.experiments.cli` (``wiring``). This is the one folder of :mod:`wiring`
that uses the analysis package :mod:`community`, and only from the command line,
imported when a command needs it.
"""

__all__: list[str] = []
