"""The HTML report: a self-contained page with the findings and the curves behind them."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import torch
from torch import nn

import nndoctor
from nndoctor.cli import main
from nndoctor.diagnosis import rank
from nndoctor.findings import Finding, Severity
from nndoctor.report.html import render_html
from nndoctor.report.svg import MAX_POINTS, Series, _thin, line_chart

FIXTURES = Path(__file__).parent / "fixtures" / "curves"
SCRIPTS = Path(__file__).parent / "scripts"


def diverging_run():
    """SGD with a learning rate far too high: the loss goes to inf then NaN within a few steps."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(10, 32), nn.ReLU(), nn.Linear(32, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=5.0)
    inputs, targets = torch.randn(64, 10), torch.randn(64, 1)
    with nndoctor.watch() as doc:
        for _ in range(40):
            loss = nn.functional.mse_loss(model(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return doc


def test_a_failing_run_gives_a_page_with_its_findings_and_curves():
    doc = diverging_run()
    diagnosis = doc.diagnosis()
    page = render_html([(diagnosis, doc.store)])
    assert diagnosis.headline.id in page and diagnosis.headline.id == "lr-too-high"
    for finding in diagnosis.findings:
        assert f'<span class="id">{finding.id}</span>' in page
    titles = re.findall(r'<text x="\d+" y="16" class="chart-title">([^<]+)</text>', page)
    assert titles[:2] == ["Loss", "Gradient norm (before clipping)"]
    assert "nonfinite-zone" in page  # the NaN stretch of the run is shaded, not left blank
    # self-contained: no script, no stylesheet or image fetched from anywhere
    assert "<script" not in page and not re.search(r"\s(src|href)=", page)


def test_a_healthy_run_says_so():
    torch.manual_seed(0)
    model = nn.Linear(4, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.05)
    inputs = torch.randn(128, 4)
    targets = inputs @ torch.tensor([[1.0], [-2.0], [0.5], [0.0]])
    with nndoctor.watch() as doc:
        for _ in range(300):
            loss = nn.functional.mse_loss(model(inputs), targets)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    page = render_html([(doc.diagnosis(), doc.store)])
    assert "No problems found." in page and 'class="card' not in page
    assert page.count("<svg") >= 2


def test_text_from_the_run_is_escaped():
    finding = Finding("loss-plateau", evidence="layer <script>alert(1)</script> & co", where="a<b>")
    page = render_html([(rank([finding]), None)])
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert "a&lt;b&gt;" in page


def test_a_chart_breaks_its_line_at_nan_and_keeps_spikes_when_thinned():
    values = np.array([1.0, 0.8, np.nan, 0.6, 0.5])
    chart = line_chart("Loss", [Series("loss", np.arange(5), values, "#000")])
    assert chart.count("<polyline") == 2  # a NaN is a gap, not a drop to zero
    steps = np.arange(10 * MAX_POINTS)
    noisy = np.ones(steps.size)
    noisy[7777] = 50.0
    kept_steps, kept = _thin(steps, noisy)
    assert kept_steps.size <= MAX_POINTS and 50.0 in kept
    assert line_chart("empty", [Series("x", np.zeros(0), np.zeros(0), "#000")]) == ""


def test_log_axis_ticks_are_evenly_spaced_decades_inside_the_range():
    chart = line_chart("g", [Series("g", np.arange(3), np.array([1e-3, 1.0, 1e3]), "#000")], log_y=True)
    labels = re.findall(r'x="56" y="[\d.]+" class="tick" text-anchor="end">([^<]+)<', chart)
    exponents = [round(np.log10(float(label))) for label in labels]
    assert len(exponents) >= 3 and all(-3 <= e <= 3 for e in exponents)
    assert [float(label) for label in labels] == [10.0**e for e in exponents]  # powers of ten only
    assert len(set(np.diff(exponents))) == 1


def test_curves_command_writes_one_page_for_several_logs(tmp_path, capsys):
    page = tmp_path / "curves.html"
    code = main(
        [
            "curves",
            "--html",
            str(page),
            str(FIXTURES / "keras_healthy.csv"),
            str(FIXTURES / "keras_overfit_few_val.csv"),
        ]
    )
    assert code == 0
    text = page.read_text()
    assert text.count("<section>") == 2 and "overfitting" in text
    assert "validation loss" in text  # the validation curve is drawn


def test_run_writes_the_page_and_a_bad_html_path_is_one_line(tmp_path, capsys):
    page = tmp_path / "report.html"
    assert main(["run", "--html", str(page), str(SCRIPTS / "healthy.py")]) == 0
    assert page.read_text().startswith("<!DOCTYPE html>")
    assert main(["run", "--html", str(tmp_path / "no" / "r.html"), str(SCRIPTS / "healthy.py")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "does not exist" in err[0]


def test_severity_colours_follow_the_finding():
    findings = [Finding("loss-nonfinite", evidence="NaN", step=3), Finding("loss-plateau", evidence="flat")]
    page = render_html([(rank(findings), None)])
    assert page.index("ERROR") < page.index("loss-plateau")
    assert Severity.ERROR > Severity.WARNING
