"""Two-task review model on generated product reviews (30 token ids each, 500-word vocabulary): one
head predicts the star rating (5 classes) and the other whether the review complains about delivery
(2 classes). Reviews mix rating-dependent sentiment words, delivery words for the complaints, and
filler. A shared encoder (Embedding 32, two Conv1d layers with ReLU, global max-pool) feeds a
`rating_head = nn.Linear(64, 5)` and a `delivery_head = nn.Linear(64, 2)`; the loss is the sum of the
two cross-entropies. Adam at 2e-3, batches of 32, 6 epochs planned.

The bug: the ratings are used as they come from the shop's export, 1 to 5 stars, while the rating head
has 5 outputs, i.e. class indices 0 to 4 (the delivery flag is correctly 0/1). Nobody subtracted 1, so
every 5-star review is a target index past the last class: the first batch that holds one (the very
first batch) makes cross_entropy raise "IndexError: Target 5 is out of bounds." and the script dies
before a single optimizer step."""
# fault: labels-out-of-range
# shows:

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

VOCAB, SEQ = 500, 30
sentiment_words = {stars: np.arange(10 + 12 * (stars - 1), 10 + 12 * stars) for stars in range(1, 6)}
delivery_words = np.arange(80, 100)
filler = np.arange(100, VOCAB)

N = 4000
stars = rng.choice([1, 2, 3, 4, 5], size=N, p=[0.12, 0.1, 0.18, 0.25, 0.35])
late = (rng.random(N) < np.where(stars <= 2, 0.6, 0.15)).astype(np.int64)
tokens = rng.choice(filler, size=(N, SEQ))
for k in range(N):
    pos = rng.choice(SEQ, 8, replace=False)
    tokens[k, pos[:4]] = rng.choice(sentiment_words[stars[k]], 4)
    if late[k]:
        tokens[k, pos[4:7]] = rng.choice(delivery_words, 3)

print("star counts:", {s: int((stars == s).sum()) for s in range(1, 6)}, " late share", round(late.mean(), 3))

ds = TensorDataset(torch.tensor(tokens), torch.tensor(stars), torch.tensor(late))
train_ds, val_ds = torch.utils.data.random_split(ds, [3400, 600], generator=torch.Generator().manual_seed(0))
train_loader = DataLoader(train_ds, batch_size=32, shuffle=True)
val_loader = DataLoader(val_ds, batch_size=200)


class ReviewNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, 32)
        self.conv1 = nn.Conv1d(32, 64, 3, padding=1)
        self.conv2 = nn.Conv1d(64, 64, 3, padding=1)
        self.rating_head = nn.Linear(64, 5)
        self.delivery_head = nn.Linear(64, 2)

    def forward(self, ids):
        h = self.embed(ids).transpose(1, 2)  # (N, 32, SEQ)
        h = F.relu(self.conv2(F.relu(self.conv1(h))))
        h = h.max(dim=2).values  # (N, 64)
        return self.rating_head(h), self.delivery_head(h)


model = ReviewNet()
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

for epoch in range(6):
    model.train()
    total, batches = 0.0, 0
    for ids, rating, delivery in train_loader:
        rating_logits, delivery_logits = model(ids)
        loss = F.cross_entropy(rating_logits, rating) + F.cross_entropy(delivery_logits, delivery)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item()
        batches += 1

    model.eval()
    hits_r = hits_d = seen = 0
    with torch.no_grad():
        for ids, rating, delivery in val_loader:
            rating_logits, delivery_logits = model(ids)
            hits_r += (rating_logits.argmax(1) == rating).sum().item()
            hits_d += (delivery_logits.argmax(1) == delivery).sum().item()
            seen += len(ids)
    print(
        f"epoch {epoch + 1}  train loss {total / batches:.4f}  rating acc {hits_r / seen:.3f}  "
        f"delivery acc {hits_d / seen:.3f}"
    )
