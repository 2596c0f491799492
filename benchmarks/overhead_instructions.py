"""What the monitor costs per step in work done: counts that do not move with the load on the machine,
unlike the times of overhead.py, so a change of a few percent shows. Counts are not time, so use them
to compare versions, and overhead.py for the figure.

    python benchmarks/overhead_instructions.py [--steps N]     executed instructions (valgrind's callgrind)
    python benchmarks/overhead_instructions.py --bytecodes     Python bytecodes per function (seconds)

Counts the tiny MLP's steps (overhead.py's) plain, and with a steady monitor (past its dense start,
its sparse intervals at their widest): instructions over `steps` steps that sample nothing and over a
whole sampling period (one activation sample, two gradient samples, eight flushes); bytecodes over
steps that sample nothing, beside BareHooks' (the three hook points, bare). Neither count is the time:
the monitor's code runs cold between torch's, and its calls into torch (`.item()`, `.shape`) cost more
there than their instructions say; compare versions with these, and take the figure from overhead.py.
"""

from __future__ import annotations

import argparse
import collections
import itertools
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

PERIOD = 2048  # the sparse sampling period at the widest stretch (activations every 128 x 16 steps)


def prepared_step(mode: str):
    """The tiny MLP's step function, warmed up, with `mode`'s watcher on: plain (none), bare (BareHooks)
    or steady (a monitor at its widest sparse intervals, past the activation sample at its first step)."""
    import torch

    sys.path.insert(0, str(Path(__file__).parent))
    from overhead import BareHooks, mlp_trainer

    from nndoctor.monitor.monitor import MAX_STRETCH, Monitor
    from nndoctor.monitor.schedule import Schedule

    torch.set_num_threads(1)  # callgrind runs one thread at a time anyway
    step = mlp_trainer()
    for i in range(50):
        step(i)
    if mode == "bare":
        BareHooks().on()
    elif mode == "steady":
        monitor = Monitor(schedule=Schedule(dense_steps=0, early_until=0, activation_steps=())).attach()
        monitor.schedule.stretch = MAX_STRETCH
        for i in range(300):
            step(i)
    return step


def run_steps(mode: str, steps: int) -> None:
    """The measured part: `steps` steps inside itertools.starmap, which callgrind is told to count."""
    step = prepared_step(mode)
    list(itertools.starmap(step, ((i,) for i in range(steps))))


def run_bytecodes(mode: str, steps: int) -> dict[str, int]:
    """Python bytecodes executed over `steps` steps, by function ("file:function")."""
    step = prepared_step(mode)
    counts: collections.Counter[str] = collections.Counter()

    def trace(frame, event, arg):
        frame.f_trace_opcodes = True
        if event == "opcode":
            counts[f"{Path(frame.f_code.co_filename).name}:{frame.f_code.co_name}"] += 1
        return trace

    sys.settrace(trace)
    try:
        for i in range(steps):
            step(i)
    finally:
        sys.settrace(None)
    return dict(counts)


def bytecodes(mode: str, steps: int) -> dict[str, int]:
    """run_bytecodes in a fresh process: each mode's hooks stay on until its process ends."""
    command = [sys.executable, __file__, "--run", mode, "--bytecodes", "--steps", str(steps)]
    result = subprocess.run(command, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def print_bytecodes(steps: int) -> None:
    plain = bytecodes("plain", steps)
    print(f"plain {sum(plain.values()) / steps:.0f} bytecodes a step")
    for mode in ("bare", "steady"):
        counts = bytecodes(mode, steps)
        print(f"{mode} {(sum(counts.values()) - sum(plain.values())) / steps:+.0f} bytecodes a step:")
        added = {name: (counts.get(name, 0) - plain.get(name, 0)) / steps for name in counts.keys() | plain}
        for name, per_step in sorted(added.items(), key=lambda item: -abs(item[1])):
            if abs(per_step) >= 0.5:
                print(f"    {per_step:+7.1f}  {name}")


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
    parser.add_argument("--bytecodes", action="store_true", help="count Python bytecodes (no valgrind)")
    parser.add_argument("--run", choices=("plain", "bare", "steady"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.run and args.bytecodes:
        print(json.dumps(run_bytecodes(args.run, args.steps)))
        return 0
    if args.run:
        run_steps(args.run, args.steps)
        return 0
    if args.bytecodes:
        print_bytecodes(args.steps)
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
