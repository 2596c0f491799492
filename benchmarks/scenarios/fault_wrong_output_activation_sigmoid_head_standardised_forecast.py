"""Next-hour temperature forecaster: a generated hourly series (daily and weekly cycles, a slow drift,
AR(1) weather noise) is cut into 24-hour windows; an LSTM reads each window and a small head predicts
the next hour. Inputs and targets are standardised with the training mean and std; Adam, MSE.

Bug: the head still ends in nn.Sigmoid() from an earlier version of the script that min-max scaled the
series into [0, 1]. After the switch to StandardScaler about half of the targets are negative (and a
sixth are above 1), which a sigmoid can never output: every negative target is predicted as ~0, the
loss stalls far above what the LSTM can do, and the forecast is worse than repeating the last hour."""
# fault: wrong-output-activation
# shows: loss-plateau

import numpy as np
import torch
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

hours = np.arange(24 * 200)
weather = np.zeros(len(hours))
for t in range(1, len(hours)):
    weather[t] = 0.95 * weather[t - 1] + rng.normal(0, 0.6)
temp = (
    12
    + 6 * np.sin(2 * np.pi * (hours - 9) / 24)
    + 1.5 * np.sin(2 * np.pi * hours / (24 * 7))
    + 4 * np.sin(2 * np.pi * hours / (24 * 200))
    + weather
)

split = int(0.8 * len(temp))
mean, std = temp[:split].mean(), temp[:split].std()
z = ((temp - mean) / std).astype(np.float32)

WINDOW = 24


def windows(series):
    x = np.stack([series[i : i + WINDOW] for i in range(len(series) - WINDOW)])
    y = series[WINDOW:]
    return torch.tensor(x).unsqueeze(-1), torch.tensor(y).unsqueeze(-1)


x_train, y_train = windows(z[:split])
x_val, y_val = windows(z[split:])
print(
    f"{len(x_train)} training windows; {(y_train < 0).float().mean().item():.0%} of targets negative, "
    f"{(y_train > 1).float().mean().item():.0%} above 1"
)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=64, shuffle=True)


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 32, batch_first=True)
        self.head = nn.Sequential(nn.Linear(32, 16), nn.ReLU(), nn.Linear(16, 1), nn.Sigmoid())

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


model = Forecaster()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.MSELoss()
persistence = criterion(x_val[:, -1], y_val).item()

for epoch in range(1, 9):
    model.train()
    total = 0.0
    for xb, yb in loader:
        loss = criterion(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        val = criterion(model(x_val), y_val).item()
    print(
        f"epoch {epoch}: train MSE {total / len(x_train):.4f}  val MSE {val:.4f}  (persistence {persistence:.4f})"
    )
