"""From a store to a diagnosis: run the checks, rank the findings, summarise the run."""

from __future__ import annotations

from typing import Any

import numpy as np

from .checks import run_checks
from .checks._signals import learning_rate
from .diagnosis import Diagnosis, rank
from .monitor.store import Store


def diagnose_store(
    store: Store, *, status: str | None = None, run: dict[str, Any] | None = None
) -> Diagnosis:
    """Diagnose a store (live, or rebuilt from an events file)."""
    findings, check_errors = run_checks(store)
    structure = store.structure
    summary: dict[str, Any] = {
        "steps": store.steps_seen,
        "duration_s": structure.get("duration_s"),
        "overhead_s": structure.get("overhead_s"),
    }
    duration, overhead = structure.get("duration_s"), structure.get("overhead_s")
    # the share is of the training: the label check, run once at the end, is reported in seconds
    label_seconds = (structure.get("label_check") or {}).get("seconds") or 0.0
    if duration and overhead is not None and duration > label_seconds:
        summary["overhead_share"] = round((overhead - label_seconds) / (duration - label_seconds), 4)
    optimizer = structure.get("optimizer")
    if optimizer:
        summary["optimizer"] = optimizer["type"]
        summary["lr"] = learning_rate(store)  # the run's peak: step 0 of a warm-up says little
        _, rates = store.series("lr")
        if rates.size and np.isfinite(rates[-1]) and rates[-1] != summary["lr"]:
            summary["lr_last"] = float(rates[-1])
    losses = sorted({f["name"] for f in structure.get("loss_functions", {}).values()})
    if losses:
        summary["loss_functions"] = losses
    if structure.get("trainings", 1) > 1:  # models trained one after another: the last one is diagnosed
        summary["trainings"] = structure["trainings"]
        summary["phase_start"] = store.phase_start
    label_check = structure.get("label_check")  # the label-noise probe: its time, or why it did not run
    if label_check:
        summary["label_check"] = label_check
    if structure.get("device_failure"):  # the GPU failed: what was still on it is missing
        summary["device_failure"] = structure["device_failure"]
    internal = [{"probe": e["probe"], "error": e["error"]} for e in store.events("internal-error")]
    internal += [{"check": e.check, "error": e.error} for e in check_errors]
    if internal:
        summary["internal_errors"] = internal
    summary.update(run or {})
    return rank(findings, status=status or structure.get("status") or "completed", run=summary)
