"""K-fold's final model trains on every non-test row: an empty validation split is not an error in mode train, and
the validation metrics are null (not a made-up number). Other splits stay required."""
import json

from conftest import TRAINER_DIR, make_job, read_result, run_trainer

LEARNER_MLP_PATH = TRAINER_DIR / "tests" / "learner_mlp.py"


def _no_valid(minio, digits):
    split = json.loads(minio.get(digits["splitUri"]))
    merged = {"train": split["train"] + split["valid"], "valid": [], "test": split["test"]}
    return {**digits, "splitUri": minio.put("data/digits-no-valid.json", json.dumps(merged).encode())}


def _train(minio, data, script=None):
    job = make_job(data, "train", epochs=1, schedule={"kind": "constant", "lr": 0.1})
    run = run_trainer(minio, job, **({"script": script} if script else {}))
    assert run.code == 0, run.stderr
    return run, read_result(minio, job)


def test_reference_trains_without_a_validation_split(minio, digits):
    run, result = _train(minio, _no_valid(minio, digits))
    assert result["status"] == "succeeded"
    assert result["metrics"]["val_accuracy"] is None and result["metrics"]["val_loss"] is None
    assert result["details"]["validRows"] == 0
    assert result["artifacts"]["checkpoint"]
    assert [e["value"] for e in run.named("metric", "val_accuracy")] == [None]


def test_learner_trains_without_a_validation_split(minio, digits):
    _, result = _train(minio, _no_valid(minio, digits), LEARNER_MLP_PATH)
    assert result["status"] == "succeeded"
    assert result["metrics"]["val_accuracy"] is None
    assert result["artifacts"]["checkpoint"]


def test_an_empty_train_split_is_still_bad_input(minio, digits):
    split = json.loads(minio.get(digits["splitUri"]))
    data = {**digits, "splitUri": minio.put("data/digits-no-train.json", json.dumps({**split, "train": []}).encode())}
    job = make_job(data, "train", epochs=1, schedule={"kind": "constant", "lr": 0.1})
    run = run_trainer(minio, job)
    assert run.code == 2
    assert "split 'train' of the split manifest is empty" in run.stderr + json.dumps(run.events)
