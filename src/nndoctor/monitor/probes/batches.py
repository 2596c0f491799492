"""The batch probe: profiles sampled training batches and validation inputs during a live run.

On sampled steps it keeps a reference to the input of the top-level model while it trains, and pairs
it with the target of the training loss call that follows (`on_loss_call`, also called when the loss
raises, so a crash on bad labels is still profiled). Validation inputs (the model running in eval mode
or without gradients) are taken up to a bounded number of rows. Everything goes to `data.live.LiveData`,
whose records ("data_profile", "live_data") the data checks read; they are written at doubling flush
intervals (a killed run leaves one) and at the end, when the label-noise probe runs once.
"""

from __future__ import annotations

import itertools
from typing import Any

import torch

from ...data.api import INPUT_KEYS
from ...data.labels import MISSING_EXTRA, run_fits_labels
from ...data.live import LiveData
from ...loss_kinds import BINARY_LOSSES, CLASS_SCORE_LOSSES
from . import Probe

SPARSE_EVERY = 256  # after the dense start: data statistics want many batches, not neighbouring ones, and
# profiling a batch (hashes, moments) costs about three training steps of a small model


class BatchProbe(Probe):
    name = "batches"

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._data = LiveData()
        if context.joined_late:
            self._data.join_mid_pass()
        self._model: int | None = None  # id of the model whose inputs are the data (the first one seen)
        self._pending: torch.Tensor | None = None  # a sampled training input waiting for its loss call
        self._pending_companions: list[torch.Tensor] = []  # the model's further inputs of one row per sample
        self._pending_step = 0
        self._flushes = 0
        self._written_rows = 0

    def on_model_input(self, model: torch.nn.Module, args: tuple, kwargs: dict[str, Any]) -> None:
        if self._model is None:
            self._model = id(model)
        elif id(model) != self._model:
            return  # a second model (a GAN's other player, a frozen teacher): its inputs are not the data
        if model.training and torch.is_grad_enabled():
            step = self.context.step
            if not self._profiles(step) or not self._data.wants_train():
                return
            self._profile_pending(None)  # an input whose loss was never seen: profiled without targets
            self._pending, self._pending_step = model_input(args, kwargs), step
            self._pending_companions = companion_inputs(args, kwargs, self._pending)
        elif self._data.wants_val():
            inputs = model_input(args, kwargs)
            if inputs is not None:
                self._data.add_val(inputs, companion_inputs(args, kwargs, inputs))

    def _profiles(self, step: int) -> bool:
        """Every step of the dense start and after an anomaly, then one step in SPARSE_EVERY (times the
        schedule's stretch when the monitor thins out its sampling)."""
        schedule = self.context.schedule
        sparse = SPARSE_EVERY * schedule.stretch
        return schedule.in_dense_start(step) or (step - schedule.origin) % sparse == 0

    def before_loss_call(self, name: str, input: torch.Tensor, target: Any, kwargs: dict[str, Any]) -> None:
        """The pending batch is profiled with its targets before the loss runs on them: on a GPU a label
        out of range fails the loss kernel, and with it every later read of the device."""
        self._take_targets(name, target, kwargs)

    def on_loss_call(
        self, name: str, input: torch.Tensor, target: Any, kwargs: dict[str, Any], phase: str
    ) -> None:
        if phase != "train":
            return
        if f"train:{name}" not in self.context.structure.get("loss_functions", {}):
            # the monitor records a call before the probes see it: this one raised (e.g. on its labels)
            self._data.failed_loss_call = {"name": name, "input_shape": list(input.shape)}
        self._take_targets(name, target, kwargs)

    def _take_targets(self, name: str, target: Any, kwargs: dict[str, Any]) -> None:
        if self._pending is None:
            return
        weighted = kwargs.get("weight") is not None or kwargs.get("pos_weight") is not None
        self._data.weighted_loss = self._data.weighted_loss or weighted
        self._profile_pending(target if isinstance(target, torch.Tensor) else None, name)

    def on_flush(self, step: int) -> None:
        self._flushes += 1
        # doubling intervals: a killed run still leaves a profile, a long one writes it O(log steps) times
        if self._flushes & (self._flushes - 1) == 0 and self._data.train_rows > self._written_rows:
            self._written_rows = self._data.train_rows
            self.context.emit(self._data.records())

    def on_finish(self, status: str) -> None:
        if self.context.device_failed:
            self._pending = None  # on a device that failed: it cannot be read, the batches before it can
        self._profile_pending(None)
        self._data.profile_buffered()
        if not self._data.train.rows and not self._data.val.rows:
            return
        fits = self._fits_labels()
        records = self._data.records(check_labels=not self._token_ids() and fits is None)
        self.context.emit(records)
        if fits is not None and self._data.train.rows:
            self.context.emit([{"kind": "structure", "data": {"label_check": {"skipped": fits}}}])
        profile = next((r["data"]["data_profile"] for r in records if "data_profile" in r["data"]), None)
        noise = (profile or {}).get("label_noise") or {}
        if noise.get("skipped") == MISSING_EXTRA:
            self.context.emit([{"kind": "structure", "data": {"label_check": {"note": MISSING_EXTRA}}}])
        elif "seconds" in noise:
            self.context.emit([{"kind": "structure", "data": {"label_check": {"seconds": noise["seconds"]}}}])

    def _profile_pending(self, target: torch.Tensor | None, loss: str | None = None) -> None:
        inputs, self._pending = self._pending, None
        if inputs is None:
            return
        if target is not None and (target.dim() == 0 or target.shape[0] != inputs.shape[0]):
            target = None  # not one target per sample: the inputs are profiled alone
        companions, self._pending_companions = self._pending_companions, []
        # brought to the host there
        self._data.add_train(inputs, target, step=self._pending_step, loss=loss, companions=companions)

    def _fits_labels(self) -> str | None:
        """Why the label check can be spared (see `run_fits_labels`), or None."""
        classes = 0
        for info in self.context.structure.get("loss_functions", {}).values():
            shape = info.get("input_shape") or []
            if info.get("phase") != "train":
                continue
            if info["name"] in CLASS_SCORE_LOSSES and len(shape) >= 2:
                classes = shape[1]
            elif info["name"] in BINARY_LOSSES:
                classes = 2
        _, train_loss = self.context.series("loss")
        _, val_loss = self.context.series("val_loss")
        return run_fits_labels(train_loss, val_loss, classes)

    def _token_ids(self) -> bool:
        """Integer inputs to an embedding: a linear probe on token ids says nothing about the labels."""
        modules = self.context.structure.get("modules", [])
        dtype = self._data.train.input_dtype
        integer = dtype is not None and dtype.kind in "iu"
        return integer and any(m.get("type") in ("Embedding", "EmbeddingBag") for m in modules)


def model_input(args: tuple, kwargs: dict[str, Any]) -> torch.Tensor | None:
    """The tensor that carries the samples of a forward call.

    The first positional tensor of floats or integers; else a keyword argument named like an input
    (input_ids, x, pixel_values, ...), else the first keyword tensor; a dict or tuple passed as the first
    argument (a dict batch from a custom Dataset) is looked into the same way. Skipped: boolean tensors
    (masks), 0-d tensors, and every further argument (attention masks, lengths, hidden states): one
    tensor is profiled per batch.
    """
    # lazily: the first positional argument is the input of most calls
    candidates = itertools.chain(args, (kwargs[k] for k in INPUT_KEYS if k in kwargs), kwargs.values())
    for candidate in candidates:
        if isinstance(candidate, dict):
            candidate = model_input((), candidate)
        elif isinstance(candidate, (tuple, list)) and candidate:
            candidate = model_input(tuple(candidate), {})
        if _is_sample_tensor(candidate):
            return candidate
    return None


def companion_inputs(args: tuple, kwargs: dict[str, Any], primary: torch.Tensor | None) -> list[torch.Tensor]:
    """The forward call's other tensors of one row per sample (item ids beside user ids, a mask), looked
    for as `model_input` looks (a dict or tuple first argument is opened)."""
    if primary is None:
        return []
    found: list[torch.Tensor] = []
    for value in itertools.chain(args, kwargs.values()):
        if isinstance(value, dict):
            values = list(value.values())
        elif isinstance(value, (tuple, list)):
            values = list(value)
        else:
            values = [value]
        found += [
            v
            for v in values
            if isinstance(v, torch.Tensor)
            and v is not primary
            and v.dim() >= 1
            and v.shape[0] == primary.shape[0]
            and not v.is_complex()
        ]
    return found


def _is_sample_tensor(value: Any) -> bool:
    return (
        isinstance(value, torch.Tensor)
        and value.dim() >= 1
        and value.numel() > 0
        and value.dtype != torch.bool
        and not value.is_complex()
    )
