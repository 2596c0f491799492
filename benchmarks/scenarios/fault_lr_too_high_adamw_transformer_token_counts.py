"""Small transformer encoder (2 layers, d_model=32) that reads a sequence of 16 tokens and predicts
whether token 1 occurs more often than token 2. Trained with AdamW and a cosine schedule over a
DataLoader; the peak learning rate was copied from an SGD recipe as 0.05, roughly fifty times too
high for Adam on a transformer. The loss jumps up in the first steps, sits at chance for the first
epochs and then stalls around 0.5 (about 75% validation accuracy) on a task the same model solves
almost perfectly with lr=1e-3."""
# fault: lr-too-high
# shows:

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

VOCAB, LENGTH = 8, 16


def make_data(n):
    x = torch.randint(0, VOCAB, (n, LENGTH))
    ones, twos = (x == 1).sum(1), (x == 2).sum(1)
    keep = ones != twos  # drop ties so the label is well defined
    return x[keep], (ones[keep] > twos[keep]).long()


X_train, y_train = make_data(3000)
X_val, y_val = make_data(600)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)


class CountTransformer(nn.Module):
    def __init__(self, d_model=32):
        super().__init__()
        self.tok = nn.Embedding(VOCAB, d_model)
        self.pos = nn.Embedding(LENGTH, d_model)
        layer = nn.TransformerEncoderLayer(
            d_model, nhead=4, dim_feedforward=64, dropout=0.0, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.cls = nn.Linear(d_model, 2)

    def forward(self, x):
        positions = torch.arange(x.shape[1], device=x.device)
        h = self.encoder(self.tok(x) + self.pos(positions))
        return self.cls(h.mean(dim=1))


model = CountTransformer()
EPOCHS = 8
optimizer = torch.optim.AdamW(model.parameters(), lr=0.05, weight_decay=0.01)
scheduler = torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=EPOCHS * len(train_loader))
criterion = nn.CrossEntropyLoss()

for epoch in range(EPOCHS):
    model.train()
    total, n = 0.0, 0
    for xb, yb in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        scheduler.step()
        total += loss.item() * len(yb)
        n += len(yb)
    model.eval()
    with torch.no_grad():
        val_loss = criterion(model(X_val), y_val).item()
        val_acc = (model(X_val).argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch + 1}  train loss {total / n:.4f}  val loss {val_loss:.4f}  val acc {val_acc:.3f}")
