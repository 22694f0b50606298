"""mode `train`: epochs of minibatch training with a one-cycle (or constant) schedule, a checkpoint per epoch, and
exact resume — a run resumed from epoch k ends with the same weights and metrics as one that never stopped."""
import math
import os
import time

import torch
from torch.nn import functional as F

from gauntlet_trainer import load_dataset
from gauntlet_trainer.errors import BadInput
from gauntlet_trainer.tracing import epoch_span
from gauntlet_trainer.torch_utils import (capture_rng_state, epoch_generator, make_deterministic, restore_rng_state,
                                          scheduler_state)

from .batches import batches, num_batches, predict, split_tensors
from .hparams import parse_hyperparameters
from .model import (CHECKPOINT_FORMAT, build_model, build_optimizer, build_scheduler, check_checkpoint, constant_lr,
                    model_config)


def run_train(session):
    job = session.job
    hp = parse_hyperparameters(job["hyperparameters"])
    schedule = job["schedule"]
    if schedule is not None and schedule["kind"] == "range_test":
        raise BadInput("schedule.kind", "'range_test' is only valid for mode lr_range_test")
    device = session.device
    make_deterministic(job["seed"], device)
    dataset = load_dataset(session.store, job["data"])
    x_train, y_train, _ = split_tensors(dataset, "train", hp["inputScale"], device, "data.splitUri")
    x_valid, y_valid, _ = split_tensors(dataset, "valid", hp["inputScale"], device, "data.splitUri", allow_empty=True)

    config = model_config(x_train.shape[1], job["data"]["numClasses"], hp)
    model = build_model(config).to(device)  # built right after seeding: initial weights depend on the seed only
    optimizer = build_optimizer(model.parameters(), hp, constant_lr(schedule, hp))
    steps_per_epoch = num_batches(len(y_train), job["batchSize"])
    scheduler = build_scheduler(schedule, optimizer, job["epochs"] * steps_per_epoch)

    start_epoch, metrics, checkpoint_uri = 0, {}, None
    if job["checkpoint"]:
        state = session.load_checkpoint(map_location=device)
        start_epoch, metrics = _restore(state, config, model, optimizer, scheduler, job, device)
        checkpoint_uri = job["checkpoint"]
        session.resumed_from_epoch = start_epoch
        session.log(f"resumed from {checkpoint_uri} (epoch {start_epoch})")

    for epoch in range(start_epoch + 1, job["epochs"] + 1):
        with epoch_span(epoch, job):
            if hp["slowdownSeconds"]:
                time.sleep(hp["slowdownSeconds"])  # test knob: a window to kill the trainer mid-run
            train_loss = _train_epoch(model, optimizer, scheduler, x_train, y_train, job, hp, epoch)
            val_loss, val_accuracy = _evaluate(model, x_valid, y_valid)
            metrics = {"train_loss": train_loss, "val_loss": val_loss, "val_accuracy": val_accuracy}
            session.report_metric("train_loss", train_loss, epoch=epoch, split="train")
            session.report_metric("val_loss", val_loss, epoch=epoch, split="valid")
            session.report_metric("val_accuracy", val_accuracy, epoch=epoch, split="valid")
            if not math.isfinite(train_loss):
                # Deterministic given the job, so a retry would diverge again: a clean failure, not a crash.
                session.log(f"training diverged at epoch {epoch} (non-finite loss)", "error")
                return _result(session, metrics, epoch, checkpoint_uri, steps_per_epoch, len(y_train), len(y_valid),
                               status="failed", reason=f"loss diverged (non-finite) at epoch {epoch}")
            state = {
                "format": CHECKPOINT_FORMAT, "model_config": config, "epoch": epoch, "step": epoch * steps_per_epoch,
                "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler_state(scheduler) if scheduler is not None else None,
                "rng": capture_rng_state(device), "metrics": metrics,
            }
            # Also rewrites events.jsonl: the store's copy of the log is current at every epoch end.
            checkpoint_uri = session.save_checkpoint(state, epoch, step=epoch * steps_per_epoch)
            if hp["holdFile"] and epoch == 1:
                _hold_once(hp["holdFile"], session)
    return _result(session, metrics, job["epochs"], checkpoint_uri, steps_per_epoch, len(y_train), len(y_valid))


def _hold_once(release, session):
    """Test knob: the first trainer to claim the hold waits here until `release` exists (see hparams.py)."""
    try:
        os.close(os.open(release + ".claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        return
    session.log(f"holding after epoch 1 until {release} exists")
    while not os.path.exists(release):
        time.sleep(0.1)


def _train_epoch(model, optimizer, scheduler, x_train, y_train, job, hp, epoch):
    model.train()
    total, count = torch.zeros((), dtype=torch.float64, device=x_train.device), 0
    generator = epoch_generator(job["seed"], epoch)  # shuffle order depends on (seed, epoch) only
    for inputs, labels in batches(x_train, y_train, job["batchSize"], generator, hp["shuffleLabels"]):
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(inputs), labels)
        loss.backward()
        optimizer.step()
        if scheduler is not None:
            scheduler.step()
        total += loss.detach().double() * len(labels)  # no .item() per step: keeps a GPU from syncing every batch
        count += len(labels)
    return float(total) / count


def _evaluate(model, inputs, labels):
    if len(labels) == 0:
        return None, None  # no validation split (k-fold's final model): nothing to report
    logits = predict(model, inputs)
    loss = F.cross_entropy(logits, labels).item()
    accuracy = (logits.argmax(dim=1) == labels).double().mean().item()
    return loss, accuracy


def _restore(state, config, model, optimizer, scheduler, job, device):
    check_checkpoint(state, config["in_features"], config["num_classes"])
    if state["model_config"] != config:
        raise BadInput("hyperparameters", f"model settings {config} differ from the checkpoint's "
                                          f"{state['model_config']}")
    epoch = int(state["epoch"])
    if epoch > job["epochs"]:
        raise BadInput("epochs", f"is {job['epochs']} but the checkpoint is already at epoch {epoch}")
    if (state["scheduler"] is None) != (scheduler is None):
        raise BadInput("schedule", "does not match the checkpoint's (one_cycle vs constant)")
    if scheduler is not None and state["scheduler"].get("total_steps") != scheduler.total_steps:
        raise BadInput("epochs", f"the checkpoint's one-cycle schedule spans {state['scheduler'].get('total_steps')} "
                                 f"steps, this job's spans {scheduler.total_steps} (epochs or batchSize changed)")
    model.load_state_dict(state["model"])
    optimizer.load_state_dict(state["optimizer"])
    if scheduler is not None:
        scheduler.load_state_dict(state["scheduler"])
    restore_rng_state(state["rng"], device)
    return epoch, dict(state["metrics"])


def _result(session, metrics, epochs, checkpoint_uri, steps_per_epoch, train_rows, valid_rows, status="succeeded",
            reason=None):
    details = {"stepsPerEpoch": steps_per_epoch, "trainRows": train_rows, "validRows": valid_rows,
               "schedule": (session.job["schedule"] or {"kind": "constant"})["kind"]}
    if reason:
        details["reason"] = reason
    return session.write_result(
        status=status,
        metrics={"val_accuracy": metrics.get("val_accuracy"), "val_loss": metrics.get("val_loss"),
                 "train_loss": metrics.get("train_loss"), "epochs": epochs},
        artifacts={"checkpoint": checkpoint_uri} if checkpoint_uri else {},
        details=details,
    )
