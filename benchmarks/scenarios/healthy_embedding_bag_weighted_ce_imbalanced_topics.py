"""Topic classifier for generated short messages: token ids from a 600-word vocabulary, lengths 6 to 40,
right-padded with id 0 to a fixed 40 columns. Four topics with imbalanced shares (about 62/23/10/5%);
each topic has its own 30 keywords that make up ~25% of its tokens, the rest is shared filler. The model
is nn.EmbeddingBag(mode="mean", padding_idx=0) over the padded (N, 40) batch, so the padding is left out
of each mean, then a small MLP. The loss is CrossEntropyLoss(weight=...) with inverse-frequency class
weights computed from the training labels (N / (K * count)). AdamW 2e-3, batch 64, 8 epochs; validation
reports accuracy, balanced accuracy and the recall of the rarest topic."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

VOCAB, MAX_LEN, PAD = 600, 40, 0
CLASS_SHARES = [0.62, 0.23, 0.10, 0.05]
keywords = np.random.choice(np.arange(1, VOCAB), size=(4, 30), replace=False)
filler = np.setdiff1d(np.arange(1, VOCAB), keywords.ravel())


def make_message(label):
    length = np.random.randint(6, MAX_LEN + 1)
    is_kw = np.random.rand(length) < 0.25
    tokens = np.where(is_kw, np.random.choice(keywords[label], length), np.random.choice(filler, length))
    padded = np.full(MAX_LEN, PAD, dtype=np.int64)
    padded[:length] = tokens
    return padded


labels = np.random.choice(4, size=5000, p=CLASS_SHARES)
tokens = np.stack([make_message(c) for c in labels])
X, y = torch.from_numpy(tokens), torch.from_numpy(labels)
X_train, y_train, X_val, y_val = X[:4000], y[:4000], X[4000:], y[4000:]

counts = torch.bincount(y_train, minlength=4).float()
class_weights = len(y_train) / (4 * counts)
print("train counts:", counts.long().tolist(), " weights:", [round(w, 2) for w in class_weights.tolist()])

loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)


class BagClassifier(nn.Module):
    def __init__(self, vocab, dim=48, n_classes=4):
        super().__init__()
        self.bag = nn.EmbeddingBag(vocab, dim, mode="mean", padding_idx=PAD)
        self.mlp = nn.Sequential(nn.Linear(dim, 64), nn.ReLU(), nn.Linear(64, n_classes))

    def forward(self, token_ids):
        return self.mlp(self.bag(token_ids))


model = BagClassifier(VOCAB)
criterion = nn.CrossEntropyLoss(weight=class_weights)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=1e-4)

for epoch in range(8):
    model.train()
    total = 0.0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
    model.eval()
    with torch.no_grad():
        logits = model(X_val)
        val_loss = criterion(logits, y_val).item()
        pred = logits.argmax(1)
    recalls = [((pred == c) & (y_val == c)).sum().item() / (y_val == c).sum().item() for c in range(4)]
    acc = (pred == y_val).float().mean().item()
    print(
        f"epoch {epoch + 1:2d}  train loss {total / len(X_train):.4f}  val loss {val_loss:.4f}  "
        f"acc {acc:.3f}  balanced acc {np.mean(recalls):.3f}  rarest-topic recall {recalls[3]:.3f}"
    )
