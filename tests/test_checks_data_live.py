"""The data checks on live runs: the batch probe profiles what the model trains on, and each data id fires
on a real training loop with its fault and stays quiet on the healthy twin (no warning or error)."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits, load_wine
from torch.utils.data import DataLoader, Dataset, TensorDataset
from toy_runs import one_thread  # noqa: F401  (an autouse fixture: one torch thread)

import nndoctor
from nndoctor.data import labels as label_probe
from nndoctor.data.labels import LabelSample, estimate_label_noise, run_fits_labels, wrong_label_floor
from nndoctor.data.live import LiveData
from nndoctor.findings import Severity
from nndoctor.monitor.probes.batches import model_input

DATA_IDS = {
    "data-nonfinite",
    "data-not-normalized",
    "targets-not-normalized",
    "labels-out-of-range",
    "class-imbalance",
    "labels-noisy",
    "data-duplicates",
    "data-constant-features",
    "data-unshuffled",
    "train-val-overlap",
    "train-val-mismatch",
}


@pytest.fixture(scope="module")
def digits():
    data = load_digits()
    return data.data.astype(np.float32), data.target.astype(np.int64)


@pytest.fixture(scope="module")
def wine():
    data = load_wine()
    return data.data.astype(np.float32), data.target.astype(np.int64)


def standardise(x: np.ndarray) -> np.ndarray:
    return ((x - x.mean(0)) / np.where(x.std(0) > 0, x.std(0), 1.0)).astype(np.float32)


def watched(run):
    with nndoctor.watch() as doc:
        run()
    diagnosis = doc.diagnosis()
    assert "internal_errors" not in diagnosis.run, diagnosis.run.get("internal_errors")
    return diagnosis, doc.store


def data_alarms(diagnosis) -> set[str]:
    """Data ids at warning or error: the healthy runs must have none."""
    return {f.id for f in diagnosis.findings if f.id in DATA_IDS and f.severity >= Severity.WARNING}


def fit(x, y, *, epochs=3, batch=32, shuffle=True, loss_fn=None, lr=1e-2, val=None, classes=None):
    """A seeded MLP trained with a DataLoader; `val` (inputs) is scored in eval mode after each epoch."""
    torch.manual_seed(0)
    x, y = torch.as_tensor(x), torch.as_tensor(y)
    classes = classes or (int(y.max()) + 1 if not y.is_floating_point() else 1)
    hidden = 32
    model = nn.Sequential(nn.Linear(x.shape[1], hidden), nn.ReLU(), nn.Linear(hidden, classes))
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = loss_fn or nn.CrossEntropyLoss()
    loader = DataLoader(TensorDataset(x, y), batch_size=batch, shuffle=shuffle)
    for _ in range(epochs):
        model.train()
        for xb, yb in loader:
            out = model(xb)
            loss = loss_fn(out.squeeze(-1) if classes == 1 else out, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if val is not None:
            model.eval()
            with torch.no_grad():
                model(torch.as_tensor(val))
    return model


# --- the existing data checks, live ---------------------------------------------------------------
def test_raw_pixels_are_found_in_the_batches_and_scaled_pixels_are_quiet(digits):
    x, y = digits
    diagnosis, store = watched(lambda: fit(x, y, epochs=2))
    assert diagnosis.headline.id == "data-not-normalized"
    assert "range 0 to 16" in diagnosis.headline.evidence
    assert store.structure["data_profile"]["source"] == "training batches"
    quiet, _ = watched(lambda: fit(x / 16.0, y, epochs=2))
    assert not data_alarms(quiet)


def test_nan_inputs_are_the_cause_of_the_nan_loss(wine):
    x, y = wine
    x = standardise(x)
    x[5, 3] = np.nan
    diagnosis, _ = watched(lambda: fit(x, y, epochs=2, batch=16))
    ids = diagnosis.ids()
    assert ids[0] == "data-nonfinite" and "loss-nonfinite" in ids
    assert "loss-nonfinite" in diagnosis.findings[0].explains


def test_a_crash_on_one_based_labels_names_the_labels(wine):
    x, y = wine

    with pytest.raises(IndexError, match="out of bounds"), nndoctor.watch() as doc:
        fit(standardise(x), y + 1, classes=3)
    head = doc.diagnosis().headline
    assert head.id == "labels-out-of-range" and head.severity is Severity.ERROR
    assert "crashed in cross_entropy" in head.evidence and "(y - 1)" in head.advice


def test_a_gpu_style_crash_on_labels_names_them(wine, monkeypatch):
    """On a GPU a class index out of range fails the loss kernel, not the loss call: the device is dead
    from then on and its next read raises (CUDA's device-side assert). Simulated on the CPU: a loss that
    lets the labels through and kills the "device", whose every read raises after that."""
    dead = []

    def failing_after_death(read):
        def checked(tensor, *args, **kwargs):
            if dead:
                raise torch.AcceleratorError("CUDA error: device-side assert triggered")
            return read(tensor, *args, **kwargs)

        return checked

    for read in ("item", "tolist", "cpu", "numpy"):
        monkeypatch.setattr(torch.Tensor, read, failing_after_death(getattr(torch.Tensor, read)))
    cross_entropy = F.cross_entropy

    def asserting_kernel(input, target, *args, **kwargs):
        if (target >= input.shape[1]).any():
            dead.append(True)
        return cross_entropy(input, target.clamp(max=input.shape[1] - 1), *args, **kwargs)

    monkeypatch.setattr(F, "cross_entropy", asserting_kernel)
    x, y = wine
    x, y = torch.as_tensor(standardise(x)), torch.as_tensor(y) + 1  # labels 1 to 3 for 3 outputs
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(x.shape[1], 16), nn.ReLU(), nn.Linear(16, 3))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    with pytest.raises(torch.AcceleratorError), nndoctor.watch() as doc:
        for start in range(0, len(x), 32):
            loss = F.cross_entropy(model(x[start : start + 32]), y[start : start + 32])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            print(loss.item())  # the script's first read after the kernel failed: where CUDA raises
    diagnosis = doc.diagnosis()
    head = diagnosis.headline
    assert head.id == "labels-out-of-range" and head.severity is Severity.ERROR
    assert "device-side assert" in head.evidence and "(y - 1)" in head.advice
    # met in the step that failed (the first batch holding label 3: the data are sorted by class)
    assert "internal_errors" not in diagnosis.run
    assert diagnosis.run["device_failure"]["step"] == diagnosis.run["steps"] - 1 > 0


def test_a_ranking_loss_target_is_its_third_argument_not_the_second_input():
    """margin_ranking_loss(score_a, score_b, y): the second argument is the other item's score, whose
    scale is the model's (tens here), and y (+1 or -1) is the target. The pairs are drawn from 64 items,
    which recur across them by design: not copies, and a label belongs to a pair, not to an item."""
    torch.manual_seed(0)
    x = torch.randn(64, 8)[torch.randint(0, 64, (512, 2))]
    y = torch.where(x[:, 0, 0] > x[:, 1, 0], 1.0, -1.0)
    scorer = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 1))
    with torch.no_grad():
        scorer[2].weight.mul_(30.0)  # scores of tens: an input, not a target to normalise

    def run():
        optimizer = torch.optim.SGD(scorer.parameters(), lr=1e-3)
        for start in range(0, 512, 32):
            a, b = scorer(x[start : start + 32, 0]).squeeze(1), scorer(x[start : start + 32, 1]).squeeze(1)
            loss = F.margin_ranking_loss(a, b, y[start : start + 32], margin=1.0)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    diagnosis, store = watched(run)
    targets = store.structure["data_profile"]["targets"]
    assert targets["classes"]["labels"] == [-1, 1]  # not the other item's scores
    assert data_alarms(diagnosis) == set()  # -1 is one of the two labels a ranking loss takes


def fit_two_heads(x, y, aux, *, classes):
    """A multi-task MLP: a `classes`-way head under cross_entropy plus a 1-output regression head under
    mse_loss, the two losses summed."""
    torch.manual_seed(0)
    trunk = nn.Sequential(nn.Linear(x.shape[1], 32), nn.ReLU())
    heads = nn.ModuleDict({"cls": nn.Linear(32, classes), "reg": nn.Linear(32, 1)})
    model = nn.ModuleDict({"trunk": trunk, "heads": heads})
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
    data = TensorDataset(torch.as_tensor(x), torch.as_tensor(y), torch.as_tensor(aux))
    for _ in range(3):
        for xb, yb, ab in DataLoader(data, batch_size=32, shuffle=True):
            h = trunk(xb)
            loss = F.cross_entropy(heads["cls"](h), yb) + 0.5 * F.mse_loss(heads["reg"](h).squeeze(1), ab)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()


def test_labels_are_paired_with_the_head_whose_loss_takes_them(wine):
    x, y = wine
    x = standardise(x)
    aux = x[:, 0].copy()  # a standardised regression target beside the class labels
    diagnosis, _ = watched(lambda: fit_two_heads(x, y, aux, classes=3))
    assert (
        "labels-out-of-range" not in diagnosis.ids()
    )  # 3 labels, 3 outputs: the 1-output head is not theirs
    with pytest.raises(IndexError, match="out of bounds"), nndoctor.watch() as doc:
        fit_two_heads(x, y + 1, aux, classes=3)
    head = doc.diagnosis().headline
    assert head.id == "labels-out-of-range" and "3 outputs (cross_entropy)" in head.evidence


def test_a_sample_is_all_the_inputs_of_its_forward_call():
    # each user rates ten items: a user id alone repeats with other labels, the (user, item) pair never does
    pairs = torch.arange(600)
    users, items = pairs % 60, pairs // 60
    labels = (users + items) % 3

    class PairModel(nn.Module):
        def __init__(self):
            super().__init__()
            self.users, self.items = nn.Embedding(60, 8), nn.Embedding(10, 8)
            self.out = nn.Linear(16, 3)

        def forward(self, user, item):
            return self.out(torch.cat([self.users(user), self.items(item)], dim=1))

    def run():
        torch.manual_seed(0)
        model = PairModel()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        for _ in range(3):
            for ub, ib, yb in DataLoader(TensorDataset(users, items, labels), batch_size=32, shuffle=True):
                loss = F.cross_entropy(model(ub, ib), yb)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

    diagnosis, store = watched(run)
    assert store.structure["data_profile"]["duplicates"]["conflicting_inputs"] == 0
    assert "data-duplicates" not in diagnosis.ids()


def test_raw_features_into_a_batch_norm_first_layer_are_normalised_by_the_model(wine):
    x, y = wine  # raw: proline runs to about 1,700

    def run(first_layer: nn.Module):
        torch.manual_seed(0)
        model = nn.Sequential(first_layer, nn.Linear(13, 32), nn.ReLU(), nn.Linear(32, 3))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        for _ in range(5):
            for xb, yb in DataLoader(
                TensorDataset(torch.as_tensor(x), torch.as_tensor(y)), batch_size=32, shuffle=True
            ):
                loss = F.cross_entropy(model(xb), yb)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

    normalised, _ = watched(lambda: run(nn.BatchNorm1d(13)))
    assert "data-not-normalized" not in normalised.ids()
    raw, _ = watched(lambda: run(nn.Identity()))
    assert "data-not-normalized" in raw.ids()


def test_an_interaction_log_repeats_its_keys_with_other_outcomes():
    # clicks drawn for random (user, item) pairs: a pair recurs by chance, and its outcome is a coin toss
    gen = torch.Generator().manual_seed(0)
    users, items = (
        torch.randint(0, 200, (3000,), generator=gen),
        torch.randint(0, 100, (3000,), generator=gen),
    )
    taste = torch.randn(200, generator=gen)[users] * torch.randn(100, generator=gen)[items]
    clicks = (torch.rand(3000, generator=gen) < torch.sigmoid(2 * taste)).float()

    class Clicks(nn.Module):
        def __init__(self):
            super().__init__()
            self.users, self.items = nn.Embedding(200, 4), nn.Embedding(100, 4)

        def forward(self, user, item):
            return (self.users(user) * self.items(item)).sum(1)

    def run():
        torch.manual_seed(0)
        model = Clicks()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        for _ in range(3):
            for ub, ib, cb in DataLoader(TensorDataset(users, items, clicks), batch_size=64, shuffle=True):
                loss = F.binary_cross_entropy_with_logits(model(ub, ib), cb)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

    diagnosis, store = watched(run)
    assert (
        store.structure["data_profile"]["duplicates"]["conflicting_inputs"] > 0.005 * 3000
    )  # there are some
    assert "data-duplicates" not in diagnosis.ids()


def test_a_second_training_joined_mid_epoch_does_not_count_copies(digits):
    # pretraining, then fine-tuning with a new optimizer on other, distinct samples: the monitor takes
    # the second for a new training only after some of its steps, in the middle of an epoch
    x, y = digits
    x = (x / 16.0).astype(np.float32)
    pretrain = TensorDataset(torch.as_tensor(x[:1000]), torch.as_tensor(y[:1000]))
    finetune = TensorDataset(torch.as_tensor(x[1000:1300]), torch.as_tensor(y[1000:1300]))

    def run():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
        first = torch.optim.SGD(model.parameters(), lr=0.05)
        second = torch.optim.Adam(model.parameters(), lr=1e-3)
        for optimizer, data, epochs, batch in ((first, pretrain, 3, 32), (second, finetune, 15, 16)):
            for _ in range(epochs):
                for xb, yb in DataLoader(data, batch_size=batch, shuffle=True):
                    loss = F.cross_entropy(model(xb), yb)
                    optimizer.zero_grad()
                    loss.backward()
                    optimizer.step()

    diagnosis, store = watched(run)
    assert store.structure["trainings"] == 2
    assert store.structure["data_profile"]["duplicates"]["duplicate_rows"] == 0
    assert "data-duplicates" not in diagnosis.ids()


def test_severe_imbalance_with_an_unweighted_loss_and_quiet_when_weighted():
    gen = np.random.default_rng(0)
    x = gen.normal(size=(1500, 8)).astype(np.float32)
    y = (gen.random(1500) < 0.03).astype(np.int64)
    x[y == 1] += 1.5
    diagnosis, _ = watched(lambda: fit(x, y, epochs=2))
    assert diagnosis.headline.id == "class-imbalance"
    weights = torch.tensor([1.0, 30.0])
    weighted, _ = watched(lambda: fit(x, y, epochs=2, loss_fn=nn.CrossEntropyLoss(weight=weights)))
    assert "class-imbalance" not in weighted.ids()


def test_standardised_regression_targets_are_quiet_and_raw_ones_are_not():
    gen = np.random.default_rng(1)
    x = gen.normal(size=(600, 5)).astype(np.float32)
    y = (x @ gen.normal(size=5)).astype(np.float32)
    quiet, _ = watched(lambda: fit(x, y, epochs=2, loss_fn=nn.MSELoss()))
    assert not data_alarms(quiet)
    loud, _ = watched(lambda: fit(x, 150 + 60 * y, epochs=2, loss_fn=nn.MSELoss()))
    assert loud.headline.id == "targets-not-normalized"


def test_integer_counts_regressed_with_mse_are_not_classes():
    gen = np.random.default_rng(3)
    x = gen.normal(size=(800, 4)).astype(np.float32)
    counts = gen.poisson(np.exp(0.8 * x[:, 0])).astype(np.float32)  # mostly 0-2, a few up to 15
    diagnosis, store = watched(lambda: fit(x, counts, epochs=2, loss_fn=nn.MSELoss()))
    assert store.structure["data_profile"]["targets"]["kind"] == "continuous"
    assert not data_alarms(diagnosis)


def test_tripled_rows_are_duplicates_but_sampling_with_replacement_is_not():
    gen = np.random.default_rng(2)
    x = standardise(gen.normal(size=(120, 4)))
    y = (x[:, 0] > 0).astype(np.int64)
    diagnosis, _ = watched(lambda: fit(np.concatenate([x] * 3), np.concatenate([y] * 3), epochs=4, batch=30))
    assert diagnosis.headline.id == "data-duplicates"

    def with_replacement():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 2))
        optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
        inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
        for _ in range(60):
            index = torch.randint(0, len(inputs), (16,))
            loss = F.cross_entropy(model(inputs[index]), targets[index])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    quiet, _ = watched(with_replacement)
    assert "data-duplicates" not in quiet.ids()


def test_batches_refilled_in_place_are_not_taken_for_copies(digits):
    """A loop that copies each batch into the same preallocated tensors (as a prefetching loader does):
    the probe must keep what a batch held when it was trained on, not what the tensor holds later."""
    x, y = digits
    x = standardise(x)

    def refilled():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        inputs, targets = torch.from_numpy(x), torch.from_numpy(y)
        batch_x, batch_y = torch.empty(32, 64), torch.empty(32, dtype=torch.int64)
        for _ in range(3):
            order = torch.randperm(len(inputs))
            for start in range(0, len(inputs) - 31, 32):
                batch_x.copy_(inputs[order[start : start + 32]])
                batch_y.copy_(targets[order[start : start + 32]])
                loss = F.cross_entropy(model(batch_x), batch_y)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()

    diagnosis, store = watched(refilled)
    assert data_alarms(diagnosis) == set()
    live = store.structure["live_data"]
    assert live["train_samples"] > 0.9 * len(x)  # the distinct inputs of an epoch, not the last batch's 32


def test_dict_batches_from_a_custom_dataset(digits):
    x, y = digits

    class Samples(Dataset):
        def __len__(self):
            return len(x)

        def __getitem__(self, i):
            return {"image": torch.from_numpy(x[i]).view(1, 8, 8), "label": int(y[i])}

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv = nn.Conv2d(1, 4, 3, padding=1)
            self.head = nn.Linear(4 * 64, 10)

        def forward(self, batch):
            return self.head(F.relu(self.conv(batch["image"])).flatten(1))

    def run():
        torch.manual_seed(0)
        model = Net()
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
        for batch in DataLoader(Samples(), batch_size=64, shuffle=True):
            loss = F.cross_entropy(model(batch), batch["label"])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    diagnosis, store = watched(run)
    assert diagnosis.headline.id == "data-not-normalized"
    assert store.structure["data_profile"]["layout"] == "image"


def test_token_ids_to_an_embedding_are_not_unnormalised_inputs():
    def run():
        torch.manual_seed(0)
        tokens = torch.randint(0, 50, (512, 12))
        labels = (tokens < 10).sum(1).gt(2).long()
        model = nn.Sequential(nn.Embedding(50, 8), nn.Flatten(), nn.Linear(96, 2))
        optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
        for xb, yb in DataLoader(TensorDataset(tokens, labels), batch_size=32, shuffle=True):
            loss = F.cross_entropy(model(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()

    diagnosis, _ = watched(run)
    assert not data_alarms(diagnosis)


# --- labels-noisy ------------------------------------------------------------------------------------
def test_flipped_labels_are_found_and_clean_ones_are_not(digits):
    x, y = digits
    gen = np.random.default_rng(0)
    noisy = y.copy()
    wrong = gen.random(len(y)) < 0.25
    noisy[wrong] = (noisy[wrong] + gen.integers(1, 10, wrong.sum())) % 10
    diagnosis, store = watched(lambda: fit(x / 16.0, noisy, epochs=2))
    assert diagnosis.headline.id == "labels-noisy"
    assert "steps" in diagnosis.headline.evidence  # live samples are named by the step they were seen at
    assert store.structure["label_check"]["seconds"] < 10
    clean, _ = watched(lambda: fit(x / 16.0, y, epochs=2))
    assert "labels-noisy" not in clean.ids()


def test_a_run_that_fits_its_labels_is_spared_the_label_check(digits):
    x, y = digits
    fitted, store = watched(lambda: fit(x / 16.0, y, epochs=8))
    assert "fits its labels" in fitted.run["label_check"]["skipped"]
    assert store.structure["data_profile"].get("label_noise") is None
    # the same labels 25% flipped: the loss stays above the floor wrong labels leave, and it runs
    gen = np.random.default_rng(1)
    noisy = y.copy()
    wrong = gen.random(len(y)) < 0.25
    noisy[wrong] = (noisy[wrong] + gen.integers(1, 10, wrong.sum())) % 10
    flagged, _ = watched(lambda: fit(x / 16.0, noisy, epochs=8))
    assert "seconds" in flagged.run["label_check"]
    assert flagged.headline.id == "labels-noisy"


def test_a_loss_near_chance_on_inputs_that_barely_predict_the_labels_is_no_warning():
    """75% positives whose inputs say nothing about them: the network sits near the labels' entropy,
    which is all such data allows, and the label probe (no better than guessing the commonest class)
    shows it. The same inputs with labels they decide, and a network that does not learn: a warning."""
    gen = np.random.default_rng(0)
    x = gen.normal(size=(2000, 8)).astype(np.float32)
    noise = (gen.random(2000) < 0.75).astype(np.int64)
    decided = (x[:, 0] + 0.5 * x[:, 1] > -0.67).astype(np.int64)  # also about 75% ones
    weak, _ = watched(lambda: fit(x, noise, epochs=6))
    plateau = next(f for f in weak.findings if f.id == "loss-plateau")
    assert plateau.severity == Severity.INFO and "little signal" in plateau.evidence
    assert not [f for f in weak.findings if f.severity >= Severity.WARNING]
    stuck, _ = watched(lambda: fit(x, decided, epochs=6, lr=0.0))
    plateau = next(f for f in stuck.findings if f.id == "loss-plateau")
    assert plateau.severity == Severity.WARNING and "little signal" not in plateau.evidence


def test_the_floor_wrong_labels_leave_grows_with_their_share_and_the_classes():
    assert wrong_label_floor(10, 0.05) > wrong_label_floor(3, 0.05) > wrong_label_floor(3, 0.01)
    falling = np.geomspace(2.3, 0.01, 200)
    assert run_fits_labels(falling, np.zeros(0), classes=10) is not None
    assert run_fits_labels(np.geomspace(2.3, 0.5, 200), np.zeros(0), classes=10) is None
    # fits its labels but the validation loss turns up: memorising, so it is checked
    assert run_fits_labels(falling, np.array([1.0, 0.6, 0.5, 0.7]), classes=10) is None
    assert run_fits_labels(falling, np.zeros(0), classes=0) is None  # unknown classes: always checked


def test_the_label_probe_leaves_every_random_generator_alone(digits):
    x, y = digits
    sample = LabelSample()
    sample.offer(x[:600].astype(np.float64), y[:600, None].astype(np.float64), np.arange(600))
    torch.manual_seed(3)
    random.seed(3)
    np.random.seed(3)
    states = (torch.random.get_rng_state(), random.getstate(), np.random.get_state()[1].copy())
    result = estimate_label_noise(sample)
    assert result["checked"] == 600 and result["suspect_share"] < 0.05
    assert torch.equal(torch.random.get_rng_state(), states[0])
    assert random.getstate() == states[1] and np.array_equal(np.random.get_state()[1], states[2])


def test_without_the_labels_extra_the_check_is_skipped_with_a_note(monkeypatch, digits):
    import builtins

    real_import = builtins.__import__

    def no_cleanlab(name, *args, **kwargs):
        if name.startswith("cleanlab"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_cleanlab)
    x, y = digits
    diagnosis, _ = watched(lambda: fit(x / 16.0, y, epochs=1))
    assert diagnosis.run["label_check"] == {"note": label_probe.MISSING_EXTRA}
    assert "labels-noisy" not in diagnosis.ids()


# --- data-unshuffled ---------------------------------------------------------------------------------
def test_batches_sorted_by_class_and_a_shuffled_loader(digits):
    x, y = digits
    order = np.argsort(y, kind="stable")
    diagnosis, _ = watched(lambda: fit(x[order] / 16.0, y[order], epochs=2, shuffle=False))
    assert diagnosis.headline.id == "data-unshuffled"
    assert "class-imbalance" not in diagnosis.ids()  # the sampled batches do not give the class shares
    shuffled, _ = watched(lambda: fit(x[order] / 16.0, y[order], epochs=2, shuffle=True))
    assert not data_alarms(shuffled)


# --- train-val-overlap and train-val-mismatch --------------------------------------------------------
def test_validation_rows_taken_from_the_training_set(wine):
    x, y = wine
    x = standardise(x)
    order = np.random.default_rng(0).permutation(len(x))
    train, val = order[:130], order[100:]  # 30 of the 78 validation rows were trained on
    diagnosis, _ = watched(lambda: fit(x[train], y[train], epochs=4, batch=16, val=x[val]))
    assert diagnosis.headline.id == "train-val-overlap"
    assert "30 of 78 validation samples" in diagnosis.headline.evidence


def test_a_disjoint_split_and_training_accuracy_are_not_overlap(wine):
    x, y = wine
    x = standardise(x)
    gen = np.random.default_rng(0)
    order = gen.permutation(len(x))
    train, val = order[:130], order[130:]

    def run():
        model = fit(x[train], y[train], epochs=3, batch=16, val=x[val])
        model.eval()
        with torch.no_grad():  # the training accuracy, on the training set itself
            for start in range(0, len(train), 32):
                model(torch.from_numpy(x[train][start : start + 32]))

    diagnosis, _ = watched(run)
    assert not data_alarms(diagnosis)


def test_a_scaler_applied_to_the_training_split_only(wine):
    x, y = wine
    gen = np.random.default_rng(0)
    order = gen.permutation(len(x))
    train, val = order[:130], order[130:]
    mean, std = x[train].mean(0), x[train].std(0)
    scaled = ((x - mean) / std).astype(np.float32)
    diagnosis, _ = watched(lambda: fit(scaled[train], y[train], epochs=3, batch=16, val=x[val]))
    assert diagnosis.headline.id == "train-val-mismatch"
    quiet, _ = watched(lambda: fit(scaled[train], y[train], epochs=3, batch=16, val=scaled[val]))
    assert not data_alarms(quiet)


# --- the probe's parts ----------------------------------------------------------------------------
def test_the_model_input_is_the_first_tensor_of_samples():
    x, mask = torch.ones(4, 3), torch.ones(4, 3, dtype=torch.bool)
    assert model_input((x, mask), {}) is x
    assert model_input((), {"attention_mask": mask, "input_ids": x}) is x
    assert model_input(({"label": torch.zeros(4), "image": x},), {}) is x
    assert model_input((mask, torch.tensor(2.0)), {}) is None


def test_live_data_counts_copies_only_once_the_data_is_seen_to_run_out():
    gen = np.random.default_rng(0)
    rows = gen.normal(size=(40, 3))
    live = LiveData()
    data = np.concatenate([rows, rows[:10]])  # 10 copies among 50 rows
    for epoch in range(2):
        order = gen.permutation(len(data))
        for step, start in enumerate(range(0, 50, 10)):
            live.add_train(data[order[start : start + 10]], None, step=epoch * 5 + step)
    assert live.duplicates()["duplicate_rows"] == 10 and live.coverage() == 1.0
    partial = LiveData()
    partial.add_train(rows[:20], None, step=0)
    assert partial.duplicates()["duplicate_rows"] == 0 and partial.coverage() == 0.0


def test_batch_classes_are_counted_on_whole_number_targets_only():
    live, inputs = LiveData(), np.zeros((4, 2))
    live.add_train(inputs, np.array([0.0, 1.0, np.inf, 1.0]), step=0)  # infinity equals its floor
    live.add_train(inputs, np.array([0.0, 0.5, 1.0, 1.0]), step=1)  # continuous: no classes
    live.add_train(inputs, np.array([0.0, np.nan, 1.0, 1.0]), step=2)
    live.add_train(inputs, np.array([3, 3, 1, 0]), step=3)
    assert live.batch_sizes == [4, 4] and live.batch_classes == [3, 3]
    assert live.train_rows == 16  # buffered and profiled alike
    live.profile_buffered()
    assert live.train_rows == live.train.rows == 16


def test_the_label_sample_holds_each_sample_once_across_epochs():
    rows = np.arange(300, dtype=np.float64).reshape(100, 3)
    labels = (np.arange(100) % 2).astype(np.float64)[:, None]
    sample = LabelSample(capacity=80)
    for _ in range(3):  # three epochs of the same 100 samples
        sample.offer(rows, labels, np.arange(100))
    held = sample.features[: sample.rows()]
    assert sample.rows() == 80 and len(np.unique(held, axis=0)) == 80
