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
