"""Dataset loading for the contract's data block: a content-hashed CSV plus a split manifest of row indices.

Everything wrong with the data is BadInput naming the job field to fix: a rerun would read the same bytes.
"""
import csv
import hashlib
import io
import json
from dataclasses import dataclass

import numpy as np

from .contract import SPLITS
from .errors import BadInput, describe
from .store import ObjectNotFound

MISSING_LABEL = -1


@dataclass
class Dataset:
    features: np.ndarray  # float32 [rows, features], unscaled
    labels: np.ndarray  # int64 [rows]; MISSING_LABEL where the CSV has no label
    feature_names: list
    splits: dict  # split name -> int64 row indices (possibly empty)

    @property
    def has_labels(self) -> bool:
        return bool(len(self.labels)) and bool((self.labels != MISSING_LABEL).all())

    def split(self, name: str):
        """(features, labels, row indices) of one split."""
        rows = self.splits[name]
        return self.features[rows], self.labels[rows], rows


def load_dataset(store, data: dict, require_labels: bool = True) -> Dataset:
    """`data` is the job's validated `data` block."""
    raw = read_data(store, data)
    features, labels, names = parse_csv(raw, data["labelColumn"], data["numClasses"], require_labels,
                                        ignore=data.get("ignoreColumns", []))
    splits = parse_splits(_get(store, data["splitUri"], "data.splitUri"), len(labels))
    return Dataset(features, labels, names, splits)


def read_data(store, data: dict) -> bytes:
    """The bytes of `data.uri`, checked against `data.sha256` (a missing object or a mismatch is BadInput)."""
    raw = _get(store, data["uri"], "data.uri")
    actual = hashlib.sha256(raw).hexdigest()
    if actual != data["sha256"]:
        raise BadInput("data.sha256", f"{data['uri']} has sha256 {actual}, the job expects {data['sha256']}")
    return raw


def csv_column(raw: bytes, column: str, field: str) -> list:
    """The cells of one CSV column as strings, one per data row, rows counted as parse_csv counts them (empty lines
    skipped): index i is row i of the data set. `field` is the job field named when the column is missing."""
    header, rows = _csv_rows(raw)
    if column not in header:
        raise BadInput(field, f"column {column!r} is not in the CSV header (columns: {describe(header)})")
    at = header.index(column)
    return [row[at] for _, row in rows]


def _csv_rows(raw: bytes):
    """(header, [(CSV line number, fields)]) with empty lines skipped and every row as wide as the header."""
    try:
        reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
        header = next(reader, None)
        rows = [(line, row) for line, row in enumerate(reader, start=2) if row]
    except UnicodeDecodeError as error:
        raise BadInput("data.uri", f"CSV is not UTF-8: {error}") from None
    if not header:
        raise BadInput("data.uri", "CSV is empty (a header row is required)")
    for line, row in rows:
        if len(row) != len(header):
            raise BadInput("data.uri", f"CSV line {line} has {len(row)} fields, the header has {len(header)}")
    return header, rows


def _get(store, uri, field):
    try:
        return store.get_bytes(uri)
    except ObjectNotFound:
        raise BadInput(field, f"object does not exist: {uri}") from None


def parse_csv(raw: bytes, label_column: str, num_classes: int, require_labels: bool = True, ignore=()):
    try:
        reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")))
        header = next(reader, None)
    except UnicodeDecodeError as error:
        raise BadInput("data.uri", f"CSV is not UTF-8: {error}") from None
    if not header:
        raise BadInput("data.uri", "CSV is empty (a header row is required)")
    if label_column not in header:
        if require_labels:
            raise BadInput("data.labelColumn", f"column {label_column!r} is not in the CSV header "
                                               f"(columns: {describe(header)})")
        label_at = None
    else:
        label_at = header.index(label_column)
    missing = [name for name in ignore if name not in header]
    if missing:
        raise BadInput("data.ignoreColumns", f"columns {missing!r} are not in the CSV header (columns: {describe(header)})")
    feature_at = [i for i in range(len(header)) if i != label_at and header[i] not in ignore]
    if not feature_at:
        raise BadInput("data.uri", "CSV has no feature columns besides the label")

    features, labels = [], []
    for line, row in enumerate(reader, start=2):
        if not row:
            continue
        if len(row) != len(header):
            raise BadInput("data.uri", f"CSV line {line} has {len(row)} fields, the header has {len(header)}")
        try:
            features.append([float(row[i]) for i in feature_at])
        except ValueError:
            bad = next(i for i in feature_at if not _is_float(row[i]))
            raise BadInput("data.uri", f"CSV line {line}, column {header[bad]!r}: not a number: {row[bad]!r}") from None
        labels.append(_label(row[label_at], line, label_column, num_classes, require_labels)
                      if label_at is not None else MISSING_LABEL)
    if not features:
        raise BadInput("data.uri", "CSV has a header but no rows")
    return (np.asarray(features, dtype=np.float32), np.asarray(labels, dtype=np.int64),
            [header[i] for i in feature_at])


def _is_float(text):
    try:
        float(text)
        return True
    except ValueError:
        return False


def _label(cell, line, column, num_classes, required):
    if cell.strip() == "" and not required:
        return MISSING_LABEL
    try:
        value = float(cell)
    except ValueError:
        value = None
    if value is None or value != int(value) or not 0 <= value < num_classes:
        raise BadInput("data.labelColumn", f"CSV line {line}, column {column!r}: label {cell!r} is not an integer "
                                           f"class in [0, numClasses={num_classes})")
    return int(value)


def parse_splits(raw: bytes, num_rows: int) -> dict:
    """`{"train": [...], "valid": [...], "test": [...]}`; an absent split is empty, other keys (manifest metadata) are
    ignored; indices must be in range and no row may sit in two splits (that would leak)."""
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise BadInput("data.splitUri", f"split manifest is not valid JSON: {error}") from None
    if not isinstance(manifest, dict):
        raise BadInput("data.splitUri", "split manifest must be a JSON object {train, valid, test}")
    splits, owner = {}, {}
    for name in SPLITS:
        rows = manifest.get(name, [])
        if not isinstance(rows, list) or any(isinstance(r, bool) or not isinstance(r, int) for r in rows):
            raise BadInput("data.splitUri", f"split {name!r} must be a list of integer row indices")
        for row in rows:
            if not 0 <= row < num_rows:
                raise BadInput("data.splitUri", f"split {name!r} has row {row}, the CSV has {num_rows} rows")
            if owner.get(row) == name:
                raise BadInput("data.splitUri", f"row {row} appears twice in split {name!r}")
            if row in owner:
                raise BadInput("data.splitUri", f"row {row} is in both {owner[row]!r} and {name!r}")
            owner[row] = name
        splits[name] = np.asarray(rows, dtype=np.int64)
    return splits
