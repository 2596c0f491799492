"""Per-pixel semantic segmentation of generated 16x16 grey images: each image has one to three filled
shapes (squares and discs of random size, position and brightness) on a noisy background, and the mask
labels every pixel background (0), square (1) or disc (2). A tiny conv encoder-decoder (two conv
stages with max-pooling down to 4x4, then two ConvTranspose2d stages back to 16x16, a skip connection
from the first stage) outputs 3 logits per pixel; nn.CrossEntropyLoss takes the (N, 3, 16, 16) logits
and the (N, 16, 16) long mask. Adam 2e-3, batch 32. Validation reports pixel accuracy and mean IoU."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

H = W = 16


def make_image(rng):
    img = rng.normal(0.0, 0.25, size=(H, W))
    mask = np.zeros((H, W), dtype=np.int64)
    yy, xx = np.mgrid[0:H, 0:W]
    for _ in range(rng.integers(1, 4)):
        kind = rng.integers(1, 3)
        size = rng.integers(3, 7)
        cy, cx = rng.integers(size // 2, H - size // 2, size=2)
        if kind == 1:
            half = size // 2
            region = (np.abs(yy - cy) <= half) & (np.abs(xx - cx) <= half)
        else:
            region = (yy - cy) ** 2 + (xx - cx) ** 2 <= (size / 2 + 0.3) ** 2
        img[region] = rng.uniform(0.6, 1.2) + rng.normal(0.0, 0.25, size=region.sum())
        mask[region] = kind
    return img.astype(np.float32), mask


rng = np.random.default_rng(0)
pairs = [make_image(rng) for _ in range(2400)]
images = torch.from_numpy(np.stack([p[0] for p in pairs])).unsqueeze(1)
masks = torch.from_numpy(np.stack([p[1] for p in pairs]))
print("pixel class shares:", np.round(np.bincount(masks.flatten().numpy()) / masks.numel(), 3))
X_train, M_train, X_val, M_val = images[:2000], masks[:2000], images[2000:], masks[2000:]
loader = DataLoader(TensorDataset(X_train, M_train), batch_size=32, shuffle=True)


class TinySegNet(nn.Module):
    def __init__(self, n_classes=3):
        super().__init__()
        self.enc1 = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Conv2d(16, 16, 3, padding=1), nn.ReLU()
        )
        self.enc2 = nn.Sequential(nn.Conv2d(16, 32, 3, padding=1), nn.ReLU())
        self.bottleneck = nn.Sequential(nn.Conv2d(32, 32, 3, padding=1), nn.ReLU())
        self.pool = nn.MaxPool2d(2)
        self.up1 = nn.ConvTranspose2d(32, 32, 2, stride=2)
        self.up2 = nn.ConvTranspose2d(32, 16, 2, stride=2)
        self.dec = nn.Sequential(nn.Conv2d(32, 16, 3, padding=1), nn.ReLU())
        self.head = nn.Conv2d(16, n_classes, 1)

    def forward(self, x):
        e1 = self.enc1(x)  # 16 x 16 x 16
        e2 = self.enc2(self.pool(e1))  # 32 x 8 x 8
        b = self.bottleneck(self.pool(e2))  # 32 x 4 x 4
        d = torch.relu(self.up1(b)) + e2  # 32 x 8 x 8
        d = torch.relu(self.up2(d))  # 16 x 16 x 16
        d = self.dec(torch.cat([d, e1], dim=1))
        return self.head(d)


def mean_iou(pred, target, n_classes=3):
    ious = []
    for c in range(n_classes):
        inter = ((pred == c) & (target == c)).sum().item()
        union = ((pred == c) | (target == c)).sum().item()
        ious.append(inter / union if union else 1.0)
    return float(np.mean(ious)), ious


model = TinySegNet()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

for epoch in range(12):
    model.train()
    total = 0.0
    for xb, mb in loader:
        optimizer.zero_grad()
        logits = model(xb)
        loss = criterion(logits, mb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        logits = model(X_val)
        val_loss = criterion(logits, M_val).item()
        pred = logits.argmax(dim=1)
    pix_acc = (pred == M_val).float().mean().item()
    miou, ious = mean_iou(pred, M_val)
    if epoch % 2 == 1 or epoch == 0:
        print(
            f"epoch {epoch + 1:2d}  train ce {total / len(X_train):.4f}  val ce {val_loss:.4f}  "
            f"pixel acc {pix_acc:.3f}  mIoU {miou:.3f}  "
            f"(bg {ious[0]:.2f}, square {ious[1]:.2f}, disc {ious[2]:.2f})"
        )
