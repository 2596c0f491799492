"""Two-headed CNN on the scikit-learn 8x8 digits. A shared convolutional trunk (two conv layers with
ReLU and max-pooling, then a 96-unit fully connected layer) feeds two classification heads: a 10-way
head for the digit itself and a 2-way head for its parity (even / odd). Both labels come straight
from `digits.target` (the parity is `target % 2`), both losses are cross-entropy and they are simply
summed. Adam at 2e-3 with a cosine schedule stepped once per epoch, DataLoader batches of 48, and a
validation pass under model.eval() / torch.no_grad() after every epoch that reports both accuracies."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

digits = load_digits()
images = (digits.images / 16.0).astype(np.float32)[:, None]  # (N, 1, 8, 8) in [0, 1]
digit = digits.target.astype(np.int64)
parity = digit % 2

Xtr, Xva, dtr, dva, ptr, pva = train_test_split(
    images, digit, parity, test_size=0.2, random_state=0, stratify=digit
)
train_ds = TensorDataset(torch.from_numpy(Xtr), torch.from_numpy(dtr), torch.from_numpy(ptr))
val_ds = TensorDataset(torch.from_numpy(Xva), torch.from_numpy(dva), torch.from_numpy(pva))
train_loader = DataLoader(train_ds, batch_size=48, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=256)


class DigitParityNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.trunk = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 32 x 4 x 4
            nn.Flatten(),
            nn.Linear(32 * 4 * 4, 96),
            nn.ReLU(),
        )
        self.digit_head = nn.Linear(96, 10)
        self.parity_head = nn.Linear(96, 2)

    def forward(self, x):
        h = self.trunk(x)
        return self.digit_head(h), self.parity_head(h)


model = DigitParityNet()
EPOCHS = 12
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)

for epoch in range(EPOCHS):
    model.train()
    total, n = 0.0, 0
    for xb, yd, yp in train_loader:
        digit_logits, parity_logits = model(xb)
        loss = F.cross_entropy(digit_logits, yd) + F.cross_entropy(parity_logits, yp)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        n += len(xb)
    scheduler.step()

    model.eval()
    correct_d = correct_p = seen = 0
    val_loss = 0.0
    with torch.no_grad():
        for xb, yd, yp in val_loader:
            digit_logits, parity_logits = model(xb)
            val_loss += (
                F.cross_entropy(digit_logits, yd, reduction="sum")
                + F.cross_entropy(parity_logits, yp, reduction="sum")
            ).item()
            correct_d += (digit_logits.argmax(1) == yd).sum().item()
            correct_p += (parity_logits.argmax(1) == yp).sum().item()
            seen += len(xb)
    if epoch % 2 == 1 or epoch == EPOCHS - 1:
        print(
            f"epoch {epoch + 1:2d}  train loss {total / n:.4f}  val loss {val_loss / seen:.4f}  "
            f"digit acc {correct_d / seen:.3f}  parity acc {correct_p / seen:.3f}"
        )
