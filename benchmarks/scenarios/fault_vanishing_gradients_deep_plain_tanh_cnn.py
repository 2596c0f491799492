"""Digits classifier built as a deep, plain stack of 3x3 convolutions: a stem conv and twelve more
16-channel conv layers, each followed by tanh, at full 8x8 resolution, then a linear classifier.
No skip connections and no normalisation, PyTorch's default initialisation, SGD with momentum and
a StepLR schedule. The signal shrinks at every tanh layer, so by the time the error gets back to
the first convolution its gradient is over a thousand times smaller than the classifier's: the
network does not learn and the cross-entropy sits at ln 10 the whole run."""
# fault: vanishing-gradients
# shows: loss-plateau

import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
targets = torch.tensor(digits.target)
perm = torch.randperm(len(targets))
train_loader = DataLoader(
    TensorDataset(images[perm[:1400]], targets[perm[:1400]]), batch_size=32, shuffle=True
)
val_loader = DataLoader(TensorDataset(images[perm[1400:]], targets[perm[1400:]]), batch_size=256)


def conv_block(c_in, c_out):
    return nn.Sequential(nn.Conv2d(c_in, c_out, kernel_size=3, padding=1), nn.Tanh())


class DeepConvNet(nn.Module):
    def __init__(self, depth=12, channels=16):
        super().__init__()
        layers = [conv_block(1, channels)] + [conv_block(channels, channels) for _ in range(depth)]
        self.features = nn.Sequential(*layers)
        self.classifier = nn.Linear(channels * 8 * 8, 10)

    def forward(self, x):
        return self.classifier(self.features(x).flatten(1))


model = DeepConvNet()
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=4, gamma=0.5)

for epoch in range(8):
    model.train()
    running = 0.0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        running += loss.item()
    scheduler.step()
    model.eval()
    correct, seen = 0, 0
    with torch.no_grad():
        for xb, yb in val_loader:
            correct += (model(xb).argmax(1) == yb).sum().item()
            seen += len(yb)
    print(f"epoch {epoch + 1}  train loss {running / len(train_loader):.4f}  val acc {correct / seen:.3f}")
