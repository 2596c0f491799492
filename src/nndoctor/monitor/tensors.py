"""Reductions of parameter and gradient tensors shared by the monitor and its probes."""

from __future__ import annotations

import torch


def norms(tensors: list[torch.Tensor | None]) -> torch.Tensor:
    """L2 norm of each tensor (NaN for a missing one), as one float tensor; one fused kernel."""
    present = [i for i, t in enumerate(tensors) if t is not None]
    if not present:
        return torch.full((len(tensors),), float("nan"))
    found = torch.stack(torch._foreach_norm([dense_values(tensors[i]) for i in present])).float()
    if len(present) == len(tensors):
        return found
    out = torch.full((len(tensors),), float("nan"), device=found.device)
    out[present] = found
    return out


def dense_values(tensor: torch.Tensor) -> torch.Tensor:
    """A tensor's values as a dense tensor: a sparse gradient (nn.Embedding(sparse=True)) gives those of
    its rows, summed where an index repeats, which have its norm and its non-finite values."""
    return tensor.coalesce().values() if tensor.is_sparse else tensor
