"""Diabetes regression with an MLP whose last layer is followed by a ReLU ("predictions can't be
negative: disease progression is a positive number"). But the targets were standardised, so about half
of them are negative, and the ReLU output can never reach them; SGD with momentum, manual batching."""
# fault: wrong-output-activation
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from sklearn.preprocessing import StandardScaler

torch.manual_seed(1)

X, y = load_diabetes(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor((y - y.mean()) / y.std(), dtype=torch.float32).unsqueeze(1)


class Regressor(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Sequential(nn.Linear(10, 64), nn.ReLU(), nn.Linear(64, 32), nn.ReLU())
        self.out = nn.Linear(32, 1)
        self.positive = nn.ReLU()

    def forward(self, x):
        return self.positive(self.out(self.hidden(x)))


model = Regressor()
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)

batch_size = 32
for epoch in range(40):
    perm = torch.randperm(len(X))
    running = 0.0
    for start in range(0, len(X), batch_size):
        idx = perm[start : start + batch_size]
        optimizer.zero_grad()
        loss = criterion(model(X[idx]), y[idx])
        loss.backward()
        optimizer.step()
        running += loss.item() * len(idx)
    if epoch % 10 == 9:
        print(f"epoch {epoch + 1}: mse {running / len(X):.4f}")
