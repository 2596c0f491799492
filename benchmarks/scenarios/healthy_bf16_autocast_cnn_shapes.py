"""Mixed-precision training on the CPU: a small CNN classifies generated 16x16 grayscale images of
four shapes (filled square, disc, plus sign, hollow ring) at random sizes and positions with pixel
noise. The forward pass and the loss run inside torch.autocast(device_type="cpu",
dtype=torch.bfloat16); the weights, gradients and Adam state stay in float32."""
# fault: none
# shows:

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

SIZE, CLASSES = 16, 4


def make_shapes(n):
    labels = torch.randint(0, CLASSES, (n,))
    images = torch.zeros(n, 1, SIZE, SIZE)
    yy, xx = torch.meshgrid(torch.arange(SIZE).float(), torch.arange(SIZE).float(), indexing="ij")
    for i in range(n):
        r = float(torch.randint(3, 6, (1,)))
        cy, cx = (torch.rand(2) * (SIZE - 2 * r - 1) + r + 0.5).tolist()
        dy, dx = yy - cy, xx - cx
        dist = torch.sqrt(dy**2 + dx**2)
        kind = labels[i].item()
        if kind == 0:  # filled square
            mask = (dy.abs() <= r) & (dx.abs() <= r)
        elif kind == 1:  # disc
            mask = dist <= r
        elif kind == 2:  # plus sign
            mask = ((dy.abs() <= 1) & (dx.abs() <= r)) | ((dx.abs() <= 1) & (dy.abs() <= r))
        else:  # hollow ring
            mask = (dist <= r) & (dist >= r - 1.5)
        images[i, 0] = mask.float()
    images = (images + 0.2 * torch.randn_like(images)).clamp(0.0, 1.0)
    return images, labels


X_train, y_train = make_shapes(2400)
X_val, y_val = make_shapes(600)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)
val_loader = DataLoader(TensorDataset(X_val, y_val), batch_size=300)


class ShapeCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 16 -> 8
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),  # 8 -> 4
        )
        self.classifier = nn.Sequential(
            nn.Flatten(), nn.Linear(32 * 4 * 4, 64), nn.ReLU(), nn.Linear(64, CLASSES)
        )

    def forward(self, x):
        return self.classifier(self.features(x))


model = ShapeCNN()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

for epoch in range(10):
    model.train()
    total = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            logits = model(xb)
            loss = F.cross_entropy(logits, yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)

    model.eval()
    correct = 0
    with torch.no_grad(), torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        for xb, yb in val_loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
    print(f"epoch {epoch + 1}  train loss {total / len(X_train):.4f}  val acc {correct / len(X_val):.3f}")
