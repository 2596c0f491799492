"""A 15-layer fully connected network with sigmoid activations (default PyTorch init)
trained with SGD on the scikit-learn digits: the gradients shrink by orders of magnitude
on their way back to the first layers, so the network does not learn and the loss sits
near chance level (ln 10)."""
# fault: vanishing-gradients
# shows: loss-plateau

import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
X = torch.tensor(digits.data, dtype=torch.float32) / 16.0
y = torch.tensor(digits.target, dtype=torch.long)
loader = DataLoader(TensorDataset(X, y), batch_size=64, shuffle=True)


class DeepSigmoidNet(nn.Module):
    def __init__(self, in_dim=64, hidden=64, depth=15, n_classes=10):
        super().__init__()
        layers = [nn.Linear(in_dim, hidden), nn.Sigmoid()]
        for _ in range(depth - 2):
            layers += [nn.Linear(hidden, hidden), nn.Sigmoid()]
        layers.append(nn.Linear(hidden, n_classes))
        self.net = nn.Sequential(*layers)

    def forward(self, x):
        return self.net(x)


model = DeepSigmoidNet()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.1)

for epoch in range(15):
    total, correct, seen = 0.0, 0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        out = model(xb)
        loss = criterion(out, yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(yb)
        correct += (out.argmax(1) == yb).sum().item()
        seen += len(yb)
    print(f"epoch {epoch + 1:2d}  loss {total / seen:.4f}  train acc {correct / seen:.3f}")
