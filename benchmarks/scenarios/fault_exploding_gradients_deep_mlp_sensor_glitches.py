"""Process-yield regression from 12 plant sensors with a deep-ish MLP (8 Linear layers of 128 ReLU
units, He init), SGD with momentum, MSE on the standardised yield, no gradient clipping. The sensor
log has rare glitch rows: now and then a sensor's ADC saturates and logs 4095 instead of ~500. They are
few (19 of 4000 rows) and survive the StandardScaler as values 35-70 standard deviations out.

Bug: nothing bounds the update. Most batches are ordinary, but when a batch holds a glitch row the
deep ReLU stack turns it into a huge output and a huge error, and the gradient norm jumps by orders of
magnitude over its usual level (10-130x the median, a dozen times in the first two epochs); with
momentum, each such step throws the weights far off. The loss spikes whenever such a batch arrives,
never settles (the median batch loss stays near 1), and in the third epoch a run of spikes grows
(250x, 1e4x, 1e10x) into inf and then NaN. Without the glitch rows the same settings reach a validation MSE of
~0.10; with torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0) after backward() the glitchy data
trains too (~0.09 on the clean validation rows)."""
# fault: exploding-gradients
# shows: loss-nonfinite

import numpy as np
import torch
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

n, d = 4000, 12
latent = rng.normal(size=(n, d))
sensors = 500 + 50 * latent  # raw readings
yield_ = (
    np.sin(latent[:, 0])
    + 0.5 * latent[:, 1] * latent[:, 2]
    + np.tanh(latent[:, 3] - latent[:, 4])
    + 0.3 * latent[:, 5:].sum(1)
    + 0.1 * rng.normal(size=n)
)
glitch = rng.random((n, d)) < 0.0003
sensors[glitch] = 4095.0
print(f"{glitch.any(1).sum()} of {n} rows hold a glitch reading")

split = 3200
scaler = StandardScaler().fit(sensors[:split])
X = torch.tensor(scaler.transform(sensors), dtype=torch.float32)
y = torch.tensor((yield_ - yield_[:split].mean()) / yield_[:split].std(), dtype=torch.float32).unsqueeze(1)
train_loader = DataLoader(TensorDataset(X[:split], y[:split]), batch_size=32, shuffle=True)

layers = []
width = 128
for i in range(8):
    layers.append(nn.Linear(d if i == 0 else width, 1 if i == 7 else width))
    if i < 7:
        layers.append(nn.ReLU())
model = nn.Sequential(*layers)
for m in model:
    if isinstance(m, nn.Linear):
        nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        nn.init.zeros_(m.bias)

criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.002, momentum=0.9)

for epoch in range(1, 11):
    model.train()
    losses = []
    for xb, yb in train_loader:
        loss = criterion(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    model.eval()
    with torch.no_grad():
        val = criterion(model(X[split:]), y[split:]).item()
    print(
        f"epoch {epoch:2d}: train loss median {np.median(losses):.4g}  max {np.max(losses):.4g}  val MSE {val:.4g}"
    )
