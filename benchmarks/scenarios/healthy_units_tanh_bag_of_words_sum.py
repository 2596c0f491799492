"""Topic classifier on generated documents: 80 words each from a 200-word vocabulary, each of the 4
topics favouring its own words. An `nn.EmbeddingBag` in "sum" mode adds up the word vectors of a
document (its word counts matter), a tanh hidden layer and a linear head follow; SGD with momentum.

The sums of 80 unit-scale vectors are large, so the tanh layer is saturated: about 70% of its outputs
sit at +-1 from the first batch and over 90% by the end. The units act as binary features that differ
from one document to another, which is all this task needs: the loss falls from 0.84 to 0.17 and val
accuracy reaches 0.90 (0.93 with mean pooling). Saturated units on a run that keeps learning must
not raise an alarm."""
# fault: none
# shows:

import torch
import torch.nn as nn

torch.manual_seed(0)

VOCAB, LENGTH, TOPICS = 200, 80, 4
topic_words = torch.rand(TOPICS, VOCAB) ** 4
labels = torch.randint(0, TOPICS, (3000,))
word_probs = 0.7 / VOCAB + 0.3 * topic_words[labels] / topic_words[labels].sum(1, keepdim=True)
documents = torch.multinomial(word_probs, LENGTH, replacement=True)
train_x, train_y, val_x, val_y = documents[:2500], labels[:2500], documents[2500:], labels[2500:]


class TopicModel(nn.Module):
    def __init__(self, dim=64):
        super().__init__()
        self.bag = nn.EmbeddingBag(VOCAB, dim, mode="sum")
        self.hidden = nn.Linear(dim, 64)
        self.act = nn.Tanh()
        self.head = nn.Linear(64, TOPICS)

    def forward(self, x):
        return self.head(self.act(self.hidden(self.bag(x))))


model = TopicModel()
optimizer = torch.optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
criterion = nn.CrossEntropyLoss()

for epoch in range(8):
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
