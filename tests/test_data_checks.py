"""The data checks on real data sets: each id fires on its fault and stays quiet on the healthy twin."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits, load_iris, load_wine

import nndoctor.checks.data as data_checks  # registers the data checks
from nndoctor.checks import registered
from nndoctor.data.api import check_data
from nndoctor.data.profile import profile_arrays
from nndoctor.diagnosis import rank
from nndoctor.findings import Finding, Severity
from nndoctor.monitor.store import Store

DATA_IDS = {
    "data-nonfinite",
    "data-not-normalized",
    "targets-not-normalized",
    "labels-out-of-range",
    "class-imbalance",
    "data-duplicates",
    "data-constant-features",
    "labels-noisy",
}


def standardise(x: np.ndarray) -> np.ndarray:
    return (x - x.mean(axis=0)) / np.where(x.std(axis=0) > 0, x.std(axis=0), 1.0)


def ids(diagnosis) -> set[str]:
    return set(diagnosis.ids())


def problems(diagnosis) -> set[str]:
    """Ids at warning or error: a healthy data set may still get notes."""
    return {f.id for f in diagnosis.findings if f.severity >= Severity.WARNING}


def finding(diagnosis, finding_id: str):
    return next(f for f in diagnosis.findings if f.id == finding_id)


@pytest.fixture(scope="module")
def digits():
    return load_digits()


@pytest.fixture(scope="module")
def cancer():
    return load_breast_cancer()


def store_with(profile, **structure) -> Store:
    store = Store()
    store.apply(profile.to_record())
    if structure:
        store.apply({"kind": "structure", "data": structure})
    return store


def test_every_data_check_is_registered_and_quiet_without_a_profile():
    names = {name for name in registered() if name.startswith("data.")}
    assert len(names) == 8
    for name in names:
        assert registered()[name](Store()) == []


# --- data-not-normalized ------------------------------------------------------------------------
def test_raw_digit_pixels_are_not_normalized_and_the_advice_says_divide_by_16(digits):
    diagnosis = check_data(digits.data, digits.target)
    assert diagnosis.headline.id == "data-not-normalized"
    head = diagnosis.headline
    assert "range 0 to 16" in head.evidence and "divide by 16" in head.advice
    assert problems(diagnosis) == {"data-not-normalized"}


def test_scaled_digits_are_quiet_but_for_a_note_on_constant_pixels(digits):
    diagnosis = check_data(digits.data / 16.0, digits.target)
    assert problems(diagnosis) == set()
    constant = finding(diagnosis, "data-constant-features")
    assert constant.severity is Severity.INFO and "x[0] (always 0)" in constant.evidence


def test_raw_8bit_images_per_channel_and_scaled_ones_quiet():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (300, 3, 8, 8)).astype(np.uint8)
    raw = check_data(images, rng.integers(0, 10, 300))
    assert raw.headline.id == "data-not-normalized" and "divide by 255" in raw.headline.advice
    assert "channel 0" in raw.headline.evidence
    assert problems(check_data(images / 255.0, rng.integers(0, 10, 300))) == set()
    normalised = (images / 255.0 - 0.5) / 0.25
    assert problems(check_data(normalised, rng.integers(0, 10, 300))) == set()


def test_raw_breast_cancer_names_the_features_and_the_spread(cancer):
    diagnosis = check_data(cancer.data, cancer.target, feature_names=list(cancer.feature_names))
    head = diagnosis.headline
    assert head.id == "data-not-normalized"
    assert "worst area (mean 881" in head.evidence
    assert "orders of magnitude" in head.evidence
    assert problems(diagnosis) == {"data-not-normalized"}


def test_standardised_breast_cancer_is_quiet(cancer):
    assert ids(check_data(standardise(cancer.data), cancer.target)) == set()


def test_binary_and_one_hot_columns_are_not_scaled():
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.normal(size=1000), np.eye(5)[rng.integers(0, 5, 1000)], rng.random(1000) < 0.1])
    assert problems(check_data(x, rng.integers(0, 2, 1000))) == set()


def test_token_ids_for_an_embedding_are_quiet():
    torch = pytest.importorskip("torch")
    generator = torch.Generator().manual_seed(0)
    tokens = torch.randint(0, 5000, (2000, 32), generator=generator)
    labels = torch.randint(0, 2, (2000,), generator=generator)
    assert ids(check_data(tokens, labels)) == set()
    assert ids(check_data(tokens.numpy(), labels.numpy())) == set()


def test_integers_beside_an_embedding_module_are_token_ids_even_from_one_column():
    ids_column = np.random.default_rng(0).integers(0, 1000, (500, 1))
    profile = profile_arrays(ids_column)
    assert data_checks.data_not_normalized(store_with(profile)) != []  # a raw integer feature...
    embedded = store_with(profile, modules=[{"name": "embed", "type": "Embedding"}])
    assert data_checks.data_not_normalized(embedded) == []  # ... unless it feeds an embedding


def test_raw_tabular_units_with_integer_codes_advise_encoding():
    rng = np.random.default_rng(0)
    x = np.column_stack([rng.normal(50_000, 20_000, 800), rng.integers(0, 12, 800), rng.normal(size=800)])
    diagnosis = check_data(x, rng.integers(0, 2, 800), feature_names=["income", "region", "score"])
    head = finding(diagnosis, "data-not-normalized")
    assert head.evidence.startswith("2 of 3 features") and "income" in head.evidence
    assert "region hold a few integer codes" in head.advice


# --- targets-not-normalized ---------------------------------------------------------------------
def test_raw_diabetes_targets_are_not_normalized():
    diabetes = load_diabetes()
    diagnosis = check_data(diabetes.data, diabetes.target)
    assert ids(diagnosis) == {"targets-not-normalized"}
    assert "mean 152" in diagnosis.headline.evidence and "MSE" in diagnosis.headline.evidence


def test_standardised_diabetes_targets_are_quiet():
    diabetes = load_diabetes()
    y = (diabetes.target - diabetes.target.mean()) / diabetes.target.std()
    assert ids(check_data(diabetes.data, y)) == set()


def test_targets_spanning_orders_of_magnitude_suggest_a_log():
    y = np.exp(np.random.default_rng(0).uniform(0, 10, 1000))
    head = check_data(np.random.default_rng(1).normal(size=(1000, 3)), y).headline
    assert head.id == "targets-not-normalized" and "log(y)" in head.advice


def test_class_labels_under_a_classification_loss_are_not_regression_targets():
    y = np.random.default_rng(0).integers(100, 200, 300).astype(float)  # would read as a regression
    profile = profile_arrays(np.zeros((300, 2)), y)
    assert data_checks.targets_not_normalized(store_with(profile)) != []
    losses = {"train:cross_entropy": {"name": "cross_entropy", "phase": "train", "input_shape": [32, 200]}}
    assert data_checks.targets_not_normalized(store_with(profile, loss_functions=losses)) == []


# --- labels-out-of-range ------------------------------------------------------------------------
def test_one_based_iris_labels_with_three_outputs_are_an_error():
    iris = load_iris()
    diagnosis = check_data(standardise(iris.data), iris.target + 1, classes=3)
    head = diagnosis.headline
    assert head.id == "labels-out-of-range" and head.severity is Severity.ERROR
    assert "50 of 150 samples (33%) have label 3" in head.evidence and "1-based" in head.evidence
    assert head.advice.startswith("Subtract 1")


def test_one_based_labels_without_a_known_output_count_are_a_warning():
    iris = load_iris()
    head = check_data(standardise(iris.data), iris.target + 1).headline
    assert head.id == "labels-out-of-range" and head.severity is Severity.WARNING


def test_zero_based_iris_labels_are_quiet():
    iris = load_iris()
    assert ids(check_data(standardise(iris.data), iris.target, classes=3)) == set()
    assert ids(check_data(standardise(iris.data), iris.target)) == set()


def test_the_loss_input_shape_gives_the_number_of_outputs():
    profile = profile_arrays(np.zeros((100, 2)), np.arange(100) % 10)
    losses = {"train:cross_entropy": {"name": "cross_entropy", "phase": "train", "input_shape": [32, 8]}}
    [found] = data_checks.labels_out_of_range(store_with(profile, loss_functions=losses))
    assert "the model has 8 outputs" in found.evidence and "labels 8 and 9" in found.evidence.replace(
        ", ", " and "
    )


def test_one_hot_targets_for_nll_loss_and_class_indices_for_bce():
    rng = np.random.default_rng(0)
    one_hot = profile_arrays(np.zeros((90, 2)), np.eye(3)[rng.integers(0, 3, 90)])
    nll = {"train:nll_loss": {"name": "nll_loss", "phase": "train", "input_shape": [32, 3]}}
    cross_entropy = {
        "train:cross_entropy": {"name": "cross_entropy", "phase": "train", "input_shape": [32, 3]}
    }
    assert (
        "nll_loss expects class indices"
        in data_checks.labels_out_of_range(store_with(one_hot, loss_functions=nll))[0].evidence
    )
    assert data_checks.labels_out_of_range(store_with(one_hot, loss_functions=cross_entropy)) == []
    indices = profile_arrays(np.zeros((90, 2)), rng.integers(0, 3, 90))
    bce = {
        "train:bce": {"name": "binary_cross_entropy_with_logits", "phase": "train", "input_shape": [32, 3]}
    }
    [found] = data_checks.labels_out_of_range(store_with(indices, loss_functions=bce))
    assert "look like class indices" in found.evidence


def test_ignore_index_labels_are_not_out_of_range():
    y = np.where(np.arange(300) % 10 == 0, -100, np.arange(300) % 3)
    assert "labels-out-of-range" not in ids(
        check_data(np.random.default_rng(0).normal(size=(300, 2)), y, classes=3)
    )


# --- class-imbalance ----------------------------------------------------------------------------
def test_a_95_5_split_is_severe_imbalance():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], [950, 50])
    head = check_data(rng.normal(size=(1000, 4)), y).headline
    assert head.id == "class-imbalance"
    assert "19x the smallest" in head.evidence and "class 1: 50 samples, 5.0%" in head.evidence
    assert "95% accurate" in head.evidence and "CrossEntropyLoss(weight=" in head.advice


def test_a_60_40_split_is_quiet():
    y = np.repeat([0, 1], [600, 400])
    assert ids(check_data(np.random.default_rng(0).normal(size=(1000, 4)), y)) == set()


def test_one_rare_class_among_ten_is_named():
    y = np.repeat(np.arange(10), [500] * 9 + [10])
    head = check_data(np.random.default_rng(0).normal(size=(len(y), 4)), y).headline
    assert head.id == "class-imbalance" and "class 9: 10 samples" in head.evidence


def test_text_labels_are_named_in_the_evidence():
    y = np.array(["cat"] * 290 + ["dog"] * 10)
    head = check_data(np.random.default_rng(0).normal(size=(300, 3)), y).headline
    assert head.id == "class-imbalance" and "class dog" in head.evidence and "class cat" in head.evidence


def test_mild_imbalance_among_many_classes_is_quiet():
    counts = np.linspace(200, 40, 20).astype(int)  # 5:1 from the largest to the smallest
    y = np.repeat(np.arange(20), counts)
    assert ids(check_data(np.random.default_rng(0).normal(size=(len(y), 3)), y)) == set()


# --- data-nonfinite -----------------------------------------------------------------------------
def test_nan_in_a_feature_is_named_with_the_share_of_samples(cancer):
    x = standardise(cancer.data)
    x[np.arange(0, 569, 10), 3] = np.nan  # 57 samples
    diagnosis = check_data(x, cancer.target, feature_names=list(cancer.feature_names))
    head = diagnosis.headline
    assert head.id == "data-nonfinite" and head.severity is Severity.ERROR
    assert "mean area (57 NaN)" in head.evidence and "57 of 569 samples (10%)" in head.evidence


def test_nonfinite_targets_are_reported():
    y = np.random.default_rng(0).normal(size=200)
    y[[3, 9]] = [np.nan, np.inf]
    head = check_data(np.random.default_rng(1).normal(size=(200, 3)), y).headline
    assert head.id == "data-nonfinite" and "2 samples" in head.evidence


def test_data_nonfinite_is_ranked_above_the_loss_nonfinite_it_causes(cancer):
    x = standardise(cancer.data)
    x[0, 0] = np.nan
    store = store_with(profile_arrays(x, cancer.target))
    findings = data_checks.data_nonfinite(store) + [Finding("loss-nonfinite", "loss NaN at step 0", step=0)]
    diagnosis = rank(findings)
    assert diagnosis.ids() == ["data-nonfinite", "loss-nonfinite"]
    assert diagnosis.findings[1].explained_by == ("data-nonfinite",)


# --- data-duplicates ----------------------------------------------------------------------------
def test_many_duplicate_rows_are_a_warning(cancer):
    x = standardise(cancer.data)
    copies = np.concatenate([x, x[:100]])
    diagnosis = check_data(copies, np.concatenate([cancer.target, cancer.target[:100]]))
    found = finding(diagnosis, "data-duplicates")
    assert found.severity is Severity.WARNING and "100 of 669 samples (15%)" in found.evidence


def test_a_few_duplicates_are_a_note_and_conflicting_labels_a_warning(cancer):
    x = standardise(cancer.data)
    few = check_data(np.concatenate([x, x[:10]]), np.concatenate([cancer.target, cancer.target[:10]]))
    assert finding(few, "data-duplicates").severity is Severity.INFO
    flipped = check_data(np.concatenate([x, x[:10]]), np.concatenate([cancer.target, 1 - cancer.target[:10]]))
    found = finding(flipped, "data-duplicates")
    assert found.severity is Severity.WARNING and "10 inputs appear with different labels" in found.evidence


def test_repeated_inputs_with_noisy_continuous_targets_are_not_conflicts(cancer):
    # a regression target measured twice for one input differs by its noise: not a wrong label
    x = standardise(cancer.data)
    rng = np.random.default_rng(0)
    y = x[:, 0] + 0.3 * rng.normal(size=len(x))
    repeated = np.concatenate([x, x[:10]])
    remeasured = np.concatenate([y, y[:10] + 0.3 * rng.normal(size=10)])
    found = [f for f in check_data(repeated, remeasured).findings if f.id == "data-duplicates"]
    assert all(f.severity is Severity.INFO and "different labels" not in f.evidence for f in found)


def test_repeats_in_a_small_coded_input_space_are_not_duplicates():
    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, (1000, 4)).astype(float)  # 16 possible inputs
    assert "data-duplicates" not in ids(check_data(x, rng.integers(0, 2, 1000)))


def test_healthy_data_has_no_duplicates(digits, cancer):
    assert "data-duplicates" not in ids(check_data(digits.data / 16, digits.target))
    assert "data-duplicates" not in ids(check_data(cancer.data, cancer.target))


# --- data-constant-features ---------------------------------------------------------------------
def test_a_constant_column_is_a_note(cancer):
    x = np.column_stack([standardise(cancer.data), np.full(569, 3.0)])
    diagnosis = check_data(x, cancer.target)
    assert ids(diagnosis) == {"data-constant-features"}
    found = finding(diagnosis, "data-constant-features")
    assert (
        found.severity is Severity.INFO and "1 of 31 features is constant: x[30] (always 3)" in found.evidence
    )


def test_every_input_constant_is_an_error():
    diagnosis = check_data(np.ones((100, 3)), np.arange(100) % 2)
    assert finding(diagnosis, "data-constant-features").severity is Severity.ERROR


# --- the catalog -----------------------------------------------------------------------------------
def test_findings_use_only_the_data_ids(digits, cancer):
    seen = set()
    for x, y in ((digits.data, digits.target), (cancer.data, cancer.target + 1)):
        seen |= ids(check_data(x, y))
    assert seen <= DATA_IDS


# --- labels-noisy ---------------------------------------------------------------------------------
def flip(labels: np.ndarray, share: float, seed: int = 0) -> np.ndarray:
    """A copy with `share` of the labels replaced by another class, uniformly."""
    gen = np.random.default_rng(seed)
    classes = int(labels.max()) + 1
    noisy = labels.copy()
    wrong = gen.random(len(labels)) < share
    noisy[wrong] = (noisy[wrong] + gen.integers(1, classes, wrong.sum())) % classes
    return noisy


def test_a_fifth_of_flipped_digit_labels_are_found_with_rows_to_review(digits):
    noisy = flip(digits.target, 0.2)
    head = finding(check_data(digits.data / 16.0, noisy), "labels-noisy")
    rows = [int(r) for r in head.evidence.split("counted from 0): ")[1].rstrip(".").split(", ")]
    assert sum(noisy[rows] != digits.target[rows]) >= 0.8 * len(rows)  # the rows named are mostly wrong


@pytest.mark.parametrize("loader", [load_digits, load_iris, load_breast_cancer, load_wine])
def test_clean_labels_are_quiet(loader):
    data = loader()
    assert "labels-noisy" not in check_data(standardise(data.data), data.target).ids()


def test_overlapping_classes_are_ambiguous_not_noisy():
    from sklearn.datasets import make_blobs

    x, y = make_blobs(1500, centers=4, cluster_std=2.5, random_state=0)  # a probe gets about 60% right
    assert "labels-noisy" not in check_data(x, y).ids()


def test_a_dataset_names_its_suspects_by_index(digits):
    import torch
    from torch.utils.data import Dataset

    noisy = flip(digits.target, 0.25, seed=1)

    class Digits(Dataset):
        def __len__(self):
            return len(noisy)

        def __getitem__(self, i):
            return torch.tensor(digits.data[i] / 16.0, dtype=torch.float32), int(noisy[i])

    assert "Dataset indices" in finding(check_data(Digits()), "labels-noisy").evidence


# --- labels-noisy: the probe's own skill ------------------------------------------------------------
def store_with_label_noise(probe_accuracy: float, majority_share: float, suspect_share: float) -> Store:
    profile = profile_arrays(np.eye(4)[np.arange(200) % 4], np.arange(200) % 4).to_dict()
    profile["label_noise"] = {
        "checked": 2000,
        "classes": 4,
        "flagged": 700,
        "suspect": int(2000 * suspect_share),
        "suspect_share": suspect_share,
        "examples": [],
        "probe": "nearest neighbours",
        "probe_accuracy": probe_accuracy,
        "majority_share": majority_share,
    }
    store = Store()
    store.apply({"kind": "structure", "data": {"data_profile": profile}})
    return store


def test_a_probe_that_barely_beats_guessing_does_not_indict_the_labels():
    # the figures of a blind scenario's run: nearest neighbours on raw, phase-shifted waveforms agreed
    # with 40% of 4 classes (25% by guessing) and called 10% of the correct labels suspects
    assert data_checks.labels_noisy(store_with_label_noise(0.40, 0.254, 0.10)) == []
    # the same suspects from a probe two thirds of the way from guessing to every label: reported
    [found] = data_checks.labels_noisy(store_with_label_noise(0.75, 0.254, 0.10))
    assert found.id == "labels-noisy"
