"""Small CNN telling even from odd digits (8x8 images), BCEWithLogitsLoss and AdamW. The network
ends in torch.sigmoid inside forward, a leftover from an earlier version that used nn.BCELoss:
BCEWithLogitsLoss applies the sigmoid a second time."""
# fault: wrong-output-activation
# shows: loss-plateau

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
is_odd = torch.tensor(digits.target % 2, dtype=torch.float32)
loader = DataLoader(TensorDataset(images[:1400], is_odd[:1400]), batch_size=32, shuffle=True)


class ParityNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1)
        self.conv2 = nn.Conv2d(16, 32, 3, padding=1)
        self.fc = nn.Linear(32 * 2 * 2, 1)

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.conv1(x)), 2)
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        return torch.sigmoid(self.fc(x.flatten(1))).squeeze(1)


model = ParityNet()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3)

for epoch in range(8):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        prob = model(images[1400:])
        acc = ((prob > 0.5).float() == is_odd[1400:]).float().mean().item()
    print(f"epoch {epoch + 1}: last loss {loss.item():.4f}  val acc {acc:.3f}")
