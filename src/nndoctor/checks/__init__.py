"""Checks: pure functions from a Store to findings.

A check is registered with `@check`; it reads the store (and nothing else: no torch hooks, no printing,
no global state) and returns findings. Adding a check touches one module: import it at the bottom of
this file so that it registers.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from ..findings import Finding
from ..monitor.store import Store

CheckFunction = Callable[[Store], Iterable[Finding]]
_REGISTRY: dict[str, CheckFunction] = {}


def check(function: CheckFunction) -> CheckFunction:
    """Register a check under its module and function name."""
    name = f"{function.__module__.rsplit('.', 1)[-1]}.{function.__name__}"
    if name in _REGISTRY:
        raise ValueError(f"check {name} is registered twice")
    _REGISTRY[name] = function
    return function


def registered() -> dict[str, CheckFunction]:
    return dict(_REGISTRY)


@dataclass(frozen=True)
class CheckError:
    """A check that raised: reported as nndoctor's own problem, never as a finding about the run."""

    check: str
    error: str
    traceback: str


def run_checks(store: Store) -> tuple[list[Finding], list[CheckError]]:
    """Run every registered check on the store; a check that raises is recorded and skipped."""
    findings: list[Finding] = []
    errors: list[CheckError] = []
    for name, function in _REGISTRY.items():
        try:
            findings.extend(function(store) or ())
        except Exception as exc:  # a broken check must not hide the others
            errors.append(CheckError(name, f"{type(exc).__name__}: {exc}", traceback.format_exc()))
    return findings, errors


from . import (  # noqa: E402,F401  (registers the checks)
    capacity,
    curves,
    data,
    data_split,
    gradients,
    init,
    loop,
    loss,
    loss_pairing,
    optimization,
    units,
)
