"""Implicit-feedback recommender on generated interactions. 200 users and 150 items each have a
hidden 4-dimensional taste / profile vector; a user clicks an item when their affinity (dot product
plus an item popularity term, with a little noise) is positive. 20,000 (user, item) pairs are drawn
uniformly at random, so every user appears ~100 times with both clicked (1) and ignored (0) items.
The model is a small neural collaborative filter: `forward(users, items)` looks up a user and an item
embedding, combines their element-wise product with both vectors in a 2-layer MLP, and returns one
logit per pair, trained with BCEWithLogitsLoss on the 0/1 labels. Adam (lr 5e-3, a little weight
decay) with a per-epoch cosine schedule, DataLoader batches of 256, and a held-out set of unseen
pairs scored each epoch."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

N_USERS, N_ITEMS, TRUE_DIM, N_PAIRS = 200, 150, 4, 20000
user_taste = rng.normal(size=(N_USERS, TRUE_DIM))
item_profile = rng.normal(size=(N_ITEMS, TRUE_DIM))
item_popularity = rng.normal(scale=0.8, size=N_ITEMS)

users = rng.integers(0, N_USERS, size=N_PAIRS)
items = rng.integers(0, N_ITEMS, size=N_PAIRS)
affinity = (user_taste[users] * item_profile[items]).sum(1) / np.sqrt(TRUE_DIM) + item_popularity[items]
clicked = (affinity + rng.normal(scale=0.25, size=N_PAIRS) > 0).astype(np.float32)
print(f"{N_PAIRS} pairs, click rate {clicked.mean():.2f}, ~{N_PAIRS / N_USERS:.0f} interactions per user")

split = int(0.85 * N_PAIRS)
to_t = lambda a, dt: torch.tensor(a, dtype=dt)  # noqa: E731
train_ds = TensorDataset(
    to_t(users[:split], torch.long), to_t(items[:split], torch.long), to_t(clicked[:split], torch.float32)
)
val_users, val_items = to_t(users[split:], torch.long), to_t(items[split:], torch.long)
val_labels = to_t(clicked[split:], torch.float32)
train_loader = DataLoader(train_ds, batch_size=256, shuffle=True)


class NeuralCF(nn.Module):
    def __init__(self, n_users, n_items, dim=8):
        super().__init__()
        self.user_emb = nn.Embedding(n_users, dim)
        self.item_emb = nn.Embedding(n_items, dim)
        self.item_bias = nn.Embedding(n_items, 1)
        nn.init.normal_(self.user_emb.weight, std=0.1)
        nn.init.normal_(self.item_emb.weight, std=0.1)
        nn.init.zeros_(self.item_bias.weight)
        self.mlp = nn.Sequential(nn.Linear(3 * dim, 64), nn.ReLU(), nn.Linear(64, 1))

    def forward(self, user_ids, item_ids):
        u = self.user_emb(user_ids)
        v = self.item_emb(item_ids)
        h = torch.cat([u * v, u, v], dim=1)
        return self.mlp(h).squeeze(1) + self.item_bias(item_ids).squeeze(1)


model = NeuralCF(N_USERS, N_ITEMS)
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=5e-3, weight_decay=1e-4)
EPOCHS = 15
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS)

for epoch in range(EPOCHS):
    model.train()
    running, batches = 0.0, 0
    for u, i, y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(u, i), y)
        loss.backward()
        optimizer.step()
        running += loss.item()
        batches += 1
    scheduler.step()
    model.eval()
    with torch.no_grad():
        logits = model(val_users, val_items)
        val_loss = criterion(logits, val_labels).item()
        val_acc = ((logits > 0).float() == val_labels).float().mean().item()
    if epoch % 3 == 2:
        print(
            f"epoch {epoch + 1:2d}  train bce {running / batches:.4f}  val bce {val_loss:.4f}  "
            f"val acc {val_acc:.3f}"
        )
