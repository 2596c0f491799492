"""What the training loss is called on: the values and shapes of its input and target, and the module
that produced the input.

A loss that does not fit its inputs (a softmax before cross_entropy, a sigmoid before
BCEWithLogitsLoss, a ReLU ending a regression with negative targets, MSE on class indices, an
`(N, 1)` output against an `(N,)` target) trains without any error. The values say it: probability
rows summing to 1 where logits belong, outputs that never leave a bound the targets do leave, targets
that are small integers. This probe summarises them for `checks/loss_pairing.py`.

Cost: only training calls on activation-sampled steps are looked at (the steps where the monitor's
module hooks run, so the module that produced the input is known), at most `MAX_CALLS` per loss
function; each brings one small vector of statistics and a strided sample of targets to the host.
Other calls cost one schedule lookup. Only weak references to the last module and its output are
kept.
"""

from __future__ import annotations

import math
import weakref
from typing import Any

import torch

from . import Probe

MAX_CALLS = 32  # loss calls summarised per loss function: the activation steps of a long run (0..32, then
# every 128th) fit, so a bound the outputs never leave is seen over the whole run, at bounded cost
ELEMENT_BUDGET = 65536  # values of one input looked at (as many whole rows as fit): same as the
# monitor's activation sample, so one summary costs about one layer's activation statistics
TARGET_SAMPLE_PER_CALL = 64  # target values kept per call, evenly strided through the batch
TARGET_SAMPLE = 512  # ... and in all: enough to count the classes of a 10- to 100-way problem

# losses that compare input and target element by element (and broadcast them when shapes differ)
ELEMENTWISE_LOSSES = (
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "poisson_nll_loss",
    "kl_div",
    "soft_margin_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
)


class LossInputsProbe(Probe):
    """Summaries of the training loss calls' inputs and targets, as structure["loss_inputs"]."""

    name = "loss-inputs"

    def __init__(self, context) -> None:
        super().__init__(context)
        self._summaries: dict[str, dict[str, Any]] = {}
        self._last_output: weakref.ref | None = None
        self._last_module: weakref.ref | None = None
        self._changed = False

    def on_forward(self, module: torch.nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        # the last leaf module to run before a loss call produced (or fed) the loss input
        self._last_output = weakref.ref(output)
        self._last_module = weakref.ref(module)

    def on_loss_call(
        self, name: str, input: torch.Tensor, target: Any, kwargs: dict[str, Any], phase: str
    ) -> None:
        if phase != "train" or not self.context.schedule.sample_activations(self.context.step):
            return
        summary = self._summaries.get(name)
        if summary is not None and summary["calls"] >= MAX_CALLS:
            return
        if summary is None:
            summary = self._summaries[name] = _new_summary(input, target, self.context.step)
        self._add_call(summary, name, input, target if isinstance(target, torch.Tensor) else None)
        self._changed = True

    def on_flush(self, step: int) -> None:
        self._emit()

    def on_finish(self, status: str) -> None:
        self._emit()

    def _emit(self) -> None:
        if self._changed:
            self._changed = False
            self.context.emit([{"kind": "structure", "data": {"loss_inputs": _copy(self._summaries)}}])

    def _add_call(
        self, summary: dict[str, Any], name: str, input: torch.Tensor, target: torch.Tensor | None
    ) -> None:
        step = self.context.step
        summary["calls"] += 1
        summary["last_step"] = step
        if summary.get("producer") is None:
            summary["producer"] = self._producer(input)
        if target is not None and name in ELEMENTWISE_LOSSES and "broadcast" not in summary:
            broadcast = _broadcast_shape(input.shape, target.shape)
            if broadcast is not None and math.prod(broadcast) > max(input.numel(), target.numel()):
                summary["broadcast"] = {
                    "input_shape": list(input.shape),
                    "target_shape": list(target.shape),
                    "broadcast_shape": list(broadcast),
                    "step": step,
                }
        with torch.no_grad():
            values = _statistics(input.detach(), None if target is None else target.detach())
        _merge(summary, values)

    def _producer(self, input: torch.Tensor) -> dict[str, Any] | None:
        """The leaf module whose output (or a view of it) is the loss input; else the last one that ran."""
        module = self._last_module() if self._last_module is not None else None
        if module is None:
            return None
        output = self._last_output() if self._last_output is not None else None  # freed: not the input
        direct = output is not None and (input is output or input._base is output)
        return {"module": self.context.module_name(module), "type": type(module).__name__, "direct": direct}


def _new_summary(input: torch.Tensor, target: Any, step: int) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "calls": 0,
        "first_step": step,
        "input_shape": list(input.shape),
        "input_rows": 0,
        "input_values": 0,
        "input_zeros": 0,
        "input_min": None,
        "input_max": None,
        "row_sum_deviation": None,  # max |sum over dim 1 - 1|: 0 for probability rows
        "row_logsumexp_deviation": None,  # max |logsumexp over dim 1|: 0 for log-probability rows
        "producer": None,
    }
    if isinstance(target, torch.Tensor):
        summary |= {
            "target_shape": list(target.shape),
            "target_dtype": str(target.dtype).replace("torch.", ""),
            "target_values": 0,
            "target_min": None,
            "target_max": None,
            "target_integer": True,  # every target value seen is a whole number
            "target_row_sum_deviation": None,  # for float targets with a class dimension
            "target_sample": [],
        }
    return summary


def _statistics(input: torch.Tensor, target: torch.Tensor | None) -> dict[str, Any]:
    """One call's statistics, brought to the host in one transfer."""
    rows = _rows(input)
    values: dict[str, Any] = {"input_rows": rows if input.dim() > 0 else 1}
    x = input[:rows].float() if input.dim() > 0 else input.reshape(1).float()
    finite = torch.isfinite(x)
    parts = {  # 0-d tensors, stacked as floats
        "input_values": finite.sum(),
        "input_zeros": (x == 0).sum(),
        "input_min": torch.where(finite, x, math.inf).min(),
        "input_max": torch.where(finite, x, -math.inf).max(),
    }
    has_classes = x.dim() >= 2 and x.shape[1] >= 2
    if has_classes:
        parts["row_sum_deviation"] = (x.sum(dim=1) - 1).abs().max()
        parts["row_logsumexp_deviation"] = torch.logsumexp(x, dim=1).abs().max()
    sample = []  # a strided sample of the targets, sent along
    if target is not None and target.numel() > 0:
        t = target[: _rows(target)].float() if target.dim() > 0 else target.reshape(1).float()
        if target.is_floating_point():  # integer targets are all finite
            t = t[torch.isfinite(t)]
        if t.numel():
            values["target_values"] = t.numel()
            parts["target_min"], parts["target_max"] = torch.aminmax(t)
            parts["target_integer"] = (t == t.round()).all()
            flat = target.reshape(-1)
            stride = max(1, flat.numel() // TARGET_SAMPLE_PER_CALL)
            sample = [flat[::stride][:TARGET_SAMPLE_PER_CALL].float()]
        if target.is_floating_point() and target.dim() >= 2 and target.shape[1] >= 2 and has_classes:
            rows_t = target[: _rows(target)].float()
            parts["target_row_sum_deviation"] = (rows_t.sum(dim=1) - 1).abs().max()
    host = torch.cat([torch.stack(list(parts.values())), *sample]).tolist()
    values.update(zip(parts, host))
    if "target_values" in values:
        values["target_sample"] = host[len(parts) :]
    return values


def _rows(tensor: torch.Tensor) -> int:
    """How many leading rows of a batch fit in the element budget (at least one)."""
    if tensor.dim() == 0:
        return 1
    per_row = max(1, math.prod(tensor.shape[1:]))
    return max(1, min(tensor.shape[0], ELEMENT_BUDGET // per_row))


def _merge(summary: dict[str, Any], values: dict[str, Any]) -> None:
    """Fold one call's statistics into the running summary (sums, extremes, a bounded sample)."""
    for key in ("input_rows", "input_values", "input_zeros", "target_values"):
        if key in values and key in summary:
            summary[key] += int(values[key])
    for key in ("input_min", "target_min"):
        summary[key] = _extreme(min, summary.get(key), values.get(key))
    for key in ("input_max", "row_sum_deviation", "row_logsumexp_deviation", "target_max"):
        summary[key] = _extreme(max, summary.get(key), values.get(key))
    if "target_row_sum_deviation" in summary:
        summary["target_row_sum_deviation"] = _extreme(
            max, summary["target_row_sum_deviation"], values.get("target_row_sum_deviation")
        )
    if "target_integer" in values:
        summary["target_integer"] = summary["target_integer"] and values["target_integer"] == 1.0
    if "target_sample" in values:
        room = TARGET_SAMPLE - len(summary["target_sample"])
        summary["target_sample"].extend(v for v in values["target_sample"][:room] if math.isfinite(v))


def _extreme(pick, old: float | None, new: float | None) -> float | None:
    """min or max of two values, ignoring missing and non-finite ones (JSON has no Inf/NaN)."""
    candidates = [v for v in (old, new) if v is not None and math.isfinite(v)]
    return pick(candidates) if candidates else None


def _broadcast_shape(a: torch.Size, b: torch.Size) -> tuple[int, ...] | None:
    try:
        return tuple(torch.broadcast_shapes(a, b))
    except RuntimeError:
        return None


def _copy(summaries: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A snapshot for the store: later calls keep updating the probe's own summaries."""
    return {
        name: {
            k: (list(v) if isinstance(v, list) else dict(v) if isinstance(v, dict) else v)
            for k, v in s.items()
        }
        for name, s in summaries.items()
    }
