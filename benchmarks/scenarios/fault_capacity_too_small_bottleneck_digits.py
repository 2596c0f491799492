"""Digits classifier whose constructor takes (n_in, n_hidden, n_out, n_layers); the second layer was
written as nn.Linear(n_hidden, n_layers) instead of nn.Linear(n_hidden, n_hidden), so with n_layers=1
every image is squeezed through a single unit before the 10-way classifier."""

# fault: capacity-too-small
# shows: loss-plateau
import torch
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
digits = load_digits()
X = torch.tensor(digits.data, dtype=torch.float32) / 16.0
y = torch.tensor(digits.target)
loader = DataLoader(TensorDataset(X[:1500], y[:1500]), batch_size=64, shuffle=True)


class Net(nn.Module):
    def __init__(self, n_in, n_hidden, n_out, n_layers=1):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_layers)
        self.out = nn.Linear(n_layers, n_out)

    def forward(self, x):
        return self.out(torch.tanh(self.fc2(torch.tanh(self.fc1(x)))))


model = Net(64, 64, 10)
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(12):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    if epoch % 3 == 2:
        with torch.no_grad():
            acc = (model(X[1500:]).argmax(1) == y[1500:]).float().mean().item()
        print(f"epoch {epoch}: loss {loss.item():.3f}  test acc {acc:.3f}")
