"""Token-sequence classifier (embedding + 2-layer nn.TransformerEncoder, mean pooling, AdamW): the
class is which of three marker tokens the sequence contains. It was adapted from a binary model and
still trains one logit with BCEWithLogitsLoss, now against the class index 0, 1 or 2."""
# fault: wrong-loss
# shows:

import torch
import torch.nn as nn

torch.manual_seed(0)

VOCAB, SEQ_LEN, MARKERS = 20, 10, (3, 7, 11)


def make_batch(batch_size):
    seqs = torch.randint(0, VOCAB, (batch_size, SEQ_LEN))
    for marker in MARKERS:
        seqs[seqs == marker] = 0
    labels = torch.randint(0, len(MARKERS), (batch_size,))
    pos = torch.randint(0, SEQ_LEN, (batch_size,))
    seqs[torch.arange(batch_size), pos] = torch.tensor(MARKERS)[labels]
    return seqs, labels


class MarkerModel(nn.Module):
    def __init__(self, d_model=32):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d_model)
        layer = nn.TransformerEncoderLayer(d_model, 4, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=2)
        self.head = nn.Linear(d_model, 1)

    def forward(self, tokens):
        return self.head(self.encoder(self.embed(tokens)).mean(dim=1)).squeeze(-1)


model = MarkerModel()
criterion = nn.BCEWithLogitsLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3)

for step in range(300):
    tokens, labels = make_batch(32)
    optimizer.zero_grad()
    loss = criterion(model(tokens), labels.float())
    loss.backward()
    optimizer.step()
    if step % 50 == 0:
        print(f"step {step}: loss {loss.item():.4f}")
