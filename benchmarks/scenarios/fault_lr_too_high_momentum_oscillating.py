"""Linear regression on the scikit-learn diabetes data (standardised inputs and targets)
with SGD + momentum 0.9 at lr=0.13, which is too high for this problem: the loss keeps
bouncing up and down around a much higher value than a linear model can reach."""
# fault: lr-too-high
# shows: loss-oscillating

import torch
import torch.nn as nn
from sklearn.datasets import load_diabetes
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

X, y = load_diabetes(return_X_y=True)
X = torch.tensor(X, dtype=torch.float32)
y = torch.tensor(y, dtype=torch.float32).unsqueeze(1)
X = (X - X.mean(0)) / X.std(0)
y = (y - y.mean()) / y.std()

loader = DataLoader(TensorDataset(X, y), batch_size=32, shuffle=True)


class LinearRegression(nn.Module):
    def __init__(self, n_features):
        super().__init__()
        self.linear = nn.Linear(n_features, 1)

    def forward(self, x):
        return self.linear(x)


model = LinearRegression(X.shape[1])
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.13, momentum=0.9)

for epoch in range(30):
    epoch_loss = 0.0
    for inputs, targets in loader:
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()
    if epoch % 3 == 2:
        print(f"epoch {epoch + 1:2d}  mse {epoch_loss / len(loader):.4f}")
