"""Count regression: the number of events per sample is Poisson with a rate that depends on four
features; the MLP ends in nn.Softplus (rates are positive) and is trained with nn.MSELoss on the raw
counts (all >= 0), AdamW, DataLoader."""
# fault: none
# shows:

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

n = 2000
features = torch.randn(n, 4)
rate = torch.exp(0.4 * features[:, 0] - 0.3 * features[:, 1] + 0.2 * features[:, 2] * features[:, 3] + 1.0)
counts = torch.poisson(rate).unsqueeze(1)
loader = DataLoader(TensorDataset(features[:1600], counts[:1600]), batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Linear(4, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1), nn.Softplus()
)
criterion = nn.MSELoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3)

for epoch in range(15):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    if epoch % 5 == 4:
        model.eval()
        with torch.no_grad():
            val = criterion(model(features[1600:]), counts[1600:]).item()
        print(f"epoch {epoch + 1}: train mse {loss.item():.3f}  val mse {val:.3f}")
