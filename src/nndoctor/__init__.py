"""nndoctor: tells you why your neural network will not train, and what to change."""

from __future__ import annotations

from .diagnosis import Diagnosis
from .findings import Finding, Severity

__version__ = "0.1.0"
__all__ = ["Diagnosis", "Finding", "Severity", "watch", "check_data", "diagnose_events", "__version__"]


def diagnose_events(path: str) -> Diagnosis:
    """Diagnose an events file written by `nndoctor run --events PATH` or `watch(events=PATH)`."""
    from .analyze import diagnose_store
    from .monitor.eventlog import read_events

    return diagnose_store(read_events(path))


def __getattr__(name: str):
    if name == "check_data":  # pandas and torch only when data is checked
        from .data.api import check_data

        return check_data
    if name == "watch":  # torch is imported only when watch is used: `explain` and `diagnose` stay fast
        from .watcher import watch

        return watch
    raise AttributeError(f"module 'nndoctor' has no attribute {name!r}")
