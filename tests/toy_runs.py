"""Shared pieces of the tests that train tiny models under the monitor."""

from __future__ import annotations

import pytest
import torch


@pytest.fixture(autouse=True)
def one_thread():
    """One torch thread: tiny models train faster without thread hand-offs, and alike on every machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def blobs(classes: int = 4, per_class: int = 64, dim: int = 8, seed: int = 0):
    """Gaussian blobs, raw (not standardised), in class order."""
    gen = torch.Generator().manual_seed(seed)
    centers = 3.0 * torch.randn(classes, dim, generator=gen)
    x = torch.cat([c + torch.randn(per_class, dim, generator=gen) for c in centers])
    return x, torch.arange(classes).repeat_interleave(per_class)
