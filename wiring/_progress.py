"""Progress reporting for long calls: ``progress=False | True | "auto" | callable``.

The library is quiet by default (``progress=False``, as scikit-learn's ``verbose=0``):
a call made inside a sweep worker, a doctest or a script piped to a file draws
nothing unless asked. ``True`` draws a ``tqdm.auto`` bar on stderr (a widget in
Jupyter, text in a terminal); ``"auto"`` draws one only in a Jupyter kernel or when
stderr is a terminal, and never when the ``CI`` environment variable is set (to
anything but ``""``, ``0``, ``false`` or ``no``); a callable ``(done, total)``
receives the counts instead of a bar. Bars are updated per epoch, chunk of
iterations or run -- never per sample -- and only from Python, outside the kernels,
so they change no result. :class:`Progress` is a context manager: it closes its
bar on the way out, errors included.

Examples
--------
>>> seen = []
>>> with Progress(lambda done, total: seen.append((done, total)), total=3) as bar:
...     for k in range(1, 4):
...         bar.update(k)
>>> seen
[(1, 3), (2, 3), (3, 3)]
>>> Progress(False, total=3).enabled
False
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any, Literal

from wiring.errors import WiringError

__all__ = ["ProgressArg", "Progress", "show_bar"]

#: What a ``progress`` argument accepts.
ProgressArg = bool | Literal["auto"] | Callable[[int, int], None] | None

_FALSE = ("", "0", "false", "no")


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in _FALSE


def _in_jupyter() -> bool:
    """True inside a Jupyter (IPython kernel) session, where tqdm.auto draws a widget."""
    ipython = sys.modules.get("IPython")
    get_ipython = getattr(ipython, "get_ipython", None)
    shell = get_ipython() if get_ipython is not None else None
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def _stderr_is_tty() -> bool:
    isatty = getattr(sys.stderr, "isatty", None)
    try:
        return bool(isatty is not None and isatty())
    except (ValueError, OSError):  # a closed or detached stream
        return False


def show_bar(progress: Any, name: str = "progress") -> bool:
    """Whether ``progress`` (not a callable) asks for a drawn bar; validates it.

    Raises :class:`WiringError` naming ``name`` for anything but a bool, ``None``
    or ``"auto"``.
    """
    if progress is None or progress is False:
        return False
    if progress is True:
        return True
    if isinstance(progress, str) and progress == "auto":
        return not _in_ci() and (_in_jupyter() or _stderr_is_tty())
    raise WiringError(f"`{name}` must be True, False, 'auto' or a callable(done, total), "
                      f"got {progress!r}")


class Progress:
    """Counts ``done`` out of ``total`` into a tqdm.auto bar, a callback, or nowhere.

    Nothing is drawn until the first :meth:`update`; :meth:`close` (or leaving the
    ``with`` block, also on an error) closes the bar.
    """

    def __init__(self, progress: ProgressArg, *, total: int | None = None, desc: str = "",
                 unit: str = "it", name: str = "progress") -> None:
        self._callback = progress if callable(progress) else None
        self._show = self._callback is None and show_bar(progress, name)
        self.total, self.desc, self.unit = total, desc, unit
        self._bar = None

    @property
    def enabled(self) -> bool:
        """True when updates go somewhere (a bar or a callback)."""
        return self._show or self._callback is not None

    def update(self, done: int, total: int | None = None, **postfix: Any) -> None:
        """Report that ``done`` of ``total`` (default: the total given before) are done;
        ``postfix`` values are shown beside the bar (ignored by callbacks)."""
        if total is not None:
            self.total = total
        if self._callback is not None:
            self._callback(done, self.total)
            return
        if not self._show:
            return
        if self._bar is None:
            from tqdm.auto import tqdm  # widget in Jupyter, text in a terminal

            # starts at `done`: work done before (a resumed sweep's kept runs) is not
            # counted in the rate
            self._bar = tqdm(total=self.total, desc=self.desc, unit=self.unit,
                             initial=done, dynamic_ncols=True, disable=False)
        elif self.total is not None and self._bar.total != self.total:
            self._bar.total = self.total
        if postfix:
            self._bar.set_postfix(postfix, refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """Close the bar (if one was drawn); further updates draw a new one."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
