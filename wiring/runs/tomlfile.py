"""TOML writer for the resolved configuration of a run (``config.toml``).

Python reads TOML (:mod:`tomllib`) but cannot write it; :func:`dump_toml` writes
the subset a configuration needs: strings, integers, floats, booleans, lists and
nested tables. Public as ``wiring.runs.dump_toml``.
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Mapping

import numpy as np

from wiring.errors import ConfigError

__all__ = ["dump_toml"]

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


def _toml_string(s: str) -> str:
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_key(key, parent: str) -> str:
    if not isinstance(key, str):
        where = f" in `{parent}`" if parent else ""
        raise ConfigError(f"config key {key!r}{where} must be a string, not {type(key).__name__}")
    return key if _BARE_KEY.fullmatch(key) else _toml_string(key)


def _join(parent: str, key) -> str:
    return f"{parent}.{key}" if parent else str(key)


def _toml_value(value, loc: str) -> str:
    """TOML text of one value; ``loc`` is its dotted key path, for error messages."""
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, numbers.Real):
        v = float(value)
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        return repr(v)  # the shortest text that reads back as the same double
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v, f"{loc}[{i}]") for i, v in enumerate(value)) + "]"
    if isinstance(value, Mapping):
        items = (f"{_toml_key(k, loc)} = {_toml_value(v, _join(loc, k))}" for k, v in value.items())
        return "{" + ", ".join(items) + "}"
    raise ConfigError(
        f"config key `{loc}`: value {value!r} of type {type(value).__name__} cannot be written "
        "to TOML (use str, int, float, bool, and lists and tables of those; TOML has no null)"
    )


def _dump_table(table: Mapping, loc: str, header: list[str], lines: list[str]) -> None:
    subtables = []
    for key, value in table.items():
        if isinstance(value, Mapping):
            subtables.append((key, value))
        else:
            lines.append(f"{_toml_key(key, loc)} = {_toml_value(value, _join(loc, key))}")
    for key, value in subtables:
        sub_header = [*header, _toml_key(key, loc)]
        if lines:
            lines.append("")
        lines.append(f"[{'.'.join(sub_header)}]")
        _dump_table(value, _join(loc, key), sub_header, lines)


def dump_toml(config: Mapping) -> str:
    """Write a nested mapping as TOML text that :func:`tomllib.loads` reads back equal.

    Parameters
    ----------
    config : mapping
        String keys; values are str, int, float, bool, lists (or tuples) of those,
        or mappings (written as ``[section]`` / ``[section.sub]`` tables; mappings
        inside lists become inline tables). numpy scalars are accepted.

    Returns
    -------
    str
        TOML 1.0 text. Floats are written with ``repr`` (``0.1``, ``1e-10``,
        ``nan``, ``inf``), so they read back bit for bit.

    Raises
    ------
    ConfigError
        If a key is not a string or a value has another type (e.g. ``None``); the
        message names the key.

    Examples
    --------
    >>> import tomllib
    >>> text = dump_toml({"seed": 1, "train": {"lr": 1e-10, "layers": [4, 2],
    ...                   "opt": {"name": "sgd", "nesterov": False}}})
    >>> print(text)
    seed = 1
    <BLANKLINE>
    [train]
    lr = 1e-10
    layers = [4, 2]
    <BLANKLINE>
    [train.opt]
    name = "sgd"
    nesterov = false
    <BLANKLINE>
    >>> tomllib.loads(text)["train"]["lr"] == 1e-10
    True
    """
    if not isinstance(config, Mapping):
        raise ConfigError(f"config must be a mapping, got {type(config).__name__}")
    lines: list[str] = []
    _dump_table(config, "", [], lines)
    return "\n".join(lines) + "\n" if lines else ""
