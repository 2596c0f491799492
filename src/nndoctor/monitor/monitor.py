"""The live monitor: global PyTorch hooks that turn a training run into records for the store.

What it sees, without any change to the script:
- the training loss: the scalar every `backward()` is called on (the loss actually minimised);
- validation losses: `torch.nn.functional` loss calls (which the `torch.nn` loss modules use) made
  without gradients;
- each optimizer step (one global optimizer pre-step hook): learning rate, and on sampled steps the
  gradient norm per parameter (before any clipping: `clip_grad_norm_` is observed too) and the
  update-to-weight ratio (read at the next step, from the weights the update left);
- forward activation statistics per leaf module, on sampled steps only: the global module hooks are
  installed for those steps and removed after, so other steps pay nothing for them.

Further signals (weight scales, dead units, loss pairing, loop bugs, batches) come from probes: see
probes/__init__.py.

Cost: a step that samples nothing takes the quick path: the loss wrapper hands back at once, the
backward wrapper holds the loss tensor, and the step hook reads it and the learning rate, keeps both
when the loss passes the jump test in one comparison (jumps.py), and counts the step; the schedule names
the next step that needs more (`_next_event`). In the common loop (one loss function call a step, whose
result backward() runs on, one optimizer) the quick steps run as a window: backward()'s wrapper and the
step hook come out, and the loss call does the step's part alone (see _wrap_loss). On a tiny model every
bytecode there shows in the step time (benchmarks/overhead_instructions.py --bytecodes counts them).
Values reach the host in one transfer per flush. It never draws random numbers, never touches the
user's data loaders, never writes to a tensor the script owns.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
import weakref
from math import inf, isfinite
from typing import Any

import torch
import torch.nn.modules.module as torch_modules
import torch.optim.optimizer as torch_optim

from ..loss_kinds import CLASS_INDEX_LOSSES, COMPARED_INPUTS_LOSSES
from .eventlog import EventLog
from .hooks import HookSet, Probes, error_line
from .jumps import JumpTest
from .pending import PendingSignals
from .probes import MOMENTS, PROBES, Probe, ProbeContext, overrides
from .schedule import Schedule
from .store import Store
from .tensors import dense_values, norms

# torch.nn.functional losses; the torch.nn loss modules call these, so both are seen.
LOSS_FUNCTIONS = (
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "kl_div",
    "poisson_nll_loss",
    "gaussian_nll_loss",
    "soft_margin_loss",
    "multilabel_soft_margin_loss",
    "multi_margin_loss",
    "hinge_embedding_loss",
    "cosine_embedding_loss",
    "margin_ranking_loss",
    "triplet_margin_loss",
    "ctc_loss",
)
ACTIVATION_SAMPLE = 65536  # elements of one layer's output that its statistics are computed on
ACTIVATION_STATS = ("mean", "std", "zero_frac", "nonfinite_frac", "absmax")
# steps between transfers to the host (and writes of the event log), times the schedule's stretch: a
# monitor only thins out its sampling on short steps, so its flushes stay about as far apart in time
FLUSH_EVERY = 64
# After the early phase the monitor keeps its sampling under this share of the run's time (see
# _keep_to_budget): on a tiny model the quick path every step takes ~4% already, and the whole is held
# to 5%
OVERHEAD_BUDGET = 0.005
MAX_STRETCH = 64  # the sparse intervals grow at most 64x (gradients every 4096 steps, activations 8192)
# Another optimizer stepping this often while the primary one rests is a new training (a model
# fine-tuned after the first); a GAN's second player steps between the primary's steps.
NEW_TRAINING_STEPS = 50
# backward() calls held before a step reads them; more (long gradient accumulation) are summed
MAX_HELD_LOSSES = 16
# quick steps in a row at most: then the loss's running statistics (which the quick path only compares
# with, see jumps.py) catch up, so that its jump test is never staler than the sampling of a run whose
# sampling has not thinned out (every_late steps)
QUICK_STEPS_IN_A_ROW = 64


def _NO_MODEL() -> None:  # stands for a dead weak reference: no trained model known
    return None


class Monitor:
    """Watches whatever trains while it is attached. Use `attach()` / `finish()`, or `nndoctor.watch`."""

    def __init__(
        self,
        model: torch.nn.Module | None = None,
        optimizer: torch.optim.Optimizer | None = None,
        *,
        events: str | None = None,
        schedule: Schedule | None = None,
        probes: list[type[Probe]] | None = None,
    ) -> None:
        self.store = Store()
        # a copy: the schedule keeps per-run state (the dense window after an anomaly)
        self.schedule = dataclasses.replace(schedule) if schedule else Schedule()
        self._event_log = EventLog(events) if events else None
        self._hooks = HookSet()
        self._probes = Probes(self._record_internal_error, self._record_device_failure)
        self.device_failure: str | None = None  # the device's own error, once one was met
        self._pending = PendingSignals()
        self._pending_loss, self._pending_lr = self._pending.series("loss"), self._pending.series("lr")
        self._primary_optimizer = weakref.ref(optimizer) if optimizer is not None else None
        self._given_model = model
        self._roots: dict[int, weakref.ref] = {}
        self._module_names: dict[int, str] = {}
        self._param_names: dict[int, str] = {}
        self._params: list[torch.nn.Parameter] = []  # the primary optimizer's parameters, in order
        self._param_columns: list[str] = []
        self.step = 0
        self._train_losses: list[torch.Tensor] = []
        self._val_losses: list[tuple[torch.Tensor, int]] = []
        self._eval_loss: tuple[torch.Tensor, int] | None = None  # a loss taken in eval mode with gradients
        self._loss_functions: dict[str, dict[str, Any]] = {}
        self._last_loss_input: torch.Tensor | None = None
        # rows of the first training loss input: a step whose loss takes other rows (a short last batch,
        # whose loss is noisier) is recorded as "loss_rows"
        self._usual_rows: int | None = None
        self._preclip_total: torch.Tensor | None = None
        self._preclip_layers: torch.Tensor | None = None
        self._snapshot: list[torch.Tensor] | None = None  # parameters before a sampled step's update
        self._snapshot_step = 0
        self._activation_stats: dict[str, torch.Tensor] = {}
        self._activation_columns: list[str] = []
        self._forward_depth = 0
        self._nonfinite_reported = False
        self._jumps = JumpTest()
        # (step, loss, learning rate, loss input shape) of quick steps, which _settle_kept hands on
        self._kept: list[tuple[int, float, Any, torch.Size]] = []
        self._trained_model: Any = _NO_MODEL  # a weak reference to the model the optimizer trains
        # the training loss is one CPU float scalar a step, as the last full step saw: quick steps read
        # it with `.item()` alone
        self._loss_read_quickly = False
        self._losses_on_device = False
        self._in_loss = 0
        self._attached = False
        self._started = 0.0
        self.overhead_s = 0.0
        self._budget_mark: tuple[float, float] | None = None  # (time, overhead_s) when a period began
        self._foreign_steps = 0  # steps of other optimizers since the primary one last stepped:
        self._foreign_since = 0  # the step count when they were counted (it moves when the primary steps)
        self._trainings = 1
        self.joined_late = False  # the training under watch began before the monitor took it as one
        # steps of optimizers that train another model alongside this one (a GAN's other player)
        self._other_player_steps = 0
        self._plays_another_model: dict[int, bool] = {}  # id(optimizer) -> whether it does
        self._start_deferred = False  # the first step came before the model's forward was seen
        self.status: str | None = None
        # whether the current step is one where probes look (gradient- or activation-sampled); _quiet:
        # attached and not probing, the wrappers' quick path
        self._gradients_now = self._probing = True
        self._quiet = False
        # the first step whose preparation needs more than the quick path (the step before it prepares
        # it); 0: the next. Quick steps run while the step count is below _quick_until, which comes at
        # least every QUICK_STEPS_IN_A_ROW steps (see _on_step)
        self._next_event, self._quick_until = 0, -1
        self._train_loss_names: set[str] = set()  # loss functions seen training: their quick path
        # quick windows (see _wrap_loss): the loss function whose one call a step makes the step's loss
        # (backward() runs on its result), as the last step that saw its loss calls showed; None: quick
        # steps need backward()'s wrapper and the step hook
        self._window_loss: str | None = None
        self._in_window = False  # backward()'s wrapper and the step hook are out: the loss call counts
        self._window_group: dict[str, Any] | None = None  # the primary optimizer's first group, meanwhile
        # the training loss calls of this step that took the full path (two at most: one is what counts),
        # and the result of its last loss call of any kind
        self._train_calls: list[tuple[str, torch.Tensor]] = []
        self._last_call: torch.Tensor | None = None
        self._foreign_stepped = False  # another optimizer stepped since the primary one's last step
        self._inputs_watched = True  # model inputs reach the probes (see _watch_inputs)
        context = ProbeContext(self)
        self._extras = [probe(context) for probe in (PROBES if probes is None else probes)]
        self._at: dict[str, list[tuple[str, Any]]] = {}
        self._dispatch_probes()

    # --- lifetime -------------------------------------------------------------------------------
    def attach(self) -> Monitor:
        if self._attached:
            return self
        self._attached, self._in_window = True, False
        self._started = time.perf_counter()
        if self._given_model is not None:
            self._add_root(self._given_model)
        self._hook_steps()
        self._hooks.patch(torch.autograd, "backward", self._wrap_backward)
        for name in LOSS_FUNCTIONS:
            if hasattr(torch.nn.functional, name):
                self._hooks.patch(
                    torch.nn.functional, name, lambda original, n=name: self._wrap_loss(n, original)
                )
        self._hooks.patch(torch.nn.utils, "clip_grad_norm_", self._wrap_clip)
        self._hooks.patch(torch.nn.Module, "load_state_dict", self._wrap_load_state_dict)
        self._install_activation_hooks()
        return self

    def finish(self, status: str = "completed") -> None:
        """Flush what is pending, record the run's end, remove every hook. Safe to call twice."""
        if not self._attached:
            return
        self._attached = self._quiet = self._in_window = False
        self.status = status
        self._hooks.remove_all()
        self._read_update()
        self._probes.guard("validation", self._emit_validation_point)
        self._probes.guard("flush", self._flush)
        began = time.perf_counter()
        self._call("on_finish", status)
        self._probes.guard("flush", self._flush)  # what the probes found at the end
        self.overhead_s += time.perf_counter() - began
        self._emit(
            [
                {
                    "kind": "structure",
                    "data": {
                        "steps": self.step,
                        "status": status,
                        "duration_s": round(time.perf_counter() - self._started, 4),
                        "overhead_s": round(self.overhead_s, 4),
                        "sampling_stretch": self.schedule.stretch,
                        "other_player_steps": self._other_player_steps,
                    },
                }
            ]
        )
        if self._event_log is not None:
            self._event_log.close()

    def _emit(self, records: list[dict[str, Any]]) -> None:
        for record in records:
            self.store.apply(record)
        if self._event_log is not None:
            self._event_log.write(records)

    def _dispatch_probes(self) -> None:
        """Per moment, the bound methods of the enabled probes that override it: a moment nobody
        needs costs nothing, and the hot path makes one call per probe, not three."""
        self._at = {
            moment: [
                (probe.name, getattr(probe, moment))
                for probe in self._extras
                if overrides(probe, moment)
                and (
                    self._probes.enabled(probe.name)
                    # stopped by a failed device, not by its own error: what it holds on the host is sound
                    or (moment == "on_finish" and probe.name in self._probes.stopped_by_device)
                )
            ]
            for moment in MOMENTS
        }

    def _call(self, moment: str, *args: Any) -> None:
        """Call every probe that overrides `moment`; one that raises is switched off, training goes on."""
        for name, method in self._at[moment]:
            try:
                method(*args)
            except Exception as error:  # nndoctor's own failure: never the user's
                self._probes.disable(name, error)
                self._dispatch_probes()

    def _mark_anomaly(self, step: int) -> None:
        """Sample the steps after `step` densely (the current one included, for the probes)."""
        self.schedule.mark_anomaly(step)
        self._decide_sampling()
        self._take_full_step_next()

    def _decide_sampling(self) -> bool:
        """What the current step samples; returns whether it samples activations."""
        schedule, step = self.schedule, self.step
        activations = schedule.sample_activations(step)
        self._gradients_now = schedule.sample_gradients(step)
        self._probing = activations or self._gradients_now
        self._quiet = self._attached and not self._probing
        self._watch_inputs(self._probing)
        return activations

    def _record_internal_error(self, probe: str, error: str, trace: str) -> None:
        if probe == "step":
            self._take_full_step_next()  # no quick path either: steps are no longer followed
        elif probe == "loss":
            self._loss_read_quickly = False  # the quick path reads the loss no more either
            self._window_loss = None
        record = {
            "kind": "event",
            "type": "internal-error",
            "probe": probe,
            "error": error,
            "traceback": trace,
        }
        with contextlib.suppress(Exception):  # the store itself failed: nothing more can be recorded
            self._emit([record])

    def _record_device_failure(self, error: str) -> None:
        """The device failed (met by a probe, or by a flush): recorded once, with the step it was met at."""
        if self.device_failure is None:
            self.device_failure = error
            with contextlib.suppress(Exception):
                self._emit(
                    [{"kind": "structure", "data": {"device_failure": {"step": self.step, "error": error}}}]
                )

    # --- the model's structure ------------------------------------------------------------------
    def _add_root(self, module: torch.nn.Module) -> None:
        if id(module) in self._roots:
            return
        self._roots[id(module)] = weakref.ref(module)
        self._name_modules(module, first=len(self._roots) == 1)
        if self._inputs_watched and self._at["on_model_input"]:
            self._watch_input(module)

    def _watch_inputs(self, on: bool) -> None:
        """Hand the models' inputs to the probes, or stop. A forward pre-hook puts a module's every call
        on PyTorch's slow path, so it is there only on probed steps and through a validation pass."""
        if on == self._inputs_watched or not self._at["on_model_input"]:
            return
        self._inputs_watched = on
        for key, ref in self._roots.items():
            model = ref()
            if on and model is not None:
                self._watch_input(model)
            elif not on:
                self._hooks.remove_handle(f"model-input-{key}")

    def _watch_input(self, model: torch.nn.Module) -> None:
        self._hooks.add_handle(
            f"model-input-{id(model)}",
            model.register_forward_pre_hook(self._on_model_input, with_kwargs=True),
        )

    def _name_modules(self, root: torch.nn.Module, *, first: bool) -> None:
        """Names as the first model names them ("fc1", "fc1.weight"); other models' after their class."""
        prefix = "" if first else f"{type(root).__name__}."
        for name, sub in root.named_modules():
            self._module_names.setdefault(
                id(sub), prefix + name if name else (prefix.rstrip(".") or type(root).__name__)
            )
        for name, param in root.named_parameters():
            self._param_names.setdefault(id(param), prefix + name)

    def _name_trained_model_first(self, optimizer: torch.optim.Optimizer) -> torch.nn.Module | None:
        """The model `optimizer` trains, if it was seen. When another model ran first (a frozen teacher),
        rename so the trained one reads unprefixed."""
        first = next((p for group in optimizer.param_groups for p in group["params"]), None)
        roots = [model for ref in self._roots.values() if (model := ref()) is not None]
        trained = next((r for r in roots if any(p is first for p in r.parameters())), None)
        if trained is None or trained is roots[0]:
            return trained
        self._module_names, self._param_names = {}, {}
        for root in [trained] + [r for r in roots if r is not trained]:
            self._name_modules(root, first=root is trained)
        return trained

    def _on_model_input(self, module: torch.nn.Module, args: tuple, kwargs: dict) -> None:
        if not self._probing and module.training and torch.is_grad_enabled():
            return  # a training forward on a step probes skip (a validation pass kept the hook)
        began = time.perf_counter()
        self._call("on_model_input", module, args, kwargs)
        self.overhead_s += time.perf_counter() - began

    def _describe(self, optimizer: torch.optim.Optimizer) -> dict[str, Any]:
        modules = []
        for ref in self._roots.values():
            root = ref()
            if root is None:
                continue
            for sub in root.modules():
                own = sum(p.numel() for p in sub.parameters(recurse=False))
                info = {
                    "name": self._module_names.get(id(sub), ""),
                    "type": type(sub).__name__,
                    "params": own,
                    "leaf": not any(True for _ in sub.children()),
                    "training": sub.training,
                }
                for attr in (
                    "in_features",
                    "out_features",
                    "in_channels",
                    "out_channels",
                    "hidden_size",
                    "num_embeddings",
                    "embedding_dim",
                    "p",
                    "negative_slope",
                ):
                    value = getattr(sub, attr, None)
                    if isinstance(value, (int, float)) and not isinstance(value, bool):
                        info[attr] = value
                modules.append(info)
        in_optimizer = {id(p) for p in self._params}
        trainable_outside = [
            self._param_names.get(id(p), "?")
            for ref in self._roots.values()
            if ref() is not None
            for p in ref().parameters()
            if p.requires_grad and id(p) not in in_optimizer
        ][:50]
        groups = [
            {k: _plain(v) for k, v in group.items() if k != "params"} | {"num_params": len(group["params"])}
            for group in optimizer.param_groups
        ]
        params = [
            {"name": name, "shape": list(p.shape), "numel": p.numel(), "requires_grad": p.requires_grad}
            for name, p in zip(self._param_columns, self._params)
        ]
        return {
            "modules": modules,
            "params": params,
            "params_not_in_optimizer": trainable_outside,
            "optimizer": {"type": type(optimizer).__name__, "groups": groups},
            "device": str(self._params[0].device) if self._params else "cpu",
        }

    # --- optimizer steps ---------------------------------------------------------------------
    def _on_step(self, optimizer: torch.optim.Optimizer, args: Any, kwargs: Any) -> None:
        """Before each optimizer step. Most steps of a long run sample nothing, flush nothing and see no
        validation: they take the quick path (the loss, the learning rate, the count), inline here and
        untimed, because on a tiny model's step of a few hundred lines of Python every call and line
        here shows; the time budget governs the sampling, which the full path does, timed. The step is
        counted here, not after it: one hook per step, not two."""
        step = self.step
        if step < self._quick_until and self._primary_optimizer() is optimizer:
            try:
                losses = self._train_losses
                lr = optimizer.param_groups[0].get("lr")
                if len(losses) == 1 and self._loss_read_quickly:
                    # one CPU float scalar, as the last full step saw: `.item()` is a read, not a sync
                    value = losses[0].item()
                    if value < self._jumps.above:  # neither a jump nor non-finite: the common case
                        self._train_losses = []
                        self._kept.append((step, value, lr, self._last_loss_input.shape))
                        self.step = step + 1
                        return
                self._settle_kept()  # first: the series stay in step order
                self._train_losses = []
                self._record_loss(step, losses)
                self._record_lr(step, lr)
                self._decide_window(losses)
                if self._probing:  # the loss jumped or went non-finite: this step is sampled after all
                    began = time.perf_counter()
                    self._sample_step(optimizer, step)
                    self._advance()
                    self.overhead_s += time.perf_counter() - began
                else:
                    self.step = step + 1
            except Exception as error:  # nndoctor's own failure: never the user's
                self._probes.disable("step", error)
        elif step + 1 < self._next_event and self._primary_optimizer() is optimizer:
            # QUICK_STEPS_IN_A_ROW quick steps ran and nothing else is due: the jump test's statistics
            # catch up with their losses, and this step is a quick one too
            began = time.perf_counter()
            if self._probes.guard("step", self._settle_quick_steps):
                self._on_step(optimizer, args, kwargs)
            self.overhead_s += time.perf_counter() - began
        else:
            began = time.perf_counter()
            self._probes.guard("step", self._step, optimizer)
            self.overhead_s += time.perf_counter() - began

    def _settle_quick_steps(self) -> bool:
        """True once done (`Probes.guard` returns None when it fails)."""
        self._settle_kept()
        self._quick_until = min(self._next_event, self.step + QUICK_STEPS_IN_A_ROW) - 1
        return True

    def _take_full_step_next(self) -> None:
        self._next_event, self._quick_until = 0, -1
        self._close_window()

    def _hook_steps(self) -> None:
        self._hooks.add_handle("optimizer", torch_optim.register_optimizer_step_pre_hook(self._on_step))

    def _decide_window(self, losses: list[torch.Tensor]) -> None:
        """Whether the next quick steps may run as a window (see _wrap_loss), where each training call of
        one loss function counts a step: this step's loss was read quickly, it is the result of its one
        training loss call (backward() ran on it), no loss call came after it (a call the window does not
        count would end it in the middle of a step it counted) and no other optimizer stepped. A step
        whose loss calls all took the quick path shows nothing new about them: the decision stands while
        the loss is read quickly."""
        calls, self._train_calls = self._train_calls, []
        last, self._last_call = self._last_call, None
        foreign, self._foreign_stepped = self._foreign_stepped, False
        if not self._loss_read_quickly or foreign or self._other_player_steps:
            self._window_loss = None
        elif calls:
            one_call = len(calls) == 1 and losses[0] is calls[0][1] is last
            self._window_loss = calls[0][0] if one_call else None

    def _open_window(self) -> bool:
        """Take backward()'s wrapper and the step hook out: the loss call counts the quick steps. False
        (and no window until a step decides again) when something patched backward() after nndoctor did:
        its wrapper stays, and so do nndoctor's."""
        group = self._primary_optimizer().param_groups[0]  # first: it may fail (the optimizer is gone)
        if not self._hooks.bypass(torch.autograd, "backward", True):
            self._window_loss = None
            return False
        self._hooks.remove_handle("optimizer")
        self._in_window, self._window_group = True, group
        return True

    def _close_window(self) -> None:
        """backward()'s wrapper and the step hook back in: the coming step is seen in full."""
        if self._in_window:
            self._in_window, self._window_group = False, None
            if self._attached:
                self._hooks.bypass(torch.autograd, "backward", False)
                self._hook_steps()

    def _is_primary(self, optimizer: torch.optim.Optimizer) -> bool:
        """Whether `optimizer` is the one whose steps are the run's; it becomes so when the primary one
        is gone (garbage) or has rested for NEW_TRAINING_STEPS of its steps: a new training begins."""
        primary = self._primary_optimizer() if self._primary_optimizer is not None else None
        if primary is optimizer:
            return True
        if primary is not None:
            if self._foreign_since != self.step:  # the primary one stepped since: count afresh
                self._foreign_since, self._foreign_steps = self.step, 0
            self._foreign_steps += 1
            self._foreign_stepped = True
            if self._foreign_steps < NEW_TRAINING_STEPS:
                self._other_player_steps += self._trains_another_model(optimizer)
                return False
        self._primary_optimizer = weakref.ref(optimizer)
        self._foreign_steps = 0
        if self._params:
            # taken over after the old one rested: this training's first steps went by unwatched
            self._begin_new_training(joined_late=primary is not None)
        return True

    def _trains_another_model(self, optimizer: torch.optim.Optimizer) -> bool:
        """Whether `optimizer` holds none of the trained model's parameters (asked once per optimizer)."""
        known = self._plays_another_model.get(id(optimizer))
        if known is None:
            model = self._trained_model()
            if model is None:
                return False  # not known yet: asked again at its next step
            own = {id(p) for p in model.parameters()}
            held = (p for group in optimizer.param_groups for p in group["params"])
            known = self._plays_another_model[id(optimizer)] = not any(id(p) in own for p in held)
        return known

    def _begin_new_training(self, *, joined_late: bool) -> None:
        """The script trains another model after the first (fine-tuning, a second experiment): its steps
        are a new run. What came before stays in the store, but the checks read from here on (see
        Store.phase_start); the schedule is dense again, the probes start afresh, and the models are
        found again by their next forward."""
        self._emit_validation_point()  # the validation of the training that ended
        self._flush()
        self._trainings += 1
        self.joined_late = joined_late
        self._other_player_steps, self._plays_another_model = 0, {}
        # clip_max_norm: the new training records it again if it clips
        new = {"phase_start": self.step, "trainings": self._trainings, "clip_max_norm": None}
        self._emit([{"kind": "structure", "data": new}])
        self._params, self._param_columns = [], []
        self._snapshot, self._last_loss_input, self._eval_loss = None, None, None
        self._usual_rows = None
        self._activation_stats, self._activation_columns = {}, []
        self._loss_functions, self._train_loss_names = {}, set()
        self._window_loss, self._train_calls, self._last_call = None, [], None
        self._nonfinite_reported, self._jumps = False, JumpTest()
        self._loss_read_quickly = False
        self._watch_inputs(False)
        self._roots, self._module_names, self._param_names = {}, {}, {}
        self._trained_model = _NO_MODEL
        self._inputs_watched = True  # the models found again get the hook
        self._start_deferred = False
        self.schedule.restart(self.step)
        self._budget_mark, self._probing, self._gradients_now, self._quiet = None, True, True, False
        context = ProbeContext(self)
        self._extras = [type(probe)(context) for probe in self._extras]
        self._dispatch_probes()

    def _step(self, optimizer: torch.optim.Optimizer) -> None:
        if not self._is_primary(optimizer):
            self._train_losses.clear()  # another model's loss (e.g. a GAN's second player)
            self._train_calls, self._last_call = [], None
            return
        self._settle_kept()  # first: the series stay in step order
        step = self.step
        if not self._params and not self._knows_model_of(optimizer):
            # its model's forward ran before the optimizer was known (a new training): see it next step
            self._start_deferred = True
            self._install_activation_hooks()
        elif not self._params:
            trained = self._name_trained_model_first(optimizer)
            self._trained_model = _NO_MODEL if trained is None else weakref.ref(trained)
            self._params = [p for group in optimizer.param_groups for p in group["params"]]
            self._param_columns = [
                self._param_names.get(id(p), f"param{i}") for i, p in enumerate(self._params)
            ]
            self._emit(
                [
                    {"kind": "columns", "name": n, "names": self._param_columns}
                    for n in ("grad_norm", "update_ratio", "weight_norm")
                ]
            )
            self._emit([{"kind": "structure", "data": self._describe(optimizer)}])
            self._call("on_start", optimizer)
        self._emit_validation_point()
        self._read_update()
        self._loss_read_quickly = False  # a full step looks at the loss afresh (_record_train_loss)
        losses, self._train_losses = self._train_losses, []
        self._record_loss(step, losses)
        self._record_lr(step, optimizer.param_groups[0].get("lr"))
        self._decide_window(losses)
        self._sample_step(optimizer, step)
        self._advance()

    def _knows_model_of(self, optimizer: torch.optim.Optimizer) -> bool:
        """Whether the parameters can be named (their model was seen), or naming them waited a step."""
        first = next((p for group in optimizer.param_groups for p in group["params"]), None)
        return self._start_deferred or first is None or id(first) in self._param_names

    def _record_loss(self, step: int, losses: list[torch.Tensor]) -> None:
        """The step's loss in the general case (none, several, on a device), unless the probe is off."""
        if losses:
            self._probes.guard("loss", self._record_train_loss, step, losses)

    def _record_lr(self, step: int, lr: Any) -> None:
        if lr is None:
            return
        if isinstance(lr, torch.Tensor):  # a copy: schedulers update a tensor rate in place
            # which the quick path, keeping the rate as it is, would not make: such runs stay off it (this
            # follows _record_train_loss on every step that is not quick)
            self._loss_read_quickly = False
            self._pending_lr.append((step, lr.detach().clone()))
        else:
            self._pending_lr.append((step, float(lr)))

    def _sample_step(self, optimizer: torch.optim.Optimizer, step: int) -> None:
        """The costly signals of a sampled step: gradients, the activations its forward gave, probes."""
        if self._params and self._gradients_now:
            self._probes.guard("gradients", self._sample_gradients, step)
        if self._activation_stats:
            self._probes.guard("activations", self._emit_activation_stats, step)
        self._preclip_total = self._preclip_layers = None
        if self._probing and self._params:
            self._call("on_step", step, optimizer)

    def _advance(self) -> None:
        """On to the next step: what it samples, whether a flush or the budget are due, and how many
        steps after it can take the quick path."""
        self.step += 1
        step, schedule = self.step, self.schedule
        if self._decide_sampling():
            self._probes.guard("activations", self._install_activation_hooks)
        elif self._hooks.has_handle("forward"):
            self._remove_activation_hooks()
        flush_every = FLUSH_EVERY * schedule.stretch
        since_flush = step % flush_every
        if since_flush == 0:
            self._probes.guard("flush", self._flush)
        if schedule.ends_period(step):
            self._keep_to_budget()
        if not self._params or self._snapshot is not None:
            self._take_full_step_next()  # not started yet, or the next step reads this one's update
        else:
            self._next_event = min(
                schedule.next_sampled(step),
                step - since_flush + flush_every,
                schedule.next_period_end(step + 1),
            )
            self._quick_until = min(self._next_event, step + QUICK_STEPS_IN_A_ROW) - 1

    def _keep_to_budget(self) -> None:
        """Past the early phase, thin out the sparse sampling while the monitor takes more than its budget
        of the run's time over a full sampling period, and thicken it again below a quarter of it."""
        now = time.perf_counter()
        mark, self._budget_mark = self._budget_mark, (now, self.overhead_s)
        if mark is None:
            return  # the first period starts here: the dense early phase is not counted
        share = (self.overhead_s - mark[1]) / max(now - mark[0], 1e-9)
        schedule = self.schedule
        if share > OVERHEAD_BUDGET and schedule.stretch < MAX_STRETCH:
            schedule.stretch *= 2
        elif share < OVERHEAD_BUDGET / 4 and schedule.stretch > 1:
            schedule.stretch //= 2

    def _record_train_loss(self, step: int, losses: list[torch.Tensor]) -> None:
        loss = losses[0] if len(losses) == 1 else _held_loss(losses)
        self._loss_read_quickly = False
        if loss is None or loss.numel() != 1 or not loss.is_floating_point():
            return  # backward() on a non-scalar output: not a loss
        last_input = self._last_loss_input
        if last_input is not None:
            self._note_rows((step,), (last_input.shape,))
        if not loss.is_cpu:  # keep it on the device until the next flush, checked there
            self._losses_on_device = True
            self._pending_loss.append((step, loss.detach()))
            return
        value = loss.item()  # on the CPU a read, not a synchronisation: check it now, while evidence is fresh
        self._judge_loss(step, value)
        # the quick path reads the next ones alike, once the running average exists (a finite loss) and
        # the loss call's input is known (its shape is kept); _record_lr, next, rules out a tensor rate
        self._loss_read_quickly = (
            len(losses) == 1 and self._jumps.average is not None and last_input is not None
        )

    def _judge_loss(self, step: int, value: float) -> None:
        """A CPU loss, kept and checked while the evidence is fresh: a non-finite one is reported, a jump
        opens a window of dense sampling."""
        self._pending_loss.append((step, value))
        if not isfinite(value):
            if not self._nonfinite_reported:
                self._report_nonfinite(step, "loss")
        elif self._jumps.jumps(value):
            self._mark_anomaly(step)  # sample the steps after a jump densely

    def _settle_kept(self) -> None:
        """What quick steps kept goes to the pending series, and their losses (none of which jumped) join
        the jump test's statistics. Only a loss of -inf gets past the quick path's test unjudged: it is
        reported here, a little late."""
        kept, self._kept = self._kept, []
        if not kept:
            return
        steps, values, rates, shapes = zip(*kept)
        self._pending_loss.extend(zip(steps, values))
        self._note_rows(steps, shapes)
        if set(map(type, rates)) == {float}:  # the common case, at C speed
            self._pending_lr.extend(zip(steps, rates))
        else:
            for step, lr in zip(steps, rates):
                self._record_lr(step, lr)
        if min(values) > -inf:
            self._jumps.follow(values)
            return
        self._jumps.follow([value for value in values if value > -inf])
        if not self._nonfinite_reported:
            self._report_nonfinite(steps[values.index(-inf)], "loss")

    def _note_rows(self, steps: tuple[int, ...], shapes: tuple[torch.Size, ...]) -> None:
        """Record the rows of the steps whose loss input has other rows than usual."""
        usual = self._usual_rows
        first = shapes[0]
        if first and first[0] == usual and shapes.count(first) == len(shapes):
            return  # the common case, at C speed: every step took the usual batch
        for step, shape in zip(steps, shapes):
            if shape and shape[0] != usual:
                self._pending.add_scalar("loss_rows", step, float(shape[0]))

    def _sample_gradients(self, step: int) -> None:
        params = self._params
        with torch.no_grad():
            grads = [p.grad for p in params]
            if self._preclip_layers is not None and self._preclip_layers.numel() == len(params):
                layer_norms = self._preclip_layers
            else:
                layer_norms = norms(grads)
            self._pending.add_vector("grad_norm", step, layer_norms)
            total = self._preclip_total
            if total is None:
                # a missing gradient (NaN in layer_norms) counts as 0, but a NaN one must keep the total NaN
                if any(grad is None for grad in grads):
                    present = torch.tensor([grad is not None for grad in grads], device=layer_norms.device)
                    layer_norms = torch.where(present, layer_norms, 0.0)
                total = torch.linalg.vector_norm(layer_norms)
            self._pending.add_scalar("grad_norm", step, total.detach().reshape(()))
            if layer_norms.is_cpu and not self._nonfinite_reported and not isfinite(total.item()):
                self._report_nonfinite(step, "gradient")
            self._snapshot = torch._foreach_mul(params, 1.0)  # a copy, outside autograd (no_grad)
            self._snapshot_step = step

    def _read_update(self) -> None:
        """If the last step was sampled, its update is in the weights now: read it, once."""
        if self._snapshot is not None:
            self._probes.guard("updates", self._sample_updates)
            self._snapshot = None

    def _sample_updates(self) -> None:
        """The update of the sampled step before: the weights now against the snapshot taken then."""
        step, snapshot = self._snapshot_step, self._snapshot
        with torch.no_grad():
            torch._foreach_sub_(snapshot, self._params)  # the snapshot is ours: minus the update, in place
            update_norms = torch.stack(torch._foreach_norm(snapshot)).float()
            weight_norms = torch.stack(torch._foreach_norm(self._params)).float()
            self._pending.add_vector("update_ratio", step, update_norms / weight_norms.clamp_min(1e-12))
            self._pending.add_vector("weight_norm", step, weight_norms)

    def _report_nonfinite(self, step: int, signal: str) -> None:
        """First non-finite loss or gradient: find where it came from while the evidence is still there."""
        self._nonfinite_reported = True
        self._mark_anomaly(step)
        event: dict[str, Any] = {"kind": "event", "type": "nonfinite", "step": step, "signal": signal}
        with torch.no_grad():
            names = self._param_columns
            weights = norms([p for p in self._params])
            grads = norms([p.grad for p in self._params])
            bad_weights = [n for n, v in zip(names, weights.tolist()) if not isfinite(v)]
            bad_grads = [n for n, v in zip(names, grads.tolist()) if v == v and not isfinite(v)]
            bad_grads += [n for n, v in zip(names, grads.tolist()) if v != v and n not in bad_grads]
            event["nonfinite_weights"] = bad_weights[:20]
            event["nonfinite_weight_count"] = len(bad_weights)
            event["nonfinite_gradients"] = bad_grads[:20]
            # a finite gradient whose float32 norm overflows is not a NaN/Inf value: tell them apart
            event["nonfinite_gradient_values"] = [
                n
                for n, p in zip(names, self._params)
                if p.grad is not None and not bool(torch.isfinite(dense_values(p.grad)).all())
            ][:20]
            event["nonfinite_gradient_count"] = len(bad_grads)
            last_input = self._last_loss_input
            if last_input is not None and last_input.is_floating_point():
                last_input = last_input.detach()
                finite = last_input[torch.isfinite(last_input)]
                event["loss_input_absmax"] = float(finite.abs().max()) if finite.numel() else float("nan")
                event["loss_input_nonfinite"] = int((~torch.isfinite(last_input)).sum())
        self._emit([event])
        self._install_activation_hooks()  # see which module's output goes non-finite next

    # --- losses ---------------------------------------------------------------------------------
    def _wrap_backward(self, original: Any) -> Any:
        monitor = self

        def backward(tensors: Any, *args: Any, **kwargs: Any) -> Any:
            if monitor._in_window:  # called by a name bound to this wrapper: the loss call counts the step
                return original(tensors, *args, **kwargs)
            losses = monitor._train_losses
            if (
                monitor._quiet and isinstance(tensors, torch.Tensor) and len(losses) < MAX_HELD_LOSSES
            ):  # the quick path: held as it is until the step reads it (a detach costs more)
                losses.append(tensors)
            elif isinstance(tensors, torch.Tensor) and monitor._attached:
                began = time.perf_counter()
                monitor._probes.guard("loss", monitor._capture_train_loss, tensors)
                monitor.overhead_s += time.perf_counter() - began
            return original(tensors, *args, **kwargs)

        return backward

    def _capture_train_loss(self, tensor: torch.Tensor) -> None:
        if tensor.numel() == 1 and tensor.is_floating_point():
            losses = self._train_losses
            if len(losses) >= MAX_HELD_LOSSES:  # many backward() calls before a step: keep their sum only
                total = _held_loss(losses)
                losses[:] = [] if total is None else [total]
            losses.append(tensor)  # held as it is until the step (as the quick path does)
            if self._probing:
                self._call("on_backward", tensor)
            if self._eval_loss is not None and tensor is self._eval_loss[0]:
                # a loss taken in eval mode is trained on after all: it was not validation
                self._val_losses.pop(self._eval_loss[1])
                self._eval_loss = None

    def _wrap_loss(self, name: str, original: Any) -> Any:
        monitor = self

        def loss_function(input: Any, target: Any = None, *args: Any, **kwargs: Any) -> Any:
            if monitor._probing and monitor._attached and monitor._in_loss == 0:
                monitor._probes.guard(
                    "loss",
                    monitor._before_loss_call,
                    name,
                    input,
                    _loss_target(name, target, args, kwargs),
                    kwargs,
                )
            try:
                result = original(input, target, *args, **kwargs)
            except Exception:
                if monitor._attached and monitor._in_loss == 0:
                    observed = _loss_target(name, target, args, kwargs)
                    monitor._probes.guard(
                        "loss", monitor._observe_failed_loss_call, name, input, observed, kwargs
                    )
                raise
            # the quick path: a call with gradients on and an input that needs them, on a quiet step
            if monitor._quiet and getattr(result, "requires_grad", False):
                model = monitor._trained_model()
                if model is not None and model.training:  # a training loss call on a quiet step: quick
                    step = monitor.step
                    if name is monitor._window_loss and step < monitor._quick_until:
                        # a quick window: this call is the step's loss, and the step's part of the quick
                        # path is done here (what the step hook's quick path does, inline: on a tiny
                        # model every bytecode shows), with backward()'s wrapper and the step hook out
                        try:
                            value = result.item()
                            if value < monitor._jumps.above and (
                                monitor._in_window or monitor._open_window()
                            ):
                                lr = monitor._window_group.get("lr")
                                monitor._kept.append((step, value, lr, input.shape))
                                monitor.step = step + 1
                                return result
                        except Exception:  # a window is only a shortcut: the step is seen in full
                            monitor._window_loss = None
                    if name in monitor._train_loss_names:
                        if monitor._in_window:  # a jump, or the window's end: the step is seen in full
                            monitor._close_window()
                        monitor._last_loss_input = input
                        return result
            if monitor._attached and monitor._in_loss == 0:
                # a call the window does not count: the step is seen in full. One made after the window
                # counted this step's loss (a new training loss call partway through a run) counts the
                # step twice, once: the next step seen in full then sees two calls and ends the windows
                monitor._close_window()
                began = time.perf_counter()
                monitor._in_loss += 1
                try:
                    observed = _loss_target(name, target, args, kwargs)
                    monitor._probes.guard(
                        "loss", monitor._observe_loss_call, name, input, observed, result, kwargs
                    )
                finally:
                    monitor._in_loss -= 1
                monitor.overhead_s += time.perf_counter() - began
            return result

        loss_function.__wrapped__ = original  # type: ignore[attr-defined]
        loss_function.__name__ = name
        loss_function.__doc__ = original.__doc__
        return loss_function

    def _before_loss_call(self, name: str, input: Any, target: Any, kwargs: dict) -> None:
        """A training loss call on a probed step, before it runs: on a GPU, a kernel that fails on its
        targets (a label out of range) fails the device for every later read, so they are read first."""
        if (
            isinstance(input, torch.Tensor)
            and torch.is_grad_enabled()
            and input.requires_grad
            and not self._all_models_in_eval()
        ):
            self._call("before_loss_call", name, input, target, kwargs)

    def _observe_failed_loss_call(self, name: str, input: Any, target: Any, kwargs: dict) -> None:
        """A loss call raised (e.g. a label out of range): the probes still see its target, the cause."""
        if isinstance(input, torch.Tensor):
            phase = "train" if torch.is_grad_enabled() and input.requires_grad else "val"
            self._call("on_loss_call", name, input, target, kwargs, phase)

    def _observe_loss_call(self, name: str, input: Any, target: Any, result: Any, kwargs: dict) -> None:
        if not isinstance(input, torch.Tensor) or not isinstance(result, torch.Tensor):
            return
        self._last_call = result
        with_grad = torch.is_grad_enabled() and input.requires_grad
        # with gradients but every model in eval mode: a validation pass that forgot no_grad, unless
        # backward() is then called on it (see _capture_train_loss)
        in_eval = with_grad and self._all_models_in_eval()
        training = with_grad and not in_eval
        phase = "train" if training else "val"
        key = f"{phase}:{name}"
        if key not in self._loss_functions:
            info: dict[str, Any] = {
                "name": name,
                "phase": phase,
                "input_shape": list(input.shape),
                "input_dtype": str(input.dtype).replace("torch.", ""),
            }
            if isinstance(target, torch.Tensor):
                info["target_shape"] = list(target.shape)
                info["target_dtype"] = str(target.dtype).replace("torch.", "")
            for option in ("reduction", "label_smoothing", "ignore_index"):
                if option in kwargs and isinstance(kwargs[option], (str, int, float)):
                    info[option] = kwargs[option]
            self._loss_functions[key] = info
            self._emit([{"kind": "structure", "data": {"loss_functions": dict(self._loss_functions)}}])
        if self._probing or not training:
            self._call("on_loss_call", name, input, target, kwargs, phase)
        if training:
            if len(self._train_calls) < 2:
                self._train_calls.append((name, result))
            self._last_loss_input = input  # detached only if a forensic needs it: no op per step
            if self._usual_rows is None and input.dim():
                self._usual_rows = input.shape[0]
            self._train_loss_names.add(name)
            return
        self._watch_inputs(True)  # a validation pass: the inputs of its next batches reach the probes
        self._take_full_step_next()  # the next step makes the validation losses a point
        value = result.detach().float()
        reduction = kwargs.get("reduction", "mean")
        if reduction == "sum":
            count = (
                target.shape[0]
                if name in CLASS_INDEX_LOSSES and isinstance(target, torch.Tensor) and target.dim() > 0
                else input.numel()
            )
            value = value / max(count, 1)
        elif value.numel() != 1:
            value = value.mean()
        batch = input.shape[0] if input.dim() > 0 else 1
        if in_eval:
            self._last_loss_input = input
            self._eval_loss = (result, len(self._val_losses))
            self._quiet = False  # until the next step: a backward() on it would make it a training loss
        self._val_losses.append((value.reshape(()), batch))

    def _all_models_in_eval(self) -> bool:
        seen = False
        for ref in self._roots.values():  # a plain loop: this runs on every training loss call
            model = ref()
            if model is not None:
                if model.training:
                    return False
                seen = True
        return seen

    def _emit_validation_point(self) -> None:
        """Validation losses since the last training step become one point, weighted by batch size."""
        if not self._val_losses:
            return
        values, weights = zip(*self._val_losses)
        self._val_losses, self._eval_loss = [], None
        weight = torch.tensor(weights, dtype=torch.float32, device=values[0].device)
        mean = (torch.stack(values) * weight).sum() / weight.sum()
        self._pending.add_scalar("val_loss", self.step, mean)

    def _wrap_clip(self, original: Any) -> Any:
        monitor = self

        def clip_grad_norm_(parameters: Any, max_norm: float, *args: Any, **kwargs: Any) -> Any:
            if monitor._attached and monitor._gradients_now and monitor._params:
                parameters = list(parameters) if not isinstance(parameters, torch.Tensor) else [parameters]
                monitor._probes.guard("gradients", monitor._capture_preclip)
            total = original(parameters, max_norm, *args, **kwargs)
            if monitor._attached:
                monitor._probes.guard("gradients", monitor._capture_clip_total, total, max_norm)
            return total

        clip_grad_norm_.__wrapped__ = original  # type: ignore[attr-defined]
        clip_grad_norm_.__doc__ = original.__doc__
        return clip_grad_norm_

    def _wrap_load_state_dict(self, original: Any) -> Any:
        """Weights loaded into a watched model once it trained: early stopping restoring its best
        checkpoint, or a run resumed. Recorded with the step: the curve checks read it."""
        monitor = self

        def load_state_dict(module: torch.nn.Module, *args: Any, **kwargs: Any) -> Any:
            result = original(module, *args, **kwargs)
            if monitor._attached and monitor.step > 0 and id(module) in monitor._roots:
                monitor._probes.guard(
                    "weights-loaded",
                    monitor._emit,
                    [{"kind": "event", "type": "weights-loaded", "step": monitor.step}],
                )
            return result

        load_state_dict.__wrapped__ = original  # type: ignore[attr-defined]
        load_state_dict.__doc__ = original.__doc__
        return load_state_dict

    def _capture_preclip(self) -> None:
        with torch.no_grad():
            self._preclip_layers = norms([p.grad for p in self._params])

    def _capture_clip_total(self, total: Any, max_norm: float) -> None:
        if self._gradients_now and isinstance(total, torch.Tensor):
            self._preclip_total = total.detach().reshape(()).float()
        if "clip_max_norm" not in self.store.structure:
            self._emit([{"kind": "structure", "data": {"clip_max_norm": float(max_norm)}}])

    # --- activations ----------------------------------------------------------------------------
    def _install_activation_hooks(self) -> None:
        if self._hooks.has_handle("forward"):
            return
        self._hooks.add_handle(
            "forward-pre", torch_modules.register_module_forward_pre_hook(self._on_forward_pre)
        )
        self._hooks.add_handle("forward", torch_modules.register_module_forward_hook(self._on_forward))

    def _remove_activation_hooks(self) -> None:
        self._hooks.remove_handle("forward-pre")
        self._hooks.remove_handle("forward")

    def _on_forward_pre(self, module: torch.nn.Module, inputs: Any) -> None:
        began = time.perf_counter()
        if self._forward_depth == 0 and not isinstance(module, torch.nn.modules.loss._Loss):
            new_root = id(module) not in self._roots
            self._probes.guard("structure", self._add_root, module)
            if new_root and id(module) in self._roots and self._at["on_model_input"]:
                # the input hook _add_root installs fires from the next call on: hand over this one
                self._call("on_model_input", module, inputs, {})
        self._forward_depth += 1
        self.overhead_s += time.perf_counter() - began

    def _on_forward(self, module: torch.nn.Module, inputs: Any, output: Any) -> None:
        began = time.perf_counter()
        self._forward_depth = max(0, self._forward_depth - 1)
        recurrent = isinstance(module, torch.nn.RNNBase) and isinstance(output, tuple)
        if recurrent:  # (every step's output, final state): probes read the outputs
            states = output[0]
            output = states.data if isinstance(states, torch.nn.utils.rnn.PackedSequence) else states
        if (
            isinstance(output, torch.Tensor)
            and output.is_floating_point()
            and output.numel() > 0
            and torch.is_grad_enabled()
            and not any(True for _ in module.children())
            and not isinstance(module, torch.nn.modules.loss._Loss)
        ):
            if not recurrent:
                self._probes.guard("activations", self._activation_sample, module, output)
            self._call("on_forward", module, inputs, output)
        self.overhead_s += time.perf_counter() - began

    def _activation_sample(self, module: torch.nn.Module, output: torch.Tensor) -> None:
        with torch.no_grad():
            out = output.detach().reshape(-1)
            if (
                out.numel() > ACTIVATION_SAMPLE
            ):  # an even stride through the tensor: same statistics, bounded cost
                out = out[:: out.numel() // ACTIVATION_SAMPLE]
            out = out.float()
            finite = torch.isfinite(out)
            stats = torch.stack(
                [
                    out.mean(),
                    out.std() if out.numel() > 1 else out.new_zeros(()),
                    (out == 0).float().mean(),
                    (~finite).float().mean(),
                    out.abs().max(),
                ]
            )
        name = self._module_names.get(id(module)) or f"{type(module).__name__}@{id(module):x}"
        self._activation_stats[name] = stats

    def _emit_activation_stats(self, step: int) -> None:
        stats, self._activation_stats = self._activation_stats, {}
        new = [name for name in stats if name not in self._activation_columns]
        if new:
            self._activation_columns.extend(new)
            self._emit(
                [
                    {"kind": "columns", "name": f"act_{s}", "names": list(self._activation_columns)}
                    for s in ACTIVATION_STATS
                ]
            )
        missing = None
        rows = []
        for name in self._activation_columns:
            row = stats.get(name)
            if row is None:
                if missing is None:
                    missing = torch.full(
                        (len(ACTIVATION_STATS),), float("nan"), device=next(iter(stats.values())).device
                    )
                row = missing
            rows.append(row)
        table = torch.stack(rows)
        for index, stat in enumerate(ACTIVATION_STATS):
            self._pending.add_vector(f"act_{stat}", step, table[:, index])

    # --- to the host ----------------------------------------------------------------------------
    def _flush(self) -> None:
        self._call("on_flush", self.step)
        self._settle_kept()
        records = self._pending.drain()
        if self._pending.device_failure is not None:
            self._record_device_failure(error_line(self._pending.device_failure))
        if self._losses_on_device and not self._nonfinite_reported:  # CPU losses were checked per step
            for record in records:
                if record["kind"] == "scalars" and record["name"] == "loss":
                    bad = [s for s, v in zip(record["steps"], record["values"]) if not isfinite(v)]
                    if bad:
                        self._nonfinite_reported = True
                        self._mark_anomaly(self.step)
                        records.append(
                            {"kind": "event", "type": "nonfinite", "step": bad[0], "signal": "loss"}
                        )
        self._emit(records)


def _loss_target(name: str, second: Any, args: tuple, kwargs: dict) -> Any:
    """The target of a loss call: its second argument, except where that is a second input (a ranking
    or embedding loss compares two or three inputs; its target, if any, comes third)."""
    if name not in COMPARED_INPUTS_LOSSES:
        return second
    if name == "triplet_margin_loss":
        return None  # anchor, positive, negative: no target
    return args[0] if args else kwargs.get("target")


def _held_loss(losses: list[torch.Tensor]) -> torch.Tensor | None:
    """The step's training loss from the tensors `backward()` was called on: the sum of the scalar
    ones (accumulated gradients); None if there are none (a backward on a non-scalar output)."""
    scalars = [t for t in losses if t.numel() == 1 and t.is_floating_point()]
    if len(scalars) <= 1:
        return scalars[0] if scalars else None
    return torch.stack([t.detach().reshape(()) for t in scalars]).sum()


def _plain(value: Any) -> Any:
    """A JSON-able copy of an optimizer setting."""
    if isinstance(value, torch.Tensor):
        return value.item() if value.numel() == 1 else value.tolist()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)
