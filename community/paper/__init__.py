"""The paper reproduction: per-run measurements beside null models, tables, figures and
the ``reports/paper`` report (``wiring reproduce``)."""

__all__: list[str] = []
