"""Checks on the training loss itself: non-finite, rising, oscillating, or stuck.

The detectors (`nonfinite_onset`, `loss_rise`, `loss_swings`, `loss_stall`) are plain functions of the
store so that the optimisation checks can ask whether the loss shows a symptom; the `@check` functions
only turn what they find into findings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..findings import Finding, Severity
from ..monitor.store import Store
from . import check
from ._signals import (
    MIN_WINDOW_POINTS,
    LossCurve,
    LossScale,
    fmt,
    loss_scale,
    loss_shape_check,
    name_list,
    start_level,
    step_noise,
    train_loss,
)
from .data import weak_signal

MIN_CURVE_POINTS = 32  # shorter finite curves (4 windows of 8) cannot show a trend apart from noise
LITTLE_PROGRESS_SHARE = 0.75  # a loss still at 3/4 of its starting level (above the floor) has barely moved
EXP_OVERFLOW = 88.7  # exp(x) overflows float32 above ln(3.4e38) = 88.7: logits past it make softmax inf

# loss-diverging
RISE_NOISE_SIGMAS = 3.0  # a rise smaller than 3 batch-to-batch sigmas is within the curve's own noise
RISE_SHARE = 0.2  # and it must give back a fifth of the starting level (above the floor): a trend, not drift
RUNAWAY_FACTOR = 10.0  # too short for windows: still rising at 10x its start (an order of magnitude)
RUNAWAY_POINTS = 3  # ... over this many strictly increasing last values

# loss-oscillating
SWING_SHARE = 0.5  # the typical spread (10th-90th percentile) within a window is half the loss level or more
SWING_OF_START = 0.1  # swings under a tenth of the loss's starting gap to its floor are the noise of a
# converged loss (a memorising network near 0), whatever their shape: they cost the training nothing
BURST_AUTOCORRELATION = 0.3  # mini-batch noise is independent batch to batch (|lag-1 autocorrelation| ~0.1
# on healthy runs); excursions that persist over consecutive steps are the optimiser's, not the data's

# loss-plateau
HIGH_SHARE_OF_CHANCE = 0.5  # above half of chance level (above the floor): less than half of it learnt
FLAT_SHARE = 0.1  # the last half of the run closed less than a tenth of the gap left to the floor
ABOVE_BEST_FACTOR = 2.0  # or it sits flat at twice (or more) the best level it had reached


# --- loss-nonfinite ------------------------------------------------------------------------------
@dataclass(frozen=True)
class NonfiniteOnset:
    step: int
    signal: str  # "loss" or "gradient": what turned non-finite first
    evidence: str
    where: str | None


def nonfinite_onset(store: Store) -> NonfiniteOnset | None:
    """The first step where the loss went NaN/Inf (or the gradient norm just before it), and what the
    monitor saw there."""
    curve = train_loss(store)
    events = [e for e in store.events("nonfinite") if isinstance(e.get("step"), int)]
    event = min(events, key=lambda e: e["step"]) if events else None
    loss_step = curve.first_nonfinite_step
    if loss_step is None:  # a gradient norm that overflowed while the loss stayed finite is not this
        return None
    step = min(s for s in (loss_step, event and event["step"]) if s is not None)
    signal = "gradient" if event and event.get("signal") == "gradient" and event["step"] == step else "loss"

    parts = [_first_nonfinite_sentence(curve, step, signal, loss_step)]
    where = None
    if event is not None:
        sentence, where = _event_sentence(event, loss_scale(store).chance is not None)
        parts += sentence
    layer = _first_nonfinite_activation(store, step)
    if layer is not None:
        name, layer_step, is_first = layer
        where = where or name
        text = (
            f"the first layer whose output was non-finite (in forward order) was {name} at step {layer_step}"
        )
        if is_first and not (event or {}).get("nonfinite_weights"):
            text += " (the first layer with recorded outputs: the NaN entered with its input, from the data or code run before it)"
        parts.append(text)
    if _calm_before(curve, scale=loss_scale(store)):
        parts.append(
            "the loss was not rising before it: look for a log or division of 0, or a sqrt at 0, rather "
            "than at the learning rate"
        )
    return NonfiniteOnset(step, signal, "; ".join(parts) + ".", where)


def _first_nonfinite_sentence(curve: LossCurve, step: int, signal: str, loss_step: int) -> str:
    if signal == "gradient":
        text = f"the gradient norm became non-finite (NaN, or beyond float range) at step {step}"
        text += f" and the loss at step {loss_step}"
    else:
        text = f"the training loss became NaN/Inf at step {step}"
    if len(curve):
        text += f" (last finite loss {fmt(curve.values[-1])} at step {int(curve.steps[-1])})"
    elif step == 0:
        text += ", from the very first step"
    return text


def _calm_before(curve: LossCurve, scale: LossScale) -> bool:
    """The finite loss before the NaN was neither running away nor trending up: a numerical fault."""
    if len(curve) < 2 * MIN_WINDOW_POINTS:
        return False
    recent = curve.values[-MIN_WINDOW_POINTS:]
    start = float(np.median(curve.values[:MIN_WINDOW_POINTS]))
    return loss_rise(curve, scale) is None and float(np.max(recent)) <= max(start, scale.chance or 0.0)


def _event_sentence(event: dict, exp_loss: bool) -> tuple[list[str], str | None]:
    parts, where = [], None
    weights = event.get("nonfinite_weights") or []
    gradients = event.get("nonfinite_gradients") or []
    if weights:
        count = event.get("nonfinite_weight_count", len(weights))
        parts.append(
            f"{count} weight tensor(s) were already non-finite ({name_list(weights)}): an earlier update overflowed"
        )
        where = weights[0]
    elif gradients:
        count = event.get("nonfinite_gradient_count", len(gradients))
        parts.append(f"{count} gradient(s) were non-finite ({name_list(gradients)})")
        if count == len(gradients):  # backward spreads NaN upstream: the last one named is nearest the source
            where = gradients[-1]
    absmax = event.get("loss_input_absmax")
    if isinstance(absmax, (int, float)) and math.isfinite(absmax) and absmax > EXP_OVERFLOW:
        overflow = f" (exp overflows in float32 above {EXP_OVERFLOW})" if exp_loss else ""
        parts.append(f"the loss function's input reached |x| = {fmt(absmax)}{overflow}")
    bad_inputs = event.get("loss_input_nonfinite")
    if isinstance(bad_inputs, int) and bad_inputs > 0 and not weights:
        parts.append(f"{bad_inputs} values of the loss function's input were already NaN/Inf")
    return parts, where


def _first_nonfinite_activation(store: Store, onset: int) -> tuple[str, int, bool] | None:
    """(layer, step, is the first recorded layer) of the first layer output, in forward order, holding
    NaN/Inf by the onset step.

    Later samples are left out: once an update has spread NaN to the weights every layer is non-finite,
    which says nothing about where it began.
    """
    steps, names, fractions = store.vectors("act_nonfinite_frac")
    for row, step in enumerate(steps):
        if step > onset:
            break
        bad = np.flatnonzero(np.nan_to_num(fractions[row], nan=0.0) > 0)
        if bad.size:
            return names[bad[0]], int(step), bool(bad[0] == 0)
    return None


@check
def loss_nonfinite(store: Store) -> list[Finding]:
    """The loss became NaN/Inf: reports the first step and the first layer or parameter.

    Rule: the loss series holds a non-finite value; the step is the earlier of that and the monitor's
    first "nonfinite" event (a gradient norm can overflow a few steps before the loss). The evidence
    says whether the weights were already non-finite (an update overflowed them), which gradients were,
    how large the loss function's input got, and which layer's output went non-finite first.
    """
    onset = nonfinite_onset(store)
    if onset is None:
        return []
    return [Finding("loss-nonfinite", onset.evidence, confidence=0.99, step=onset.step, where=onset.where)]


# --- loss-diverging ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Rise:
    best: float
    best_step: int
    last: float
    start: float


def loss_rise(curve: LossCurve, scale: LossScale) -> Rise | None:
    """A sustained upward trend: the last windows' median far above the best window's, or a runaway.

    Far above means beyond RISE_NOISE_SIGMAS of batch-to-batch noise and a RISE_SHARE of the starting level.
    A curve too short for windows (typically cut by a NaN) rises when its last RUNAWAY_POINTS values
    increase and end RUNAWAY_FACTOR times above its start.
    """
    if len(curve) < MIN_CURVE_POINTS:
        return _runaway(curve, scale)
    windows = curve.windows()
    medians = np.array([np.median(w) for w in windows])
    best_index = int(np.argmin(medians[:-1]))
    best, last, start = medians[best_index], medians[-1], medians[0]
    noise = step_noise(np.concatenate(windows[best_index:]))
    threshold = max(RISE_NOISE_SIGMAS * noise, RISE_SHARE * (max(start, best) - scale.floor))
    sustained = medians[-2] - best > threshold / 2  # the window before the last is already up
    if last - best <= threshold or not sustained:
        return None
    best_step = int(curve.window_steps()[best_index][len(windows[best_index]) // 2])
    return Rise(float(best), best_step, float(last), float(start))


def _runaway(curve: LossCurve, scale: LossScale) -> Rise | None:
    if len(curve) <= RUNAWAY_POINTS:
        return None
    start = float(np.median(curve.values[:RUNAWAY_POINTS]))
    tail = curve.values[-RUNAWAY_POINTS:]
    rising = bool(np.all(np.diff(tail) > 0))
    if (
        not rising
        or start - scale.floor <= 0
        or tail[-1] - scale.floor < RUNAWAY_FACTOR * (start - scale.floor)
    ):
        return None
    best_index = int(np.argmin(curve.values[:-RUNAWAY_POINTS]))
    return Rise(float(curve.values[best_index]), int(curve.steps[best_index]), float(tail[-1]), start)


@check
@loss_shape_check
def loss_diverging(store: Store) -> list[Finding]:
    """The training loss trends upward.

    Rule: with the finite loss cut into up to 10 windows, the last window's median exceeds the lowest
    window median by more than 3 sigmas of the batch-to-batch noise and by a fifth of the starting level,
    and the window before the last is already up by half that: a trend, not one bad stretch. A finite
    curve too short for windows (under 32 points, usually cut short by a NaN) must end in 3 increasing
    values at 10x its starting level.
    """
    curve = train_loss(store)
    rise = loss_rise(curve, loss_scale(store))
    if rise is None:
        return []
    evidence = (
        f"The training loss rose from {fmt(rise.best)} (around step {rise.best_step}) to {fmt(rise.last)} "
        f"by step {int(curve.steps[-1])}"
    )
    evidence += f", after starting at {fmt(rise.start)}." if rise.best_step > int(curve.steps[0]) else "."
    if curve.first_nonfinite_step is not None:
        evidence += f" It then became non-finite at step {curve.first_nonfinite_step}."
    return [Finding("loss-diverging", evidence, confidence=0.85, step=rise.best_step)]


# --- loss-oscillating ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Swings:
    swing: float  # typical 10th-90th percentile spread within a window of the last half
    level: float  # median of the last half
    progress: float  # first window median minus last window median
    low: float
    high: float
    persistence: float | None  # lag-1 autocorrelation when the swings come in bursts, else None


def loss_swings(curve: LossCurve, scale: LossScale) -> Swings | None:
    """Swings larger than the progress, either with no progress since the start or in bursts.

    The within-window spread over the last half must be at least SWING_SHARE of the loss level and
    SWING_OF_START of its starting gap to the floor. Then
    either the loss kept LITTLE_PROGRESS_SHARE of its start and swings by more than it ever fell, or the
    swings persist over consecutive steps (lag-1 autocorrelation at least BURST_AUTOCORRELATION, and 3
    standard errors of it) while the last half made less progress than one swing.
    """
    if len(curve) < MIN_CURVE_POINTS or loss_rise(curve, scale) is not None:
        return None  # a rising curve spreads within each window: that is the rise, not swings
    windows = curve.windows()
    recent = windows[len(windows) // 2 :]
    swing = float(np.median([np.quantile(w, 0.9) - np.quantile(w, 0.1) for w in recent]))
    tail = np.concatenate(recent)
    level = float(np.median(tail)) - scale.floor
    # from where it started, not its first window: a loss that fell fast and then swings with its
    # batches made its progress inside the first window
    start = start_level(curve.values) - scale.floor
    if level <= 0 or swing < SWING_SHARE * level or swing < SWING_OF_START * start:
        return None
    progress = start + scale.floor - float(np.median(windows[-1]))
    without_progress = swing > progress and level >= LITTLE_PROGRESS_SHARE * start
    persistence = _lag_one_autocorrelation([w - np.median(w) for w in recent])
    in_bursts = (
        persistence >= max(BURST_AUTOCORRELATION, 3.0 / math.sqrt(tail.size))
        and float(np.median(recent[0]) - np.median(recent[-1])) < swing
    )
    if not (without_progress or in_bursts):
        return None
    low, high = np.quantile(tail, [0.1, 0.9])
    return Swings(
        swing, level + scale.floor, progress, float(low), float(high), persistence if in_bursts else None
    )


def _lag_one_autocorrelation(residual_windows: list[np.ndarray]) -> float:
    """Lag-1 autocorrelation of the loss around its window medians: about 0 for independent batches."""
    residual = np.concatenate(residual_windows)
    residual = residual - residual.mean()
    energy = float(np.sum(residual * residual))
    return float(np.sum(residual[1:] * residual[:-1]) / energy) if energy > 0 else 0.0


@check
@loss_shape_check
def loss_oscillating(store: Store) -> list[Finding]:
    """The training loss swings up and down without making progress.

    Rule: over the last half of the run, the typical 10th-90th percentile spread of the loss within a
    window is at least half the loss level, and either it is larger than all the progress the loss made
    from its first window to its last while the loss is still at 3/4 of its starting level (above the
    floor), or the swings persist from step to step (lag-1 autocorrelation of the loss around its window
    medians >= 0.3 and >= 3/sqrt(n); independent mini-batch noise gives ~0) while the last half made less
    progress than one swing. A rising loss (`loss-diverging`) is not counted as swinging.
    """
    curve = train_loss(store)
    swings = loss_swings(curve, loss_scale(store))
    if swings is None:
        return []
    evidence = (
        f"Over the last half of the run the training loss swings between {fmt(swings.low)} and "
        f"{fmt(swings.high)} (10th-90th percentile) around {fmt(swings.level)}, while it fell by only "
        f"{fmt(max(swings.progress, 0.0))} since the start"
    )
    if swings.persistence is not None:
        evidence += (
            f"; the swings last several steps (lag-1 autocorrelation {swings.persistence:.2f}, where "
            f"independent mini-batches give about 0)"
        )
    evidence += "."
    return [Finding("loss-oscillating", evidence, confidence=0.75, step=int(curve.steps[len(curve) // 2]))]


# --- loss-plateau --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Stall:
    level: float
    since_step: int
    change: float  # how much the loss fell over the last half (negative: rose)
    reason: str  # why the level is too high


def loss_stall(curve: LossCurve, scale: LossScale) -> Stall | None:
    """Flat over the last half of the run at a level well above what the task allows.

    Flat: over the last half the loss moved (down or up) by less than FLAT_SHARE of the gap to the floor,
    and does not swing (`loss_swings`). Too high: above HIGH_SHARE_OF_CHANCE of chance level, or without
    a chance level at LITTLE_PROGRESS_SHARE of its start (when its floor is known: see LossScale), or at
    ABOVE_BEST_FACTOR times the best level reached earlier.
    """
    if len(curve) < MIN_CURVE_POINTS:
        return None
    half = curve.values[len(curve) // 2 :]
    quarters = np.array_split(half, 4)
    level = float(np.median(quarters[-1]))
    change = float(np.median(quarters[0]) - level)
    gap = level - scale.floor
    if gap <= 0 or abs(change) >= FLAT_SHARE * gap or loss_swings(curve, scale) is not None:
        return None  # falling, rising, or swinging: not flat
    reason = _why_too_high(curve, scale, level)
    if reason is None:
        return None
    return Stall(level, int(curve.steps[len(curve) // 2]), change, reason)


def _near_chance(level: float, scale: LossScale) -> bool:
    """Whether `level` is above HIGH_SHARE_OF_CHANCE of the way from the floor up to chance level."""
    return scale.chance is not None and level - scale.floor >= HIGH_SHARE_OF_CHANCE * (
        scale.chance - scale.floor
    )


def _why_too_high(curve: LossCurve, scale: LossScale, level: float) -> str | None:
    windows = curve.windows()
    medians = np.array([np.median(w) for w in windows])
    start, best = start_level(curve.values), float(medians.min())
    gap = level - scale.floor
    if _near_chance(level, scale):
        share = 100 * gap / (scale.chance - scale.floor)
        of = "of the way from its floor up to chance level" if scale.floor > 0 else "of chance level"
        return f"{share:.0f}% {of}, {scale.description}"
    if scale.chance is None and scale.floor_known and gap >= LITTLE_PROGRESS_SHARE * (start - scale.floor):
        share = gap / (start - scale.floor)
        return (
            f"{fmt(share)}x where it started ({fmt(start)})"
            if share > 2
            else f"{100 * share:.0f}% of where it started ({fmt(start)})"
        )
    noise = step_noise(curve.values)
    if gap >= ABOVE_BEST_FACTOR * (best - scale.floor) and level - best > RISE_NOISE_SIGMAS * noise:
        best_step = int(curve.window_steps()[int(np.argmin(medians))][0])
        times = fmt(gap / max(best - scale.floor, 1e-12))
        return f"{times}x the best level it had reached ({fmt(best)} around step {best_step})"
    return None


@check
@loss_shape_check
def loss_plateau(store: Store) -> list[Finding]:
    """The training loss is flat well above what the task allows.

    Rule: over the last half of the run the loss moved by less than a tenth of its remaining gap to the
    floor (0, or the label-smoothing entropy) without oscillating, and it sits above half of chance
    level ln(C) for C classes (ln 2 for binary targets), or without a chance level at 3/4 of its starting
    level, or at twice the best level it had reached. A flat loss at a good level is convergence, not a
    plateau. Near chance level on inputs that the label probe finds barely predict the labels, it is
    INFO: that may be all the data holds (`weak_signal`).
    """
    scale = loss_scale(store)
    stall = loss_stall(train_loss(store), scale)
    if stall is None:
        return []
    evidence = (
        f"The training loss has stayed at {fmt(stall.level)} since step {stall.since_step} (it moved by "
        f"{fmt(abs(stall.change))} over the last half of the run): {stall.reason}."
    )
    note = weak_signal(store) if _near_chance(stall.level, scale) else None
    if note is not None:  # near chance on inputs that barely predict the labels: maybe all there is
        return [Finding("loss-plateau", f"{evidence} {note}", 0.8, stall.since_step, severity=Severity.INFO)]
    return [Finding("loss-plateau", evidence, confidence=0.8, step=stall.since_step)]
