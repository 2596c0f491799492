"""The gradient checks on hand-made stores: spikes against the run's own level, layers against the last."""

from __future__ import annotations

import numpy as np
from store_builders import add_scalars, add_vectors, finish, new_store, noisy, sampled_steps

from nndoctor.checks.gradients import exploding_gradients, vanishing_gradients

DEEP_PARAMS = [(f"layers.{i}.weight", [32, 32]) for i in range(6)] + [("head.weight", [10, 32])]


def grad_norm_store(norms, *, clip: float | None = None):
    store = new_store()
    steps = sampled_steps(4000)[: len(norms)]
    add_scalars(store, "grad_norm", norms, steps)
    if clip is not None:
        store.apply({"kind": "structure", "data": {"clip_max_norm": clip}})
    return finish(store, steps[-1] + 1)


def layer_store(relative_gradients, *, update_ratios=None, params=DEEP_PARAMS, modules=None, samples=40):
    """Each weight matrix has norm 4 and a gradient `relative_gradients[i]` times that, on every sample."""
    store = new_store(params=params, modules=modules)
    steps = sampled_steps(samples * 8)[:samples]
    rng = np.random.default_rng(0)
    weights = np.full(len(params), 4.0)
    rows = [noisy(4.0 * np.asarray(relative_gradients), 0.3, seed=int(rng.integers(1 << 30))) for _ in steps]
    add_vectors(store, "grad_norm", steps, rows)
    add_vectors(store, "weight_norm", steps, [weights] * len(steps))
    if update_ratios is not None:
        add_vectors(store, "update_ratio", steps, [update_ratios] * len(steps))
    return finish(store, steps[-1] + 1)


# --- exploding-gradients ----------------------------------------------------------------------------
def test_spike_two_orders_above_the_running_median():
    norms = noisy(np.ones(120), 0.3)
    norms[90] = 800.0
    [finding] = exploding_gradients(grad_norm_store(norms))
    assert finding.id == "exploding-gradients"
    assert "800 at step" in finding.evidence
    assert "max_norm=1." in finding.advice  # the 90th percentile of ~1.0 norms with 30% noise


def test_gradients_that_start_large_and_shrink_are_a_run_converging():
    """L-BFGS or a fast start: the norm falls by orders of magnitude; the first steps are no spike."""
    norms = np.concatenate([[0.5, 0.02], noisy(np.full(40, 2e-5), 0.3)])
    assert exploding_gradients(grad_norm_store(norms)) == []


def test_an_explosion_in_the_first_steps_is_judged_against_the_steps_before_it():
    norms = np.concatenate([[1.0, 1.3, 20.0, 900.0], noisy(np.ones(40), 0.2)])
    [finding] = exploding_gradients(grad_norm_store(norms))
    assert finding.step == 3


def test_quiet_on_noisy_norms_and_gradual_growth():
    norms = noisy(np.geomspace(0.1, 10.0, 200), 0.5)  # grows 100x over the run, 50% batch noise
    assert exploding_gradients(grad_norm_store(norms)) == []


def test_quiet_on_a_tenfold_jump():
    norms = noisy(np.ones(120), 0.2)
    norms[70] = 12.0
    assert exploding_gradients(grad_norm_store(norms)) == []


def test_quiet_when_an_ordinary_batch_follows_convergence():
    norms = noisy(np.concatenate([np.ones(40), np.geomspace(1.0, 1e-4, 20), np.full(60, 1e-4)]), 0.3)
    norms[100] = 0.8  # a hard batch at the run's usual scale, 8000x the converged level
    assert exploding_gradients(grad_norm_store(norms)) == []


def test_quiet_when_gradients_shrink_fast_from_the_start():
    norms = np.concatenate([[0.94, 0.81, 0.97, 0.93, 0.91], np.geomspace(0.7, 1e-4, 15), np.full(40, 1e-4)])
    assert exploding_gradients(grad_norm_store(norms)) == []


def test_clipping_caps_what_counts():
    norms = noisy(np.ones(120), 0.3)
    norms[90] = 800.0
    assert exploding_gradients(grad_norm_store(norms, clip=2.0)) == []


def test_nonfinite_norms_end_the_series():
    norms = list(noisy(np.ones(40), 0.2)) + [float("nan")] * 20
    assert exploding_gradients(grad_norm_store(norms)) == []


# --- vanishing-gradients ----------------------------------------------------------------------------
def test_vanishing_towards_the_first_layer():
    relative = [10.0 ** -(2 * (6 - i)) for i in range(6)] + [0.3]  # 1e-12 ... 1e-2, then 0.3
    [finding] = vanishing_gradients(layer_store(relative))
    assert finding.id == "vanishing-gradients"
    assert finding.where == "layers.0.weight"
    assert "layers.0.weight" in finding.evidence and "head.weight" in finding.evidence
    assert "11.4 orders of magnitude" in finding.evidence  # median of noisy samples: 1.1e-12 vs 0.25


def test_quiet_on_default_init_spread():
    # a fresh default-initialised ReLU MLP: interior layers 5-30x below the head
    relative = [0.11, 0.065, 0.057, 0.062, 0.068, 0.07, 0.76]
    assert vanishing_gradients(layer_store(relative)) == []


def test_quiet_when_only_middle_layers_are_small():
    relative = [0.1, 1e-4, 1e-4, 0.1, 0.1, 0.1, 0.3]
    assert vanishing_gradients(layer_store(relative)) == []  # the first layer still gets its gradient


def test_quiet_when_an_adaptive_optimiser_keeps_the_updates_even():
    relative = [1e-5, 1e-4, 1e-3, 1e-2, 1e-2, 1e-2, 0.3]
    assert vanishing_gradients(layer_store(relative, update_ratios=[2e-3] * 7)) == []


def test_reported_when_the_updates_vanish_too():
    relative = [1e-5, 1e-4, 1e-3, 1e-2, 1e-2, 1e-2, 0.3]
    ratios = [1e-7, 1e-6, 1e-5, 1e-4, 1e-4, 1e-4, 3e-3]
    [finding] = vanishing_gradients(layer_store(relative, update_ratios=ratios))
    assert "move by 1.0e-07 of their norm" in finding.evidence


def test_dead_layers_are_not_vanishing():
    relative = [0.0, 0.0, 0.0, 0.1, 0.1, 0.1, 0.3]  # exact zeros: no gradient path at all
    assert vanishing_gradients(layer_store(relative)) == []


def test_embeddings_are_left_out():
    params = [("embed.weight", [5000, 32]), ("layers.0.weight", [32, 32]), ("head.weight", [2, 32])]
    modules = [{"name": "embed", "type": "Embedding"}]
    assert vanishing_gradients(layer_store([1e-6, 0.05, 0.3], params=params, modules=modules)) == []


def test_layers_are_compared_in_forward_order():
    params = [("head.weight", [10, 32]), ("body.weight", [32, 32])]  # the head registered first
    store = layer_store([0.3, 1e-5], params=params)
    store.apply({"kind": "columns", "name": "act_mean", "names": ["body", "head"]})
    add_vectors(store, "act_mean", [0], [[0.0, 0.0]])
    [finding] = vanishing_gradients(store)
    assert finding.where == "body.weight"
