"""Next-hour electricity load forecast for households: 48-hour windows of hourly load (kW) with a daily
cycle (a morning and an evening peak of random size and timing per household) and measurement noise.
The series are standardised with the training mean and std, and a hand-written Elman cell,
`h = tanh(W_x x + W_h h)` in a Python loop over the hours (32 units, default init), reads them; a linear
head predicts the next hour at every step, and the MSE is taken over the second day (the first one
warms the state up). Adam 3e-3, batch 64, 12 epochs.

Written blind (without reading the rules). Inputs stay within -1.8 and +3.9 (standardised), so the cell
works in tanh's useful range. Measured: the val MSE (standardised units) falls from 0.15 after the first
epoch to 0.058, five times below the persistence forecast "next hour = this hour" (0.28); the
measurement noise alone is 0.020, and part of the rest is the peak timing, which is unknown until seen."""
# fault: none
# shows:

import torch
import torch.nn as nn

torch.manual_seed(0)

HOURS = 48


def make_households(n):
    t = torch.arange(HOURS + 1).float()
    base = 0.3 + 0.4 * torch.rand(n, 1)
    morning = (0.3 + 0.5 * torch.rand(n, 1)) * torch.exp(
        -0.5 * ((t % 24 - 7 - 2 * torch.rand(n, 1)) / 1.2) ** 2
    )
    evening = (0.6 + 0.8 * torch.rand(n, 1)) * torch.exp(
        -0.5 * ((t % 24 - 18 - 3 * torch.rand(n, 1)) / 2.0) ** 2
    )
    load = base + morning + evening + 0.05 * torch.randn(n, HOURS + 1)
    return load


train, val = make_households(3000), make_households(600)
mean, std = train.mean(), train.std()
train, val = (train - mean) / std, (val - mean) / std
train_x, train_y = train[:, :-1].unsqueeze(-1), train[:, 1:]
val_x, val_y = val[:, :-1].unsqueeze(-1), val[:, 1:]
print(
    f"noise floor {(0.05 / std) ** 2:.4f}, persistence {((val_x[:, 24:, 0] - val_y[:, 24:]) ** 2).mean():.4f}"
)


class ElmanForecaster(nn.Module):
    def __init__(self, hidden=32):
        super().__init__()
        self.hidden = hidden
        self.W_x = nn.Linear(1, hidden)
        self.W_h = nn.Linear(hidden, hidden, bias=False)
        self.head = nn.Linear(hidden, 1)

    def forward(self, x):
        h = torch.zeros(x.shape[0], self.hidden)
        outputs = []
        for hour in range(x.shape[1]):
            h = torch.tanh(self.W_x(x[:, hour]) + self.W_h(h))
            outputs.append(self.head(h))
        return torch.cat(outputs, dim=1)


model = ElmanForecaster()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.MSELoss()

for epoch in range(12):
    permutation = torch.randperm(len(train_x))
    total = 0.0
    for start in range(0, len(train_x), 64):
        index = permutation[start : start + 64]
        optimizer.zero_grad()
        loss = criterion(model(train_x[index])[:, 24:], train_y[index, 24:])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(index)
    with torch.no_grad():
        val_loss = criterion(model(val_x)[:, 24:], val_y[:, 24:]).item()
    print(f"epoch {epoch + 1}: train mse {total / len(train_x):.4f}, val mse {val_loss:.4f}")
