"""Digits with a planted trap each, for the data checks to catch (`python3 -m gauntlet_trainer.export_dataset NAME`).

Generated, never hand-edited, and byte-for-byte deterministic (seeded):
  digits-leak       digits plus a column `ink_code` that is the label in disguise (label * 7 + 3, 2% of rows
                    scrambled): a one-feature model reads the label off it. The leakage check must name it.
  digits-augmented  every image plus 3 augmented copies (a few pixels nudged by +-1, clipped to 0..16), rows
                    shuffled, with `source_image` (the original's index) as the group. A random split puts copies
                    of one image in train and test (the duplicate check fails); a split grouped by source_image
                    keeps them together (it passes).
  digits-shifted    digits with the label column shifted down one row against the pixels (the first row takes the
                    last label): labels no longer line up with inputs. The preprocessing check must fail.
  digits-canvas     for two-stage pipelines: a 24x24 canvas (p0..p575, row-major, 0..16 like the digits pixels) made
                    of a 3x3 grid of 8x8 cells, one digit image pasted into a random cell over sparse background
                    noise. In half the rows a "ghost" (another digit image with ~30% of its ink erased) sits in
                    another cell, so finding the digit is not trivial. Columns `cell` (0..8, row-major: stage 1's
                    label), `digit` (0..9: stage 2's label), `image` (the source image's index: a group column,
                    since 903 images appear twice, in other cells with other noise). 2700 rows.
"""
import numpy as np


def _digits():
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.data.astype(int), digits.target.astype(int)


def _csv(header, rows) -> str:
    return "\n".join([",".join(header)] + [",".join(str(int(v)) for v in row) for row in rows]) + "\n"


def _pixels():
    return [f"p{i}" for i in range(64)]


def digits_leak_csv() -> str:
    pixels, labels = _digits()
    rng = np.random.default_rng(11)
    code = labels * 7 + 3
    scrambled = rng.random(len(labels)) < 0.02
    code[scrambled] = rng.integers(0, 70, scrambled.sum())
    rows = np.column_stack([pixels, code, labels])
    return _csv(_pixels() + ["ink_code", "label"], rows)


def digits_augmented_csv(copies: int = 3, nudged: int = 4) -> str:
    pixels, labels = _digits()
    rng = np.random.default_rng(7)
    rows = []
    for source, (image, label) in enumerate(zip(pixels, labels)):
        rows.append(np.concatenate([image, [source, label]]))
        for _ in range(copies):
            copy = image.copy()
            where = rng.choice(64, size=nudged, replace=False)
            copy[where] = np.clip(copy[where] + rng.choice([-1, 1], size=nudged), 0, 16)
            rows.append(np.concatenate([copy, [source, label]]))
    order = rng.permutation(len(rows))
    return _csv(_pixels() + ["source_image", "label"], [rows[i] for i in order])


def digits_shifted_csv() -> str:
    pixels, labels = _digits()
    return _csv(_pixels() + ["label"], np.column_stack([pixels, np.roll(labels, 1)]))


CANVAS_GRID, CELL_SIDE = 3, 8  # the canvas is CANVAS_GRID x CANVAS_GRID cells of CELL_SIDE x CELL_SIDE pixels
CANVAS_SIDE = CANVAS_GRID * CELL_SIDE


def _paste(canvas, cell, image):
    """Ink wins: the brighter pixel stays, so an image never erases the noise or a ghost under it, only covers it."""
    top, left = CELL_SIDE * (cell // CANVAS_GRID), CELL_SIDE * (cell % CANVAS_GRID)
    region = canvas[top:top + CELL_SIDE, left:left + CELL_SIDE]
    np.maximum(region, image, out=region)


def digits_canvas_csv(repeats: int = 903, noise: float = 0.05, ghosts: float = 0.5, ghost_ink: float = 0.7) -> str:
    pixels, labels = _digits()
    rng = np.random.default_rng(13)
    cells = CANVAS_GRID * CANVAS_GRID
    sources = np.concatenate([np.arange(len(labels)), rng.choice(len(labels), size=repeats, replace=False)])
    sources = sources[rng.permutation(len(sources))]
    rows = []
    for source in sources:
        canvas = np.zeros((CANVAS_SIDE, CANVAS_SIDE), dtype=int)
        speckled = rng.random(canvas.shape) < noise
        canvas[speckled] = rng.integers(1, 7, speckled.sum())  # faint specks: 1..6 of 16
        cell = int(rng.integers(cells))
        if rng.random() < ghosts:
            ghost_cell = int((cell + 1 + rng.integers(cells - 1)) % cells)  # any other cell, uniformly
            ghost = pixels[rng.integers(len(labels))].reshape(CELL_SIDE, CELL_SIDE)
            _paste(canvas, ghost_cell, ghost * (rng.random(ghost.shape) < ghost_ink))
        _paste(canvas, cell, pixels[source].reshape(CELL_SIDE, CELL_SIDE))
        rows.append(np.concatenate([canvas.ravel(), [cell, labels[source], source]]))
    header = [f"p{i}" for i in range(CANVAS_SIDE * CANVAS_SIDE)] + ["cell", "digit", "image"]
    return _csv(header, rows)


DEMO_DATASETS = {"digits-leak": digits_leak_csv, "digits-augmented": digits_augmented_csv, "digits-shifted": digits_shifted_csv,
                 "digits-canvas": digits_canvas_csv}
