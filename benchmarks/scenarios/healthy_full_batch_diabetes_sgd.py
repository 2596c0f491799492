"""Diabetes regression MLP with standardised inputs and target, trained full-batch: the DataLoader has
batch_size=len(train_set), so each of the 60 epochs is one SGD step. On this small, noisy data set
that is enough: train and test MSE end near 0.46, as good as mini-batch training gets here.
(Written blind as a batch-too-large fault; the run showed it is not one, see the README.)"""

# fault: none
# shows:
import torch
from sklearn.datasets import load_diabetes
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
data = load_diabetes()
X = torch.tensor(data.data, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = torch.tensor(data.target, dtype=torch.float32)
y = (y - y.mean()) / y.std()
train_set = TensorDataset(X[:350], y[:350])
loader = DataLoader(train_set, batch_size=len(train_set), shuffle=True)

model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 32), nn.ReLU(), nn.Linear(32, 1))
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
loss_fn = nn.MSELoss()
for epoch in range(60):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
    if epoch % 20 == 19:
        with torch.no_grad():
            test = loss_fn(model(X[350:]).squeeze(1), y[350:]).item()
        print(f"epoch {epoch}: train mse {loss.item():.3f}  test mse {test:.3f}")
