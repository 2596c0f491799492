"""Regression of (generated) concrete compressive strength from a mix recipe: cement, slag, fly ash,
water, superplasticiser, coarse and fine aggregate, and curing age. The strength follows a
water/cement-ratio law with a logarithmic age gain plus noise. 1,123 mixes are split 80/20, which
leaves 898 training rows: with batch_size=32 and the DataLoader's default drop_last=False every
epoch ends on a batch of only 2 rows. Inputs are standardised with the training statistics, the
target is standardised too; a 8-64-64-1 SiLU MLP is trained with MSE and Adam (lr 2e-3, decayed by
half every 8 epochs) for 24 epochs, with a validation MSE and R^2 each epoch."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

n = 1123
cement = rng.uniform(100, 540, n)
slag = rng.uniform(0, 300, n) * (rng.random(n) < 0.55)
fly_ash = rng.uniform(0, 200, n) * (rng.random(n) < 0.45)
water = rng.uniform(120, 250, n)
superplast = rng.uniform(0, 30, n) * (rng.random(n) < 0.6)
coarse = rng.uniform(800, 1150, n)
fine = rng.uniform(590, 990, n)
age = rng.choice([3, 7, 14, 28, 56, 90, 180, 365], size=n)

binder = cement + 0.6 * slag + 0.4 * fly_ash
w_b = water / binder
strength = 95 * np.exp(-1.6 * w_b) * (0.45 + 0.2 * np.log(age)) + 0.25 * superplast
strength += rng.normal(scale=2.5, size=n)
X = np.column_stack([cement, slag, fly_ash, water, superplast, coarse, fine, age]).astype(np.float32)
y = strength.astype(np.float32)

Xtr, Xva, ytr, yva = train_test_split(X, y, test_size=0.2, random_state=0)
mu, sd = Xtr.mean(0), Xtr.std(0)
y_mu, y_sd = ytr.mean(), ytr.std()
Xtr, Xva = (Xtr - mu) / sd, (Xva - mu) / sd
ytr, yva = (ytr - y_mu) / y_sd, (yva - y_mu) / y_sd

BATCH = 32
train_loader = DataLoader(
    TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(ytr)), batch_size=BATCH, shuffle=True
)
Xva_t, yva_t = torch.from_numpy(Xva), torch.from_numpy(yva)
print(f"train rows {len(Xtr)}  batches/epoch {len(train_loader)}  last batch {len(Xtr) % BATCH} rows")

model = nn.Sequential(
    nn.Linear(8, 64),
    nn.SiLU(),
    nn.Linear(64, 64),
    nn.SiLU(),
    nn.Linear(64, 1),
)
loss_fn = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=8, gamma=0.5)

for epoch in range(24):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        pred = model(xb).squeeze(-1)
        loss = loss_fn(pred, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        val_pred = model(Xva_t).squeeze(-1)
        val_mse = loss_fn(val_pred, yva_t).item()
    if epoch % 4 == 3:
        print(
            f"epoch {epoch + 1:2d}  train mse {total / len(Xtr):.4f}  val mse {val_mse:.4f}  "
            f"val R^2 {1 - val_mse / yva_t.var(unbiased=False).item():.3f}  "
            f"val RMSE {np.sqrt(val_mse) * y_sd:.2f} MPa"
        )
