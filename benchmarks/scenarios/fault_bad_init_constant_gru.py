"""A GRU that reads each scikit-learn digit row by row (8 time steps of 8 pixels) and classifies it
from the last hidden state. Its author replaced PyTorch's default initialisation with a custom loop
that sets every weight matrix to the same small constant (0.1) and every bias to zero, "so that all
units start from the same neutral point". Every hidden unit then computes exactly the same function
and receives exactly the same gradient, so the 64 units stay identical for the whole run (the GRU acts
as if it had one unit), and the recurrent sum 64 x 0.1 x h saturates the gates: it barely learns."""
# fault: bad-init
# shows:

import torch
import torch.nn as nn
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

digits = load_digits()
X_train, X_val, y_train, y_val = train_test_split(
    digits.images / 16.0, digits.target, test_size=0.2, random_state=0
)
X_train = torch.tensor(X_train, dtype=torch.float32)  # (N, 8 rows, 8 pixels)
X_val = torch.tensor(X_val, dtype=torch.float32)
y_train = torch.tensor(y_train, dtype=torch.long)
y_val = torch.tensor(y_val, dtype=torch.long)
loader = DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True)


class RowGRU(nn.Module):
    def __init__(self, n_in=8, hidden=64, n_classes=10):
        super().__init__()
        self.gru = nn.GRU(n_in, hidden, batch_first=True)
        self.fc = nn.Linear(hidden, n_classes)
        self.init_weights()

    def init_weights(self):
        for name, param in self.named_parameters():
            if "weight" in name:
                nn.init.constant_(param, 0.1)
            elif "bias" in name:
                nn.init.zeros_(param)

    def forward(self, x):
        out, _ = self.gru(x)
        return self.fc(out[:, -1])


model = RowGRU()
optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
criterion = nn.CrossEntropyLoss()

for epoch in range(10):
    model.train()
    total, count = 0.0, 0
    for xb, yb in loader:
        optimizer.zero_grad()
        loss = criterion(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
    model.eval()
    with torch.no_grad():
        val_acc = (model(X_val).argmax(1) == y_val).float().mean().item()
    print(f"epoch {epoch + 1:2d}  loss {total / count:.3f}  val acc {val_acc:.3f}")
