"""Learner: bring your own PyTorch model; the library implements every job-contract mode around it.

    import gauntlet_trainer as gt
    from torch import nn

    def model(hp, num_features, num_classes):
        return nn.Sequential(nn.Linear(num_features, hp["hidden"]), nn.ReLU(), nn.Linear(hp["hidden"], num_classes))

    gt.Learner(model, name="my-mlp", version="1.0.0", hyperparameters={"hidden": 64},
               preprocess=gt.Standardize()).run()

What the library does, per mode (outputs are the reference trainer's, see trainer/README.md):
  train          epochs of shuffled minibatches (order seeded by (seed, epoch)), job.schedule one_cycle (torch's
                 OneCycleLR, momentum/beta1 cycling when the optimizer has momentum or betas) or constant, validation
                 metrics and a durable checkpoint every epoch, exact resume from job.checkpoint.
  evaluate       accuracy/loss/n (+ your metrics) of job.checkpoint on job.split, predictions and confusion matrix.
  predict        predictions of job.checkpoint on job.split (labels not needed).
  lr_range_test  exponential LR ramp over train batches, stops on divergence, lr_point events, curve artifact.
  overfit_check  can the model drive the loss on one fixed batch below the threshold? (details.passed)
  inspect        statistics of job.split's inputs after `preprocess` (fitted on train, or job.checkpoint's), paired
                 with their labels in training order (inspection.py); batch_transform is not applied.

The model must return one logit per class (`[batch, num_classes]`); probabilities are its softmax. Data is the
contract's CSV, held in memory (on session.device) as float32 features and int64 labels.
"""
import contextlib
import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from . import schema as s
from .contract import OVERFIT_DEFAULTS, TRAINING_MODES, validate_schedule
from .data import MISSING_LABEL, load_dataset
from .errors import BadInput
from .inspection import describe_preprocessing, in_training_order, write_inspection
from .lr_finder import lr_range_test
from .runner import check_modes, run, unsupported_mode
from .torch_utils import capture_rng_state, epoch_generator, make_deterministic, restore_rng_state, scheduler_state
from .tracing import epoch_span

CHECKPOINT_FORMAT = "gauntlet-learner/1"
ALL_MODES = TRAINING_MODES  # every mode a Learner implements (not `label`: labeling is a command trainer's job)
FLUSH_EVERY = 50  # steps between rewrites of events.jsonl in step-based modes
CURVE_INLINE_MAX = 500  # longer overfit curves go to an artifact instead of details
PREDICT_BATCH = 1024
_BUILTIN_METRICS = ("accuracy", "loss", "n")


# ---------------------------------------------------------------------------------------------------------------------
# Hyperparameters


def param(default, *, ge=None, gt=None, le=None, lt=None, choices=None):
    """A declared hyperparameter: its default, its type (taken from the default: bool, int, float or str) and bounds.

    `param(0.1, ge=0, lt=1)`, `param(64, ge=1)`, `param("relu", choices=("relu", "gelu"))`. A plain default in the
    Learner's `hyperparameters` is `param(default)`; a `(validator, default)` pair (gauntlet_trainer.schema) also works.
    """
    if isinstance(default, bool):
        check = s.boolean()
    elif isinstance(default, int):
        check = s.number(integer=True, ge=ge, gt=gt, le=le, lt=lt)
    elif isinstance(default, float):
        check = s.number(ge=ge, gt=gt, le=le, lt=lt)
    elif isinstance(default, str):
        check = s.enum(*choices) if choices else s.string()
    else:
        raise TypeError(f"a hyperparameter default must be a bool, int, float or str, got {default!r}")
    if choices and not isinstance(default, str):
        inner = check

        def check(value, path):  # noqa: F811 — numeric choices
            value = inner(value, path)
            if value not in choices:
                raise BadInput(path, f"must be one of {', '.join(map(str, choices))} (got {value!r})")
            return value
    return check, default


def _declaration(name, spec):
    if isinstance(spec, tuple) and len(spec) == 2 and callable(spec[0]):
        return spec
    try:
        return param(spec)
    except TypeError as error:
        raise TypeError(f"hyperparameter {name!r}: {error}") from None


class Hyperparameters(dict):
    """The validated hyperparameters (a dict); reading an undeclared one says how to declare it."""

    def __missing__(self, key):
        raise KeyError(f"hyperparameter {key!r} is not declared: add it to Learner(hyperparameters={{...}}) with its "
                       f"default (declared: {', '.join(sorted(self))})")


def default_optimizer(params, hp, lr):
    """The default optimizer factory: hyperparameter `optimizer` "sgd" (momentum, nesterov, weightDecay) or "adam"
    (weightDecay), as in the reference trainer."""
    if hp["optimizer"] == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=hp["weightDecay"])
    return torch.optim.SGD(params, lr=lr, momentum=hp["momentum"], nesterov=hp["nesterov"],
                           weight_decay=hp["weightDecay"])


def _check_default_optimizer(hp):
    if hp["nesterov"] and hp["optimizer"] == "sgd" and hp["momentum"] == 0:
        raise BadInput("hyperparameters.nesterov", "Nesterov momentum needs hyperparameters.momentum > 0")


# ---------------------------------------------------------------------------------------------------------------------
# Preprocessing: fitted on the train split, stored in every checkpoint, reused by evaluate and predict


class Scale:
    """features / factor. `factor` is a number or the name of a hyperparameter (e.g. Scale("inputScale"))."""

    def __init__(self, factor):
        self.factor = factor

    def fit(self, features, hp):
        factor = hp[self.factor] if isinstance(self.factor, str) else self.factor
        return {"factor": float(factor)}

    def transform(self, features, state):
        return features / state["factor"]


class Standardize:
    """(features - mean) / std per column, mean and std of the TRAIN split (a constant column is only centred)."""

    def __init__(self, eps=1e-8):
        self.eps = eps

    def fit(self, features, hp):
        values = features.double()
        mean = values.mean(dim=0)
        std = (values - mean).pow(2).mean(dim=0).sqrt()  # population std (same spelling on torch 1.x and 2.x)
        std = torch.where(std > self.eps, std, torch.ones_like(std))
        return {"mean": mean.float(), "std": std.float()}

    def transform(self, features, state):
        return (features - state["mean"].to(features.device)) / state["std"].to(features.device)


class _Stateless:
    def __init__(self, function):
        self.function = function

    def fit(self, features, hp):
        return {}

    def transform(self, features, state):
        return self.function(features)


def _preprocessor(preprocess):
    if preprocess is None:
        return None
    if hasattr(preprocess, "fit") and hasattr(preprocess, "transform"):
        return preprocess
    if callable(preprocess):
        return _Stateless(preprocess)
    raise TypeError("preprocess must have fit(features, hp) -> state and transform(features, state), or be a "
                    "function features -> features")


# ---------------------------------------------------------------------------------------------------------------------
# Callbacks and the state they see


@dataclass
class Context:
    """What callbacks and batch transforms see. `loss`: the step's loss (a detached 0-d tensor in train, so there is
    no GPU sync per step; a float in lr_range_test and overfit_check; float(ctx.loss) works everywhere). `lr`: the
    learning rate the step used. `generator`: the CPU generator the mode draws its batches from (epoch-seeded in
    train), for reproducible randomness in a batch transform."""

    mode: str
    session: Any
    hp: dict
    device: Any
    model: Any = None
    optimizer: Any = None
    scheduler: Any = None
    epoch: int = 0
    step: int = 0
    lr: float = None
    loss: Any = None
    generator: Any = None
    metrics: dict = field(default_factory=dict)
    checkpoint_uri: str = None


class Callback:
    """Subclass and override what you need. before_epoch/after_epoch: train only (after_epoch runs once the epoch's
    checkpoint is stored). after_step: every optimizer step of train, lr_range_test and overfit_check."""

    def before_epoch(self, ctx):
        pass

    def after_step(self, ctx):
        pass

    def after_epoch(self, ctx):
        pass


# ---------------------------------------------------------------------------------------------------------------------
# Mixed precision: autocast + GradScaler on CUDA only, a no-op elsewhere


def _grad_scaler():
    amp = getattr(torch, "amp", None)
    if amp is not None and hasattr(amp, "GradScaler"):  # torch >= 2.3 (torch.cuda.amp.GradScaler is deprecated)
        return amp.GradScaler("cuda")
    return torch.cuda.amp.GradScaler()


class Precision:
    def __init__(self, setting, device):
        if setting not in (False, None, True, "float16", "bfloat16"):
            raise ValueError(f"mixed_precision must be False, True (float16) or 'bfloat16', got {setting!r}")
        self.enabled = bool(setting) and device.type == "cuda"
        self.dtype = torch.bfloat16 if setting == "bfloat16" else torch.float16
        self.scaler = _grad_scaler() if self.enabled and self.dtype == torch.float16 else None

    def autocast(self):
        return torch.autocast("cuda", dtype=self.dtype) if self.enabled else contextlib.nullcontext()

    def backward_step(self, loss, optimizer):
        if self.scaler is None:
            loss.backward()
            optimizer.step()
        else:
            self.scaler.scale(loss).backward()
            self.scaler.step(optimizer)
            self.scaler.update()

    def state_dict(self):
        return self.scaler.state_dict() if self.scaler is not None else None

    def load_state_dict(self, state):
        if self.scaler is not None and state:
            self.scaler.load_state_dict(state)


# ---------------------------------------------------------------------------------------------------------------------
# Schedules


def constant_lr(schedule, hp) -> float:
    """The optimizer's construction LR: schedule.lr for a constant schedule, else hyperparameter `lr` (OneCycleLR
    overwrites it with maxLr / divFactor)."""
    return schedule["lr"] if schedule and schedule["kind"] == "constant" else hp["lr"]


def one_cycle(schedule, optimizer, total_steps, log=None):
    """job.schedule -> torch's OneCycleLR with every contract option mapped (None for constant / no schedule).
    Momentum (SGD) or beta1 (Adam-like) cycles when the schedule asks for it and the optimizer has one."""
    if schedule is None or schedule["kind"] == "constant":
        return None
    if schedule["kind"] != "one_cycle":
        raise BadInput("schedule.kind", f"{schedule['kind']!r} is only valid for mode lr_range_test")
    cycle = schedule["cycleMomentum"] and ("momentum" in optimizer.defaults or "betas" in optimizer.defaults)
    if schedule["cycleMomentum"] and not cycle and log is not None:
        log(f"{type(optimizer).__name__} has neither momentum nor betas: one-cycle cycles the learning rate only")
    return torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=schedule["maxLr"], total_steps=total_steps, pct_start=schedule["pctStart"],
        anneal_strategy=schedule["annealStrategy"], cycle_momentum=cycle, base_momentum=schedule["baseMomentum"],
        max_momentum=schedule["maxMomentum"], div_factor=schedule["divFactor"],
        final_div_factor=schedule["finalDivFactor"], three_phase=schedule["threePhase"])


def _check_format(state):
    if not isinstance(state, dict) or state.get("format") != CHECKPOINT_FORMAT:
        raise BadInput("checkpoint", f"not a {CHECKPOINT_FORMAT} checkpoint (written by another trainer?)")


def _refuse_range_test(schedule):
    if schedule is not None and schedule["kind"] == "range_test":
        raise BadInput("schedule.kind", "'range_test' is only valid for mode lr_range_test")


# ---------------------------------------------------------------------------------------------------------------------
# Batches


def batches(inputs, labels, batch_size, generator=None):
    """(inputs, labels) minibatches, in `generator`'s random order when given (else in order; the last may be short)."""
    count = len(labels)
    order = torch.randperm(count, generator=generator) if generator is not None else torch.arange(count)
    for start in range(0, count, batch_size):
        index = order[start:start + batch_size].to(inputs.device)
        yield inputs[index], labels[index]


class _Passes:
    """Re-iterable shuffled train batches for the LR range test; pass k is shuffled by (seed, k)."""

    def __init__(self, learner, ctx, inputs, labels, batch_size, seed):
        self.learner, self.ctx, self.args, self.seed, self.passes = learner, ctx, (inputs, labels, batch_size), seed, 0

    def __iter__(self):
        self.passes += 1
        generator = epoch_generator(self.seed, self.passes)
        self.ctx.generator = generator
        for inputs, labels in batches(*self.args, generator):
            yield self.learner._transform_batch(inputs, labels, self.ctx)


# ---------------------------------------------------------------------------------------------------------------------


class Learner:
    """A model factory plus options; `run()` makes it a complete job-contract trainer.

    model(hp, num_features, num_classes) -> nn.Module, returning [batch, num_classes] logits.
    hyperparameters: {name: default | param(...) | (validator, default)}, merged over the library's own: `lr` (0.05,
        the LR when the job has no schedule) and, with the default optimizer, `optimizer` ("sgd"|"adam"), `momentum`
        (0.9), `nesterov` (false), `weightDecay` (0). A job's unknown key exits 2 naming it.
    loss(outputs, labels) -> scalar tensor (default cross entropy); also the reported val_loss / loss.
    optimizer: factory (params, hp, lr) -> torch.optim.Optimizer, or "sgd"/"adam" (the default factory, with that
        default for hyperparameter `optimizer`).
    preprocess: fitted on the train split and stored in the checkpoint (Scale, Standardize, or any object with
        fit(features, hp) -> state and transform(features, state); or a stateless function features -> features).
    batch_transform(inputs, labels, ctx) -> (inputs, labels): applied to every training batch (train,
        lr_range_test, overfit_check; ctx.mode says which), e.g. augmentation drawing from ctx.generator.
    metrics: {name: fn(outputs, labels) -> float}, reported as val_<name> per epoch in train, <name> in evaluate.
    check_hyperparameters(hp): raise BadInput for combinations the schema cannot express.
    modes: the modes this trainer accepts (default all six training modes; never `label`); any other exits 2 naming
        the mode.
    mixed_precision: False, True (float16 autocast + GradScaler) or "bfloat16"; CUDA only, a no-op on CPU.
    callbacks: Callback instances (before_epoch / after_step / after_epoch).
    columns(feature_names, hp) -> [names]: the feature columns the model takes, in that order (default: all, in CSV
        order). For a model that reads a column by name, e.g. one a hyperparameter names; applied in every mode.
    """

    def __init__(self, model, *, name="custom-learner", version="0.0.0", hyperparameters=None, loss=None,
                 optimizer=None, preprocess=None, batch_transform=None, metrics=None, check_hyperparameters=None,
                 modes=ALL_MODES, mixed_precision=False, callbacks=(), columns=None):
        if not callable(model):
            raise TypeError("model must be a factory (hp, num_features, num_classes) -> torch.nn.Module")
        self.model_factory = model
        self.name, self.version = name, version
        self.loss = loss or F.cross_entropy
        self.default_optimizer = optimizer is None or optimizer in ("sgd", "adam")
        if not self.default_optimizer and not callable(optimizer):
            raise TypeError("optimizer must be 'sgd', 'adam' or a factory (params, hp, lr) -> torch optimizer")
        self.optimizer_factory = default_optimizer if self.default_optimizer else optimizer
        spec = {"lr": (s.number(gt=0), 0.05)}
        if self.default_optimizer:
            spec.update({
                "optimizer": (s.enum("sgd", "adam"), optimizer or "sgd"),
                "momentum": (s.number(ge=0, le=1), 0.9),  # a one-cycle schedule with cycleMomentum overrides it
                "nesterov": (s.boolean(), False),
                "weightDecay": (s.number(ge=0), 0.0),
            })
        spec.update({str(k): _declaration(k, v) for k, v in (hyperparameters or {}).items()})
        self.hyperparameter_spec = spec
        self.preprocess = _preprocessor(preprocess)
        self.batch_transform = batch_transform
        self.metrics = dict(metrics or {})
        clash = [n for n in self.metrics if n in _BUILTIN_METRICS]
        if clash:
            raise ValueError(f"metric names {clash} are built in (accuracy, loss, n are always reported)")
        self.check_hyperparameters = check_hyperparameters
        try:
            self.modes = check_modes(modes)
        except BadInput as error:  # a mistake in the script, not in a job
            raise ValueError(error.message) from None
        beyond = [m for m in self.modes if m not in ALL_MODES]
        if beyond:
            raise ValueError(f"a Learner implements {', '.join(ALL_MODES)}; it cannot declare {', '.join(beyond)} "
                             f"(write that mode as a main(session) run by gauntlet_trainer.run)")
        Precision(mixed_precision, torch.device("cpu"))  # validates the setting now, not at the first job
        self.mixed_precision = mixed_precision
        self.callbacks = list(callbacks)
        if columns is not None and not callable(columns):
            raise TypeError("columns must be a function (feature_names, hp) -> list of feature column names")
        self.columns = columns

    # ---- entry points ----
    def run(self):
        """Run the job in the environment (GAUNTLET_JOB, GAUNTLET_STORAGE_*) and exit with the contract's code."""
        run(self.main, name=self.name, version=self.version, modes=self.modes)

    def main(self, session):
        mode = session.job["mode"]
        if mode not in self.modes:
            raise unsupported_mode(mode, self.modes, (self.name, self.version))
        session.log(f"device: {session.device}")
        return {"train": self.train, "evaluate": self.evaluate, "predict": self.predict,
                "lr_range_test": self.lr_range_test, "overfit_check": self.overfit_check,
                "inspect": self.inspect}[mode](session)

    # ---- building blocks (public so a test or a subclass can use them) ----
    def parse_hyperparameters(self, values) -> Hyperparameters:
        hp = Hyperparameters(s.strict_object(self.hyperparameter_spec)(values or {}, "hyperparameters"))
        if self.default_optimizer:
            _check_default_optimizer(hp)
        if self.check_hyperparameters is not None:
            self.check_hyperparameters(hp)
        return hp

    def build_model(self, hp, num_features, num_classes) -> nn.Module:
        model = self.model_factory(hp, num_features, num_classes)
        if not isinstance(model, nn.Module):
            raise TypeError(f"the model factory returned {type(model).__name__}, not a torch.nn.Module")
        return model

    def build_optimizer(self, model, hp, lr):
        return self.optimizer_factory(model.parameters(), hp, lr)

    # ---- data ----
    def select_columns(self, dataset, hp):
        """`dataset` with only the feature columns `columns(feature_names, hp)` names, in that order."""
        if self.columns is None:
            return dataset
        names = [str(name) for name in self.columns(list(dataset.feature_names), hp)]
        missing = [name for name in names if name not in dataset.feature_names]
        if missing or not names:
            raise BadInput("data.ignoreColumns", f"this trainer reads feature columns {missing or names!r}, which the "
                                                 f"data does not have as features (the label column and "
                                                 f"data.ignoreColumns are not features)")
        at = [dataset.feature_names.index(name) for name in names]
        return dataclasses.replace(dataset, features=dataset.features[:, at], feature_names=names)

    def _fit_preprocess(self, dataset, hp) -> dict:
        if self.preprocess is None:
            return {}
        features, _, rows = dataset.split("train")
        if len(rows) == 0:
            raise BadInput("data.splitUri", "split 'train' of the split manifest is empty")
        return self.preprocess.fit(torch.from_numpy(features), hp)

    def _split(self, dataset, split, prep_state, device, field="split", allow_empty=False):
        """(inputs, labels, rows) of one split on `device`, preprocessed on the CPU (same numbers on any device)."""
        features, labels, rows = dataset.split(split)
        if len(rows) == 0 and not allow_empty:
            raise BadInput(field, f"split {split!r} of the split manifest is empty")
        inputs = torch.from_numpy(features)
        if self.preprocess is not None:
            inputs = self.preprocess.transform(inputs, prep_state)
        return inputs.to(device), torch.from_numpy(labels).to(device), rows

    def _transform_batch(self, inputs, labels, ctx):
        if self.batch_transform is None:
            return inputs, labels
        return self.batch_transform(inputs, labels, ctx)

    def _callbacks(self, hook, ctx):
        for callback in self.callbacks:
            getattr(callback, hook)(ctx)

    @torch.no_grad()
    def _outputs(self, model, inputs, precision):
        """Float32 outputs for all inputs, in eval mode (no dropout: evaluation must not consume the training RNG)."""
        model.eval()
        with precision.autocast():
            outputs = [model(inputs[i:i + PREDICT_BATCH]) for i in range(0, len(inputs), PREDICT_BATCH)]
        return torch.cat(outputs).float()

    def _scores(self, outputs, labels) -> dict:
        scores = {"loss": float(self.loss(outputs, labels)),
                  "accuracy": (outputs.argmax(dim=1) == labels).double().mean().item()}
        for name, metric in self.metrics.items():
            scores[name] = float(metric(outputs, labels))
        return scores

    def _start(self, session, parse=True):
        job = session.job
        hp = self.parse_hyperparameters(job["hyperparameters"]) if parse else None
        device = session.device
        make_deterministic(job["seed"], device)
        return job, hp, device

    # ---- mode: train ----
    def train(self, session):
        job, hp, device = self._start(session)
        schedule = job["schedule"]
        _refuse_range_test(schedule)
        dataset = self.select_columns(load_dataset(session.store, job["data"]), hp)
        num_classes = job["data"]["numClasses"]
        num_features = dataset.features.shape[1]
        state = None
        if job["checkpoint"]:
            state = session.load_checkpoint(map_location="cpu")
            self._check_checkpoint(state, num_features, num_classes)
            if dict(state["hyperparameters"]) != dict(hp):
                changed = sorted(k for k in set(hp) | set(state["hyperparameters"])
                                 if state["hyperparameters"].get(k) != hp.get(k))
                raise BadInput("hyperparameters", f"differ from the checkpoint's ({', '.join(changed)}): a resumed run "
                                                  "must train the same model")
            prep_state = state["preprocess"]
        else:
            prep_state = self._fit_preprocess(dataset, hp)
        x_train, y_train, _ = self._split(dataset, "train", prep_state, device, "data.splitUri")
        # Empty only for k-fold's final model (every non-test row trains): then no validation metrics.
        x_valid, y_valid, _ = self._split(dataset, "valid", prep_state, device, "data.splitUri", allow_empty=True)

        model = self.build_model(hp, num_features, num_classes).to(device)  # right after seeding: init = f(seed)
        optimizer = self.build_optimizer(model, hp, constant_lr(schedule, hp))
        steps_per_epoch = math.ceil(len(y_train) / job["batchSize"])
        scheduler = one_cycle(schedule, optimizer, job["epochs"] * steps_per_epoch, session.log)
        precision = Precision(self.mixed_precision, device)
        ctx = Context("train", session, hp, device, model, optimizer, scheduler)

        start_epoch, checkpoint_uri = 0, None
        if state is not None:
            start_epoch, ctx.metrics = self._restore(state, model, optimizer, scheduler, precision, job, device)
            checkpoint_uri = ctx.checkpoint_uri = job["checkpoint"]
            session.resumed_from_epoch = start_epoch
            session.log(f"resumed from {checkpoint_uri} (epoch {start_epoch})")
        ctx.step = start_epoch * steps_per_epoch

        for epoch in range(start_epoch + 1, job["epochs"] + 1):
            with epoch_span(epoch, job):
                ctx.epoch = epoch
                self._callbacks("before_epoch", ctx)
                train_loss = self._train_epoch(ctx, precision, x_train, y_train, job["batchSize"], job["seed"])
                scores = self._scores(self._outputs(model, x_valid, precision), y_valid) if len(y_valid) else {"loss": None, "accuracy": None}
                metrics = {"train_loss": train_loss, "val_loss": scores.pop("loss"),
                           "val_accuracy": scores.pop("accuracy")}
                metrics.update({f"val_{name}": value for name, value in scores.items()})
                ctx.metrics = metrics
                for name, value in metrics.items():
                    session.report_metric(name, value, epoch=epoch, split="train" if name == "train_loss" else "valid")
                if not math.isfinite(train_loss):
                    # Deterministic given the job, so a retry would diverge again: a clean failure, not a crash.
                    session.log(f"training diverged at epoch {epoch} (non-finite loss)", "error")
                    return self._train_result(session, metrics, epoch, checkpoint_uri, steps_per_epoch, len(y_train),
                                              len(y_valid), status="failed",
                                              reason=f"loss diverged (non-finite) at epoch {epoch}")
                checkpoint = {
                    "format": CHECKPOINT_FORMAT, "trainer": {"name": self.name, "version": self.version},
                    "hyperparameters": dict(hp), "num_features": num_features, "num_classes": num_classes,
                    "preprocess": prep_state, "epoch": epoch, "step": epoch * steps_per_epoch,
                    "model": model.state_dict(), "optimizer": optimizer.state_dict(),
                    "scheduler": scheduler_state(scheduler) if scheduler is not None else None,
                    "scaler": precision.state_dict(), "rng": capture_rng_state(device), "metrics": metrics,
                }
                # Also rewrites events.jsonl: the store's copy of the log is current at every epoch end.
                checkpoint_uri = ctx.checkpoint_uri = session.save_checkpoint(checkpoint, epoch,
                                                                              step=epoch * steps_per_epoch)
                self._callbacks("after_epoch", ctx)
        return self._train_result(session, ctx.metrics, job["epochs"], checkpoint_uri, steps_per_epoch, len(y_train),
                                  len(y_valid))

    def _train_epoch(self, ctx, precision, x_train, y_train, batch_size, seed):
        model, optimizer, scheduler = ctx.model, ctx.optimizer, ctx.scheduler
        model.train()
        total, count = torch.zeros((), dtype=torch.float64, device=x_train.device), 0
        ctx.generator = epoch_generator(seed, ctx.epoch)  # shuffle order depends on (seed, epoch) only
        for inputs, labels in batches(x_train, y_train, batch_size, ctx.generator):
            inputs, labels = self._transform_batch(inputs, labels, ctx)
            optimizer.zero_grad(set_to_none=True)
            with precision.autocast():
                loss = self.loss(model(inputs), labels)
            ctx.lr = optimizer.param_groups[0]["lr"]
            precision.backward_step(loss, optimizer)
            if scheduler is not None:
                scheduler.step()
            ctx.loss = loss.detach()
            total += ctx.loss.double() * len(labels)  # no .item() per step: keeps a GPU from syncing every batch
            count += len(labels)
            ctx.step += 1
            self._callbacks("after_step", ctx)
        return float(total) / count

    def _check_checkpoint(self, state, num_features, num_classes):
        _check_format(state)
        if state["num_features"] != num_features:
            raise BadInput("checkpoint", f"the checkpoint's model takes {state['num_features']} features, the data "
                                         f"has {num_features}")
        if state["num_classes"] != num_classes:
            raise BadInput("data.numClasses", f"is {num_classes}, the checkpoint's model has {state['num_classes']} "
                                              "outputs")

    def _restore(self, state, model, optimizer, scheduler, precision, job, device):
        epoch = int(state["epoch"])
        if epoch > job["epochs"]:
            raise BadInput("epochs", f"is {job['epochs']} but the checkpoint is already at epoch {epoch}")
        if (state["scheduler"] is None) != (scheduler is None):
            raise BadInput("schedule", "does not match the checkpoint's (one_cycle vs constant)")
        if scheduler is not None and state["scheduler"].get("total_steps") != scheduler.total_steps:
            raise BadInput("epochs", f"the checkpoint's one-cycle schedule spans "
                                     f"{state['scheduler'].get('total_steps')} steps, this job's spans "
                                     f"{scheduler.total_steps} (epochs or batchSize changed)")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])  # moves the state onto the parameters' device
        if scheduler is not None:
            scheduler.load_state_dict(state["scheduler"])
        precision.load_state_dict(state.get("scaler"))
        restore_rng_state(state["rng"], device)
        return epoch, dict(state["metrics"])

    def _train_result(self, session, metrics, epochs, checkpoint_uri, steps_per_epoch, train_rows, valid_rows,
                      status="succeeded", reason=None):
        details = {"stepsPerEpoch": steps_per_epoch, "trainRows": train_rows, "validRows": valid_rows,
                   "schedule": (session.job["schedule"] or {"kind": "constant"})["kind"]}
        if reason:
            details["reason"] = reason
        extra = {k: v for k, v in metrics.items() if k not in ("val_accuracy", "val_loss", "train_loss")}
        return session.write_result(
            status=status,
            metrics={"val_accuracy": metrics.get("val_accuracy"), "val_loss": metrics.get("val_loss"),
                     "train_loss": metrics.get("train_loss"), "epochs": epochs, **extra},
            artifacts={"checkpoint": checkpoint_uri} if checkpoint_uri else {},
            details=details,
        )

    # ---- modes: evaluate, predict ----
    def evaluate(self, session):
        return self._apply(session, with_metrics=True)

    def predict(self, session):
        return self._apply(session, with_metrics=False)

    def _apply(self, session, with_metrics):
        job, _, device = self._start(session, parse=False)  # the model's settings come from the checkpoint
        dataset = load_dataset(session.store, job["data"], require_labels=with_metrics)
        state = session.load_checkpoint(map_location="cpu")
        num_classes = job["data"]["numClasses"]
        _check_format(state)
        # Defaults fill in hyperparameters declared after the checkpoint was written.
        hp = Hyperparameters({name: default for name, (_, default) in self.hyperparameter_spec.items()})
        hp.update(state["hyperparameters"])
        dataset = self.select_columns(dataset, hp)  # the columns the checkpoint's model was trained on
        self._check_checkpoint(state, dataset.features.shape[1], num_classes)
        trainer = state.get("trainer") or {}
        if trainer.get("name") != self.name:
            session.log(f"the checkpoint was written by {trainer.get('name')!r}, this trainer is {self.name!r}",
                        "warning")
        model = self.build_model(hp, state["num_features"], num_classes)
        model.load_state_dict(state["model"])
        model.to(device)
        inputs, labels, rows = self._split(dataset, job["split"], state["preprocess"], device)

        outputs = self._outputs(model, inputs, Precision(self.mixed_precision, device))
        probabilities = torch.softmax(outputs, dim=1)
        predictions = outputs.argmax(dim=1)
        records = [
            {"row": int(row), "label": None if int(label) == MISSING_LABEL else int(label), "prediction": int(pred),
             "probabilities": [round(float(p), 6) for p in probs]}
            for row, label, pred, probs in zip(rows, labels.tolist(), predictions.tolist(), probabilities.tolist())
        ]
        artifacts = {"predictions": session.put_json("predictions.json", records)}
        metrics = {"n": len(records)}
        details = {"split": job["split"], "checkpoint": job["checkpoint"]}

        if with_metrics:
            matrix = torch.zeros(num_classes, num_classes, dtype=torch.int64)
            matrix.index_put_((labels.cpu(), predictions.cpu()), torch.ones(len(records), dtype=torch.int64),
                              accumulate=True)
            scores = self._scores(outputs, labels)
            metrics["accuracy"], metrics["loss"] = scores.pop("accuracy"), scores.pop("loss")
            metrics.update(scores)
            details["confusion_matrix"] = matrix.tolist()
            artifacts["confusion_matrix"] = session.put_json("confusion_matrix.json", {
                "split": job["split"], "rows": "true class", "columns": "predicted class", "matrix": matrix.tolist()})
            for name in ("accuracy", "loss", "n", *scores):
                session.report_metric(name, metrics[name], split=job["split"])
        session.log(f"{job['mode']}: {len(records)} rows of split {job['split']!r}")
        return session.write_result(metrics=metrics, artifacts=artifacts, details=details)

    # ---- mode: inspect ----
    def inspect(self, session):
        job, hp, _ = self._start(session)
        dataset = self.select_columns(load_dataset(session.store, job["data"], require_labels=False), hp)
        if job["checkpoint"]:  # the preprocessing evaluate and predict would apply
            state = session.load_checkpoint(map_location="cpu")
            self._check_checkpoint(state, dataset.features.shape[1], job["data"]["numClasses"])
            prep_state = state["preprocess"]
        else:  # the preprocessing train would fit
            prep_state = self._fit_preprocess(dataset, hp)
        inputs, labels, rows = self._split(dataset, job["split"], prep_state, torch.device("cpu"))
        order = "split"
        if job["split"] == "train":
            inputs, labels, rows = in_training_order(inputs, labels, rows, lambda positions, paired: batches(
                positions, paired, job["batchSize"], epoch_generator(job["seed"], 1)))
            order = "training"
        return write_inspection(session, inputs, labels, rows, dataset.feature_names, order,
                                describe_preprocessing(self.preprocess, prep_state))

    # ---- mode: lr_range_test ----
    def lr_range_test(self, session):
        job, hp, device = self._start(session)
        schedule = job["schedule"] or validate_schedule({"kind": "range_test"})
        if schedule["kind"] != "range_test":
            raise BadInput("schedule.kind", f"mode lr_range_test needs a 'range_test' schedule, got "
                                            f"{schedule['kind']!r}")
        if schedule["endLr"] <= schedule["startLr"]:
            raise BadInput("schedule.endLr", f"must be greater than schedule.startLr ({schedule['startLr']})")
        dataset = self.select_columns(load_dataset(session.store, job["data"]), hp)
        prep_state = self._fit_preprocess(dataset, hp)
        x_train, y_train, _ = self._split(dataset, "train", prep_state, device, "data.splitUri")
        model = self.build_model(hp, x_train.shape[1], job["data"]["numClasses"]).to(device)
        precision = Precision(self.mixed_precision, device)
        ctx = Context("lr_range_test", session, hp, device, model)

        def optimizer_factory(params, lr):
            ctx.optimizer = self.optimizer_factory(params, hp, lr)
            return ctx.optimizer

        def on_point(step, lr, loss):
            session.report_lr_point(step, lr, loss)
            ctx.step, ctx.lr, ctx.loss = step, lr, loss
            self._callbacks("after_step", ctx)
            if step % FLUSH_EVERY == FLUSH_EVERY - 1:
                session.flush_events()

        result = lr_range_test(
            model, _Passes(self, ctx, x_train, y_train, job["batchSize"], job["seed"]), self.loss, optimizer_factory,
            start_lr=schedule["startLr"], end_lr=schedule["endLr"], num_steps=schedule["numSteps"],
            diverge_factor=schedule["divergeFactor"], on_point=on_point, restore_weights=False,
            autocast=precision.autocast if precision.enabled else None, scaler=precision.scaler)

        curve_uri = session.put_json("lr_curve.json", result.points)
        finite = [p for p in result.points if p["loss"] is not None and math.isfinite(p["loss"])]
        best = min(finite, key=lambda p: p["loss"]) if finite else None
        session.log(f"LR range test: {result.num_steps} steps" + (", stopped on divergence" if result.stopped_early
                                                                    else ""))
        return session.write_result(
            metrics={"steps": result.num_steps, "min_loss": best and best["loss"],
                     "lr_at_min_loss": best and best["lr"]},
            artifacts={"curve": curve_uri},
            details={"numSteps": result.num_steps, "plannedSteps": schedule["numSteps"],
                     "stoppedEarly": result.stopped_early, "startLr": schedule["startLr"], "endLr": schedule["endLr"],
                     "divergeFactor": schedule["divergeFactor"], "batchSize": job["batchSize"]},
        )

    # ---- mode: overfit_check ----
    def overfit_check(self, session):
        job, hp, device = self._start(session)
        settings = job["overfit"] or dict(OVERFIT_DEFAULTS)
        schedule = job["schedule"]
        _refuse_range_test(schedule)
        dataset = self.select_columns(load_dataset(session.store, job["data"]), hp)
        prep_state = self._fit_preprocess(dataset, hp)
        x_train, y_train, _ = self._split(dataset, "train", prep_state, device, "data.splitUri")

        generator = torch.Generator().manual_seed(job["seed"])  # the batch depends on the seed only
        pick = torch.randperm(len(y_train), generator=generator)[:settings["batchSize"]].to(device)
        inputs, labels = x_train[pick], y_train[pick]
        model = self.build_model(hp, x_train.shape[1], job["data"]["numClasses"]).to(device)
        optimizer = self.build_optimizer(model, hp, constant_lr(schedule, hp))
        scheduler = one_cycle(schedule, optimizer, settings["maxSteps"], session.log)
        precision = Precision(self.mixed_precision, device)
        ctx = Context("overfit_check", session, hp, device, model, optimizer, scheduler, generator=generator)

        curve, passed, reason = [], False, None
        model.train()
        for step in range(settings["maxSteps"]):
            batch_inputs, targets = self._transform_batch(inputs, labels, ctx)
            optimizer.zero_grad(set_to_none=True)
            with precision.autocast():
                loss = self.loss(model(batch_inputs), targets)
            value = loss.item()
            curve.append(value)
            session.report_metric("overfit_loss", value, step=step, split="train")
            if value < settings["lossThreshold"]:
                passed = True
                break
            if not math.isfinite(value):
                reason = f"the loss became non-finite at step {step}"
                break  # diverged: no later step can recover
            ctx.lr = optimizer.param_groups[0]["lr"]
            precision.backward_step(loss, optimizer)
            if scheduler is not None:
                scheduler.step()
            ctx.step, ctx.loss = step, value
            self._callbacks("after_step", ctx)
            if step % FLUSH_EVERY == FLUSH_EVERY - 1:
                session.flush_events()
        if not passed and reason is None:
            reason = f"the loss is still {curve[-1]:.4g} after {len(curve)} steps"

        details = {"passed": passed, "batchSize": len(labels), "lossThreshold": settings["lossThreshold"],
                   "maxSteps": settings["maxSteps"]}
        if reason:
            details["reason"] = reason
        artifacts = {}
        rounded = [round(v, 6) if math.isfinite(v) else None for v in curve]
        if len(curve) <= CURVE_INLINE_MAX:
            details["curve"] = rounded
        else:
            artifacts["curve"] = session.put_json("overfit_curve.json", rounded)
        verdict = "passed" if passed else "FAILED"
        session.log(f"overfit check {verdict}: loss {curve[-1]:.4g} after {len(curve)} steps "
                    f"(threshold {settings['lossThreshold']})", "info" if passed else "warning")
        return session.write_result(status="succeeded" if passed else "failed",
                                    metrics={"final_loss": curve[-1], "steps": len(curve)},
                                    artifacts=artifacts, details=details)
