"""The JSON report: a Diagnosis as strict JSON (no NaN or Infinity), for CI and other tools.

Schema "nndoctor.report/1" (fields are only added in later versions of the same schema; a change that
breaks readers gets a new schema name):

    {
      "schema": "nndoctor.report/1",
      "status": "completed" | "crashed" | "interrupted",
      "findings": [                       ranked: the headline first
        {
          "id": "lr-too-high",            a catalog id (`nndoctor explain --list`)
          "severity": "error" | "warning" | "info",
          "kind": "cause" | "symptom" | "state",
          "title": str,                   from the catalog
          "evidence": str,                what this run showed
          "advice": str,                  what to change
          "confidence": float,            0 to 1
          "step": int,                    optional: the optimizer step where it showed
          "where": str,                   optional: the layer or parameter
          "explains": [id, ...],          optional: findings of this run it explains
          "explained_by": [id, ...]       optional: causes in this run that explain it
        }
      ],
      "run": {                            a summary of the run; every key is optional
        "script": str, "argv": [str], "exit_code": int, "wall_s": float,   (nndoctor run)
        "events": str,                                                    (nndoctor diagnose)
        "steps": int, "duration_s": float, "overhead_s": float, "overhead_share": float,
        "label_check": {"seconds": float} | {"skipped": str},     (overhead_share: of the training,
                                                                  the label check's seconds apart)
        "optimizer": str, "lr": float (the peak rate), "lr_last": float (if not the peak),
        "loss_functions": [str],
        "data": str, "source": str, "samples": int, "sampled_samples": int,      (nndoctor data, check_data)
        "features": int, "layout": str, "target": str, "target_kind": str, "notes": [str],
        "device_failure": {"step": int, "error": str},      (the GPU failed: values still on it were lost)
        "internal_errors": [{"probe" | "check": str, "error": str}]
      }
    }

A value that is not a finite number (NaN, +-Inf: a loss that blew up) is written as null.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from ..diagnosis import Diagnosis


def to_json(diagnosis: Diagnosis, *, indent: int | None = 2) -> str:
    """The diagnosis as strict JSON text: NaN and Infinity become null."""
    return json.dumps(_strict(diagnosis.to_dict()), indent=indent, allow_nan=False, ensure_ascii=False)


def write_json(diagnosis: Diagnosis, path: str | os.PathLike[str]) -> None:
    """Write the diagnosis to `path` as strict JSON.

    The file is written beside its target and renamed into place, so a reader (or a second Ctrl-C)
    never meets a half-written report.
    """
    target = Path(path)
    text = to_json(diagnosis) + "\n"
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent or ".")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _strict(value: Any) -> Any:
    """A copy of `value` made only of what strict JSON can hold."""
    if isinstance(value, dict):
        return {str(k): _strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_strict(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if hasattr(value, "tolist"):  # numpy arrays and scalars, tensors
        return _strict(value.tolist())
    if hasattr(value, "item"):
        return _strict(value.item())
    return str(value)
