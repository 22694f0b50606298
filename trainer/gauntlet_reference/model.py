"""The model (a one-hidden-layer MLP), its optimizer and LR schedule, and checkpoint compatibility checks."""
import types

import torch
from torch import nn

from gauntlet_trainer.errors import BadInput

CHECKPOINT_FORMAT = "gauntlet-reference/1"


def model_config(num_features: int, num_classes: int, hp: dict) -> dict:
    """Everything needed to rebuild the model; stored in every checkpoint so evaluate/predict need no hyperparameters."""
    return {"in_features": num_features, "hidden": hp["hidden"], "num_classes": num_classes,
            "dropout": hp["dropout"], "input_scale": hp["inputScale"]}


def build_model(config: dict) -> nn.Module:
    return nn.Sequential(
        nn.Linear(config["in_features"], config["hidden"]),
        nn.ReLU(),
        nn.Dropout(config["dropout"]),
        nn.Linear(config["hidden"], config["num_classes"]),
    )


def build_optimizer(params, hp: dict, lr: float):
    if hp["optimizer"] == "adam":
        optimizer = torch.optim.Adam(params, lr=lr, weight_decay=hp["weightDecay"])
    else:
        optimizer = torch.optim.SGD(params, lr=lr, momentum=hp["momentum"], nesterov=hp["nesterov"],
                                    weight_decay=hp["weightDecay"])
    if hp["freeze"]:
        # Test knob: a real optimizer (schedulers and state dicts work) whose step() changes nothing. Bound as a
        # method because LR schedulers wrap `optimizer.step` and expect `__self__`/`__func__`.
        optimizer.step = types.MethodType(lambda self, closure=None: None, optimizer)
    return optimizer


def build_scheduler(schedule, optimizer, total_steps: int):
    """one_cycle -> OneCycleLR with every contract option mapped; constant/None -> no scheduler."""
    if schedule is None or schedule["kind"] == "constant":
        return None
    if schedule["kind"] != "one_cycle":
        raise BadInput("schedule.kind", f"{schedule['kind']!r} is only valid for mode lr_range_test")
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer,
        max_lr=schedule["maxLr"],
        total_steps=total_steps,
        pct_start=schedule["pctStart"],
        anneal_strategy=schedule["annealStrategy"],
        cycle_momentum=schedule["cycleMomentum"],
        base_momentum=schedule["baseMomentum"],
        max_momentum=schedule["maxMomentum"],
        div_factor=schedule["divFactor"],
        final_div_factor=schedule["finalDivFactor"],
        three_phase=schedule["threePhase"],
    )


def constant_lr(schedule, hp: dict) -> float:
    """The optimizer's construction LR (OneCycleLR overwrites it with maxLr / divFactor)."""
    return schedule["lr"] if schedule and schedule["kind"] == "constant" else hp["lr"]


def model_from_checkpoint(state: dict, num_features: int, num_classes: int) -> nn.Module:
    check_checkpoint(state, num_features, num_classes)
    model = build_model(state["model_config"])
    model.load_state_dict(state["model"])
    return model


def check_checkpoint(state: dict, num_features: int, num_classes: int) -> None:
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise BadInput("checkpoint", f"not a {CHECKPOINT_FORMAT} checkpoint")
    config = state["model_config"]
    if config["in_features"] != num_features:
        raise BadInput("checkpoint", f"the checkpoint's model takes {config['in_features']} features, the data has "
                                     f"{num_features}")
    if config["num_classes"] != num_classes:
        raise BadInput("data.numClasses", f"is {num_classes}, the checkpoint's model has {config['num_classes']} "
                                          "outputs")
