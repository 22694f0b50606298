"""The golden job documents of test/fixtures/job-contract through the Python mirror (gauntlet_trainer.contract) and,
when `jsonschema` is installed, through core/spec/job.schema.json. test/unit/jobContractGolden.test.ts runs the same
goldens through core/spec/job.ts, so the three validators agree on each one."""
import json
from pathlib import Path

import pytest

from gauntlet_trainer import BadInput, validate_job

REPO = Path(__file__).resolve().parents[2]
GOLDENS = REPO / "test" / "fixtures" / "job-contract"
SCHEMA = REPO / "core" / "spec" / "job.schema.json"
EXPECTED = json.loads((GOLDENS / "invalid.expected.json").read_text())

# Goldens that JSON Schema validators in Python cannot reject, though zod and the mirror do: `pattern` is an ECMA-262
# regex, and Python's `re.search` lets `$` match before a final newline.
SCHEMA_LIMITS = {"job-id-trailing-newline.json"}


def goldens(kind):
    return sorted((GOLDENS / kind).glob("*.json"), key=lambda path: path.name)


def load(path):
    return json.loads(path.read_text())


@pytest.mark.parametrize("path", goldens("valid"), ids=lambda path: path.name)
def test_mirror_accepts_valid(path):
    validate_job(load(path))


@pytest.mark.parametrize("path", goldens("invalid"), ids=lambda path: path.name)
def test_mirror_rejects_invalid_naming_the_field(path):
    with pytest.raises(BadInput) as caught:
        validate_job(load(path))
    assert caught.value.field == EXPECTED[path.name]["path"]


def test_expected_lists_every_invalid_golden():
    assert sorted(path.name for path in goldens("invalid")) == sorted(EXPECTED)


@pytest.fixture(scope="module")
def schema_validator():
    jsonschema = pytest.importorskip("jsonschema", reason="JSON Schema checks need the jsonschema package")
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", goldens("valid"), ids=lambda path: path.name)
def test_schema_accepts_valid(schema_validator, path):
    errors = [error.message for error in schema_validator.iter_errors(load(path))]
    assert errors == []


@pytest.mark.parametrize("path", goldens("invalid"), ids=lambda path: path.name)
def test_schema_rejects_invalid(schema_validator, path):
    valid = schema_validator.is_valid(load(path))
    assert valid == (path.name in SCHEMA_LIMITS)
