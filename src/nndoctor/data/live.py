"""The data seen during a live run: sampled training batches and validation inputs, in bounded memory.

The batch probe (monitor/probes/batches.py) hands over host copies of the batches it samples; this
module keeps what the checks read:
- a `DataProfile` of the training batches (inputs paired with the targets of their loss call), so that
  every data check of `nndoctor data` works on live runs too;
- the number of distinct classes in each training batch (is the loader shuffled?);
- a `DataProfile` of the validation inputs (the model's inputs in eval mode or under no_grad), and how
  many of them were also seen in training (hashes of the inputs).

Exact copies in the training data cannot be told from a sample seen again in a later epoch, since a
batch carries no sample ids. They are counted only while every step is sampled (the dense start), and
only when the data is seen to run out: fewer than one new input in ten over a quarter as many rows again
as had been seen (a dropped last batch shows a few inputs for the first time in the next pass). Copies
are then the rows up to that point less the distinct inputs among them. A loader drawing with
replacement (torch.randint indices) also repeats inputs; it is told apart by how often each input came
back: with replacement the counts scatter like a Poisson draw (variance about equal to the mean),
without replacement every input comes back as often as it has copies (little variance).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, deque
from typing import Any

import numpy as np

from ..loss_kinds import REGRESSION_LOSSES
from .profile import SAMPLE_ROWS, DataProfiler, _as_array, combine_hashes, row_hashes

MAX_BATCH_VALUES = 1_000_000  # values profiled per batch (8 MB as float64): a larger one gives its first rows
# sampled training values held before they are profiled together: numpy's cost per call is then paid
# once per buffer, not once per batch (small batches cost 1 ms each to profile alone)
BUFFER_VALUES = 1_000_000
MAX_VAL_ROWS = 20_000  # validation rows profiled and hashed: the mean of 20k rows is known to 1/140 of a std
MAX_HASHES = 200_000  # training-sample hashes kept for the overlap with validation (about 20 MB as a set)
MAX_BATCHES = 1024  # per-batch class counts kept for the shuffling check
EXHAUSTED_FRACTION = 0.25  # over a quarter as many rows again as had been seen,
EXHAUSTED_NEW_SHARE = 0.1  # fewer than one new input in ten: the data has run out
POISSON_DISPERSION = 0.5  # variance / mean of the repeat counts below this: drawn without replacement
RECENT_BATCHES = 32  # revisit shares of this many recent training batches estimate the hashes' coverage


class LiveData:
    """Accumulates the live data record; `records()` gives the store records for the checks."""

    def __init__(self) -> None:
        # duplicates are counted here (see the module docstring), not by the profiler
        self.train = DataProfiler(source="training batches", integer_means_classes=True, max_hashed_rows=0)
        self.val = DataProfiler(source="validation batches", max_hashed_rows=0)
        self.batch_sizes: list[int] = []
        self.batch_classes: list[int] = []  # distinct class labels in each batch
        self.weighted_loss = False
        self.failed_loss_call: dict[str, Any] | None = None  # a training loss call that raised
        self.target_loss: str | None = None  # the loss whose targets were profiled (of several, the first)
        self.companion_values = 0  # values per sample in the model's further inputs (see `add_train`)
        self._seen: set[int] = set()
        self._label_of: dict[int, int] = {}  # input hash -> label hash, for inputs seen with two labels
        self._conflicts: set[int] = set()
        self._epoch: Counter[int] | None = Counter()  # times each input came back over the dense start
        self._pass_log: list[tuple[int, int]] = [(0, 0)]  # rows and distinct inputs after each dense batch
        self._last_step: int | None = None
        self._recent: deque[tuple[int, int]] = deque(maxlen=RECENT_BATCHES)
        self._val_batches: list[np.ndarray] = []  # hashes of each validation batch's new inputs
        self._val_seen: set[int] = set()  # validation inputs already taken (each epoch repeats them)
        # (inputs, targets, step, row hashes of the companion inputs or None)
        self._buffer: list[tuple[np.ndarray, np.ndarray | None, int, np.ndarray | None]] = []
        self._buffered_values = 0
        self.train_rows = 0  # training rows taken so far, profiled or still buffered

    def join_mid_pass(self) -> None:
        """The batches come from somewhere inside a pass over the data (a training joined late): rows up
        to where the data runs out are not one pass, so copies stay unknown."""
        self._epoch = None

    def wants_train(self) -> bool:
        return self.train_rows < SAMPLE_ROWS

    def wants_val(self) -> bool:
        return self.val.rows < MAX_VAL_ROWS

    # --- adding ---------------------------------------------------------------------------------------
    def add_train(
        self, inputs: Any, targets: Any, *, step: int, loss: str | None = None, companions: list | None = None
    ) -> None:
        """A sampled training batch (inputs of its model, targets of its loss call or None) at `step`.

        `loss` names the loss function: a regression loss says integer targets are counts, not classes.
        `companions` are the model's further inputs of one row per sample (a recommender's item ids beside
        its user ids, an attention mask): not profiled, but part of what makes a sample itself, so they
        join its hash (two ratings of one user are not copies).
        """
        if loss in REGRESSION_LOSSES and self.train.task is None:
            self.train.task = "regression"
        inputs = _rows(_as_array(inputs, "inputs"))
        target_array = None if targets is None else _as_array(targets, "targets")
        if target_array is not None and (target_array.ndim == 0 or len(target_array) != len(inputs)):
            target_array = None
        if target_array is not None:
            self.target_loss = self.target_loss or loss
            self._count_classes(target_array)
        take = _rows_within_budget(inputs)
        # copies: a CPU tensor's array is a view, and a loop that refills one batch tensor in place would
        # change the buffered rows before they are profiled
        inputs = inputs[:take].copy()
        target_array = None if target_array is None else target_array[:take].copy()
        companion_hashes = _companion_hashes(companions, len(inputs))
        self.companion_values = sum(math.prod(c.shape[1:]) for c in companions or ())
        if self._buffer and not _stackable(self._buffer[-1], inputs, target_array, companion_hashes):
            self.profile_buffered()
        self._buffer.append((inputs, target_array, step, companion_hashes))
        self._buffered_values += inputs.size
        self.train_rows += len(inputs)
        if self._buffered_values >= BUFFER_VALUES:
            self.profile_buffered()

    def profile_buffered(self) -> None:
        """Profile the buffered batches in one pass, in the order they came (the epoch follows steps)."""
        batches, self._buffer, self._buffered_values = self._buffer, [], 0
        if not batches:
            return
        inputs = np.concatenate([b[0] for b in batches])
        hashes = row_hashes(inputs.reshape(len(inputs), -1))
        if batches[0][3] is not None:
            hashes = combine_hashes(hashes, np.concatenate([b[3] for b in batches]))
        start = 0
        for batch_inputs, _, step, _ in batches:
            self._follow_epoch(hashes[start : start + len(batch_inputs)], step)
            start += len(batch_inputs)
        targets = None if batches[0][1] is None else np.concatenate([b[1] for b in batches])
        if targets is not None:
            self._find_conflicts(hashes, row_hashes(targets.reshape(len(targets), -1)))
        steps = np.concatenate([np.full(len(b[0]), b[2], dtype=np.int64) for b in batches])
        self.train.add(inputs, targets, ids=steps)

    def add_val(self, inputs: Any, companions: list | None = None) -> None:
        """A validation batch: profiled, and looked up among the training samples (hashed as they are)."""
        inputs = _rows(_as_array(inputs, "inputs"))
        inputs = inputs[: min(_rows_within_budget(inputs), MAX_VAL_ROWS - self.val.rows)]
        if not len(inputs):
            return
        hashes = row_hashes(inputs.reshape(len(inputs), -1))
        companion_hashes = _companion_hashes(companions, len(inputs))
        if companion_hashes is not None:
            hashes = combine_hashes(hashes, companion_hashes)
        new = np.asarray([h not in self._val_seen for h in hashes.tolist()], dtype=bool)
        if not new.any():
            return  # the same validation set again, next epoch
        self._val_seen.update(hashes[new].tolist())
        self._val_batches.append(hashes[new])  # looked up at the end, when training has been seen
        self.val.add(inputs[new])

    def _count_classes(self, targets: np.ndarray) -> None:
        if (
            len(self.batch_sizes) >= MAX_BATCHES
            or targets.ndim > 2
            or (targets.ndim == 2 and targets.shape[1] != 1)
        ):
            return
        values = targets.reshape(-1).tolist()  # a Python set: cheaper than numpy calls on a batch's values
        classes = set(values)
        # whole numbers, or infinite (equal to their floor): else continuous targets (or NaN), no classes
        if targets.dtype.kind == "f" and not all(math.isinf(v) or v.is_integer() for v in classes):
            return
        self.batch_sizes.append(len(values))
        self.batch_classes.append(len(classes))

    def _follow_epoch(self, hashes: np.ndarray, step: int) -> None:
        seen, samples = self._seen, hashes.tolist()
        known = sum(map(seen.__contains__, samples))  # inputs seen before
        self._recent.append((len(samples), known))
        if self._epoch is not None:
            consecutive = self._last_step is None or step <= self._last_step + 1
            if consecutive and len(self._epoch) < MAX_HASHES:
                self._epoch.update(samples)
                self._pass_log.append((self._pass_log[-1][0] + len(samples), len(self._epoch)))
            elif not self.epoch_seen():
                self._epoch = None  # sampling turned sparse before the data ran out: copies stay unknown
        self._last_step = step
        if len(seen) < MAX_HASHES:
            seen.update(samples)

    def epoch_seen(self) -> bool:
        """Whether the training data was seen to run out, drawn without replacement (see the docstring)."""
        self.profile_buffered()
        return self._one_pass() is not None

    def _one_pass(self) -> tuple[int, int] | None:
        """Rows and distinct inputs of one pass over the data; None while unknown (see the docstring)."""
        if not self._epoch:
            return None
        log = self._pass_log
        rows_log = [rows for rows, _ in log]  # non-decreasing: the first entry far enough on is bisected
        found = None
        for rows, distinct in log:
            later = bisect.bisect_left(rows_log, (1 + EXHAUSTED_FRACTION) * rows)
            if later == len(log):
                break  # no entry is that far on, nor further on for the entries after this one
            later_rows, later_distinct = log[later]
            if rows and later_distinct - distinct < EXHAUSTED_NEW_SHARE * (later_rows - rows):
                found = (rows, distinct)
                break
        if found is None:
            return None
        counts = np.fromiter(self._epoch.values(), dtype=np.float64, count=len(self._epoch))
        return found if float(counts.var()) < POISSON_DISPERSION * float(counts.mean()) else None

    def _find_conflicts(self, hashes: np.ndarray, labels: np.ndarray) -> None:
        label_of = self._label_of
        for sample, label in zip(hashes.tolist(), labels.tolist()):
            known = label_of.get(sample)
            if known is None:
                if len(label_of) < MAX_HASHES:
                    label_of[sample] = label
            elif known != label:
                self._conflicts.add(sample)

    # --- reading --------------------------------------------------------------------------------------
    def coverage(self) -> float:
        """The share of the training samples whose hash is kept: 1 when a whole epoch was seen; else the
        share of recent sampled batches' samples that had been seen before (0 within the first epoch)."""
        self.profile_buffered()
        if self.epoch_seen() and len(self._seen) < MAX_HASHES:
            return 1.0
        rows = sum(r for r, _ in self._recent)
        return sum(k for _, k in self._recent) / rows if rows else 0.0

    def duplicates(self) -> dict[str, int]:
        self.profile_buffered()
        one_pass = self._one_pass()
        if one_pass is not None:
            hashed, copies = one_pass[0], one_pass[0] - one_pass[1]
        else:
            hashed, copies = len(self._seen), 0
        return {"hashed_rows": hashed, "duplicate_rows": copies, "conflicting_inputs": len(self._conflicts)}

    def records(self, *, check_labels: bool = False) -> list[dict[str, Any]]:
        """Store records: the training profile as "data_profile", the rest under "live_data"."""
        self.profile_buffered()
        records = []
        if self.train.rows:
            profile = self.train.profile(check_labels=check_labels)
            profile.duplicates = self.duplicates()
            records.append(profile.to_record())
        live: dict[str, Any] = {
            "batch_sizes": list(self.batch_sizes),
            "batch_classes": list(self.batch_classes),
            "weighted_loss": self.weighted_loss,
            "failed_loss_call": self.failed_loss_call,
            "target_loss": self.target_loss,
            "companion_values": self.companion_values,
            "val_profile": self.val.profile().to_dict() if self.val.rows else None,
            "val_batches": [[len(b), sum(h in self._seen for h in b.tolist())] for b in self._val_batches],
            "coverage": round(self.coverage(), 4),
            "train_samples": len(self._seen),  # distinct training inputs hashed
            "first_epoch_seen": self.epoch_seen(),
        }
        records.append({"kind": "structure", "data": {"live_data": live}})
        return records


def _stackable(
    last: tuple[np.ndarray, np.ndarray | None, int, np.ndarray | None],
    inputs: np.ndarray,
    targets: Any,
    companion_hashes: np.ndarray | None,
) -> bool:
    """Whether a batch joins the buffer: the same sample shapes and dtypes, targets and companions
    present alike."""
    last_inputs, last_targets, _, last_companions = last
    if last_inputs.shape[1:] != inputs.shape[1:] or last_inputs.dtype != inputs.dtype:
        return False
    if (last_companions is None) != (companion_hashes is None):
        return False
    if last_targets is None or targets is None:
        return last_targets is None and targets is None
    return last_targets.shape[1:] == targets.shape[1:] and last_targets.dtype == targets.dtype


def _companion_hashes(companions: list | None, rows: int) -> np.ndarray | None:
    """One hash per sample over the companion inputs (each one row per sample), for the first `rows`."""
    if not companions:
        return None
    arrays = [_as_array(c, "inputs")[:rows] for c in companions]
    return row_hashes(np.concatenate([a.reshape(rows, -1).astype(np.float64) for a in arrays], axis=1))


def _rows(array: np.ndarray) -> np.ndarray:
    return array.reshape(-1, 1) if array.ndim == 1 else array


def _rows_within_budget(inputs: np.ndarray) -> int:
    per_sample = max(1, math.prod(inputs.shape[1:]))
    return max(1, min(len(inputs), MAX_BATCH_VALUES // per_sample))


def class_spread(sizes: list[int], classes: list[int], counts: list[int]) -> tuple[float, float]:
    """Mean distinct classes per batch: observed, and expected of batches drawn at random from the
    class shares (sum over classes of 1 - (1 - share)^B: drawing with replacement, which gives slightly
    fewer distinct classes than a shuffled loader does, so the expectation errs low)."""
    shares = np.asarray(counts, dtype=float) / max(1, sum(counts))
    expected = [float(np.sum(1.0 - (1.0 - shares) ** size)) for size in sizes]
    return float(np.mean(classes)), float(np.mean(expected))
