"""A deep, narrow ReLU network (10 hidden layers of 6 units, default init) for a tabular regression
(scikit-learn's diabetes data, standardised). With so few units per layer, a layer in which every unit
is negative on every input appears by chance at initialisation or in the first updates; from that layer on
the signal is zero, no gradient flows back, and the network predicts a constant."""
# fault: dead-relu
# shows: loss-plateau

import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

data = load_diabetes()
X = torch.tensor(data.data, dtype=torch.float32)
y = torch.tensor(data.target, dtype=torch.float32)
X = (X - X.mean(0)) / X.std(0)
y = (y - y.mean()) / y.std()
train = TensorDataset(X[:380], y[:380])
loader = DataLoader(train, batch_size=32, shuffle=True)

layers = [nn.Linear(10, 6), nn.ReLU()]
for _ in range(9):
    layers += [nn.Linear(6, 6), nn.ReLU()]
layers.append(nn.Linear(6, 1))
model = nn.Sequential(*layers)

optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = nn.MSELoss()

for epoch in range(40):
    running = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb).squeeze(1), yb)
        loss.backward()
        optimizer.step()
        running += loss.item() * len(xb)
    if epoch % 5 == 0 or epoch == 39:
        with torch.no_grad():
            test = loss_fn(model(X[380:]).squeeze(1), y[380:]).item()
        print(f"epoch {epoch:2d}  train mse {running / len(train):.3f}  test mse {test:.3f}")
