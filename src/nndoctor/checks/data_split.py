"""Checks on how the data is fed during a live run: batch order, and training against validation data.

They read what the batch probe records (`store.structure["live_data"]`, see data/live.py) beside the
training data profile, so they are quiet for `nndoctor data` and for logs.
"""

from __future__ import annotations

import math

import numpy as np

from ..data.profile import DataProfile
from ..findings import Finding
from ..monitor.store import Store
from . import check
from ._signals import fmt, name_list
from .data import (
    ORDERED_FACTOR,
    SPARSE_SHARE,
    _Columns,
    _count,
    _share,
    batch_order,
    batches_ordered,
    live_data,
    profile_of,
)

# data-unshuffled
MIN_EXTRA_CLASSES = 0.5  # random batches must hold half a class beyond their first for order to show
NOISE_SE = 3.0  # and the shortfall must exceed 3 standard errors of the mean: the count of extra classes
# in a batch is a sum of 0/1 indicators, whose variance is at most its mean

# train-val-overlap
MIN_COVERAGE = 0.2  # the training hashes must cover a fifth of the training set for an estimate
TRAIN_EVAL_SHARE = 0.9  # batches with (nearly) every sample found in training ...
TRAIN_PASS_SHARE = 0.5  # ... that together cover half the training samples or more are an evaluation of the
# training set (train accuracy); fewer are a validation set cut out of the training data
OVERLAP_SHARE = 0.05  # 5% of validation samples seen in training: the validation score is that much
# training score; curated data sets hold under 1% exact copies
MIN_OVERLAP = 5  # samples: a couple of coincidental copies (blank images) are not a leak

# train-val-mismatch
SHIFT_LIMIT = 0.5  # a validation mean half a training standard deviation away: a third of the samples
# would cross from one side of the training mean to the other
SCALE_LIMIT = 2.0  # a validation spread twice or half the training spread
NOISE_Z = 5.0  # and five standard errors of the sampled means (spreads) apart: not sampling noise
MIN_VAL_ROWS = 30
MISMATCH_SHARE = 0.25  # preprocessing applied to one split moves every feature it touches; one or two
# features of many drifting between splits is ordinary variation (or a drifting source), not a mismatch


# --- data-unshuffled --------------------------------------------------------------------------------
@check
def data_unshuffled(store: Store) -> list[Finding]:
    order = batch_order(store)
    if order is None:
        return []
    observed, expected, batches, single = order
    extra, expected_extra = observed - 1.0, expected - 1.0  # every batch holds at least one class
    noise = NOISE_SE * math.sqrt(expected_extra / batches) if expected_extra > 0 else 0.0
    if expected_extra < MIN_EXTRA_CLASSES or extra > ORDERED_FACTOR * expected_extra:
        return []
    if expected - observed < noise:
        return []
    evidence = (
        f"the {batches} training batches sampled hold {fmt(observed)} distinct classes on average "
        f"({single} of them a single class), where batches drawn at random from the same class shares "
        f"would hold {fmt(expected)}: the data is ordered by class and the loader does not shuffle it"
    )
    return [
        Finding(
            "data-unshuffled",
            evidence + ".",
            confidence=0.9 if extra <= 0.25 * expected_extra else 0.8,
            advice="Pass shuffle=True to the training DataLoader (or permute the indices every epoch).",
        )
    ]


# --- train-val-overlap ------------------------------------------------------------------------------
@check
def train_val_overlap(store: Store) -> list[Finding]:
    live = live_data(store)
    batches = np.asarray(live.get("val_batches") or [], dtype=float).reshape(-1, 2)
    coverage = float(live.get("coverage") or 0.0)
    if not batches.size or coverage < MIN_COVERAGE:
        return []
    rows, known = batches[:, 0], batches[:, 1]
    on_training_set = known >= TRAIN_EVAL_SHARE * coverage * rows
    if rows[on_training_set].sum() < TRAIN_PASS_SHARE * coverage * float(live.get("train_samples") or 0):
        on_training_set[:] = False
    val_rows, overlap = rows[~on_training_set].sum(), known[~on_training_set].sum()
    if not val_rows or overlap < MIN_OVERLAP:
        return []
    estimate = min(1.0, overlap / val_rows / coverage)
    if estimate < OVERLAP_SHARE:
        return []
    evidence = (
        f"{_count(overlap)} of {_count(val_rows)} validation samples ({_share(overlap, val_rows)}) are exact "
        f"copies of samples the model trained on"
    )
    if coverage < 1.0:
        evidence += (
            f"; the training samples compared cover about {_share(coverage, 1)} of the training set, so about "
            f"{_share(estimate, 1)} of the validation set overlaps it"
        )
    return [
        Finding(
            "train-val-overlap",
            evidence + ". Validation scores on them measure memory, not generalisation.",
            confidence=0.9 if estimate >= 4 * OVERLAP_SHARE else 0.75,
            advice="Split the samples once, before any oversampling or augmentation, and drop validation "
            "samples that also occur in the training set.",
        )
    ]


# --- train-val-mismatch -----------------------------------------------------------------------------
@check
def train_val_mismatch(store: Store) -> list[Finding]:
    train = profile_of(store)
    val_data = live_data(store).get("val_profile")
    if train is None or not isinstance(val_data, dict):
        return []
    val = DataProfile.from_dict(val_data)
    if val.layout != train.layout or val.features.get("names") != train.features.get("names"):
        return []
    if val.sampled_rows < MIN_VAL_ROWS or train.sampled_rows < MIN_VAL_ROWS:
        return []
    if batches_ordered(store):
        return []  # batches ordered by class: the sampled training batches are no sample of the training set
    t, v = _Columns(train.features), _Columns(val.features)
    n_t, n_v = float(train.sampled_rows), float(val.sampled_rows)
    with np.errstate(divide="ignore", invalid="ignore"):
        usable = np.isfinite(t.std) & np.isfinite(v.std) & (t.std > 0) & (v.std > 0)
        # mostly-0/1 features (sparse pixels, flags) are heavy-tailed: their spread's sampling noise is
        # far above the normal-theory standard error used here
        usable &= ~(t.zero_one_share >= SPARSE_SHARE)
        gap = np.abs(v.mean - t.mean)
        shift = gap / t.std
        shift_z = gap / np.sqrt(t.std**2 / n_t + v.std**2 / n_v)
        ratio = v.std / t.std
        ratio_z = np.abs(np.log(ratio)) / math.sqrt(1 / (2 * n_t) + 1 / (2 * n_v))  # SE of a log std
    shifted = usable & (shift >= SHIFT_LIMIT) & (shift_z >= NOISE_Z)
    rescaled = usable & ((ratio >= SCALE_LIMIT) | (ratio <= 1 / SCALE_LIMIT)) & (ratio_z >= NOISE_Z)
    bad = np.flatnonzero(shifted | rescaled)
    usable_count = int(usable.sum())
    if not bad.size or bad.size < MISMATCH_SHARE * usable_count:
        return []
    order = bad[np.argsort(-(shift[bad] + np.abs(np.log(ratio[bad]))), kind="stable")]
    described = [
        f"{t.names[i]} (train mean {fmt(t.mean[i])}, std {fmt(t.std[i])}; validation mean {fmt(v.mean[i])}, "
        f"std {fmt(v.std[i])})"
        for i in order
    ]
    evidence = (
        f"{bad.size} of {usable_count} input features differ between the training and the validation "
        f"batches by more than half a training std in mean or 2x in spread, far beyond sampling noise "
        f"({_count(n_t)} and {_count(n_v)} samples): {name_list(described, 3)}"
    )
    most = bad.size >= 0.5 * usable_count
    if most:
        evidence += "; nearly every feature moved, as when only one split was standardised"
    return [
        Finding(
            "train-val-mismatch",
            evidence + ".",
            confidence=0.9 if most else 0.75,
            where=name_list([t.names[i] for i in order], 3),
            advice="Fit the preprocessing (scaler, normaliser, vocabulary) on the training data once and "
            "apply that same fitted transform to the validation and test data.",
        )
    ]
