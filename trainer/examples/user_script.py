"""A user's own model on Gauntlet: a tiny convolutional net for the 8x8 digits, with every job-contract mode.

You write the model; the Learner implements train (one-cycle or constant LR, a checkpoint per epoch, exact resume),
evaluate, predict, lr_range_test and overfit_check around it, with the reference trainer's outputs. Run it as the
reference trainer is run (PYTHONPATH=trainer, GAUNTLET_JOB + GAUNTLET_STORAGE_* set):
    PYTHONPATH=trainer python3 trainer/examples/user_script.py
or from a pipeline: trainer: { kind: command, command: ["{python}", "<path to>/user_script.py"] }
"""
from torch import nn

import gauntlet_trainer as gt


def model(hp, num_features, num_classes):
    side = round(num_features ** 0.5)  # the CSV's 64 pixel columns are one 8x8 image
    if side * side != num_features:
        raise gt.BadInput("data.uri", f"this model wants square images, the data has {num_features} features")
    width = hp["channels"]
    return nn.Sequential(
        nn.Unflatten(1, (1, side, side)),
        nn.Conv2d(1, width, 3, padding=1), nn.ReLU(),
        nn.Conv2d(width, 2 * width, 3, stride=2, padding=1), nn.ReLU(),  # 8x8 -> 4x4
        nn.Flatten(),
        nn.Dropout(hp["dropout"]),
        nn.Linear(2 * width * ((side + 1) // 2) ** 2, num_classes),
    )


learner = gt.Learner(
    model,
    name="digits-cnn-example",
    version="0.2.0",
    # Declared with defaults; a job with any other key exits 2 naming it. The library adds lr (0.05, used without a
    # schedule) and the default optimizer's: optimizer (sgd|adam), momentum (0.9), nesterov, weightDecay.
    hyperparameters={"channels": gt.param(16, ge=1), "dropout": gt.param(0.0, ge=0, lt=1)},
    preprocess=gt.Scale(16.0),  # pixels are 0..16
)

if __name__ == "__main__":
    learner.run()
