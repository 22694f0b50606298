"""The two-stage demo: `demo:digits-canvas` (a digit somewhere on a 3x3 canvas) and the crop reader
(examples/two-stage/crop_reader.py), stage 2, which reads the digit in the cell a column names."""
import hashlib
import importlib.util
import json

import numpy as np
import pytest
import torch

import gauntlet_trainer as gt
from conftest import TRAINER_DIR, make_job, read_result, run_trainer
from gauntlet_trainer.demo_datasets import digits_canvas_csv

READER = TRAINER_DIR.parent / "examples" / "two-stage" / "crop_reader.py"
ROWS, SIDE = 2700, 24


def load_reader():
    spec = importlib.util.spec_from_file_location("crop_reader", READER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def canvas():
    """(csv text, pixels [rows, 24, 24], cell, digit, image) of the data set."""
    text = digits_canvas_csv()
    table = np.loadtxt(text.splitlines()[1:], delimiter=",", dtype=np.int64)
    return text, table[:, :SIDE * SIDE].reshape(-1, SIDE, SIDE), table[:, -3], table[:, -2], table[:, -1]


def cell_of(pixels, cell):
    top, left = 8 * (cell // 3), 8 * (cell % 3)
    return pixels[top:top + 8, left:left + 8]


# ---- the data set (pure) -------------------------------------------------------------------------------------------


def test_canvas_is_deterministic_and_pinned(canvas):
    text = canvas[0]
    assert digits_canvas_csv() == text
    # Pinned: a pipeline's content-hashed data manifest may rely on these exact bytes.
    assert hashlib.sha256(text.encode()).hexdigest() == "84e8e26023f21eb9584e0db70bf1ff489cdc8a9aa5faaa2b85572b8426001d80"


def test_canvas_columns_and_values(canvas):
    text, pixels, cell, digit, image = canvas
    header = text.split("\n", 1)[0].split(",")
    assert header == [f"p{i}" for i in range(SIDE * SIDE)] + ["cell", "digit", "image"]
    assert len(cell) == ROWS and pixels.min() == 0 and pixels.max() == 16
    assert set(cell.tolist()) == set(range(9)) and set(digit.tolist()) == set(range(10))
    assert np.bincount(cell).min() > ROWS / 9 * 0.8, "cells are drawn uniformly"
    uses = np.bincount(image, minlength=1797)
    assert uses.min() == 1 and uses.max() == 2 and (uses == 2).sum() == ROWS - 1797, "every image, some twice"


def test_the_digit_sits_in_its_cell(canvas):
    from sklearn.datasets import load_digits

    digits = load_digits()
    _, pixels, cell, digit, image = canvas
    assert (digits.target[image] == digit).all(), "digit is the source image's label"
    for row in range(ROWS):
        source = digits.data[image[row]].reshape(8, 8).astype(np.int64)
        crop = cell_of(pixels[row], cell[row])
        # Pasted over specks (1..6) by taking the brighter pixel: the image's ink is all there.
        assert (crop >= source).all() and (crop[source >= 7] == source[source >= 7]).all()


def test_the_rest_of_the_canvas_is_noise_or_a_ghost(canvas):
    _, pixels, cell, _, _ = canvas
    ghosts = 0
    for row in range(ROWS):
        others = [cell_of(pixels[row], c) for c in range(9) if c != cell[row]]
        bright = [c for c in others if (c >= 7).any()]
        assert len(bright) <= 1, "at most one other cell has ink brighter than the specks"
        ghosts += len(bright)
    assert 0.4 < ghosts / ROWS < 0.55  # half the rows get a ghost (a few ghosts are too faint to tell)


# ---- the crop reader (pure) ----------------------------------------------------------------------------------------


def test_crop_reader_crops_the_named_cell(canvas):
    reader = load_reader()
    _, pixels, cell, _, _ = canvas
    features = torch.cat([torch.from_numpy(pixels[:50].reshape(50, -1)).float(),
                          torch.from_numpy(cell[:50]).float()[:, None]], dim=1)
    crop = reader.CropCell()
    out = crop.transform(features, crop.fit(features, {}))
    expected = np.stack([cell_of(pixels[r], cell[r]).reshape(64) for r in range(50)]) / 16
    assert out.shape == (50, 64) and np.allclose(out.numpy(), expected)
    features[3, -1] = 9
    with pytest.raises(gt.BadInput, match="holds 9, not a cell 0..8") as error:
        crop.transform(features, {"factor": 16.0})
    assert error.value.field == "hyperparameters.cellColumn"


def test_crop_reader_reads_only_the_canvas_and_the_cell_column():
    reader = load_reader()
    names = [f"p{i}" for i in range(SIDE * SIDE)] + ["cell", "image", "cell_pred"]
    assert reader.columns(names, {"cellColumn": "cell_pred"}) == names[:SIDE * SIDE] + ["cell_pred"]
    for bad, message in [("cell_guess", "not a feature column"), ("p3", "is a pixel column")]:
        with pytest.raises(gt.BadInput, match=message) as error:
            reader.columns(names, {"cellColumn": bad})
        assert error.value.field == "hyperparameters.cellColumn"
    with pytest.raises(gt.BadInput, match="lacks 1 of those columns"):
        reader.columns(names[1:], {"cellColumn": "cell"})


# ---- the crop reader as a trainer (MinIO) --------------------------------------------------------------------------


def group_split(image, seed=0):
    """70/15/15 by source image: an image used twice never straddles splits."""
    groups = np.random.RandomState(seed).permutation(np.unique(image))
    train, valid = set(groups[:int(0.7 * len(groups))]), set(groups[int(0.7 * len(groups)):int(0.85 * len(groups))])
    split = {"train": [], "valid": [], "test": []}
    for row, group in enumerate(image.tolist()):
        split["train" if group in train else "valid" if group in valid else "test"].append(row)
    return split


def with_cells(text, cells):
    """The CSV with column `cell` (the 577th) replaced."""
    lines = text.rstrip("\n").split("\n")
    out = [lines[0]]
    for line, cell in zip(lines[1:], cells):
        values = line.split(",")
        values[SIDE * SIDE] = str(cell)
        out.append(",".join(values))
    return "\n".join(out) + "\n"


def upload(minio, key, text, split, **data):
    raw = text.encode()
    return {"uri": minio.put(f"data/{key}.csv", raw), "sha256": hashlib.sha256(raw).hexdigest(),
            "labelColumn": "digit", "splitUri": minio.put(f"data/{key}-split.json", json.dumps(split).encode()),
            "numClasses": 10, **data}


def ok(minio, job, **env):
    run = run_trainer(minio, job, script=READER, **env)
    assert run.code == 0, run.stderr[-3000:]
    return read_result(minio, job)


@pytest.fixture(scope="module")
def canvas_data(minio, canvas):
    text, _, _, _, image = canvas
    return upload(minio, "digits-canvas", text, group_split(image), ignoreColumns=["image"])


@pytest.fixture(scope="module")
def trained_reader(minio, canvas_data):
    job = make_job(canvas_data, "train", epochs=15, batchSize=64,
                   schedule={"kind": "one_cycle", "maxLr": 0.1}, hyperparameters={"cellColumn": "cell"})
    return job, ok(minio, job)


def evaluate(minio, data, checkpoint, split="test"):
    return ok(minio, make_job(data, "evaluate", checkpoint=checkpoint, split=split))["metrics"]


def test_reader_trained_on_true_cells_reads_the_digits(minio, canvas_data, trained_reader):
    _, result = trained_reader
    test = evaluate(minio, canvas_data, result["artifacts"]["checkpoint"])
    print(f"crop reader, true cells: val_accuracy {result['metrics']['val_accuracy']:.4f}, "
          f"test accuracy {test['accuracy']:.4f} (n={test['n']})")
    assert result["metrics"]["val_accuracy"] > 0.93, result["metrics"]
    assert test["accuracy"] > 0.93 and test["n"] > 350


def test_reader_degrades_when_the_cell_column_is_wrong(minio, canvas, canvas_data, trained_reader):
    """The same model on the same test rows, with column `cell` wrong in a seeded 30% of the rows, then in all: a
    wrong cell is a crop of specks (or, 1 time in 8, of the ghost), so the reader gets those rows about as right as
    a guess."""
    text, _, cell, _, _ = canvas
    checkpoint = trained_reader[1]["artifacts"]["checkpoint"]
    split = group_split(canvas[4])
    rng = np.random.default_rng(5)
    wrong = rng.random(len(cell)) < 0.3
    elsewhere = (cell + 1 + rng.integers(0, 8, len(cell))) % 9  # another cell, uniformly
    accuracy = {"true": evaluate(minio, canvas_data, checkpoint)["accuracy"]}
    for name, cells in [("30% wrong", np.where(wrong, elsewhere, cell)), ("all wrong", elsewhere)]:
        data = upload(minio, f"digits-canvas-{name.replace(' ', '-').replace('%', '')}", with_cells(text, cells), split,
                      ignoreColumns=["image"])
        accuracy[name] = evaluate(minio, data, checkpoint)["accuracy"]
    share = wrong[split["test"]].mean()
    print(f"crop reader test accuracy by cell column: " + ", ".join(f"{k} {v:.4f}" for k, v in accuracy.items())
          + f" (share wrong in the 30% column: {share:.3f})")
    # Right cells keep their accuracy, wrong ones fall to about chance: accuracy ~ true - share * (true - chance).
    assert abs(accuracy["30% wrong"] - (accuracy["true"] - share * (accuracy["true"] - 0.1))) < 0.06
    assert accuracy["all wrong"] < 0.3


def test_reader_modes_overfit_and_lr_range_test(minio, canvas_data):
    overfit = make_job(canvas_data, "overfit_check", overfit={"batchSize": 16, "maxSteps": 300, "lossThreshold": 0.01},
                       hyperparameters={"dropout": 0.0, "optimizer": "adam", "lr": 0.01})
    assert ok(minio, overfit)["details"]["passed"] is True
    lr = make_job(canvas_data, "lr_range_test", batchSize=32,
                  schedule={"kind": "range_test", "startLr": 1e-5, "endLr": 10, "numSteps": 60})
    result = ok(minio, lr)
    assert result["metrics"]["steps"] > 10 and result["artifacts"]["curve"].endswith("lr_curve.json")


def test_reader_ignores_digit_and_image_and_refuses_a_missing_cell_column(minio, canvas, canvas_data):
    # No ignoreColumns at all: `image` is a feature column, yet the reader takes only the canvas and the cell.
    data = dict(canvas_data, ignoreColumns=[])
    job = make_job(data, "inspect", split="valid", hyperparameters={"cellColumn": "cell"})
    result = ok(minio, job)
    assert result["metrics"]["features"] == 64, "the model sees the 8x8 crop only"
    bad = make_job(dict(canvas_data, ignoreColumns=["image", "cell"]), "train", epochs=1,
                   hyperparameters={"cellColumn": "cell"})
    run = run_trainer(minio, bad, script=READER)
    assert run.code == 2
    error = read_result(minio, bad)["details"]["error"]
    assert error["field"] == "hyperparameters.cellColumn" and "'cell' is not a feature column" in error["message"]
