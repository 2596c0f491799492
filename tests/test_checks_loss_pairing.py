"""The loss-pairing checks (wrong-output-activation, wrong-loss, loss-shape-mismatch): on real tiny runs
under nndoctor.watch, where the probe gathers what the loss is called on, and on hand-made summaries for
the edges of each rule. Every faulty pairing must be named; every healthy pairing must stay quiet."""

from __future__ import annotations

import math
import warnings

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from toy_runs import blobs, one_thread  # noqa: F401  (one_thread: an autouse fixture)

import nndoctor
from nndoctor.checks.loss_pairing import loss_shape_mismatch, wrong_loss, wrong_output_activation
from nndoctor.monitor.store import Store

OWN_IDS = {"wrong-output-activation", "wrong-loss", "loss-shape-mismatch"}


def regression(n: int = 256, dim: int = 8, seed: int = 0):
    """Standardised targets of a smooth function: about half of them negative."""
    gen = torch.Generator().manual_seed(seed)
    x = torch.randn(n, dim, generator=gen)
    y = torch.tanh(x @ torch.randn(dim, generator=gen) / 2) + 0.1 * torch.randn(n, generator=gen)
    return x, (y - y.mean()) / y.std()


def fit(model, x, y, loss_fn, *, steps: int = 60, batch: int = 32, lr: float = 1e-2):
    """Adam over shuffled mini-batches (a fixed permutation: no generator draws while watched)."""
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(1))
    for step in range(steps):
        index = order[(step * batch) % (len(x) - batch) :][:batch]
        optimizer.zero_grad()
        loss_fn(model(x[index]), y[index]).backward()
        optimizer.step()


def findings(run) -> dict[str, str]:
    """The id -> evidence of this file's findings on a watched run (and no internal errors)."""
    torch.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns about the broadcasting the mismatch test makes
        with nndoctor.watch() as doc:
            run()
    diagnosis = doc.diagnosis()
    assert "internal_errors" not in diagnosis.run, diagnosis.run.get("internal_errors")
    return {f.id: f.evidence for f in diagnosis.findings if f.id in OWN_IDS}


def mlp(out: int, *tail: nn.Module, dim: int = 8) -> nn.Sequential:
    return nn.Sequential(nn.Linear(dim, 32), nn.ReLU(), nn.Linear(32, out), *tail)


# --- wrong-output-activation: faulty runs ----------------------------------------------------------
def test_softmax_module_before_cross_entropy_is_named():
    x, y = blobs()
    found = findings(lambda: fit(mlp(4, nn.Softmax(dim=1)), x, y, nn.CrossEntropyLoss()))
    assert set(found) == {"wrong-output-activation"}
    evidence = found["wrong-output-activation"]
    assert "softmax" in evidence and "`3`, Softmax" in evidence
    assert "e/(e+3) = 0.48" in evidence  # the best probability softmax-of-probabilities allows for 4 classes


def test_functional_softmax_before_nll_loss_is_found_from_the_values():
    x, y = blobs()
    model = mlp(4)
    found = findings(lambda: fit(model, x, y, lambda out, t: F.nll_loss(torch.softmax(out, dim=1), t)))
    assert "probabilities" in found["wrong-output-activation"]


def test_nll_loss_on_raw_scores_is_found():
    x, y = blobs()
    found = findings(lambda: fit(mlp(4), x, y, F.nll_loss, steps=40))
    assert "not log-probabilities" in found["wrong-output-activation"]


def test_sigmoid_before_bce_with_logits_is_found():
    x, y = blobs(classes=2)
    model = mlp(1, nn.Sigmoid())
    found = findings(
        lambda: fit(model, x, y.float(), lambda out, t: F.binary_cross_entropy_with_logits(out.squeeze(1), t))
    )
    evidence = found["wrong-output-activation"]
    assert "at least 0.5" in evidence and "Sigmoid" in evidence


def test_logits_a_linear_layer_kept_positive_are_not_a_bounded_output():
    """Inputs that carry nothing (all zero) and 70% positives: the logit is the bias, which training pulls
    to ln(0.7/0.3) = 0.85 from a start of 1. It never goes below 0, but nothing holds it there: a ReLU
    that does is found on the same data."""
    x = torch.zeros(256, 8)
    y = (torch.arange(256) % 10 < 7).float().unsqueeze(1)

    def positive_linear(*tail):
        model = nn.Sequential(nn.Linear(8, 1), *tail)
        with torch.no_grad():
            model[0].bias.fill_(1.0)
        return model

    assert findings(lambda: fit(positive_linear(), x, y, F.binary_cross_entropy_with_logits)) == {}
    relu = findings(lambda: fit(positive_linear(nn.ReLU()), x, y, F.binary_cross_entropy_with_logits))
    assert "at least 0.5" in relu["wrong-output-activation"]


def test_a_linear_head_that_stayed_inside_minus_one_to_one_is_not_a_bounded_output():
    """A Linear head of weight 0.97 over one saturated tanh unit: its outputs crowd at +-0.97 and never
    leave [-1, 1] while a slow rate barely moves them, as a tanh's would. But the loss takes the Linear
    layer's output as it is: what keeps it inside is upstream (a saturated unit), not a last activation."""
    x, y = regression()
    model = nn.Sequential(nn.Linear(8, 1), nn.Tanh(), nn.Linear(1, 1))
    with torch.no_grad():
        model[2].weight.fill_(0.97)
        model[2].bias.zero_()
    assert findings(lambda: fit(model, 10 * x, 2 * y.unsqueeze(1), F.mse_loss, lr=1e-4)) == {}


def test_relu_ending_a_regression_of_standardised_targets_is_found():
    x, y = regression()
    found = findings(lambda: fit(mlp(1, nn.ReLU()), x, y.unsqueeze(1), F.mse_loss))
    evidence = found["wrong-output-activation"]
    assert "[0, inf)" in evidence and "ReLU" in evidence


def test_functional_tanh_against_targets_beyond_one_is_found():
    x, y = regression()
    model = mlp(1)
    found = findings(lambda: fit(model, x, 3 * y.unsqueeze(1), lambda out, t: F.l1_loss(torch.tanh(out), t)))
    assert "[-1, 1]" in found["wrong-output-activation"]


# --- healthy pairings stay quiet --------------------------------------------------------------------
def test_quiet_on_logits_with_cross_entropy_and_on_log_softmax_with_nll_loss():
    x, y = blobs()
    assert findings(lambda: fit(mlp(4), x, y, F.cross_entropy)) == {}
    assert findings(lambda: fit(mlp(4, nn.LogSoftmax(dim=1)), x, y, F.nll_loss)) == {}


def test_quiet_on_sigmoid_with_bce_and_logits_with_bce_with_logits():
    x, y = blobs(classes=2)
    bce = lambda out, t: F.binary_cross_entropy(out.squeeze(1), t)  # noqa: E731
    assert findings(lambda: fit(mlp(1, nn.Sigmoid()), x, y.float(), bce)) == {}
    assert findings(lambda: fit(mlp(1), x, y.float().unsqueeze(1), F.binary_cross_entropy_with_logits)) == {}


def test_quiet_on_a_linear_regression_head_with_negative_targets():
    x, y = regression()
    assert findings(lambda: fit(mlp(1), x, y.unsqueeze(1), F.mse_loss)) == {}


def test_quiet_on_non_negative_counts_with_a_relu_or_softplus_output():
    x, _ = regression()
    counts = torch.poisson(torch.exp(x[:, 0] / 2), generator=torch.Generator().manual_seed(0)).unsqueeze(1)
    assert findings(lambda: fit(mlp(1, nn.ReLU()), x, counts, F.mse_loss)) == {}
    assert findings(lambda: fit(mlp(1, nn.Softplus()), x, counts, F.smooth_l1_loss)) == {}


def test_quiet_on_multi_label_and_soft_targets():
    x, y = blobs()
    multi_label = torch.stack([y % 2, (y >= 2).long(), (y == 3).long()], dim=1).float()
    assert findings(lambda: fit(mlp(3), x, multi_label, F.binary_cross_entropy_with_logits)) == {}
    soft = 0.8 * F.one_hot(y, 4).float() + 0.05
    assert findings(lambda: fit(mlp(4), x, soft, F.cross_entropy)) == {}
    assert findings(lambda: fit(mlp(4), x, y, nn.CrossEntropyLoss(label_smoothing=0.1))) == {}


# --- wrong-loss ---------------------------------------------------------------------------------------
def test_mse_on_class_indices_is_found():
    x, y = blobs(classes=5)
    found = findings(lambda: fit(mlp(1), x, y.float().unsqueeze(1), F.mse_loss))
    assert set(found) == {"wrong-loss"}
    assert "0 to 4" in found["wrong-loss"]


def test_bce_with_logits_on_multi_class_indices_is_found():
    x, y = blobs(classes=3)
    found = findings(lambda: fit(mlp(1), x, y.float().unsqueeze(1), F.binary_cross_entropy_with_logits))
    assert "no minimum" in found["wrong-loss"]


def test_cross_entropy_on_a_single_output_and_on_continuous_targets_is_found():
    x, y = regression()
    one_output = findings(lambda: fit(mlp(1), x, y.unsqueeze(1), F.cross_entropy, steps=30))
    assert "always 1" in one_output["wrong-loss"]
    three = torch.stack([y, -y, 2 * y], dim=1)
    continuous = findings(lambda: fit(mlp(3), x, three, F.cross_entropy, steps=30))
    assert "continuous" in continuous["wrong-loss"]


# --- loss-shape-mismatch ----------------------------------------------------------------------------
def test_output_n_by_1_against_target_n_is_found_with_both_shapes():
    x, y = regression()
    found = findings(lambda: fit(mlp(1), x, y, F.mse_loss))
    assert set(found) == {"loss-shape-mismatch"}
    assert "(32, 1)" in found["loss-shape-mismatch"] and "(32,)" in found["loss-shape-mismatch"]
    assert "(32, 32)" in found["loss-shape-mismatch"]


def test_quiet_when_the_target_is_a_constant_that_broadcasts_harmlessly():
    x, y = regression()
    model = mlp(1)
    found = findings(
        lambda: fit(
            model, x, y, lambda out, t: F.mse_loss(out.squeeze(1), t) + F.l1_loss(out, torch.zeros(1))
        )
    )
    assert found == {}


# --- the rules' edges, on hand-made summaries --------------------------------------------------------
def store_with(name: str, **summary) -> Store:
    base = {"calls": 8, "first_step": 0, "last_step": 128, "input_rows": 256, "input_values": 256}
    store = Store()
    store.apply({"kind": "structure", "data": {"loss_inputs": {name: base | summary}}})
    return store


def test_too_few_rows_are_not_called_distributions():
    summary = dict(input_shape=[4, 3], input_min=0.0, input_max=1.0, row_sum_deviation=0.0)
    assert wrong_output_activation(store_with("cross_entropy", **summary))
    assert not wrong_output_activation(store_with("cross_entropy", **(summary | {"input_rows": 4})))


def test_a_bound_that_leaves_little_variance_out_of_reach_is_not_reported():
    # counts with an occasional small negative from noise: the ReLU's bound costs under a tenth of the variance
    targets = [float(v) for v in range(20)] + [-0.5]
    summary = dict(
        input_shape=[32, 1],
        input_min=0.0,
        input_max=20.0,
        input_zeros=3,
        target_sample=targets,
        producer={"module": "out", "type": "ReLU", "direct": True},
    )
    assert not wrong_output_activation(store_with("mse_loss", **summary))
    summary["target_sample"] = [t - 10 for t in targets]
    assert wrong_output_activation(store_with("mse_loss", **summary))


def test_a_linear_output_that_merely_starts_inside_zero_one_is_not_called_a_sigmoid():
    targets = [-2.0 + 0.25 * i for i in range(17)]
    summary = dict(input_shape=[32, 1], input_min=0.3, input_max=0.6, target_sample=targets)
    assert not wrong_output_activation(store_with("mse_loss", **summary))  # not pressed against a bound
    assert wrong_output_activation(store_with("mse_loss", **(summary | {"input_max": 0.99})))


def test_counts_with_a_long_tail_are_not_class_indices():
    tail = [0.0] * 40 + [1.0] * 30 + [2.0] * 15 + [3.0] * 8 + [4.0] * 4 + [5.0]
    summary = dict(input_shape=[32, 1], target_integer=True, target_sample=tail)
    assert not wrong_loss(store_with("mse_loss", **summary))
    balanced = [float(i % 6) for i in range(96)]
    assert wrong_loss(store_with("mse_loss", **(summary | {"target_sample": balanced})))


def test_binary_labels_with_mse_are_not_a_wrong_loss():
    summary = dict(input_shape=[32, 1], target_integer=True, target_sample=[float(i % 2) for i in range(64)])
    assert not wrong_loss(store_with("mse_loss", **summary))


def test_no_summary_no_finding():
    store = Store()
    assert not wrong_output_activation(store) and not wrong_loss(store) and not loss_shape_mismatch(store)


def test_best_probability_formula_matches_softmax_of_a_one_hot():
    # the evidence's bound: softmax of [1, 0, 0, 0] gives e/(e+3) to the top class
    assert torch.softmax(torch.tensor([1.0, 0, 0, 0]), 0)[0].item() == pytest.approx(math.e / (math.e + 3))
