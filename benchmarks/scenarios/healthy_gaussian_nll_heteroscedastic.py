"""Heteroscedastic regression with nn.GaussianNLLLoss: a generated 3-feature dataset whose target is a
smooth function of the inputs plus noise whose standard deviation grows with the first feature
(0.05 to ~0.85). One MLP trunk with two heads predicts the mean and the variance (softplus + 1e-4 to
keep it positive); GaussianNLLLoss takes (mean, target, var). Adam 2e-3, batch 128, 30 epochs.
Validation reports the NLL, the MSE of the mean, how often the target falls within +-2 predicted sigma
(should be ~0.95) and how well the predicted sigma tracks the true one, next to the oracle's NLL/MSE."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

N = 5000
X = np.random.uniform(-2, 2, size=(N, 3)).astype(np.float32)
true_mean = np.sin(1.5 * X[:, 0]) + 0.5 * X[:, 1] * X[:, 2]
true_std = 0.05 + 0.15 * (X[:, 0] + 2) ** 1.2
y = (true_mean + true_std * np.random.randn(N)).astype(np.float32)

X_t, y_t, s_t = torch.from_numpy(X), torch.from_numpy(y).unsqueeze(1), torch.from_numpy(true_std)
X_train, y_train = X_t[:4000], y_t[:4000]
X_val, y_val, std_val = X_t[4000:], y_t[4000:], s_t[4000:]
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=128, shuffle=True)
oracle_nll = (std_val.log() + 0.5).mean().item()
print(f"oracle on val: nll {oracle_nll:+.3f}  mse {(std_val**2).mean().item():.4f}")


class MeanVarNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(nn.Linear(3, 64), nn.SiLU(), nn.Linear(64, 64), nn.SiLU())
        self.mean_head = nn.Linear(64, 1)
        self.var_head = nn.Linear(64, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.mean_head(h), F.softplus(self.var_head(h)) + 1e-4


model = MeanVarNet()
criterion = nn.GaussianNLLLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

for epoch in range(30):
    model.train()
    total = 0.0
    for xb, yb in loader:
        mean, var = model(xb)
        loss = criterion(mean, yb, var)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    if epoch % 5 == 4 or epoch == 0:
        model.eval()
        with torch.no_grad():
            mean, var = model(X_val)
            nll = criterion(mean, y_val, var).item()
            mse = F.mse_loss(mean, y_val).item()
            sigma = var.sqrt()
            coverage = ((y_val - mean).abs() < 2 * sigma).float().mean().item()
            sigma_corr = np.corrcoef(sigma.squeeze(1).numpy(), std_val.numpy())[0, 1]
        print(
            f"epoch {epoch + 1:2d}  train nll {total / len(X_train):+.3f}  val nll {nll:+.3f}  "
            f"val mse {mse:.4f}  2-sigma coverage {coverage:.3f}  sigma corr {sigma_corr:.3f}"
        )
