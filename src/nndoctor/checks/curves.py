"""Checks on the training and validation curves together: the state a run is in, and loss spikes.

The five states of a pair of loss curves (what the end of the run shows):
    train falling, validation falling       -> still-learning (train longer)
    train falling, validation flat/rising   -> overfitting (+ no-regularization when the model has none)
    train flat, validation falling          -> dataset-problem
    train flat, validation flat, too high   -> learning-bottleneck (flat at a good level is convergence)
    train rising, validation rising         -> loss-diverging

Real curves are noisy: mini-batch noise on every step, validation every epoch with only a handful of
points, schedule drops and warm-up. So a curve's direction is never read from two raw points: over the
last third of the run it is cut into windows whose medians smooth the batch noise, the Mann-Kendall
test says whether their order is a trend or noise, and a Theil-Sen fit (robust to a bad window) says
how large the change is relative to the loss level. A state is claimed only when both agree; in
between nothing is said. A learning-rate drop restarts the window: what the run does after the drop is
its state.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from ..findings import Finding, Severity
from ..monitor.jumps import SPIKE_MIN_SHARE, SPIKE_UNDONE_SHARE  # the live jump test's least jump
from ..monitor.store import Store
from . import check
from ._signals import (
    MAD_TO_SIGMA,
    fmt,
    loss_scale,
    loss_shape_check,
    robust_sigma,
    start_level,
    start_points,
    train_loss_functions,
)
from .data import weak_signal

# --- reading a trend -----------------------------------------------------------------------------
RAW_POINTS = 48  # up to this many points a trend is read from the points themselves
WINDOW_POINTS = 8  # beyond, from medians of windows: a median over fewer points is mostly batch noise
MAX_WINDOWS = 24  # and at most this many (Mann-Kendall over 24 medians detects a steady trend)
TREND_Z = 1.645  # one-sided 5% level of the Mann-Kendall statistic: a trend, not noise
TREND_SHARE = 0.02  # and it moved at least 2% of its level (above the floor): a change worth naming
FLAT_SHARE = 0.03  # moved less than 3% over the window: flat (too little to matter), significant or not;
# between 2% and 3% a steady change is both: provably going down, by too little to call it progress
LOOSE_FLAT_SHARE = 0.05  # ... or less than 5% with no significant trend: flat within its noise
RECENT_SHARE = 1 / 3  # the state is what the last third of the run shows
MIN_RECENT_POINTS = 3  # fewer points than this in the window cannot show a direction
MIN_VAL_POINTS = 3  # with fewer validation points no state is claimed
LR_DROP_FACTOR = 2.0  # a rate that halves (or more) between two logged points is a schedule drop
LR_DROP_FLOOR = 1e-2  # ... while above 1% of its peak (the last steps of a cosine decay are no drop)

# --- states --------------------------------------------------------------------------------------
OVERFIT_MIN_RISE = 0.02  # validation 2% above its best (and beyond 3 sigmas of its noise) ...
OVERFIT_NOISE_SIGMAS = 3.0
OVERFIT_CLEAR_RISE = 0.10  # ... rising steadily (Mann-Kendall), or by 10% or more
OVERFIT_MIN_AFTER = 2  # evaluations after the best: one higher point can be noise
MEMORISED_SHARE = 0.05  # a training loss under 5% of its starting gap to the floor has nothing left to fall
# by: flat there, while validation rises, the network has memorised its training set
STALL_TOLERANCE = 0.02  # validation within 2% of its best has stopped improving ...
STALL_MIN_EVALS = 3  # ... for 3 evaluations or more ...
STALL_SPAN_SHARE = 0.25  # ... over a quarter of the run or more ...
STALL_TRAIN_FALL = 0.20  # ... while the training loss fell by a fifth: the gap opens (overfitting, info)
BOTH_RISING_SHARE = 0.10  # both losses up a tenth: a failing run climbs, noise does not
STILL_LEARNING_SHARE = 0.05  # validation fell 5% over the last third and is at its best: keep training
DATASET_PROGRESS_RATIO = 0.5  # training progress under half the validation's over the run: they disagree
NEAR_CHANCE_SHARE = 0.5  # flat at half of chance level or more: less than half of the information learnt
LITTLE_PROGRESS_SHARE = 0.9  # without a chance level: flat within 10% of where it started (an epoch-level
# log's first point is already an average over the fast first fall, so a looser share would call
# a run that converged within its first epoch stuck)
ABOVE_BEST_FACTOR = 2.0  # or flat at twice the best level the run reached (it lost its progress)
DROPOUT_TYPES = ("Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout")

# --- loss-spike ----------------------------------------------------------------------------------
SPIKE_WINDOW = 16  # the recent level is the median of this many points before
SPIKE_MIN_HISTORY = 5  # a median of fewer points is not a level
SPIKE_SIGMAS = 6.0  # beyond 6 robust sigmas of the curve's own point-to-level spread: not batch noise
SPIKE_FACTOR = 1.5  # and at least 1.5x the recent level (above the floor): a jump, not a wiggle
SPIKE_MAX_WIDTH = 3  # points above the threshold in a row: more is a level shift, not a spike
SPIKE_RECOVERY = 8  # back below halfway within this many points: isolated


# --- curves and trends ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Curve:
    steps: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return int(self.values.size)

    def since(self, step: float) -> Curve:
        keep = self.steps >= step
        return Curve(self.steps[keep], self.values[keep])

    def last(self, count: int) -> Curve:
        return Curve(self.steps[-count:], self.values[-count:])


def read_curve(store: Store, name: str) -> Curve | None:
    """A scalar series of the store; None when it is missing or holds a non-finite value (a NaN or
    Inf is the run's story then, told by loss-nonfinite, and no state is read from it)."""
    steps, values = store.series(name)
    if values.size == 0 or not np.isfinite(values).all():
        return None
    if store.first_nonfinite_step(name) is not None:
        return None
    return Curve(steps.astype(float), values)


@dataclass(frozen=True)
class Trend:
    """Where a curve went over a stretch: fitted levels at its ends and how sure the direction is."""

    start: float
    end: float
    share: float  # (end - start) / level above the floor: negative when falling
    error: float  # standard error of `share`, from the medians' spread around the fit
    z: float  # Mann-Kendall z of the window medians (negative when falling)
    points: int
    monotone: int  # -1 / +1 when every median is below / above the one before, else 0

    @property
    def falling(self) -> bool:
        return self.share <= -TREND_SHARE and self.z <= -TREND_Z

    @property
    def rising(self) -> bool:
        return self.share >= TREND_SHARE and self.z >= TREND_Z

    @property
    def flat(self) -> bool:
        """Moved less than FLAT_SHARE; or, with 4 points or more and no significant trend, less than
        LOOSE_FLAT_SHARE and than 2 standard errors (a curve too noisy to bound its change is not flat)."""
        loose = (
            self.points >= 4
            and abs(self.z) < TREND_Z
            and abs(self.share) < min(LOOSE_FLAT_SHARE, max(FLAT_SHARE, 2 * self.error))
        )
        return abs(self.share) < FLAT_SHARE or loose


def trend(curve: Curve, floor: float = 0.0) -> Trend:
    """The trend of a curve: window medians (raw points when there are few), Mann-Kendall on their
    order, Theil-Sen for the change between the first and the last.

    Mann-Kendall needs 4 or more points to reach significance (4 in strict order); `monotone` tells a
    rule that accepts 3 points in strict order (weaker evidence) what it needs.
    """
    centers, medians = window_medians(curve)
    slope = theil_sen_slope(centers, medians)
    intercept = float(np.median(medians - slope * centers))
    start = intercept + slope * centers[0]
    end = intercept + slope * centers[-1]
    z = mann_kendall_z(medians)
    steps = np.diff(medians)
    monotone = -1 if (steps < 0).all() else 1 if (steps > 0).all() else 0
    base = max(abs(start - floor), abs(start) * 1e-9, 1e-30)
    spread = float(np.sum((centers - centers.mean()) ** 2))
    residual = robust_sigma(medians - (intercept + slope * centers))
    error = residual / math.sqrt(spread) * (centers[-1] - centers[0]) / base if spread > 0 else math.inf
    return Trend(
        float(start), float(end), float((end - start) / base), float(error), float(z), len(curve), monotone
    )


def window_medians(curve: Curve) -> tuple[np.ndarray, np.ndarray]:
    """The points themselves up to RAW_POINTS; beyond, (center step, median) of up to MAX_WINDOWS
    windows of WINDOW_POINTS or more."""
    if len(curve) <= RAW_POINTS:
        return curve.steps, curve.values
    count = min(MAX_WINDOWS, len(curve) // WINDOW_POINTS)
    steps = np.array_split(curve.steps, count)
    values = np.array_split(curve.values, count)
    return np.array([np.median(s) for s in steps]), np.array([np.median(v) for v in values])


def mann_kendall_z(values: np.ndarray) -> float:
    """The Mann-Kendall trend statistic as a z-score (continuity-corrected, no tie correction)."""
    n = values.size
    if n < 3:
        return 0.0
    diffs = values[None, :] - values[:, None]
    s = float(np.sign(diffs[np.triu_indices(n, 1)]).sum())
    variance = n * (n - 1) * (2 * n + 5) / 18.0
    return (s - math.copysign(1.0, s)) / math.sqrt(variance) if s else 0.0


def theil_sen_slope(x: np.ndarray, y: np.ndarray) -> float:
    """The median of the slopes between every pair of points (robust to a few outliers)."""
    if x.size < 2:
        return 0.0
    i, j = np.triu_indices(x.size, 1)
    dx = x[j] - x[i]
    keep = dx != 0
    return float(np.median((y[j] - y[i])[keep] / dx[keep])) if keep.any() else 0.0


def last_rate_drop(store: Store) -> float | None:
    """The step of the last learning-rate schedule drop (the rate halving or more between two logged
    points while above 1% of its peak), or None."""
    steps, rates = store.series("lr")
    finite = np.isfinite(rates) & (rates > 0)
    steps, rates = steps[finite], rates[finite]
    if rates.size < 2:
        return None
    peak = float(rates.max())
    drops = np.flatnonzero((rates[:-1] >= LR_DROP_FACTOR * rates[1:]) & (rates[:-1] >= LR_DROP_FLOOR * peak))
    return float(steps[drops[-1] + 1]) if drops.size else None


# --- the state of a run --------------------------------------------------------------------------
@dataclass(frozen=True)
class State:
    """The state of a run's curves at its end, as a finding id and its evidence."""

    id: str
    evidence: str
    confidence: float
    step: int | None = None
    advice: str = ""
    severity: Severity | None = None


@dataclass(frozen=True)
class Context:
    """What every state's rule reads."""

    train: Curve
    val: Curve
    floor: float
    chance: float | None
    chance_text: str
    unit: str  # "step", "epoch" or "record": what the steps count


def curve_state(store: Store) -> State | None:
    """The state of the run's train and validation curves, or None when they cannot tell (no
    validation loss, fewer than 3 evaluations, a NaN, or directions that are within the noise)."""
    train, val = read_curve(store, "loss"), read_curve(store, "val_loss")
    if train is None or val is None or len(val) < MIN_VAL_POINTS or len(train) < MIN_RECENT_POINTS:
        return None
    scale = loss_scale(store)
    unit = {"step": "step", "epoch": "epoch"}.get(store.structure.get("x_axis", "step"), "record")
    context = Context(train, val, scale.floor, scale.chance, scale.description, unit)
    state = _overfitting_rise(context)
    if state is not None:
        return state
    span = _recent_span(context, last_rate_drop(store))
    if span is None:
        return None
    val_recent = _at_least(context.val, span)
    train_recent = _at_least(context.train, span)
    val_trend, train_trend = trend(val_recent, context.floor), trend(train_recent, context.floor)
    for rule in (_both_rising, _overfitting_stall, _dataset_problem, _still_learning, _bottleneck):
        state = rule(context, val_trend, train_trend, span)
        if state is not None:
            return state
    return None


def _recent_span(context: Context, rate_drop: float | None) -> float | None:
    """The first step of the window that shows the state: the last third of the run, widened to hold
    3 evaluations; after a learning-rate drop inside it, only what came after the drop (None when too
    few evaluations followed the drop to tell)."""
    first = min(context.train.steps[0], context.val.steps[0])
    end = max(context.train.steps[-1], context.val.steps[-1])
    start = end - (end - first) * RECENT_SHARE
    if rate_drop is not None and rate_drop > start:
        if int((context.val.steps >= rate_drop).sum()) < MIN_RECENT_POINTS:
            return None
        return rate_drop
    if int((context.val.steps >= start).sum()) < MIN_RECENT_POINTS:
        start = float(context.val.steps[-MIN_RECENT_POINTS])
    return start


def _at_least(curve: Curve, start: float) -> Curve:
    recent = curve.since(start)
    return recent if len(recent) >= MIN_RECENT_POINTS else curve.last(MIN_RECENT_POINTS)


def val_noise(values: np.ndarray) -> float | None:
    """The evaluation-to-evaluation noise of a validation curve, from its second differences (which
    cancel a steady trend; for independent noise their spread is sqrt(6) sigmas); None under 5 points."""
    if values.size < 5:
        return None
    return robust_sigma(np.diff(values, 2)) / math.sqrt(6.0)


def _best_point(val: Curve) -> tuple[int, float]:
    """Index and level of the best evaluation, read on the curve smoothed by a running median of 3 (so
    that one lucky evaluation on a noisy plateau is not taken for the best level)."""
    if len(val) < 5:
        index = int(np.argmin(val.values))
        return index, float(val.values[index])
    padded = np.concatenate([val.values[:1], val.values, val.values[-1:]])
    smooth = np.median(np.lib.stride_tricks.sliding_window_view(padded, 3), axis=1)
    index = int(np.argmin(smooth))
    return index, float(smooth[index])


def _overfitting_rise(context: Context) -> State | None:
    """Validation rose above its best while training kept falling: the gap between them opens.

    The rise since the best evaluation must be steady (Mann-Kendall over 4 or more evaluations after
    it), or clear (10% and beyond 3 sigmas of the validation noise), or, with only 3 evaluations after
    it, strictly increasing while the training loss fell by a fifth; in every case 2% of the level
    or more, beyond the noise when it can be estimated, and with the training loss falling or already
    memorised (flat under MEMORISED_SHARE of its starting gap).
    """
    val, floor = context.val, context.floor
    best_index, best = _best_point(val)
    after = val.values[best_index + 1 :]
    if after.size < OVERFIT_MIN_AFTER:
        return None
    last = float(after[-1])
    base = max(abs(best - floor), abs(best) * 1e-9, 1e-30)
    tail = float(np.median(after[-3:]))
    rise = tail - best
    rise_share = rise / base
    noise = val_noise(val.values[max(0, min(best_index - 2, len(val) - 5)) :])  # past the early fall
    beyond_noise = noise is None or rise > OVERFIT_NOISE_SIGMAS * noise
    if rise_share < OVERFIT_MIN_RISE or not beyond_noise or last - best < 0.5 * rise:
        return None
    best_step = int(val.steps[best_index])
    train_trend = trend(_at_least(context.train, best_step), floor)
    if not train_trend.falling and not _memorised(context, train_trend):
        return None  # the gap is not opening: both rising, or a flat training loss, is another state
    _, after_medians = window_medians(Curve(val.steps[best_index + 1 :], after))
    steady = after_medians.size >= 4 and mann_kendall_z(after_medians) >= TREND_Z
    clear = rise_share >= OVERFIT_CLEAR_RISE and noise is not None
    increasing = after.size == 3 and bool((np.diff(after) > 0).all()) and after[0] > best
    few = increasing and train_trend.share <= -STALL_TRAIN_FALL
    if not (steady or clear or few):
        return None
    unit = context.unit
    evidence = (
        f"The validation loss was lowest at {unit} {best_step} ({fmt(best)}) and has risen since, to "
        f"{fmt(last)} at {unit} {int(val.steps[-1])} (+{100 * (last - best) / base:.0f}% over "
        f"{after.size} evaluations), while the training loss kept falling ({fmt(train_trend.start)} to "
        f"{fmt(train_trend.end)})."
    )
    confidence = 0.65
    confidence += 0.1 if after.size >= 4 else 0.0
    confidence += 0.1 if rise_share >= OVERFIT_CLEAR_RISE else 0.0
    confidence += 0.05 if steady and clear else 0.0
    confidence -= 0.1 if len(val) <= 5 else 0.0
    return State(
        "overfitting",
        evidence,
        round(min(confidence, 0.95), 2),
        step=best_step,
        advice=f"The best {unit} to stop at was {best_step}: keep that checkpoint (early stopping on the "
        "validation loss does it for you).",
    )


def _both_rising(context: Context, val_trend: Trend, train_trend: Trend, span: float) -> State | None:
    """Both losses rose by a tenth or more, steadily, over the last third of the run."""
    if not (val_trend.rising and train_trend.rising):
        return None
    if min(val_trend.share, train_trend.share) < BOTH_RISING_SHARE:
        return None
    unit = context.unit
    evidence = (
        f"Since {unit} {int(span)} both losses rose: training {fmt(train_trend.start)} to "
        f"{fmt(train_trend.end)}, validation {fmt(val_trend.start)} to {fmt(val_trend.end)}. Both rising "
        "points at the hyper-parameters (the learning rate first), the architecture or the data."
    )
    return State("loss-diverging", evidence, 0.7, step=int(span))


def _overfitting_stall(context: Context, val_trend: Trend, train_trend: Trend, span: float) -> State | None:
    """Validation flat within 2% (or its noise) of its best for a quarter of the run, while training
    fell by a fifth: the gap opens without validation rising yet (overfitting, reported as info)."""
    val, floor = context.val, context.floor
    best_index, best = _best_point(val)
    base = max(abs(best - floor), abs(best) * 1e-9, 1e-30)
    noise = val_noise(val.values[max(0, min(best_index - 2, len(val) - 5)) :])
    if noise is None or OVERFIT_NOISE_SIGMAS * noise > LOOSE_FLAT_SHARE * base:
        return None  # too few evaluations, or too noisy, to call it flat
    tolerance = max(STALL_TOLERANCE * base, OVERFIT_NOISE_SIGMAS * noise)
    onset = int(np.argmax(val.values <= best + tolerance))
    stalled = Curve(val.steps[onset:], val.values[onset:])
    run_span = max(context.train.steps[-1], val.steps[-1]) - min(context.train.steps[0], val.steps[0])
    if (
        len(stalled) < STALL_MIN_EVALS + 1
        or stalled.steps[-1] - stalled.steps[0] < STALL_SPAN_SHARE * run_span
    ):
        return None
    stalled_trend = trend(stalled, floor)
    if (
        not stalled_trend.flat
        or stalled_trend.falling
        or float(np.max(stalled.values)) - best > 2 * tolerance
    ):
        return None
    train_since = trend(_at_least(context.train, stalled.steps[0]), floor)
    if not (train_since.falling and train_since.share <= -STALL_TRAIN_FALL):
        return None
    unit, onset_step, best_step = context.unit, int(stalled.steps[0]), int(val.steps[best_index])
    evidence = (
        f"The validation loss has not improved since {unit} {onset_step} (best {fmt(best)} at {unit} "
        f"{best_step}; the last {len(stalled) - 1} evaluations within {fmt(2 * tolerance)} of it) while the "
        f"training loss fell from {fmt(train_since.start)} to {fmt(train_since.end)}: further training only "
        "fits the training set."
    )
    return State(
        "overfitting",
        evidence,
        0.6,
        step=onset_step,
        advice=f"Stop at {unit} {best_step}, its best validation loss, or regularise to improve on it.",
        severity=Severity.INFO,
    )


def _still_learning(context: Context, val_trend: Trend, train_trend: Trend, span: float) -> State | None:
    val = context.val
    best = float(val.values.min())
    base = max(abs(best - context.floor), 1e-30)
    at_best = float(val.values[-1]) - best <= STALL_TOLERANCE * base
    # three evaluations in strict order are weak evidence, enough for a note that says "train longer"
    falling = val_trend.falling or (val_trend.points == 3 and val_trend.monotone < 0)
    if not (falling and val_trend.share <= -STILL_LEARNING_SHARE and train_trend.falling and at_best):
        return None
    unit = context.unit
    evidence = (
        f"Since {unit} {int(span)} (the last part of the run) the validation loss fell "
        f"{100 * -val_trend.share:.0f}% (to {fmt(float(val.values[-1]))}, its lowest) and the training loss "
        f"{100 * -train_trend.share:.0f}% (to {fmt(train_trend.end)}): the run stopped while it was still "
        "improving."
    )
    confidence = 0.6 + (0.1 if val_trend.points >= 5 else 0.0) + (0.1 if val_trend.z <= -2 * TREND_Z else 0.0)
    return State("still-learning", evidence, round(confidence, 2), step=None)


def _dataset_problem(context: Context, val_trend: Trend, train_trend: Trend, span: float) -> State | None:
    if not (val_trend.falling and train_trend.flat):
        return None
    train_progress = _progress(context.train, context.floor)
    val_progress = _progress(context.val, context.floor)
    if val_progress <= 0 or train_progress >= DATASET_PROGRESS_RATIO * val_progress:
        return None
    unit = context.unit
    evidence = (
        f"Since {unit} {int(span)} the validation loss kept falling ({fmt(val_trend.start)} to "
        f"{fmt(val_trend.end)}) while the training loss stayed flat at {fmt(train_trend.end)}; over the "
        f"whole run training improved {100 * train_progress:.0f}% and validation {100 * val_progress:.0f}%."
    )
    return State("dataset-problem", evidence, 0.6, step=int(span))


def _bottleneck(context: Context, val_trend: Trend, train_trend: Trend, span: float) -> State | None:
    if not (val_trend.flat and train_trend.flat):
        return None
    reason = _too_high(context, train_trend.end)
    if reason is None:
        return None  # flat at a good level: the run converged
    unit = context.unit
    evidence = (
        f"Since {unit} {int(span)} both losses are flat (training at {fmt(train_trend.end)}, moved "
        f"{100 * train_trend.share:+.0f}%; validation at {fmt(val_trend.end)}, moved {100 * val_trend.share:+.0f}%), "
        f"and training sits {reason}."
    )
    confidence = 0.8 if context.chance is not None else 0.7
    return State("learning-bottleneck", evidence, confidence, step=int(span))


def _too_high(context: Context, level: float) -> str | None:
    """Why a flat training level is not convergence, or None when it may well be."""
    floor = context.floor
    centers, medians = window_medians(context.train)
    first = start_points(context.train.values)
    start = start_level(context.train.values)
    best = float(medians.min())
    start_error = 1.25 * robust_sigma(first) / math.sqrt(first.size)  # standard error of a median
    gap = level - floor
    if context.chance is not None:
        if gap >= NEAR_CHANCE_SHARE * (context.chance - floor):
            return f"at {100 * gap / (context.chance - floor):.0f}% of chance level ({context.chance_text})"
        return None
    progress = start - level
    if start - floor > 0 and progress < max((1 - LITTLE_PROGRESS_SHARE) * (start - floor), 3 * start_error):
        return f"about where it started ({fmt(start)})"
    if best - floor > 0 and gap >= ABOVE_BEST_FACTOR * (best - floor):
        best_step = int(centers[int(np.argmin(medians))])
        return f"{fmt(gap / (best - floor))}x above the best level it reached ({fmt(best)} around {context.unit} {best_step})"
    return None


def _memorised(context: Context, train_trend: Trend) -> bool:
    """Whether the training loss ended at MEMORISED_SHARE of its starting gap to the floor or below."""
    start = start_level(context.train.values)
    return start > context.floor and train_trend.end - context.floor <= MEMORISED_SHARE * (
        start - context.floor
    )


def _progress(curve: Curve, floor: float) -> float:
    """How much of its starting level (above the floor) a curve lost by its end (its last window)."""
    start = start_level(curve.values)
    _, medians = window_medians(curve)
    end = float(np.median(medians[-min(3, medians.size) :]))
    return (start - end) / (start - floor) if start - floor > 0 else 0.0


def _regularisation(store: Store) -> str | None:
    """Evidence that a live run's model has neither dropout nor weight decay; None when it has either,
    or when the structure is unknown (a log)."""
    modules = store.structure.get("modules")
    optimizer = store.structure.get("optimizer") or {}
    groups = optimizer.get("groups")
    if not modules or not groups:
        return None
    dropout = [m for m in modules if m.get("type") in DROPOUT_TYPES and float(m.get("p", 0.5)) > 0]
    decay = [float(g.get("weight_decay") or 0.0) for g in groups]
    if dropout or any(d > 0 for d in decay):
        return None
    layers = [m for m in modules if m.get("leaf")]
    return (
        f"The model has no dropout layer among its {len(layers)} layers, and {optimizer.get('type', 'the optimizer')} "
        "runs with weight_decay=0."
    )


@check
@loss_shape_check
def curve_states(store: Store) -> list[Finding]:
    """The state of the train/validation pair: still-learning, overfitting (and no-regularization when
    a live run's model has no dropout and no weight decay), dataset-problem, learning-bottleneck, or
    both rising (loss-diverging).

    Rule: see the module docstring; each state names the step where it began (for overfitting, the best
    step to stop at) and how confident it is. Needs 3 or more finite validation points. Overfitting whose
    best weights the script restored, and a bottleneck near chance level on inputs the label probe finds
    barely predict the labels (`weak_signal`), are INFO.
    """
    state = curve_state(store)
    if state is None:
        return []
    if state.id == "overfitting" and _best_weights_restored(store):
        state = dataclasses.replace(
            state,
            evidence=state.evidence
            + " The script loaded earlier weights into the model after its last step: "
            "early stopping kept its best checkpoint, so the rise cost nothing.",
            severity=Severity.INFO,
        )
    bottleneck = state.id == "learning-bottleneck" and loss_scale(store).chance is not None
    note = weak_signal(store) if bottleneck else None
    if note is not None:  # near chance (with a chance level, the only reason) on inputs without signal
        state = dataclasses.replace(state, evidence=f"{state.evidence} {note}", severity=Severity.INFO)
    findings = [
        Finding(
            state.id,
            state.evidence,
            confidence=state.confidence,
            step=state.step,
            advice=state.advice,
            severity=state.severity,
        )
    ]
    if state.id == "overfitting" and state.severity is None:
        missing = _regularisation(store)
        if missing is not None:
            findings.append(
                Finding(
                    "no-regularization",
                    f"{missing} It overfits from {state.step} on.",
                    confidence=0.8,
                    step=state.step,
                )
            )
    return findings


def _best_weights_restored(store: Store) -> bool:
    """Whether weights were loaded into the trained model after its last step (the monitor records
    load_state_dict calls once training began): the best checkpoint restored."""
    return any(event.get("step", -1) >= store.steps_seen for event in store.events("weights-loaded"))


# --- loss-spike ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Spike:
    step: int
    value: float
    level: float  # the recent level it jumped from
    recovered_after: int  # points until it was back below halfway
    # the level once it was back stayed above the level before by as much as a spike must jump (a
    # setback), or too few points came after it to tell
    left_mark: bool


def loss_spikes(store: Store) -> tuple[list[Spike], float, bool]:
    """Isolated jumps of the training loss far above its recent level, the curve's usual spread, and
    whether that spread is relative (a share of the level: the loss is positive) or absolute.

    Each point is compared with the median of the SPIKE_WINDOW points before it (in ratios when the
    loss is positive, so a loss at 1e-6 is judged like one at 1). A spike is beyond SPIKE_SIGMAS robust
    sigmas of all points' deviations from their level and at least SPIKE_FACTOR times the level, lasts
    at most SPIKE_MAX_WIDTH points, is back below halfway within SPIKE_RECOVERY points, and is at least
    SPIKE_MIN_SHARE of the starting loss and SPIKE_UNDONE_SHARE of the progress made before it. A loss that
    is not positive throughout is judged in absolute terms (its square root when it only touches 0, as a
    margin loss does), against the larger of the run's spread and that of the window before the point. A batch of fewer rows than usual (a short last batch) has a
    noisier mean loss, by sqrt(usual rows / its rows): its sigmas are that much wider.
    """
    steps, values = store.series("loss")
    finite = np.isfinite(values)
    if not finite.all():  # up to the first NaN: what follows is loss-nonfinite's
        end = int(np.argmin(finite))
        steps, values = steps[:end], values[:end]
    floor = loss_scale(store).floor
    values = values - floor
    window = min(SPIKE_WINDOW, max(SPIKE_MIN_HISTORY, values.size // 4))
    if values.size < window + 2:
        return [], 0.0, True
    positive = bool((values > 0).all())
    # a loss that touches 0 but never goes below it (a hinge or margin loss: the mean of the few terms
    # still violated) scatters like a count, its spread growing with its level; its square root steadies
    # that spread, as the log does a positive loss's
    count_like = not positive and bool((values >= 0).all())
    judged = np.sqrt(values) if count_like else values
    history = np.lib.stride_tricks.sliding_window_view(judged[:-1], window)
    levels = np.median(history, axis=1)  # levels[k] is the level before point k + window
    current = judged[window:]
    if positive:
        deviation = np.log(current) - np.log(levels)
        threshold = max(SPIKE_SIGMAS * robust_sigma(deviation), math.log(SPIKE_FACTOR))
    else:
        deviation = current - levels
        # the noise of a loss that touches 0 shrinks with its level: each point is judged by the spread
        # of the window before it too, not only the whole run's
        local = MAD_TO_SIGMA * np.median(np.abs(history - levels[:, None]), axis=1)
        # a loss exactly at 0 on most batches has no robust spread (its median deviation is 0): then its
        # plain spread, which counts the batches that do violate a margin as the noise they are
        spread = robust_sigma(deviation) or float(np.std(deviation))
        threshold = SPIKE_SIGMAS * np.maximum(local, spread)
        if not (threshold > 0).any():
            return [], 0.0, False
    if count_like:
        levels = levels**2  # back in the loss's own units
    start_level = float(np.median(values[:window]))
    above = np.flatnonzero(deviation > threshold * _batch_noise(store, steps[window:]))
    spikes: list[Spike] = []
    index = 0
    while index < above.size:
        run_end = index
        while run_end + 1 < above.size and above[run_end + 1] == above[run_end] + 1:
            run_end += 1
        first, last = above[index], above[run_end]
        index = run_end + 1
        if last - first + 1 > SPIKE_MAX_WIDTH:
            continue
        peak = first + int(np.argmax(deviation[first : last + 1]))
        point, level = peak + window, float(levels[peak])
        value = float(values[point])
        least = max(SPIKE_MIN_SHARE * abs(start_level), SPIKE_UNDONE_SHARE * (start_level - level))
        if value - level < least:
            continue
        halfway = math.sqrt(value * level) if positive else (value + level) / 2
        following = values[last + window + 1 : last + window + 1 + SPIKE_RECOVERY]
        back = np.flatnonzero(following <= halfway)
        if back.size == 0:
            continue  # not back down: a level shift or a divergence, not an isolated spike
        back_at = last + window + 1 + int(back[0])
        after = values[back_at : back_at + window]
        # a setback as large as the least jump: SPIKE_FACTOR times the level (a positive loss), or `least`
        setback = min(least, (SPIKE_FACTOR - 1) * level) if positive else least
        left_mark = after.size < SPIKE_MIN_HISTORY or float(np.median(after)) - level >= setback
        spikes.append(Spike(int(steps[point]), value + floor, level + floor, int(back[0]) + 1, left_mark))
    spread = float(np.expm1(robust_sigma(deviation))) if positive else robust_sigma(values[window:] - levels)
    return spikes, spread, positive


def _batch_noise(store: Store, steps: np.ndarray) -> np.ndarray | float:
    """How much noisier each step's loss is than a usual batch's: sqrt(usual rows / its rows), at least
    1, from the steps whose loss took other rows than the first training step (see the monitor). The
    step after such a batch too: the update its few rows made was as much noisier, and the next loss
    shows it."""
    odd_steps, odd_rows = store.series("loss_rows")
    train = train_loss_functions(store)
    usual = (train[0].get("input_shape") or [0])[0] if len(train) == 1 else 0
    if not odd_steps.size or not usual:
        return 1.0
    rows = np.full(steps.shape, float(usual))
    for after in (0, 1):
        found = np.isin(steps, odd_steps + after)
        rows[found] = np.minimum(rows[found], odd_rows[np.searchsorted(odd_steps + after, steps[found])])
    return np.sqrt(np.maximum(1.0, usual / np.maximum(rows, 1.0)))


@check
@loss_shape_check
def loss_spike(store: Store) -> list[Finding]:
    """Isolated jumps of the training loss far above its recent level (see `loss_spikes`)."""
    spikes, spread, relative = loss_spikes(store)
    if not spikes:
        return []
    unit = {"step": "step", "epoch": "epoch"}.get(store.structure.get("x_axis", "step"), "record")
    if relative:
        biggest = max(spikes, key=lambda s: s.value / s.level)
        jump = f"{fmt(biggest.value / biggest.level)}x its recent level"
        usual = f"{100 * spread:.0f}%"
    else:
        biggest = max(spikes, key=lambda s: s.value - s.level)
        jump = f"{fmt(biggest.value - biggest.level)} above its recent level"
        usual = f"{fmt(spread)}"
    evidence = (
        f"The training loss jumped to {fmt(biggest.value)} at {unit} {biggest.step}, {jump} "
        f"({fmt(biggest.level)}; the usual point-to-point spread is about {usual}), and was back down "
        f"within {biggest.recovered_after} {unit}{'s' if biggest.recovered_after > 1 else ''}."
    )
    if len(spikes) > 1:
        listed = ", ".join(str(s.step) for s in spikes[:8])
        evidence += f" {len(spikes)} spikes in all, at {unit}s {listed}{' ...' if len(spikes) > 8 else ''}."
    confidence = 0.6 if len(spikes) == 1 else 0.7 if len(spikes) == 2 else 0.8
    if _left_no_mark(spikes):
        evidence += (
            " It was the only one, and the loss went on from where it had been: one batch unlike the rest "
            "(outlier samples?), harmless unless it recurs."
        )
        return [Finding("loss-spike", evidence, confidence, spikes[0].step, severity=Severity.INFO)]
    return [Finding("loss-spike", evidence, confidence=confidence, step=spikes[0].step)]


def _left_no_mark(spikes: list[Spike]) -> bool:
    """One spike in the whole run, after which the loss went on from its level before: the catalog's
    harmless kind (a few are; recurring ones, or one that sets the run back, are not)."""
    return len(spikes) == 1 and not spikes[0].left_mark
