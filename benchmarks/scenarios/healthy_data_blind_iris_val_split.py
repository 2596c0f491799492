"""Iris with a proper split: min-max scaled with the training split's range, a shuffled loader of
batch 8, an ELU MLP with Adam, validation accuracy each epoch in eval mode under no_grad."""
# fault: none
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import load_iris
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(11)
iris = load_iris()
X_tr, X_va, y_tr, y_va = train_test_split(
    iris.data, iris.target, test_size=0.3, stratify=iris.target, random_state=11
)
low, high = X_tr.min(0), X_tr.max(0)
X_tr, X_va = (X_tr - low) / (high - low), (X_va - low) / (high - low)
to_t = lambda a: torch.tensor(a, dtype=torch.float32)  # noqa: E731
train_loader = DataLoader(TensorDataset(to_t(X_tr), torch.tensor(y_tr)), batch_size=8, shuffle=True)

model = nn.Sequential(nn.Linear(4, 16), nn.ELU(), nn.Linear(16, 3))
optimizer = torch.optim.Adam(model.parameters(), lr=1e-2)
for epoch in range(40):
    model.train()
    for xb, yb in train_loader:
        loss = nn.functional.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        acc = (model(to_t(X_va)).argmax(1).numpy() == y_va).mean()
    if epoch % 10 == 0:
        print(epoch, loss.item(), acc)
