"""A small review classifier: sequences of word ids where a handful of words are "positive" and a
handful "negative"; a review is positive when it has more positive than negative words. The model is an
embedding followed by a plain tanh `nn.RNN` and a linear head on the last hidden state. The embedding is
multiplied by sqrt(embed_dim), as in the Transformer tutorial the code was adapted from.

The bug: nn.Embedding already starts at unit scale, so the scaled inputs give the RNN pre-activations
with a spread of about 5, while tanh is flat beyond +-2.3: about two thirds of the hidden outputs sit at
+-1 from the first batch and stay there. The gradient through a saturated tanh dies, again at every time
step, and the loss creeps from 0.67 to 0.61 (the label entropy is 0.66) with val accuracy ~0.62, the
share of the majority class. Without the `* math.sqrt(...)` the same script reaches a loss of 0.12 and
0.93 val accuracy in 5 epochs."""
# fault: saturated-activations
# shows: loss-plateau

import math

import torch
import torch.nn as nn

torch.manual_seed(0)

VOCAB, LENGTH = 50, 24
POSITIVE, NEGATIVE = torch.arange(1, 4), torch.arange(4, 7)

tokens = torch.randint(0, VOCAB, (4000, LENGTH))
positives = torch.isin(tokens, POSITIVE).sum(1)
negatives = torch.isin(tokens, NEGATIVE).sum(1)
labels = (positives > negatives).long()
train_x, train_y, val_x, val_y = tokens[:3200], labels[:3200], tokens[3200:], labels[3200:]


class ReviewRNN(nn.Module):
    def __init__(self, embed_dim=64, hidden=64):
        super().__init__()
        self.embed_dim = embed_dim
        self.embedding = nn.Embedding(VOCAB, embed_dim)
        self.rnn = nn.RNN(embed_dim, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 2)

    def forward(self, x):
        x = self.embedding(x) * math.sqrt(self.embed_dim)
        states, _ = self.rnn(x)
        return self.head(states[:, -1])


model = ReviewRNN()
optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(5):
    permutation = torch.randperm(len(train_x))
    total = 0.0
    for start in range(0, len(train_x), 32):
        index = permutation[start : start + 32]
        optimizer.zero_grad()
        loss = criterion(model(train_x[index]), train_y[index])
        loss.backward()
        optimizer.step()
        total += loss.item() * len(index)
    with torch.no_grad():
        accuracy = (model(val_x).argmax(1) == val_y).float().mean().item()
    print(f"epoch {epoch + 1}: loss {total / len(train_x):.3f}, val acc {accuracy:.3f}")
