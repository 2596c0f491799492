"""Ranking findings into a diagnosis: the root cause first, the symptoms it explains after it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import catalog
from .findings import Finding, Severity

SCHEMA = "nndoctor.report/1"
STATUSES = ("completed", "crashed", "interrupted")


@dataclass(frozen=True)
class RankedFinding:
    """A finding joined with its catalog entry and its place in the causal graph of this run."""

    id: str
    severity: Severity
    kind: catalog.Kind
    title: str
    evidence: str
    advice: str
    confidence: float
    step: int | None = None
    where: str | None = None
    explains: tuple[str, ...] = ()  # present findings this one explains
    explained_by: tuple[str, ...] = ()  # present causes that explain this one

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "id": self.id,
            "severity": str(self.severity),
            "kind": str(self.kind),
            "title": self.title,
            "evidence": self.evidence,
            "advice": self.advice,
            "confidence": round(self.confidence, 3),
        }
        if self.step is not None:
            out["step"] = self.step
        if self.where is not None:
            out["where"] = self.where
        if self.explains:
            out["explains"] = list(self.explains)
        if self.explained_by:
            out["explained_by"] = list(self.explained_by)
        return out


@dataclass
class Diagnosis:
    """The ranked findings of one run, plus a summary of the run itself. Renderers only read it."""

    findings: list[RankedFinding]
    status: str = "completed"
    run: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")

    @property
    def headline(self) -> RankedFinding | None:
        return self.findings[0] if self.findings else None

    @property
    def worst_severity(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)

    def ids(self) -> list[str]:
        return [f.id for f in self.findings]

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "status": self.status,
            "findings": [f.to_dict() for f in self.findings],
            "run": self.run,
        }

    def to_json(self, indent: int | None = 2) -> str:
        """Strict JSON (NaN and Inf become null), in the schema the README documents."""
        from .report.json import to_json

        return to_json(self, indent=indent)

    def __str__(self) -> str:
        from .report.terminal import render_plain

        return render_plain(self)

    def __rich_console__(self, console, options):
        from .report.terminal import renderables

        yield from renderables(self)


def rank(
    findings: list[Finding], *, status: str = "completed", run: dict[str, Any] | None = None
) -> Diagnosis:
    """Order findings so that a root cause comes before the symptoms it explains.

    Duplicated ids keep their most confident finding. A cause explains another cause only when at least as
    confident. A cause takes the worst severity of the symptoms it
    explains (the cause of an error is an error); then findings sort by severity, causes that explain
    something before those that do not, unexplained before explained, and by confidence.
    """
    best: dict[str, Finding] = {}
    for finding in findings:
        catalog.entry(finding.id)  # an unknown id is a programming error: fail loudly in tests
        if finding.id not in best or finding.confidence > best[finding.id].confidence:
            best[finding.id] = finding

    present = set(best)
    explainers = {fid: sorted(_explainers(fid, present, best)) for fid in present}
    explains = {fid: sorted(other for other in present if fid in explainers[other]) for fid in present}

    ranked = []
    for fid, finding in best.items():
        entry = catalog.entry(fid)
        severity = finding.severity if finding.severity is not None else entry.severity
        severity = max([severity] + [_base_severity(best[s]) for s in explains[fid]])
        advice = " ".join(part for part in (finding.advice, entry.advice) if part)
        ranked.append(
            RankedFinding(
                id=fid,
                severity=severity,
                kind=entry.kind,
                title=entry.title,
                evidence=finding.evidence,
                advice=advice,
                confidence=finding.confidence,
                step=finding.step,
                where=finding.where,
                explains=tuple(explains[fid]),
                explained_by=tuple(explainers[fid]),
            )
        )

    ranked.sort(key=lambda f: (-f.severity, bool(f.explained_by), not f.explains, -f.confidence, f.id))
    return Diagnosis(findings=ranked, status=status, run=dict(run or {}))


def _explainers(fid: str, present: set[str], best: dict[str, Finding]) -> set[str]:
    """The present causes that explain `fid`. A cause explains another cause (unnormalised inputs make a
    learning rate too high) only when it is at least as severe or as sure on its own evidence: a
    borderline data warning must not take the blame for a learning rate that is an error by itself."""
    through_catalog = catalog.explained_by(fid)
    candidates = through_catalog & present
    # and the findings that explain it in this run: directly, or through a symptom the catalog links to it
    candidates |= {c for c in present if fid in best[c].explains or through_catalog & set(best[c].explains)}
    candidates.discard(fid)
    if catalog.entry(fid).kind is not catalog.Kind.CAUSE:
        return candidates
    own = _base_severity(best[fid])
    return {
        c for c in candidates if _base_severity(best[c]) >= own or best[c].confidence >= best[fid].confidence
    }


def _base_severity(finding: Finding) -> Severity:
    return finding.severity if finding.severity is not None else catalog.entry(finding.id).severity
