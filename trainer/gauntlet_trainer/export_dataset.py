"""Export a bundled data set as the contract's CSV: `python3 -m gauntlet_trainer.export_dataset digits > digits.csv`.

scikit-learn ships these inside the package, so examples and tests need no network:
  digits         1797 8x8 images, columns p0..p63 (integers 0..16), label 0..9.
  breast_cancer  569 tumours (Wisconsin diagnostic), 30 float features with wildly different scales (areas ~1000,
                 smoothness ~0.1), columns named after sklearn's feature names (lower case, "_" for spaces:
                 mean_radius, ..., worst_fractal_dimension), label 0 = malignant, 1 = benign (sklearn's target).
Also digits-leak, digits-augmented and digits-shifted: digits with a trap each, and digits-canvas: a digit somewhere
on a 3x3 canvas, for two-stage pipelines (demo_datasets.py).
The output is byte-for-byte deterministic: rows in the data set's order, "\\n" line endings, integers as integers and
floats with format(v, ".10g") (shortest form up to 10 significant digits; the shipped values have at most 6).
"""
import argparse
import re
import sys


def digits_csv() -> str:
    from sklearn.datasets import load_digits

    digits = load_digits()
    lines = [",".join([f"p{i}" for i in range(digits.data.shape[1])] + ["label"])]
    for row, label in zip(digits.data, digits.target):
        lines.append(",".join([str(int(v)) for v in row] + [str(int(label))]))
    return "\n".join(lines) + "\n"


def breast_cancer_csv() -> str:
    from sklearn.datasets import load_breast_cancer

    data = load_breast_cancer()
    names = [re.sub(r"[^a-z0-9]+", "_", str(name).strip().lower()).strip("_") for name in data.feature_names]
    lines = [",".join(names + ["label"])]
    for row, label in zip(data.data, data.target):
        lines.append(",".join([format(float(v), ".10g") for v in row] + [str(int(label))]))
    return "\n".join(lines) + "\n"


DATASETS = {"digits": digits_csv, "breast_cancer": breast_cancer_csv}
# The demo data sets (demo_datasets.py): `demo:<name>` in a pipeline.
from .demo_datasets import DEMO_DATASETS  # noqa: E402

DATASETS.update(DEMO_DATASETS)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m gauntlet_trainer.export_dataset", description=__doc__.split("\n")[0])
    parser.add_argument("name", choices=sorted(DATASETS))
    args = parser.parse_args(argv)
    sys.stdout.write(DATASETS[args.name]())
    return 0


if __name__ == "__main__":
    sys.exit(main())
