"""Checks on the training loop: gradients never reset, parameters that never train, training in eval
mode, and batches so large that the run makes too few updates.

They read what probes/loop.py records: the gradient each parameter still holds when a step's first
backward begins, the trainable parameters outside the optimizer, the mode of the dropout and batch-norm
layers at each sampled step, and the size and content of each sampled batch.
"""

from __future__ import annotations

import numpy as np

from .. import catalog
from ..findings import Finding
from ..monitor.store import Store
from . import check
from ._signals import fmt, loss_scale, name_list, optimizer_type, step_noise, train_loss
from .loss import FLAT_SHARE, RISE_NOISE_SIGMAS

# grad-not-zeroed
MIN_STALE_SAMPLES = 4  # sampled steps with a reading: fewer cannot tell a habit from one odd step
CARRIED_SHARE = 0.5  # gradients carried into half the sampled steps or more: never (or rarely) reset; a
# reset leaves exactly 0 or no gradient, so any positive norm at the first backward is a carried one

# eval-mode-training
MIN_EVAL_SAMPLES = 3  # one step in eval can be a validation pass run between backward and step; 3 is a habit
EVAL_SHARE = 0.1  # and a tenth of the run: a forgotten model.train() leaves every later step in eval

# batch-too-large
MIN_BATCH_SAMPLES = 4  # sampled batches (and loss points) to call batches the same or a loss falling
LARGE_BATCH = 512  # 16x the usual batch of 32: the same epochs with 32 make 16x the updates
MAX_UPDATES = 1000  # the reference's "thousands of iterations" a network usually needs: fewer is few
SAME_SAMPLES_TOLERANCE = 1e-9  # relative: reordering rows changes a float64 sum by ~1e-16 per element
SUGGESTED_BATCH = 32  # the usual mini-batch (catalog: 32 or 64) ...
SMALL_DATA_BATCH = 16  # ... and 16 (then 8) for a small data set, as the reference suggests
FULL_BATCH_OPTIMIZERS = ("LBFGS",)  # quasi-Newton steps need the full batch: fewer, larger steps by design


# --- grad-not-zeroed -----------------------------------------------------------------------------
@check
def grad_not_zeroed(store: Store) -> list[Finding]:
    """Gradients are carried from one optimizer step into the next: they are never reset.

    Rule: at the first backward of a sampled step (the minimum over the backwards between two steps, so
    that gradient accumulation over micro-batches and a second model's backward do not count), some
    optimizer parameters still hold a non-zero gradient, on at least half of 4 or more sampled steps. A
    reset (`zero_grad()`, `set_to_none`, `p.grad = None`) leaves exactly 0 or no gradient.
    """
    steps, names, held = store.vectors("stale_grad_norm")
    if steps.size < MIN_STALE_SAMPLES:
        return []
    carried = np.nan_to_num(held, nan=0.0) > 0  # NaN: no gradient held at all (reset to None)
    carried_steps = carried.any(axis=1)
    if carried_steps.mean() < CARRIED_SHARE:
        return []
    params = [name for name, share in zip(names, carried.mean(axis=0)) if share >= CARRIED_SHARE]
    first = int(steps[int(np.argmax(carried_steps))])
    evidence = (
        f"At the first backward of {int(carried_steps.sum())} of {steps.size} sampled steps (from step "
        f"{first}) the parameters still held the gradient of earlier steps"
        + (
            f" ({len(params)} of {len(names)} tensors: {name_list(params)})"
            if len(params) < len(names)
            else ""
        )
        + "."
        + _growth(store, steps[carried_steps], np.sqrt(np.nansum(held[carried_steps] ** 2, axis=1)))
    )
    partial = 0 < len(params) < len(names)
    advice = (
        "Reset the gradients of every parameter the optimizer holds: optimizer.zero_grad() resets them "
        "all, model.zero_grad() only the model's."
        if partial
        else "Call optimizer.zero_grad() at the start of each step, before loss.backward()."
    )
    return [Finding("grad-not-zeroed", evidence, confidence=0.95, step=first, advice=advice)]


def _growth(store: Store, carried_steps: np.ndarray, carried_norms: np.ndarray) -> str:
    """How large the carried gradient was against the gradient each step applied, and how that grew."""
    steps, totals = store.series("grad_norm")
    common, carried_rows, total_rows = np.intersect1d(carried_steps, steps, return_indices=True)
    usable = np.isfinite(totals[total_rows]) & (totals[total_rows] > 0)
    if not usable.any():
        return ""
    last = int(np.flatnonzero(usable)[-1])
    step, carried, total = int(common[last]), carried_norms[carried_rows[last]], totals[total_rows[last]]
    text = (
        f" At step {step} the gradient applied had norm {fmt(total)}, of which {fmt(carried)} was carried "
        f"over from earlier steps"
    )
    first_total = totals[np.isfinite(totals)][:1]
    if first_total.size and first_total[0] > 0 and total > first_total[0]:
        text += f"; it was {fmt(first_total[0])} at step {int(steps[np.isfinite(totals)][0])}"
    return text + "."


# --- params-not-updated --------------------------------------------------------------------------
@check
def params_not_updated(store: Store) -> list[Finding]:
    """Trainable parameters that never train: outside the optimizer, or never given a gradient.

    Rule: parameters with requires_grad=True that received a gradient but are not in the optimizer and
    never changed (no other optimizer moves them either: a GAN's second player does), or parameters in
    the optimizer with requires_grad=True that had no gradient at all on every one of 4 or more sampled
    steps (a layer never used in forward, or cut off by .detach()/torch.no_grad()), or layers with
    trainable weights outside the optimizer that run inside the model's forward without being its
    registered submodules (kept in a plain list or dict: `model.parameters()` misses them, and the
    network that trains is smaller than the one written, which explains a capacity that falls short). Parameters frozen
    with requires_grad=False, and trainable ones that never get a gradient outside the optimizer (a
    frozen teacher or a target network run under no_grad), are left alone.
    """
    loop = store.structure.get("loop") or {}
    outside = list(loop.get("outside_optimizer_with_grad") or [])
    outside_count = int(loop.get("outside_optimizer_with_grad_count") or 0)
    never = _never_given_a_gradient(store, loop)
    unregistered = list(loop.get("unregistered_layers") or [])
    if not outside_count and not never and not unregistered:
        return []
    parts, advice = [], []
    if unregistered:
        parts.append(
            f"{_layer_kinds(unregistered)} ({int(loop.get('unregistered_numel') or 0):,} trainable values) run "
            "inside the model's forward but are not its registered submodules, so model.parameters() does not "
            "return their weights and the optimizer never updates them"
        )
        advice.append(
            "Hold layers in nn.ModuleList or nn.ModuleDict (or assign each to an attribute of the module), "
            "not in a plain Python list or dict, and build the optimizer from model.parameters() after that."
        )
    if outside_count:
        parts.append(
            f"{outside_count} trainable tensors ({int(loop.get('outside_optimizer_with_grad_numel') or 0)} "
            f"values: {name_list(outside)}) receive gradients but are not in the optimizer, and never "
            "changed"
        )
        advice.append(
            "Build the optimizer from the model that trains, once it is complete: after replacing or adding "
            "layers and after .to(device), optimizer = torch.optim.Adam(model.parameters(), ...), not from "
            "a copy or another instance of it."
        )
    if never:
        total = len([p for p in store.structure.get("params", []) if p.get("requires_grad", True)])
        count = int(loop.get("optimizer_params_without_grad_count") or len(never))
        samples = loop["gradient_samples"]
        parts.append(
            f"none of the optimizer's {total} tensors had a gradient on any of the {samples} sampled steps: "
            "it holds the parameters of another model (a copy, or an earlier instance), not the one that trains"
            if count == total
            else f"{count} of the optimizer's {total} trainable tensors ({name_list(never)}) had no gradient "
            f"on any of the {samples} sampled steps: their layers are never used in forward, or their output "
            "is detached from the loss"
        )
        advice.append(
            "Use the layers in forward() or delete them; look for .detach(), .data, .item() or "
            "torch.no_grad() between them and the loss. If you freeze them on purpose, set "
            "requires_grad=False."
        )
    where = (outside or never or [None])[0]
    evidence = "; ".join(parts) + ". They keep their initial values for the whole run."
    return [
        Finding(
            "params-not-updated",
            evidence[0].upper() + evidence[1:],
            confidence=0.9,
            where=where,
            advice=" ".join(advice),
            # the network that trains lacks those layers: too small for the task because of it
            explains=("capacity-too-small",) if unregistered else (),
        )
    ]


def _layer_kinds(kinds: list[str]) -> str:
    """'3 Conv1d layers', '2 Conv1d and 1 Linear layers'."""
    words = [f"{kinds.count(kind)} {kind}" for kind in dict.fromkeys(kinds)]
    listed = words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"
    return f"{listed} layer{'s' if len(kinds) > 1 else ''}"


def _never_given_a_gradient(store: Store, loop: dict) -> list[str]:
    """Trainable optimizer parameters that held no gradient (.grad None) at any sampled step."""
    if int(loop.get("gradient_samples") or 0) < MIN_STALE_SAMPLES:
        return []
    return list(loop.get("optimizer_params_without_grad") or [])


# --- eval-mode-training --------------------------------------------------------------------------
@check
def eval_mode_training(store: Store) -> list[Finding]:
    """Training steps taken with the trained model in eval mode: dropout off, batch-norm frozen.

    Rule: on at least 3 sampled steps, and a tenth of them, the model that trains was in eval mode
    with dropout (p > 0) or batch-norm layers (with running statistics and trained weights) in eval
    mode too: what `model.eval()` without a later `model.train()` does. Batch-norm layers frozen
    on purpose (their weights frozen, or set to eval one by one while the model trains) do not count.
    A batch-norm layer in eval mode that has never normalised a batch keeps its initial statistics
    (mean 0, variance 1) and passes its inputs through as they come: the run then fails the way one
    on unnormalised inputs does, and this finding explains the same symptoms.
    """
    steps, counts = store.series("eval_mode_modules")
    in_eval = np.nan_to_num(counts, nan=0.0) > 0
    if in_eval.sum() < MIN_EVAL_SAMPLES or in_eval.mean() < EVAL_SHARE:
        return []
    loop = store.structure.get("loop") or {}
    layers = list(loop.get("eval_mode_layers") or [])
    first = int(steps[int(np.argmax(in_eval))])
    evidence = (
        f"On {int(in_eval.sum())} of {steps.size} sampled training steps ({100 * in_eval.mean():.0f}%, "
        + ("from the first step" if first == int(steps[0]) else f"from step {first}")
        + f") the model was in eval mode: {_layers_in_words(store, layers)}"
    )
    val_steps, _ = store.series("val_loss")
    before = val_steps[val_steps <= first]
    if first > int(steps[0]) and before.size:
        evidence += f". The last validation pass before it was at step {int(before[-1])}"
    unfit = list(loop.get("eval_mode_unfit_norms") or [])
    if unfit:
        evidence += (
            f". {_count(unfit, 'batch-norm layer')} ({name_list(unfit)}) never normalised a batch: "
            f"{'its' if len(unfit) == 1 else 'their'} running statistics are still mean 0 and variance 1, "
            "so the values pass through unnormalised"
        )
    advice = (
        "Call model.train() at the start of every training epoch (and right after each validation pass, "
        "which calls model.eval())."
    )
    return [
        Finding(
            "eval-mode-training",
            evidence + ".",
            confidence=0.95 if unfit else 0.9,
            step=first,
            where=layers[0] if layers else None,
            advice=advice,
            explains=catalog.entry("data-not-normalized").explains if unfit else (),
        )
    ]


def _layers_in_words(store: Store, names: list[str]) -> str:
    types = {m.get("name"): str(m.get("type", "")) for m in store.structure.get("modules", [])}
    dropout = [n for n in names if "Dropout" in types.get(n, "")]
    norms = [n for n in names if "Norm" in types.get(n, "")]
    parts = []
    if dropout:
        parts.append(f"{_count(dropout, 'dropout layer')} ({name_list(dropout)}) switched off")
    if norms:
        parts.append(
            f"{_count(norms, 'batch-norm layer')} ({name_list(norms)}) normalising with running statistics "
            "instead of the batch's, and no longer updating them"
        )
    return " and ".join(parts) or f"{_count(names, 'dropout or batch-norm layer')} in eval mode"


def _count(names: list[str], noun: str) -> str:
    return f"{len(names)} {noun}{'' if len(names) == 1 else 's'}"


# --- batch-too-large -----------------------------------------------------------------------------
@check
def batch_too_large(store: Store) -> list[Finding]:
    """So large a batch that the run makes too few updates: the loss was still falling when it ended.

    Rule: every sampled step trained on the same samples (full-batch training: equal fingerprints of
    the first input), or on batches of 512 rows or more; the run made fewer than 1000 updates; and the
    training loss was still falling over the last half of the run (by a tenth or more of its starting
    level above the floor, beyond 3 sigmas of its noise). Full-batch second-order optimisers (L-BFGS)
    are left alone.
    """
    _, sizes = store.series("batch_size")
    _, prints = store.series("batch_fingerprint")
    updates = store.steps_seen
    if (
        sizes.size < MIN_BATCH_SAMPLES
        or updates >= MAX_UPDATES
        or optimizer_type(store) in FULL_BATCH_OPTIMIZERS
    ):
        return []
    batch = int(np.median(sizes))
    full = _same_samples(sizes, prints)
    if not full and batch < LARGE_BATCH:
        return []
    fall = _still_falling(store)
    if fall is None:
        return []
    suggested = SUGGESTED_BATCH if batch >= 4 * SUGGESTED_BATCH else SMALL_DATA_BATCH
    if batch < 2 * suggested:
        return []
    what = (
        f"the same {batch} samples at every sampled step (full-batch training)"
        if full
        else f"batches of {batch}"
    )
    evidence = (
        f"The run trained on {what} and made only {updates} updates; the training loss was still falling "
        f"when it ended ({fall})."
    )
    per_pass = int(np.ceil(batch / suggested))
    advice = (
        f"Use mini-batches of {suggested} (or {suggested // 2}): {per_pass} updates per pass over these "
        f"{batch} samples instead of 1, about {updates * per_pass} updates for the same number of passes. "
        "Shuffle every epoch (DataLoader(dataset, batch_size=..., shuffle=True)) and retune the learning rate."
    )
    return [Finding("batch-too-large", evidence, confidence=0.75, advice=advice)]


def _same_samples(sizes: np.ndarray, prints: np.ndarray) -> bool:
    """Every sampled batch held the same samples: equal sizes and fingerprints equal up to the rounding
    that reordering the rows of a float sum can cause (far below 1e-9 relative in float64)."""
    if prints.size != sizes.size or not np.isfinite(prints).all() or len(set(sizes.tolist())) != 1:
        return False
    reference = abs(float(prints[0])) or 1.0
    return bool(np.all(np.abs(prints - prints[0]) <= SAME_SAMPLES_TOLERANCE * reference))


def _still_falling(store: Store) -> str | None:
    """The loss fell over the last half of the run by FLAT_SHARE of its starting gap to the floor (the
    curve had not bent over yet) and beyond 3 sigmas of its noise, in words; None when it had levelled
    off, rose, or is too short to say."""
    curve = train_loss(store)
    if len(curve) < MIN_BATCH_SAMPLES:
        return None
    floor = loss_scale(store).floor
    first = float(np.median(curve.windows()[0])) - floor
    half = curve.values[len(curve) // 2 :]
    quarters = np.array_split(half, min(4, half.size))
    start, end = float(np.median(quarters[0])), float(np.median(quarters[-1]))
    noise = step_noise(curve.values)
    if first <= 0 or start - end < FLAT_SHARE * first or start - end <= RISE_NOISE_SIGMAS * noise:
        return None  # a converged loss still creeps down near its floor, by far less than that
    return (
        f"from {fmt(start)} to {fmt(end)} over its last half, {fmt(start - end)} per "
        f"{int(curve.steps[-1] - curve.steps[len(curve) // 2])} updates"
    )
