"""Conventions of the public surface (STYLE.md): __all__, docstrings, signatures."""

import importlib
import inspect
import pkgutil

import pytest

import community
import wiring

# public signatures fixed by the issue (more than three positional parameters)
EXEMPT_POSITIONAL = {"Network.from_edges"}


def public_modules():
    for pkg in (wiring, community):
        for info in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
            if info.name.split(".")[-1].startswith("_") or ".kernels" in info.name:
                continue
            yield importlib.import_module(info.name)


MODULES = list(public_modules())


@pytest.mark.parametrize("mod", MODULES, ids=lambda m: m.__name__)
def test_module_defines_all(mod):
    assert hasattr(mod, "__all__"), mod.__name__
    for name in mod.__all__:
        assert hasattr(mod, name), f"{mod.__name__}.__all__ lists missing {name}"


def public_functions():
    seen = set()
    for mod in MODULES:
        for name in mod.__all__:
            obj = getattr(mod, name)
            if inspect.isfunction(obj) and obj.__module__ == mod.__name__:
                if obj not in seen:
                    seen.add(obj)
                    yield f"{mod.__name__}.{name}", obj
            elif inspect.isclass(obj) and obj.__module__ == mod.__name__:
                for meth_name, meth in vars(obj).items():
                    if meth_name.startswith("_"):
                        continue
                    if isinstance(meth, classmethod):
                        meth = meth.__func__
                    if inspect.isfunction(meth) and meth not in seen:
                        seen.add(meth)
                        yield f"{name}.{meth_name}", meth


FUNCS = list(public_functions())


@pytest.mark.parametrize(("qual", "func"), FUNCS, ids=[q for q, _ in FUNCS])
def test_public_function_conventions(qual, func):
    doc = inspect.getdoc(func) or ""
    assert doc, f"{qual} has no docstring"
    sig = inspect.signature(func)
    params = [p for p in sig.parameters.values() if p.name not in ("self", "cls")]
    positional = [p for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    short = qual.split(".")[-2:]
    if ".".join(short) not in EXEMPT_POSITIONAL:
        assert len(positional) <= 3, f"{qual}: {len(positional)} positional parameters"
    for p in params:
        if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            assert p.annotation is not inspect.Parameter.empty, (
                f"{qual}: parameter {p.name} lacks a type hint")
    if "Examples" not in doc:
        pytest.fail(f"{qual}: docstring has no Examples section")
