"""Digits classifier: a deep tanh MLP (64 -> 6 x 256 -> 10), pixels standardised, Adam 1e-3, batch 64,
15 epochs. The author initialises the weights by hand in an `init_weights` helper, "normal weights,
zero biases", as in the lecture notes.

The bug: the helper draws every weight from N(0, 1.0), about 16x the Xavier scale for a 256-wide layer
(std = gain / sqrt(fan_in) ~ 0.1). The hidden pre-activations have standard deviations of ~8 (first
layer) to ~15, so at the first batch 73% of the first layer's tanh outputs and ~88% of each deeper
layer's sit beyond +-0.98, where tanh is flat; the deep features are close to random sign patterns of
the input. The logits are sums of 256 such +-1 terms with unit weights, so the loss starts at ~22
(ln 10 = 2.3), and Adam's ~1e-3 steps are tiny next to unit-sized weights: after 15 epochs the loss is
still ~8 and val acc ~0.33. With Xavier-normal (tanh gain) init the same script reaches a loss of 0.001
and ~0.976 val acc."""
# fault: bad-init
# shows: saturated-activations

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

X, y = load_digits(return_X_y=True)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.25, random_state=0)
scaler = StandardScaler().fit(X_train)
X_train = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
X_val = torch.tensor(scaler.transform(X_val), dtype=torch.float32)
y_train, y_val = torch.tensor(y_train), torch.tensor(y_val)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)

layers = []
width_in = 64
for _ in range(6):
    layers += [nn.Linear(width_in, 256), nn.Tanh()]
    width_in = 256
layers.append(nn.Linear(256, 10))
model = nn.Sequential(*layers)


def init_weights(m):
    if isinstance(m, nn.Linear):
        nn.init.normal_(m.weight, mean=0.0, std=1.0)
        nn.init.zeros_(m.bias)


model.apply(init_weights)

criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(15):
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
        val_acc = (model(X_val).argmax(1) == y_val).float().mean().item()
    if epoch % 2 == 0 or epoch == 14:
        print(f"epoch {epoch + 1:2d}  train loss {total / len(X_train):.3f}  val acc {val_acc:.3f}")
