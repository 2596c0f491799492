"""Knowledge distillation on the wine data set. A wide teacher MLP is trained first with plain
cross-entropy. A student a tenth of its size is then trained against a mix of the labels and the
teacher's softened outputs (temperature 4, KL divergence scaled by T^2), the usual Hinton recipe. The
teacher stays in eval mode under no_grad while the student trains; both are scored on a held-out split."""
# fault: none
# shows:

import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)

data = load_wine()
x_train, x_test, y_train, y_test = train_test_split(
    data.data, data.target, test_size=0.3, random_state=0, stratify=data.target
)
scaler = StandardScaler().fit(x_train)
x_train = torch.tensor(scaler.transform(x_train), dtype=torch.float32)
x_test = torch.tensor(scaler.transform(x_test), dtype=torch.float32)
y_train, y_test = torch.tensor(y_train), torch.tensor(y_test)
loader = DataLoader(TensorDataset(x_train, y_train), batch_size=16, shuffle=True)


def accuracy(model):
    model.eval()
    with torch.no_grad():
        return (model(x_test).argmax(1) == y_test).float().mean().item()


def train_teacher(epochs=30):
    teacher = nn.Sequential(nn.Linear(13, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 3))
    optimizer = torch.optim.Adam(teacher.parameters(), lr=1e-3)
    for _ in range(epochs):
        teacher.train()
        for xb, yb in loader:
            loss = F.cross_entropy(teacher(xb), yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    print(f"teacher accuracy {accuracy(teacher):.3f}")
    return teacher


def distill(teacher, epochs=40, temperature=4.0, alpha=0.7):
    student = nn.Sequential(nn.Linear(13, 16), nn.ReLU(), nn.Linear(16, 3))
    optimizer = torch.optim.Adam(student.parameters(), lr=5e-3)
    teacher.eval()
    for epoch in range(epochs):
        student.train()
        for xb, yb in loader:
            with torch.no_grad():
                soft_targets = F.softmax(teacher(xb) / temperature, dim=1)
            logits = student(xb)
            soft_loss = F.kl_div(
                F.log_softmax(logits / temperature, dim=1), soft_targets, reduction="batchmean"
            )
            loss = alpha * temperature**2 * soft_loss + (1 - alpha) * F.cross_entropy(logits, yb)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if epoch % 10 == 9:
            print(f"student epoch {epoch + 1}: loss {loss.item():.3f} accuracy {accuracy(student):.3f}")
    return student


teacher = train_teacher()
student = distill(teacher)
