"""Mode `label`: the contract's label block, and the reference trainer's seeded simulated annotator
(gauntlet_reference/annotate.py) end to end against the real MinIO."""
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time
import uuid

import pytest

import gauntlet_trainer as gt
from conftest import BUCKET, TRAINER_DIR, make_job, read_result, run_trainer
from gauntlet_reference import annotate
from gauntlet_trainer import BadInput, validate_job
from gauntlet_trainer.contract import MODES

CLASSES = [str(i) for i in range(10)]
LEARNER_MLP = TRAINER_DIR / "tests" / "learner_mlp.py"
OFFLINE_DATA = {"uri": f"s3://{BUCKET}/data/digits.csv", "sha256": "0" * 64, "splitUri": f"s3://{BUCKET}/data/s.json",
                "numClasses": 10}
LABEL = {"batchUri": f"s3://{BUCKET}/batches/0.json", "batch": 0, "annotator": "alice", "classes": CLASSES}
OFFLINE_ENV = {"GAUNTLET_STORAGE_ENDPOINT": "http://127.0.0.1:9", "GAUNTLET_STORAGE_ACCESS_KEY": "x",
               "GAUNTLET_STORAGE_SECRET_KEY": "y"}


# ---- the contract (pure) -------------------------------------------------------------------------------------------


def test_label_mode_needs_the_label_block():
    job = make_job(OFFLINE_DATA, "label")
    with pytest.raises(BadInput) as caught:
        validate_job(job)
    assert caught.value.field == "label"
    checked = validate_job({**job, "label": LABEL})
    assert checked["label"] == LABEL and checked["mode"] == "label"
    assert validate_job(make_job(OFFLINE_DATA, "train"))["label"] is None  # optional elsewhere


@pytest.mark.parametrize("change, field", [
    ({"classes": ["only"]}, "label.classes"),
    ({"classes": ["a", ""]}, "label.classes[1]"),
    ({"batch": -1}, "label.batch"),
    ({"annotator": ""}, "label.annotator"),
    ({"batchUri": "http://x/batch.json"}, "label.batchUri"),
    ({"extra": 1}, "label.extra"),
])
def test_label_block_is_validated(change, field):
    with pytest.raises(BadInput) as caught:
        validate_job(make_job(OFFLINE_DATA, "label", label={**LABEL, **change}))
    assert caught.value.field == field


def test_a_learner_implements_the_training_modes_only():
    assert "label" in MODES and "label" not in gt.ALL_MODES and len(gt.ALL_MODES) == 6
    with pytest.raises(ValueError, match="cannot declare label"):
        gt.Learner(lambda hp, f, c: None, modes=("train", "label"))
    assert gt.check_modes(("label",)) == ("label",)  # a hand-written main(session) may declare it


def test_importing_the_annotator_does_not_import_torch():
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import gauntlet_reference.annotate; "
            "assert 'torch' not in sys.modules, 'torch was imported'")
    completed = subprocess.run([sys.executable, "-c", code, str(TRAINER_DIR)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr


def test_confusions_are_symmetric_pairs_of_class_names():
    assert annotate.parse_confusions(" 1:7, 3:8 ,", CLASSES) == {"1": ["7"], "7": ["1"], "3": ["8"], "8": ["3"]}
    for text in ("1-7", "1:7:2", "1:x", "1:1", ":7"):
        with pytest.raises(BadInput) as caught:
            annotate.parse_confusions(text, CLASSES)
        assert caught.value.field == "hyperparameters.confusions"


def test_fatigue_lowers_accuracy_along_the_batch():
    settings = annotate.parse_settings({"accuracy": 1.0, "fatigue": 0.01}, CLASSES)
    rng = random.Random(0)
    answers = [annotate.answer(rng, "3", position, CLASSES, settings) for position in range(200)]
    assert answers[0] == "3"
    assert all(a != "3" for a in answers[100:])  # accuracy_i = max(0, 1 - 0.01 i) is 0 from position 100 on
    assert 30 <= sum(a == "3" for a in answers[:100]) <= 70  # about 50 expected


def test_malform_always_breaks_the_labels():
    valid = [{"item": i, "label": CLASSES[i % 10]} for i in range(20)]
    kinds = set()
    for seed in range(30):
        labels, what = annotate.malform(random.Random(seed), valid, CLASSES)
        kind = malformation(labels, list(range(20)))
        assert kind, what
        kinds.add(kind)
    assert kinds == {"missing", "duplicate", "unknown"}
    labels, _ = annotate.malform(random.Random(0), [], CLASSES)
    assert malformation(labels, []) == "extra"


def malformation(labels, items):
    """What is wrong with a labels list for `items` (None when it is a valid set)."""
    listed = [entry["item"] for entry in labels]
    if any(entry["label"] not in CLASSES for entry in labels):
        return "unknown"
    if len(set(listed)) != len(listed):
        return "duplicate"
    if set(listed) < set(items):
        return "missing"
    if set(listed) != set(items):
        return "extra"
    return None


# ---- the simulated annotator end to end ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def truth(minio, digits):
    """The digits data set's true class per row."""
    lines = minio.get(digits["uri"]).decode().splitlines()
    at = lines[0].split(",").index("label")
    return [int(line.split(",")[at]) for line in lines[1:] if line]


def put_batch(minio, items, batch=0) -> str:
    document = json.dumps({"batch": batch, "items": items}).encode()
    return minio.put(f"batches/{uuid.uuid4().hex[:8]}-{batch}.json", document)


def label_job(minio, data, items, hyperparameters=None, batch=0, job_id=None, **fields):
    job = make_job(data, "label", hyperparameters=hyperparameters or {},
                   label={"batchUri": put_batch(minio, items, batch), "batch": batch, "annotator": "sim-alice",
                          "classes": CLASSES}, **fields)
    if job_id:
        job["jobId"] = job_id
    return job


def labeled(minio, job, **env):
    """Run a label job that must succeed; returns (run, result, labels.json)."""
    run = run_trainer(minio, job, timeout=120, **env)
    assert run.code == 0, run.stderr[-3000:]
    result = read_result(minio, job)
    assert result["status"] == "succeeded" and result["mode"] == "label"
    return run, result, minio.get_json(result["artifacts"]["labels"])


def error_messages(run):
    return [e["message"] for e in run.named("log") if e["level"] == "error"]


def test_accuracy_1_gives_the_truth_without_importing_torch(minio, digits, truth, tmp_path):
    # A `torch` that cannot be imported shadows the real one: the label job must not need it.
    (tmp_path / "torch").mkdir()
    (tmp_path / "torch" / "__init__.py").write_text("raise ImportError('a label job must not import torch')\n")
    items = list(range(100, 160))
    job = label_job(minio, digits, items, {"accuracy": 1.0}, batch=3)
    run, result, labels = labeled(minio, job, PYTHONPATH=f"{tmp_path}{os.pathsep}{TRAINER_DIR}")
    assert labels == {"annotator": "sim-alice", "batch": 3,
                      "labels": [{"item": i, "label": CLASSES[truth[i]]} for i in items]}
    assert result["artifacts"] == {"labels": job["output"]["prefix"] + "labels.json"}
    assert result["metrics"] == {"items": 60} and result["details"] == {"batch": 3, "annotator": "sim-alice"}
    assert result["device"] == "cpu" and result["trainer"]["name"] == "gauntlet-reference"
    progress = [e["value"] for e in run.named("metric", "labeled")]
    assert progress == sorted(progress) and progress[-1] == 60 and len(progress) >= 10


def test_errors_mostly_answer_the_confusion_partner(minio, digits, truth):
    pairs = {"1": "7", "7": "1", "3": "8", "8": "3", "4": "9", "9": "4"}
    items = [row for row, cls in enumerate(truth) if str(cls) in pairs][:300]
    job = label_job(minio, digits, items, {"accuracy": 0.5, "confusions": "1:7,3:8,4:9"})
    _, _, labels = labeled(minio, job)
    answers = [(CLASSES[truth[e["item"]]], e["label"]) for e in labels["labels"]]
    errors = [(true, given) for true, given in answers if true != given]
    assert 100 <= len(errors) <= 200  # accuracy 0.5
    partner = sum(pairs[true] == given for true, given in errors)
    assert partner / len(errors) >= 0.7  # confusionShare 0.8 (+ a random other class that happens to be the partner)
    assert len({given for true, given in errors if pairs[true] != given}) > 1  # the rest: random other classes


def test_same_job_id_same_labels_and_another_job_id_other_labels(minio, digits):
    items = list(range(0, 400, 4))
    hp = {"accuracy": 0.6, "confusions": "1:7", "fatigue": 0.001}
    first = labeled(minio, label_job(minio, digits, items, hp, job_id="label-same-id"))[2]
    again = labeled(minio, label_job(minio, digits, items, hp, job_id="label-same-id"))[2]
    other = labeled(minio, label_job(minio, digits, items, hp, job_id="label-other-id"))[2]
    assert first == again
    assert first["labels"] != other["labels"]
    assert [e["item"] for e in other["labels"]] == items


def test_a_crash_exits_1_without_labels_or_result(minio, digits):
    job = label_job(minio, digits, list(range(50)), {"crashProbability": 1.0})
    run = run_trainer(minio, job, timeout=120)
    assert run.code == 1, run.stderr[-3000:]
    assert "simulated annotator crash" in error_messages(run)[-1] and "(retryable)" in error_messages(run)[-1]
    prefix = job["output"]["prefix"]
    keys = [o["Key"] for o in minio.client.list_objects_v2(Bucket=BUCKET, Prefix=prefix[len(f"s3://{BUCKET}/"):])
            .get("Contents", [])]
    assert not [k for k in keys if k.endswith(("labels.json", "result.json"))], keys


def test_malformed_output_still_succeeds_but_is_not_a_valid_set(minio, digits):
    items = list(range(30, 70))
    for _ in range(3):
        job = label_job(minio, digits, items, {"malformedProbability": 1.0, "accuracy": 1.0})
        run, result, labels = labeled(minio, job)
        kind = malformation(labels["labels"], items)
        assert kind in ("missing", "duplicate", "unknown"), labels
        assert result["metrics"]["items"] == len(labels["labels"])
        assert [e for e in run.named("log") if e["level"] == "warning" and "malformed" in e["message"]]


@pytest.mark.parametrize("hyperparameters, field", [
    ({"acuracy": 0.9}, "hyperparameters.acuracy"),
    ({"accuracy": 1.5}, "hyperparameters.accuracy"),
    ({"fatigue": -0.1}, "hyperparameters.fatigue"),
    ({"confusions": "1:seven"}, "hyperparameters.confusions"),
    ({"crashProbability": True}, "hyperparameters.crashProbability"),
    ({"truthColumn": "nope"}, "hyperparameters.truthColumn"),
], ids=["unknown", "accuracy", "fatigue", "confusions", "crashProbability", "truthColumn"])
def test_a_bad_setting_exits_2_naming_it(minio, digits, hyperparameters, field):
    job = label_job(minio, digits, [1, 2, 3], hyperparameters)
    run = run_trainer(minio, job, timeout=120)
    assert run.code == 2, run.stderr[-3000:]
    assert error_messages(run)[0].startswith(f"{field}:")
    assert read_result(minio, job)["details"]["error"]["field"] == field


def test_bad_batches_exit_2_naming_the_item(minio, digits, truth):
    job = label_job(minio, digits, [5, len(truth)])
    run = run_trainer(minio, job, timeout=120)
    assert run.code == 2 and f"item {len(truth)} is out of range" in error_messages(run)[0]
    assert read_result(minio, job)["details"]["error"]["field"] == "label.batchUri"

    job = label_job(minio, digits, [1, 2], batch=4)
    job["label"]["batch"] = 5  # the batch file says 4
    run = run_trainer(minio, job, timeout=120)
    assert run.code == 2 and error_messages(run)[0].startswith("label.batch:")

    job = label_job(minio, digits, [1, 2])
    job["label"]["classes"] = CLASSES[:9]  # data.numClasses is 10
    run = run_trainer(minio, job, timeout=120)
    assert run.code == 2 and error_messages(run)[0].startswith("label.classes:")


def test_missing_label_block_exits_2_before_touching_storage():
    run = run_trainer(None, make_job(OFFLINE_DATA, "label"), **OFFLINE_ENV)
    assert run.code == 2
    assert error_messages(run)[0].startswith("label: mode 'label' needs the label block")


def test_a_learner_given_a_label_job_exits_2_naming_the_mode(minio, digits):
    job = label_job(minio, digits, [1, 2, 3])
    run = run_trainer(minio, job, script=LEARNER_MLP)
    assert run.code == 2, run.stderr[-3000:]
    [message] = error_messages(run)
    assert message.startswith("mode: 'label' is not implemented by this trainer (learner-mlp 0.0.1)")
    result = read_result(minio, job)
    assert result["status"] == "failed" and result["details"]["error"]["field"] == "mode"
    assert not minio.client.list_objects_v2(Bucket=BUCKET, Prefix=job["output"]["prefix"][len(f"s3://{BUCKET}/"):]
                                            + "labels.json").get("Contents")


@pytest.fixture(scope="module")
def pool(minio, digits, truth):
    """The digits CSV with its label column emptied (an unlabeled pool) and the truth in an ignored column."""
    lines = minio.get(digits["uri"]).decode().splitlines()
    header = lines[0].split(",")
    at = header.index("label")
    out = [",".join(header + ["true_digit"])]
    for line in lines[1:]:
        cells = line.split(",")
        out.append(",".join(cells[:at] + [""] + cells[at + 1:] + [cells[at]]))
    raw = ("\n".join(out) + "\n").encode()
    return {**digits, "uri": minio.put("data/digits-pool.csv", raw), "sha256": hashlib.sha256(raw).hexdigest(),
            "ignoreColumns": ["true_digit"]}


def test_truth_column_among_ignore_columns(minio, pool, truth):
    items = [7, 700, 1500, 3]
    job = label_job(minio, pool, items, {"accuracy": 1.0, "truthColumn": "true_digit"})
    _, _, labels = labeled(minio, job)
    assert labels["labels"] == [{"item": i, "label": CLASSES[truth[i]]} for i in items]

    job = label_job(minio, pool, [7, 8])  # the truth defaults to data.labelColumn, which is empty here
    run = run_trainer(minio, job, timeout=120)
    assert run.code == 2
    assert error_messages(run)[0] == "data.labelColumn: item 7 has no true label in column 'label'"


def test_the_sha256_is_still_checked(minio, digits):
    job = label_job(minio, {**digits, "sha256": "0" * 64}, [1])
    run = run_trainer(minio, job, timeout=120)
    assert run.code == 2 and error_messages(run)[0].startswith("data.sha256:")


def test_hold_file_holds_the_job_until_it_exists(minio, digits, tmp_path):
    release = tmp_path / "release"
    job = label_job(minio, digits, list(range(10)), {"holdFile": str(release), "secondsPerItem": 0.01})
    prefix = job["output"]["prefix"]
    seen = {}

    def release_when_held():
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if b"holding before writing labels" in minio.get(prefix + "events.jsonl"):
                    break
            except Exception:  # noqa: BLE001 — not written yet
                pass
            time.sleep(0.1)
        time.sleep(0.5)  # held a moment longer: still no labels
        seen["labels_while_held"] = _exists(minio, prefix + "labels.json")
        seen["result_while_held"] = _exists(minio, prefix + "result.json")
        release.touch()

    thread = threading.Thread(target=release_when_held)
    thread.start()
    try:
        run, result, labels = labeled(minio, job)
    finally:
        thread.join()
    assert seen == {"labels_while_held": False, "result_while_held": False}
    assert [e["item"] for e in labels["labels"]] == list(range(10))
    messages = [e["message"] for e in run.named("log")]
    assert any("holding before writing labels" in m for m in messages)


def _exists(minio, uri) -> bool:
    key = uri[len(f"s3://{BUCKET}/"):]
    return bool(minio.client.list_objects_v2(Bucket=BUCKET, Prefix=key).get("Contents"))
