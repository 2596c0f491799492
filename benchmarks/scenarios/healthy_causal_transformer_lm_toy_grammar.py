"""Token-level language model on generated text. A small probabilistic grammar writes sentences such
as "the small dog sees a red ball ." (determiner, optional adjective, noun, verb, determiner, optional
adjective, noun, full stop), with agreement rules a model has to learn (dogs/cats "chase" or "see",
birds "see" or "hear"; "a" never before a vowel-initial word). The stream is cut into windows of 32
tokens; a 2-layer TransformerEncoder (pre-norm, learned positions) with a causal mask predicts each
next token. Cross-entropy over the vocabulary on logits reshaped to (N*T, V), Adam with gradient
clipping at 1.0. The validation perplexity is compared with a unigram model's and with the grammar's own entropy."""
# fault: none
# shows:

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

torch.manual_seed(0)
np.random.seed(0)
rng = np.random.default_rng(0)

ADJ = ["small", "big", "red", "old", "angry"]
NOUNS = {
    "dog": ["chases", "sees"],
    "cat": ["chases", "sees"],
    "bird": ["sees", "hears"],
    "owl": ["sees", "hears"],
}
OBJECTS = ["ball", "apple", "bone", "egg", "stick"]


def determiner(next_word):
    if next_word[0] in "aeiou":
        return "the" if rng.random() < 0.5 else "an"
    return "the" if rng.random() < 0.5 else "a"


def noun_phrase(noun):
    words = [noun]
    if rng.random() < 0.5:
        words.insert(0, ADJ[rng.integers(len(ADJ))])
    return [determiner(words[0])] + words


def sentence():
    subject = list(NOUNS)[rng.integers(len(NOUNS))]
    verbs = NOUNS[subject]
    verb = verbs[rng.integers(len(verbs))]
    obj = OBJECTS[rng.integers(len(OBJECTS))]
    return noun_phrase(subject) + [verb] + noun_phrase(obj) + ["."]


words = [w for _ in range(6000) for w in sentence()]
vocab = sorted(set(words))
stoi = {w: i for i, w in enumerate(vocab)}
V = len(vocab)
stream = torch.tensor([stoi[w] for w in words])
split = int(0.9 * len(stream))
train_stream, val_stream = stream[:split], stream[split:]
print(f"{len(words)} tokens, vocabulary of {V}")

T = 32


def batches(data, batch_size, shuffle):
    n = (len(data) - 1) // T
    x = data[: n * T].view(n, T)
    y = data[1 : n * T + 1].view(n, T)
    order = torch.randperm(n) if shuffle else torch.arange(n)
    for i in range(0, n, batch_size):
        idx = order[i : i + batch_size]
        yield x[idx], y[idx]


class TinyGPT(nn.Module):
    def __init__(self, vocab_size, d_model=64, n_head=4, n_layer=2):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Parameter(torch.zeros(1, T, d_model))
        layer = nn.TransformerEncoderLayer(
            d_model, n_head, dim_feedforward=128, dropout=0.1, batch_first=True, norm_first=True
        )
        self.blocks = nn.TransformerEncoder(layer, n_layer, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.lm_head = nn.Linear(d_model, vocab_size)
        self.register_buffer("mask", nn.Transformer.generate_square_subsequent_mask(T))

    def forward(self, idx):
        t = idx.shape[1]
        h = self.tok(idx) + self.pos[:, :t]
        h = self.blocks(h, mask=self.mask[:t, :t], is_causal=True)
        return self.lm_head(self.norm(h))


model = TinyGPT(V)
optimizer = torch.optim.Adam(model.parameters(), lr=2e-3)

counts = torch.bincount(train_stream, minlength=V).float()
unigram_nll = F.cross_entropy(torch.log(counts / counts.sum()).expand(len(val_stream), V), val_stream).item()
# entropy of the generator's own choices: determiner, adjective or not, which adjective, noun, verb
# (two per noun), object; 7 tokens per sentence on average
sentence_nats = (
    2 * (math.log(2) + math.log(2) + 0.5 * math.log(len(ADJ)))
    + math.log(len(NOUNS))
    + math.log(2)
    + math.log(len(OBJECTS))
)
floor = sentence_nats / 7
print(f"unigram perplexity {math.exp(unigram_nll):.2f}  grammar's own perplexity {math.exp(floor):.2f}")


def evaluate():
    model.eval()
    total, n = 0.0, 0
    with torch.no_grad():
        for xb, yb in batches(val_stream, 64, shuffle=False):
            logits = model(xb)
            total += F.cross_entropy(logits.reshape(-1, V), yb.reshape(-1), reduction="sum").item()
            n += yb.numel()
    return total / n


for epoch in range(6):
    model.train()
    for xb, yb in batches(train_stream, 32, shuffle=True):
        logits = model(xb)
        loss = F.cross_entropy(logits.reshape(-1, V), yb.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    val_nll = evaluate()
    print(
        f"epoch {epoch + 1}: train loss {loss.item():.3f}  val loss {val_nll:.3f}  val perplexity {math.exp(val_nll):.2f}"
    )
