"""Machine-state classification from shaft-speed traces: each sample is a 40-step sequence of RPM
readings (values around 2000-2600) from one of 3 states (steady, slow drift, oscillating), and a
single-layer LSTM (hidden 32) reads the sequence and classifies the last hidden state. Adam at 3e-3,
batch 64, 15 epochs, cross-entropy, with per-epoch validation accuracy.

Bug: the raw RPM values are fed straight into the LSTM; nobody standardised them. With inputs in
the thousands, every gate pre-activation is pushed far into the flat part of its sigmoid/tanh from
the first step, the gates are stuck fully open or closed and the gradients reaching the input
weights are tiny. The loss sits at ~ln 3 = 1.10 and validation accuracy stays at chance (~33%) for
the whole run. Subtracting the training mean and dividing by the training std per reading fixes it:
the same LSTM then gets the loss down to ~0.25 and
validation accuracy to ~88% within the same 15 epochs."""
# fault: data-not-normalized
# shows: loss-plateau

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

T, n_per_class = 40, 600
t = np.arange(T)


def make_traces(state, n):
    base = rng.uniform(2000, 2600, size=(n, 1))
    noise = rng.normal(scale=25.0, size=(n, T))
    if state == 0:  # steady
        return base + noise
    if state == 1:  # slow drift up or down
        slope = rng.choice([-1, 1], size=(n, 1)) * rng.uniform(10, 20, size=(n, 1))
        return base + slope * t + noise
    freq = rng.uniform(0.5, 1.0, size=(n, 1))  # oscillating
    return base + 250.0 * np.sin(freq * t + rng.uniform(0, 2 * np.pi, size=(n, 1))) + noise


X = np.concatenate([make_traces(s, n_per_class) for s in range(3)]).astype(np.float32)
y = np.repeat(np.arange(3), n_per_class)
perm = rng.permutation(len(X))
X, y = X[perm], y[perm]
n_train = 1440
X_t = torch.from_numpy(X).unsqueeze(-1)  # (N, T, 1), raw RPM
y_t = torch.from_numpy(y).long()
train_loader = DataLoader(TensorDataset(X_t[:n_train], y_t[:n_train]), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(X_t[n_train:], y_t[n_train:]), batch_size=256)


class StateLSTM(nn.Module):
    def __init__(self, hidden=32, n_classes=3):
        super().__init__()
        self.lstm = nn.LSTM(input_size=1, hidden_size=hidden, batch_first=True)
        self.head = nn.Linear(hidden, n_classes)

    def forward(self, x):
        _, (h, _) = self.lstm(x)
        return self.head(h[-1])


model = StateLSTM()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(1, 16):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * xb.size(0)
    model.eval()
    correct, val_loss = 0, 0.0
    with torch.no_grad():
        for xb, yb in val_loader:
            out = model(xb)
            val_loss += criterion(out, yb).item() * xb.size(0)
            correct += (out.argmax(1) == yb).sum().item()
    n_val = len(X) - n_train
    print(
        f"epoch {epoch:2d}  train loss {running / n_train:.4f}  val loss {val_loss / n_val:.4f}  val acc {correct / n_val:.3f}"
    )
