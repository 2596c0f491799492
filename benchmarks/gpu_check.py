"""What only a CUDA device shows: the synchronisations the monitor adds there, and its numerics.

    python benchmarks/gpu_check.py [--steps N] [--json PATH]

1. Synchronisations. A training loop that forces none itself (its data already on the device, no
   `.item()`) runs under `torch.cuda.set_sync_debug_mode("warn")`, which warns at every call that waits
   for the device. Each warning raised from nndoctor's code is counted, by source line and by phase: the
   run's first steps (sampled densely, batches profiled on the host) and the steady state after them.
2. Numerics. The same seeded training (dropout drawing from the CUDA generator, deterministic kernels),
   with and without the monitor, must end with bitwise equal parameters and the same CUDA and CPU
   generator states; two plain runs are compared first, to show that the comparison can tell.
3. Diagnosis. The watched runs must not be reported unhealthy (warnings or errors).

Step time on the device: `overhead.py --device cuda`; the fault zoo there: `detect.py --device cuda`.
Exits 1 when a check fails, 2 without a CUDA device.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import traceback
import warnings
from collections import Counter
from pathlib import Path

os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # deterministic cuBLAS, before it starts

import torch  # noqa: E402
from torch import nn  # noqa: E402
from torch.nn import functional as F  # noqa: E402

import nndoctor  # noqa: E402
from nndoctor.findings import Severity  # noqa: E402

PACKAGE = str(Path(nndoctor.__file__).resolve().parent)
DENSE_STEPS = 200  # the monitor's dense start (Schedule's dense phase and the first pass's profiling)
# the steady state may sync on its sampled steps and flushes, not on every step: at most one in this many
STEADY_SYNC_EVERY = 8


def mlp() -> nn.Module:
    return nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Dropout(0.1), nn.Linear(256, 10))


def cnn() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
        nn.Flatten(), nn.Dropout(0.2), nn.Linear(64, 10),
    )  # fmt: skip


def data(name: str, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    """64 batches of 64 samples whose labels the inputs decide (a run that learns), on the device. A
    generator of its own: the global ones stay as the seeded runs left them."""
    generator = torch.Generator().manual_seed(1)
    sample = (64,) if name == "mlp" else (3, 16, 16)
    labels = torch.randint(0, 10, (64, 64), generator=generator)
    prototypes = torch.randn(10, *sample, generator=generator)  # one pattern a class, under noise
    inputs = prototypes[labels] + torch.randn(64, 64, *sample, generator=generator)
    return inputs.to(device), labels.to(device)


def train(name: str, steps: int, device: str, on_step=None) -> nn.Module:
    """A loop that forces no synchronisation: no `.item()`, no host data, Adam on the device."""
    torch.manual_seed(0)
    model = (mlp() if name == "mlp" else cnn()).to(device)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    inputs, labels = data(name, device)
    for step in range(steps):
        if on_step is not None:
            on_step(step)
        loss = F.cross_entropy(model(inputs[step % 64]), labels[step % 64])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model


def count_syncs(name: str, steps: int) -> dict:
    """The monitor's synchronising calls in a watched run, by phase and by nndoctor source line."""
    current = [0]
    by_phase: Counter[str] = Counter()
    by_line: Counter[str] = Counter()
    by_script = 0

    def on_warning(message, category, filename, lineno, file=None, line=None):
        nonlocal by_script
        if "synchronizing" not in str(message):
            return
        frames = [f for f in traceback.extract_stack() if f.filename.startswith(PACKAGE)]
        if not frames:
            by_script += 1
            return
        by_phase["dense" if current[0] < DENSE_STEPS else "steady"] += 1
        inner = frames[-1]
        by_line[f"{Path(inner.filename).relative_to(PACKAGE)}:{inner.lineno} {inner.name}"] += 1

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = on_warning
        torch.cuda.set_sync_debug_mode("warn")
        try:
            with nndoctor.watch() as doc:
                train(name, steps, "cuda", on_step=lambda step: current.__setitem__(0, step))
        finally:
            torch.cuda.set_sync_debug_mode("default")
    diagnosis = doc.diagnosis()
    steady_steps = steps - DENSE_STEPS
    return {
        "steps": steps,
        "dense_syncs_per_step": by_phase["dense"] / DENSE_STEPS,
        "steady_syncs_per_step": by_phase["steady"] / steady_steps,
        "script_syncs": by_script,
        "lines": dict(by_line.most_common(12)),
        "alarms": [f.id for f in diagnosis.findings if f.severity >= Severity.WARNING],
        "internal_errors": diagnosis.run.get("internal_errors", []),
        "ok": by_phase["steady"] <= steady_steps / STEADY_SYNC_EVERY,
    }


def final_state(
    name: str, steps: int, watched: bool
) -> tuple[list[torch.Tensor], torch.Tensor, torch.Tensor]:
    if watched:
        with nndoctor.watch():
            model = train(name, steps, "cuda")
    else:
        model = train(name, steps, "cuda")
    params = [p.detach().cpu() for p in model.state_dict().values()]
    return params, torch.cuda.get_rng_state(), torch.get_rng_state()


def same(a, b) -> bool:
    params_a, cuda_a, cpu_a = a
    params_b, cuda_b, cpu_b = b
    return (
        all(torch.equal(x, y) for x, y in zip(params_a, params_b))
        and torch.equal(cuda_a, cuda_b)
        and torch.equal(cpu_a, cpu_b)
    )


def check_numerics(name: str, steps: int) -> dict:
    torch.use_deterministic_algorithms(True)
    torch.backends.cudnn.benchmark = False
    try:
        plain = final_state(name, steps, watched=False)
        repeatable = same(plain, final_state(name, steps, watched=False))
        unchanged = same(plain, final_state(name, steps, watched=True))
    finally:
        torch.use_deterministic_algorithms(False)
    return {"plain_runs_equal": repeatable, "watched_equals_plain": unchanged, "ok": repeatable and unchanged}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=2000, help="steps of each watched run (default 2000)")
    parser.add_argument("--json", help="write the figures here")
    args = parser.parse_args(argv)
    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check here", file=sys.stderr)
        return 2
    print(f"torch {torch.__version__} on {torch.cuda.get_device_name()}")
    results = {}
    for name in ("mlp", "cnn"):
        syncs = count_syncs(name, args.steps)
        numerics = check_numerics(name, 300)
        results[name] = {"syncs": syncs, "numerics": numerics}
        print(
            f"{name}: syncs a step {syncs['dense_syncs_per_step']:.2f} in the first {DENSE_STEPS} steps, "
            f"{syncs['steady_syncs_per_step']:.3f} after ({'ok' if syncs['ok'] else 'TOO MANY'}); "
            f"alarms {syncs['alarms'] or 'none'}; internal errors {syncs['internal_errors'] or 'none'}; "
            f"parameters bitwise equal with and without the monitor: {numerics['watched_equals_plain']} "
            f"(two plain runs equal: {numerics['plain_runs_equal']})"
        )
        for line, count in syncs["lines"].items():
            print(f"    {count:6d}  {line}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    passed = all(
        r["syncs"]["ok"]
        and r["numerics"]["ok"]
        and not r["syncs"]["alarms"]
        and not r["syncs"]["internal_errors"]
        for r in results.values()
    )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
