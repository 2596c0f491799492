"""Weight scales at the start, and which activation follows each layer: what the bad-init check reads.

On the first activation-sampled forward pass (before the first optimizer step) the probe notes the leaf
modules in the order they run. An activation module (nn.ReLU, nn.Tanh, ...) after a weight layer names
its activation. A functional one (torch.relu, F.gelu, torch.tanh) is not a module: when a weight layer
follows another directly, the probe replays the second layer on each candidate activation of the first
one's output and keeps the candidate that reproduces the output seen (exact up to float rounding). When
nothing reproduces it (a residual sum, a pooling, a reshape with a different layout), the activation is
"unknown" and the check then judges the layer against every scheme.

During the same pass it summarises each weight layer's output per unit (a feature of a linear layer, a
channel of a convolution) with the layer's bias taken out: what the pre-activation is without the bias,
so that the bias can be judged against the spread it is added to. It also notes how much each layer's
output varies from sample to sample: after a zero matrix in a plain chain it does not vary at all, after
a zeroed residual branch it does (the skip path carries the input around it).

At the first optimizer step it records, per weight matrix of the primary optimizer: module type, fan-in
and fan-out, std, mean, whether every entry is equal, the activation after it and whether a
normalisation layer comes first (which makes the weight scale irrelevant); the relative sample spread of
the next weight layer's output; and, for a layer with a bias before an activation with a flat zone
(ReLU's negative side, the tails of tanh and sigmoid, ...), the bias's range, the pre-activation's std
without it, and how many units the bias alone puts in that zone. One structure record, `weights`, holds
the table.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from . import Probe
from .units import SATURATION_SLOPE

WEIGHT_TYPES = (nn.Linear, nn.Bilinear, nn.modules.conv._ConvNd)  # leaf layers whose output shows the next
NORMALISATION_TYPES = (
    nn.modules.batchnorm._NormBase,
    nn.LayerNorm,
    nn.GroupNorm,
    *((nn.RMSNorm,) if hasattr(nn, "RMSNorm") else ()),
)
PASS_THROUGH_TYPES = (  # leaves between a layer and its activation that keep the activation's identity
    nn.modules.dropout._DropoutNd,
    nn.Identity,
    nn.Flatten,
    nn.Unflatten,
    nn.modules.pooling._MaxPoolNd,
    nn.modules.pooling._AvgPoolNd,
    nn.modules.pooling._AdaptiveAvgPoolNd,
    nn.modules.pooling._AdaptiveMaxPoolNd,
)
ACTIVATION_MODULES = {
    nn.ReLU: "relu",
    nn.ReLU6: "relu",
    nn.LeakyReLU: "leaky_relu",
    nn.PReLU: "leaky_relu",
    nn.RReLU: "leaky_relu",
    nn.ELU: "elu",
    nn.CELU: "elu",
    nn.GELU: "gelu",
    nn.SiLU: "silu",
    nn.Mish: "silu",
    nn.Hardswish: "silu",
    nn.Softplus: "softplus",
    nn.SELU: "selu",
    nn.Tanh: "tanh",
    nn.Hardtanh: "tanh",
    nn.Softsign: "tanh",
    nn.Sigmoid: "sigmoid",
    nn.Hardsigmoid: "sigmoid",
    nn.Softmax: "output",
    nn.LogSoftmax: "output",
}
RECURRENT_ACTIVATION = "tanh"  # nn.RNN/LSTM/GRU gate with sigmoid and tanh inside the module
# functional activations tried on a layer's output
CANDIDATES = {
    "relu": F.relu,
    "gelu": F.gelu,
    "silu": F.silu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "selu": F.selu,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "identity": lambda z: z,
}
MATCH_TOLERANCE = 1e-4  # relative error of a replayed output: float32 rounding gives ~1e-6
REPLAY_ROWS = 256  # samples of the batch replayed: enough to tell candidates apart, cheap on any model
# activations whose slope goes flat on one side or both: a bias can push a unit there. Leaky ReLU keeps a
# slope by design, SELU and the identity have no flat side.
ZONED_ACTIVATIONS = ("relu", "gelu", "silu", "elu", "softplus", "tanh", "sigmoid")
# ReLU outputs exactly 0 and no gradient below 0: a unit is off when it never fires (as dead-relu counts
# it). The smooth ones only get close to flat: a unit is off when its typical pre-activation (its mean
# over the batch) is in the flat zone, i.e. about half its outputs or more (as saturated-activations counts).
ZONE_BY_PEAK = ("relu",)


@dataclass(frozen=True)
class OutputSummary:
    """One weight layer's output at the first forward pass, per unit, with its bias taken out."""

    bias: torch.Tensor | None  # per unit, as applied in that pass (None: the layer has none)
    peak: torch.Tensor  # the largest pre-activation without the bias, over samples and positions
    mean: torch.Tensor
    square: torch.Tensor  # mean of its square
    sample_spread: torch.Tensor  # std across samples over the output's rms: 0 when the input is lost


class WeightsProbe(Probe):
    name = "weights"

    def __init__(self, context) -> None:
        super().__init__(context)
        self._watching = True  # until the first pass ends: later forwards cost one attribute read
        self._order: list[tuple[str, str]] = []  # (module name, kind) of each leaf, first pass only
        self._seen: set[int] = set()
        self._previous: tuple[str, torch.Tensor] | None = None  # the last weight layer's output, cloned
        self._inferred: dict[str, list[str]] = {}  # weight layer -> candidates that reproduce the next one
        self._summaries: dict[str, OutputSummary] = {}  # weight layer -> its first output, summarised

    def on_forward(self, module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        if not self._watching:
            return
        kind = _leaf_kind(module)
        if kind == "weight" and id(module) in self._seen:  # a layer runs again: the first pass is over
            self._end_first_pass()
            return
        self._seen.add(id(module))  # activation modules are often shared (one self.relu used throughout)
        name = self.context.module_name(module)
        if kind == "weight" and self._previous is not None and self._order and self._order[-1][1] == "weight":
            matches = _matching_activations(self._previous[1], module, output)
            if matches:
                self._inferred[self._previous[0]] = matches
        self._order.append((name, kind))
        if kind == "weight":
            with torch.no_grad():
                self._previous = (name, output.detach()[:REPLAY_ROWS].clone())  # an in-place op may follow
            summary = _summarise_output(module, output)
            if summary is not None:
                self._summaries[name] = summary

    def on_start(self, optimizer: torch.optim.Optimizer) -> None:
        self._end_first_pass()
        following = _following_activations(self._order, self._inferred)
        forward_position = {name: index for index, (name, _) in enumerate(self._order)}
        next_layer = _next_weight_layers(self._order)
        owners = _owners(self.context.roots())
        rows, tensors, measures = [], [], []
        for name, param in zip(self.context.param_names, self.context.params):
            module = owners.get(id(param))
            if module is None or param.dim() < 2:
                continue
            module_name = self.context.module_name(module)
            fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(param)
            after = following.get(module_name, {})
            activation = after.get("activation")
            if isinstance(module, nn.RNNBase):
                activation = RECURRENT_ACTIVATION
            rows.append(
                {
                    "name": name,
                    "module": module_name,
                    "type": type(module).__name__,
                    "shape": list(param.shape),
                    "fan_in": int(fan_in),
                    "fan_out": int(fan_out),
                    "activation": activation or "unknown",
                    "inferred": bool(after.get("inferred")),
                    "normalized": bool(after.get("normalized")),
                    "forward_index": forward_position.get(module_name),
                }
            )
            if isinstance(module, nn.RNNBase):  # its default init is scaled by the hidden size
                rows[-1]["hidden_size"] = module.hidden_size
            tensors.append(param.detach())
            following_summary = self._summaries.get(next_layer.get(module_name, ""))
            if following_summary is not None:
                measures.append((rows[-1], "next_sample_spread", following_summary.sample_spread))
            summary = self._summaries.get(module_name)
            biased = summary is not None and summary.bias is not None
            # a normalisation layer after it takes the bias back out
            if biased and activation in ZONED_ACTIVATIONS and not after.get("normalized"):
                rows[-1]["bias"] = {"units": summary.bias.numel()}
                measures.append((rows[-1], "bias", _bias_measures(summary, activation)))
        if not rows:
            return
        with torch.no_grad():
            stats = torch.stack(
                [torch.stack([_spread(t), t.float().mean(), t.amax() - t.amin()]) for t in tensors]
            ).tolist()  # one transfer, once per run
        for row, (std, mean, spread) in zip(rows, stats):
            row.update(std=std, mean=mean, constant=spread == 0.0)
        _add_measures(measures)
        self._summaries.clear()
        self.context.emit([{"kind": "structure", "data": {"weights": rows}}])

    def _end_first_pass(self) -> None:
        self._watching = False
        self._previous = None
        self._seen.clear()


BIAS_FIELDS = ("mean", "min", "max", "preact_std", "silenced", "silenced_bias")  # what _bias_measures gives


def _add_measures(measures: list[tuple[dict, str, torch.Tensor]]) -> None:
    """Brings the first pass's measures to the host in one transfer and puts them in their rows."""
    if not measures:
        return
    device = measures[0][2].device
    values = torch.cat([tensor.reshape(-1).float().to(device) for _, _, tensor in measures]).tolist()
    position = 0
    for row, key, tensor in measures:
        count = tensor.numel()
        part = [value if math.isfinite(value) else None for value in values[position : position + count]]
        position += count
        if key == "bias":
            row["bias"].update(zip(BIAS_FIELDS, part))
        else:
            row[key] = part[0]


def _summarise_output(module: nn.Module, output: torch.Tensor) -> OutputSummary | None:
    """Per unit of a batched output: the pre-activation without the bias (peak, mean, mean square), and
    how much the output varies across samples; on the device, no transfer."""
    channel_first = isinstance(module, nn.modules.conv._ConvNd)
    if output.dim() < 2 or (channel_first and output.dim() != module.weight.dim()):
        return None  # unbatched: no samples to compare
    with torch.no_grad():
        values = output.detach()[:REPLAY_ROWS].float()
        unit_dim = 1 if channel_first else values.dim() - 1
        # one row per sample and position, one column per unit
        per_unit = values.movedim(unit_dim, -1).reshape(-1, values.shape[unit_dim])
        bias = getattr(module, "bias", None)
        bias = bias.detach().float() if isinstance(bias, torch.Tensor) else None
        if bias is not None and bias.shape == per_unit.shape[1:]:
            per_unit = per_unit - bias
        else:
            bias = None
        rms = values.square().mean().sqrt()
        across_samples = values.var(dim=0).mean().sqrt() if values.shape[0] > 1 else torch.zeros_like(rms)
        return OutputSummary(
            bias=bias,
            peak=per_unit.amax(dim=0),
            mean=per_unit.mean(dim=0),
            square=per_unit.square().mean(dim=0),
            sample_spread=torch.nan_to_num(across_samples / rms),
        )


def _bias_measures(summary: OutputSummary, activation: str) -> torch.Tensor:
    """The bias's mean, min and max; the pre-activation's std without it; how many units the bias puts in
    the activation's flat zone (off with it, not without); their mean bias."""
    bias = summary.bias
    typical = summary.peak if activation in ZONE_BY_PEAK else summary.mean
    low, high = flat_zone(activation)
    off_with = (typical + bias <= low) | (typical + bias >= high)
    off_without = (typical <= low) | (typical >= high)
    silenced = off_with & ~off_without
    preact_variance = summary.square.mean() - summary.mean.mean().square()
    return torch.stack(
        [
            bias.mean(),
            bias.min(),
            bias.max(),
            preact_variance.clamp(min=0).sqrt(),
            silenced.sum().float(),
            (bias * silenced).sum() / silenced.sum(),  # NaN when none; a mask, not an index: no sync
        ]
    )


@functools.cache
def flat_zone(activation: str) -> tuple[float, float]:
    """The pre-activations z where the activation's slope is at most SATURATION_SLOPE of its maximum and
    stays so further out: z <= low or z >= high (-inf or inf on a side that never flattens). ReLU: z <= 0;
    tanh: |z| >= 2.29; sigmoid: |z| >= 4.59."""
    z = torch.linspace(-40, 40, 80001, dtype=torch.float64)
    function = F.softplus if activation == "softplus" else CANDIDATES[activation]
    slope = function(z).diff().abs() / (z[1] - z[0])  # the slope between grid points
    steep = torch.nonzero(slope > SATURATION_SLOPE * slope.max()).flatten()
    first, last = int(steep[0]), int(steep[-1])
    low = round(float(z[first]), 3) if first > 0 else -math.inf  # to the grid's step: ReLU's is 0, not -1e-15
    high = round(float(z[last + 1]), 3) if last < len(slope) - 1 else math.inf
    return low, high


def _leaf_kind(module: nn.Module) -> str:
    if isinstance(module, WEIGHT_TYPES):
        return "weight"
    if isinstance(module, NORMALISATION_TYPES):
        return "norm"
    if isinstance(module, PASS_THROUGH_TYPES):
        return "pass"
    for cls, activation in ACTIVATION_MODULES.items():
        if isinstance(module, cls):
            return activation
    return "other"


def _following_activations(order: list[tuple[str, str]], inferred: dict[str, list[str]]) -> dict[str, dict]:
    """For each weight layer in `order`: the activation after it, whether it was inferred from a
    functional call, and whether a normalisation layer sits between them.

    Near 0, tanh, ELU and the identity agree to float precision, so a layer whose outputs are tiny
    matches several candidates; it takes the activation last told apart before it among those (networks
    repeat one activation), and is "unknown" if there is none.
    """
    result: dict[str, dict[str, Any]] = {}
    last_distinct: str | None = None
    for index, (name, kind) in enumerate(order):
        if kind != "weight":
            continue
        info: dict[str, Any] = {"normalized": False}
        for _, next_kind in order[index + 1 :]:
            if next_kind == "pass":
                continue
            if next_kind == "norm":
                info["normalized"] = True
                continue
            if next_kind == "weight":
                matches = inferred.get(name, [])
                if len(matches) == 1:
                    last_distinct = matches[0]
                chosen = (
                    matches[0] if len(matches) == 1 else last_distinct if last_distinct in matches else None
                )
                if chosen is not None:
                    info.update(activation=chosen, inferred=True)
            elif next_kind != "other":
                info["activation"] = next_kind
            break
        else:  # nothing ran after it: the model's output layer
            info["activation"] = "output"
        result[name] = info
    return result


def _matching_activations(previous: torch.Tensor, module: nn.Module, output: torch.Tensor) -> list[str]:
    """The candidates f for which module(f(previous)) reproduces `output` (none: something else sits
    between the two layers, e.g. a residual sum, a pooling or a reshape)."""
    expected = output.detach()[: previous.shape[0]].float()
    scale = expected.norm()
    if not torch.isfinite(scale) or scale == 0:
        return []
    matches = []
    with torch.no_grad():
        for name, function in CANDIDATES.items():
            try:
                replay = _replay(module, function(previous))
            except RuntimeError:  # shapes do not chain
                return []
            if replay is None or replay.shape != expected.shape:
                return []
            if float((replay.float() - expected).norm() / scale) <= MATCH_TOLERANCE:
                matches.append(name)
    return matches


def _replay(module: nn.Module, inputs: torch.Tensor) -> torch.Tensor | None:
    """The layer's forward without calling the module (which would run the global hooks again)."""
    if isinstance(module, nn.Linear):
        return F.linear(inputs, module.weight, module.bias)
    if isinstance(module, nn.modules.conv._ConvNd) and not isinstance(
        module, nn.modules.conv._ConvTransposeNd
    ):
        return module._conv_forward(inputs, module.weight, module.bias)
    return None


def _next_weight_layers(order: list[tuple[str, str]]) -> dict[str, str]:
    """Each weight layer of the first pass -> the weight layer that ran next."""
    layers = [name for name, kind in order if kind == "weight"]
    return dict(zip(layers, layers[1:]))


def _owners(roots: list[nn.Module]) -> dict[int, nn.Module]:
    """The module that directly holds each parameter."""
    owners: dict[int, nn.Module] = {}
    for root in roots:
        for module in root.modules():
            for param in module.parameters(recurse=False):
                owners.setdefault(id(param), module)
    return owners


def _spread(tensor: torch.Tensor) -> torch.Tensor:
    """The standard deviation; NaN for a single value (without torch's warning into the user's output)."""
    if tensor.numel() > 1:
        return tensor.float().std()
    return torch.full((), float("nan"), device=tensor.device)
