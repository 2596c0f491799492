"""Wine classifier (MLP with batch-norm and dropout). An evaluate() helper puts the model in eval
mode for validation after every epoch; the training loop calls model.train() once, before the first
epoch, so from the second epoch on the model trains in eval mode (dropout off, batch-norm frozen at
its running statistics)."""

# fault: eval-mode-training
# shows:
import torch
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from torch import nn
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
data = load_wine()
X_train, X_val, y_train, y_val = train_test_split(data.data, data.target, test_size=0.3, random_state=0)
mean, std = X_train.mean(0), X_train.std(0)
X_train = torch.tensor((X_train - mean) / std, dtype=torch.float32)
X_val = torch.tensor((X_val - mean) / std, dtype=torch.float32)
y_train, y_val = torch.tensor(y_train), torch.tensor(y_val)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=16, shuffle=True)

model = nn.Sequential(
    nn.Linear(13, 64),
    nn.BatchNorm1d(64),
    nn.ReLU(),
    nn.Dropout(0.5),
    nn.Linear(64, 64),
    nn.BatchNorm1d(64),
    nn.ReLU(),
    nn.Dropout(0.5),
    nn.Linear(64, 3),
)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)


def evaluate(model):
    model.eval()
    with torch.no_grad():
        logits = model(X_val)
    return criterion(logits, y_val).item(), (logits.argmax(1) == y_val).float().mean().item()


model.train()
for epoch in range(25):
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
    val_loss, val_acc = evaluate(model)
    if epoch % 5 == 0:
        print(f"epoch {epoch}: train {loss.item():.3f}  val {val_loss:.3f}  acc {val_acc:.3f}")
