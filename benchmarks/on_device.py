"""Run a CPU training script unchanged on another device, or with other random draws, for `detect.py`.

    python benchmarks/on_device.py [--seed-offset N] DEVICE SCRIPT [ARGS...]

Tensors the script makes are made on DEVICE (torch's default device), and the few calls that would still
leave CPU tensors among them follow: `torch.from_numpy` (moved), `Tensor.numpy` (read through the host),
`torch.randperm` with a CPU generator (a DataLoader's shuffle; drawn on the generator, then moved). A
script that builds CPU tensors some other way fails with a device mismatch: `detect.py` tells such a
failure from nndoctor's by running the script once more without nndoctor. DEVICE `cpu` leaves torch's
default device alone.

`--seed-offset N` adds N to every integer seed the script sets: `torch.manual_seed`,
`torch.Generator.manual_seed`, `numpy.random.seed`, `numpy.random.default_rng` and `random.seed`, so the
same script trains on other draws (a seed-sensitive rule or scenario shows up at offsets 1, 2, ...).
Seeds that torch, numpy or nndoctor set themselves (a sampler's generator, nndoctor's sampling) are
left alone, and so are seeds passed elsewhere (scikit-learn's `random_state`). 0 changes nothing.
"""

from __future__ import annotations

import argparse
import random
import runpy
import sys
from pathlib import Path

import numpy as np
import torch

_LIBRARIES = ("torch", "numpy", "nndoctor")  # their own seeding follows from the script's, unshifted


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


def shift_seeds_by(offset: int) -> None:
    def shifted(seed):
        """The seed plus `offset` when the script itself sets an integer seed (the caller of the
        patched function, two frames up), else the seed as given."""
        caller = sys._getframe(2).f_globals.get("__name__", "")
        from_library = caller.split(".")[0] in _LIBRARIES
        is_int = isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)
        return seed + offset if is_int and not from_library else seed

    torch_seed, np_seed, np_rng, random_seed = (
        torch.manual_seed,
        np.random.seed,
        np.random.default_rng,
        random.seed,
    )

    def torch_manual_seed(seed):
        return torch_seed(shifted(seed))

    def numpy_seed(seed=None):
        return np_seed(shifted(seed))

    def numpy_default_rng(seed=None):
        return np_rng(shifted(seed))

    def random_seed_shifted(a=None, *args, **kwargs):
        return random_seed(shifted(a), *args, **kwargs)

    class Generator(torch.Generator):
        def manual_seed(self, seed):
            return super().manual_seed(shifted(seed))

    torch.manual_seed = torch.random.manual_seed = torch_manual_seed
    np.random.seed, np.random.default_rng, random.seed = numpy_seed, numpy_default_rng, random_seed_shifted
    torch.Generator = Generator


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed-offset", type=int, default=0, help="added to every seed the script sets")
    parser.add_argument("device", help="torch's default device for the script (cpu: left alone)")
    parser.add_argument("script", type=Path)
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the script's own arguments")
    args = parser.parse_args()
    script = args.script.resolve()
    if args.device != "cpu":
        move_defaults_to(args.device)
    if args.seed_offset:
        shift_seeds_by(args.seed_offset)
    sys.argv = [str(script), *args.args]
    sys.path.insert(0, str(script.parent))
    runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    main()
