"""Fine-tuning with the first half of the network frozen and two learning rates. A 4-layer MLP is
first trained on clean digits (SGD with momentum). It is then adapted to a second "scanner": a small
labelled set (300 images) from another part of the data, smeared to the right, with a raised
background, lower contrast and sensor noise. For the fine-tuning the first two Linear layers get requires_grad=False;
the optimizer (Adam) has two param groups: the third Linear layer at lr 2e-4 and the output layer at
lr 2e-3. The model is scored on held-out scanner images before and after fine-tuning."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

digits = load_digits()
images = digits.images / 16.0
labels = digits.target
order = rng.permutation(len(images))
source_idx, target_idx = order[:1000], order[1000:]


def scanner(img):
    blurred = img.copy()
    blurred[:, :, 1:] += 0.5 * img[:, :, :-1]  # the sensor smears each stroke to the right
    out = 0.2 + 0.5 * blurred + rng.normal(0, 0.1, img.shape)
    return np.clip(out, 0, 1)


def to_tensor(img):
    return torch.tensor(img.reshape(len(img), -1), dtype=torch.float32)


x_src, y_src = to_tensor(images[source_idx]), torch.tensor(labels[source_idx])
tgt_images = scanner(images[target_idx])
x_tgt_train, y_tgt_train = to_tensor(tgt_images[:300]), torch.tensor(labels[target_idx][:300])
x_tgt_test, y_tgt_test = to_tensor(tgt_images[300:]), torch.tensor(labels[target_idx][300:])

model = nn.Sequential(
    nn.Linear(64, 256),
    nn.ReLU(),
    nn.Linear(256, 128),
    nn.ReLU(),
    nn.Linear(128, 64),
    nn.ReLU(),
    nn.Linear(64, 10),
)


def accuracy(x, y):
    model.eval()
    with torch.no_grad():
        return (model(x).argmax(1) == y).float().mean().item()


# pretraining on the clean source images
src_loader = DataLoader(TensorDataset(x_src, y_src), batch_size=32, shuffle=True)
pre_opt = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
for epoch in range(10):
    model.train()
    for xb, yb in src_loader:
        loss = F.cross_entropy(model(xb), yb)
        pre_opt.zero_grad()
        loss.backward()
        pre_opt.step()
    if epoch % 3 == 2:
        print(f"pretrain epoch {epoch + 1}: loss {loss.item():.3f}")
print(
    f"pretrained: source acc {accuracy(x_src, y_src):.3f}  scanner test acc {accuracy(x_tgt_test, y_tgt_test):.3f}"
)

# fine-tuning: freeze the first half, two param groups for the rest
for layer in (model[0], model[2]):
    for p in layer.parameters():
        p.requires_grad = False
optimizer = torch.optim.Adam(
    [
        {"params": model[4].parameters(), "lr": 2e-4},
        {"params": model[6].parameters(), "lr": 2e-3},
    ]
)
tgt_loader = DataLoader(TensorDataset(x_tgt_train, y_tgt_train), batch_size=16, shuffle=True)
for epoch in range(20):
    model.train()
    total = 0.0
    for xb, yb in tgt_loader:
        loss = F.cross_entropy(model(xb), yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    if epoch % 5 == 4:
        print(
            f"fine-tune epoch {epoch + 1:2d}: train loss {total / len(x_tgt_train):.3f}  "
            f"scanner test acc {accuracy(x_tgt_test, y_tgt_test):.3f}"
        )
