"""Knowledge distillation on the wine data: a logistic-regression teacher's temperature-softened class
probabilities (N, 3) are the targets of a small MLP student trained with F.cross_entropy on soft
targets (probability rows), SGD with momentum; the student matches the teacher's accuracy."""
# fault: none
# shows:

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.datasets import load_wine
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

torch.manual_seed(0)

X, y = load_wine(return_X_y=True)
X = StandardScaler().fit_transform(X)
teacher = LogisticRegression(max_iter=1000).fit(X, y)
temperature = 2.0
teacher_logits = teacher.decision_function(X) / temperature
soft = np.exp(teacher_logits - teacher_logits.max(axis=1, keepdims=True))
soft /= soft.sum(axis=1, keepdims=True)

X_t = torch.tensor(X, dtype=torch.float32)
soft_t = torch.tensor(soft, dtype=torch.float32)
y_t = torch.tensor(y)

student = nn.Sequential(nn.Linear(13, 16), nn.Tanh(), nn.Linear(16, 3))
optimizer = torch.optim.SGD(student.parameters(), lr=0.05, momentum=0.9)

for epoch in range(60):
    perm = torch.randperm(len(X_t))
    for start in range(0, len(X_t), 16):
        idx = perm[start : start + 16]
        optimizer.zero_grad()
        loss = F.cross_entropy(student(X_t[idx]), soft_t[idx])
        loss.backward()
        optimizer.step()
    if epoch % 15 == 14:
        with torch.no_grad():
            acc = (student(X_t).argmax(1) == y_t).float().mean().item()
        print(f"epoch {epoch + 1}: soft-target loss {loss.item():.4f}  acc {acc:.3f}")
