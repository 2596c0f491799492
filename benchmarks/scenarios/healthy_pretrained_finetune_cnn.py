"""Transfer learning on the scikit-learn digits. A small CNN is first pretrained to tell apart the
digits 0-4 and its weights are saved to a checkpoint. A fresh model is then built for the other task
(digits 5-9), the pretrained convolutional backbone is loaded into it with load_state_dict, the
classifier is replaced by a new 5-way head before the optimizer is created, and the whole network is
fine-tuned with a lower learning rate for the backbone than for the head."""
# fault: none
# shows:

import os
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
images = torch.tensor(digits.images, dtype=torch.float32).unsqueeze(1) / 16.0
targets = torch.tensor(digits.target, dtype=torch.long)


def make_split(classes, offset):
    mask = (targets >= classes[0]) & (targets <= classes[1])
    x, y = images[mask], targets[mask] - offset
    perm = torch.randperm(len(x))
    x, y = x[perm], y[perm]
    n_train = int(0.8 * len(x))
    train = DataLoader(TensorDataset(x[:n_train], y[:n_train]), batch_size=32, shuffle=True)
    return train, x[n_train:], y[n_train:]


class SmallCNN(nn.Module):
    def __init__(self, n_classes):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, 3, padding=1),
            nn.ReLU(),
            nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1),
            nn.ReLU(),
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),
        )
        self.head = nn.Linear(32, n_classes)

    def forward(self, x):
        return self.head(self.backbone(x))


def train(model, optimizer, loader, x_val, y_val, epochs, tag):
    for epoch in range(epochs):
        model.train()
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = F.cross_entropy(model(xb), yb)
            loss.backward()
            optimizer.step()
        model.eval()
        with torch.no_grad():
            acc = (model(x_val).argmax(1) == y_val).float().mean().item()
        print(f"[{tag}] epoch {epoch + 1}: last loss {loss.item():.3f}  val acc {acc:.3f}")


# 1) pretrain on digits 0-4
pre_loader, pre_x_val, pre_y_val = make_split((0, 4), offset=0)
pretrained = SmallCNN(n_classes=5)
train(
    pretrained,
    torch.optim.Adam(pretrained.parameters(), lr=2e-3),
    pre_loader,
    pre_x_val,
    pre_y_val,
    6,
    "pretrain",
)

ckpt_dir = tempfile.mkdtemp()
ckpt_path = os.path.join(ckpt_dir, "digits04.pt")
torch.save(pretrained.state_dict(), ckpt_path)

# 2) fine-tune on digits 5-9: new model, pretrained backbone, new head
ft_loader, ft_x_val, ft_y_val = make_split((5, 9), offset=5)
model = SmallCNN(n_classes=5)
state = torch.load(ckpt_path)
backbone_state = {k[len("backbone.") :]: v for k, v in state.items() if k.startswith("backbone.")}
model.backbone.load_state_dict(backbone_state)
model.head = nn.Linear(32, 5)  # fresh classifier for the new labels

optimizer = torch.optim.Adam(
    [
        {"params": model.backbone.parameters(), "lr": 3e-4},
        {"params": model.head.parameters(), "lr": 3e-3},
    ]
)
train(model, optimizer, ft_loader, ft_x_val, ft_y_val, 5, "finetune")

os.remove(ckpt_path)
os.rmdir(ckpt_dir)
