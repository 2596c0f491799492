"""Signals waiting on the device until a flush brings them to the host in one transfer.

A `.item()` per step would force a host-device synchronisation the script may not do itself; keeping
detached tensors and stacking them at a flush costs one transfer per flush instead.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import torch


class PendingSignals:
    def __init__(self) -> None:
        self._scalars: dict[str, list[tuple[int, Any]]] = defaultdict(list)
        self._vectors: list[tuple[str, int, Any]] = []

    def add_scalar(self, name: str, step: int, value: Any) -> None:
        """`value` is a float or a 0-d tensor (already detached)."""
        self._scalars[name].append((step, value))

    def series(self, name: str) -> list[tuple[int, Any]]:
        """The list `add_scalar(name, ...)` appends to, for a caller on the hot path to append
        (step, value) itself; it stays the same list across drains."""
        return self._scalars[name]

    def add_vector(self, name: str, step: int, values: torch.Tensor) -> None:
        self._vectors.append((name, step, values))

    def drain(self) -> list[dict[str, Any]]:
        """Records for everything pending, in arrival order per series; empties the buffer."""
        scalars = []  # (name, steps, values, whether the values are floats already)
        for name, items in self._scalars.items():
            if items:
                steps, values = map(list, zip(*items))
                scalars.append((name, steps, values, _all_floats(values)))
        tensors = [
            v for _, _, values, floats in scalars if not floats for v in values if isinstance(v, torch.Tensor)
        ]
        tensors += [v for _, _, v in self._vectors]
        host = iter(_to_host(tensors))
        records = []
        for name, steps, values, floats in scalars:
            if not floats:
                values = [next(host)[0] if isinstance(v, torch.Tensor) else float(v) for v in values]
            records.append({"kind": "scalars", "name": name, "steps": steps, "values": values})
        for name, step, _ in self._vectors:
            records.append({"kind": "vector", "name": name, "step": step, "values": next(host)})
        for items in self._scalars.values():
            items.clear()  # in place: callers hold these lists (see `series`)
        self._vectors.clear()
        return records


def _all_floats(values: list[Any]) -> bool:
    """Whether every value is a float already (a loss read on the CPU, a learning rate): the common
    case, checked in one pass at C speed rather than value by value."""
    return set(map(type, values)) == {float}


def _to_host(tensors: list[torch.Tensor]) -> list[list[float]]:
    """Lists of floats for each tensor, with one transfer per device."""
    by_device: dict[torch.device, list[int]] = defaultdict(list)
    for index, tensor in enumerate(tensors):
        by_device[tensor.device].append(index)
    out: list[list[float]] = [[] for _ in tensors]
    for indexes in by_device.values():
        flat = [tensors[i].detach().reshape(-1) for i in indexes]
        joined = torch.cat(flat).double().cpu().tolist()
        offset = 0
        for i, part in zip(indexes, flat):
            out[i] = joined[offset : offset + part.numel()]
            offset += part.numel()
    return out
