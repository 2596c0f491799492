"""`nndoctor data FILE`: CSV, Parquet and .npz files, and one clear line with status 2 for a bad file."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits

from nndoctor.cli import main as cli_main


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = cli_main(["data", *(str(a) for a in args)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("nndoctor: "), err
    return lines[0]


@pytest.fixture(scope="module")
def cancer_csv(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("data") / "cancer.csv"
    load_breast_cancer(as_frame=True).frame.to_csv(path, index=False)
    return path


def test_csv_with_raw_units_names_the_columns(capsys, cancer_csv, tmp_path):
    report = tmp_path / "report.json"
    code, out, err = run(capsys, cancer_csv, "--target", "target", "--json", report)
    assert code == 0 and err == ""
    assert "cancer.csv: 569 samples, 30 features: 1 warning." in out
    data = json.loads(report.read_text())
    assert "worst area (mean 881" in data["findings"][0]["evidence"]
    assert data["schema"] == "nndoctor.report/1"
    assert [f["id"] for f in data["findings"]] == ["data-not-normalized"]
    assert data["run"]["samples"] == 569 and data["run"]["target"] == "target"


def test_a_guessed_target_column_is_said(capsys, cancer_csv):
    code, out, _ = run(capsys, cancer_csv)
    assert code == 0 and "target column: target (guessed" in out


def test_fail_on_and_quiet(capsys, cancer_csv):
    code, out, _ = run(capsys, cancer_csv, "--fail-on", "warning", "--quiet")
    assert code == 1 and out.strip() == "nndoctor: WARNING data-not-normalized: Inputs are not normalised"
    assert run(capsys, cancer_csv, "--fail-on", "error", "--quiet")[0] == 0


def test_healthy_csv_is_quiet(capsys, tmp_path):
    rng = np.random.default_rng(0)
    path = tmp_path / "healthy.csv"
    rows = ["a,b,flag,label"] + [
        f"{a:.4f},{b:.4f},{f},{c}"
        for a, b, f, c in zip(
            rng.normal(size=500), rng.normal(size=500), rng.integers(0, 2, 500), rng.integers(0, 3, 500)
        )
    ]
    path.write_text("\n".join(rows) + "\n")
    code, out, _ = run(capsys, path, "--target", "label")
    assert code == 0 and "No problems found." in out


def test_missing_values_and_text_columns(capsys, tmp_path):
    path = tmp_path / "people.csv"
    path.write_text(
        "age,city,label\n" + "".join(f"{'' if i % 4 == 0 else 0.1 * i},c{i % 3},{i % 2}\n" for i in range(40))
    )
    code, out, _ = run(capsys, path, "--target", "label")
    assert code == 0
    assert "data-nonfinite" in out and "missing or NaN values in 1 of 1 features: age (10 NaN)" in out
    assert "left out 1 non-numeric column(s): city" in out


def test_headerless_csv_takes_a_column_number(capsys, tmp_path):
    path = tmp_path / "plain.csv"
    rng = np.random.default_rng(0)
    path.write_text(
        "".join(
            f"{a:.3f},{b:.3f},{c}\n"
            for a, b, c in zip(rng.normal(size=90), rng.normal(size=90), np.arange(90) % 3 + 1)
        )
    )
    code, out, _ = run(capsys, path, "--target", "-1", "--classes", "3")
    assert code == 0 and "labels-out-of-range" in out and "column 2" in out


def test_npz_with_x_and_y(capsys, tmp_path):
    digits = load_digits()
    path = tmp_path / "digits.npz"
    np.savez(path, X=digits.data, y=digits.target)
    code, out, _ = run(capsys, path)
    assert code == 0 and "data-not-normalized" in out and "divide by 16" in out
    np.savez(path, X=digits.data / 16, y=digits.target)
    code, out, _ = run(capsys, path)
    assert code == 0 and "WARNING" not in out and "ERROR" not in out


def test_npz_target_names_the_array(capsys, tmp_path):
    path = tmp_path / "arrays.npz"
    rng = np.random.default_rng(0)
    np.savez(path, features=rng.normal(size=(100, 3)), price=rng.normal(3e5, 1e5, 100))
    code, out, _ = run(capsys, path, "--target", "price")
    assert code == 0 and "targets-not-normalized" in out


def test_parquet(capsys, tmp_path):
    pytest.importorskip("pyarrow")
    path = tmp_path / "cancer.parquet"
    load_breast_cancer(as_frame=True).frame.to_parquet(path)
    code, out, _ = run(capsys, path, "--target", "target", "--quiet")
    assert code == 0 and "data-not-normalized" in out


# --- mistakes: one line, status 2 ----------------------------------------------------------------
def test_missing_target_column_lists_the_columns(capsys, cancer_csv):
    code, out, err = run(capsys, cancer_csv, "--target", "diagnosis")
    line = one_line(err)
    assert code == 2 and out == ""
    assert "has no column 'diagnosis'" in line and "its columns are: mean radius, mean texture" in line
    code, _, err = run(capsys, cancer_csv, "--target", "targt")
    assert code == 2 and "did you mean 'target'?" in one_line(err)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "is empty; nothing to check"),
        ("blank.csv", b"\n\n  \n", "is empty; nothing to check"),
        ("header.csv", b"a,b,label\n", "has a header line but no rows"),
        ("ragged.csv", b"a,b,label\n1,2,0\n3,4,1,5,6\n7,8,1\n", "is not a well-formed CSV file"),
        ("binary.csv", b"\x00\x01\x02garbage\x00", "is not a text file"),
        ("broken.npz", b"PK\x03\x04 not really a zip", "is not a readable .npz file"),
        ("broken.parquet", b"PAR1 not really parquet", "is not a readable Parquet file"),
        ("letters.csv", b"a,b,label\nx,y,0\nz,w,1\n", "has no numeric feature columns"),
    ],
)
def test_bad_files_end_in_one_line_and_status_2(capsys, tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    code, out, err = run(capsys, path, "--target", "label") if name.endswith(".csv") else run(capsys, path)
    assert code == 2 and out == ""
    assert message in one_line(err)


def test_missing_file_directory_and_missing_npz_array(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path / "nope.csv")
    assert code == 2 and "no such file" in one_line(err)
    code, _, err = run(capsys, tmp_path)
    assert code == 2 and "is a directory" in one_line(err)
    path = tmp_path / "a.npz"
    np.savez(path, X=np.zeros((3, 2)), y=np.zeros(3))
    code, _, err = run(capsys, path, "--target", "labels")
    assert code == 2 and "has no array 'labels'; its arrays are: X, y" in one_line(err)
    np.savez(path, X=np.zeros((3, 2)), y=np.zeros(4))
    code, _, err = run(capsys, path)
    assert code == 2 and "has 3 samples but array 'y' has 4" in one_line(err)


def test_bad_options_and_output_path(capsys, cancer_csv, tmp_path):
    assert run(capsys, cancer_csv, "--classes", "1")[0] == 2
    code, _, err = run(capsys, cancer_csv, "--json", tmp_path / "no" / "such" / "folder.json")
    assert code == 2 and "does not exist" in one_line(err)
