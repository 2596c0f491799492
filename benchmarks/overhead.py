"""What the monitor costs, as ratios measured in one run (absolute times on a shared machine are noise).

    python benchmarks/overhead.py [--rounds N] [--processes N] [--skip-process] [--device cuda]

1. Step time: a tiny MLP (64-128-10, batch 64) and a mid-size CNN trained on, in short blocks that
   alternate plain and monitored (one monitor, paused for the plain blocks); the ratio of the summed
   times, for the steady state of a long run, and for a run's first steps (where it samples densely).
   Each model is measured in a few fresh processes, and the figure is their median (a process's ratio
   carries a bias of its own, see measure_in_processes). Beside it, the same measure of BareHooks: the
   three hook points a step passes (loss call, backward(), optimizer step) with nothing judged or
   sampled, the least a monitor that hooks all three pays; the monitor's quick windows pay less.
2. Whole process: `nndoctor run script.py` against `python script.py` for a script that trains for
   about five seconds, alternating; the ratio of median wall times (start-up and report included).
Targets: step time at most 1.05x (MLP) and 1.02x (CNN); whole process at most 1.10x. With `--device
cuda` the models train on the GPU (each block ends with a synchronisation, so that its time counts the
queued kernels) and the whole process is not measured.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import torch
from torch import nn
from torch.optim.optimizer import register_optimizer_step_pre_hook

import nndoctor
from nndoctor.monitor.hooks import HookSet
from nndoctor.monitor.monitor import Monitor
from nndoctor.monitor.schedule import Schedule

BLOCK_STEPS = {"tiny MLP": 200, "mid CNN": 20}  # about 0.1 s and 1 s: short, so that pairs share the load
# a steady-state monitor runs this many steps before it is timed, or this long, whichever comes first: a
# short step's schedule thins out (doubling each sampling period of 128 x stretch steps) for about 8000
# steps, a long step's stays about as it starts. By time, not by model: a GPU runs the CNN's step in
# the time the CPU runs the MLP's
SETTLE_STEPS, SETTLE_SECONDS = 8192, 8.0
ROUNDS = {"tiny MLP": 60, "mid CNN": 30}  # at the default --rounds 15: about 30 s and 2 minutes


def mlp_trainer(device: str = "cpu"):
    """A step function for a tiny MLP (64-128-10, batch 64, SGD with momentum)."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10)).to(device)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
    inputs, targets = torch.randn(50, 64, 64, device=device), torch.randint(0, 10, (50, 64), device=device)

    def step(i: int) -> None:
        loss = nn.functional.cross_entropy(model(inputs[i % 50]), targets[i % 50])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


class CNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, padding=1), nn.BatchNorm2d(128), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        )  # fmt: skip
        self.head = nn.Linear(128, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x).flatten(1))


def cnn_trainer(device: str = "cpu"):
    """A step function for a mid-size CNN (3 conv blocks with batch norm, 32x32 images, batch 32, AdamW)."""
    torch.manual_seed(0)
    model = CNN().to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
    inputs = torch.randn(8, 32, 3, 32, 32, device=device)
    targets = torch.randint(0, 10, (8, 32), device=device)

    def step(i: int) -> None:
        loss = nn.functional.cross_entropy(model(inputs[i % 8]), targets[i % 8])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


TRAINERS = {"tiny MLP": mlp_trainer, "mid CNN": cnn_trainer}
TARGETS = {"tiny MLP": 1.05, "mid CNN": 1.02}


def timed_block(step, steps: int) -> float:
    _wait_for_device()
    began = time.perf_counter()
    for i in range(steps):
        step(i)
    _wait_for_device()  # a GPU's kernels run after the Python that queued them: count them in
    return (time.perf_counter() - began) / steps


def _wait_for_device() -> None:
    if torch.cuda.is_initialized():
        torch.cuda.synchronize()


class PausedMonitor:
    """One monitor past its dense start, settled (SETTLE_STEPS or SETTLE_SECONDS: its sparse schedule
    adjusts to its time budget), then switched off for the plain blocks: its hooks come out, its state
    (step count, schedule) waits."""

    def __init__(self, step: Callable[[int], None]) -> None:
        late = Schedule(dense_steps=0, early_until=0, activation_steps=())
        self.monitor = Monitor(schedule=late).attach()
        began, settled = time.perf_counter(), 0
        while settled < SETTLE_STEPS and time.perf_counter() - began < SETTLE_SECONDS:
            timed_block(step, 64)
            settled += 64
        self.off()

    def own_s(self) -> float:
        return self.monitor.overhead_s

    def on(self) -> None:
        self.monitor.attach()
        if not self.monitor._probing:  # attach() adds the activation hooks a run's first step needs
            self.monitor._remove_activation_hooks()

    def off(self) -> None:
        self.monitor._hooks.remove_all()
        self.monitor._attached = False

    def close(self) -> None:
        self.on()
        self.monitor.finish()


class BareHooks:
    """The least a monitor of an unmodified script does that hooks a step's three points: the loss call
    passes through a wrapper, backward() through one that holds the loss, and an optimizer pre-hook reads
    it and counts the step. Nothing is judged, recorded or sampled: what the hook points themselves cost
    in this process. The monitor pays about this on the quick steps of a loop its windows do not fit (a
    loss written by hand); in a window only the loss call is hooked (see monitor.py)."""

    def __init__(self) -> None:
        self.losses: list[torch.Tensor] = []
        self.steps = 0  # counted as the monitor counts them: part of the work measured
        self._hooks = HookSet()

    def own_s(self) -> float:
        return 0.0

    def on(self) -> None:
        def hold_loss(backward):
            def held_backward(tensors, *args, **kwargs):
                self.losses.append(tensors)
                return backward(tensors, *args, **kwargs)

            return held_backward

        def pass_through(loss):
            return lambda input, target=None, *args, **kwargs: loss(input, target, *args, **kwargs)

        self._hooks.patch(torch.autograd, "backward", hold_loss)
        self._hooks.patch(nn.functional, "cross_entropy", pass_through)
        self._hooks.add_handle("step", register_optimizer_step_pre_hook(self._on_step))

    def _on_step(self, optimizer, args, kwargs) -> None:
        losses, self.losses = self.losses, []
        if losses[0].is_cpu:  # on a device the monitor reads the losses at its flushes, not at each step
            losses[0].item()
        self.steps += 1

    def off(self) -> None:
        self._hooks.remove_all()

    close = off


def steady_ratios(trainer, steps: int, rounds: int, watch) -> dict[str, float]:
    """Time per step with a watcher (a PausedMonitor, or BareHooks), which `watch(step)` makes, over
    time per step without, on one continuing run.

    The watcher is switched on for every watched block and off for every plain one. Blocks of `steps`
    alternate (ABBA), so a burst of load on the machine hits both sides of a pair; "steady" is the ratio
    of the summed times, so the sampled steps count at the rate a long run meets them. "typical" is the
    median of the pairs' ratios: the cost of a step that samples nothing. "own_share" is the share of
    the watched time the monitor's own timers account for (what it budgets itself by).
    """
    step = trainer()
    timed_block(step, steps)  # warm up allocator and kernels outside the measurement
    watching = watch(step)
    plain, steady, own_s = [], [], 0.0
    for round_ in range(rounds):
        # the order within a pair alternates (plain first, then watched first): a drift in the
        # machine's speed, or a cost the first block after a switch pays, falls on both sides alike
        for watched in (False, True) if round_ % 2 == 0 else (True, False):
            if watched:
                watching.on()
                before = watching.own_s()
                steady.append(timed_block(step, steps))
                own_s += watching.own_s() - before
                watching.off()
            else:
                plain.append(timed_block(step, steps))
    watching.close()
    return {
        "steady": sum(steady) / sum(plain),
        "typical": statistics.median(w / p for w, p in zip(steady, plain)),
        "own_share": own_s / (sum(steady) * steps),
        "plain": statistics.median(plain),
    }


def start_ratio(trainer, steps: int, rounds: int) -> float:
    """A run's first `steps` steps, sampled densely: a fresh monitor per block against a plain block.
    Measured after the steady state, apart from it: the fresh monitors' garbage would land in its blocks."""
    step = trainer()
    timed_block(step, steps)
    start, plain = [], []
    for _ in range(rounds):
        plain.append(timed_block(step, steps))
        with nndoctor.watch():
            start.append(timed_block(step, steps))
    return statistics.median(w / p for w, p in zip(start, plain))


def measure(name: str, rounds: int, device: str) -> dict[str, float]:
    """One process's figures for one model."""
    trainer = functools.partial(TRAINERS[name], device)
    steps = BLOCK_STEPS[name]
    figures = steady_ratios(trainer, steps, rounds, PausedMonitor)
    figures["bare"] = steady_ratios(trainer, steps, rounds, lambda step: BareHooks())["steady"]
    figures["start"] = start_ratio(trainer, steps, max(3, rounds // 3))
    return figures


def measure_in_processes(name: str, rounds: int, processes: int, device: str) -> list[dict[str, float]]:
    """`measure` in fresh processes, one after another. A process's ratio carries a bias of its own
    (where its tensors happen to land in memory): the same code measured 0.98x to 1.06x on the CNN
    from one process to the next on a quiet machine, so the figure is the median over processes."""
    command = [sys.executable, __file__, "--measure", name, "--rounds", str(rounds), "--device", device]
    runs = [subprocess.run(command, capture_output=True, text=True, check=True) for _ in range(processes)]
    return [json.loads(run.stdout.splitlines()[-1]) for run in runs]


FIVE_SECOND_SCRIPT = textwrap.dedent(
    """
    import sys, torch
    from torch import nn
    torch.manual_seed(0)
    steps = int(sys.argv[1])
    model = nn.Sequential(nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 10))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    x = torch.randn(50, 64, 64)
    y = x[..., :10].argmax(-1)  # labels the inputs decide: a healthy run, which the model learns
    for step in range(steps):
        loss = nn.functional.cross_entropy(model(x[step % 50]), y[step % 50])
        optimizer.zero_grad(); loss.backward(); optimizer.step()
    """
)


def process_ratio(rounds: int) -> tuple[float, float, float]:
    """Median wall time of `python script.py` and `nndoctor run script.py`, and their ratio.

    The script makes a fixed number of steps, chosen so that it trains for about five seconds plain;
    the ratio includes start-up, the monitor and the report."""
    steps = int(5.0 / timed_block(mlp_trainer(), 2000))
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
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--processes", type=int, default=3, help="fresh processes per model (the median)")
    parser.add_argument("--skip-process", action="store_true", help="skip the whole-process comparison")
    parser.add_argument("--device", default="cpu", help="where the models train (cpu, cuda)")
    parser.add_argument("--measure", choices=TRAINERS, help=argparse.SUPPRESS)  # one process's figures
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, ROUNDS[args.measure] * args.rounds // 15, args.device)))
        return 0
    print(
        f"torch {torch.__version__} on {args.device}, {torch.get_num_threads()} threads, "
        f"{args.processes} processes a model"
    )
    for name in TRAINERS:
        runs = measure_in_processes(name, args.rounds, args.processes, args.device)
        steady = [run["steady"] for run in runs]
        median, bare = statistics.median(steady), statistics.median(r["bare"] for r in runs)
        plain_us = statistics.median(r["plain"] for r in runs) * 1e6
        verdict = "ok" if median <= TARGETS[name] else "over target"
        print(
            f"step time {name:<9} plain {plain_us:8.1f} us   "
            f"steady {median:.3f}x (target {TARGETS[name]}x, {verdict}; processes "
            f"{', '.join(f'{x:.3f}' for x in steady)})\n"
            # in microseconds too: a fixed cost a step reads as a larger ratio on a faster machine
            f"{'':<20}that is {(median - 1) * plain_us:+.1f} us a step, the bare hook points "
            f"{(bare - 1) * plain_us:+.1f} us ({bare:.3f}x)\n"
            f"{'':<20}a step that samples nothing {statistics.median(r['typical'] for r in runs):.3f}x   "
            f"monitor's own timers {statistics.median(r['own_share'] for r in runs):.2%} of the time   "
            f"first {BLOCK_STEPS[name]} steps {statistics.median(r['start'] for r in runs):.3f}x"
        )
    if not args.skip_process and args.device == "cpu":
        a, b, ratio = process_ratio(max(3, args.rounds // 2))
        verdict = "ok" if ratio <= 1.10 else "over target"
        print(f"whole process ({a:.1f} s plain)  ratio {ratio:.3f}x (target 1.10x, {verdict})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
