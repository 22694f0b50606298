"""Mode `inspect`: the statistics of the tensors a model really sees (gauntlet_trainer/inspection.py), from the
reference trainer and from Learners, checked against numpy; declared modes. End-to-end tests run the trainers as
subprocesses against the real MinIO."""
import hashlib
import json

import numpy as np
import pytest
import torch

import gauntlet_trainer as gt
from conftest import REFERENCE, TRAINER_DIR, make_job, read_result, run_trainer
from gauntlet_reference.batches import batches
from gauntlet_trainer.contract import MODES, TRAINING_MODES, validate_job
from gauntlet_trainer.export_dataset import breast_cancer_csv, digits_csv
from gauntlet_trainer.inspection import SAMPLE_ROWS, in_training_order, inspection
from gauntlet_trainer.torch_utils import epoch_generator

LEARNER_MLP = TRAINER_DIR / "tests" / "learner_mlp.py"
USER_SCRIPT = TRAINER_DIR / "examples" / "user_script.py"
LOW_LEVEL = TRAINER_DIR / "examples" / "low_level_script.py"
BREAST_CANCER = TRAINER_DIR.parent / "examples" / "breast-cancer" / "model.py"


def table(csv_text):
    values = np.loadtxt(csv_text.splitlines()[1:], delimiter=",")
    return values[:, :-1], values[:, -1].astype(np.int64)


def close(got, expected, rtol=2e-5, atol=1e-6):
    got = np.array([np.nan if v is None else v for v in got], dtype=np.float64)
    return np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True)


def assert_stats(document, x, y):
    """inspect.json's statistics are those of the model inputs `x` (float64 of what the model gets) and labels `y`."""
    features = document["features"]
    assert document["rows"] == len(x) and len(features) == x.shape[1]
    assert close([f["mean"] for f in features], x.mean(0))
    assert close([f["std"] for f in features], x.std(0))
    assert close([f["min"] for f in features], x.min(0)) and close([f["max"] for f in features], x.max(0))
    assert all(f["nan"] == 0 and f["inf"] == 0 for f in features)
    assert document["constantShare"] == pytest.approx(np.mean(x.max(0) == x.min(0)), abs=1e-6)
    for label, means in document["classMeans"].items():
        assert close(means, x[y == int(label)].mean(0)), label
    assert {k: v for k, v in document["labels"]["counts"].items() if v} == \
        {str(k): int(n) for k, n in zip(*np.unique(y, return_counts=True))}


# ---- pure: the statistics -----------------------------------------------------------------------------------------


def test_statistics_match_numpy_over_finite_values_with_nan_and_inf_counted():
    rng = np.random.RandomState(0)
    x = rng.normal(3, 2, size=(200, 5)).astype(np.float32)
    x[:, 3] = 7.0  # constant
    x[5, 1], x[9, 1], x[11, 2] = np.nan, np.inf, -np.inf
    y = rng.randint(0, 3, size=200)
    y[:4] = -1  # missing labels
    rows = np.arange(1000, 1200)
    document = inspection(torch.from_numpy(x), torch.from_numpy(y), rows, ["a", "b", "c", "d", "e"], "valid",
                          num_classes=4)
    json.dumps(document, allow_nan=False)  # storable as JSON
    masked = np.ma.masked_invalid(x.astype(np.float64))
    features = document["features"]
    assert [f["name"] for f in features] == ["a", "b", "c", "d", "e"]
    assert close([f["mean"] for f in features], masked.mean(0).filled(np.nan))
    assert close([f["std"] for f in features], masked.std(0).filled(np.nan))
    assert close([f["min"] for f in features], masked.min(0).filled(np.nan))
    assert close([f["max"] for f in features], masked.max(0).filled(np.nan))
    assert [f["nan"] for f in features] == [0, 1, 0, 0, 0] and [f["inf"] for f in features] == [0, 1, 1, 0, 0]
    assert document["constantShare"] == 0.2
    assert document["labels"] == {"counts": {"0": int((y == 0).sum()), "1": int((y == 1).sum()),
                                             "2": int((y == 2).sum()), "3": 0}, "missing": 4}
    assert set(document["classMeans"]) == {"0", "1", "2"}  # classes with rows only
    for k in range(3):
        assert close(document["classMeans"][str(k)], masked[y == k].mean(0).filled(np.nan))
    assert len(document["sample"]) == SAMPLE_ROWS == 16
    assert document["sample"][0] == {"row": 1000, "label": None, "input": [float(f"{v:.6g}") for v in x[0]]}
    assert document["sample"][5]["input"][1] is None and document["sample"][9]["input"][1] is None
    assert document["split"] == "valid" and document["rows"] == 200


def test_a_small_split_samples_every_row_and_names_unnamed_inputs():
    document = inspection(np.ones((3, 2, 2)), np.array([0, 1, 1]), np.array([4, 5, 6]), ["only", "two"])
    assert len(document["sample"]) == 3 and [f["name"] for f in document["features"]] == ["x0", "x1", "x2", "x3"]
    assert document["constantShare"] == 1.0


def test_training_order_is_the_pairing_the_trainers_batches_make():
    inputs = torch.arange(200, dtype=torch.float32).reshape(100, 2)
    labels = torch.arange(100) % 7
    rows = np.arange(100) * 3
    for shuffle in (False, True):
        x, y, r = in_training_order(inputs, labels, rows, lambda p, l: batches(p, l, 16, epoch_generator(7, 1),
                                                                               shuffle))
        expected = list(batches(inputs, labels, 16, epoch_generator(7, 1), shuffle))
        assert torch.equal(x, torch.cat([b[0] for b in expected])) and torch.equal(y, torch.cat([b[1] for b in expected]))
        assert np.array_equal(r, (x[:, 0].numpy() // 2).astype(int) * 3)  # each input keeps its own row
        own_labels = bool((y == (x[:, 0] // 2).long() % 7).all())
        assert own_labels is not shuffle  # the knob moves labels against their inputs


def test_inspect_is_a_contract_mode_every_learner_implements():
    assert "inspect" in TRAINING_MODES and "inspect" in MODES and "inspect" in gt.ALL_MODES
    assert validate_job(make_job({"uri": "s3://b-1/d.csv", "sha256": "0" * 64, "splitUri": "s3://b-1/s.json",
                                  "numClasses": 2}, "inspect", split="train"))["split"] == "train"
    assert "inspect" in gt.Learner(lambda hp, f, c: None).modes


# ---- end to end ---------------------------------------------------------------------------------------------------


def ok(minio, job, script, **env):
    run = run_trainer(minio, job, script=script, **env)
    assert run.code == 0, run.stderr[-3000:]
    result = read_result(minio, job)
    assert result["status"] == "succeeded" and result["mode"] == "inspect"
    return run, result, minio.get_json(result["artifacts"]["inspection"])


@pytest.fixture(scope="module")
def digits_table():
    return table(digits_csv())


def test_reference_trainer_reports_its_inputs_and_pairing(minio, digits, digits_table):
    features, labels = digits_table
    split = json.loads(minio.get(digits["splitUri"]))
    job = make_job(digits, "inspect", split="train", batchSize=64)
    _, result, document = ok(minio, job, REFERENCE)
    assert result["artifacts"]["inspection"] == job["output"]["prefix"] + "inspect.json"
    assert document["split"] == "train" and document["order"] == "training"
    assert document["preprocessing"] == "x / 16 (inputScale)"
    rows = np.array(split["train"])
    assert_stats(document, features[rows] / 16, labels[rows])
    assert len(document["sample"]) == 16
    for entry in document["sample"]:  # each input with its own row's label, as training pairs them
        assert entry["label"] == labels[entry["row"]] and close(entry["input"], features[entry["row"]] / 16)
    # Epoch 1's order: the sample's rows are the first of the trainer's first shuffled batch.
    first = next(batches(torch.arange(len(rows)), torch.zeros(len(rows)), 64, epoch_generator(job["seed"], 1)))[0]
    assert [e["row"] for e in document["sample"]] == rows[first[:16].numpy()].tolist()
    metrics = result["metrics"]
    assert metrics["rows"] == len(rows) and metrics["features"] == 64 and metrics["nan"] == metrics["inf"] == 0
    assert metrics["constant_share"] == document["constantShare"]
    assert metrics["median_std"] == pytest.approx(np.median((features[rows] / 16).std(0)), rel=1e-5)
    assert result["details"]["split"] == "train" and result["details"]["classes"] == 10
    assert len(json.dumps(result["details"])) < 500  # details stay small; the statistics are the artifact


def test_valid_split_in_manifest_order_with_the_jobs_hyperparameters(minio, digits, digits_table):
    features, labels = digits_table
    split = json.loads(minio.get(digits["splitUri"]))
    _, _, document = ok(minio, make_job(digits, "inspect", split="valid", hyperparameters={"inputScale": 4}),
                        REFERENCE)
    assert document["order"] == "split" and document["preprocessing"] == "x / 4 (inputScale)"
    assert [e["row"] for e in document["sample"]] == split["valid"][:16]
    assert_stats(document, features[split["valid"]] / 4, labels[split["valid"]])


def test_shuffle_labels_knob_shows_as_labels_that_no_longer_line_up(minio, digits, digits_table):
    features, labels = digits_table
    job = make_job(digits, "inspect", split="train", hyperparameters={"shuffleLabels": True})
    _, _, document = ok(minio, job, REFERENCE)
    wrong = [e for e in document["sample"] if e["label"] != labels[e["row"]]]
    assert len(wrong) >= 10, document["sample"]
    means = np.array(list(document["classMeans"].values()))
    true_means = np.array([features[labels == k].mean(0) / 16 for k in range(10)])
    assert means.std(0).mean() < 0.2 * true_means.std(0).mean()  # per-class means barely differ any more


def test_with_a_checkpoint_the_checkpoints_scale_applies(minio, digits):
    job = make_job(digits, "train", hyperparameters={"inputScale": 8})
    assert run_trainer(minio, job).code == 0
    checkpoint = read_result(minio, job)["artifacts"]["checkpoint"]
    _, result, document = ok(minio, make_job(digits, "inspect", split="test", checkpoint=checkpoint), REFERENCE)
    assert document["preprocessing"] == "x / 8 (the checkpoint's inputScale)" and result["details"]["checkpoint"]


def test_a_learner_reports_the_same_as_the_reference_trainer(minio, digits):
    settings = dict(split="train", batchSize=32, hyperparameters={"inputScale": 16})
    _, _, reference = ok(minio, make_job(digits, "inspect", **settings), REFERENCE)
    _, result, learner = ok(minio, make_job(digits, "inspect", **settings), LEARNER_MLP)
    assert learner["preprocessing"] == "Scale(factor=16)"
    assert {**learner, "preprocessing": None} == {**reference, "preprocessing": None}
    assert result["trainer"]["name"] == "learner-mlp"


def test_breast_cancer_model_inspects_standardized_inputs(minio):
    csv = breast_cancer_csv().encode()
    order = np.random.RandomState(0).permutation(569).tolist()
    split = {"train": order[:398], "valid": order[398:484], "test": order[484:]}
    data = {"uri": minio.put("data/bc-inspect.csv", csv), "sha256": hashlib.sha256(csv).hexdigest(),
            "splitUri": minio.put("data/bc-inspect-split.json", json.dumps(split).encode()), "numClasses": 2}
    _, result, document = ok(minio, make_job(data, "inspect", split="train"), BREAST_CANCER)
    features, labels = table(breast_cancer_csv())
    train = features[split["train"]].astype(np.float32).astype(np.float64)
    standardized = (train - train.mean(0)) / train.std(0)
    assert_stats(document, standardized, labels[split["train"]])
    assert document["preprocessing"] == "Standardize(mean=<30 values>, std=<30 values>)"
    assert document["features"][0]["name"] == "mean_radius"
    assert result["metrics"]["median_std"] == pytest.approx(1.0, abs=1e-4)


def test_the_user_script_example_implements_inspect(minio, digits):
    _, _, document = ok(minio, make_job(digits, "inspect", split="valid"), USER_SCRIPT)
    assert document["preprocessing"] == "Scale(factor=16)" and len(document["features"]) == 64


def error_message(run):
    [message] = [e["message"] for e in run.named("log") if e["level"] == "error"]
    return message


@pytest.mark.parametrize("script, env, supported", [
    (LOW_LEVEL, {}, "train"),
    (LEARNER_MLP, {"LEARNER_MODES": "train,evaluate"}, "train, evaluate"),
], ids=["low-level", "learner"])
def test_a_trainer_that_does_not_declare_inspect_exits_2_naming_it(minio, digits, script, env, supported):
    job = make_job(digits, "inspect", split="train")
    run = run_trainer(minio, job, script=script, **env)
    assert run.code == 2, run.stderr[-2000:]
    message = error_message(run)
    assert message.startswith("mode: 'inspect' is not implemented") and message.endswith(f"implements {supported}")
    result = read_result(minio, job)
    assert result["status"] == "failed" and result["details"]["error"]["field"] == "mode"
