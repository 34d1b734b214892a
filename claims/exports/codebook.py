"""What every coded value in the public data means, in one place: a release's
datapackage.json (each coded CSV column) and release.schema.json (each coded
field of release.json) define each value from here.

Every value of every choice a release writes has a definition (a test checks
it against the models' choices, so a new value cannot ship undefined). The
claims' statuses are defined by the status rule that gives them, and their
kinds as the methods page says (claims.status_rules).
"""

from claims.models import Claim, Evidence, Publication
from claims.status_rules import CLAIM_KINDS, RULES, ClaimStatus, LeftOut

EVIDENCE = {
    "stance": {
        Evidence.Stance.SUPPORTS: "The finding agrees with the claim.",
        Evidence.Stance.REFUTES: "The finding contradicts the claim.",
        Evidence.Stance.QUALIFIES: "The finding limits the claim or makes it "
        "hold only under some conditions.",
    },
    "effect": {
        Evidence.Effect.PRO_TUMOR: "MSC helped the tumor: it grew, spread, "
        "survived treatment or escaped immunity more.",
        Evidence.Effect.ANTI_TUMOR: "MSC hindered the tumor: it grew, spread or "
        "survived less.",
        Evidence.Effect.NO_EFFECT: "MSC made no difference to the tumor that the "
        "paper measured.",
        Evidence.Effect.MIXED: "MSC helped the tumor in one respect and hindered "
        "it in another.",
        Evidence.Effect.NOT_ASSESSED: "The finding is about MSC biology alone; no "
        "effect on a tumor was measured.",
    },
    "level": {
        Evidence.Level.IN_VITRO: "Cells in culture.",
        Evidence.Level.ANIMAL: "An animal model.",
        Evidence.Level.HUMAN_SAMPLES: "Tissue or cells taken from patients, "
        "studied outside the body.",
        Evidence.Level.CLINICAL: "A study of patients.",
        Evidence.Level.REVIEW: "A review article: listed, never counted.",
    },
    "msc_source": {
        Evidence.MscSource.BONE_MARROW: "MSC isolated from bone marrow.",
        Evidence.MscSource.ADIPOSE: "MSC isolated from adipose tissue.",
        Evidence.MscSource.UMBILICAL_CORD: "MSC isolated from umbilical cord.",
        Evidence.MscSource.OTHER: "MSC from another tissue.",
    },
    "species": {
        Evidence.Species.HUMAN: "Human MSC.",
        Evidence.Species.MOUSE: "Mouse MSC.",
        Evidence.Species.RAT: "Rat MSC.",
        Evidence.Species.OTHER: "MSC of another species.",
    },
    "model": {
        Evidence.ExperimentalModel.CELL_LINE_XENOGRAFT: "A tumor cell line grown "
        "in an animal of another species (usually human cells in mice).",
        Evidence.ExperimentalModel.SYNGENEIC: "A tumor grown in an animal of the "
        "same species and strain, whose immune system is intact.",
        Evidence.ExperimentalModel.GEMM: "A mouse engineered to develop the "
        "tumor itself.",
        Evidence.ExperimentalModel.PDX: "Tumor tissue from a patient grown in an "
        "animal.",
        Evidence.ExperimentalModel.PATIENT_MATERIAL: "Cells or tissue from patients.",
        Evidence.ExperimentalModel.CELL_CULTURE: "Cell lines in culture.",
    },
    "immune_status": {
        Evidence.ImmuneStatus.IMMUNODEFICIENT: "The host animal lacks a working "
        "immune system (nude, SCID or NOD/SCID mice, for example).",
        Evidence.ImmuneStatus.IMMUNOCOMPETENT: "The host animal's immune system "
        "is intact.",
    },
    "delivery": {
        Evidence.Delivery.CO_INJECTION: "MSC injected together with the tumor "
        "cells, mixed.",
        Evidence.Delivery.SYSTEMIC: "MSC injected into the blood, apart from the "
        "tumor.",
        Evidence.Delivery.LOCAL: "MSC injected into or next to an established tumor.",
        Evidence.Delivery.CO_CULTURE: "MSC grown together with tumor cells.",
        Evidence.Delivery.CONDITIONED_MEDIUM: "Tumor cells given the medium MSC "
        "had grown in, not the cells.",
    },
    "status": {
        Evidence.Status.DRAFT: "Being written by a curator; not public.",
        Evidence.Status.SUBMITTED: "Awaiting an editor's review; not public.",
        Evidence.Status.ACCEPTED: "Reviewed and accepted by an editor: public, "
        "and weighed by the status rules (which leave some out: see claims' "
        "left_out).",
        Evidence.Status.REJECTED: "Reviewed and rejected by an editor, with a "
        "reason; not public.",
    },
}

_RULE_OF = {rule.status: rule for rule in RULES}

CLAIM = {
    # Each status is given by one rule (R0-R6), which says when.
    "status": {
        status: f"Rule {_RULE_OF[status].code}: {_RULE_OF[status].when}."
        for status in ClaimStatus
    },
    "setting": {
        Claim.Setting.PRIMARY_TUMOR: "The claim is about the primary tumor.",
        Claim.Setting.BONE_MARROW: "The claim is about the bone marrow, where "
        "tumor cells home, grow and destroy bone.",
        Claim.Setting.BOTH: "The claim is about the primary tumor and the bone marrow.",
    },
    "kind": dict(CLAIM_KINDS),
    "status_rule": {rule.code: f"{rule.when}." for rule in RULES},
    "left_out": {reason: f"An accepted record {reason.label}." for reason in LeftOut},
}

PUBLICATION = {
    "metadata_state": {
        Publication.MetadataState.PENDING: "Not yet fetched from PubMed.",
        Publication.MetadataState.CURRENT: "Fetched from PubMed; the record is "
        "the one PubMed gave at fetched_at.",
        Publication.MetadataState.MISSING: "PubMed returns no record for this "
        "PMID (withdrawn, or never a PubMed ID).",
        Publication.MetadataState.FAILED: "Fetching from PubMed failed before it "
        "ever succeeded: the paper has no PubMed metadata yet (a paper fetched "
        "once stays current when a later fetch fails).",
    },
    "verification": {
        Publication.Verification.UNVERIFIED: "PubMed has not yet confirmed that "
        "the PMID is the paper the curator meant.",
        Publication.Verification.VERIFIED: "PubMed's title matches the title the "
        "curator checked.",
        Publication.Verification.MISMATCH: "PubMed's title differs from the title "
        "the curator checked: the paper's evidence does not count until a curator "
        "resolves it.",
    },
}

CODEBOOK = {"evidence": EVIDENCE, "claims": CLAIM, "publications": PUBLICATION}
MODELS = {"evidence": Evidence, "claims": Claim, "publications": Publication}
# Labels of the code lists that are not a field's choices.
LABELS = {
    ("claims", "left_out"): {reason.value: reason.label for reason in LeftOut},
    ("claims", "status_rule"): {rule.code: rule.code for rule in RULES},
}


def categories(table: str, field: str) -> list[dict[str, str]]:
    """Each coded value of a table's field, in order, with its label and its
    definition."""
    choices = MODELS[table]._meta.get_field(field).choices
    named = LABELS.get((table, field)) or {
        str(value): str(label) for value, label in choices or ()
    }
    return [
        {"value": str(v), "label": named[str(v)], "definition": str(definition)}
        for v, definition in CODEBOOK[table][field].items()
    ]
