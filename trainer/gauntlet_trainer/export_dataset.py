"""Export a bundled data set as the contract's CSV: `python3 -m gauntlet_trainer.export_dataset digits > digits.csv`.

scikit-learn ships `digits` (1797 8x8 images, values 0..16, 10 classes) inside the package, so examples and tests
need no network. The output is byte-for-byte deterministic: integers only, rows in the data set's order, "\\n" line
endings.
"""
import argparse
import sys


def digits_csv() -> str:
    from sklearn.datasets import load_digits

    digits = load_digits()
    lines = [",".join([f"p{i}" for i in range(digits.data.shape[1])] + ["label"])]
    for row, label in zip(digits.data, digits.target):
        lines.append(",".join([str(int(v)) for v in row] + [str(int(label))]))
    return "\n".join(lines) + "\n"


DATASETS = {"digits": digits_csv}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m gauntlet_trainer.export_dataset", description=__doc__.split("\n")[0])
    parser.add_argument("name", choices=sorted(DATASETS))
    args = parser.parse_args(argv)
    sys.stdout.write(DATASETS[args.name]())
    return 0


if __name__ == "__main__":
    sys.exit(main())
