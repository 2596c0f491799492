"""How the training loop drives the model: whether gradients are reset between steps, which trainable
parameters the optimizer never holds, whether training steps run in eval mode, and what each batch holds.

Signals, for `checks/loop.py`:
- vector `stale_grad_norm` (one column per optimizer parameter): at each backward of a sampled step, the
  norm of the gradient each parameter already holds, the minimum over the backwards between two steps.
  A reset (`zero_grad()`, `set_to_none`, `p.grad = None`) leaves 0 or NaN (no gradient at all) at the
  first backward; gradients never reset carry the last step's. The minimum keeps a second model's
  backward (a GAN's other player, which fills these gradients too) from looking like a missing reset.
- scalar `eval_mode_modules`: on sampled steps, how many dropout / batch-norm layers of a trained model
  are in eval mode while that model itself is in eval mode (what `model.eval()` does, and what a
  deliberate batch-norm freeze, done module by module under `model.train()`, does not).
- scalars `batch_size` and `batch_fingerprint`: the first training input of each sampled step, its
  number of rows and a sum over its values that does not depend on their order: equal fingerprints mean
  every step trained on the same samples (full-batch training).
- structure `loop`: trainable optimizer parameters never seen holding a gradient on a sampled step,
  trainable parameters outside the optimizer that received gradients yet never changed, and the names
  of the layers seen in eval mode.

Cost: on steps that are not sampled, one schedule lookup per moment. On sampled steps, one fused norm
over the gradients per backward, a pass over the dropout/batch-norm layers, and one reduction over the
first input batch. Modules and parameters are held through weak references.
"""

from __future__ import annotations

import weakref
from typing import Any

import torch

from ..tensors import dense_values, norms
from . import Probe

DROPOUT_TYPES = (torch.nn.modules.dropout._DropoutNd,)
NORM_TYPES = (torch.nn.modules.batchnorm._BatchNorm,)
MAX_NAMES = 50  # names kept for evidence: enough to act on, bounded whatever the model's size
MAX_FORWARD_MODULES = 10_000  # layers looked at once each for registration: bounded for huge models


class LoopProbe(Probe):
    name = "loop"

    def __init__(self, context) -> None:
        super().__init__(context)
        self._stale: torch.Tensor | None = None  # per parameter, min over this step's backwards
        self._stale_step = -1
        self._batch_step = -1
        self._trained_roots: list[weakref.ref] = []
        self._mode_layers: list[tuple[str, weakref.ref, weakref.ref]] = []  # (name, layer, its root)
        self._eval_layers: set[str] = set()
        # batch-norm layers seen in eval mode that had never normalised a batch (num_batches_tracked 0):
        # their running statistics are still mean 0, variance 1, so they pass their inputs through
        self._unfit_norms: set[str] = set()
        self._outside: list[tuple[str, weakref.ref]] = []  # trainable, not in the optimizer, no grad yet
        self._outside_with_grad: dict[str, weakref.ref] = {}
        self._outside_start: dict[str, torch.Tensor] = {}  # each one's norm when training began
        self._stale_outside: dict[str, torch.Tensor] = {}  # norms of gradients they held at the start
        self._without_grad: list[int] = []  # optimizer parameters never seen holding a gradient
        # layers run inside the model's forward that are not its registered submodules (kept in a plain
        # list or dict): model.parameters() misses their weights, so no optimizer built from it has them
        self._unregistered: list[tuple[str, int]] = []  # (type, trainable values)
        self._forward_seen: set[int] = set()
        self._batch_id = 0  # id of the sampled step's model input, to see which layers take it as it is
        self._input_layers: set[str] = set()  # types of the layers that took the model input
        self._grad_samples = 0

    # --- moments --------------------------------------------------------------------------------
    def on_start(self, optimizer: torch.optim.Optimizer) -> None:
        context = self.context
        self.context.emit(
            [{"kind": "columns", "name": "stale_grad_norm", "names": list(context.param_names)}]
        )
        in_optimizer = {id(p) for p in context.params}
        self._without_grad = [i for i, p in enumerate(context.params) if p.requires_grad]
        for root in context.roots():
            trained = any(id(p) in in_optimizer for p in root.parameters())
            if trained:
                self._trained_roots.append(weakref.ref(root))
                self._mode_layers += _mode_layers(root, in_optimizer, context)
            for name, param in root.named_parameters():
                if param.requires_grad and id(param) not in in_optimizer:
                    self._outside.append((name, weakref.ref(param)))
        with torch.no_grad():
            for name, ref in self._outside:
                param = ref()
                if param is not None:
                    self._outside_start[name] = _norm(param)
                    if param.grad is not None:  # left over from an earlier training (a teacher's)
                        self._stale_outside[name] = _norm(param.grad)

    def on_backward(self, loss: torch.Tensor) -> None:
        step = self.context.step
        params = self.context.params
        if not params or not self.context.sampled(step):
            return  # before the first step the optimizer's parameters are not known yet
        grads = [p.grad for p in params]
        if any(g is not None for g in grads):
            with torch.no_grad():
                held = norms(grads)  # NaN where there is no gradient at all
        else:  # all reset to None (zero_grad's default): nothing to reduce
            held = torch.full((len(grads),), float("nan"), device=params[0].device)
        if self._stale is not None and self._stale_step == step:
            held = torch.minimum(self._stale, held)  # NaN (reset to None) wins, as 0 does
        self._stale, self._stale_step = held, step

    def on_step(self, step: int, optimizer: torch.optim.Optimizer) -> None:
        if self._stale is not None:
            self.context.add_vector("stale_grad_norm", self._stale_step, self._stale)
            self._stale = None
        if self.context.sampled(step):
            self._note_outside_gradients()
            params = self.context.params
            self._without_grad = [i for i in self._without_grad if params[i].grad is None]
            self._grad_samples += 1
            self.context.add_scalar("eval_mode_modules", step, float(self._count_eval_layers()))

    def on_forward(self, module: torch.nn.Module, inputs: tuple, output: torch.Tensor) -> None:
        if self._batch_step == self.context.step and inputs and id(inputs[0]) == self._batch_id:
            self._input_layers.add(type(module).__name__)  # e.g. a BatchNorm1d that standardises raw features
        if not self._trained_roots or id(module) in self._forward_seen:
            return  # before the first step the trained model is not known yet
        if len(self._forward_seen) >= MAX_FORWARD_MODULES:
            return
        self._forward_seen.add(id(module))
        if self.context.is_registered(module):
            return
        in_optimizer = {id(p) for p in self.context.params}
        own = [p for p in module.parameters() if p.requires_grad and id(p) not in in_optimizer]
        if own and len(self._unregistered) < MAX_NAMES:
            self._unregistered.append((type(module).__name__, sum(p.numel() for p in own)))

    def on_model_input(self, model: torch.nn.Module, args: tuple, kwargs: dict[str, Any]) -> None:
        step = self.context.step
        if step == self._batch_step or not torch.is_grad_enabled() or not self.context.sampled(step):
            return
        if not any(ref() is model for ref in self._trained_roots):
            return  # a frozen teacher, a target network, or before the first step
        batch = next((a for a in (*args, *kwargs.values()) if isinstance(a, torch.Tensor)), None)
        if batch is None or batch.dim() == 0 or batch.is_complex():
            return
        self._batch_step, self._batch_id = step, id(batch)
        self.context.add_scalar("batch_size", step, float(batch.shape[0]))
        self.context.add_scalar("batch_fingerprint", step, _fingerprint(batch))

    def on_finish(self, status: str) -> None:
        self._note_outside_gradients()
        frozen = []
        with torch.no_grad():
            for name, ref in self._outside_with_grad.items():
                param = ref()
                start = self._outside_start.get(name)
                # bitwise the same norm: nothing (no other optimizer, no manual update) moved it
                if param is not None and start is not None and bool(_norm(param) == start):
                    frozen.append(name)
        names = self.context.param_names
        loop = {
            "optimizer_params_without_grad": [names[i] for i in self._without_grad[:MAX_NAMES]],
            "optimizer_params_without_grad_count": len(self._without_grad),
            "gradient_samples": self._grad_samples,
            "outside_optimizer_with_grad": frozen[:MAX_NAMES],
            "outside_optimizer_with_grad_count": len(frozen),
            "outside_optimizer_with_grad_numel": _numel(self._outside_with_grad, frozen),
            "eval_mode_layers": sorted(self._eval_layers)[:MAX_NAMES],
            "eval_mode_unfit_norms": sorted(self._unfit_norms)[:MAX_NAMES],
            "unregistered_layers": [kind for kind, _ in self._unregistered],
            "input_layers": sorted(self._input_layers),
            "unregistered_numel": sum(numel for _, numel in self._unregistered),
            "mode_layers": len(self._mode_layers),
        }
        self.context.emit([{"kind": "structure", "data": {"loop": loop}}])

    # --- helpers --------------------------------------------------------------------------------
    def _note_outside_gradients(self) -> None:
        """Move the outside-optimizer parameters that now hold a gradient to `_outside_with_grad`."""
        waiting = []
        for name, ref in self._outside:
            param = ref()
            if param is None:
                continue
            stale = self._stale_outside.get(name)
            if param.grad is not None and (stale is None or not bool(_norm(param.grad) == stale)):
                self._outside_with_grad[name] = ref
            else:
                waiting.append((name, ref))
        self._outside = waiting

    def _count_eval_layers(self) -> int:
        count = 0
        for name, layer_ref, root_ref in self._mode_layers:
            layer, root = layer_ref(), root_ref()
            if layer is None or root is None or root.training or layer.training:
                continue
            count += 1
            if len(self._eval_layers) < MAX_NAMES:
                self._eval_layers.add(name)
            tracked = getattr(layer, "num_batches_tracked", None)
            if isinstance(tracked, torch.Tensor) and int(tracked) == 0 and len(self._unfit_norms) < MAX_NAMES:
                self._unfit_norms.add(name)
        return count


def _mode_layers(
    root: torch.nn.Module, in_optimizer: set[int], context
) -> list[tuple[str, weakref.ref, weakref.ref]]:
    """The dropout and batch-norm layers of a trained model whose behaviour eval mode changes.

    Left out: dropout with p=0, batch-norm without running statistics (it normalises by the batch in
    both modes), and batch-norm whose own weights are frozen or not optimised (a deliberately frozen
    backbone, whose statistics are meant to stay fixed).
    """
    layers = []
    for module in root.modules():
        if isinstance(module, DROPOUT_TYPES):
            relevant = float(getattr(module, "p", 0.0)) > 0
        elif isinstance(module, NORM_TYPES):
            own = list(module.parameters(recurse=False))
            relevant = module.track_running_stats and all(
                p.requires_grad and id(p) in in_optimizer for p in own
            )
        else:
            continue
        if relevant:
            layers.append((context.module_name(module), weakref.ref(module), weakref.ref(root)))
    return layers


def _fingerprint(batch: torch.Tensor) -> torch.Tensor:
    """A float64 summary of a batch's values that a reordering of its rows leaves (nearly) unchanged.

    The sum of squares rather than the sum: standardised features sum to about 0, where rounding
    differences between two orders would be large relative to the value.
    """
    values = batch.detach()
    if values.is_floating_point():
        return torch.linalg.vector_norm(values, dtype=torch.float64)
    return values.sum(dtype=torch.float64)  # token ids, integer features: summed exactly


def _norm(param: torch.Tensor) -> torch.Tensor:
    return torch.linalg.vector_norm(dense_values(param.detach()).float())


def _numel(params: dict[str, weakref.ref], names: list[str]) -> int:
    total = 0
    for name in names:
        param = params[name]()
        total += param.numel() if param is not None else 0
    return total
