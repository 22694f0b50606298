"""The reference trainer's hyperparameters: types, ranges and defaults, validated up front (BadInput names the key).

Test/diagnostic knobs — deliberately broken runs that let the pipeline's gates and retries be tested:
  shuffleLabels    labels are permuted independently of the inputs every time a batch is drawn (the classic bug of
                   shuffling x and y separately): nothing learnable is left, even on one fixed batch.
  freeze           optimizer.step() does nothing (the "forgot optimizer.step()" bug): parameters never change.
  slowdownSeconds  sleep this long per epoch (train) or per 10 steps (overfit_check, lr_range_test), so a test can
                   kill the trainer mid-run.
  holdFile         (train) after its first epoch, the first trainer to claim `<holdFile>.claim` waits until the file
                   `<holdFile>` exists: one job that stays running until a test releases it, whatever the machine's
                   speed. Other trainers of the same sweep go on.
Unknown keys are rejected: a typo in a sweep's search space should fail before any GPU time is spent.
"""
from gauntlet_trainer import schema as s
from gauntlet_trainer.errors import BadInput

_SPEC = {
    "hidden": (s.number(integer=True, ge=1), 128),
    "dropout": (s.number(ge=0, lt=1), 0.0),
    "weightDecay": (s.number(ge=0), 0.0),
    "momentum": (s.number(ge=0, le=1), 0.9),  # SGD; a one-cycle schedule with cycleMomentum overrides it per step
    "nesterov": (s.boolean(), False),
    "optimizer": (s.enum("sgd", "adam"), "sgd"),
    "lr": (s.number(gt=0), 0.05),  # used when the job has no schedule (train, overfit_check)
    "inputScale": (s.number(gt=0), 16.0),  # digits pixels are 0..16
    "shuffleLabels": (s.boolean(), False),
    "freeze": (s.boolean(), False),
    "slowdownSeconds": (s.number(ge=0), 0.0),
    "holdFile": (s.string(), ""),
}
DEFAULTS = {name: default for name, (_, default) in _SPEC.items()}


def parse_hyperparameters(values: dict) -> dict:
    checked = s.strict_object(_SPEC)(values or {}, "hyperparameters")
    if checked["nesterov"] and checked["optimizer"] == "sgd" and checked["momentum"] == 0:
        raise BadInput("hyperparameters.nesterov", "Nesterov momentum needs hyperparameters.momentum > 0")
    return checked
