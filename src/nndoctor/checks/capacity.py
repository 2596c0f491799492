"""Checks on the model's size: a network too small or too narrow for the task.

A stuck training loss has many causes. This check names capacity only when the others are ruled out
by the run itself (updates of a healthy size, gradients that neither vanish nor explode, no NaN) and
the structure shows a limit: a layer narrower than the outputs it must produce, or no hidden layer at
all. The stuck loss itself is `loss-plateau` (checks/loss.py); this cause explains it in the catalog.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..findings import Finding
from ..loss_kinds import CLASS_SCORE_LOSSES
from ..monitor.store import Store
from . import check
from ._signals import (
    EMBEDDING_TYPES,
    fmt,
    loss_scale,
    loss_shape_check,
    train_loss,
    train_loss_functions,
)
from .gradients import gradient_spikes, vanishing_gradients
from .loss import loss_stall, nonfinite_onset
from .optimization import HIGH_UPDATE_RATIO, LOW_UPDATE_RATIO, harmful_update_stretch, update_ratios

RECURRENT_TYPES = ("RNN", "LSTM", "GRU")
# where the reference says to start: 3 to 8 layers, hidden widths 256 to 1024, and for regression 2 to 3
# times the number of inputs or outputs
START_WIDTH = 256
REGRESSION_WIDTH_FACTOR = (2, 3)


@dataclass(frozen=True)
class Layer:
    name: str
    width: int  # units (or hidden state size) it passes on


@check
@loss_shape_check
def capacity_too_small(store: Store) -> list[Finding]:
    """The training loss is stuck while optimisation is healthy, and the model is too narrow to do better.

    Rule: `loss-plateau`'s rule holds (flat over the last half, well above what the task allows); the
    typical weight matrix moves by 1e-4 to 1e-1 of its norm per step (neither lr-too-low's nor
    lr-too-high's range) with no stretch of large updates; no vanishing or exploding gradients and no
    NaN; and the structure shows a limit: a hidden layer (or recurrent state) narrower than the number of
    outputs, or no hidden layer at all between the inputs and the outputs.
    """
    stall = loss_stall(train_loss(store), loss_scale(store))
    if stall is None:
        return []
    typical = _healthy_update_ratio(store)
    if typical is None:
        return []
    limit = structural_limit(store)
    if limit is None:
        return []
    text, where, outputs, inputs = limit
    evidence = (
        f"The training loss has stayed at {fmt(stall.level)} since step {stall.since_step} ({stall.reason}), "
        f"while the optimisation looks healthy (weights move by {fmt(typical)} of their norm per step, "
        f"gradients reach every layer). {text}"
    )
    regression = loss_scale(store).chance is None
    low, high = (f * max(inputs or 0, outputs) for f in REGRESSION_WIDTH_FACTOR)
    width = (
        f"{low} to {high} units (2 to 3 times the inputs or outputs)"
        if regression
        else f"{START_WIDTH} to 1024 units"
    )
    advice = (
        f"Make every hidden layer at least as wide as the {outputs} outputs; start with 3 to 8 layers of "
        f"{width}, and shrink once the loss falls."
    )
    return [
        Finding(
            "capacity-too-small", evidence, confidence=0.7, step=stall.since_step, where=where, advice=advice
        )
    ]


def _healthy_update_ratio(store: Store) -> float | None:
    """The median typical update ratio when optimisation shows none of its own failures, else None."""
    if nonfinite_onset(store) is not None or gradient_spikes(store) is not None or vanishing_gradients(store):
        return None
    ratios = update_ratios(store)
    if ratios is None or harmful_update_stretch(store) is not None:
        return None
    typical = float(np.nanmedian(ratios.typical))
    return typical if LOW_UPDATE_RATIO <= typical < HIGH_UPDATE_RATIO else None


def structural_limit(store: Store) -> tuple[str, str | None, int, int | None] | None:
    """Why the structure caps what the model can fit, in words, with the layer, the number of outputs
    and of inputs; None when no layer is narrower than the outputs and a hidden layer exists."""
    outputs = _output_count(store)
    layers = _width_layers(store)
    if outputs is None or not layers:
        return None
    inputs = layers[0][1]
    hidden = [Layer(name, width) for name, _, width in layers[:-1]]
    for module in _modules(store):  # recurrent states and embeddings are hidden representations too
        if module.get("type") in RECURRENT_TYPES and "hidden_size" in module:
            hidden.append(Layer(module["name"], int(module["hidden_size"])))
        elif module.get("type") in EMBEDDING_TYPES and "embedding_dim" in module:
            hidden.append(Layer(module["name"], int(module["embedding_dim"])))
    if not hidden:
        if any(m.get("type", "").startswith("Conv") for m in _modules(store)):
            return None  # convolutions are hidden layers whose width is not recorded
        name = layers[-1][0]
        return (
            f"The model has no hidden layer: {name} maps the {inputs} inputs straight to the {outputs} "
            "outputs, so it can only draw linear boundaries.",
            name,
            outputs,
            inputs,
        )
    narrowest = min(hidden, key=lambda layer: layer.width)
    if narrowest.width >= outputs:
        return None
    return (
        f"{narrowest.name} passes on only {narrowest.width} values, fewer than the {outputs} outputs the model "
        "must produce: everything the last layer sees is squeezed through it.",
        narrowest.name,
        outputs,
        inputs,
    )


def _modules(store: Store) -> list[dict]:
    return list(store.structure.get("modules") or [])


def _width_layers(store: Store) -> list[tuple[str, int, int]]:
    """(name, in_features, out_features) of the fully connected layers, up to and including the last one
    whose width is the number of outputs (the output layer), in registration order."""
    outputs = _output_count(store)
    linear = [
        (m["name"], int(m["in_features"]), int(m["out_features"]))
        for m in _modules(store)
        if m.get("leaf") and "in_features" in m and "out_features" in m
    ]
    ends = [index for index, (_, _, width) in enumerate(linear) if width == outputs]
    return linear[: ends[-1] + 1] if ends else []


def _output_count(store: Store) -> int | None:
    """How many values the model outputs per sample, from the training loss's input shape."""
    train = train_loss_functions(store)
    if len(train) != 1:
        return None
    shape = train[0].get("input_shape") or []
    if train[0].get("name") in CLASS_SCORE_LOSSES:
        return int(shape[1]) if len(shape) >= 2 else None
    return int(math.prod(shape[1:])) if len(shape) >= 2 else 1
