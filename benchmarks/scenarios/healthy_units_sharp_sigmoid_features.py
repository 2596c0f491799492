"""A network of "soft threshold units" for the wine data (standardised features): each hidden unit is a
sigmoid that the author sharpens by 25 (sigmoid(25 * z)) so that it behaves "like a step function, on or
off". Three quarters of the units sit pinned at 0 or 1 from the first step, yet as on/off features they
are enough for this task: the loss falls to ~0.01 and test accuracy reaches ~0.95-0.97. Saturated units
that do not stop learning must not raise an alarm."""
# fault: none
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)

X, y = load_wine(return_X_y=True)
X = torch.tensor(StandardScaler().fit_transform(X), dtype=torch.float32)
y = torch.tensor(y)
order = torch.randperm(len(X))
X, y = X[order], y[order]
X_train, y_train, X_test, y_test = X[:140], y[:140], X[140:], y[140:]

SHARPNESS = 25.0


class ThresholdLayer(nn.Module):
    def __init__(self, dim_in, dim_out):
        super().__init__()
        self.linear = nn.Linear(dim_in, dim_out)
        self.squash = nn.Sigmoid()

    def forward(self, x):
        return self.squash(SHARPNESS * self.linear(x))


class ThresholdNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.block1 = ThresholdLayer(13, 32)
        self.block2 = ThresholdLayer(32, 32)
        self.head = nn.Linear(32, 3)

    def forward(self, x):
        return self.head(self.block2(self.block1(x)))


model = ThresholdNet()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
criterion = nn.CrossEntropyLoss()

for epoch in range(60):
    permutation = torch.randperm(len(X_train))
    for start in range(0, len(X_train), 16):
        index = permutation[start : start + 16]
        optimizer.zero_grad()
        loss = criterion(model(X_train[index]), y_train[index])
        loss.backward()
        optimizer.step()
    if epoch % 10 == 9:
        with torch.no_grad():
            accuracy = (model(X_test).argmax(1) == y_test).float().mean().item()
        print(f"epoch {epoch + 1}: loss {loss.item():.3f}, test acc {accuracy:.3f}")
