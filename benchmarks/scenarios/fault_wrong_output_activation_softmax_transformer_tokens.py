"""Next-token-style classifier on token ids: a 1-layer nn.TransformerEncoder reads a sequence of
digits-as-tokens and predicts the maximum token (10 classes), Adam. The forward ends with
`torch.softmax(logits, dim=-1)` "to get probabilities", and those go into F.cross_entropy."""
# fault: wrong-output-activation
# shows:

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)

VOCAB, SEQ_LEN = 10, 8


class MaxTokenModel(nn.Module):
    def __init__(self, d_model=32):
        super().__init__()
        self.embed = nn.Embedding(VOCAB, d_model)
        self.pos = nn.Parameter(torch.zeros(1, SEQ_LEN, d_model))
        layer = nn.TransformerEncoderLayer(
            d_model, nhead=4, dim_feedforward=64, dropout=0.1, batch_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers=1)
        self.classifier = nn.Linear(d_model, VOCAB)

    def forward(self, tokens):
        h = self.encoder(self.embed(tokens) + self.pos)
        logits = self.classifier(h.mean(dim=1))
        return torch.softmax(logits, dim=-1)


model = MaxTokenModel()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

for step in range(400):
    tokens = torch.randint(0, VOCAB, (64, SEQ_LEN))
    target = tokens.max(dim=1).values
    probs = model(tokens)
    loss = F.cross_entropy(probs, target)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if step % 100 == 0:
        acc = (probs.argmax(-1) == target).float().mean().item()
        print(f"step {step}: loss {loss.item():.3f}  acc {acc:.2f}")
