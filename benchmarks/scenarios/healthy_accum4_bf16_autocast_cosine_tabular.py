"""Four-class tabular classifier (make_classification, 24 features) trained with gradient
accumulation: micro-batches of 16, the loss divided by 4 and optimizer.step() every 4 micro-batches
(an effective batch of 64). The forward pass runs under CPU bfloat16 autocast (no GradScaler, which
bf16 does not need); the loss is computed in float32 on the upcast logits. AdamW with a linear
warm-up followed by cosine decay (LambdaLR), stepped once per optimizer step, not per micro-batch."""
# fault: none
# shows:

import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import make_classification
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
np.random.seed(0)

X, y = make_classification(
    n_samples=4000,
    n_features=24,
    n_informative=12,
    n_redundant=6,
    n_classes=4,
    n_clusters_per_class=2,
    class_sep=1.2,
    random_state=0,
)
X_train, X_val, y_train, y_val = train_test_split(X, y, test_size=0.2, random_state=0, stratify=y)
scaler = StandardScaler().fit(X_train)
X_train = torch.tensor(scaler.transform(X_train), dtype=torch.float32)
X_val = torch.tensor(scaler.transform(X_val), dtype=torch.float32)
y_train, y_val = torch.tensor(y_train), torch.tensor(y_val)

MICRO_BATCH, ACCUM, EPOCHS = 16, 4, 12
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=MICRO_BATCH, shuffle=True, drop_last=True)

model = nn.Sequential(
    nn.Linear(24, 128),
    nn.GELU(),
    nn.Linear(128, 128),
    nn.GELU(),
    nn.Linear(128, 4),
)
optimizer = torch.optim.AdamW(model.parameters(), lr=2e-3, weight_decay=0.01)
steps_per_epoch = len(loader) // ACCUM
total_steps = EPOCHS * steps_per_epoch
warmup = total_steps // 20


def lr_lambda(step):
    if step < warmup:
        return (step + 1) / warmup
    progress = (step - warmup) / max(1, total_steps - warmup)
    return 0.5 * (1 + math.cos(math.pi * progress))


scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_lambda)

for epoch in range(EPOCHS):
    model.train()
    running, seen = 0.0, 0
    optimizer.zero_grad()
    for i, (xb, yb) in enumerate(loader):
        with torch.autocast(device_type="cpu", dtype=torch.bfloat16):
            logits = model(xb)
        loss = F.cross_entropy(logits.float(), yb)
        (loss / ACCUM).backward()
        running += loss.item() * len(xb)
        seen += len(xb)
        if (i + 1) % ACCUM == 0:
            optimizer.step()
            optimizer.zero_grad()
            scheduler.step()

    model.eval()
    with torch.no_grad(), torch.autocast(device_type="cpu", dtype=torch.bfloat16):
        val_logits = model(X_val).float()
    val_loss = F.cross_entropy(val_logits, y_val).item()
    val_acc = (val_logits.argmax(1) == y_val).float().mean().item()
    lr = scheduler.get_last_lr()[0]
    print(
        f"epoch {epoch + 1:2d}: train loss {running / seen:.3f}  val loss {val_loss:.3f}  "
        f"val acc {val_acc:.3f}  lr {lr:.2e}"
    )
