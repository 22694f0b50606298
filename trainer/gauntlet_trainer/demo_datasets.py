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


DEMO_DATASETS = {"digits-leak": digits_leak_csv, "digits-augmented": digits_augmented_csv, "digits-shifted": digits_shifted_csv}
