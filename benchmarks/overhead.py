"""What the monitor costs, as ratios measured in one run (absolute times on a shared machine are noise).

    python benchmarks/overhead.py [--rounds N] [--skip-process]

1. Step time: whole training runs of a tiny MLP (64-128-10, batch 64) and of a mid-size CNN, alternating
   plain and monitored runs, `rounds` times each; the ratio of median time per step. A monitored run
   includes the monitor's dense sampling at the start, as a real run does.
2. Whole process: `nndoctor run script.py` against `python script.py` for a script that trains for
   about five seconds, alternating; the ratio of median wall times (start-up and report included).
Targets: step time at most 1.05x (MLP) and 1.02x (CNN); whole process at most 1.10x.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import torch
from torch import nn

import nndoctor

MLP_STEPS = 4000
CNN_STEPS = 150


def mlp_run(steps: int) -> float:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    inputs, targets = torch.randn(steps % 50 + 50, 64, 64), torch.randint(0, 10, (50, 64))
    began = time.perf_counter()
    for step in range(steps):
        loss = nn.functional.cross_entropy(model(inputs[step % 50]), targets[step % 50])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return (time.perf_counter() - began) / steps


class CNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1),
            nn.BatchNorm2d(64),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1),
            nn.BatchNorm2d(128),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
        )
        self.head = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).flatten(1))


def cnn_run(steps: int) -> float:
    torch.manual_seed(0)
    model = CNN()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    inputs, targets = torch.randn(8, 32, 3, 32, 32), torch.randint(0, 10, (8, 32))
    began = time.perf_counter()
    for step in range(steps):
        loss = nn.functional.cross_entropy(model(inputs[step % 8]), targets[step % 8])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return (time.perf_counter() - began) / steps


def step_ratio(run, steps: int, rounds: int) -> tuple[float, float, float]:
    """Median seconds per step without and with the monitor, and their ratio; runs alternate."""
    run(steps // 10)  # warm up allocator and kernels outside the measurement
    plain, watched = [], []
    for _ in range(rounds):
        plain.append(run(steps))
        with nndoctor.watch():
            watched.append(run(steps))
    a, b = statistics.median(plain), statistics.median(watched)
    return a, b, b / a


FIVE_SECOND_SCRIPT = textwrap.dedent(
    """
    import sys, torch
    from torch import nn
    torch.manual_seed(0)
    steps = int(sys.argv[1])
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x, y = torch.randn(50, 64, 64), torch.randint(0, 10, (50, 64))
    for step in range(steps):
        loss = nn.functional.cross_entropy(model(x[step % 50]), y[step % 50])
        optimizer.zero_grad(); loss.backward(); optimizer.step()
    """
)


def process_ratio(rounds: int) -> tuple[float, float, float]:
    """Median wall time of `python script.py` and `nndoctor run script.py`, and their ratio.

    The script makes a fixed number of steps, chosen so that it trains for about five seconds plain;
    the ratio includes start-up, the monitor and the report."""
    steps = int(5.0 / mlp_run(2000))
    with tempfile.TemporaryDirectory() as folder:
        script = Path(folder) / "five_seconds.py"
        script.write_text(FIVE_SECOND_SCRIPT)
        plain_cmd = [sys.executable, str(script), str(steps)]
        watched_cmd = [sys.executable, "-m", "nndoctor", "run", str(script), str(steps)]
        plain, watched = [], []
        for _ in range(rounds):
            for command, times in ((plain_cmd, plain), (watched_cmd, watched)):
                began = time.perf_counter()
                subprocess.run(command, capture_output=True, text=True, check=True)
                times.append(time.perf_counter() - began)
    a, b = statistics.median(plain), statistics.median(watched)
    return a, b, b / a


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-process", action="store_true", help="skip the whole-process comparison")
    args = parser.parse_args(argv)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads")
    for name, run, steps, target in (
        ("tiny MLP", mlp_run, MLP_STEPS, 1.05),
        ("mid CNN", cnn_run, CNN_STEPS, 1.02),
    ):
        a, b, ratio = step_ratio(run, steps, args.rounds)
        verdict = "ok" if ratio <= target else "over target"
        print(
            f"step time {name:<9} {a * 1e6:9.1f} us -> {b * 1e6:9.1f} us  ratio {ratio:.3f}x "
            f"(target {target}x, {verdict})"
        )
    if not args.skip_process:
        a, b, ratio = process_ratio(max(3, args.rounds // 2))
        verdict = "ok" if ratio <= 1.10 else "over target"
        print(f"whole process ({a:.1f} s plain)  ratio {ratio:.3f}x (target 1.10x, {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
