"""Regression on synthetic tabular data (six numeric features plus a 0/1 flag that is set for
~30% of rows) where the model standardises its inputs per batch with (x - x.mean(0)) / x.std(0)
and no epsilon. When a batch happens to contain no row with the flag set, that column's std is
0, 0/0 gives NaN and the MSE loss is NaN from that step on."""
# fault: loss-nonfinite
# shows:

import torch
import torch.nn as nn

torch.manual_seed(0)

N = 2000
numeric = torch.randn(N, 6)
flag = (torch.rand(N, 1) < 0.3).float()  # a binary feature, set for ~30% of rows
X = torch.cat([numeric, flag], dim=1)
y = numeric @ torch.tensor([1.0, -0.5, 0.3, 0.0, 0.8, -1.2]) + 2.0 * flag.squeeze(1) + 0.1 * torch.randn(N)


class BatchStandardizedMLP(nn.Module):
    def __init__(self, d_in):
        super().__init__()
        self.mlp = nn.Sequential(nn.Linear(d_in, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        x = (x - x.mean(dim=0)) / x.std(dim=0)  # standardise each feature within the batch
        return self.mlp(x).squeeze(-1)


model = BatchStandardizedMLP(X.shape[1])
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.MSELoss()
batch_size = 16

for epoch in range(4):
    perm = torch.randperm(N)
    running = 0.0
    n_batches = 0
    for i in range(0, N, batch_size):
        idx = perm[i : i + batch_size]
        loss = loss_fn(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        running += loss.item()
        n_batches += 1
    print(f"epoch {epoch + 1}: mse {running / n_batches:.4f}")
