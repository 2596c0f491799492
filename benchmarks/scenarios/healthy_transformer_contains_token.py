"""A small Transformer encoder (nn.TransformerEncoder + mean pooling) trained with AdamW
to predict whether a random token-id sequence contains the special token 7."""
# fault: none
# shows:

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

VOCAB, SEQ_LEN, TARGET_TOKEN = 16, 12, 7


def make_batch(batch_size):
    # draw sequences without the target token, then insert it into about half of them
    seqs = torch.randint(0, VOCAB - 1, (batch_size, SEQ_LEN))
    seqs[seqs >= TARGET_TOKEN] += 1
    labels = torch.rand(batch_size) < 0.5
    pos = torch.randint(0, SEQ_LEN, (batch_size,))
    seqs[labels, pos[labels]] = TARGET_TOKEN
    return seqs, labels.long()


class ContainsTokenModel(nn.Module):
    def __init__(self, vocab, d_model=32, nhead=4, num_layers=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.pos = nn.Parameter(torch.randn(1, SEQ_LEN, d_model) * 0.02)
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=64, dropout=0.0, batch_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers=num_layers)
        self.classifier = nn.Linear(d_model, 2)

    def forward(self, tokens):
        h = self.encoder(self.embed(tokens) + self.pos)
        return self.classifier(h.mean(dim=1))


model = ContainsTokenModel(VOCAB)
optimizer = torch.optim.AdamW(model.parameters(), lr=5e-4, weight_decay=0.01)
val_x, val_y = make_batch(512)

steps = 160
for step in range(1, steps + 1):
    model.train()
    x, y = make_batch(64)
    logits = model(x)
    loss = F.cross_entropy(logits, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()

    if step % 20 == 0:
        model.eval()
        with torch.no_grad():
            val_acc = (model(val_x).argmax(-1) == val_y).float().mean().item()
        print(f"step {step:4d}  loss {loss.item():.4f}  val acc {val_acc:.3f}")
