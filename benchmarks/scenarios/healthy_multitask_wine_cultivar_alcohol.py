"""Multi-task MLP on the scikit-learn wine data: from the 12 chemical measurements other than
alcohol, a shared trunk (with dropout) feeds a 3-way cultivar classifier and a regression head for
the (standardised) alcohol content; the training loss is cross-entropy + 0.5 * MSE. SGD with
Nesterov momentum and a MultiStepLR schedule stepped once per epoch (x0.1 at epochs 25 and 35).
Validation runs inside torch.no_grad() every 40 optimizer steps rather than at epoch ends."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

wine = load_wine()
features = wine.data[:, 1:]  # everything but alcohol
alcohol = wine.data[:, 0]
cultivar = wine.target
Xtr, Xva, atr, ava, ctr, cva = train_test_split(
    features, alcohol, cultivar, test_size=0.25, random_state=0, stratify=cultivar
)
x_scaler = StandardScaler().fit(Xtr)
a_mean, a_std = atr.mean(), atr.std()

Xtr = torch.tensor(x_scaler.transform(Xtr), dtype=torch.float32)
Xva = torch.tensor(x_scaler.transform(Xva), dtype=torch.float32)
atr = torch.tensor((atr - a_mean) / a_std, dtype=torch.float32)
ava = torch.tensor((ava - a_mean) / a_std, dtype=torch.float32)
ctr = torch.tensor(ctr, dtype=torch.long)
cva = torch.tensor(cva, dtype=torch.long)
train_loader = DataLoader(TensorDataset(Xtr, ctr, atr), batch_size=16, shuffle=True)


class MultiTaskNet(nn.Module):
    def __init__(self, d_in=12, hidden=32):
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Linear(d_in, hidden), nn.ReLU(), nn.Dropout(0.2), nn.Linear(hidden, hidden), nn.ReLU()
        )
        self.cls_head = nn.Linear(hidden, 3)
        self.reg_head = nn.Linear(hidden, 1)

    def forward(self, x):
        h = self.trunk(x)
        return self.cls_head(h), self.reg_head(h).squeeze(1)


model = MultiTaskNet()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, nesterov=True, weight_decay=1e-3)
scheduler = torch.optim.lr_scheduler.MultiStepLR(optimizer, milestones=[25, 35], gamma=0.1)
REG_WEIGHT, EVAL_EVERY = 0.5, 40


def evaluate():
    model.eval()
    with torch.no_grad():
        logits, alc = model(Xva)
        ce = F.cross_entropy(logits, cva).item()
        acc = (logits.argmax(1) == cva).float().mean().item()
        rmse = ((alc - ava) ** 2).mean().sqrt().item() * a_std  # back in % alcohol
    model.train()
    return ce, acc, rmse


print(f"alcohol std in training set {a_std:.3f} (RMSE of predicting the mean)")
step = 0
for epoch in range(40):
    model.train()
    for xb, cb, ab in train_loader:
        optimizer.zero_grad()
        logits, alc = model(xb)
        ce = F.cross_entropy(logits, cb)
        mse = F.mse_loss(alc, ab)
        loss = ce + REG_WEIGHT * mse
        loss.backward()
        optimizer.step()
        step += 1
        if step % EVAL_EVERY == 0:
            val_ce, val_acc, val_rmse = evaluate()
            print(
                f"step {step:4d} (epoch {epoch + 1:2d}, lr {optimizer.param_groups[0]['lr']:.4f})  "
                f"train ce {ce.item():.3f} mse {mse.item():.3f}  |  val ce {val_ce:.3f} acc {val_acc:.3f} "
                f"alcohol RMSE {val_rmse:.3f}"
            )
    scheduler.step()

val_ce, val_acc, val_rmse = evaluate()
print(f"final: val cultivar acc {val_acc:.3f}, val alcohol RMSE {val_rmse:.3f}")
