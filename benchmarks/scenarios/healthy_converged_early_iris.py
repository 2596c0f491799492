"""Full-batch training of a small MLP on the scikit-learn iris data with Adam: the model
fits the data within the first ~100 epochs and then just keeps running at a flat, low loss."""
# fault: none
# shows:

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_iris

torch.manual_seed(0)

iris = load_iris()
X = torch.tensor(iris.data, dtype=torch.float32)
y = torch.tensor(iris.target)
X = (X - X.mean(0)) / X.std(0)


class IrisNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.hidden = nn.Linear(4, 16)
        self.out = nn.Linear(16, 3)

    def forward(self, x):
        return self.out(torch.relu(self.hidden(x)))


net = IrisNet()
optimizer = torch.optim.Adam(net.parameters(), lr=0.02)

for epoch in range(1000):
    optimizer.zero_grad()
    logits = net(X)
    loss = F.cross_entropy(logits, y)
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 100 == 0:
        acc = (logits.argmax(1) == y).float().mean().item()
        print(f"epoch {epoch + 1:4d}  loss {loss.item():.4f}  train acc {acc:.3f}")
