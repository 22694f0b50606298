"""Exit codes and failure-time outputs: 2 = bad input (named field, failed result.json when the job itself is valid),
1 = retryable (no result.json), and stdout stays pure JSON lines whatever the script prints."""
import json
import subprocess
import sys

import pytest

from conftest import BUCKET, TRAINER_DIR, free_port, make_job, parse_stdout, read_result, run_trainer, trainer_env


# A well-formed data block for tests that must fail before any storage access (no MinIO needed).
OFFLINE_DATA = {"uri": f"s3://{BUCKET}/data/digits.csv", "sha256": "0" * 64, "splitUri": f"s3://{BUCKET}/data/s.json",
                "numClasses": 10}


def error_messages(run):
    return [e["message"] for e in run.named("log") if e["level"] == "error"]


BAD_INPUTS = [
    (lambda job: job["data"].update(labelColumn="digit"), "data.labelColumn"),
    (lambda job: job["data"].update(uri=f"s3://{BUCKET}/data/missing.csv"), "data.uri"),
    (lambda job: job["data"].update(sha256="0" * 64), "data.sha256"),
    (lambda job: job["data"].update(splitUri=f"s3://{BUCKET}/data/missing.json"), "data.splitUri"),
    (lambda job: job.update(hyperparameters={"hiddden": 32}), "hyperparameters.hiddden"),
    (lambda job: job.update(schedule={"kind": "range_test"}), "schedule.kind"),
    (lambda job: job.update(mode="evaluate"), "checkpoint"),
    (lambda job: job.update(mode="evaluate", checkpoint=f"s3://{BUCKET}/nope.pt"), "checkpoint"),
]


@pytest.mark.parametrize("change, field", BAD_INPUTS, ids=[f"{i}-{field}" for i, (_, field) in enumerate(BAD_INPUTS)])
def test_bad_input_exits_2_with_a_failed_result(minio, digits, change, field):
    job = make_job(digits, "train")
    change(job)
    run = run_trainer(minio, job)
    assert run.code == 2, run.stderr
    [message] = error_messages(run)
    assert message.startswith(f"{field}:") and field in run.stderr
    result = read_result(minio, job)
    assert result["status"] == "failed" and result["details"]["error"]["field"] == field
    stored = minio.get(job["output"]["prefix"] + "events.jsonl").decode().splitlines()
    assert json.loads(stored[-1])["message"] == message


@pytest.mark.parametrize("change, field", [
    pytest.param(lambda job: job["data"].update(uri="http://example.com/digits.csv"), "data.uri", id="data.uri"),
    pytest.param(lambda job: job.update(mode="finetune"), "mode", id="mode"),
    pytest.param(lambda job: job.update(epochs=0), "epochs", id="epochs"),
    pytest.param(lambda job: job.pop("seed"), "seed", id="seed"),
])
def test_invalid_job_document_exits_2_before_touching_storage(change, field):
    job = make_job(OFFLINE_DATA, "train")
    change(job)
    # No storage at all: validation must fail first, naming the field and the value.
    run = run_trainer(None, job, GAUNTLET_STORAGE_ENDPOINT="http://127.0.0.1:9", GAUNTLET_STORAGE_ACCESS_KEY="x",
                      GAUNTLET_STORAGE_SECRET_KEY="y")
    assert run.code == 2
    [message] = error_messages(run)
    assert message.startswith(f"{field}:")


def test_missing_job_and_credentials_are_bad_input():
    run = run_trainer(None, None)
    assert run.code == 2 and "GAUNTLET_JOB" in error_messages(run)[0]
    run = run_trainer(None, make_job(OFFLINE_DATA))
    assert run.code == 2 and error_messages(run)[0].startswith("GAUNTLET_STORAGE_ACCESS_KEY:")


def test_unreachable_storage_is_an_outage_exit_after_the_retry_window():
    endpoint = f"http://127.0.0.1:{free_port()}"
    env = {"GAUNTLET_STORAGE_ENDPOINT": endpoint, "GAUNTLET_STORAGE_ACCESS_KEY": "x",
           "GAUNTLET_STORAGE_SECRET_KEY": "y", "GAUNTLET_STORAGE_RETRY_SECONDS": "2"}
    run = run_trainer(None, make_job(OFFLINE_DATA), timeout=120, **env)
    assert run.code == 75, run.stderr[-2000:]
    assert f"storage at {endpoint} unreachable" in error_messages(run)[0]


def test_stdout_carries_only_events(minio, digits, tmp_path):
    script = tmp_path / "noisy.py"
    script.write_text(
        "import os\n"
        "import gauntlet_trainer as gt\n"
        "def main(session):\n"
        "    print('a stray print')\n"
        "    os.write(1, b'native code writing to fd 1\\n')\n"
        "    gt.report_metric('answer', 42)\n"
        "    return {'metrics': {'answer': 42}}\n"
        "gt.run(main)\n")
    job = make_job(digits, "train")
    completed = subprocess.run([sys.executable, str(script)], env=trainer_env(minio, job), capture_output=True,
                               text=True, timeout=60)
    assert completed.returncode == 0, completed.stderr
    events = parse_stdout(completed.stdout)
    assert [e["value"] for e in events if e["event"] == "metric"] == [42]
    assert "a stray print" in completed.stderr and "native code writing to fd 1" in completed.stderr
    assert read_result(minio, job)["metrics"] == {"answer": 42}


def test_example_low_level_script(minio, digits):
    # examples/user_script.py is now a Learner (tests/test_learner.py); the hand-written route lives on here.
    job = make_job(digits, "train", epochs=3, batchSize=32)
    run = run_trainer(minio, job, script=TRAINER_DIR / "examples" / "low_level_script.py")
    assert run.code == 0, run.stderr
    result = read_result(minio, job)
    assert result["metrics"]["val_accuracy"] >= 0.85
    assert result["trainer"]["name"] == "digits-linear-example"
    assert [e["epoch"] for e in run.named("checkpoint")] == [1, 2, 3]
