"""Job validation mirrors core/spec/job.ts: defaults filled in, and every error names the field and the value."""
import json

import pytest

from gauntlet_trainer import BadInput, read_job_document, validate_job

DATA = {"uri": "s3://bucket/data.csv", "sha256": "a" * 64, "splitUri": "s3://bucket/split.json", "numClasses": 10}


def job(**fields):
    base = {"contract": "gauntlet.job/v1", "jobId": "trial-1", "mode": "train", "seed": 1, "data": dict(DATA),
            "output": {"prefix": "s3://bucket/runs/1/"}}
    base.update(fields)
    return base


def error_of(document) -> BadInput:
    with pytest.raises(BadInput) as caught:
        validate_job(document)
    return caught.value


def test_defaults_are_filled_in():
    checked = validate_job(job(schedule={"kind": "one_cycle", "maxLr": 0.1}, overfit={}))
    assert checked["epochs"] == 1 and checked["batchSize"] == 64 and checked["device"] == "auto"
    assert checked["split"] == "valid" and checked["checkpoint"] is None and checked["hyperparameters"] == {}
    assert checked["data"]["labelColumn"] == "label" and checked["data"]["format"] == "csv"
    assert checked["schedule"] == {"kind": "one_cycle", "maxLr": 0.1, "pctStart": 0.3, "annealStrategy": "cos",
                                   "divFactor": 25, "finalDivFactor": 1e4, "threePhase": False,
                                   "cycleMomentum": True, "baseMomentum": 0.85, "maxMomentum": 0.95}
    assert checked["overfit"] == {"batchSize": 32, "lossThreshold": 0.05, "maxSteps": 300}


def test_optional_blocks_stay_absent():
    checked = validate_job(job())
    assert checked["schedule"] is None and checked["overfit"] is None


def test_integral_floats_are_integers():
    assert validate_job(job(epochs=3.0))["epochs"] == 3


@pytest.mark.parametrize("fields, field, fragment", [
    ({"data": {**DATA, "uri": "http://x/y.csv"}}, "data.uri", "s3://bucket/key"),
    ({"mode": "fit"}, "mode", "'fit'"),
    ({"seed": True}, "seed", "True"),
    ({"seed": -1}, "seed", ">= 0"),
    ({"epochs": 2.5}, "epochs", "integer"),
    ({"jobId": "Trial_1"}, "jobId", "DNS-1123"),
    ({"output": {"prefix": "s3://bucket/runs/1"}}, "output.prefix", 'end with "/"'),
    ({"schedule": {"kind": "one_cycle"}}, "schedule.maxLr", "required"),
    ({"schedule": {"kind": "cosine"}}, "schedule.kind", "one_cycle"),
    ({"schedule": {"kind": "range_test", "numSteps": 2}}, "schedule.numSteps", ">= 5"),
    ({"hyperparameters": {"lr": [1]}}, "hyperparameters.lr", "number, string or boolean"),
    ({"learningRate": 0.1}, "learningRate", "unknown field"),
    ({"data": {**DATA, "numClasses": 1}}, "data.numClasses", ">= 2"),
    ({"contract": "gauntlet.job/v2"}, "contract", "gauntlet.job/v1"),
])
def test_errors_name_field_and_value(fields, field, fragment):
    error = error_of(job(**fields))
    assert error.field == field
    assert fragment in str(error) and str(error).startswith(field + ":")


def test_missing_required_field():
    document = job()
    del document["seed"]
    assert error_of(document).field == "seed"


def test_read_from_env_and_file(tmp_path):
    path = tmp_path / "job.json"
    path.write_text(json.dumps(job()))
    assert read_job_document({"GAUNTLET_JOB_FILE": str(path)})["jobId"] == "trial-1"
    assert read_job_document({"GAUNTLET_JOB": json.dumps(job(jobId="a"))})["jobId"] == "a"
    with pytest.raises(BadInput, match="GAUNTLET_JOB"):
        read_job_document({})
    with pytest.raises(BadInput, match="not valid JSON"):
        read_job_document({"GAUNTLET_JOB": "{nope"})
