"""Unit health checks: dead-relu and saturated-activations, on hand-made stores and on real runs."""

from __future__ import annotations

from functools import partial

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from store_builders import add_scalars, finish, new_store
from toy_runs import one_thread  # noqa: F401  (an autouse fixture: one torch thread)

import nndoctor
from nndoctor.checks.units import dead_relu, saturated_activations
from nndoctor.findings import Severity
from nndoctor.monitor.store import Store


def unit_store(series: str, layers: dict[str, list[float]], samples: list[int], units: int = 64) -> Store:
    """Windows of the units probe: per layer one share per window, ending at steps 8, 136, 264, ..."""
    store = new_store()
    store.apply({"kind": "columns", "name": series, "names": list(layers)})
    store.apply({"kind": "structure", "data": {"unit_counts": {name: units for name in layers}}})
    steps = [8 + 128 * index for index in range(len(samples))]
    for index, step in enumerate(steps):
        values = [shares[index] for shares in layers.values()]
        store.apply({"kind": "vector", "name": series, "step": step, "values": values})
    store.apply({"kind": "scalars", "name": "units_window_samples", "steps": steps, "values": samples})
    return finish(store, steps[-1] + 1)


# --- dead-relu on hand-made stores ------------------------------------------------------------------
def test_a_layer_killed_during_training_is_reported_with_its_share():
    store = unit_store(
        "relu_dead_frac", {"fc1.act": [0.02, 0.3, 0.7], "fc2.act": [0.0, 0.05, 0.06]}, [256] * 3
    )
    [finding] = dead_relu(store)
    assert finding.where == "fc1.act"
    assert "45 of 64 units" in finding.evidence and "training killed them" in finding.evidence
    assert "LeakyReLU" in finding.advice


def test_half_a_layer_dead_is_a_warning_where_the_loss_stalls_and_a_note_where_it_fell():
    layers = {"fc1.act": [0.02, 0.3, 0.6]}
    rng = np.random.default_rng(0)
    falling = unit_store("relu_dead_frac", layers, [256] * 3)  # 10 classes: chance ln(10) = 2.30
    add_scalars(falling, "loss", 0.1 + 2.2 * np.exp(-np.arange(300) / 40) + 0.01 * rng.random(300))
    [note] = dead_relu(falling)
    assert note.severity is Severity.INFO and "did not stall" in note.evidence
    stalled = unit_store("relu_dead_frac", layers, [256] * 3)
    add_scalars(stalled, "loss", 2.25 + 0.01 * rng.random(300))  # flat at chance
    [warning] = dead_relu(stalled)
    assert warning.severity is None  # the catalog's: a warning


def test_a_whole_dead_layer_is_said_to_block_the_gradient():
    store = unit_store("relu_dead_frac", {"a": [0.9, 1.0, 1.0], "b": [0.1, 0.1, 0.1]}, [128] * 3, units=6)
    [finding] = dead_relu(store)
    assert finding.confidence == 0.9 and "no gradient reaches" in finding.evidence
    assert "already 90% silent" in finding.evidence and "only 6 units" in finding.advice


def test_quiet_when_a_few_units_of_a_wide_layer_are_dead():
    store = unit_store("relu_dead_frac", {"a": [0.05, 0.2, 0.3], "b": [0.0, 0.1, 0.45]}, [256] * 3)
    assert dead_relu(store) == []


def test_a_window_with_too_few_samples_is_not_read():
    # silent over 16 samples is what a unit firing on 10% of inputs does one time in five
    store = unit_store("relu_dead_frac", {"a": [0.1, 0.1, 0.8]}, [256, 256, 16])
    assert dead_relu(store) == []


# --- on real runs -----------------------------------------------------------------------------------
def diagnose(run) -> tuple[list[str], nndoctor.Diagnosis]:
    torch.manual_seed(0)
    with nndoctor.watch() as doc:
        run()
    diagnosis = doc.diagnosis()
    assert "internal_errors" not in diagnosis.run, diagnosis.run.get("internal_errors")
    return diagnosis.ids(), diagnosis


def regression_data(seed: int = 0):
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(512, 8, generator=gen)
    return x, torch.sin(x[:, :1]) + 0.5 * x[:, 1:2]


def fit(model, x, y, *, steps: int, lr: float = 1e-3, functional_loss=F.mse_loss, optimizer=torch.optim.Adam):
    optimizer = optimizer(model.parameters(), lr=lr)
    for step in range(steps):
        index = torch.arange(step * 32, step * 32 + 32) % len(x)
        optimizer.zero_grad()
        functional_loss(model(x[index]), y[index]).backward()
        optimizer.step()


def test_a_deep_narrow_relu_network_dies():
    def run():
        torch.manual_seed(0)
        layers = [nn.Linear(8, 4), nn.ReLU()]
        for _ in range(12):
            layers += [nn.Linear(4, 4), nn.ReLU()]
        fit(nn.Sequential(*layers, nn.Linear(4, 1)), *regression_data(), steps=300)

    ids, diagnosis = diagnose(run)
    assert "dead-relu" in ids
    finding = diagnosis.findings[ids.index("dead-relu")]
    assert "of 4 units" in finding.evidence and "only 4 units" in finding.advice


def test_functional_relu_is_named_after_the_layer_before_it():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(8, 4)] + [nn.Linear(4, 4) for _ in range(12)])
            self.head = nn.Linear(4, 1)

        def forward(self, x):
            for layer in self.layers:
                x = torch.relu(layer(x))
            return self.head(x)

    def run():
        torch.manual_seed(0)
        fit(Net(), *regression_data(), steps=300)

    ids, diagnosis = diagnose(run)
    assert "dead-relu" in ids
    assert "(relu)" in diagnosis.findings[ids.index("dead-relu")].evidence


def test_quiet_on_a_healthy_relu_network():
    def run():
        torch.manual_seed(0)
        model = nn.Sequential(nn.Linear(8, 128), nn.ReLU(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 1))
        fit(model, *regression_data(), steps=300, lr=3e-3)

    ids, _ = diagnose(run)
    assert "dead-relu" not in ids


# --- saturated-activations on hand-made stores ------------------------------------------------------
def stuck_loss(store: Store, steps: int = 400, level: float = 2.3) -> Store:
    store.apply({"kind": "scalars", "name": "loss", "steps": list(range(steps)), "values": [level] * steps})
    return store


def test_saturated_units_with_a_stuck_loss_are_reported():
    store = stuck_loss(unit_store("saturated_frac", {"fc1 (tanh)": [0.8, 0.85, 0.9]}, [256] * 3))
    [finding] = saturated_activations(store)
    assert "90% of the outputs of `fc1 (tanh)`" in finding.evidence and "since step 200" in finding.evidence
    assert "80% saturated from the first" in finding.evidence and "too large from the start" in finding.advice


def test_quiet_when_the_network_learns_with_saturated_units():
    store = unit_store("saturated_frac", {"fc1 (sigmoid)": [0.8, 0.85, 0.9]}, [256] * 3)
    steps = list(range(400))
    store.apply({"kind": "scalars", "name": "loss", "steps": steps, "values": [2.3 * 0.99**s for s in steps]})
    assert saturated_activations(store) == []


def test_quiet_below_half_saturated_even_when_stuck():
    store = stuck_loss(unit_store("saturated_frac", {"fc1 (tanh)": [0.3, 0.4, 0.45]}, [256] * 3))
    assert saturated_activations(store) == []


def test_saturation_that_comes_only_late_in_the_plateau_is_not_blamed_for_it():
    # the loss was stuck from step 350 on; the layer saturated in the last window only
    shares = {"fc1 (tanh)": [0.1, 0.1, 0.1, 0.1, 0.1, 0.9]}
    store = stuck_loss(unit_store("saturated_frac", shares, [256] * 6), steps=700)
    assert saturated_activations(store) == []


def test_a_recurrent_layer_is_advised_on_the_scale_of_its_inputs():
    store = stuck_loss(unit_store("saturated_frac", {"rnn (tanh)": [0.6, 0.7, 0.7]}, [256] * 3))
    store.apply({"kind": "structure", "data": {"weights": [{"module": "rnn", "type": "RNN"}]}})
    [finding] = saturated_activations(store)
    assert "recurrent" in finding.advice and "sqrt(d)" in finding.advice


def falling_loss(store: Store, steps: int = 400) -> Store:
    values = [2.3 * 0.995**step for step in range(steps)]
    store.apply({"kind": "scalars", "name": "loss", "steps": list(range(steps)), "values": values})
    return store


def test_a_recurrent_cell_saturated_from_the_start_is_reported_while_the_loss_falls():
    store = falling_loss(unit_store("saturated_frac", {"W_x + W_h (tanh)": [0.4, 0.45, 0.45]}, [256] * 3))
    store.apply({"kind": "structure", "data": {"recurrent_units": ["W_x + W_h (tanh)"]}})
    [finding] = saturated_activations(store)
    assert finding.where == "W_x + W_h (tanh)" and "From the first batches on" in finding.evidence
    assert "40% at the start" in finding.evidence and finding.confidence < 0.8
    assert "recurrent" in finding.advice and "bag of embeddings" in finding.advice


def test_quiet_on_the_same_shares_in_a_layer_that_is_not_recurrent():
    store = falling_loss(unit_store("saturated_frac", {"fc (tanh)": [0.4, 0.45, 0.45]}, [256] * 3))
    assert saturated_activations(store) == []


def test_quiet_on_a_recurrent_layer_that_saturates_only_with_training_or_recovers():
    store = falling_loss(
        unit_store(
            "saturated_frac", {"rnn (tanh)": [0.05, 0.4, 0.45], "gru (tanh)": [0.3, 0.1, 0.05]}, [256] * 3
        )
    )
    store.apply(
        {
            "kind": "structure",
            "data": {"weights": [{"module": "rnn", "type": "RNN"}, {"module": "gru", "type": "GRU"}]},
        }
    )
    assert saturated_activations(store) == []


# --- saturated-activations on real runs -------------------------------------------------------------
def saturated_shares(doc) -> dict[str, float]:
    """Each sigmoid/tanh layer's share of saturated outputs in the last window the units probe emitted."""
    _, layers, matrix = doc.store.vectors("saturated_frac")
    return dict(zip(layers, matrix[-1].tolist()))


def token_counts(seed: int = 0):
    """Sequences of 12 tokens; the label says whether token 1 occurs more often than token 2."""
    gen = torch.Generator().manual_seed(seed)
    tokens = torch.randint(0, 12, (1024, 12), generator=gen)
    return tokens, ((tokens == 1).sum(1) > (tokens == 2).sum(1)).long()


class TokenRNN(nn.Module):
    def __init__(self, input_scale: float):
        super().__init__()
        self.input_scale = input_scale
        self.embedding = nn.Embedding(12, 16)
        self.rnn = nn.RNN(16, 16, batch_first=True)
        self.head = nn.Linear(16, 2)

    def forward(self, tokens):
        states, _ = self.rnn(self.embedding(tokens) * self.input_scale)
        return self.head(states[:, -1])


def test_a_tanh_rnn_fed_inputs_8x_too_large_saturates_and_stops_learning():
    def run():
        torch.manual_seed(0)
        fit(TokenRNN(8.0), *token_counts(), steps=200, functional_loss=F.cross_entropy)

    ids, diagnosis = diagnose(run)
    assert ids[0] == "saturated-activations" and "loss-plateau" in ids
    assert diagnosis.headline.where == "rnn (tanh)" and "recurrent" in diagnosis.headline.advice


def test_quiet_on_a_tanh_rnn_fed_unit_scale_inputs():
    def run():
        torch.manual_seed(0)
        fit(TokenRNN(1.0), *token_counts(), steps=200, functional_loss=F.cross_entropy)

    ids, _ = diagnose(run)
    assert "saturated-activations" not in ids and "loss-plateau" not in ids


def test_summed_conv_features_saturate_the_tanh_layer_above_them():
    class SumPooledCNN(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = nn.Conv2d(1, 4, 3, padding=1), nn.Conv2d(4, 8, 3, padding=1)
            self.fc, self.act, self.out = nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 10)

        def forward(self, x):
            x = torch.relu(self.conv2(torch.relu(self.conv1(x))))
            return self.out(self.act(self.fc(x.sum(dim=(2, 3)))))  # a sum where a mean was meant

    images, labels = load_digits(return_X_y=True)
    x = torch.tensor((images - images.mean()) / images.std(), dtype=torch.float32).view(-1, 1, 8, 8)

    def run():
        torch.manual_seed(0)
        sgd = partial(torch.optim.SGD, momentum=0.9)
        fit(
            SumPooledCNN(),
            x,
            torch.tensor(labels),
            steps=120,
            lr=0.05,
            functional_loss=F.cross_entropy,
            optimizer=sgd,
        )

    ids, diagnosis = diagnose(run)
    assert ids[0] == "saturated-activations" and diagnosis.headline.where == "fc (tanh)"
    assert "loss-plateau" in diagnosis.headline.explains


def test_quiet_when_saturated_units_still_tell_the_inputs_apart():
    # a sum over 32 set members pushes the tanh layer to +-1, but its on/off pattern separates the classes
    class SetSum(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc, self.act, self.out = nn.Linear(8, 32), nn.Tanh(), nn.Linear(32, 4)

        def forward(self, sets):
            return self.out(self.act(self.fc(sets.sum(1))))

    gen = torch.Generator().manual_seed(0)
    centers = torch.randn(4, 8, generator=gen)
    labels = torch.randint(0, 4, (1024,), generator=gen)
    sets = centers[labels].unsqueeze(1) + torch.randn(1024, 32, 8, generator=gen)
    torch.manual_seed(0)
    with nndoctor.watch() as doc:
        sgd = partial(torch.optim.SGD, momentum=0.9)
        fit(SetSum(), sets, labels, steps=200, lr=0.05, functional_loss=F.cross_entropy, optimizer=sgd)
    assert saturated_shares(doc)["fc (tanh)"] >= 0.5
    ids = doc.diagnosis().ids()
    assert "saturated-activations" not in ids and "loss-plateau" not in ids


def test_packed_sequences_reach_the_units_probe():
    lstm, head = nn.LSTM(4, 8), nn.Linear(8, 1)
    optimizer = torch.optim.SGD([*lstm.parameters(), *head.parameters()], lr=0.01)
    gen = torch.Generator().manual_seed(0)
    with nndoctor.watch() as doc:
        for _ in range(8):
            batch = nn.utils.rnn.pack_sequence([torch.randn(n, 4, generator=gen) for n in (6, 5, 3)])
            _, (last, _) = lstm(batch)
            optimizer.zero_grad()
            F.mse_loss(head(last[-1]), torch.zeros(3, 1)).backward()
            optimizer.step()
    assert "internal_errors" not in doc.diagnosis().run
    assert np.isfinite(saturated_shares(doc)["LSTM (tanh)"])


def test_a_functional_tanh_is_read_on_its_outputs_not_on_the_layer_before_it():
    # tanh(x) saturates beyond |x| >= 2.3: a pre-activation read against tanh's bounds would overstate it
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc, self.out = nn.Linear(8, 64), nn.Linear(64, 1)

        def forward(self, x):
            return self.out(torch.tanh(self.fc(x)))

    x, y = regression_data()
    x = 3 * x
    torch.manual_seed(0)
    model = Net()
    with nndoctor.watch() as doc:
        fit(model, x, y, steps=40)
    with torch.no_grad():
        truth = (torch.tanh(model.fc(x)).abs() >= 0.98).float().mean().item()
    assert abs(saturated_shares(doc)["fc (tanh)"] - truth) < 0.05


class HandWrittenCell(nn.Module):
    """A tanh RNN written out: h = tanh(W_x x_t + W_h h), the last state to a linear head."""

    def __init__(self, input_scale: float):
        super().__init__()
        self.input_scale = input_scale
        self.embedding = nn.Embedding(12, 16)
        self.W_x, self.W_h, self.head = nn.Linear(16, 16), nn.Linear(16, 16, bias=False), nn.Linear(16, 2)

    def forward(self, tokens):
        inputs = self.embedding(tokens) * self.input_scale
        h = torch.zeros(tokens.shape[0], 16)
        for t in range(tokens.shape[1]):
            h = (self.W_x(inputs[:, t]) + self.W_h(h)).tanh()  # a method: one spelling of many
        return self.head(h)


def test_a_hand_written_recurrent_cell_is_read_through_its_autograd_node():
    # tanh(W_x x + W_h h) follows no single layer: only the modules that take h in show it
    def shares(scale: float) -> dict[str, float]:
        torch.manual_seed(0)
        with nndoctor.watch() as doc:
            fit(HandWrittenCell(scale), *token_counts(), steps=20, functional_loss=F.cross_entropy)
        return saturated_shares(doc)

    assert max(shares(20.0).values()) > 0.5
    unit_scale = shares(1.0)
    assert unit_scale and max(unit_scale.values()) < 0.1


def test_an_activation_module_and_an_in_place_relu_are_counted_once():
    model = nn.Sequential(
        nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 16), nn.ReLU(inplace=True), nn.Linear(16, 1)
    )
    torch.manual_seed(0)
    with nndoctor.watch() as doc:
        fit(model, *regression_data(), steps=10)
    store = doc.store
    assert store.vectors("saturated_frac")[1] == ["0 (tanh)"]
    assert store.vectors("relu_dead_frac")[1] == ["2 (relu)"]
    samples = store.series("units_window_samples")[1]
    assert samples[0] == 4 * 32  # four sampled batches of 32, not twice that


def test_a_hand_written_cell_fed_inputs_4x_too_large_is_named_as_a_recurrent_layer():
    def run(scale: float):
        def train():
            torch.manual_seed(0)
            fit(HandWrittenCell(scale), *token_counts(), steps=200, lr=3e-3, functional_loss=F.cross_entropy)

        return diagnose(train)

    ids, diagnosis = run(4.0)
    assert ids[0] == "saturated-activations" and diagnosis.headline.where == "W_x + W_h (tanh)"
    assert "recurrent" in diagnosis.headline.evidence
    ids, _ = run(1.0)
    assert "saturated-activations" not in ids
