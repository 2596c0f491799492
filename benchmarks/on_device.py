"""Run a CPU training script on another device, unchanged, for `detect.py --device`.

    python benchmarks/on_device.py DEVICE SCRIPT [ARGS...]

Tensors the script makes are made on DEVICE (torch's default device), and the few calls that would still
leave CPU tensors among them follow: `torch.from_numpy` (moved), `Tensor.numpy` (read through the host),
`torch.randperm` with a CPU generator (a DataLoader's shuffle; drawn on the generator, then moved). A
script that builds CPU tensors some other way fails with a device mismatch: `detect.py` tells such a
failure from nndoctor's by running the script once more without nndoctor.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

import torch


def move_defaults_to(device: str) -> None:
    torch.set_default_device(device)
    from_numpy, to_numpy, randperm = torch.from_numpy, torch.Tensor.numpy, torch.randperm

    def from_numpy_on_device(array):
        return from_numpy(array).to(device)

    def numpy_through_host(tensor, *args, **kwargs):
        return to_numpy(tensor.cpu(), *args, **kwargs)

    def randperm_on_generator(n, *args, generator=None, **kwargs):
        if generator is None or "device" in kwargs:
            return randperm(n, *args, generator=generator, **kwargs)
        return randperm(n, *args, generator=generator, device=generator.device, **kwargs).to(device)

    torch.from_numpy, torch.Tensor.numpy, torch.randperm = (
        from_numpy_on_device,
        numpy_through_host,
        randperm_on_generator,
    )


def main() -> None:
    device, script = sys.argv[1], Path(sys.argv[2]).resolve()
    move_defaults_to(device)
    sys.argv = [str(script), *sys.argv[3:]]
    sys.path.insert(0, str(script.parent))
    runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    main()
