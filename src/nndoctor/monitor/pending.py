"""Signals waiting on the device until a flush brings them to the host in one transfer.

A `.item()` per step would force a host-device synchronisation the script may not do itself; keeping
detached tensors and stacking them at a flush costs one transfer per flush instead. Values held on a
device that failed (a kernel's assert kills a CUDA context) are lost; those on the host still come out.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import torch

from .hooks import is_device_failure


class PendingSignals:
    def __init__(self) -> None:
        self._scalars: dict[str, list[tuple[int, Any]]] = defaultdict(list)
        self._vectors: list[tuple[str, int, Any]] = []
        self.device_failure: BaseException | None = None  # why the last drain lost a device's values

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
        on_host, self.device_failure = _to_host(tensors)
        host = iter(on_host)
        records = []
        for name, steps, values, floats in scalars:
            if not floats:  # a tensor's values come back as a list, None from a device that failed
                read = [
                    (s, next(host) if isinstance(v, torch.Tensor) else [float(v)])
                    for s, v in zip(steps, values)
                ]
                steps = [s for s, v in read if v is not None]
                values = [v[0] for _, v in read if v is not None]
            records.append({"kind": "scalars", "name": name, "steps": steps, "values": values})
        for name, step, _ in self._vectors:
            values = next(host)
            if values is not None:
                records.append({"kind": "vector", "name": name, "step": step, "values": values})
        for items in self._scalars.values():
            items.clear()  # in place: callers hold these lists (see `series`)
        self._vectors.clear()
        return records


def _all_floats(values: list[Any]) -> bool:
    """Whether every value is a float already (a loss read on the CPU, a learning rate): the common
    case, checked in one pass at C speed rather than value by value."""
    return set(map(type, values)) == {float}


def _to_host(tensors: list[torch.Tensor]) -> tuple[list[list[float] | None], BaseException | None]:
    """Lists of floats for each tensor, with one transfer per device; None for the tensors of a device
    that failed, whose error comes second."""
    by_device: dict[torch.device, list[int]] = defaultdict(list)
    for index, tensor in enumerate(tensors):
        by_device[tensor.device].append(index)
    out: list[list[float] | None] = [None for _ in tensors]
    failure = None
    for indexes in by_device.values():
        try:
            flat = [tensors[i].detach().reshape(-1) for i in indexes]
            joined = torch.cat(flat).double().cpu().tolist()
        except RuntimeError as error:
            if not is_device_failure(error):
                raise
            failure = error
            continue
        offset = 0
        for i, part in zip(indexes, flat):
            out[i] = joined[offset : offset + part.numel()]
            offset += part.numel()
    return out, failure
