"""The terminal and JSON reports, rendered from hand-made diagnoses."""

from __future__ import annotations

import io
import json
import math

import pytest
from rich.console import Console

from nndoctor.diagnosis import rank
from nndoctor.findings import Finding, Severity
from nndoctor.report import headline_text, print_report, render_plain, to_json, write_json

RUN = {
    "script": "examples/train.py",
    "steps": 57,
    "exit_code": 1,
    "wall_s": 12.3,
    "overhead_share": 0.021,
    "optimizer": "SGD",
    "lr": 2.5,
}


@pytest.fixture
def diagnosis():
    return rank(
        [
            Finding("loss-nonfinite", "The loss was NaN from step 7 on.", confidence=0.99, step=7),
            Finding(
                "lr-too-high",
                "Updates moved the weights by 35% of their norm per step (healthy: about 0.1%), and the "
                "gradient norm grew a million times in five steps.",
                confidence=0.9,
                step=0,
                where="2.weight",
                advice="Use lr=0.25 (10x lower).",
            ),
            Finding("class-imbalance", "Class 0 holds 92% of the labels.", confidence=0.6),
            Finding("data-constant-features", "3 of 16 input features are constant.", confidence=0.7),
        ],
        status="crashed",
        run=RUN,
    )


def test_plain_report_leads_with_the_headline(diagnosis):
    text = render_plain(diagnosis)
    assert "train.py crashed after 57 steps (exit status 1): 2 errors, 1 warning, 1 note." in text
    flat = " ".join(text.replace("│", " ").split())
    assert "ERROR · lr-too-high" in flat
    assert "The learning rate is too high" in flat
    assert "Updates moved the weights by 35% of their norm per step" in flat
    assert "Try: Use lr=0.25 (10x lower). Lower it 10x at a time" in flat
    assert "step 0 · 2.weight · confidence 90% · explains loss-nonfinite" in flat
    assert text.index("lr-too-high") < text.index("Also found") < text.index("loss-nonfinite ·")
    assert "explained by lr-too-high · step 7 · confidence 99%" in flat
    assert "Try: Weight the loss by inverse class frequency" in flat  # an independent cause: its advice
    assert "57 steps · 12.3 s · nndoctor overhead 2.1% · SGD lr=2.5" in text
    assert "nndoctor explain lr-too-high" in text


def test_plain_report_fits_80_columns_without_ansi_or_trailing_blanks(diagnosis):
    text = render_plain(diagnosis)
    assert "\x1b" not in text
    for line in text.splitlines():
        assert len(line) <= 80, line
        assert line == line.rstrip()


def test_print_report_to_a_pipe_is_plain_text(diagnosis):
    stream = io.StringIO()
    print_report(diagnosis, file=stream)
    assert stream.getvalue() == render_plain(diagnosis)


def test_any_rich_console_prints_a_diagnosis_in_colour(diagnosis):
    stream = io.StringIO()
    console = Console(file=stream, force_terminal=True, color_system="standard", width=80)  # no theme
    console.print(diagnosis)  # Diagnosis.__rich_console__ yields the report's renderables
    assert "\x1b[" in stream.getvalue()
    assert "lr-too-high" in stream.getvalue()


def test_str_of_a_diagnosis_is_the_plain_report(diagnosis):
    assert str(diagnosis) == render_plain(diagnosis)


def test_a_healthy_run_says_no_problems_found():
    text = render_plain(rank([], run={"script": "train.py", "steps": 300, "exit_code": 0, "wall_s": 4.2}))
    assert "train.py finished 300 steps." in text
    assert "No problems found." in text
    assert "300 steps · 4.2 s" in text
    assert "Also found" not in text


def test_internal_errors_get_a_line(diagnosis):
    diagnosis.run["internal_errors"] = [{"check": "gradients.vanishing", "error": "KeyError: 'grad_norm'"}]
    flat = " ".join(render_plain(diagnosis).split())
    assert "nndoctor had an internal error (gradients.vanishing: KeyError: 'grad_norm')" in flat


def test_an_info_headline_and_long_words_still_fit():
    long_where = "encoder.layers.11.self_attention.in_projection.weight_of_a_very_long_name_indeed_x"
    diagnosis = rank([Finding("data-constant-features", "x" * 200, where=long_where)])
    text = render_plain(diagnosis, width=80)
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "INFO · data-constant-features" in text


def test_headline_text_is_one_line(diagnosis):
    assert headline_text(diagnosis) == "nndoctor: ERROR lr-too-high: The learning rate is too high (+3 more)"
    assert headline_text(rank([], run={"steps": 1})) == "nndoctor: no problems found (1 step)"


def test_json_is_strict_even_with_nan_and_infinity(tmp_path):
    diagnosis = rank(
        [Finding("loss-nonfinite", "loss NaN", step=7, severity=Severity.ERROR)],
        status="interrupted",
        run={"steps": 8, "lr": float("nan"), "overhead_share": float("inf"), "losses": [1.0, float("-inf")]},
    )
    text = to_json(diagnosis)

    def refuse(constant):
        raise AssertionError(f"{constant} in strict JSON")

    data = json.loads(text, parse_constant=refuse)
    assert data["run"]["lr"] is None and data["run"]["overhead_share"] is None
    assert data["run"]["losses"] == [1.0, None]
    assert data["status"] == "interrupted"
    finding = data["findings"][0]
    assert finding["id"] == "loss-nonfinite" and finding["step"] == 7
    assert {"id", "severity", "kind", "title", "evidence", "advice", "confidence"} <= set(finding)

    path = tmp_path / "report.json"
    write_json(diagnosis, path)
    assert json.loads(path.read_text()) == data
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary left behind


def test_json_keeps_the_ranking_and_the_causal_links(diagnosis):
    data = json.loads(to_json(diagnosis))
    assert data["schema"] == "nndoctor.report/1"
    assert [f["id"] for f in data["findings"]] == diagnosis.ids()
    head = data["findings"][0]
    assert head["explains"] == ["loss-nonfinite"] and head["where"] == "2.weight"
    assert data["findings"][1]["explained_by"] == ["lr-too-high"]
    assert not math.isnan(data["run"]["lr"])


def test_the_overhead_share_is_of_the_training_and_the_label_check_has_its_seconds():
    """The label check runs once, at the end: its seconds are not the monitor's cost per step."""
    from nndoctor.analyze import diagnose_store
    from nndoctor.monitor.store import Store

    store = Store()
    for data in ({"duration_s": 10.0, "overhead_s": 4.4}, {"label_check": {"seconds": 3.1}}):
        store.apply({"kind": "structure", "data": data})
    run = diagnose_store(store).run
    assert run["overhead_share"] == pytest.approx((4.4 - 3.1) / (10.0 - 3.1), abs=1e-4)
    flat = " ".join(render_plain(diagnose_store(store)).split())
    assert "nndoctor overhead 18.8%" in flat and "label check 3.1 s" in flat


def test_the_summary_shows_the_peak_rate_and_the_last_when_a_schedule_moved_it():
    run = RUN | {"optimizer": "AdamW", "lr": 1e-3, "lr_last": 2.5e-6}
    text = " ".join(render_plain(rank([], status="completed", run=run)).split())
    assert "AdamW lr=0.001 at its peak, 2.5e-06 at the end" in text
