"""Support-ticket router on generated tickets: each ticket has a subject (6 token ids) and a body
(40 token ids) over a 800-word vocabulary and belongs to one of 5 queues (billing, shipping, login,
bug report, refund). Each queue has its own keywords, but a ticket only carries a few of them among
common filler words, and some keywords are shared by two queues. The model encodes each text field
with its own EmbeddingBag (mean pooling, 32 dims), concatenates the two codes and classifies them
with a 64-unit MLP; Adam at 3e-3, batches of 64, 8 epochs, validation accuracy each epoch.

The bug: the per-field encoders are created in a dict comprehension and stored in a plain Python
dict (`self.encoders = {...}`) instead of an nn.ModuleDict. nn.Module does not register modules
held in a dict, so the two embedding tables are missing from model.parameters(): the optimizer never
sees them and they keep their random N(0, 1) initial vectors for the whole run (they are also missing
from state_dict()). Only the small classifier on top trains, on fixed random word vectors averaged
over mostly filler words: val acc ~0.40 after 8 epochs (train loss 1.59 to 1.31), where the same
model with nn.ModuleDict reaches ~0.87 (train loss 0.07)."""
# fault: params-not-updated
# shows:

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
rng = np.random.default_rng(0)

VOCAB, N_QUEUES, SUBJ_LEN, BODY_LEN = 800, 5, 6, 40
QUEUES = ["billing", "shipping", "login", "bug", "refund"]
# 12 keywords per queue; the first 3 of each queue are shared with the next queue
keywords = [list(range(20 + 9 * q, 20 + 9 * q + 12)) for q in range(N_QUEUES)]
filler = np.arange(100, VOCAB)
filler_p = 1.0 / np.arange(1, len(filler) + 1)  # Zipf-like word frequencies
filler_p /= filler_p.sum()


def make_ticket(q):
    subj = rng.choice(filler, SUBJ_LEN, p=filler_p)
    body = rng.choice(filler, BODY_LEN, p=filler_p)
    n_subj_kw = rng.integers(0, 2)
    subj[rng.choice(SUBJ_LEN, n_subj_kw, replace=False)] = rng.choice(keywords[q], n_subj_kw)
    n_body_kw = rng.integers(1, 4)
    body[rng.choice(BODY_LEN, n_body_kw, replace=False)] = rng.choice(keywords[q], n_body_kw)
    return subj, body


N = 6000
queue = rng.integers(0, N_QUEUES, N)
tickets = [make_ticket(q) for q in queue]
subjects = torch.tensor(np.stack([t[0] for t in tickets]), dtype=torch.long)
bodies = torch.tensor(np.stack([t[1] for t in tickets]), dtype=torch.long)
targets = torch.tensor(queue, dtype=torch.long)

n_train = 5000
train_loader = DataLoader(
    TensorDataset(subjects[:n_train], bodies[:n_train], targets[:n_train]), batch_size=64, shuffle=True
)
val_subj, val_body, val_y = subjects[n_train:], bodies[n_train:], targets[n_train:]


class TicketRouter(nn.Module):
    def __init__(self, fields=("subject", "body"), dim=32, n_classes=N_QUEUES):
        super().__init__()
        self.encoders = {field: nn.EmbeddingBag(VOCAB, dim, mode="mean") for field in fields}
        self.classifier = nn.Sequential(nn.Linear(dim * len(fields), 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, subject, body):
        codes = [self.encoders["subject"](subject), self.encoders["body"](body)]
        return self.classifier(torch.cat(codes, dim=1))


model = TicketRouter()
print(f"trainable parameters: {sum(p.numel() for p in model.parameters())}")
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(8):
    model.train()
    running, nb = 0.0, 0
    for subj, body, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(subj, body), yb)
        loss.backward()
        optimizer.step()
        running += loss.item()
        nb += 1
    model.eval()
    with torch.no_grad():
        logits = model(val_subj, val_body)
        val_loss = criterion(logits, val_y).item()
        val_acc = (logits.argmax(1) == val_y).float().mean().item()
    print(f"epoch {epoch + 1}  train loss {running / nb:.4f}  val loss {val_loss:.4f}  val acc {val_acc:.3f}")
