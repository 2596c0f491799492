"""A small ResNet-style CNN for the scikit-learn digits, without batch norm. Each residual block is
conv -> ReLU -> conv added back onto its input, and the second conv of every block starts at zero
("zero-init residual", as in Goyal et al. and torchvision's zero_init_residual=True), so each block starts
as the identity and the network as a shallow one; the blocks then learn their corrections. Adam, a few
epochs, and it reaches the accuracy of a plain CNN."""
# fault: none
# shows:

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
labels = torch.tensor(digits.target, dtype=torch.long)
perm = torch.randperm(len(images))
images, labels = images[perm], labels[perm]
train_loader = DataLoader(TensorDataset(images[:1400], labels[:1400]), batch_size=64, shuffle=True)
val_images, val_labels = images[1400:], labels[1400:]


class BasicBlock(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)

    def forward(self, x):
        return F.relu(x + self.conv2(F.relu(self.conv1(x))))


class SmallResNet(nn.Module):
    def __init__(self, channels=16, blocks=3, n_classes=10):
        super().__init__()
        self.stem = nn.Conv2d(1, channels, 3, padding=1)
        self.blocks = nn.Sequential(*[BasicBlock(channels) for _ in range(blocks)])
        self.head = nn.Linear(channels * 4 * 4, n_classes)
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, nonlinearity="relu")
                nn.init.zeros_(module.bias)
        for block in self.blocks:  # every block starts as the identity
            nn.init.zeros_(block.conv2.weight)

    def forward(self, x):
        x = self.blocks(F.max_pool2d(F.relu(self.stem(x)), 2))  # 8x8 -> 4x4 maps
        return self.head(x.flatten(1))


model = SmallResNet()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(6):
    model.train()
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        logits = model(val_images)
        val_loss = criterion(logits, val_labels).item()
        val_acc = (logits.argmax(1) == val_labels).float().mean().item()
    print(f"epoch {epoch + 1}: train loss {loss.item():.3f}  val loss {val_loss:.3f}  val acc {val_acc:.3f}")
