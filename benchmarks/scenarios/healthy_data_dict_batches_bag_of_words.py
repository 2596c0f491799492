"""Topic classifier on generated token-id documents: a custom Dataset returns dicts
{"input_ids": ..., "label": ...}, an EmbeddingBag averages the word vectors, AdamW trains it."""
# fault: none
# shows:

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

torch.manual_seed(0)
VOCAB, LENGTH, TOPICS = 200, 24, 4


class Documents(Dataset):
    def __init__(self, n, seed):
        gen = torch.Generator().manual_seed(seed)
        self.labels = torch.randint(0, TOPICS, (n,), generator=gen)
        common = torch.randint(0, VOCAB, (n, LENGTH), generator=gen)
        topical = self.labels[:, None] * 50 + torch.randint(0, 50, (n, LENGTH), generator=gen)
        use_topic = torch.rand(n, LENGTH, generator=gen) < 0.4  # 40% of the words carry the topic
        self.tokens = torch.where(use_topic, topical, common)

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, i):
        return {"input_ids": self.tokens[i], "label": self.labels[i]}


class BagOfWords(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.EmbeddingBag(VOCAB, 32, mode="mean")
        self.classify = nn.Linear(32, TOPICS)

    def forward(self, input_ids):
        return self.classify(self.embed(input_ids))


train_loader = DataLoader(Documents(2000, 0), batch_size=32, shuffle=True)
val_loader = DataLoader(Documents(400, 1), batch_size=100)
model = BagOfWords()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-2)

for epoch in range(5):
    model.train()
    for batch in train_loader:
        loss = F.cross_entropy(model(batch["input_ids"]), batch["label"])
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.eval()
    correct = 0
    with torch.no_grad():
        for batch in val_loader:
            correct += (model(batch["input_ids"]).argmax(1) == batch["label"]).sum().item()
    print(f"epoch {epoch}: loss {loss.item():.3f}, val acc {correct / 400:.3f}")
