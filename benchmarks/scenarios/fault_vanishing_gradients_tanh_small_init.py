"""A 12-layer tanh MLP for a synthetic binary task (points inside vs outside a sphere) whose
weights are re-initialised with normal(std=0.02) "as in GPT": activations and gradients
shrink layer after layer, the early layers get almost no gradient and the BCE loss stays at ln 2."""
# fault: bad-init
# shows: vanishing-gradients loss-plateau

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

DIM = 10
X = torch.randn(3000, DIM)
y = (X.norm(dim=1) < DIM**0.5).float()  # roughly balanced classes
X_train, y_train, X_test, y_test = X[:2500], y[:2500], X[2500:], y[2500:]


class DeepTanhMLP(nn.Module):
    def __init__(self, in_dim, width=64, n_layers=12):
        super().__init__()
        dims = [in_dim] + [width] * n_layers
        self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims[:-1], dims[1:]))
        self.out = nn.Linear(width, 1)
        self.apply(self._init_weights)

    @staticmethod
    def _init_weights(module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            nn.init.zeros_(module.bias)

    def forward(self, x):
        for layer in self.hidden:
            x = torch.tanh(layer(x))
        return self.out(x).squeeze(-1)


model = DeepTanhMLP(DIM)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
batch_size = 50

for epoch in range(12):
    perm = torch.randperm(len(X_train))
    epoch_loss = 0.0
    for i in range(0, len(X_train), batch_size):
        idx = perm[i : i + batch_size]
        logits = model(X_train[idx])
        loss = F.binary_cross_entropy_with_logits(logits, y_train[idx])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item()
    with torch.no_grad():
        test_acc = ((model(X_test) > 0).float() == y_test).float().mean().item()
    print(
        f"Epoch {epoch + 1}: loss = {epoch_loss / (len(X_train) // batch_size):.4f}, test acc = {test_acc:.3f}"
    )
