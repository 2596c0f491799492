"""Several runs side by side: what `nndoctor curves` prints and writes about them together."""

from __future__ import annotations

import json
from typing import Any

from ..checks._signals import fmt
from ..diagnosis import Diagnosis
from ..report.json import to_json
from .build import LogRun

CURVES_SCHEMA = "nndoctor.curves/1"


def run_summary(run: LogRun) -> dict[str, Any]:
    """The facts about a log run that go into its diagnosis' `run` section."""
    summary: dict[str, Any] = {
        "log": run.source,
        "format": run.format,
        "steps": run.store.steps_seen,
        "x_axis": run.x_axis,
        "train_points": run.train_points,
        "val_points": run.val_points,
    }
    if run.run_count > 1:
        summary["run_index"], summary["run_count"] = run.run_index, run.run_count
    if run.columns is not None:
        summary["train_column"] = run.columns.train
        if run.columns.val is not None:
            summary["val_column"] = run.columns.val
    best = run.best_val()
    if best is not None:
        summary["best_val_loss"], summary["best_val_step"] = best
    return summary


def context_line(run: LogRun) -> str:
    """One line that says which run this is and which columns were read (and which were guessed)."""
    parts = [run.name]
    if run.columns is not None:
        guessed = set(run.columns.guessed)
        parts.append(
            f"train: {run.columns.train}{' (guessed)' if 'train' in guessed else ''}, {run.train_points} points"
        )
        if run.columns.val is not None:
            parts.append(
                f"validation: {run.columns.val}{' (guessed)' if 'val' in guessed else ''}, "
                f"{run.val_points} points"
            )
        else:
            parts.append("no validation loss (only the training curve is judged)")
    parts.append(f"per {run.x_axis}")
    return " · ".join(parts)


def comparison_line(runs: list[LogRun]) -> str:
    """The best validation loss of each run, the lowest marked: "a.csv 0.213 at epoch 12 · ..."."""
    bests = [(run, run.best_val()) for run in runs]
    known = [best[0] for _, best in bests if best is not None]
    lowest = min(known) if known else None
    parts = []
    for run, best in bests:
        if best is None:
            parts.append(f"{run.name}: no validation loss")
            continue
        value, step = best
        mark = " (lowest)" if len(known) > 1 and value == lowest else ""
        parts.append(f"{run.name}: {fmt(value)} at {run.x_axis} {step}{mark}")
    return "Best validation loss per run: " + " · ".join(parts)


def curves_json(diagnoses: list[Diagnosis]) -> str:
    """Strict JSON for several runs: each run's report (schema nndoctor.report/1) in one document."""
    reports = [json.loads(to_json(d, indent=None)) for d in diagnoses]
    best = [
        {key: d.run[key] for key in ("log", "run_index", "best_val_loss", "best_val_step") if key in d.run}
        for d in diagnoses
    ]
    return json.dumps({"schema": CURVES_SCHEMA, "runs": reports, "best_val": best}, indent=2, allow_nan=False)
