"""Vibration-fault classifier: generated 128-sample accelerometer snippets of four machine states
(healthy hum, imbalance, bearing wear, loose mount), each state "recorded" separately and the four
recordings concatenated into one training set, a 1-D CNN, Adam, batches of 32, four epochs.

Bug: the DataLoader is built with shuffle=False, so every epoch walks through all healthy snippets,
then all imbalance ones, and so on. Each batch holds one class; in the first epoch the model learns
whichever class it is seeing (loss 0.35 inside the first block) and the loss jumps at every class
boundary (1.9 at the next). Chasing one class after another, the network ends up nearly constant:
from the first epoch on it predicts one class for every validation snippet (val acc 0.25, chance)
and the loss hovers around ln 4. The same script with shuffle=True reaches 0.97 in four epochs."""
# fault: data-unshuffled
# shows:

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

L = 128
t = np.arange(L) / L


def record(state, n):
    base_freq = rng.uniform(4, 6, (n, 1))
    phase = rng.uniform(0, 2 * np.pi, (n, 1))
    x = np.sin(2 * np.pi * base_freq * t + phase)
    if state == 1:  # imbalance: strong component at the running speed
        x = x + 0.8 * np.sin(2 * np.pi * 2 * base_freq * t + phase)
    elif state == 2:  # bearing wear: periodic impacts
        period = rng.integers(10, 16, (n, 1))
        x = x + 2.0 * ((np.arange(L) % period) == 0)
    elif state == 3:  # loose mount: clipped, rattling signal
        x = np.clip(1.8 * x, -1, 1) + 0.3 * np.sin(2 * np.pi * 23 * t + phase)
    x = x + rng.normal(0, 0.5, (n, L))
    return x.astype(np.float32)


# one recording per machine state, concatenated in that order
x_train = np.concatenate([record(s, 400) for s in range(4)])
y_train = np.repeat(np.arange(4), 400)
x_val = np.concatenate([record(s, 100) for s in range(4)])
y_val = np.repeat(np.arange(4), 100)

train_set = TensorDataset(torch.from_numpy(x_train).unsqueeze(1), torch.from_numpy(y_train))
train_loader = DataLoader(train_set, batch_size=32, shuffle=False)
x_val, y_val = torch.from_numpy(x_val).unsqueeze(1), torch.from_numpy(y_val)

model = nn.Sequential(
    nn.Conv1d(1, 16, 7, padding=3),
    nn.ReLU(),
    nn.MaxPool1d(2),
    nn.Conv1d(16, 32, 5, padding=2),
    nn.ReLU(),
    nn.MaxPool1d(2),
    nn.Conv1d(32, 32, 5, padding=2),
    nn.ReLU(),
    nn.AdaptiveAvgPool1d(1),
    nn.Flatten(),
    nn.Linear(32, 4),
)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

for epoch in range(1, 5):
    model.train()
    for i, (xb, yb) in enumerate(train_loader):
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if i % 10 == 0:
            print(f"  epoch {epoch} batch {i:2d}: loss {loss.item():.3f}")
    model.eval()
    with torch.no_grad():
        pred = model(x_val).argmax(1)
    acc = (pred == y_val).float().mean().item()
    share = torch.bincount(pred, minlength=4).float() / len(pred)
    print(f"epoch {epoch}: val acc {acc:.3f}  predicted class shares {[round(v, 2) for v in share.tolist()]}")
