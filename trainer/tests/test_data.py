"""CSV and split-manifest parsing: data problems are BadInput naming the job field to fix."""
import json

import numpy as np
import pytest

from gauntlet_trainer import BadInput
from gauntlet_trainer.data import MISSING_LABEL, parse_csv, parse_splits

CSV = b"a,b,label\n1,2,0\n3,4,1\n5,6,2\n"


def test_parse_csv():
    features, labels, names = parse_csv(CSV, "label", 3)
    assert names == ["a", "b"] and features.dtype == np.float32 and features.tolist() == [[1, 2], [3, 4], [5, 6]]
    assert labels.tolist() == [0, 1, 2]


def test_label_column_anywhere_and_optional_for_predict():
    features, labels, names = parse_csv(b"y,a\n1,5\n", "y", 2)
    assert names == ["a"] and labels.tolist() == [1]
    _, labels, _ = parse_csv(b"a,b\n1,2\n", "label", 2, require_labels=False)
    assert labels.tolist() == [MISSING_LABEL]


@pytest.mark.parametrize("raw, column, field, fragment", [
    (CSV, "target", "data.labelColumn", "'target' is not in the CSV header"),
    (b"a,label\n1,3\n", "label", "data.labelColumn", "'3'"),
    (b"a,label\n1,0.5\n", "label", "data.labelColumn", "not an integer class"),
    (b"a,label\nx,0\n", "label", "data.uri", "column 'a': not a number: 'x'"),
    (b"a,label\n1\n", "label", "data.uri", "line 2 has 1 fields"),
    (b"", "label", "data.uri", "empty"),
])
def test_csv_errors(raw, column, field, fragment):
    with pytest.raises(BadInput) as caught:
        parse_csv(raw, column, 3)
    assert caught.value.field == field and fragment in str(caught.value)


def test_splits():
    splits = parse_splits(json.dumps({"train": [0, 2], "valid": [1], "sha256": "metadata is ignored"}).encode(), 3)
    assert splits["train"].tolist() == [0, 2] and splits["valid"].tolist() == [1] and splits["test"].tolist() == []


@pytest.mark.parametrize("manifest, fragment", [
    ({"train": [0, 5]}, "row 5"),
    ({"train": [0], "test": [0]}, "in both 'train' and 'test'"),
    ({"train": [1, 1]}, "appears twice"),
    ({"train": "0-2"}, "list of integer"),
    ([0, 1], "JSON object"),
])
def test_split_errors(manifest, fragment):
    with pytest.raises(BadInput) as caught:
        parse_splits(json.dumps(manifest).encode(), 3)
    assert caught.value.field == "data.splitUri" and fragment in str(caught.value)
