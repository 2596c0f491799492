"""Wine classifier written notebook-style: the model and optimizer are set up once, then a later cell
builds the model again (to change the width) and trains it, without re-creating the optimizer. The
optimizer keeps stepping the first model's parameters, which get no gradient; the model that
trains is never updated."""

# fault: params-not-updated
# shows: loss-plateau
import torch
from sklearn.datasets import load_wine
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
data = load_wine()
X = torch.tensor(StandardScaler().fit_transform(data.data), dtype=torch.float32)
y = torch.tensor(data.target)
loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)


def make_model(hidden):
    return nn.Sequential(
        nn.Linear(13, hidden), nn.ReLU(), nn.Linear(hidden, hidden), nn.ReLU(), nn.Linear(hidden, 3)
    )


model = make_model(32)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
loss_fn = nn.CrossEntropyLoss()

# ... later: a wider model
model = make_model(64)
for epoch in range(30):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
    if epoch % 5 == 0:
        with torch.no_grad():
            acc = (model(X).argmax(1) == y).float().mean().item()
        print(f"epoch {epoch}: loss {loss.item():.3f}  acc {acc:.3f}")
