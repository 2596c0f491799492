"""An LSTM text-style classifier: embed token-id sequences, run an nn.LSTM and classify
from the last hidden state whether "positive" tokens outnumber "negative" ones (Adam)."""
# fault: none
# shows:

import torch
import torch.nn as nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

VOCAB, SEQ_LEN = 20, 25
POSITIVE = torch.arange(0, 5)  # tokens 0-4 count as positive words
NEGATIVE = torch.arange(5, 10)  # tokens 5-9 count as negative words, 10-19 are neutral


def make_data(n):
    x = torch.randint(0, VOCAB, (n, SEQ_LEN))
    pos = torch.isin(x, POSITIVE).sum(1)
    neg = torch.isin(x, NEGATIVE).sum(1)
    keep = pos != neg  # drop ties
    return x[keep], (pos > neg)[keep].long()


class SentimentLSTM(nn.Module):
    def __init__(self, vocab_size, embed_dim=16, hidden_dim=32):
        super().__init__()
        self.embedding = nn.Embedding(vocab_size, embed_dim)
        self.lstm = nn.LSTM(embed_dim, hidden_dim, batch_first=True)
        self.out = nn.Linear(hidden_dim, 2)

    def forward(self, tokens):
        emb = self.embedding(tokens)
        _, (h_n, _) = self.lstm(emb)
        return self.out(h_n[-1])


X_train, y_train = make_data(2500)
X_val, y_val = make_data(500)
train_loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)

model = SentimentLSTM(VOCAB)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)

for epoch in range(5):
    model.train()
    running_loss = 0.0
    for batch_x, batch_y in train_loader:
        optimizer.zero_grad()
        loss = criterion(model(batch_x), batch_y)
        loss.backward()
        optimizer.step()
        running_loss += loss.item()
    model.eval()
    with torch.no_grad():
        val_out = model(X_val)
        val_loss = criterion(val_out, y_val).item()
        val_acc = (val_out.argmax(1) == y_val).float().mean().item()
    print(
        f"epoch {epoch + 1}: train loss {running_loss / len(train_loader):.3f}  "
        f"val loss {val_loss:.3f}  val acc {val_acc:.3f}"
    )
