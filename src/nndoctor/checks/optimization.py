"""Checks on the optimiser's settings: a learning rate too high or too low for the model.

The evidence is the update-to-weight ratio: how far one optimizer step moves each weight matrix,
relative to its norm. Healthy training moves a weight matrix by about 1e-3 of its norm per step
(healthy early steps reach about 3e-2, Adam's sign-like start); the learning rate scales it directly, for
SGD and Adam alike.
A ratio alone never decides: the loss must show the consequence (overshoot, or no progress).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..findings import Finding
from ..monitor.store import Store
from . import check
from ._signals import (
    MIN_WINDOW_POINTS,
    LossCurve,
    fmt,
    learning_rate,
    loss_scale,
    loss_shape_check,
    optimizer_type,
    start_level,
    step_noise,
    train_loss,
    weight_matrix_columns,
)
from .gradients import gradient_spikes
from .loss import MIN_CURVE_POINTS, loss_rise, loss_stall, loss_swings, nonfinite_onset

HEALTHY_UPDATE_RATIO = 1e-3  # the usual size of one step relative to the weights (Karpathy's rule of thumb)
# Where a search for the rate usually starts (the catalog's advice): the target when lowering a rate that
# is orders of magnitude above it; otherwise the advice is the catalog's one step of 10x.
USUAL_LR = {"Adam": 1e-3, "AdamW": 1e-3, "Adamax": 1e-3, "NAdam": 1e-3, "RAdam": 1e-3, "RMSprop": 1e-3}
USUAL_LR_DEFAULT = 0.1  # SGD and the rest

# lr-too-high
HIGH_UPDATE_RATIO = 1e-1  # 100x the healthy ratio: ten such steps move the weights by their own size
SUSTAINED_SAMPLES = 3  # consecutive sampled steps: one large step can be a zero-initialised weight's first
GRADIENT_GREW = 10.0  # a gradient 10x its initial norm when updates turned large: the gradient, not the LR
SPIKE_LEAD_STEPS = (
    8  # a gradient spike this close before the large updates caused them (8: the sampling interval)
)
OVERSHOOT_FACTOR = 2.0  # the loss doubled (above its floor) while the updates were large
RESPONSE_STEPS = 16  # the loss answers a large update within a few steps; look this far past the stretch
LEARNED_SHARE = 0.5  # large steps that took the loss half its way to where it stalled were learning: weights
# growing from a small start (a linear model's first steps) move by a large share of their norm, and a
# stall reached after that, with steps back to a healthy size, is not the rate's

# lr-too-low
LOW_UPDATE_RATIO = 1e-4  # 10x below the healthy ratio, for the fastest-moving weight matrix
LOW_PROGRESS_SHARE = 0.2  # the loss closed less than a fifth of its gap to the floor over the run
AT_PEAK_SHARE = 0.5  # steps with the rate at half its peak or more: not warm-up, not a decayed tail
MIN_RATIO_SAMPLES = 8  # fewer sampled steps cannot establish a typical ratio
DECAYED_SHARE = 1e-2  # a rate cut to 1% of its peak moves the weights 100x less: training is frozen
MIN_FROZEN_SHARE = 0.25  # frozen for the last quarter of the run or more (cosine to zero spends ~6% below 1%)
STILL_FALLING_SHARE = 0.5  # at its pace before the cut it would have closed half its gap in the steps left
FROZEN_PROGRESS_SHARE = 0.25  # ... and after the cut it got less than a quarter of that
WARMUP_RISE = 10.0  # a rate that rose 10x or more, never fell, ...
WARMUP_END_SHARE = 0.9  # ... and first reached its peak in the last tenth of the run: warm-up all along


@dataclass(frozen=True)
class UpdateRatios:
    """Per sampled step: the typical (median) and the fastest (max) weight matrix's update ratio."""

    steps: np.ndarray
    typical: np.ndarray
    fastest: np.ndarray
    fastest_name: list[str]


def update_ratios(store: Store) -> UpdateRatios | None:
    steps, names, matrix = store.vectors("update_ratio")
    if not steps.size:
        return None
    columns = weight_matrix_columns(store, names) or list(range(len(names)))
    values = matrix[:, columns]
    usable = np.isfinite(values).any(axis=1)
    if not usable.any():
        return None
    steps, values = steps[usable], values[usable]
    filled = np.where(np.isfinite(values), values, -np.inf)
    fastest_index = np.argmax(filled, axis=1)
    with np.errstate(all="ignore"):
        typical = np.nanmedian(values, axis=1)
    fastest = filled[np.arange(len(steps)), fastest_index]
    return UpdateRatios(steps, typical, fastest, [names[columns[i]] for i in fastest_index])


def _power_of_ten_factor(ratio: float) -> int:
    """10, 100, ...: the power of ten nearest to `ratio`, at least 10 (the catalog's '10x at a time')."""
    if not math.isfinite(ratio) or ratio <= 1.0:
        return 10
    return int(10 ** max(1, round(math.log10(ratio))))


def _usual_lr(store: Store) -> float:
    return USUAL_LR.get(optimizer_type(store), USUAL_LR_DEFAULT)


def _lower_rate_advice(store: Store) -> str:
    lr = learning_rate(store)
    if not lr:
        return "Lower the learning rate 10x."
    factor = _power_of_ten_factor(lr / _usual_lr(store))
    return f"Lower the learning rate {factor}x, from {fmt(lr)} to {fmt(lr / factor)}."


# --- lr-too-high ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class HighStretch:
    start: int  # first step of the stretch
    end: int  # last step of the stretch
    median_ratio: float


def high_update_stretch(ratios: UpdateRatios) -> HighStretch | None:
    """The first run of SUSTAINED_SAMPLES or more consecutive samples with a typical ratio >= HIGH_UPDATE_RATIO."""
    high = ratios.typical >= HIGH_UPDATE_RATIO
    index = 0
    while index < len(high):
        if not high[index]:
            index += 1
            continue
        end = index
        while end + 1 < len(high) and high[end + 1]:
            end += 1
        if end - index + 1 >= SUSTAINED_SAMPLES:
            stretch = ratios.typical[index : end + 1]
            return HighStretch(int(ratios.steps[index]), int(ratios.steps[end]), float(np.median(stretch)))
        index = end + 1
    return None


def _gradient_grew_first(store: Store, step: int) -> bool:
    """Whether the gradient, not the rate, made the updates large: when the stretch began the gradient
    norm was GRADIENT_GREW times its initial norm or more, or had just spiked (`gradient_spikes`)."""
    spike = gradient_spikes(store)
    if spike is not None and any(step - SPIKE_LEAD_STEPS <= s <= step for s in spike.steps):
        return True
    steps, norms = store.series("grad_norm")
    finite = np.isfinite(norms) & (norms > 0)
    if not finite.any():
        return False
    steps, norms = steps[finite], norms[finite]
    initial = float(np.median(norms[:SUSTAINED_SAMPLES]))
    at_onset = norms[steps <= step]
    return bool(at_onset.size) and float(at_onset[-1]) >= GRADIENT_GREW * initial


def _loss_symptom(store: Store, curve: LossCurve, stretch: HighStretch) -> str | None:
    """What the loss did that large updates explain, in words; None when it looks healthy."""
    scale = loss_scale(store)
    onset = nonfinite_onset(store)
    if onset is not None and onset.step >= stretch.start:
        return f"the loss became non-finite at step {onset.step}"
    overshoot = _overshoot(curve, stretch, scale.floor)
    if overshoot is not None:
        return overshoot
    rise = loss_rise(curve, scale)
    if rise is not None:
        return f"the loss rose from {fmt(rise.best)} to {fmt(rise.last)}"
    swings = loss_swings(curve, scale)
    if swings is not None:
        return f"the loss swings between {fmt(swings.low)} and {fmt(swings.high)} without progress"
    stall = loss_stall(curve, scale)
    if stall is not None and not _learned_during(curve, stretch, stall.level):
        return f"the loss got stuck at {fmt(stall.level)} ({stall.reason})"
    return None


def _learned_during(curve: LossCurve, stretch: HighStretch, level: float) -> bool:
    """Whether the large steps took the loss LEARNED_SHARE or more of its way from its start to `level`."""
    start = start_level(curve.values)
    response = curve.values[(curve.steps >= stretch.end) & (curve.steps <= stretch.end + RESPONSE_STEPS)]
    progress = start - level
    if not response.size or progress <= 3.0 * step_noise(curve.values):
        return False  # no progress to speak of: a loss stuck where it started
    return start - float(np.median(response)) >= LEARNED_SHARE * progress


def _overshoot(curve: LossCurve, stretch: HighStretch, floor: float) -> str | None:
    """The loss at least doubled (above its floor) between the stretch's start and shortly after its end."""
    before = curve.values[curve.steps <= stretch.start]
    during = curve.values[(curve.steps >= stretch.start) & (curve.steps <= stretch.end + RESPONSE_STEPS)]
    if not before.size or not during.size:
        return None
    reference = float(before[-1]) - floor
    peak = float(during.max()) - floor
    margin = 3.0 * step_noise(curve.values[: max(len(before), MIN_CURVE_POINTS)])
    if reference <= 0 or peak < OVERSHOOT_FACTOR * reference or peak - reference <= margin:
        return None
    peak_step = int(curve.steps[(curve.steps >= stretch.start)][int(np.argmax(during))])
    return f"the loss jumped from {fmt(reference + floor)} to {fmt(peak + floor)} at step {peak_step}"


def harmful_update_stretch(store: Store) -> tuple[HighStretch, str] | None:
    """The first stretch of large updates and what it did to the loss, when the rate is to blame: the
    gradient had not grown first, and the loss shows a consequence (see `lr_too_high`)."""
    ratios = update_ratios(store)
    if ratios is None:
        return None
    stretch = high_update_stretch(ratios)
    if stretch is None or _gradient_grew_first(store, stretch.start):
        return None
    symptom = _loss_symptom(store, train_loss(store), stretch)
    return None if symptom is None else (stretch, symptom)


@check
def lr_too_high(store: Store) -> list[Finding]:
    """The learning rate is too high (SGD, Adam and the rest alike).

    Rule: for 3 or more consecutive sampled steps the typical weight matrix moved by 10% of its norm or
    more per step (100x the healthy 1e-3), the gradient had not grown 10x above its initial norm or
    spiked (exploding-gradients' rule) within 8 steps before (that would be exploding gradients or
    accumulation, not the rate), and the loss shows the consequence:
    it went non-finite, at least doubled, rose, swung without progress, or stalled. The advice lowers the
    rate 10x, or by the power of ten down to the usual starting rate (1e-3 for Adam, 0.1 for SGD) when
    it is orders of magnitude above it.
    """
    blamed = harmful_update_stretch(store)
    if blamed is None:
        return []
    stretch, symptom = blamed
    evidence = (
        f"From step {stretch.start} to {stretch.end} a typical {optimizer_type(store)} step moved the weights by "
        f"{fmt(100 * stretch.median_ratio)}% of their norm (median over sampled steps and weight matrices; "
        f"healthy is about 0.1%), and {symptom}."
    )
    advice = _lower_rate_advice(store)
    return [Finding("lr-too-high", evidence, confidence=0.9, step=stretch.start, advice=advice)]


# --- lr-too-low ----------------------------------------------------------------------------------
def _progress_share(curve: LossCurve, floor: float) -> float | None:
    """The share of its starting gap to the floor that the loss closed, first window to last."""
    if len(curve) < MIN_CURVE_POINTS:
        return None
    windows = curve.windows()
    start, end = float(np.median(windows[0])), float(np.median(windows[-1]))
    if start - floor <= 0:
        return None
    return (start - end) / (start - floor)


def _progress_words(curve: LossCurve, progress: float) -> str:
    start, end = float(np.median(curve.windows()[0])), float(np.median(curve.windows()[-1]))
    if progress <= 0:
        return f"the loss did not fall in {curve.total_steps} steps (from {fmt(start)} to {fmt(end)})"
    return (
        f"the loss closed only {100 * progress:.0f}% of its gap to the floor in {curve.total_steps} steps "
        f"(from {fmt(start)} to {fmt(end)})"
    )


def _at_peak_steps(store: Store, steps: np.ndarray) -> np.ndarray:
    """Which of `steps` ran with the learning rate at AT_PEAK_SHARE of its peak or more."""
    lr_steps, lrs = store.series("lr")
    if not lrs.size or not np.isfinite(lrs).any():
        return np.ones(len(steps), dtype=bool)
    peak = np.nanmax(lrs)
    position = np.clip(np.searchsorted(lr_steps, steps, side="right") - 1, 0, len(lrs) - 1)
    return lrs[position] >= AT_PEAK_SHARE * peak


def _constant_too_low(store: Store, curve: LossCurve) -> Finding | None:
    ratios = update_ratios(store)
    if ratios is None:
        return None
    at_peak = _at_peak_steps(store, ratios.steps)
    fastest = ratios.fastest[at_peak]
    # a step that moved nothing had no gradient (dead units, a detached graph): it says nothing of the rate
    fastest = fastest[np.isfinite(fastest) & (fastest > 0)]
    lr = learning_rate(store)
    if fastest.size < MIN_RATIO_SAMPLES or not lr or lr >= _usual_lr(store):
        return None
    typical_fastest = float(np.median(fastest))
    progress = _progress_share(curve, loss_scale(store).floor)
    if typical_fastest >= LOW_UPDATE_RATIO or progress is None or progress >= LOW_PROGRESS_SHARE:
        return None
    leader = max(set(ratios.fastest_name), key=ratios.fastest_name.count)
    evidence = (
        f"Even the fastest-moving weight matrix ({leader}) moved by only {fmt(typical_fastest)} of its norm "
        f"per step (median over {fastest.size} sampled steps; healthy is about {HEALTHY_UPDATE_RATIO:g}), and "
        f"{_progress_words(curve, progress)}."
    )
    factor = _power_of_ten_factor(HEALTHY_UPDATE_RATIO / typical_fastest)
    advice = f"Raise the learning rate {factor}x, from {fmt(lr)} to {fmt(lr * factor)}."
    return Finding("lr-too-low", evidence, confidence=0.8, step=int(curve.steps[0]), advice=advice)


@dataclass(frozen=True)
class RateCut:
    step: int  # from this step to the end the rate stays below DECAYED_SHARE of its peak
    lr: float
    peak: float
    frozen_steps: int


def schedule_cut(store: Store, total_steps: int) -> RateCut | None:
    """Where a schedule took the rate below 1% of its peak for good, if a quarter of the run or more was left."""
    lr_steps, lrs = store.series("lr")
    if lrs.size < MIN_CURVE_POINTS or not np.isfinite(lrs).all():
        return None
    peak = float(lrs.max())
    above = np.flatnonzero(lrs > DECAYED_SHARE * peak * (1 + 1e-9))  # exactly 1% counts as decayed
    if peak <= 0 or not above.size or above[-1] + 1 >= len(lrs):
        return None
    cut = above[-1] + 1
    frozen = total_steps - int(lr_steps[cut])
    if frozen < MIN_FROZEN_SHARE * total_steps:
        return None
    return RateCut(int(lr_steps[cut]), float(lrs[cut]), peak, frozen)


def _fall(values: np.ndarray) -> tuple[float, float]:
    """How far the loss fell from the first half of `values` to the second (window medians), and the
    standard error of that difference: about 1.25 sigma * sqrt(2 / n) for medians of n points."""
    early, late = np.array_split(values, 2)
    return float(np.median(early) - np.median(late)), 1.25 * step_noise(values) * math.sqrt(2.0 / late.size)


def _cut_while_falling(curve: LossCurve, cut: RateCut, floor: float) -> str | None:
    """At its pace just before the cut the loss would have closed half its gap in the steps left; it did not."""
    span = min(cut.step - int(curve.steps[0]), cut.frozen_steps) // 2
    before = curve.values[(curve.steps >= cut.step - span) & (curve.steps < cut.step)]
    after = curve.values[curve.steps >= cut.step]
    if before.size < 2 * MIN_WINDOW_POINTS or after.size < 2 * MIN_WINDOW_POINTS:
        return None
    fell, standard_error = _fall(before)
    level_at_cut = float(np.median(np.array_split(before, 2)[1]))
    pace = fell / max(span / 2, 1)
    projected = min(pace * cut.frozen_steps, level_at_cut - floor)
    fell_after = level_at_cut - float(np.median(np.array_split(after, 4)[-1]))
    if fell < 3.0 * standard_error or projected < STILL_FALLING_SHARE * (level_at_cut - floor):
        return None
    if fell_after > FROZEN_PROGRESS_SHARE * projected:
        return None
    return (
        f"the loss was still falling just before the cut (by {fmt(fell)} to {fmt(level_at_cut)} over "
        f"{span} steps) and moved by only {fmt(fell_after)} in the {cut.frozen_steps} steps after it"
    )


def _decayed_too_early(store: Store, curve: LossCurve) -> Finding | None:
    """The schedule cut the rate to ~0 with much of the run left, and the loss stopped with it."""
    if len(curve) < MIN_CURVE_POINTS:
        return None
    cut = schedule_cut(store, curve.total_steps)
    if cut is None:
        return None
    scale = loss_scale(store)
    stall = loss_stall(curve, scale)
    if stall is not None and stall.since_step >= cut.step:
        consequence = (
            f"the loss has been stuck at {fmt(stall.level)} since step {stall.since_step} ({stall.reason})"
        )
    else:
        consequence = _cut_while_falling(curve, cut, scale.floor)
    if consequence is None:
        return None
    evidence = (
        f"The learning-rate schedule cut the rate to {fmt(cut.lr)} (under 1% of its peak {fmt(cut.peak)}) at "
        f"step {cut.step}, with {cut.frozen_steps} of {curve.total_steps} steps left, and {consequence}."
    )
    advice = (
        f"Decay the rate over the whole run: stretch the schedule so that it reaches 1% of the peak no "
        f"earlier than step {int(0.9 * curve.total_steps)} (about {fmt(0.9 * curve.total_steps / max(cut.step, 1))}x "
        f"slower), and check that scheduler.step() runs once per epoch if it was meant to."
    )
    return Finding("lr-too-low", evidence, confidence=0.85, step=cut.step, advice=advice)


def _warmup_never_ended(store: Store, curve: LossCurve) -> Finding | None:
    """The rate was still rising when the run ended, which got little of its loss down: the warm-up was
    longer than the run (counted in samples instead of batches, or in epochs instead of steps)."""
    if store.structure.get("status", "completed") != "completed":
        return None  # stopped early on purpose or by a crash: the warm-up may have been about to end
    lr_steps, lrs = store.series("lr")
    if lrs.size < MIN_CURVE_POINTS or not np.isfinite(lrs).all() or lrs[0] <= 0:
        return None
    peak, last = float(lrs.max()), float(lrs[-1])
    if peak < WARMUP_RISE * float(lrs[0]) or (np.diff(lrs) < 0).any():
        return None  # not a rate that rose all run long (a cyclic schedule ending on a crest falls between)
    reached = int(lr_steps[int(np.argmax(lrs >= peak))])
    if reached < WARMUP_END_SHARE * int(lr_steps[-1]):
        return None  # the warm-up ended, and the rate held its peak after it
    progress = _progress_share(curve, loss_scale(store).floor)
    if progress is None:
        return None
    late = curve.values[curve.steps >= curve.steps[0] + (curve.steps[-1] - curve.steps[0]) / 2]
    fell, standard_error = _fall(late) if late.size >= 2 * MIN_WINDOW_POINTS else (0.0, 0.0)
    still_falling = fell > 3.0 * standard_error > 0
    if progress >= LOW_PROGRESS_SHARE and not still_falling:
        return None
    evidence = (
        f"The learning rate rose from {fmt(float(lrs[0]))} at step {int(lr_steps[0])} to {fmt(last)} at the last "
        f"step, {int(lr_steps[-1])}, without levelling off: the warm-up had not ended when the run did"
    )
    groups = (store.structure.get("optimizer") or {}).get("groups") or []
    base = groups[0].get("initial_lr") if groups else None
    if isinstance(base, (int, float)) and base > last:
        evidence += (
            f", and the rate never passed {fmt(100 * last / base)}% of the schedule's base rate {fmt(base)}"
        )
    evidence += f"; {_progress_words(curve, progress)}"
    if still_falling:
        evidence += f", and it was still falling when the run ended (by {fmt(fell)} over its last half)"
    advice = (
        f"Make the warm-up a few percent of the run (this run made {curve.total_steps} optimizer steps): count "
        "it in optimizer steps, i.e. batches (epochs x len(train_loader)), not in samples or epochs."
    )
    return Finding("lr-too-low", evidence + ".", confidence=0.85, step=int(lr_steps[0]), advice=advice)


@check
@loss_shape_check
def lr_too_low(store: Store) -> list[Finding]:
    """The learning rate is too low, from the start or because a schedule decayed it to ~0 early.

    Rule, constant: at the peak rate (warm-up and decayed tails left out) even the fastest-moving weight
    matrix moves by less than 1e-4 of its norm per step (10x below the healthy 1e-3; steps that moved
    nothing, for want of a gradient, left out), the rate is below where searches usually start (0.1 for
    SGD, 1e-3 for Adam), and the loss closed less than a fifth of its gap to the floor over the run. Rule, schedule: the rate fell below 1% of its
    peak for good with a quarter of the run or more left, and then either the loss plateaued
    (`loss-plateau`'s rule) entirely after the cut, or it had been falling just before the cut (beyond 3
    standard errors) at a pace that would have closed half its gap in the steps left, and got less
    than a quarter of that. Rule, warm-up: the rate rose 10x or more over the run, never falling, and
    reached its peak only in the last tenth of the run (the warm-up never ended), and the loss closed less than a fifth of its gap to the floor
    or was still falling over the last half of the run (beyond 3 standard errors).
    """
    curve = train_loss(store)
    finding = (
        _constant_too_low(store, curve)
        or _decayed_too_early(store, curve)
        or _warmup_never_ended(store, curve)
    )
    return [finding] if finding else []
