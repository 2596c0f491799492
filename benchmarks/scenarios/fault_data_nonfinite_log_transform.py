"""House-price style regression on generated data: the author log-transforms a skewed "area" feature
with np.log, but some areas are 0 (missing coded as 0), which gives -inf. A GRU-free, plain MLP with
AdamW and SmoothL1 loss on standardised targets."""
# fault: data-nonfinite
# shows: loss-nonfinite

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(1)
rng = np.random.default_rng(1)

n = 1200
area = rng.lognormal(4.0, 0.6, n)
area[rng.random(n) < 0.01] = 0.0  # missing values were exported as 0
rooms = rng.integers(1, 7, n).astype(float)
age = rng.uniform(0, 80, n)
price = 3 * np.log1p(area) + 0.5 * rooms - 0.02 * age + rng.normal(0, 0.5, n)
features = np.column_stack([np.log(area), rooms, age])  # log(0) = -inf
features = (features - features[np.isfinite(features).all(1)].mean(0)) / features[
    np.isfinite(features).all(1)
].std(0)
target = (price - price.mean()) / price.std()
X, y = torch.tensor(features, dtype=torch.float32), torch.tensor(target, dtype=torch.float32)


class PriceNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Linear(3, 48), nn.GELU(), nn.Linear(48, 48), nn.GELU(), nn.Linear(48, 1)
        )

    def forward(self, x):
        return self.layers(x).squeeze(-1)


model = PriceNet()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
criterion = nn.SmoothL1Loss()
for epoch in range(10):
    perm = torch.randperm(n)
    for i in range(0, n, 50):
        idx = perm[i : i + 50]
        loss = criterion(model(X[idx]), y[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(epoch, loss.item())
