"""The Learner (bring your own model): against the reference trainer, torch's OneCycleLR, exact resume, the examples,
declared modes. End-to-end tests run trainers as subprocesses against the real MinIO, like the reference's tests."""
import hashlib
import io
import json

import numpy as np
import pytest
import torch

import gauntlet_trainer as gt
from conftest import REFERENCE, TRAINER_DIR, make_job, read_result, run_trainer, trainer_env
from gauntlet_trainer.export_dataset import breast_cancer_csv

LEARNER_MLP = TRAINER_DIR / "tests" / "learner_mlp.py"
USER_SCRIPT = TRAINER_DIR / "examples" / "user_script.py"
LOW_LEVEL = TRAINER_DIR / "examples" / "low_level_script.py"
BREAST_CANCER = TRAINER_DIR.parent / "examples" / "breast-cancer" / "model.py"
ONE_CYCLE = {"kind": "one_cycle", "maxLr": 0.4, "pctStart": 0.25}


def ok(minio, job, script, **env):
    run = run_trainer(minio, job, script=script, **env)
    assert run.code == 0, run.stderr[-3000:]
    return run, read_result(minio, job)


def weights(minio, uri):
    return torch.load(io.BytesIO(minio.get(uri)), map_location="cpu")["model"]


def same_weights(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[name], b[name]) for name in a)


def without_time(events, kind):
    return [{k: v for k, v in e.items() if k != "time"} for e in events if e["event"] == kind]


# ---- the Learner with the reference MLP's architecture == the reference trainer ----------------------------------


def test_lr_range_test_curve_equals_the_reference_trainers(minio, digits):
    settings = dict(batchSize=64, schedule={"kind": "range_test", "startLr": 1e-6, "endLr": 10, "numSteps": 100})
    reference_job, learner_job = make_job(digits, "lr_range_test", **settings), make_job(digits, "lr_range_test",
                                                                                         **settings)
    reference_run, reference = ok(minio, reference_job, REFERENCE)
    learner_run, result = ok(minio, learner_job, LEARNER_MLP)
    # Same seed, same init order (make_deterministic, data, model), same batches: the same curve, bit for bit, so
    # the orchestrator's suggestions (computed from the curve) are the same too.
    assert minio.get_json(result["artifacts"]["curve"]) == minio.get_json(reference["artifacts"]["curve"])
    assert without_time(learner_run.events, "lr_point") == without_time(reference_run.events, "lr_point")
    assert result["metrics"] == reference["metrics"] and result["details"] == reference["details"]
    assert result["details"]["stoppedEarly"] is True


@pytest.mark.parametrize("mode, settings", [
    ("train", dict(epochs=3, batchSize=64, schedule=ONE_CYCLE, hyperparameters={"hidden": 64, "dropout": 0.2,
                                                                                "nesterov": True})),
    ("train", dict(epochs=2, batchSize=32, schedule={"kind": "constant", "lr": 0.003},
                   hyperparameters={"optimizer": "adam", "weightDecay": 1e-4})),
    ("overfit_check", dict(overfit={"batchSize": 32, "lossThreshold": 0.05, "maxSteps": 300})),
], ids=["train-one-cycle-sgd", "train-constant-adam", "overfit"])
def test_train_and_overfit_equal_the_reference_trainers(minio, digits, mode, settings):
    reference_job, learner_job = make_job(digits, mode, **settings), make_job(digits, mode, **settings)
    reference_run, reference = ok(minio, reference_job, REFERENCE)
    learner_run, result = ok(minio, learner_job, LEARNER_MLP)
    assert result["metrics"] == reference["metrics"]
    assert without_time(learner_run.events, "metric") == without_time(reference_run.events, "metric")
    if mode == "train":
        assert same_weights(weights(minio, result["artifacts"]["checkpoint"]),
                            weights(minio, reference["artifacts"]["checkpoint"]))
        assert {k: v for k, v in result["details"].items()} == reference["details"]
    else:
        assert result["details"]["passed"] is True and result["details"]["curve"] == reference["details"]["curve"]


# ---- one-cycle: the LR of every step is torch's OneCycleLR --------------------------------------------------------


class Record(gt.Callback):
    def __init__(self):
        self.steps = []

    def after_step(self, ctx):
        group = ctx.optimizer.param_groups[0]
        self.steps.append((ctx.step, ctx.lr, group.get("momentum", group.get("betas", (None,))[0])))


def torch_one_cycle(optimizer, total_steps, schedule):
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=schedule["maxLr"], total_steps=total_steps, pct_start=schedule["pctStart"],
        anneal_strategy=schedule["annealStrategy"], three_phase=schedule["threePhase"],
        div_factor=schedule["divFactor"], final_div_factor=schedule["finalDivFactor"],
        base_momentum=schedule["baseMomentum"], max_momentum=schedule["maxMomentum"])
    lrs, momenta = [], []
    for _ in range(total_steps):
        group = optimizer.param_groups[0]
        lrs.append(group["lr"])
        optimizer.step()
        scheduler.step()
        momenta.append(group.get("momentum", group.get("betas", (None,))[0]))  # what the NEXT step uses
    return lrs, momenta


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_one_cycle_lr_per_step_is_torchs_one_cycle_lr(minio, digits, optimizer):
    from learner_mlp import model

    record = Record()
    learner = gt.Learner(model, hyperparameters={"hidden": 16, "dropout": 0.0}, preprocess=gt.Scale(16.0),
                         callbacks=[record])
    schedule = gt.validate_schedule({"kind": "one_cycle", "maxLr": 0.2, "pctStart": 0.2, "annealStrategy": "linear",
                                     "threePhase": True, "baseMomentum": 0.8, "maxMomentum": 0.93})
    job = make_job(digits, "train", epochs=3, batchSize=128, schedule=schedule,
                   hyperparameters={"optimizer": optimizer})
    code = gt.execute(learner.main, ("in-process", "0"), io.StringIO(), environ=trainer_env(minio, job))
    assert code == 0
    steps_per_epoch = read_result(minio, job)["details"]["stepsPerEpoch"]
    total = 3 * steps_per_epoch
    assert [s[0] for s in record.steps] == list(range(1, total + 1))

    parameter = torch.nn.Parameter(torch.zeros(1))
    reference = (torch.optim.SGD([parameter], lr=0.05, momentum=0.9) if optimizer == "sgd"
                 else torch.optim.Adam([parameter], lr=0.05))
    lrs, momenta = torch_one_cycle(reference, total, schedule)
    assert [s[1] for s in record.steps] == lrs  # exact: the same float arithmetic
    assert [s[2] for s in record.steps] == momenta  # momentum (SGD) / beta1 (Adam) cycles too
    assert max(lrs) == pytest.approx(0.2) and min(momenta) == pytest.approx(0.8)


# ---- exact resume ------------------------------------------------------------------------------------------------


def test_resume_from_the_half_way_checkpoint_is_exact(minio, digits):
    settings = dict(epochs=4, batchSize=64, schedule=ONE_CYCLE, hyperparameters={"hidden": 64, "dropout": 0.2})
    straight = make_job(digits, "train", **settings)
    _, expected = ok(minio, straight, LEARNER_MLP)

    interrupted = make_job(digits, "train", **settings)
    killed = run_trainer(minio, interrupted, script=LEARNER_MLP, LEARNER_EXIT_AFTER_EPOCH="2")
    assert killed.code == 137 and [e["epoch"] for e in killed.named("checkpoint")] == [1, 2]
    retry = {**interrupted, "checkpoint": killed.named("checkpoint")[-1]["uri"]}
    run, result = ok(minio, retry, LEARNER_MLP)
    assert result["resumedFromEpoch"] == 2 and [e["epoch"] for e in run.named("checkpoint")] == [3, 4]
    assert result["metrics"] == expected["metrics"]  # exact, not approximate (dropout: the RNG stream is restored)
    assert same_weights(weights(minio, result["artifacts"]["checkpoint"]),
                        weights(minio, expected["artifacts"]["checkpoint"]))


def test_resume_with_other_hyperparameters_is_bad_input(minio, digits):
    job = make_job(digits, "train", epochs=1, hyperparameters={"hidden": 8})
    _, result = ok(minio, job, LEARNER_MLP)
    retry = make_job(digits, "train", epochs=2, hyperparameters={"hidden": 16},
                     checkpoint=result["artifacts"]["checkpoint"])
    run = run_trainer(minio, retry, script=LEARNER_MLP)
    assert run.code == 2 and read_result(minio, retry)["details"]["error"]["field"] == "hyperparameters"
    assert "hidden" in read_result(minio, retry)["details"]["error"]["message"]


# ---- the example user model (examples/user_script.py, a tiny conv net) ---------------------------------------------


@pytest.fixture(scope="module")
def trained_example(minio, digits):
    job = make_job(digits, "train", epochs=4, batchSize=64, schedule={"kind": "one_cycle", "maxLr": 0.3})
    run, result = ok(minio, job, USER_SCRIPT)
    return job, run, result


def test_example_trains_to_a_sensible_accuracy_with_a_checkpoint_per_epoch(trained_example):
    job, run, result = trained_example
    assert result["status"] == "succeeded" and result["trainer"] == {"name": "digits-cnn-example", "version": "0.2.0"}
    assert result["metrics"]["val_accuracy"] >= 0.9 and result["metrics"]["epochs"] == 4
    assert set(result["metrics"]) == {"val_accuracy", "val_loss", "train_loss", "epochs"}
    for name, split in (("train_loss", "train"), ("val_loss", "valid"), ("val_accuracy", "valid")):
        assert [(e["epoch"], e["split"]) for e in run.named("metric", name)] == [(i, split) for i in range(1, 5)]
    assert [e["epoch"] for e in run.named("checkpoint")] == [1, 2, 3, 4]
    assert result["artifacts"]["checkpoint"] == job["output"]["prefix"] + "checkpoints/epoch-0004.pt"
    assert set(result["details"]) == {"stepsPerEpoch", "trainRows", "validRows", "schedule"}


def test_example_evaluate_writes_predictions_and_confusion_matrix(minio, digits, trained_example):
    job = make_job(digits, "evaluate", checkpoint=trained_example[2]["artifacts"]["checkpoint"], split="test")
    run, result = ok(minio, job, USER_SCRIPT)
    matrix, metrics = result["details"]["confusion_matrix"], result["metrics"]
    split = json.loads(minio.get(digits["splitUri"]))
    assert set(metrics) == {"accuracy", "loss", "n"} and metrics["n"] == len(split["test"]) == sum(map(sum, matrix))
    assert metrics["accuracy"] == pytest.approx(sum(matrix[i][i] for i in range(10)) / metrics["n"])
    assert metrics["accuracy"] >= 0.9 and result["details"]["split"] == "test"
    predictions = minio.get_json(result["artifacts"]["predictions"])
    assert [p["row"] for p in predictions] == split["test"]
    assert all(abs(sum(p["probabilities"]) - 1) < 1e-4 and len(p["probabilities"]) == 10 for p in predictions)
    assert minio.get_json(result["artifacts"]["confusion_matrix"])["matrix"] == matrix
    assert {e["name"] for e in run.named("metric")} == {"accuracy", "loss", "n"}


def test_example_predict(minio, digits, trained_example):
    job = make_job(digits, "predict", checkpoint=trained_example[2]["artifacts"]["checkpoint"], split="valid")
    _, result = ok(minio, job, USER_SCRIPT)
    predictions = minio.get_json(result["artifacts"]["predictions"])
    assert result["metrics"] == {"n": len(predictions)} and all(0 <= p["prediction"] < 10 for p in predictions)


def test_example_passes_the_overfit_check(minio, digits):
    job = make_job(digits, "overfit_check", overfit={"batchSize": 32, "lossThreshold": 0.05, "maxSteps": 300})
    run, result = ok(minio, job, USER_SCRIPT)
    assert result["status"] == "succeeded" and result["details"]["passed"] is True
    assert result["metrics"]["final_loss"] < 0.05 and result["metrics"]["steps"] < 300
    assert len(result["details"]["curve"]) == result["metrics"]["steps"] == len(run.named("metric", "overfit_loss"))


def test_example_lr_range_test_gives_a_curve(minio, digits):
    job = make_job(digits, "lr_range_test", batchSize=64,
                   schedule={"kind": "range_test", "startLr": 1e-6, "endLr": 10, "numSteps": 100})
    run, result = ok(minio, job, USER_SCRIPT)
    curve = minio.get_json(result["artifacts"]["curve"])
    points = run.named("lr_point")
    assert len(curve) == len(points) == result["metrics"]["steps"] > 20
    assert [(c["lr"], c["loss"]) for c in curve] == [(p["lr"], p["loss"]) for p in points]
    assert all(b["lr"] > a["lr"] for a, b in zip(curve, curve[1:]))
    assert result["metrics"]["min_loss"] < curve[0]["loss"]  # the loss falls somewhere along the ramp


def test_example_rejects_an_unknown_hyperparameter(minio, digits):
    job = make_job(digits, "train", hyperparameters={"chanels": 8})
    run = run_trainer(minio, job, script=USER_SCRIPT)
    assert run.code == 2 and read_result(minio, job)["details"]["error"]["field"] == "hyperparameters.chanels"


# ---- declared modes ------------------------------------------------------------------------------------------------


def error_message(run):
    [message] = [e["message"] for e in run.named("log") if e["level"] == "error"]
    return message


@pytest.mark.parametrize("script, env, mode, supported", [
    (LOW_LEVEL, {}, "overfit_check", "train"),
    (LOW_LEVEL, {}, "lr_range_test", "train"),
    (LEARNER_MLP, {"LEARNER_MODES": "train,evaluate"}, "lr_range_test", "train, evaluate"),
], ids=["low-level-overfit", "low-level-lr", "learner-lr"])
def test_an_unsupported_mode_exits_2_naming_it(minio, digits, script, env, mode, supported):
    job = make_job(digits, mode)
    run = run_trainer(minio, job, script=script, **env)
    assert run.code == 2, run.stderr[-2000:]
    message = error_message(run)
    assert message.startswith(f"mode: {mode!r} is not implemented") and message.endswith(f"implements {supported}")
    result = read_result(minio, job)
    assert result["status"] == "failed" and result["details"]["error"]["field"] == "mode"
    assert not run.named("metric") and not run.named("lr_point")


def test_an_unknown_mode_exits_2_naming_it_and_the_supported_ones(minio, digits):
    job = make_job(digits, "finetune")
    run = run_trainer(minio, job, script=LOW_LEVEL)
    assert run.code == 2
    message = error_message(run)
    assert message.startswith("mode: must be one of") and "'finetune'" in message and message.endswith(
        "this trainer (digits-linear-example 0.1.0) implements train")


# ---- breast cancer: tabular, standardized on the train split ------------------------------------------------------


@pytest.fixture(scope="module")
def breast_cancer(minio):
    csv = breast_cancer_csv().encode()
    order = np.random.RandomState(0).permutation(569).tolist()
    split = {"train": order[:398], "valid": order[398:484], "test": order[484:]}
    return {"uri": minio.put("data/breast_cancer.csv", csv), "sha256": hashlib.sha256(csv).hexdigest(),
            "labelColumn": "label", "splitUri": minio.put("data/breast_cancer-split.json", json.dumps(split).encode()),
            "numClasses": 2}


def test_breast_cancer_model_every_stage(minio, breast_cancer):
    overfit = make_job(breast_cancer, "overfit_check", overfit={"batchSize": 32, "lossThreshold": 0.05,
                                                                "maxSteps": 300})
    assert ok(minio, overfit, BREAST_CANCER)[1]["details"]["passed"] is True

    lr_test = make_job(breast_cancer, "lr_range_test", schedule={"kind": "range_test", "startLr": 1e-7, "endLr": 10})
    assert ok(minio, lr_test, BREAST_CANCER)[1]["metrics"]["steps"] > 20

    train = make_job(breast_cancer, "train", epochs=8, batchSize=32, schedule={"kind": "one_cycle", "maxLr": 0.01})
    run, trained = ok(minio, train, BREAST_CANCER)
    assert trained["metrics"]["val_accuracy"] >= 0.93 and trained["metrics"]["val_auc"] >= 0.97
    assert [e["epoch"] for e in run.named("metric", "val_auc")] == list(range(1, 9))
    state = torch.load(io.BytesIO(minio.get(trained["artifacts"]["checkpoint"])), map_location="cpu")
    features = np.loadtxt(io.StringIO(breast_cancer_csv()), delimiter=",", skiprows=1)[:, :30]
    train_rows = json.loads(minio.get(breast_cancer["splitUri"]))["train"]
    assert torch.allclose(state["preprocess"]["mean"].double(), torch.from_numpy(features[train_rows].mean(0)),
                          rtol=1e-6)  # fitted on the train split only

    evaluate = make_job(breast_cancer, "evaluate", checkpoint=trained["artifacts"]["checkpoint"], split="test")
    _, result = ok(minio, evaluate, BREAST_CANCER)
    assert result["metrics"]["accuracy"] >= 0.9 and result["metrics"]["n"] == 85
    assert set(result["metrics"]) == {"accuracy", "loss", "n", "auc"}
    assert np.array(result["details"]["confusion_matrix"]).sum() == 85


# ---- pure: hyperparameters, preprocessing, precision, declarations -------------------------------------------------


def test_hyperparameters_defaults_types_and_unknown_keys():
    learner = gt.Learner(lambda hp, f, c: torch.nn.Linear(f, c),
                         hyperparameters={"width": 8, "rate": gt.param(0.5, ge=0, le=1), "act": gt.param(
                             "relu", choices=("relu", "gelu")), "flag": False})
    hp = learner.parse_hyperparameters({"width": 4})
    assert hp == {"lr": 0.05, "optimizer": "sgd", "momentum": 0.9, "nesterov": False, "weightDecay": 0.0,
                  "width": 4, "rate": 0.5, "act": "relu", "flag": False}
    for values, field in [({"widht": 4}, "hyperparameters.widht"), ({"width": 1.5}, "hyperparameters.width"),
                          ({"rate": 2}, "hyperparameters.rate"), ({"act": "tanh"}, "hyperparameters.act"),
                          ({"flag": 1}, "hyperparameters.flag"), ({"nesterov": True, "momentum": 0},
                                                                  "hyperparameters.nesterov")]:
        with pytest.raises(gt.BadInput) as caught:
            learner.parse_hyperparameters(values)
        assert caught.value.field == field
    with pytest.raises(KeyError, match="'depth' is not declared"):
        hp["depth"]
    custom = gt.Learner(lambda hp, f, c: torch.nn.Linear(f, c), optimizer=lambda params, hp, lr: None)
    assert custom.parse_hyperparameters({}) == {"lr": 0.05}  # no optimizer settings it would ignore


def test_standardize_uses_the_statistics_it_was_fitted_on():
    train = torch.tensor([[1.0, 1000.0, 5.0], [3.0, 3000.0, 5.0]])
    state = gt.Standardize().fit(train, {})
    assert torch.allclose(gt.Standardize().transform(train, state), torch.tensor([[-1.0, -1.0, 0.0],
                                                                                  [1.0, 1.0, 0.0]]))
    assert torch.allclose(gt.Standardize().transform(torch.tensor([[5.0, 0.0, 6.0]]), state),
                          torch.tensor([[3.0, -2.0, 1.0]]))  # a constant column is only centred
    assert gt.Scale("inputScale").fit(train, {"inputScale": 16})["factor"] == 16.0


def test_mixed_precision_is_a_no_op_on_cpu():
    from gauntlet_trainer.learner import Precision

    precision = Precision(True, torch.device("cpu"))
    assert not precision.enabled and precision.scaler is None and precision.state_dict() is None
    with pytest.raises(ValueError):
        gt.Learner(lambda hp, f, c: torch.nn.Linear(f, c), mixed_precision="fp8")


def test_declared_modes_must_be_contract_modes():
    assert gt.check_modes(("train", "evaluate")) == ("train", "evaluate") and gt.check_modes("train") == ("train",)
    for modes in ((), ("train", "finetune")):
        with pytest.raises(gt.BadInput):
            gt.check_modes(modes)
    assert gt.Learner(lambda hp, f, c: None).modes == gt.ALL_MODES
    with pytest.raises(ValueError, match="finetune"):
        gt.Learner(lambda hp, f, c: None, modes=("train", "finetune"))


def test_one_cycle_without_momentum_or_betas_cycles_the_lr_only():
    from gauntlet_trainer.learner import one_cycle

    optimizer = torch.optim.Adagrad([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    notes = []
    scheduler = one_cycle(gt.validate_schedule({"kind": "one_cycle", "maxLr": 1.0}), optimizer, 10, notes.append)
    assert scheduler.cycle_momentum is False and "Adagrad" in notes[0]
    assert one_cycle(None, optimizer, 10) is None and one_cycle({"kind": "constant", "lr": 0.1}, optimizer, 10) is None
