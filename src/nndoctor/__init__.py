"""nndoctor: tells you why your neural network will not train, and what to change."""

from __future__ import annotations

from .diagnosis import Diagnosis
from .findings import Finding, Severity
from .watch import watch

__version__ = "0.1.0"
__all__ = ["Diagnosis", "Finding", "Severity", "watch", "diagnose_events", "__version__"]


def diagnose_events(path: str) -> Diagnosis:
    """Diagnose an events file written by `nndoctor run --events PATH` or `watch(events=PATH)`."""
    from .analyze import diagnose_store
    from .monitor.eventlog import read_events

    return diagnose_store(read_events(path))
