"""The training-loop checks (grad-not-zeroed, params-not-updated, eval-mode-training, batch-too-large) on
real, tiny, seeded loops under nndoctor.watch, and their rules on hand-made stores.

Each faulty loop must raise its finding; each healthy loop must raise none of these ids.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from store_builders import add_scalars, add_vectors, finish, new_store
from toy_runs import blobs, one_thread  # noqa: F401  (one_thread: an autouse fixture)

import nndoctor
from nndoctor import catalog
from nndoctor.checks.loop import batch_too_large, eval_mode_training, grad_not_zeroed

OWN_IDS = {"grad-not-zeroed", "params-not-updated", "eval-mode-training", "batch-too-large"}


def mlp(dim: int = 8, hidden: int = 32, out: int = 4, dropout: float = 0.0, norm: bool = False):
    extra = ([nn.BatchNorm1d(hidden)] if norm else []) + ([nn.Dropout(dropout)] if dropout else [])
    return nn.Sequential(nn.Linear(dim, hidden), *extra, nn.ReLU(), nn.Linear(hidden, out))


def minibatches(x, y, steps: int, batch: int = 32, seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    for _ in range(steps):
        index = torch.randint(0, len(x), (batch,), generator=gen)
        yield x[index], y[index]


def diagnose(run) -> list[str]:
    torch.manual_seed(0)
    with nndoctor.watch() as doc:
        run()
    diagnosis = doc.diagnosis()
    assert "internal_errors" not in diagnosis.run, diagnosis.run.get("internal_errors")
    return diagnosis.ids()


def stale_store():
    store = new_store()
    _, names, _ = store.vectors("grad_norm")
    store.apply({"kind": "columns", "name": "stale_grad_norm", "names": names})
    return store


def finding(store, check):
    found = check(store)
    assert len(found) <= 1
    return found[0] if found else None


# --- grad-not-zeroed --------------------------------------------------------------------------------
def test_a_loop_without_zero_grad_is_named():
    def run():
        x, y = blobs()
        model = mlp()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for xb, yb in minibatches(x, y, steps=80):
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()

    assert diagnose(run)[0] == "grad-not-zeroed"


@pytest.mark.parametrize("reset", ["optimizer", "model", "set_to_none_false", "grad_none"])
def test_every_way_of_resetting_gradients_is_quiet(reset):
    def run():
        x, y = blobs()
        model = mlp()
        optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
        for xb, yb in minibatches(x, y, steps=80):
            if reset == "optimizer":
                optimizer.zero_grad()
            elif reset == "model":
                model.zero_grad()
            elif reset == "set_to_none_false":
                optimizer.zero_grad(set_to_none=False)
            else:
                for p in model.parameters():
                    p.grad = None
            F.cross_entropy(model(xb), yb).backward()
            optimizer.step()

    assert not OWN_IDS & set(diagnose(run))


def test_deliberate_accumulation_over_micro_batches_is_quiet():
    def run():
        x, y = blobs()
        model = mlp()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        for index, (xb, yb) in enumerate(minibatches(x, y, steps=240, batch=8)):
            (F.cross_entropy(model(xb), yb) / 4).backward()
            if index % 4 == 3:
                optimizer.step()
                optimizer.zero_grad()

    assert not OWN_IDS & set(diagnose(run))


def test_a_second_model_filling_the_gradients_between_steps_is_not_a_missing_reset():
    """A GAN: the generator's backward runs through the discriminator after its step; the discriminator
    resets its gradients before its own backward."""

    def run():
        gen = torch.Generator().manual_seed(1)
        real = torch.randn(512, 2, generator=gen) * 0.5 + 2.0
        discriminator = nn.Sequential(nn.Linear(2, 16), nn.LeakyReLU(0.2), nn.Linear(16, 1))
        generator = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
        d_opt = torch.optim.Adam(discriminator.parameters(), lr=1e-3)
        g_opt = torch.optim.Adam(generator.parameters(), lr=1e-3)
        ones, zeros = torch.ones(32, 1), torch.zeros(32, 1)
        for _ in range(80):
            batch = real[torch.randint(0, 512, (32,), generator=gen)]
            fake = generator(torch.randn(32, 4, generator=gen))
            d_opt.zero_grad()
            d_loss = F.binary_cross_entropy_with_logits(
                discriminator(batch), ones
            ) + F.binary_cross_entropy_with_logits(discriminator(fake.detach()), zeros)
            d_loss.backward()
            d_opt.step()
            g_opt.zero_grad()
            F.binary_cross_entropy_with_logits(discriminator(fake), ones).backward()
            g_opt.step()

    assert not OWN_IDS & set(diagnose(run))  # its generator, outside this optimizer, is trained by its own


def test_gradients_carried_into_most_steps_are_reported_with_the_parameters():
    store = stale_store()
    steps = list(range(1, 21))
    rows = [[0.5 * s, 0.1 * s, 0.4 * s, 0.1 * s, 0.3 * s, 0.1 * s] for s in steps]
    add_vectors(store, "stale_grad_norm", steps, rows)
    add_scalars(store, "grad_norm", [0.8 * (s + 1) for s in range(21)])
    found = finding(finish(store, 21), grad_not_zeroed)
    assert found is not None and found.step == 1
    assert "20 of 20 sampled steps" in found.evidence and "step 20" in found.evidence


def test_one_parameter_never_reset_is_named_alone():
    store = stale_store()
    steps = list(range(1, 21))
    rows = [[np.nan] * 4 + [0.3, np.nan] for _ in steps]  # only head.weight keeps its gradient
    add_vectors(store, "stale_grad_norm", steps, rows)
    found = finding(finish(store, 21), grad_not_zeroed)
    assert found is not None and "1 of 6 tensors: head.weight" in found.evidence


def test_gradients_reset_on_most_steps_are_quiet():
    store = stale_store()
    steps = list(range(1, 21))
    rows = [[0.2] * 6 if s % 4 == 0 else [0.0] * 6 for s in steps]  # 1 step in 4 carries: below half
    add_vectors(store, "stale_grad_norm", steps, rows)
    assert finding(finish(store, 21), grad_not_zeroed) is None
    few = stale_store()
    add_vectors(few, "stale_grad_norm", [1, 2, 3], [[0.2] * 6] * 3)  # too few readings to call a habit
    assert finding(finish(few, 4), grad_not_zeroed) is None


# --- params-not-updated -----------------------------------------------------------------------------
def fit(model, optimizer, steps: int = 60, x=None, y=None):
    x, y = (x, y) if x is not None else blobs()
    for xb, yb in minibatches(x, y, steps=steps):
        optimizer.zero_grad()
        F.cross_entropy(model(xb), yb).backward()
        optimizer.step()


def test_an_optimizer_built_on_a_copy_of_the_model_is_named():
    def run():
        model = mlp()
        fit(model, torch.optim.Adam(copy.deepcopy(model).parameters(), lr=1e-2))

    assert diagnose(run)[0] == "params-not-updated"


def test_a_head_replaced_after_the_optimizer_was_built_is_named():
    def run():
        model = mlp()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        model[-1] = nn.Linear(32, 4)
        fit(model, optimizer)

    torch.manual_seed(0)
    with nndoctor.watch() as doc:
        run()
    evidence = {f.id: f for f in doc.diagnosis().findings}["params-not-updated"].evidence
    assert "2.weight" in evidence and "not in the optimizer" in evidence


def test_a_layer_never_used_in_forward_is_named():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.body = mlp()
            self.unused = nn.Linear(4, 4)

        def forward(self, x):
            return self.body(x)

    def run():
        model = Net()
        fit(model, torch.optim.SGD(model.parameters(), lr=0.05))

    torch.manual_seed(0)
    with nndoctor.watch() as doc:
        run()
    found = {f.id: f for f in doc.diagnosis().findings}
    assert "unused.weight" in found["params-not-updated"].evidence


def test_frozen_backbones_are_quiet():
    def requires_grad_false():
        model = mlp(norm=True, dropout=0.1)
        for p in model[0].parameters():
            p.requires_grad = False
        fit(model, torch.optim.Adam(model.parameters(), lr=1e-2))

    def under_no_grad_outside_the_optimizer():
        backbone, head = mlp(out=32), nn.Linear(32, 4)
        backbone.eval()
        x, y = blobs()
        optimizer = torch.optim.Adam(head.parameters(), lr=1e-2)
        for xb, yb in minibatches(x, y, steps=60):
            with torch.no_grad():
                features = backbone(xb)
            optimizer.zero_grad()
            F.cross_entropy(head(features), yb).backward()
            optimizer.step()

    def a_teacher_trained_first_then_distilled_under_no_grad():
        teacher, student = mlp(hidden=64), mlp(hidden=8)
        fit(teacher, torch.optim.Adam(teacher.parameters(), lr=1e-2))  # its gradients are left behind
        teacher.eval()
        x, y = blobs()
        optimizer = torch.optim.Adam(student.parameters(), lr=1e-2)
        for xb, _ in minibatches(x, y, steps=60, seed=1):
            with torch.no_grad():
                soft = F.softmax(teacher(xb), dim=1)
            optimizer.zero_grad()
            F.cross_entropy(student(xb), soft).backward()
            optimizer.step()

    runs = (
        requires_grad_false,
        under_no_grad_outside_the_optimizer,
        a_teacher_trained_first_then_distilled_under_no_grad,
    )
    for run in runs:
        assert not OWN_IDS & set(diagnose(run)), run.__name__


# --- eval-mode-training -----------------------------------------------------------------------------
def validate_each_epoch(*, restore: bool, freeze_bn: bool = False):
    """Four epochs, each ending in a validation pass in eval mode; `restore`: model.train() each epoch."""

    def run():
        x, y = blobs()
        model = mlp(dropout=0.3, norm=True)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        model.train()
        for epoch in range(4):
            if restore:
                model.train()
            if freeze_bn:  # a deliberate freeze: the model trains, its batch-norm statistics stay fixed
                for m in model.modules():
                    if isinstance(m, nn.BatchNorm1d):
                        m.eval()
            for xb, yb in minibatches(x, y, steps=40, seed=epoch):
                optimizer.zero_grad()
                F.cross_entropy(model(xb), yb).backward()
                optimizer.step()
            model.eval()
            with torch.no_grad():
                F.cross_entropy(model(x), y)

    return run


def test_training_after_a_validation_pass_without_model_train_is_named():
    torch.manual_seed(0)
    with nndoctor.watch() as doc:
        validate_each_epoch(restore=False)()
    found = {f.id: f for f in doc.diagnosis().findings}
    evidence = found["eval-mode-training"].evidence
    assert "dropout" in evidence and "batch-norm" in evidence and "from step 40" in evidence


@pytest.mark.parametrize(
    "options",
    [{"restore": True}, {"restore": True, "freeze_bn": True}],
    ids=["train-each-epoch", "frozen-bn"],
)
def test_loops_that_return_to_train_mode_are_quiet(options):
    assert "eval-mode-training" not in diagnose(validate_each_epoch(**options))


def test_eval_mode_without_dropout_or_batch_norm_is_quiet():
    def run():
        x, y = blobs()
        model = mlp()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        model.eval()
        fit(model, optimizer, x=x, y=y)

    assert "eval-mode-training" not in diagnose(run)


def test_eval_mode_rule_on_a_store():
    store = new_store(modules=[{"name": "2", "type": "Dropout"}, {"name": "1", "type": "BatchNorm1d"}])
    store.apply({"kind": "structure", "data": {"loop": {"eval_mode_layers": ["1", "2"], "mode_layers": 2}}})
    add_scalars(store, "eval_mode_modules", [0] * 10 + [2] * 30, steps=range(0, 400, 10))
    add_scalars(store, "val_loss", [1.0, 0.5], steps=[95, 195])
    found = finding(finish(store, 400), eval_mode_training)
    assert (
        found is not None
        and found.step == 100
        and "validation pass before it was at step 95" in found.evidence
    )
    brief = new_store()
    add_scalars(brief, "eval_mode_modules", [0] * 38 + [2, 2], steps=range(0, 400, 10))
    assert finding(finish(brief, 400), eval_mode_training) is None  # two samples: not a habit


# --- batch-too-large --------------------------------------------------------------------------------
def full_batch(epochs: int, lr: float, optimizer=torch.optim.Adam):
    def run():
        x, y = blobs(classes=4, per_class=150, dim=8)
        x = x / 3  # overlapping blobs: a few updates are not enough
        model = mlp(hidden=64)
        opt = optimizer(model.parameters(), lr=lr)
        for _ in range(epochs):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()

    return run


def test_full_batch_training_with_a_handful_of_updates_is_named():
    assert diagnose(full_batch(epochs=30, lr=1e-3))[0] == "batch-too-large"


def test_full_batch_training_that_converges_is_quiet():
    assert "batch-too-large" not in diagnose(full_batch(epochs=600, lr=1e-2))


def test_ordinary_mini_batches_are_quiet_even_when_still_learning():
    def run():
        x, y = blobs(classes=4, per_class=150, dim=8)
        model = mlp(hidden=64)
        fit(model, torch.optim.SGD(model.parameters(), lr=1e-2), steps=60, x=x / 3, y=y)

    assert "batch-too-large" not in diagnose(run)


def batch_store(sizes, prints, losses, optimizer="Adam"):
    store = new_store(optimizer=optimizer)
    steps = range(len(losses))
    add_scalars(store, "batch_size", sizes, steps=steps)
    add_scalars(store, "batch_fingerprint", prints, steps=steps)
    add_scalars(store, "loss", losses)
    return finish(store, len(losses))


def test_batch_rule_on_a_store():
    falling = np.linspace(2.3, 1.2, 40)
    found = finding(batch_store([600] * 40, [1234.5] * 40, falling), batch_too_large)
    assert found is not None and "40 updates" in found.evidence and "mini-batches of 32" in found.advice
    assert (
        finding(batch_store([600] * 40, [1234.5] * 40, falling, optimizer="LBFGS"), batch_too_large) is None
    )
    different = 1000 + np.arange(40.0)  # other samples at each step, and 64 rows: mini-batches
    assert finding(batch_store([64] * 40, different, falling), batch_too_large) is None
    levelled = np.concatenate([np.linspace(2.3, 0.3, 20), np.full(20, 0.3)])
    assert finding(batch_store([600] * 40, [1234.5] * 40, levelled), batch_too_large) is None


def input_norm_run(*, train_epochs_first: int):
    """Raw features in the thousands behind an input BatchNorm1d; the loop calls model.eval() before
    its epochs and never model.train() again, after `train_epochs_first` epochs in train mode."""

    def run():
        x, y = blobs()
        x = 1000.0 * x + 500.0  # what the input batch norm is there to normalise
        model = nn.Sequential(nn.BatchNorm1d(x.shape[1]), mlp(dim=x.shape[1], dropout=0.2))
        optimizer = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.9)
        for epoch in range(4):
            if epoch == train_epochs_first:
                model.eval()
            for xb, yb in minibatches(x, y, steps=40, seed=epoch):
                optimizer.zero_grad()
                F.cross_entropy(model(xb), yb).backward()
                optimizer.step()

    return run


def test_a_batch_norm_that_never_normalised_explains_what_raw_inputs_cause():
    torch.manual_seed(0)
    with nndoctor.watch() as doc:
        input_norm_run(train_epochs_first=0)()
    head = doc.diagnosis().headline
    assert head.id == "eval-mode-training" and "never normalised a batch" in head.evidence
    assert head.explains and set(head.explains) <= set(catalog.entry("data-not-normalized").explains) | {
        "learning-bottleneck"
    }
    torch.manual_seed(0)
    with nndoctor.watch() as fitted:  # the batch norm learnt its statistics in the first epoch
        input_norm_run(train_epochs_first=1)()
    found = {f.id: f for f in fitted.diagnosis().findings}
    assert "never normalised" not in found["eval-mode-training"].evidence


class Stack(nn.Module):
    """Hidden layers built in a loop: held in nn.ModuleList, or (the bug) in a plain Python list."""

    def __init__(self, *, registered: bool):
        super().__init__()
        hidden = [nn.Linear(8 if i == 0 else 32, 32) for i in range(2)]
        self.hidden = nn.ModuleList(hidden) if registered else hidden
        self.out = nn.Linear(32, 4)

    def forward(self, x):
        for layer in self.hidden:
            x = F.relu(layer(x))
        return self.out(x)


@pytest.mark.parametrize("registered", [False, True], ids=["python-list", "module-list"])
def test_layers_kept_in_a_plain_list_are_never_trained(registered):
    def run():
        x, y = blobs()
        model = Stack(registered=registered)
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        fit(model, optimizer, x=x, y=y)

    torch.manual_seed(0)
    with nndoctor.watch() as doc:
        run()
    found = {f.id: f for f in doc.diagnosis().findings}
    if registered:
        assert "params-not-updated" not in found
    else:
        evidence = found["params-not-updated"].evidence
        assert evidence.startswith("2 Linear layers (1,344 trainable values)") and "registered" in evidence
