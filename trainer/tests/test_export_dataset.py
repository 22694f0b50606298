"""`python3 -m gauntlet_trainer.export_dataset digits`: the digits CSV, byte-for-byte deterministic."""
import hashlib
import subprocess
import sys

from conftest import TRAINER_DIR
from gauntlet_trainer.export_dataset import digits_csv


def test_digits_csv_shape_and_values():
    text = digits_csv()
    lines = text.split("\n")
    assert lines[0] == ",".join([f"p{i}" for i in range(64)] + ["label"])
    assert lines[-1] == "" and len(lines) == 1797 + 2
    rows = [line.split(",") for line in lines[1:-1]]
    assert all(len(row) == 65 and all(cell.isdigit() for cell in row) for row in rows)
    assert rows[0][-1] == "0" and rows[1][-1] == "1"  # the data set's own order
    assert {int(row[-1]) for row in rows} == set(range(10))


def test_cli_is_deterministic():
    command = [sys.executable, "-m", "gauntlet_trainer.export_dataset", "digits"]
    outputs = [subprocess.run(command, cwd=TRAINER_DIR, capture_output=True, check=True).stdout for _ in range(2)]
    assert outputs[0] == outputs[1] == digits_csv().encode()
    # Pinned: examples and content-hashed data manifests may rely on this exact file.
    assert hashlib.sha256(outputs[0]).hexdigest() == "d7ff1341011182b7af3733b201a919cea2ffe00f25ff23ba48c5e791daffb498"


def test_breast_cancer_csv_shape_and_values():
    from gauntlet_trainer.export_dataset import breast_cancer_csv

    lines = breast_cancer_csv().split("\n")
    header = lines[0].split(",")
    assert len(header) == 31 and header[0] == "mean_radius" and header[-2] == "worst_fractal_dimension"
    assert header[-1] == "label" and len(set(header)) == 31
    assert lines[-1] == "" and len(lines) == 569 + 2
    rows = [line.split(",") for line in lines[1:-1]]
    assert all(len(row) == 31 for row in rows)
    assert rows[0][:4] == ["17.99", "10.38", "122.8", "1001"]  # shortest exact form of sklearn's values
    labels = [row[-1] for row in rows]
    assert labels.count("0") == 212 and labels.count("1") == 357  # 0 = malignant, 1 = benign


def test_breast_cancer_cli_is_deterministic():
    from gauntlet_trainer.export_dataset import breast_cancer_csv

    command = [sys.executable, "-m", "gauntlet_trainer.export_dataset", "breast_cancer"]
    outputs = [subprocess.run(command, cwd=TRAINER_DIR, capture_output=True, check=True).stdout for _ in range(2)]
    assert outputs[0] == outputs[1] == breast_cancer_csv().encode()
    assert hashlib.sha256(outputs[0]).hexdigest() == "5c3e458a6f8780b7dd2bc07e65dc975d149b6f8324cb7442a6ead4c5c9858d07"
