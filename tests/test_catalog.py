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
