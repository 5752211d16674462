"""Directives that print what the code itself holds, so those pages cannot go stale.

``.. wiring-default-config::``
    every ``wiring train`` configuration key with its default, as the TOML that
    ``config.toml`` of a run would hold (from :class:`wiring.config.TrainConfig`).
``.. wiring-default-sweep::``
    the embedded default sweep of ``wiring sweep`` (:data:`wiring.experiments.sweep.DEFAULT_SWEEP`).
``:wiring-value:`module.NAME```
    the value of a module constant, e.g. a threshold of :mod:`community.regimes`, as an
    inline literal (its ``repr``).
"""

from __future__ import annotations

import importlib

from docutils import nodes
from sphinx.util.docutils import SphinxDirective, SphinxRole


def _literal(text: str) -> list[nodes.Node]:
    block = nodes.literal_block(text, text)
    block["language"] = "toml"
    return [block]


class DefaultConfig(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        from wiring.config import TrainConfig, config_to_dict
        from wiring.runs import dump_toml

        return _literal(dump_toml(config_to_dict(TrainConfig())).rstrip())


class DefaultSweep(SphinxDirective):
    has_content = False

    def run(self) -> list[nodes.Node]:
        from wiring.experiments.sweep import DEFAULT_SWEEP

        return _literal(DEFAULT_SWEEP.rstrip())


class ConstantValue(SphinxRole):
    def run(self) -> tuple[list[nodes.Node], list[nodes.system_message]]:
        try:
            value = _lookup(self.text.strip())
        except (ImportError, AttributeError, ValueError) as exc:
            msg = self.inliner.reporter.error(f"wiring-value: cannot read {self.text!r}: {exc}",
                                              line=self.lineno)
            return [self.inliner.problematic(self.rawtext, self.rawtext, msg)], [msg]
        text = f"{value:g}" if isinstance(value, float) else repr(value)
        return [nodes.literal(self.rawtext, text)], []


def _lookup(dotted: str) -> object:
    """The object at ``package.module.Name.attr``: the longest importable module, then getattr."""
    parts = dotted.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(f"no module in {dotted!r}")


def setup(app) -> dict:
    app.add_role("wiring-value", ConstantValue())
    app.add_directive("wiring-default-config", DefaultConfig)
    app.add_directive("wiring-default-sweep", DefaultSweep)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
