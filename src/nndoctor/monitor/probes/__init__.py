"""Probes: the signals added to the monitor's core, one module each.

The core monitor (monitor.py) records the loss, learning rate, gradients, updates and activation
statistics. Everything else a check needs (weight scales at the start, units that never fire, what the
loss is called on, whether gradients are reset, the batches themselves) is gathered by a `Probe`: a
class that overrides the moments it needs and emits store records through its `ProbeContext`.

A probe is called inside the monitor's fail-safe: if it raises, it is switched off and the error is
recorded, and training goes on. A probe must not change the script's tensors, draw from its random
generators or iterate its data loaders; it must keep per-step work to a few attribute reads and do its
real work on sampled steps (`context.sampled(step)`), bringing values to the host in batches.

To add one: subclass `Probe`, give it a `name`, and list the class in `PROBES` below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from ..schedule import Schedule

if TYPE_CHECKING:
    from ..monitor import Monitor


class ProbeContext:
    """What a probe may read and do: a narrow view of the monitor."""

    def __init__(self, monitor: Monitor) -> None:
        self._monitor = monitor

    @property
    def step(self) -> int:
        """The number of primary optimizer steps taken so far (the step being prepared)."""
        return self._monitor.step

    @property
    def schedule(self) -> Schedule:
        return self._monitor.schedule

    def sampled(self, step: int) -> bool:
        """Whether costly signals are gathered at this step (dense early, sparse later)."""
        return self._monitor.schedule.sample_gradients(step)

    @property
    def params(self) -> list[torch.nn.Parameter]:
        """The primary optimizer's parameters, in order (empty before its first step)."""
        return self._monitor._params

    @property
    def param_names(self) -> list[str]:
        """Names of `params`, as the model names them."""
        return self._monitor._param_columns

    @property
    def joined_late(self) -> bool:
        """Whether this training's first steps went by before the monitor took it for a new training
        (it does after NEW_TRAINING_STEPS steps of a new optimizer): its data was joined mid-way."""
        return self._monitor.joined_late

    def module_name(self, module: torch.nn.Module) -> str:
        return self._monitor._module_names.get(id(module)) or type(module).__name__

    def is_registered(self, module: torch.nn.Module) -> bool:
        """Whether `module` is a submodule (or is one) of a model seen training: one the model's
        `named_modules()` lists, and so its `parameters()` return."""
        return id(module) in self._monitor._module_names

    def roots(self) -> list[torch.nn.Module]:
        """The top-level models seen training (given to `watch`, or found by their first forward)."""
        return [model for ref in self._monitor._roots.values() if (model := ref()) is not None]

    @property
    def device_failed(self) -> bool:
        """Whether the device failed (see hooks.is_device_failure): tensors on it can no longer be read."""
        return self._monitor.device_failure is not None

    @property
    def structure(self) -> dict[str, Any]:
        """Facts recorded so far (read-only by convention): modules, optimizer, loss functions."""
        return self._monitor.store.structure

    def series(self, name: str) -> tuple[np.ndarray, np.ndarray]:
        """Steps and values of a scalar series ("loss", "val_loss", ...) as flushed so far: the whole
        run by `on_finish`."""
        return self._monitor.store.series(name)

    def emit(self, records: list[dict[str, Any]]) -> None:
        """Store records (see store.py for the kinds); they also go to the events file."""
        self._monitor._emit(records)

    def add_scalar(self, name: str, step: int, value: float | torch.Tensor) -> None:
        """A per-step value, brought to the host at the next flush (pass tensors detached)."""
        self._monitor._pending.add_scalar(name, step, value)

    def add_vector(self, name: str, step: int, values: torch.Tensor) -> None:
        """One value per column of a vector series (emit its `columns` record first)."""
        self._monitor._pending.add_vector(name, step, values)


class Probe:
    """Base class: override only the moments you need (the monitor calls only overridden ones)."""

    name = "probe"  # the fail-safe switches off and reports probes by this name

    def __init__(self, context: ProbeContext) -> None:
        self.context = context

    def on_start(self, optimizer: torch.optim.Optimizer) -> None:
        """The primary optimizer's first step is about to run: parameters and structure are known."""

    def on_step(self, step: int, optimizer: torch.optim.Optimizer) -> None:
        """Before every step of the primary optimizer (gradients of this step are in `.grad`)."""

    def on_backward(self, loss: torch.Tensor) -> None:
        """`backward()` is about to be called on this scalar training loss."""

    def before_loss_call(self, name: str, input: torch.Tensor, target: Any, kwargs: dict[str, Any]) -> None:
        """A torch.nn.functional training loss is about to run (probed steps only)."""

    def on_loss_call(
        self, name: str, input: torch.Tensor, target: Any, kwargs: dict[str, Any], phase: str
    ) -> None:
        """A torch.nn.functional loss was called; `phase` is "train" or "val"."""

    def on_model_input(self, model: torch.nn.Module, args: tuple, kwargs: dict[str, Any]) -> None:
        """A top-level model is about to run forward on these inputs (train or eval, every call)."""

    def on_forward(self, module: torch.nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        """A leaf module produced a floating-point output from `inputs` (its positional arguments), with
        gradients on; activation-sampled steps only."""

    def on_flush(self, step: int) -> None:
        """The monitor is bringing pending values to the host (every 64 steps and at the end)."""

    def on_finish(self, status: str) -> None:
        """The run ended ("completed", "crashed" or "interrupted"); hooks are already removed."""


MOMENTS = (
    "on_start",
    "on_step",
    "on_backward",
    "before_loss_call",
    "on_loss_call",
    "on_model_input",
    "on_forward",
    "on_flush",
    "on_finish",
)


def overrides(probe: Probe, moment: str) -> bool:
    return getattr(type(probe), moment) is not getattr(Probe, moment)


# the probes every monitor runs, in call order
PROBES: list[type[Probe]] = []

from .loss_inputs import LossInputsProbe  # noqa: E402  (after Probe: it subclasses it)

PROBES.append(LossInputsProbe)

from .units import UnitsProbe  # noqa: E402  (after Probe: it subclasses it)
from .weights import WeightsProbe  # noqa: E402

PROBES += [WeightsProbe, UnitsProbe]  # weights first: units reads the activations it inferred

from .loop import LoopProbe  # noqa: E402  (after Probe: it subclasses it)

PROBES.append(LoopProbe)

from .batches import BatchProbe  # noqa: E402  (after Probe: it subclasses it)

PROBES.append(BatchProbe)
