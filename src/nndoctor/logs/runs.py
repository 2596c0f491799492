"""Cutting one log into runs: where the step (or epoch) count goes back, something started over.

Three cases, told apart by where the count goes back to and by the loss level there:
- back to the start of the run, with the loss back near its starting level: a new run appended to the
  same file (Keras' CSVLogger with append=True, or logs concatenated) -> a separate run;
- back to the start, with the loss near the level where the previous segment ended: the same run,
  resumed by a loop whose counter restarted -> joined, its steps shifted to follow on;
- back to a step inside the run (not its start): resumed from an earlier checkpoint -> joined, and the
  rows the resumed run logged again replace the earlier ones (as TensorBoard shows it).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

LEVEL_POINTS = 5  # losses whose median gives the level at a segment's start or end
PROGRESS_FACTOR = 1.25  # a run whose loss moved less than 25% has no distinct start and end levels


@dataclass(frozen=True)
class RunRows:
    """The rows of one run, in order, and the x value (step or epoch) of each, made increasing."""

    rows: np.ndarray
    x: np.ndarray


def split_runs(x: np.ndarray, train: np.ndarray, breaks: list[int] | tuple[int, ...] = ()) -> list[RunRows]:
    """Cut rows into runs where `x` goes back (or at `breaks`), joining resumed segments.

    `x` is the step or epoch of each row (NaN filled from the row before); `train` the training loss of
    each row (NaN where none was logged), used to tell a new run from a resumed one.
    """
    x = np.asarray(x, dtype=float)
    starts = sorted({0, *np.flatnonzero(np.diff(x) < 0) + 1, *(b for b in breaks if 0 < b < x.size)})
    ends = starts[1:] + [x.size]
    runs: list[RunRows] = []
    for start, end in zip(starts, ends):
        segment = RunRows(np.arange(start, end), x[start:end])
        if not runs:
            runs.append(segment)
            continue
        current = runs[-1]
        first = segment.x[0]
        if first > current.x[-1]:  # a break, but the count goes on: the same run
            runs[-1] = _join(current, segment)
        elif first > current.x[0]:  # resumed from a checkpoint inside the run
            kept = current.x < first
            runs[-1] = _join(RunRows(current.rows[kept], current.x[kept]), segment)
        elif _continues(train[current.rows], train[segment.rows]):  # a counter that restarted
            shift = current.x[-1] + _typical_increment(current.x) - first
            runs[-1] = _join(current, RunRows(segment.rows, segment.x + shift))
        else:
            runs.append(segment)
    return runs


def fill_forward(values: np.ndarray) -> np.ndarray:
    """NaNs replaced by the last value before them (leading NaNs by the first value, or the row index)."""
    values = np.asarray(values, dtype=float)
    finite = ~np.isnan(values)
    if finite.all():
        return values
    if not finite.any():
        return np.arange(values.size, dtype=float)
    index = np.where(finite, np.arange(values.size), 0)
    np.maximum.accumulate(index, out=index)
    filled = values[index]
    filled[: np.argmax(finite)] = values[np.argmax(finite)]
    return filled


def _continues(before: np.ndarray, after: np.ndarray) -> bool:
    """The loss after the restart starts near where it ended before, not near where it began."""
    before = before[np.isfinite(before)]
    after = after[np.isfinite(after)]
    if before.size < 2 or after.size < 1:
        return False
    count = max(1, min(LEVEL_POINTS, before.size // 3))
    began, ended = np.median(before[:count]), np.median(before[-count:])
    resumed = np.median(after[: min(LEVEL_POINTS, after.size)])
    if min(began, ended, resumed) > 0:  # losses are compared in ratios
        began, ended, resumed = np.log(began), np.log(ended), np.log(resumed)
        if abs(began - ended) < np.log(PROGRESS_FACTOR):
            return False
    elif abs(began - ended) < (PROGRESS_FACTOR - 1) * max(abs(began), abs(ended)):
        return False
    return abs(resumed - ended) < abs(resumed - began)


def _typical_increment(x: np.ndarray) -> float:
    steps = np.diff(x)
    steps = steps[steps > 0]
    return float(np.median(steps)) if steps.size else 1.0


def _join(first: RunRows, second: RunRows) -> RunRows:
    return RunRows(np.concatenate([first.rows, second.rows]), np.concatenate([first.x, second.x]))
