"""check_data on every container it accepts, and without a trace on the user's random generators."""

from __future__ import annotations

import random

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader, Dataset, TensorDataset, random_split

from nndoctor.data.api import check_data, profile_data
from nndoctor.diagnosis import Diagnosis


def iris_like(n: int = 150, seed: int = 0) -> tuple[torch.Tensor, torch.Tensor]:
    """Raw-unit features (means near 5) and 1-based labels 1..3: two faults every container must show."""
    generator = torch.Generator().manual_seed(seed)
    x = 5.0 + torch.randn(n, 4, generator=generator)
    y = torch.arange(n) % 3 + 1
    return x, y


class DictDataset(Dataset):
    """Samples as dicts, the way many custom datasets return them; random noise per access."""

    def __init__(self, x: torch.Tensor, y: torch.Tensor) -> None:
        self.x, self.y = x, y

    def __len__(self) -> int:
        return len(self.x)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return {"image": self.x[index] + 0.01 * torch.randn(4), "label": self.y[index]}


def rng_states() -> tuple:
    return (torch.random.get_rng_state().clone(), np.random.get_state()[1].copy(), random.getstate())


def assert_same_rng(before: tuple) -> None:
    after = rng_states()
    assert torch.equal(before[0], after[0])
    assert (before[1] == after[1]).all()
    assert before[2] == after[2]


EXPECTED = {"labels-out-of-range", "data-not-normalized"}


def test_numpy_arrays_separately_or_as_a_tuple():
    x, y = iris_like()
    for diagnosis in (check_data(x.numpy(), y.numpy()), check_data((x.numpy(), y.numpy()))):
        assert isinstance(diagnosis, Diagnosis)
        assert set(diagnosis.ids()) == EXPECTED
        assert diagnosis.run["samples"] == 150 and diagnosis.run["features"] == 4


def test_tensors_and_a_tensor_dataset_and_a_random_split_subset():
    x, y = iris_like()
    assert set(check_data(x, y).ids()) == EXPECTED
    assert set(check_data(TensorDataset(x, y)).ids()) == EXPECTED
    train, _ = random_split(TensorDataset(x, y), [100, 50], generator=torch.Generator().manual_seed(0))
    diagnosis = check_data(train, classes=3)
    assert set(diagnosis.ids()) == EXPECTED and diagnosis.run["samples"] == 100
    assert diagnosis.headline.id == "labels-out-of-range"  # an error once the 3 outputs are known


def test_a_dataset_of_dict_samples_leaves_the_random_state_alone():
    x, y = iris_like()
    torch.manual_seed(1)
    before = rng_states()
    diagnosis = check_data(DictDataset(x, y))
    assert set(diagnosis.ids()) == EXPECTED
    assert_same_rng(before)


def test_a_shuffling_loader_is_iterated_up_to_max_samples_and_every_generator_restored():
    x, y = iris_like(1000)
    torch.manual_seed(2)
    np.random.seed(2)
    own = torch.Generator().manual_seed(3)
    loader = DataLoader(DictDataset(x, y), batch_size=64, shuffle=True, generator=own)
    before, own_before = rng_states(), own.get_state().clone()
    diagnosis = check_data(loader, max_samples=300)
    assert set(diagnosis.ids()) == EXPECTED
    assert diagnosis.run["samples"] == 300
    assert any("shuffles" in note for note in diagnosis.run["notes"])
    assert_same_rng(before)
    assert torch.equal(own.get_state(), own_before)


def test_the_loader_yields_the_same_first_batch_after_the_check():
    x, y = iris_like(200)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    torch.manual_seed(4)
    expected = next(iter(loader))[1]
    torch.manual_seed(4)
    check_data(loader)
    assert torch.equal(next(iter(loader))[1], expected)


def test_an_unshuffled_loader_says_which_samples_were_checked():
    x, y = iris_like(500)
    diagnosis = check_data(DataLoader(TensorDataset(x, y - 1), batch_size=50), max_samples=100)
    assert diagnosis.run["notes"] == ["checked the first 100 of 500 samples (max_samples)"]
    assert "labels-out-of-range" not in diagnosis.ids()


def test_an_unbatched_loader_is_read_sample_by_sample():
    x, y = iris_like(100)
    diagnosis = check_data(DataLoader(TensorDataset(x, y), batch_size=None), max_samples=60)
    assert set(diagnosis.ids()) == EXPECTED
    assert diagnosis.run["samples"] == 60 and diagnosis.run["features"] == 4


def test_healthy_loader_of_images_is_quiet():
    generator = torch.Generator().manual_seed(0)
    images = torch.rand(256, 1, 8, 8, generator=generator)
    labels = torch.randint(0, 10, (256,), generator=generator)
    diagnosis = check_data(DataLoader(TensorDataset(images, labels), batch_size=32))
    assert diagnosis.findings == []
    assert diagnosis.run["layout"] == "image"


def test_a_dataframe_with_its_target_column():
    pd = pytest.importorskip("pandas")
    x, y = iris_like()
    frame = pd.DataFrame(x.numpy(), columns=["a", "b", "c", "d"])
    frame["species"] = np.array(["setosa", "versicolor", "virginica"])[y.numpy() - 1]
    diagnosis = check_data(frame, "species")
    assert diagnosis.ids() == ["data-not-normalized"]  # text labels are class names: never out of range
    assert diagnosis.run["target"] == "species" and diagnosis.run["target_kind"] == "class-names"


def test_a_large_dataset_is_sampled():
    x = np.random.default_rng(0).normal(size=(20_000, 3))
    profile = profile_data(x, np.arange(20_000) % 2, max_samples=1000)
    assert profile.rows == 20_000 and profile.sampled_rows == 1000


def test_mistakes_are_clear():
    with pytest.raises(ValueError, match="max_samples"):
        check_data(np.zeros((3, 2)), max_samples=0)
    with pytest.raises(ValueError, match="cannot find the inputs"):
        check_data(DataLoader([{"pixels": torch.zeros(2)}] * 4))
    with pytest.raises(ValueError, match="yielded no batches"):
        check_data(DataLoader(TensorDataset(torch.zeros(0, 2)), batch_size=4))


def test_the_report_reads_as_a_data_report():
    x, y = iris_like()
    text = str(check_data(x.numpy(), y.numpy()))
    assert text.splitlines()[1].startswith("The arrays: 150 samples, 4 features: 2 warnings.")
    assert "150 samples, 4 features · targets: class indices" in text
