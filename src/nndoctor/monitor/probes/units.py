"""Unit health: ReLU units that never fire, sigmoid/tanh units pinned near their bounds.

On activation-sampled steps (the only steps `on_forward` is called on) the probe accumulates, on the
device and per unit (a feature of a linear layer, a channel of a convolution), whether the unit fired
(output > 0) and how often its output sat where the activation's slope is nearly flat. Every
`WINDOW_STEPS` sampled steps, and at the end of the run, it emits per layer:

- `relu_dead_frac`: the share of units that did not fire once in the window (columns: ReLU layers);
- `saturated_frac`: the share of outputs in the saturated zone (columns: sigmoid/tanh layers);
- `units_window_samples`: how many samples (rows of the batch) the window covered;
and the structure entry `unit_counts` (layer -> units).

Activation modules are seen directly. A functional activation (torch.relu, F.sigmoid, x.tanh(), ...)
is read where the next module takes its output in: its autograd node names it. That covers what
no module shows, e.g. a hand-written recurrent cell `tanh(W_x x + W_h h)`. A unit layer is named after
the weight layers that feed it, with the activation in brackets ("fc1 (relu)", "W_x + W_h (tanh)"): one
activation module is often shared by every layer. Units whose outputs feed back into one of the layers
that feed them (a hand-written recurrent cell) are listed in the structure entry `recurrent_units`.
Recurrent layers (nn.RNN with tanh, nn.LSTM, nn.GRU) are their own units: the monitor hands the probe
their outputs at every time step, read against tanh's bounds ("rnn (tanh)").
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn

from . import Probe

WINDOW_STEPS = 4  # sampled steps (each a whole batch) a unit must stay silent in to count as dead
SATURATION_SLOPE = 0.04  # saturated: the slope is at most 4% of its maximum, the gradient cut 25x or more
# the outputs where that happens: sigmoid slope s(1-s) <= 0.04 * 0.25, tanh slope 1 - y^2 <= 0.04
SIGMOID_MARGIN = (1 - math.sqrt(1 - SATURATION_SLOPE)) / 2  # s <= 0.0101 or s >= 0.9899
TANH_BOUND = math.sqrt(1 - SATURATION_SLOPE)  # |y| >= 0.98
RELU_MODULES = (nn.ReLU, nn.ReLU6)  # units that output exactly 0 below threshold and get no gradient there
# the unit axis of what follows: channels (dim 1) after these, features (last dim) after the others
CHANNEL_FIRST = (nn.modules.conv._ConvNd, nn.modules.batchnorm._BatchNorm, nn.GroupNorm)
FEATURE_LAST = (nn.Linear, nn.Bilinear, nn.LayerNorm)
WEIGHT_LAYERS = (nn.Linear, nn.Bilinear, nn.modules.conv._ConvNd)
# nn.RNN (tanh) outputs its tanh states; nn.LSTM outputs o * tanh(c) and nn.GRU a mix of tanh candidates,
# both in [-1, 1] and near +-1 only when their tanh (and the LSTM's output gate) is flat. Not read: ReLU
# RNNs, and LSTMs with proj_size (their output is a linear map of o * tanh(c), unbounded)
RECURRENT = nn.RNNBase
# the autograd node a functional activation leaves on its output, whatever the spelling
FUNCTIONAL_NODES = {"ReluBackward0": "relu", "SigmoidBackward0": "sigmoid", "TanhBackward0": "tanh"}
SUM_NODES = ("AddBackward0", "SubBackward0")  # weight layers summed before an activation all feed it


class UnitsProbe(Probe):
    name = "units"

    def __init__(self, context) -> None:
        super().__init__(context)
        self._fired: dict[str, torch.Tensor] = {}  # layer -> bool per unit, over the window
        self._saturated: dict[str, torch.Tensor] = {}  # layer -> count of saturated outputs per unit
        self._outputs: dict[str, int] = {}  # layer -> outputs per unit counted in the window
        self._columns: dict[str, list[str]] = {"relu_dead_frac": [], "saturated_frac": []}
        self._unit_counts: dict[str, int] = {}  # layer -> units, for the evidence ("40 of 64 units")
        self._window_step: int | None = None  # the last sampled step seen
        self._window_steps = 0
        self._samples: dict[str, int] = {}  # layer -> samples (batch rows) seen in the window
        self._channel_first = False  # whether the last weight layer was a convolution
        self._feeding = "input"  # the last weight layer seen: it feeds the next activation
        # the autograd nodes of the activation outputs read in this forward: an output taken in by two
        # modules (or an activation module's, by the next one) is one layer's units, counted once
        self._read_nodes: set[Any] = set()
        self._layer_nodes: dict[Any, str] = {}  # autograd node of a weight layer's output -> the layer
        self._recurrent: set[str] = set()

    def on_forward(self, module: nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        step = self.context.step
        if step != self._window_step:
            if self._window_steps == WINDOW_STEPS:
                self._emit_window(step)
            self._window_step = step
            self._window_steps += 1
            self._forget_nodes()
        feeding = self._feeding  # what ran before this module: it fed the functional activations below
        if output.dim() >= 2:
            if isinstance(module, CHANNEL_FIRST + FEATURE_LAST + (RECURRENT,)):
                self._channel_first = isinstance(module, CHANNEL_FIRST)
            activation = self._activation(module)
            if activation is not None:
                unit_dim = 1 if self._channel_first and output.dim() > 2 else output.dim() - 1
                name = f"{self._feeding} ({activation})"
                self._read(name, activation, output, unit_dim, _batch_size(module, output))
                self._read_nodes.add(output.grad_fn)
            elif isinstance(module, WEIGHT_LAYERS) and output.grad_fn is not None:
                self._layer_nodes[output.grad_fn] = self._feeding
        for value in inputs:
            if isinstance(value, torch.Tensor):
                self._read_functional(module, value, feeding)

    def on_step(self, step: int, optimizer: torch.optim.Optimizer) -> None:
        self._forget_nodes()  # the forward is over: its graph is not held past the step

    def on_finish(self, status: str) -> None:
        self._forget_nodes()
        if self._window_steps:
            self._emit_window(self.context.step)

    def _read_functional(self, module: nn.Module, value: torch.Tensor, feeding: str) -> None:
        """An input of `module` that a functional activation produced: that activation's units."""
        node = value.grad_fn
        activation = FUNCTIONAL_NODES.get(type(node).__name__) if node is not None else None
        if activation is None or value.dim() < 2 or node in self._read_nodes:
            return
        self._read_nodes.add(node)
        producers = self._producers(node) or [feeding]
        name = f"{' + '.join(producers)} ({activation})"
        unit_dim = 1 if isinstance(module, CHANNEL_FIRST) and value.dim() > 2 else value.dim() - 1
        self._read(name, activation, value, unit_dim, value.shape[0])
        if self.context.module_name(module) in producers and name not in self._recurrent:
            self._recurrent.add(name)  # its output feeds back into a layer that feeds it
            self.context.emit([{"kind": "structure", "data": {"recurrent_units": sorted(self._recurrent)}}])

    def _producers(self, node: Any) -> list[str]:
        """The weight layers whose outputs the activation at `node` took in, directly or summed."""
        names, pending = [], [edge for edge, _ in node.next_functions]
        while pending:
            source = pending.pop(0)
            if source in self._layer_nodes:
                names.append(self._layer_nodes[source])
            elif source is not None and type(source).__name__ in SUM_NODES:
                pending += [edge for edge, _ in source.next_functions]
        return sorted(set(names), key=names.index)

    def _forget_nodes(self) -> None:
        self._read_nodes.clear()
        self._layer_nodes.clear()

    def _read(self, name: str, activation: str, output: torch.Tensor, unit_dim: int, samples: int) -> None:
        with torch.no_grad():
            values = output.detach().movedim(unit_dim, -1).reshape(-1, output.shape[unit_dim])
            if activation == "relu":
                self._add_firing(name, values)
            else:
                self._add_saturation(name, values, activation)
        self._samples[name] = self._samples.get(name, 0) + samples

    def _activation(self, module: nn.Module) -> str | None:
        """The activation whose units `module`'s output shows, if any; a weight or recurrent layer becomes
        `_feeding`, the layer the next activation is named after."""
        if isinstance(module, RELU_MODULES):
            return "relu"
        if isinstance(module, nn.Sigmoid):
            return "sigmoid"
        if isinstance(module, nn.Tanh):
            return "tanh"
        if (
            isinstance(module, RECURRENT)
            and module.mode != "RNN_RELU"
            and not getattr(module, "proj_size", 0)
        ):
            self._feeding = self.context.module_name(module)
            return "tanh"
        if isinstance(module, WEIGHT_LAYERS):
            self._feeding = self.context.module_name(module)
        return None

    def _add_firing(self, name: str, values: torch.Tensor) -> None:
        fired = (values > 0).any(dim=0)
        previous = self._fired.get(name)
        self._fired[name] = fired if previous is None or previous.shape != fired.shape else previous | fired

    def _add_saturation(self, name: str, values: torch.Tensor, activation: str) -> None:
        if activation == "sigmoid":
            saturated = (values <= SIGMOID_MARGIN) | (values >= 1 - SIGMOID_MARGIN)
        else:
            saturated = values.abs() >= TANH_BOUND
        count = saturated.sum(dim=0)
        previous = self._saturated.get(name)
        if previous is None or previous.shape != count.shape:
            self._saturated[name], self._outputs[name] = count, 0
        else:
            self._saturated[name] = previous + count
        self._outputs[name] += values.shape[0]

    def _emit_window(self, step: int) -> None:
        """One row per series for the window that ends now; then a fresh window."""
        if self._fired:
            dead = {name: (~fired).float().mean() for name, fired in self._fired.items()}
            self._emit_row("relu_dead_frac", step, dead)
        if self._saturated:
            shares = {
                name: count.sum().float() / max(1, self._outputs[name] * count.numel())
                for name, count in self._saturated.items()
            }
            self._emit_row("saturated_frac", step, shares)
        if self._fired or self._saturated:
            self.context.add_scalar("units_window_samples", step, float(max(self._samples.values())))
        self._fired, self._saturated, self._outputs, self._samples = {}, {}, {}, {}
        self._window_steps = 0

    def _emit_row(self, series: str, step: int, values: dict[str, torch.Tensor]) -> None:
        columns = self._columns[series]
        new = [name for name in values if name not in columns]
        if new:
            columns.extend(new)
            counts = self._fired if series == "relu_dead_frac" else self._saturated
            self._unit_counts.update({name: int(counts[name].numel()) for name in new})
            self.context.emit(
                [
                    {"kind": "columns", "name": series, "names": list(columns)},
                    {"kind": "structure", "data": {"unit_counts": dict(self._unit_counts)}},
                ]
            )
        missing = torch.full((), float("nan"), device=next(iter(values.values())).device)
        row = torch.stack([values.get(name, missing) for name in columns])
        self.context.add_vector(series, step, row)


def _batch_size(module: nn.Module, output: torch.Tensor) -> int:
    """Samples in the batch: (sequence, batch, units) or (batch, sequence, units) for recurrent layers;
    a packed sequence's flat (steps, units) counts every step."""
    if isinstance(module, RECURRENT) and output.dim() == 3:
        return output.shape[0 if module.batch_first else 1]
    return output.shape[0]
