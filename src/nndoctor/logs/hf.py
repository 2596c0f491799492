"""Hugging Face `Trainer` state: `trainer_state.json`, whose `log_history` interleaves training logs
(`loss`, `learning_rate`, `grad_norm` at `step`) and evaluations (`eval_loss` at `step`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import LogError
from .table import Table, table_from_records

SUMMARY_KEYS = ("train_runtime", "total_flos")  # the end-of-training entry: its train_loss is a run average


def is_trainer_state(document: Any) -> bool:
    return isinstance(document, dict) and isinstance(document.get("log_history"), list)


def read_trainer_state(path: Path, document: dict[str, Any]) -> Table:
    """The log history as a table, without the final summary entry (whose `train_loss` is the mean
    over the whole run, not a point of the curve)."""
    history = [e for e in document["log_history"] if isinstance(e, dict)]
    records = [e for e in history if not any(key in e for key in SUMMARY_KEYS)]
    if not records:
        raise LogError(f"{path}: its log_history holds no training log; nothing to diagnose")
    return table_from_records(str(path), "trainer_state", records)
