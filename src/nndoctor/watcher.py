"""`nndoctor.watch`: the monitor as a context manager, for training code you can edit."""

from __future__ import annotations

from typing import Any

import torch

from .analyze import diagnose_store
from .diagnosis import Diagnosis
from .monitor.monitor import Monitor


class Watch:
    """Attached on `__enter__`, detached on `__exit__` (even when the block raises)."""

    def __init__(
        self,
        model: torch.nn.Module | None = None,
        optimizer: torch.optim.Optimizer | None = None,
        *,
        events: str | None = None,
    ) -> None:
        self.monitor = Monitor(model, optimizer, events=events)

    def __enter__(self) -> Watch:
        self.monitor.attach()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            status = "completed"
        elif issubclass(exc_type, KeyboardInterrupt):
            status = "interrupted"
        else:
            status = "crashed"
        self.monitor.finish(status)

    @property
    def store(self):
        return self.monitor.store

    def diagnosis(self) -> Diagnosis:
        """The ranked diagnosis of what was watched so far (call it after the block)."""
        return diagnose_store(self.monitor.store, status=self.monitor.status)


def watch(
    model: torch.nn.Module | None = None,
    optimizer: torch.optim.Optimizer | None = None,
    *,
    events: str | None = None,
) -> Watch:
    """Watch the training done inside a `with` block.

    With no arguments it attaches to whatever model and optimizer train inside the block; name them to
    be explicit. `events` streams the monitor's records to a JSON-lines file as the run goes.

        with nndoctor.watch() as doc:
            train()
        print(doc.diagnosis())
    """
    return Watch(model, optimizer, events=events)
