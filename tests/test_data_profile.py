"""The data profile: exact where it promises, bounded, and the same whether fed at once or in batches."""

from __future__ import annotations

import json
import random

import numpy as np
import pytest

from nndoctor.data.profile import (
    DISTINCT_CAP,
    DataProfile,
    DataProfiler,
    choose_layout,
    profile_arrays,
    row_hashes,
)
from nndoctor.monitor.store import Store


def table(rows: int = 1000, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.normal(5, 2, rows), rng.random(rows) < 0.3, rng.integers(0, 4, rows)])


def test_moments_ranges_and_flags_match_numpy():
    x = table()
    features = profile_arrays(x).features
    np.testing.assert_allclose(features["mean"], x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(features["std"], x.std(axis=0), rtol=1e-9)
    assert features["min"] == x.min(axis=0).tolist() and features["max"] == x.max(axis=0).tolist()
    assert features["integer_valued"] == [False, True, True]
    assert features["distinct"] == [None, 2, 4]  # a continuous column has more than the cap
    assert features["zero_one_share"][1] == 1.0
    assert features["names"] == ["x[0]", "x[1]", "x[2]"]


def test_batches_give_the_same_profile_as_one_array():
    x, y = table(), np.arange(1000) % 3
    whole = profile_arrays(x, y)
    profiler = DataProfiler()
    for start in range(0, 1000, 64):
        profiler.add(x[start : start + 64], y[start : start + 64])
    batched = profiler.profile()
    for key in ("mean", "std", "min", "max", "distinct", "integer_valued"):
        np.testing.assert_allclose(
            np.asarray(batched.features[key], dtype=float), np.asarray(whole.features[key], dtype=float)
        )
    assert batched.targets["classes"] == whole.targets["classes"]


def test_nonfinite_counts_are_exact_beyond_the_sample():
    x = np.random.default_rng(1).normal(size=(50_000, 4))
    x[::100, 2] = np.nan  # 500 NaN
    x[7, 0] = np.inf
    profile = profile_arrays(x, max_rows=5_000)
    assert profile.rows == 50_000 and profile.sampled_rows == 5_000
    assert profile.features["nan"] == [0, 0, 500, 0]
    assert profile.features["inf"] == [1, 0, 0, 0]
    assert profile.rows_nonfinite == 501
    assert profile.features["max"][0] < np.inf  # ranges are of the finite values
    assert profile.features["mean"][2] == pytest.approx(0.0, abs=0.05)


def test_class_counts_cover_every_row_and_the_sample_leaves_global_rng_alone():
    y = np.repeat([0, 1, 2], [30_000, 15_000, 5_000])
    np.random.seed(7)
    random.seed(7)
    numpy_state, python_state = np.random.get_state()[1].copy(), random.getstate()
    profile = profile_arrays(np.zeros((50_000, 2)), y, max_rows=1_000)
    assert profile.targets["classes"] == {"labels": [0, 1, 2], "counts": [30_000, 15_000, 5_000]}
    assert (np.random.get_state()[1] == numpy_state).all() and random.getstate() == python_state


def test_target_kinds():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(500, 3))
    assert profile_arrays(x, rng.integers(0, 5, 500)).targets["kind"] == "class-indices"
    assert profile_arrays(x, rng.normal(size=500)).targets["kind"] == "continuous"
    assert profile_arrays(x, np.eye(4)[rng.integers(0, 4, 500)]).targets["kind"] == "one-hot"
    assert profile_arrays(x, rng.random((500, 4)) < 0.5).targets["kind"] == "multi-label"
    # integer scores with many values and few samples each (like the diabetes targets) are a regression
    assert profile_arrays(x, rng.integers(25, 346, 500)).targets["kind"] == "continuous"
    assert (
        profile_arrays(x, rng.integers(25, 346, 500), task="classification").targets["kind"]
        == "class-indices"
    )
    assert profile_arrays(x, rng.integers(0, 2, 500), task="regression").targets["kind"] == "continuous"


@pytest.mark.parametrize(
    ("shape", "kind", "columns"),
    [
        ((7,), "table", 7),
        ((), "table", 1),
        ((3, 16, 16), "image", 3),
        ((16, 16, 3), "image", 3),
        ((28, 28), "image", 1),
        ((25, 8), "sequence", 8),
        ((10_000,), "pooled", 1),
        ((5, 6, 7, 8), "pooled", 1),
    ],
)
def test_layouts(shape, kind, columns):
    layout = choose_layout(shape)
    assert layout.kind == kind and len(layout.names) == columns
    batch = np.zeros((2, *shape))
    assert layout.columns(batch).shape[1] == columns


def test_images_are_profiled_per_channel():
    images = np.zeros((10, 3, 4, 4))
    images[:, 1] = 1.0
    images[:, 2] = np.arange(16).reshape(4, 4)
    features = profile_arrays(images).features
    assert features["names"] == ["channel 0", "channel 1", "channel 2"]
    assert features["mean"] == [0.0, 1.0, 7.5]


def test_samples_that_change_shape_pool_into_one_column():
    profiler = DataProfiler()
    profiler.add(np.ones((4, 3)))
    profiler.add(np.full((4, 5), 3.0))
    profile = profiler.profile()
    assert profile.layout == "pooled" and profile.features["count"] == [32]
    assert profile.features["mean"][0] == pytest.approx((12 * 1 + 20 * 3) / 32)
    assert profile.notes


def test_duplicates_and_conflicting_labels():
    x = np.random.default_rng(0).normal(size=(100, 5))
    y = np.arange(100) % 2
    x_copied = np.concatenate([x, x[:10], x[:3]])
    y_copied = np.concatenate([y, y[:10], 1 - y[:3]])  # 3 copies with the other label
    duplicates = profile_arrays(x_copied, y_copied).duplicates
    assert duplicates == {"hashed_rows": 113, "duplicate_rows": 13, "conflicting_inputs": 3}


def test_row_hashes_equal_rows_equal_hashes():
    rows = np.array([[0.0, 1.0], [-0.0, 1.0], [np.nan, 2.0], [np.nan, 2.0], [1.0, 0.0]])
    hashes = row_hashes(rows)
    assert hashes[0] == hashes[1] and hashes[2] == hashes[3]
    assert len(set(hashes.tolist())) == 3


def test_row_hashes_do_not_depend_on_the_chunks_or_the_dtype():
    rows = np.random.default_rng(0).normal(size=(5000, 40)).astype(np.float32)  # several chunks
    hashes = row_hashes(rows)
    assert (hashes == row_hashes(rows.astype(np.float64))).all()
    alone = [row_hashes(rows[i : i + 1])[0] for i in range(0, len(rows), 7)]
    assert hashes[::7].tolist() == alone


def test_distinct_values_stay_bounded():
    x = np.arange(10_000, dtype=float).reshape(-1, 1)
    profiler = DataProfiler()
    profiler.add(x)
    assert profiler.features.distinct == [None]
    few = profile_arrays(np.arange(1000).reshape(-1, 1) % DISTINCT_CAP)
    assert few.features["distinct"] == [DISTINCT_CAP]


def test_record_is_json_and_round_trips_through_a_store():
    x = table()
    x[0, 0] = np.nan
    profile = profile_arrays(x, np.arange(1000) % 2, feature_names=["a", "b", "c"], target_name="label")
    record = json.loads(json.dumps(profile.to_record(), allow_nan=False))
    store = Store()
    store.apply(record)
    again = DataProfile.from_dict(store.structure["data_profile"])
    assert again == profile
    assert again.features["names"] == ["a", "b", "c"] and again.targets["name"] == "label"


def test_all_nan_column_is_recorded_without_nan_in_the_record():
    x = np.column_stack([np.full(10, np.nan), np.arange(10.0)])
    features = profile_arrays(x).features
    assert features["mean"][0] is None and features["min"][0] is None and features["nan"][0] == 10
    json.dumps(profile_arrays(x).to_record(), allow_nan=False)


def test_bad_inputs_are_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="3 samples but targets have 2"):
        profile_arrays(np.zeros((3, 2)), np.zeros(2))
    with pytest.raises(ValueError, match="must be numbers"):
        profile_arrays(np.array([["a", "b"]]))
    with pytest.raises(ValueError, match="no samples"):
        profile_arrays(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="task must be"):
        DataProfiler(task="ranking")
