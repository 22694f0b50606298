"""The reference trainer end to end against a real MinIO: every mode, the result.json it leaves, its events."""
import hashlib
import json

import pytest

from conftest import make_job, read_result, run_trainer

ONE_CYCLE = {"kind": "one_cycle", "maxLr": 0.5}


@pytest.fixture(scope="module")
def trained(minio, digits):
    job = make_job(digits, "train", epochs=5, batchSize=64, schedule=ONE_CYCLE,
                   hyperparameters={"hidden": 64, "nesterov": True})
    run = run_trainer(minio, job)
    assert run.code == 0, run.stderr
    return job, run, read_result(minio, job)


def test_train_reaches_accuracy_and_checkpoints_every_epoch(minio, trained):
    job, run, result = trained
    assert result["status"] == "succeeded" and result["mode"] == "train" and result["device"] == "cpu"
    assert result["trainer"] == {"name": "gauntlet-reference", "version": "1.0.0"}
    assert result["metrics"]["val_accuracy"] >= 0.9 and result["metrics"]["epochs"] == 5
    assert result["resumedFromEpoch"] is None
    for name in ("train_loss", "val_loss", "val_accuracy"):
        assert [e["epoch"] for e in run.named("metric", name)] == [1, 2, 3, 4, 5]
    checkpoints = run.named("checkpoint")
    assert [e["epoch"] for e in checkpoints] == [1, 2, 3, 4, 5]
    assert checkpoints[-1]["uri"] == job["output"]["prefix"] + "checkpoints/epoch-0005.pt"
    assert result["artifacts"]["checkpoint"] == checkpoints[-1]["uri"]
    assert result["metrics"]["val_accuracy"] == run.named("metric", "val_accuracy")[-1]["value"]


def test_events_jsonl_mirrors_stdout(minio, trained):
    job, run, _ = trained
    stored = [json.loads(line) for line in minio.get(job["output"]["prefix"] + "events.jsonl").decode().splitlines()]
    assert stored == run.events


def test_constant_schedule_with_adam(minio, digits):
    job = make_job(digits, "train", epochs=3, batchSize=32, schedule={"kind": "constant", "lr": 0.003},
                   hyperparameters={"optimizer": "adam", "dropout": 0.1, "weightDecay": 1e-4})
    run = run_trainer(minio, job)
    assert run.code == 0, run.stderr
    assert read_result(minio, job)["metrics"]["val_accuracy"] >= 0.9


def test_evaluate_writes_confusion_matrix_and_predictions(minio, digits, trained):
    checkpoint = trained[2]["artifacts"]["checkpoint"]
    job = make_job(digits, "evaluate", checkpoint=checkpoint, split="test")
    run = run_trainer(minio, job)
    assert run.code == 0, run.stderr
    result = read_result(minio, job)
    matrix, metrics = result["details"]["confusion_matrix"], result["metrics"]
    split = json.loads(minio.get(digits["splitUri"]))
    assert len(matrix) == 10 and all(len(row) == 10 for row in matrix)
    assert metrics["n"] == len(split["test"]) == sum(map(sum, matrix))
    assert metrics["accuracy"] == pytest.approx(sum(matrix[i][i] for i in range(10)) / metrics["n"])
    assert metrics["accuracy"] >= 0.9 and metrics["loss"] > 0 and result["details"]["split"] == "test"
    predictions = minio.get_json(result["artifacts"]["predictions"])
    assert [p["row"] for p in predictions] == split["test"]
    assert sum(p["label"] == p["prediction"] for p in predictions) / len(predictions) == metrics["accuracy"]
    assert minio.get_json(result["artifacts"]["confusion_matrix"])["matrix"] == matrix
    assert {e["name"] for e in run.named("metric")} == {"accuracy", "loss", "n"}


def test_predict_needs_no_labels(minio, digits, trained):
    lines = minio.get(digits["uri"]).decode().splitlines()
    unlabeled = ("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n").encode()
    data = {**digits, "uri": minio.put("data/digits-unlabeled.csv", unlabeled),
            "sha256": hashlib.sha256(unlabeled).hexdigest()}
    job = make_job(data, "predict", checkpoint=trained[2]["artifacts"]["checkpoint"], split="valid")
    run = run_trainer(minio, job)
    assert run.code == 0, run.stderr
    result = read_result(minio, job)
    predictions = minio.get_json(result["artifacts"]["predictions"])
    assert result["metrics"] == {"n": len(predictions)} and len(predictions) > 0
    assert all(p["label"] is None and 0 <= p["prediction"] < 10 for p in predictions)
    assert all(abs(sum(p["probabilities"]) - 1) < 1e-4 for p in predictions)


@pytest.mark.parametrize("knob, passes", [({}, True), ({"shuffleLabels": True}, False), ({"freeze": True}, False)])
def test_overfit_check(minio, digits, knob, passes):
    job = make_job(digits, "overfit_check", overfit={"batchSize": 32, "lossThreshold": 0.05, "maxSteps": 300},
                   hyperparameters=knob)
    run = run_trainer(minio, job)
    assert run.code == 0, run.stderr  # a failed check is a clean result, not a crash
    result = read_result(minio, job)
    assert result["details"]["passed"] is passes
    assert result["status"] == ("succeeded" if passes else "failed")
    curve = result["details"]["curve"]
    assert len(curve) == result["metrics"]["steps"] == len(run.named("metric", "overfit_loss"))
    assert (curve[-1] < 0.05) is passes
    assert result["metrics"]["steps"] < 300 if passes else result["metrics"]["steps"] == 300


def test_lr_range_test_stops_on_divergence(minio, digits):
    job = make_job(digits, "lr_range_test", batchSize=64,
                   schedule={"kind": "range_test", "startLr": 1e-5, "endLr": 100, "numSteps": 100})
    run = run_trainer(minio, job)
    assert run.code == 0, run.stderr
    result = read_result(minio, job)
    points = run.named("lr_point")
    assert result["details"]["stoppedEarly"] is True and result["details"]["numSteps"] == len(points) < 100
    assert [p["step"] for p in points] == list(range(len(points)))
    assert all(b["lr"] > a["lr"] for a, b in zip(points, points[1:]))
    curve = minio.get_json(result["artifacts"]["curve"])
    assert [(c["lr"], c["loss"]) for c in curve] == [(p["lr"], p["loss"]) for p in points]
    finite = [p["loss"] for p in points[:-1]]
    assert points[-1]["loss"] is None or points[-1]["loss"] > 2 * min(finite)


def test_lr_range_test_without_divergence_runs_every_step(minio, digits):
    job = make_job(digits, "lr_range_test", schedule={"kind": "range_test", "startLr": 1e-4, "endLr": 1e-2,
                                                      "numSteps": 20})
    run = run_trainer(minio, job)
    assert run.code == 0, run.stderr
    result = read_result(minio, job)
    assert result["details"] == {**result["details"], "numSteps": 20, "stoppedEarly": False}
    assert len(run.named("lr_point")) == 20
