"""Write the small CSV tables the README's command-line examples use (needs scikit-learn, once).

- iris_train.csv / iris_test.csv: Fisher's iris (150 flowers, 4 measurements in cm, the species as
  text), shuffled with seed 0 and cut 120 / 30; iris_new.csv: three test flowers without the species.
- diabetes_train.csv / diabetes_test.csv: Efron et al.'s diabetes table (442 patients, 10 raw
  features, the target a disease progression score from 25 to 346), cut 362 / 80.

Run from anywhere: ``python examples/data/make_tables.py``; the files land beside this script.
"""

import csv
from pathlib import Path

import numpy as np
from sklearn.datasets import load_diabetes, load_iris

HERE = Path(__file__).resolve().parent


def write(name, header, rows):
    with open(HERE / name, "w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


def main():
    iris = load_iris()
    order = np.random.default_rng(0).permutation(len(iris.target))
    header = ["sepal_length", "sepal_width", "petal_length", "petal_width", "species"]
    rows = [[*(f"{v:g}" for v in iris.data[i]), iris.target_names[iris.target[i]]] for i in order]
    write("iris_train.csv", header, rows[:120])
    write("iris_test.csv", header, rows[120:])
    write("iris_new.csv", header[:4], [row[:4] for row in rows[120:123]])

    diabetes = load_diabetes(scaled=False)
    order = np.random.default_rng(0).permutation(len(diabetes.target))
    header = [*diabetes.feature_names, "progression"]
    rows = [[*(f"{v:g}" for v in diabetes.data[i]), f"{diabetes.target[i]:g}"] for i in order]
    write("diabetes_train.csv", header, rows[:362])
    write("diabetes_test.csv", header, rows[362:])


if __name__ == "__main__":
    main()
