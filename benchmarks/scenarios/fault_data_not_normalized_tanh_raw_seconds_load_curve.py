"""Household power forecast from the clock and the weather: two months of generated 10-minute readings;
the inputs are the time of day in seconds since midnight (0 to 86,400) and the outdoor temperature in
degrees C (-5 to 30), the target is the power draw in kW (a morning and an evening peak, more at cold
hours, noise), standardised. A 2 x 64 tanh MLP, Adam 3e-3, batch 128, 20 epochs.

The bug: the inputs go into the first tanh layer as they are. The author standardised the target but
left the inputs raw, reasoning that "tanh squashes everything into [-1, 1] anyway". With the default
init (first-layer weights up to +-0.7 for 2 inputs) the pre-activations are of the order of 1e4 for
almost every reading, so from the first batch on all of the first layer's tanh outputs sit at +-1
(nearly all exactly 1.0 in float32) and their derivative is 0: the first layer never moves, the second
layer sees the same input for every reading, and the model can only predict the mean. The train MSE
stays at ~1.0 (the target variance) for all 20 epochs. With the inputs standardised, the same script
reaches a val MSE of ~0.07 (noise floor ~0.065)."""
# fault: data-not-normalized
# shows: saturated-activations loss-plateau

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

# 60 days of 10-minute readings
n_days, per_day = 60, 144
seconds = np.tile(np.arange(per_day) * 600.0, n_days)
hours = seconds / 3600.0
day = np.repeat(np.arange(n_days), per_day)
daily = 8 * np.sin(2 * np.pi * (hours - 9) / 24)
seasonal = 6 * np.sin(2 * np.pi * day / 60)
outdoor = 12 + daily + seasonal + np.random.randn(len(day))
power = (
    0.4
    + 1.2 * np.exp(-0.5 * ((hours - 7.5) / 1.2) ** 2)
    + 1.8 * np.exp(-0.5 * ((hours - 19.0) / 2.0) ** 2)
    + 0.05 * np.clip(16 - outdoor, 0, None)
    + 0.15 * np.random.randn(len(day))
)

X = np.stack([seconds, outdoor], axis=1).astype(np.float32)
y = ((power - power.mean()) / power.std()).astype(np.float32)
print(f"inputs: seconds 0..{X[:, 0].max():.0f}, outdoor {X[:, 1].min():.1f}..{X[:, 1].max():.1f} C")

perm = np.random.permutation(len(X))
train_idx, val_idx = perm[:7000], perm[7000:]
X_t, y_t = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1)
X_train, y_train, X_val, y_val = X_t[train_idx], y_t[train_idx], X_t[val_idx], y_t[val_idx]
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=128, shuffle=True)

model = nn.Sequential(
    nn.Linear(2, 64),
    nn.Tanh(),
    nn.Linear(64, 64),
    nn.Tanh(),
    nn.Linear(64, 1),
)
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

for epoch in range(20):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        val_mse = criterion(model(X_val), y_val).item()
    if epoch % 3 == 0 or epoch == 19:
        print(f"epoch {epoch + 1:2d}  train mse {total / len(X_train):.4f}  val mse {val_mse:.4f}")
