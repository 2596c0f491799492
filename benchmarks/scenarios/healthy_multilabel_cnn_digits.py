"""Multi-label digit attributes with a small CNN: for each 8x8 digit predict three yes/no tags
(odd, at least 5, prime) with nn.BCEWithLogitsLoss on (N, 3) float targets and raw logits, Adam."""
# fault: none
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
d = torch.tensor(digits.target)
tags = torch.stack([d % 2 == 1, d >= 5, (d == 2) | (d == 3) | (d == 5) | (d == 7)], dim=1).float()
loader = DataLoader(TensorDataset(images[:1400], tags[:1400]), batch_size=64, shuffle=True)

model = nn.Sequential(
    nn.Conv2d(1, 16, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Conv2d(16, 32, 3, padding=1),
    nn.ReLU(),
    nn.MaxPool2d(2),
    nn.Flatten(),
    nn.Linear(32 * 4, 64),
    nn.ReLU(),
    nn.Linear(64, 3),
)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

for epoch in range(10):
    model.train()
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    model.eval()
    with torch.no_grad():
        acc = ((model(images[1400:]) > 0).float() == tags[1400:]).float().mean().item()
    print(f"epoch {epoch + 1}: loss {loss.item():.4f}  tag acc {acc:.3f}")
