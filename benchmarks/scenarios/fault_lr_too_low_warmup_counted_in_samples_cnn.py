"""Digits CNN (two conv layers, 8x8 images) trained with AdamW at a peak lr of 1e-3 and a linear
warm-up followed by a linear decay, implemented with LambdaLR and stepped after every batch. The
warm-up is meant to last three epochs, but it was computed as WARMUP_EPOCHS * len(train_set)
(number of samples) instead of WARMUP_EPOCHS * len(train_loader) (number of batches), so it is 32x
too long, about ten times the whole run: the learning rate never gets past a tenth of its peak,
the loss hardly moves for the first epochs and is still far from converged at the end."""
# fault: lr-too-low
# shows:

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
labels = torch.tensor(digits.target, dtype=torch.long)
perm = torch.randperm(len(labels))
train_set = TensorDataset(images[perm[:1400]], labels[perm[:1400]])
val_images, val_labels = images[perm[1400:]], labels[perm[1400:]]
train_loader = DataLoader(train_set, batch_size=32, shuffle=True)


class SmallCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 4 * 4, 10)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return self.fc(x.flatten(1))


EPOCHS, WARMUP_EPOCHS = 10, 3
total_steps = EPOCHS * len(train_loader)
warmup_steps = WARMUP_EPOCHS * len(train_set)


def lr_lambda(step):
    if step < warmup_steps:
        return (step + 1) / warmup_steps
    return max(0.0, (total_steps - step) / max(1, total_steps - warmup_steps))


model = SmallCNN()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-4)
scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

for epoch in range(EPOCHS):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        running += loss.item()
    model.eval()
    with torch.no_grad():
        logits = model(val_images)
        val_loss = F.cross_entropy(logits, val_labels).item()
        val_acc = (logits.argmax(1) == val_labels).float().mean().item()
    print(
        f"epoch {epoch + 1:2d}  lr {scheduler.get_last_lr()[0]:.2e}  train loss {running / len(train_loader):.4f}"
        f"  val loss {val_loss:.4f}  val acc {val_acc:.3f}"
    )
