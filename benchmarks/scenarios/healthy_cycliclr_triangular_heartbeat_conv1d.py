"""1-D CNN that classifies generated single-lead heartbeat snippets (96 samples each) into three
morphologies: a normal beat (narrow QRS, upright T wave), a wide-QRS beat (bundle-branch-like, QRS
three times wider) and a premature beat (no P wave, early QRS, inverted T wave). Each beat gets
random amplitude, timing jitter, baseline wander and noise. The network is three Conv1d + BatchNorm1d
+ ReLU stages with max-pooling and a global average pool before a linear classifier. SGD with
momentum under a triangular CyclicLR (base 2e-3, max 6e-2, a half cycle of two epochs) that is
stepped after every batch, as the scheduler is meant to be, for 12 epochs (three full cycles);
validation each epoch."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

L = 96
t = np.arange(L, dtype=np.float32)


def gaussian(center, width, height):
    return height * np.exp(-0.5 * ((t - center) / width) ** 2)


def make_beat(kind):
    shift = rng.normal(0, 3)
    amp = rng.uniform(0.7, 1.3)
    qrs_c = 40 + shift
    if kind == 0:  # normal
        beat = gaussian(qrs_c - 18, 3, 0.15) + gaussian(qrs_c, 2.0, 1.0) + gaussian(qrs_c + 28, 6, 0.3)
    elif kind == 1:  # wide QRS
        beat = gaussian(qrs_c - 18, 3, 0.15) + gaussian(qrs_c, 6.0, 0.8) + gaussian(qrs_c + 30, 7, 0.25)
    else:  # premature: no P wave, early QRS, inverted T
        qrs_c -= 10
        beat = gaussian(qrs_c, 2.5, 1.0) + gaussian(qrs_c + 26, 7, -0.3)
    wander = 0.15 * np.sin(2 * np.pi * t / rng.uniform(80, 200) + rng.uniform(0, 2 * np.pi))
    return amp * beat + wander + rng.normal(0, 0.06, L)


N = 2400
labels = rng.integers(0, 3, N)
signals = np.stack([make_beat(k) for k in labels]).astype(np.float32)[:, None, :]
n_train = 2000
train_loader = DataLoader(
    TensorDataset(torch.from_numpy(signals[:n_train]), torch.from_numpy(labels[:n_train])),
    batch_size=64,
    shuffle=True,
)
val_x, val_y = torch.from_numpy(signals[n_train:]), torch.from_numpy(labels[n_train:])


def conv_stage(c_in, c_out):
    return nn.Sequential(
        nn.Conv1d(c_in, c_out, 5, padding=2), nn.BatchNorm1d(c_out), nn.ReLU(), nn.MaxPool1d(2)
    )


model = nn.Sequential(
    conv_stage(1, 16),
    conv_stage(16, 32),
    conv_stage(32, 32),
    nn.AdaptiveAvgPool1d(1),
    nn.Flatten(),
    nn.Linear(32, 3),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=2e-3, momentum=0.9)
scheduler = torch.optim.lr_scheduler.CyclicLR(
    optimizer, base_lr=2e-3, max_lr=6e-2, step_size_up=2 * len(train_loader), mode="triangular"
)

for epoch in range(12):
    model.train()
    running, steps = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += loss.item()
        steps += 1
    model.eval()
    with torch.no_grad():
        out = model(val_x)
        val_loss = criterion(out, val_y).item()
        val_acc = (out.argmax(1) == val_y).float().mean().item()
    print(
        f"epoch {epoch + 1:2d}  lr {scheduler.get_last_lr()[0]:.4f}  train loss {running / steps:.4f}  "
        f"val loss {val_loss:.4f}  val acc {val_acc:.3f}"
    )
