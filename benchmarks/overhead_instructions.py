"""What the monitor costs per step in executed instructions (valgrind's callgrind): a count that does
not move with the load on the machine, unlike the times of overhead.py, so a change of a few percent
shows. Instructions are not time (the monitor's Python runs at a lower rate than torch's kernels), so
use it to compare versions, and overhead.py for the figure.

    python benchmarks/overhead_instructions.py [--steps N]

Counts the tiny MLP's steps (overhead.py's) plain, and with a steady monitor (past its dense start,
its sparse intervals at their widest): over `steps` steps that sample nothing, and over a whole
sampling period (one activation sample, two gradient samples, eight flushes).
"""

from __future__ import annotations

import argparse
import itertools
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PERIOD = 2048  # the sparse sampling period at the widest stretch (activations every 128 x 16 steps)


def run_steps(mode: str, steps: int) -> None:
    """The measured part: `steps` steps inside itertools.starmap, which callgrind is told to count."""
    import torch

    sys.path.insert(0, str(Path(__file__).parent))
    from overhead import mlp_trainer

    from nndoctor.monitor.monitor import MAX_STRETCH, Monitor
    from nndoctor.monitor.schedule import Schedule

    torch.set_num_threads(1)  # callgrind runs one thread at a time anyway
    step = mlp_trainer()
    for i in range(50):
        step(i)
    if mode != "plain":
        monitor = Monitor(schedule=Schedule(dense_steps=0, early_until=0, activation_steps=())).attach()
        monitor.schedule.stretch = MAX_STRETCH
        for i in range(300):  # past the activation sample at its first step
            step(i)
    list(itertools.starmap(step, ((i,) for i in range(steps))))


def count(mode: str, steps: int) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        command = [
            "valgrind", "--tool=callgrind", "--collect-atstart=no", "--toggle-collect=starmap_next",
            f"--callgrind-out-file={out}", sys.executable, __file__, "--run", mode, "--steps", str(steps),
        ]  # fmt: skip
        result = subprocess.run(command, capture_output=True, text=True)
        match = re.search(r"Collected : (\d+)", result.stderr)
        if result.returncode != 0 or match is None:
            sys.exit(f"overhead_instructions: callgrind failed: {result.stderr.strip().splitlines()[-1:]}")
        return int(match.group(1))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--run", choices=("plain", "steady"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run:
        run_steps(args.run, args.steps)
        return 0
    if shutil.which("valgrind") is None:
        print("overhead_instructions: needs valgrind (apt install valgrind)", file=sys.stderr)
        return 2
    for label, steps in (("steps that sample nothing", args.steps), ("a whole sampling period", PERIOD)):
        plain, watched = count("plain", steps), count("steady", steps)
        print(
            f"{label:<26} plain {plain / steps:10.0f} instructions a step, "
            f"monitored {watched / steps:10.0f}: {watched / plain:.3f}x"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
