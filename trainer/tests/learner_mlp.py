"""A Learner with exactly the reference trainer's architecture and hyperparameters (no test knobs), for comparing the
Learner with the reference trainer. Test-only switches come from the environment:
  LEARNER_MODES                comma-separated modes it declares (default: all six)
  LEARNER_EXIT_AFTER_EPOCH     os._exit(137) right after that epoch's checkpoint (a killed trainer)
"""
import os

from torch import nn

import gauntlet_trainer as gt


def model(hp, num_features, num_classes):
    return nn.Sequential(nn.Linear(num_features, hp["hidden"]), nn.ReLU(), nn.Dropout(hp["dropout"]),
                         nn.Linear(hp["hidden"], num_classes))


class ExitAfterEpoch(gt.Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def after_epoch(self, ctx):
        if ctx.epoch == self.epoch:
            os._exit(137)


callbacks = []
if os.environ.get("LEARNER_EXIT_AFTER_EPOCH"):
    callbacks.append(ExitAfterEpoch(int(os.environ["LEARNER_EXIT_AFTER_EPOCH"])))

learner = gt.Learner(
    model, name="learner-mlp", version="0.0.1",
    hyperparameters={"hidden": gt.param(128, ge=1), "dropout": gt.param(0.0, ge=0, lt=1),
                     "inputScale": gt.param(16.0, gt=0)},
    preprocess=gt.Scale("inputScale"),
    modes=os.environ.get("LEARNER_MODES", ",".join(gt.ALL_MODES)).split(","),
    callbacks=callbacks,
)

if __name__ == "__main__":
    learner.run()
