"""The Optuna side of bench/sweepEfficiency.bench.ts: the digits sweep objective run through Optuna (TPE + successive
halving) as an outside reference.

The objective is the reference trainer's own code, imported from trainer/gauntlet_reference, so a trial here computes
the same numbers a Gauntlet trial does for the same configuration: make_deterministic(seed) → the same MLP, SGD and
OneCycleLR (the schedule options are those of a Gauntlet trial's job document), the same (seed, epoch) shuffle order,
the same validation pass. The data are the exact CSV and split manifest the Gauntlet ingest stored (the bench
downloads them from MinIO; the CSV's sha256 is checked). Max LR = the range test's suggestion that the Gauntlet runs
used × lrFactor, as in a Gauntlet sweep.

Search: TPESampler(seed, n_startup_trials) and SuccessiveHalvingPruner(min_resource=1, reduction_factor=3) — rungs at
epochs 1, 3 (and 9, the last epoch, where nothing is pruned: there the trial has spent its budget and completes, as
ASHA's maxResource completes a trial). Trials run one after another in this process (n_jobs=1), so there is no
per-trial process start or data load.

Figures per seed: the best val accuracy, trial-epochs in total (epochs a trial trained: all of them for a completed
trial, the epochs reported before pruning for a pruned one) and trial-epochs (cumulative, trial order) up to the first
completed trial within 0.5% of the best found by this script (the bench recomputes that figure against the best
pooled over every method).

  /usr/bin/python3 bench/optuna_digits.py --csv digits.csv --split split.json --max-lr 0.35 \
      --space '{"lrFactor":{"loguniform":[0.1,3]},"hidden":{"choice":[32,64,128,256]}}' [--trials 24] [--seeds 0,1]
      [--epochs 9] [--batch-size 64] [--n-startup 6] [--train-seed 0] [--schedule JSON] [--parity JSON] [--json]
"""
import argparse
import hashlib
import json
import math
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "trainer"))

import optuna  # noqa: E402
import torch  # noqa: E402

from gauntlet_reference.batches import num_batches, split_tensors  # noqa: E402
from gauntlet_reference.hparams import parse_hyperparameters  # noqa: E402
from gauntlet_reference.model import build_model, build_optimizer, build_scheduler, constant_lr, model_config  # noqa: E402
from gauntlet_reference.train import _evaluate, _train_epoch  # noqa: E402
from gauntlet_trainer.data import Dataset, parse_csv, parse_splits  # noqa: E402
from gauntlet_trainer.torch_utils import make_deterministic  # noqa: E402

WITHIN = 0.005
# PyTorch's OneCycleLR defaults as core/spec/job.ts fills them in; --schedule (a trial's job document) overrides.
ONE_CYCLE_DEFAULTS = {"kind": "one_cycle", "pctStart": 0.3, "annealStrategy": "cos", "divFactor": 25.0,
                      "finalDivFactor": 1e4, "threePhase": False, "cycleMomentum": True, "baseMomentum": 0.85,
                      "maxMomentum": 0.95}


def load(csv_path, split_path, label_column, num_classes, sha256):
    raw = open(csv_path, "rb").read()
    actual = hashlib.sha256(raw).hexdigest()
    if sha256 and actual != sha256:
        sys.exit(f"{csv_path}: sha256 {actual}, expected {sha256}")
    features, labels, names = parse_csv(raw, label_column, num_classes)
    splits = parse_splits(open(split_path, "rb").read(), len(labels))
    return Dataset(features, labels, names, splits)


class Objective:
    """One reference-trainer training run per configuration, on CPU (as the local Gauntlet trials run here)."""

    def __init__(self, dataset, num_classes, base_max_lr, schedule, epochs, batch_size, seed):
        self.dataset, self.num_classes = dataset, num_classes
        self.base_max_lr, self.schedule = base_max_lr, schedule
        self.epochs, self.batch_size, self.seed = epochs, batch_size, seed
        self.device = torch.device("cpu")

    def train(self, config, on_epoch=None):
        """Trains `config`; on_epoch(epoch, val_accuracy) may raise optuna.TrialPruned. Returns (curve, diverged)."""
        hyper = {name: value for name, value in config.items() if name != "lrFactor"}
        hp = parse_hyperparameters(hyper)
        device = self.device
        make_deterministic(self.seed, device)  # as run_train: seed first, then data, then the model
        x_train, y_train, _ = split_tensors(self.dataset, "train", hp["inputScale"], device)
        x_valid, y_valid, _ = split_tensors(self.dataset, "valid", hp["inputScale"], device)
        model = build_model(model_config(x_train.shape[1], self.num_classes, hp)).to(device)
        schedule = dict(self.schedule, maxLr=self.base_max_lr * float(config.get("lrFactor", 1.0)))
        optimizer = build_optimizer(model.parameters(), hp, constant_lr(schedule, hp))
        scheduler = build_scheduler(schedule, optimizer, self.epochs * num_batches(len(y_train), self.batch_size))
        job = {"seed": self.seed, "batchSize": self.batch_size}
        curve = []
        for epoch in range(1, self.epochs + 1):
            train_loss = _train_epoch(model, optimizer, scheduler, x_train, y_train, job, hp, epoch)
            _, val_accuracy = _evaluate(model, x_valid, y_valid)
            curve.append(val_accuracy)
            if not math.isfinite(train_loss):
                # The reference trainer ends a diverged run there with a clean "failed" result whose metrics are this
                # epoch's; a Gauntlet sweep records that val_accuracy as the trial's objective. Same here.
                return curve, True
            if on_epoch is not None:
                on_epoch(epoch, val_accuracy)
        return curve, False


def suggest(trial, space):
    config = {}
    for name, spec in space.items():
        if "loguniform" in spec:
            config[name] = trial.suggest_float(name, spec["loguniform"][0], spec["loguniform"][1], log=True)
        elif "uniform" in spec:
            config[name] = trial.suggest_float(name, spec["uniform"][0], spec["uniform"][1])
        elif "choice" in spec:
            config[name] = trial.suggest_categorical(name, spec["choice"])
        elif "fixed" in spec:
            config[name] = spec["fixed"]
        else:
            raise SystemExit(f"space.{name}: only loguniform, uniform, choice and fixed are mapped to Optuna ({spec})")
    return config


def run_study(objective, space, trials, seed, n_startup):
    sampler = optuna.samplers.TPESampler(seed=seed, n_startup_trials=n_startup)
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=1, reduction_factor=3)
    study = optuna.create_study(direction="maximize", sampler=sampler, pruner=pruner)
    records = []

    def optuna_objective(trial):
        config = suggest(trial, space)
        record = {"trial": trial.number, "config": config, "curve": [], "state": "running"}
        records.append(record)

        def on_epoch(epoch, value):
            record["curve"].append(value)
            trial.report(value, epoch)
            # Not at the last epoch: the budget is spent there and the trial completes (ASHA's maxResource).
            if epoch < objective.epochs and trial.should_prune():
                record["state"] = "pruned"
                raise optuna.TrialPruned()

        curve, diverged = objective.train(config, on_epoch)
        record["curve"] = curve
        record["state"] = "completed"
        record["diverged"] = diverged
        record["objective"] = curve[-1]
        return curve[-1]

    started = time.perf_counter()
    study.optimize(optuna_objective, n_trials=trials, n_jobs=1)
    seconds = time.perf_counter() - started
    for record in records:
        record["epochs"] = len(record["curve"])
        record.setdefault("objective", None)
    return records, seconds


def reach(records, best):
    """Cumulative trial-epochs up to the first completed trial within WITHIN of `best`; None if none is."""
    spent = 0
    for record in records:
        spent += record["epochs"]
        if record["state"] == "completed" and record["objective"] is not None and record["objective"] >= best - WITHIN:
            return spent
    return None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--csv", required=True)
    parser.add_argument("--split", required=True)
    parser.add_argument("--sha256")
    parser.add_argument("--label-column", default="label")
    parser.add_argument("--num-classes", type=int, default=10)
    parser.add_argument("--max-lr", type=float, required=True, help="the range test's suggestion (before lrFactor)")
    parser.add_argument("--space", required=True, help="the sweep.space of the Gauntlet pipeline, as JSON")
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--seeds", default="0,1", help="TPESampler seeds, comma-separated")
    parser.add_argument("--epochs", type=int, default=9)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--n-startup", type=int, default=6)
    parser.add_argument("--train-seed", type=int, default=0, help="the trials' training seed (Gauntlet: train.seed)")
    parser.add_argument("--schedule", help="one_cycle options as a Gauntlet trial's job document has them (JSON)")
    parser.add_argument("--parity", help='{"config": {...}, "curve": [...]}: retrain one Gauntlet trial, print the gap')
    parser.add_argument("--json", action="store_true", help="one JSON object per line on stdout")
    args = parser.parse_args()

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    loaded = time.perf_counter()
    dataset = load(args.csv, args.split, args.label_column, args.num_classes, args.sha256)
    schedule = dict(ONE_CYCLE_DEFAULTS, **(json.loads(args.schedule) if args.schedule else {}))
    schedule.pop("maxLr", None)
    objective = Objective(dataset, args.num_classes, args.max_lr, schedule, args.epochs, args.batch_size,
                          args.train_seed)
    space = json.loads(args.space)
    emit = (lambda value: print(json.dumps(value), flush=True)) if args.json else (lambda value: None)
    emit({"kind": "setup", "seconds": time.perf_counter() - loaded, "optuna": optuna.__version__,
          "torch": torch.__version__})

    if args.parity:
        parity = json.loads(args.parity)
        curve, _ = objective.train(parity["config"])
        theirs = [value for value in parity["curve"] if value is not None]
        gap = max((abs(a - b) for a, b in zip(curve, theirs)), default=None)
        emit({"kind": "parity", "curve": curve, "compared": min(len(curve), len(theirs)), "maxAbsGap": gap})
        print(f"parity: {min(len(curve), len(theirs))} epochs compared, max |Δ val acc| = {gap}", file=sys.stderr)

    for seed in [int(s) for s in args.seeds.split(",") if s != ""]:
        records, seconds = run_study(objective, space, args.trials, seed, args.n_startup)
        emit({"kind": "study", "seed": seed, "seconds": seconds, "trials": records})
        completed = [r["objective"] for r in records if r["state"] == "completed" and r["objective"] is not None]
        best = max(completed) if completed else float("nan")
        print(f"optuna seed {seed}: best val acc {best:.4f} · {sum(r['epochs'] for r in records)} trial-epochs · "
              f"{reach(records, best)} trial-epochs to within {WITHIN} of its own best · "
              f"{sum(r['state'] == 'pruned' for r in records)} pruned · {seconds:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
