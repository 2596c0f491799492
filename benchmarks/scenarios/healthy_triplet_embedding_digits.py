"""Metric learning on the digits: an MLP embeds each image into 16 dimensions (L2-normalised) and is
trained with nn.TripletMarginLoss (margin 0.8). Every batch draws anchors at random; each anchor gets a
random positive of the same digit and a random negative of another digit. SGD with momentum and a
StepLR schedule. The embedding is scored on held-out images with a 1-nearest-neighbour classifier whose
reference set is the training embeddings, and by the fraction of held-out triplets that are ordered
correctly (anchor closer to the positive than to the negative)."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import StandardScaler
from torch import nn

torch.manual_seed(0)
np.random.seed(0)

digits = load_digits()
x_train, x_test, y_train, y_test = train_test_split(
    digits.data, digits.target, test_size=0.25, random_state=0, stratify=digits.target
)
scaler = StandardScaler().fit(x_train)
x_train = torch.tensor(scaler.transform(x_train), dtype=torch.float32)
x_test = torch.tensor(scaler.transform(x_test), dtype=torch.float32)
y_train_np, y_test_np = y_train, y_test


class EmbeddingNet(nn.Module):
    def __init__(self, dim=16):
        super().__init__()
        self.body = nn.Sequential(
            nn.Linear(64, 128), nn.ReLU(), nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, dim)
        )

    def forward(self, x):
        return F.normalize(self.body(x), dim=1)


by_class = [np.flatnonzero(y_train_np == c) for c in range(10)]
rng = np.random.default_rng(0)


def sample_triplets(n):
    anchor = rng.integers(0, len(x_train), n)
    labels = y_train_np[anchor]
    positive = np.array([rng.choice(by_class[c]) for c in labels])
    neg_class = (labels + rng.integers(1, 10, n)) % 10
    negative = np.array([rng.choice(by_class[c]) for c in neg_class])
    return x_train[anchor], x_train[positive], x_train[negative]


model = EmbeddingNet()
criterion = nn.TripletMarginLoss(margin=0.8)
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=6, gamma=0.3)

fixed_test = np.random.default_rng(1)
t_anchor = fixed_test.integers(0, len(x_test), 2000)
t_pos = np.array([fixed_test.choice(np.flatnonzero(y_test_np == y_test_np[a])) for a in t_anchor])
t_neg = np.array([fixed_test.choice(np.flatnonzero(y_test_np != y_test_np[a])) for a in t_anchor])


def evaluate():
    model.eval()
    with torch.no_grad():
        e_train, e_test = model(x_train), model(x_test)
    knn = KNeighborsClassifier(n_neighbors=1).fit(e_train.numpy(), y_train_np)
    acc = knn.score(e_test.numpy(), y_test_np)
    d_pos = (e_test[t_anchor] - e_test[t_pos]).norm(dim=1)
    d_neg = (e_test[t_anchor] - e_test[t_neg]).norm(dim=1)
    ordered = (d_pos < d_neg).float().mean().item()
    return acc, ordered


acc, ordered = evaluate()
print(f"before training: 1-NN acc {acc:.3f}  triplets ordered {ordered:.3f}")
for epoch in range(15):
    model.train()
    total = 0.0
    for _ in range(40):
        a, p, n = sample_triplets(64)
        loss = criterion(model(a), model(p), model(n))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
    scheduler.step()
    if epoch % 3 == 2:
        acc, ordered = evaluate()
        print(
            f"epoch {epoch + 1:2d}: triplet loss {total / 40:.4f}  1-NN acc {acc:.3f}  triplets ordered {ordered:.3f}"
        )
