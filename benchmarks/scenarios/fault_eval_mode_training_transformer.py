"""Small transformer encoder deciding whether a token sequence contains token 7. Before training, the
script checks the untrained model's predictions on a few sequences and calls model.eval() for that;
training then starts without model.train(), so the encoder's dropout is off for the whole run."""

# fault: eval-mode-training
# shows:
import torch
from torch import nn

torch.manual_seed(0)
VOCAB, LENGTH = 16, 12


def make_data(n):
    x = torch.randint(0, VOCAB, (n, LENGTH))
    return x, (x == 7).any(1).long()


X_train, y_train = make_data(1536)
X_val, y_val = make_data(256)


class Encoder(nn.Module):
    def __init__(self, d_model=32):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d_model)
        self.pos = nn.Parameter(torch.zeros(1, LENGTH, d_model))
        layer = nn.TransformerEncoderLayer(
            d_model, nhead=4, dim_feedforward=64, dropout=0.2, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=2, enable_nested_tensor=False)
        self.head = nn.Linear(d_model, 2)

    def forward(self, x):
        h = self.encoder(self.embed(x) + self.pos)
        return self.head(h.mean(1))


model = Encoder()
model.eval()
with torch.no_grad():
    print("untrained predictions:", model(X_val[:8]).argmax(1).tolist())

optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()
for epoch in range(3):
    perm = torch.randperm(len(X_train))
    for i in range(0, len(X_train), 64):
        idx = perm[i : i + 64]
        optimizer.zero_grad()
        loss = criterion(model(X_train[idx]), y_train[idx])
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        acc = (model(X_val).argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch}: loss {loss.item():.3f}  val acc {acc:.3f}")
