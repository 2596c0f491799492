"""LSTM regression of the next value of noisy sine waves with RMSprop. The author copied the reset from
a gradient-accumulation example: optimizer.zero_grad() runs only every 10th batch, but
optimizer.step() still runs on every batch, so nine steps in ten apply the sum of several gradients."""

# fault: grad-not-zeroed
# shows:
import torch
from torch import nn

torch.manual_seed(0)


def waves(n, length=20):
    freq = 0.5 + torch.rand(n, 1)
    phase = 6.28 * torch.rand(n, 1)
    t = torch.arange(length + 1).float()
    s = torch.sin(freq * t + phase) + 0.05 * torch.randn(n, length + 1)
    return s[:, :-1, None], s[:, -1:]


X, Y = waves(800)


class Forecaster(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(1, 32, batch_first=True)
        self.head = nn.Linear(32, 1)

    def forward(self, x):
        out, _ = self.lstm(x)
        return self.head(out[:, -1])


model = Forecaster()
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()
for epoch in range(3):
    perm = torch.randperm(len(X))
    for i, start in enumerate(range(0, len(X), 40)):
        idx = perm[start : start + 40]
        if i % 10 == 0:
            optimizer.zero_grad()
        loss = loss_fn(model(X[idx]), Y[idx])
        loss.backward()
        optimizer.step()
    print(f"epoch {epoch}: mse {loss.item():.4f}")
