"""Diabetes regression with a small MLP (10-20-1, about 240 parameters), mini-batches of 32 and Adam:
small, but as good as much larger networks on this noisy data (test MSE ~0.5 on standardised targets)."""

# fault: none
# shows:
import torch
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler
from torch import nn

torch.manual_seed(0)
data = load_diabetes()
X = torch.tensor(StandardScaler().fit_transform(data.data), dtype=torch.float32)
y = torch.tensor((data.target - data.target.mean()) / data.target.std(), dtype=torch.float32)
X_train, y_train, X_test, y_test = X[:350], y[:350], X[350:], y[350:]

model = nn.Sequential(nn.Linear(10, 20), nn.ReLU(), nn.Linear(20, 1))
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.MSELoss()
for epoch in range(40):
    perm = torch.randperm(len(X_train))
    for i in range(0, len(X_train), 32):
        idx = perm[i : i + 32]
        optimizer.zero_grad()
        loss = loss_fn(model(X_train[idx]).squeeze(1), y_train[idx])
        loss.backward()
        optimizer.step()
    if epoch % 10 == 9:
        with torch.no_grad():
            test = loss_fn(model(X_test).squeeze(1), y_test).item()
        print(f"epoch {epoch}: train {loss.item():.3f}  test {test:.3f}")
