"""Checks that the training loss fits what it is given: the last layer's activation, the loss function
for the targets, and the shapes it compares.

Read from structure["loss_inputs"] (written by monitor/probes/loss_inputs.py): per training loss
function, over sampled calls, the range of its input, how far its rows are from summing to 1 (or from
a log-sum-exp of 0), the module that produced it, the targets' range, whether they are whole numbers,
a sample of them, and the first call whose input and target broadcast to a larger shape.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..findings import Finding
from ..loss_kinds import POINT_REGRESSION_LOSSES
from ..monitor.store import Store
from . import check
from ._signals import fmt

LOGIT_BINARY_LOSS = "binary_cross_entropy_with_logits"

ROW_SUM_TOLERANCE = 1e-2  # a softmax row sums to 1 up to rounding (float32: C x 6e-8; bfloat16 keeps 8
# bits, 0.4% per value): raw scores never land within 1% of it in every row, nor log-probabilities
# within 0.01 of a log-sum-exp of 0
MIN_ROWS = 16  # rows checked before calling them all distributions: by chance, raw scores never are
MIN_VALUES = 32  # loss-input values seen before trusting their range
MIN_TARGETS = 16  # targets sampled before judging what they are

# wrong-output-activation (regression)
UNEXPLAINABLE_SHARE = 0.1  # the output's bound leaves a tenth of the targets' variance out of reach:
# even a perfect model could not get R^2 above 0.9, well within what a linear last layer reaches
MIN_SPREAD = 0.25  # outputs driven against a bound by the targets still follow the data across the range;
# a network that predicts about one value (dead units, a collapsed model) merely sits inside it
CROWD_SHARE = 0.05  # a bounded activation chasing targets beyond its bound saturates against it: its
# outputs come within 5% of the bound's width (a linear output that merely starts inside does not)
# The range of a last activation module's output: only these bounds are certain from the type alone.
BOUNDED_MODULES = {
    "ReLU": (0.0, math.inf),
    "Softplus": (0.0, math.inf),
    "ReLU6": (0.0, 6.0),
    "Sigmoid": (0.0, 1.0),
    "Hardsigmoid": (0.0, 1.0),
    "Softmax": (0.0, 1.0),
    "Tanh": (-1.0, 1.0),
    "Softsign": (-1.0, 1.0),
    "LogSigmoid": (-math.inf, 0.0),
}

# wrong-loss
MIN_CLASSES = 3  # with 2 classes regressing the index is regressing the probability (a Brier score);
# from 3 on it imposes an order and equal distances between classes that do not exist
RAREST_CLASS_SHARE = 0.25  # class labels are roughly balanced: the rarest of K values holds at least a
# quarter of a fair share 1/K; counts (the healthy integer regression) thin out into a long tail


@dataclass(frozen=True)
class LossInput:
    """One training loss function's summary, with the readings the rules share."""

    name: str
    data: dict[str, Any]

    def get(self, key: str, default: Any = None) -> Any:
        value = self.data.get(key)
        return default if value is None else value

    @property
    def classes(self) -> int | None:
        shape = self.get("input_shape", [])
        return int(shape[1]) if len(shape) >= 2 else None

    @property
    def producer(self) -> dict[str, Any]:
        return self.get("producer", {})

    @property
    def direct_module(self) -> tuple[str, str] | None:
        """(name, type) of the module whose output is the loss input itself, if one is."""
        producer = self.producer
        return (producer["module"], producer["type"]) if producer.get("direct") else None

    def distribution_rows(self) -> bool:
        """Every input row checked lies in [0, 1] and sums to 1: a softmax output."""
        deviation = self.get("row_sum_deviation")
        return (
            self.get("input_rows", 0) >= MIN_ROWS
            and deviation is not None
            and deviation <= ROW_SUM_TOLERANCE
            and self.get("input_min", -1.0) >= 0.0
            and self.get("input_max", 2.0) <= 1.0
        )

    def log_distribution_rows(self) -> bool:
        deviation = self.get("row_logsumexp_deviation")
        return deviation is not None and deviation <= ROW_SUM_TOLERANCE and self.get("input_max", 1.0) <= 0.0

    def targets(self) -> np.ndarray:
        return np.asarray(self.get("target_sample", []), dtype=float)

    def where(self) -> str | None:
        return self.producer.get("module")


def loss_inputs(store: Store) -> list[LossInput]:
    data = store.structure.get("loss_inputs") or {}
    return [LossInput(name, info) for name, info in data.items() if isinstance(info, dict)]


def _module_phrase(loss: LossInput) -> str:
    direct = loss.direct_module
    if direct:
        return f" (the output of module `{direct[0]}`, {direct[1]})"
    after = loss.producer.get("module")
    return (
        f" (computed in forward after module `{after}`, by a function rather than a module)" if after else ""
    )


def _steps(loss: LossInput) -> str:
    first, last = loss.get("first_step", 0), loss.get("last_step", 0)
    span = f"step {first}" if first == last else f"steps {first} to {last}"
    return f"{loss.get('calls', 0)} sampled calls, {span}"


# --- wrong-output-activation ---------------------------------------------------------------------------
@check
def wrong_output_activation(store: Store) -> list[Finding]:
    """An activation ends the model that the loss cannot work with.

    Rules, per training loss function: cross_entropy or nll_loss given probability rows (every one of
    at least 16 rows in [0, 1] summing to 1 within 1%): a softmax before a loss that takes logits or
    log-probabilities; nll_loss given rows that are not log-probabilities (log-sum-exp 0 within 0.01):
    raw scores; binary_cross_entropy_with_logits whose input never went below 0 while some targets are
    0: a sigmoid (or ReLU) before it, so every prediction is p >= 0.5; a regression loss whose input is
    bounded (by the last module's type, or by exact zeros of a functional ReLU, or by a [0, 1] or
    [-1, 1] range it saturates against) while the targets beyond the bound carry at least a tenth of
    their variance.
    """
    findings = []
    for loss in loss_inputs(store):
        if loss.name == "cross_entropy" and loss.distribution_rows():
            findings.append(_softmax_before_cross_entropy(loss))
        elif loss.name == "nll_loss":
            findings.extend(_nll_of_wrong_input(loss))
        elif loss.name == LOGIT_BINARY_LOSS:
            findings.extend(_bounded_logits(loss))
        elif loss.name in POINT_REGRESSION_LOSSES:
            findings.extend(_bounded_regression(loss))
    return findings


def _softmax_before_cross_entropy(loss: LossInput) -> Finding:
    classes = loss.classes or 2
    best_p = math.e / (math.e + classes - 1)  # softmax of logits in [0, 1]: one at 1, the rest at 0
    evidence = (
        f"Every one of the {loss.get('input_rows')} rows given to cross_entropy ({_steps(loss)}) lies in "
        f"[0, 1] and sums to 1 (within {fmt(loss.get('row_sum_deviation'))}): it is already a softmax "
        f"output{_module_phrase(loss)}. cross_entropy applies log_softmax itself, so with {classes} classes a "
        f"predicted probability can never exceed e/(e+{classes - 1}) = {best_p:.2f} and the loss cannot fall "
        f"below {fmt(-math.log(best_p))} (chance is ln({classes}) = {fmt(math.log(classes))})."
    )
    return Finding(
        "wrong-output-activation",
        evidence,
        confidence=0.95,
        where=loss.where(),
        advice=f"Remove the softmax{_named(loss)} and give cross_entropy the raw logits; apply softmax only "
        "when you need probabilities (at inference).",
    )


def _nll_of_wrong_input(loss: LossInput) -> list[Finding]:
    if loss.get("input_rows", 0) < MIN_ROWS or loss.get("row_logsumexp_deviation") is None:
        return []
    if loss.distribution_rows():
        evidence = (
            f"The {loss.get('input_rows')} rows given to nll_loss ({_steps(loss)}) are probabilities (in [0, 1], "
            f"summing to 1){_module_phrase(loss)}, but nll_loss expects log-probabilities: it minimises -p "
            "instead of -log p, a loss between -1 and 0 whose gradient stays small however wrong the model is."
        )
        advice = (
            f"Use log_softmax instead of softmax{_named(loss)} (nn.LogSoftmax(dim=1)), or drop it and use "
            "cross_entropy on the logits."
        )
    elif not loss.log_distribution_rows():
        evidence = (
            f"The rows given to nll_loss ({_steps(loss)}) are not log-probabilities: their log-sum-exp is up to "
            f"{fmt(loss.get('row_logsumexp_deviation'))} away from 0 and the values reach "
            f"{fmt(loss.get('input_max'))}{_module_phrase(loss)}. nll_loss only picks -input[target], so on raw "
            "scores it is unbounded below: the model can lower it forever by inflating the target's score."
        )
        advice = "Add log_softmax(dim=1) before nll_loss, or use cross_entropy, which does both, on the raw logits."
    else:
        return []
    return [Finding("wrong-output-activation", evidence, confidence=0.9, where=loss.where(), advice=advice)]


def _bounded_logits(loss: LossInput) -> list[Finding]:
    low, high = loss.get("input_min"), loss.get("input_max")
    if (
        low is None
        or loss.get("input_values", 0) < MIN_VALUES
        or low < 0.0
        or loss.get("target_min", 1.0) > 0
        or _may_go_negative(loss)  # logits a Linear layer (or a tanh) left positive: nothing holds them there
    ):
        return []
    evidence = (
        f"The input of binary_cross_entropy_with_logits never went below 0 ({fmt(low)} to {fmt(high)} over "
        f"{_steps(loss)}){_module_phrase(loss)}, while some targets are 0. The loss applies a sigmoid "
        "itself, so every predicted probability is at least 0.5: no sample can be predicted negative"
    )
    if high <= 1.0:
        evidence += (
            " (these logits look like a sigmoid output: the loss cannot fall below -ln(sigmoid(1)) = 0.31 "
            "for positives and ln 2 = 0.69 for negatives)"
        )
    return [
        Finding(
            "wrong-output-activation",
            evidence + ".",
            confidence=0.9,
            where=loss.where(),
            advice=f"Remove the final activation{_named(loss)}: BCEWithLogitsLoss takes raw logits (any sign); "
            "apply torch.sigmoid only at inference.",
        )
    ]


def _unbounded_module(loss: LossInput) -> bool:
    """Whether the loss takes a module's output as it is, and that module's type bounds nothing (a Linear
    layer): a bound read off its values is where training took them (a model that learned little, units
    upstream that saturate or died), not an activation that holds them there."""
    direct = loss.direct_module
    return direct is not None and direct[1] not in BOUNDED_MODULES


def _may_go_negative(loss: LossInput) -> bool:
    """Whether the loss takes a module's output as it is, and that module's type lets it go below 0."""
    direct = loss.direct_module
    return direct is not None and BOUNDED_MODULES.get(direct[1], (-math.inf,))[0] < 0


def _bounded_regression(loss: LossInput) -> list[Finding]:
    targets = loss.targets()
    if targets.size < MIN_TARGETS or loss.get("input_values", 0) < MIN_VALUES:
        return []
    bound = _output_bound(loss, targets)
    if bound is None:
        return []
    (low, high), how = bound
    beyond = np.clip(targets, low, high) - targets
    variance = float(np.var(targets))
    if variance <= 0:
        return []
    unexplainable = float(np.mean(beyond**2)) / variance
    if unexplainable < UNEXPLAINABLE_SHARE:
        return []
    outside = float(np.mean(beyond != 0))
    evidence = (
        f"The model's output{_module_phrase(loss)} is bounded to {_interval(low, high)} ({how}), but "
        f"{100 * outside:.0f}% of the targets lie outside it (targets from {fmt(float(targets.min()))} to "
        f"{fmt(float(targets.max()))}): even a perfect model leaves {100 * unexplainable:.0f}% of the targets' "
        f"variance unexplained ({loss.name} over {_steps(loss)})."
    )
    advice = f"End the model with the Linear layer: remove the final activation{_named(loss)}."
    if low == 0.0 and float(targets.min()) < 0:
        advice += (
            " If the targets are meant to be non-negative (counts, prices), check their preprocessing: "
            "standardising makes about half of them negative."
        )
    return [Finding("wrong-output-activation", evidence, confidence=0.9, where=loss.where(), advice=advice)]


def _output_bound(loss: LossInput, targets: np.ndarray) -> tuple[tuple[float, float], str] | None:
    """The range the loss input cannot leave, and how it is known; None when it is not bounded."""
    direct = loss.direct_module
    if direct and direct[1] in BOUNDED_MODULES:
        return BOUNDED_MODULES[direct[1]], f"the range of {direct[1]}"
    low, high = loss.get("input_min"), loss.get("input_max")
    if low is None or high is None or _unbounded_module(loss):
        return None  # from here on a bound is read off the values: an activation applied in forward
    if low == 0.0 and loss.get("input_zeros", 0) > 0:  # a linear output never lands exactly on 0.0
        zeros = loss.get("input_zeros") / max(loss.get("input_values", 1), 1)
        return (
            0.0,
            math.inf,
        ), f"{100 * zeros:.0f}% of its values are exactly 0 and none is negative, as after a ReLU"
    for bounds in ((0.0, 1.0), (-1.0, 1.0)):  # a sigmoid or a tanh applied in forward
        spread = (high - low) / (bounds[1] - bounds[0])
        if (
            bounds[0] <= low
            and high <= bounds[1]
            and spread >= MIN_SPREAD
            and _crowds(low, high, bounds, targets)
        ):
            return (
                bounds,
                f"it never left {_interval(*bounds)} and saturates against the bound the targets exceed",
            )
    return None


def _crowds(low: float, high: float, bounds: tuple[float, float], targets: np.ndarray) -> bool:
    margin = CROWD_SHARE * (bounds[1] - bounds[0])
    above = float(targets.max()) > bounds[1] and high >= bounds[1] - margin
    below = float(targets.min()) < bounds[0] and low <= bounds[0] + margin
    return above or below


# --- wrong-loss -------------------------------------------------------------------------------------
@check
def wrong_loss(store: Store) -> list[Finding]:
    """The loss function does not fit the targets.

    Rules, per training loss function: a regression loss (MSE, L1, Huber) on one value per sample whose
    targets are class indices (whole numbers 0..K-1, K >= 3, every one present and the rarest holding at
    least a quarter of 1/K: labels, not counts with a long tail); BCE with logits on whole-number targets
    0..K-1 with K >= 3 (multi-class indices); cross_entropy on a single output (softmax over one class
    is always 1: the loss is 0 whatever the model does); cross_entropy with float targets whose rows are
    not distributions (negative, or not summing to 1 within 1%): continuous or multi-label targets.
    """
    findings = []
    for loss in loss_inputs(store):
        if loss.name in POINT_REGRESSION_LOSSES:
            findings.extend(_regression_on_class_indices(loss))
        elif loss.name == LOGIT_BINARY_LOSS:
            findings.extend(_binary_on_class_indices(loss))
        elif loss.name == "cross_entropy":
            findings.extend(_cross_entropy_on_non_classes(loss))
    return findings


def _class_indices(loss: LossInput) -> tuple[int, np.ndarray] | None:
    """(K, counts) when the sampled targets look like class labels 0..K-1 with K >= MIN_CLASSES."""
    targets = loss.targets()
    if targets.size < MIN_TARGETS or not loss.get("target_integer", False):
        return None
    values, counts = np.unique(targets, return_counts=True)
    classes = values.size
    if classes < MIN_CLASSES or not np.array_equal(values, np.arange(classes)):
        return None
    if counts.min() / counts.sum() < RAREST_CLASS_SHARE / classes:
        return None
    return classes, counts


def _one_value_per_sample(shape: list[int]) -> bool:
    return len(shape) == 1 or (len(shape) == 2 and shape[1] == 1)


def _regression_on_class_indices(loss: LossInput) -> list[Finding]:
    if not _one_value_per_sample(loss.get("input_shape", [])):
        return []
    found = _class_indices(loss)
    if found is None:
        return []
    classes, counts = found
    evidence = (
        f"{loss.name} is fitting one number per sample to targets that are class labels: whole numbers 0 to "
        f"{classes - 1}, all {classes} present in roughly even shares (rarest {_percent(counts.min(), counts.sum())} "
        f"of {counts.sum()} sampled, {_steps(loss)}). Regressing a label treats class {classes - 1} as "
        f"'{classes - 1} times class 1' and rewards predicting {_between(classes)}."
    )
    return [
        Finding(
            "wrong-loss",
            evidence,
            confidence=0.8,
            where=loss.where(),
            advice=f"Give the last layer {classes} outputs and use CrossEntropyLoss with the labels as integer "
            "(long) targets; predict with argmax.",
        )
    ]


def _between(classes: int) -> str:
    """The hedge a regression of labels rewards: halfway between two neighbouring classes."""
    middle = (classes - 1) // 2
    return f"{middle + 0.5} for a sample that is class {middle} or {middle + 1}"


def _binary_on_class_indices(loss: LossInput) -> list[Finding]:
    found = _class_indices(loss)
    if found is None:
        return []
    classes, _ = found
    evidence = (
        f"binary_cross_entropy_with_logits is given targets 0 to {classes - 1} ({classes} classes, "
        f"{_steps(loss)}); it expects probabilities in [0, 1]. With a target above 1 the loss has no minimum: "
        "it falls without end as the logit grows."
    )
    return [
        Finding(
            "wrong-loss",
            evidence,
            confidence=0.9,
            where=loss.where(),
            advice=f"For {classes} classes use CrossEntropyLoss on {classes} logits with these labels as they "
            "are (long); for several yes/no labels per sample, one-hot them into an (N, C) float target.",
        )
    ]


def _cross_entropy_on_non_classes(loss: LossInput) -> list[Finding]:
    if loss.classes == 1:
        evidence = (
            f"cross_entropy is given one output per sample (input shape {_shape(loss.get('input_shape'))}): a "
            "softmax over a single class is always 1, so the loss is 0 whatever the model predicts and no "
            "gradient reaches it."
        )
        advice = (
            "For a yes/no target use BCEWithLogitsLoss on that single output; for regression use MSELoss; "
            "for C classes give the last layer C outputs."
        )
        return [Finding("wrong-loss", evidence, confidence=0.95, where=loss.where(), advice=advice)]
    deviation = loss.get("target_row_sum_deviation")
    low = loss.get("target_min")
    if deviation is None or low is None:
        return []
    if low >= 0.0 and deviation <= ROW_SUM_TOLERANCE:
        return []  # class probabilities (soft labels, mixup, distillation): a proper target
    high = loss.get("target_max")
    if low >= 0.0 and high <= 1.0 and loss.get("target_integer", False):
        evidence = (
            f"cross_entropy is given 0/1 target rows that do not sum to 1 (off by up to {fmt(deviation)}, "
            f"{_steps(loss)}): several labels per sample. Cross-entropy makes the classes compete for one "
            "unit of probability, so it cannot predict two labels at once."
        )
        advice = "For multi-label targets use BCEWithLogitsLoss (one independent sigmoid per class)."
    else:
        evidence = (
            f"cross_entropy is given float targets from {fmt(low)} to {fmt(high)} whose rows do not sum to 1 "
            f"(off by up to {fmt(deviation)}, {_steps(loss)}): continuous values, not class probabilities. "
            "Cross-entropy with such targets has no meaning as a fit (and no minimum with negative targets)."
        )
        advice = "For continuous targets use MSELoss or L1Loss (on standardised targets)."
    return [Finding("wrong-loss", evidence, confidence=0.9, where=loss.where(), advice=advice)]


# --- loss-shape-mismatch ------------------------------------------------------------------------------
@check
def loss_shape_mismatch(store: Store) -> list[Finding]:
    """An element-wise loss broadcasts its input and target to a larger shape than either.

    Rule: on a sampled training call, broadcasting the input's shape against the target's gives more
    elements than either has, e.g. (N, 1) against (N,) gives (N, N): every prediction is compared with
    every target of the batch, and the best the model can do is predict the batch's mean target.
    """
    findings = []
    for loss in loss_inputs(store):
        mismatch = loss.get("broadcast")
        if not mismatch:
            continue
        source, target, both = mismatch["input_shape"], mismatch["target_shape"], mismatch["broadcast_shape"]
        evidence = (
            f"{loss.name} got an input of shape {_shape(source)}{_module_phrase(loss)} and a target of shape "
            f"{_shape(target)} at step {mismatch['step']}: they broadcast to {_shape(both)}, so each prediction "
            f"is compared with every target in the batch ({math.prod(both)} pairs instead of "
            f"{max(math.prod(source), math.prod(target))}). The best the model can do is predict the batch's "
            "mean target, whatever the input."
        )
        findings.append(
            Finding(
                "loss-shape-mismatch",
                evidence,
                confidence=0.95,
                step=int(mismatch["step"]),
                where=loss.where(),
                advice=_reshape_advice(source, target),
            )
        )
    return findings


def _reshape_advice(source: list[int], target: list[int]) -> str:
    if len(source) == len(target) + 1 and source[-1] == 1:
        return f"Squeeze the output to the target's shape: output.squeeze(-1) gives {_shape(target)}."
    if len(target) == len(source) + 1 and target[-1] == 1:
        return f"Squeeze the target to the output's shape: target.squeeze(-1) gives {_shape(source)}."
    return f"Reshape one side so both are {_shape(source)}: e.g. target.view_as(output)."


# --- formatting ---------------------------------------------------------------------------------------
def _shape(shape: list[int]) -> str:
    return "(" + ", ".join(str(d) for d in shape) + ("," if len(shape) == 1 else "") + ")"


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.0f}%"


def _interval(low: float, high: float) -> str:
    left = "(-inf" if math.isinf(low) else f"[{fmt(low)}"
    right = "inf)" if math.isinf(high) else f"{fmt(high)}]"
    return f"{left}, {right}"


def _named(loss: LossInput) -> str:
    direct = loss.direct_module
    return f" (`{direct[0]}`)" if direct else ""
