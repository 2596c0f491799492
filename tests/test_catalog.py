from nndoctor import catalog
from nndoctor.diagnosis import rank
from nndoctor.findings import Finding, Severity


def test_every_explained_id_is_in_the_catalog():
    for entry in catalog.CATALOG.values():
        for child in entry.explains:
            assert child in catalog.CATALOG, (entry.id, child)


def test_cause_ranks_above_the_symptoms_it_explains():
    findings = [
        Finding("loss-nonfinite", "loss NaN at step 12", confidence=0.99, step=12),
        Finding("exploding-gradients", "grad norm 1e6", confidence=0.9),
        Finding("lr-too-high", "update ratio 0.5", confidence=0.7, severity=Severity.WARNING),
    ]
    diagnosis = rank(findings)
    assert diagnosis.ids() == ["lr-too-high", "exploding-gradients", "loss-nonfinite"]
    assert diagnosis.headline.severity is Severity.ERROR  # inherits the worst symptom it explains
    assert diagnosis.findings[2].explained_by == ("exploding-gradients", "lr-too-high")


def test_readme_table_of_ids_is_generated_from_the_catalog():
    from pathlib import Path

    from nndoctor.docs import with_table

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    assert with_table(readme) == readme, "run `make docs` to regenerate the README's table of ids"


def test_ids_are_kebab_case_and_carry_their_knowledge():
    import re

    for entry in catalog.CATALOG.values():
        assert re.fullmatch(r"[a-z]+(-[a-z]+)*", entry.id), entry.id
        assert entry.title and len(entry.summary) > 40 and len(entry.advice) > 20, entry.id
