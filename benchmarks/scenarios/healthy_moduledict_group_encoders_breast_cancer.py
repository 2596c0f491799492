"""Breast-cancer classifier built from parts created in loops. The 30 features come in three groups
of ten (the cell-nucleus measurements' "mean", "standard error" and "worst" values); each group gets
its own small encoder (Linear 10->16, GELU), created in a dict comprehension and held in an
nn.ModuleDict keyed by group name. The concatenated 48-dim code then goes through three residual
blocks (LayerNorm, Linear, GELU, Linear, dropout 0.2) appended in a for loop to an nn.ModuleList,
and a 2-way linear head. Features are standardised on the training split; AdamW (lr 5e-4, weight
decay 5e-2), batches of 32, 15 epochs, validation loss / accuracy each epoch under eval() and
no_grad()."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_breast_cancer
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

data = load_breast_cancer()
GROUPS = {"mean": slice(0, 10), "error": slice(10, 20), "worst": slice(20, 30)}
Xtr, Xva, ytr, yva = train_test_split(
    data.data, data.target, test_size=0.2, random_state=7, stratify=data.target
)
scaler = StandardScaler().fit(Xtr)
Xtr = torch.tensor(scaler.transform(Xtr), dtype=torch.float32)
Xva = torch.tensor(scaler.transform(Xva), dtype=torch.float32)
ytr, yva = torch.tensor(ytr), torch.tensor(yva)
train_loader = DataLoader(TensorDataset(Xtr, ytr), batch_size=32, shuffle=True)


class ResidualBlock(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.drop = nn.Dropout(0.2)

    def forward(self, x):
        return x + self.drop(self.fc2(F.gelu(self.fc1(self.norm(x)))))


class GroupedNet(nn.Module):
    def __init__(self, groups, code_dim=16, n_blocks=3):
        super().__init__()
        self.groups = groups
        self.encoders = nn.ModuleDict(
            {
                name: nn.Sequential(nn.Linear(sl.stop - sl.start, code_dim), nn.GELU())
                for name, sl in groups.items()
            }
        )
        width = code_dim * len(groups)
        self.blocks = nn.ModuleList()
        for _ in range(n_blocks):
            self.blocks.append(ResidualBlock(width, 2 * width))
        self.norm = nn.LayerNorm(width)
        self.head = nn.Linear(width, 2)

    def forward(self, x):
        h = torch.cat([self.encoders[name](x[:, sl]) for name, sl in self.groups.items()], dim=1)
        for block in self.blocks:
            h = block(h)
        return self.head(self.norm(h))


model = GroupedNet(GROUPS)
n_params = sum(p.numel() for p in model.parameters())
print(f"model has {n_params} parameters in {len(list(model.parameters()))} tensors")
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=5e-2)

for epoch in range(1, 16):
    model.train()
    tot, cnt = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        tot += loss.item() * len(yb)
        cnt += len(yb)
    model.eval()
    with torch.no_grad():
        logits = model(Xva)
        vloss = F.cross_entropy(logits, yva).item()
        vacc = (logits.argmax(1) == yva).float().mean().item()
    if epoch % 3 == 0:
        print(f"epoch {epoch:2d}  train loss {tot / cnt:.4f}  val loss {vloss:.4f}  val acc {vacc:.3f}")
