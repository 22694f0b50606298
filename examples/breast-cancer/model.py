"""A tabular binary classifier for scikit-learn's breast cancer data (`python3 -m gauntlet_trainer.export_dataset
breast_cancer`: 30 float features, label 0 = malignant, 1 = benign), every job-contract mode via a Learner.

The features have wildly different scales (areas ~1000, smoothness ~0.1): Standardize() learns each column's mean and
standard deviation on the TRAIN split only and stores them in every checkpoint, so evaluate and predict scale their
rows exactly as training did. Also shows a custom optimizer factory (AdamW: one-cycle cycles its beta1) and an extra
metric (ROC AUC, reported as val_auc per epoch and auc by evaluate).

    PYTHONPATH=trainer python3 examples/breast-cancer/model.py      (GAUNTLET_JOB + GAUNTLET_STORAGE_* set)
"""
import torch
from torch import nn

import gauntlet_trainer as gt


def model(hp, num_features, num_classes):
    layers, width = [], num_features
    for _ in range(hp["layers"]):
        layers += [nn.Linear(width, hp["hidden"]), nn.ReLU(), nn.Dropout(hp["dropout"])]
        width = hp["hidden"]
    return nn.Sequential(*layers, nn.Linear(width, num_classes))


def adamw(params, hp, lr):
    return torch.optim.AdamW(params, lr=lr, weight_decay=hp["weightDecay"])


def auc(outputs, labels):
    """ROC AUC of the class-1 score (ties count half); NaN when the split has only one class."""
    score = (outputs[:, 1] - outputs[:, 0]).double()
    positive, negative = score[labels == 1], score[labels == 0]
    if len(positive) == 0 or len(negative) == 0:
        return float("nan")
    pairs = positive[:, None] - negative[None, :]
    return float((pairs > 0).double().mean() + 0.5 * (pairs == 0).double().mean())


learner = gt.Learner(
    model,
    name="breast-cancer-mlp",
    version="1.0.0",
    hyperparameters={
        "hidden": gt.param(32, ge=1),
        "layers": gt.param(1, ge=0),  # 0: logistic regression
        "dropout": gt.param(0.1, ge=0, lt=1),
        "weightDecay": gt.param(0.01, ge=0),
        "lr": gt.param(0.003, gt=0),  # AdamW's LR when the job has no schedule (overfit gate, constant training)
    },
    optimizer=adamw,
    preprocess=gt.Standardize(),
    metrics={"auc": auc},
)

if __name__ == "__main__":
    learner.run()
