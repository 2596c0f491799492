"""Regression on the scikit-learn diabetes data with a small MLP: inputs and targets are
standardised with training-set statistics, the loss is nn.MSELoss, optimiser is Adam."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

X, y = load_diabetes(return_X_y=True)
X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0)

x_scaler = StandardScaler().fit(X_tr)
y_mean, y_std = y_tr.mean(), y_tr.std()


def to_tensors(X_, y_):
    Xt = torch.tensor(x_scaler.transform(X_), dtype=torch.float32)
    yt = torch.tensor((y_ - y_mean) / y_std, dtype=torch.float32).unsqueeze(1)
    return Xt, yt


X_tr_t, y_tr_t = to_tensors(X_tr, y_tr)
X_te_t, y_te_t = to_tensors(X_te, y_te)
loader = DataLoader(TensorDataset(X_tr_t, y_tr_t), batch_size=16, shuffle=True)

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
criterion = nn.MSELoss()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for epoch in range(1, 31):
    model.train()
    epoch_loss = 0.0
    for xb, yb in loader:
        pred = model(xb)
        loss = criterion(pred, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * xb.shape[0]
    if epoch % 5 == 0:
        model.eval()
        with torch.no_grad():
            test_mse = criterion(model(X_te_t), y_te_t).item()
        # MSE on standardised targets: 1 - mse is roughly R^2
        print(
            f"epoch {epoch}: train mse {epoch_loss / len(X_tr_t):.4f}  test mse {test_mse:.4f}  "
            f"test RMSE {np.sqrt(test_mse) * y_std:.1f}"
        )
