"""The topics a generated review covers, and the claims each topic makes.

The first fourteen are the shipped review's topics, with its effects and settings
per topic; the rest are themes later reviews of the field add. Statements are
templates over a cancer type, a factor and an MSC source.
"""

from dataclasses import dataclass

from bench.scale_data.distributions import CANCERS, Weighted

MYELOMA = Weighted(
    {"multiple myeloma": 80, "prostate carcinoma": 10, "breast carcinoma": 10}
)
METASTATIC = Weighted(
    {
        "breast carcinoma": 40,
        "melanoma": 20,
        "lung carcinoma": 20,
        "prostate carcinoma": 20,
    }
)
VEHICLE_TARGETS = Weighted(
    {"glioma": 40, "melanoma": 25, "breast carcinoma": 25, "lung carcinoma": 10}
)
PRIMARY, MARROW, BOTH = "primary_tumor", "bone_marrow", "both"


@dataclass(frozen=True)
class Theme:
    slug: str
    name: str
    effects: Weighted
    settings: Weighted
    statements: tuple[str, ...]
    cancers: Weighted | None = CANCERS  # None: a claim about MSC themselves
    disputed: float = 0.1
    shipped: bool = True


def _w(**weights: float) -> Weighted:
    return Weighted(weights)


THEMES = (
    Theme(
        "msc-identity",
        "MSC identity and definition",
        _w(not_assessed=1),
        _w(both=3, bone_marrow=1),
        (
            "{msc} can differentiate into bone, cartilage and fat.",
            "{msc} lack a single defining marker, so cultured populations are "
            "heterogeneous.",
            "{msc} occupy a perivascular position in the tissue they come from.",
        ),
        cancers=None,
        disputed=0.05,
    ),
    Theme(
        "homing",
        "Homing of MSC to tumors",
        _w(not_assessed=11, pro_tumor=1),
        _w(primary_tumor=3, bone_marrow=1),
        (
            "{msc} delivered systemically home to {cancer} and persist there.",
            "{factor} secreted by {cancer} drives the migration of {msc} toward it.",
            "Homing of {msc} to {cancer} resembles their recruitment to wounds.",
        ),
    ),
    Theme(
        "tumor-associated-fibroblasts",
        "MSC as tumor-associated fibroblasts",
        _w(pro_tumor=5, not_assessed=4),
        _w(primary_tumor=1),
        (
            "{msc} give rise to a fraction of the fibroblasts in {cancer} stroma.",
            "Exposure to {cancer}-derived {factor} converts {msc} into "
            "carcinoma-associated fibroblasts.",
        ),
    ),
    Theme(
        "tumor-growth-survival",
        "Tumor growth and survival",
        _w(pro_tumor=8, anti_tumor=5),
        _w(both=2, primary_tumor=1),
        (
            "{msc} promote the growth of {cancer} in vivo.",
            "{msc} protect {cancer} cells from apoptosis through {factor}.",
            "{msc} co-injected with {cancer} cells enlarge the resulting tumors.",
        ),
        disputed=0.3,
    ),
    Theme(
        "angiogenesis",
        "Angiogenesis",
        _w(pro_tumor=4, anti_tumor=4),
        _w(primary_tumor=1),
        (
            "{msc} increase the vascular density of {cancer} through {factor}.",
            "{msc} differentiate into pericytes that stabilise vessels in {cancer}.",
        ),
        disputed=0.3,
    ),
    Theme(
        "immunomodulation",
        "Immunomodulation",
        _w(not_assessed=12, anti_tumor=3, pro_tumor=2),
        _w(both=3, primary_tumor=1),
        (
            "{msc} suppress T-cell proliferation through {factor}.",
            "{msc} let {cancer} escape immune rejection in immunocompetent hosts.",
            "{msc} skew macrophages in {cancer} toward an immunosuppressive phenotype.",
        ),
        disputed=0.15,
    ),
    Theme(
        "metastasis",
        "Metastasis",
        _w(pro_tumor=1),
        _w(primary_tumor=1, both=1),
        (
            "{msc} increase the metastatic spread of {cancer} through {factor}.",
            "{msc} induce epithelial-mesenchymal transition in {cancer} cells.",
        ),
        cancers=METASTATIC,
    ),
    Theme(
        "bone-marrow-niche",
        "Attraction of tumor cells to the bone marrow",
        _w(pro_tumor=13, not_assessed=1),
        _w(bone_marrow=1),
        (
            "{msc} in the marrow attract {cancer} cells through {factor}.",
            "Adhesion of {cancer} cells to marrow stroma induces {factor} secretion.",
        ),
        cancers=MYELOMA,
    ),
    Theme(
        "osteolysis",
        "Osteolysis",
        _w(pro_tumor=1),
        _w(bone_marrow=1),
        (
            "{cancer} cells block osteoblast differentiation of {msc}.",
            "Stromal {factor} drives osteoclast activation in {cancer}.",
        ),
        cancers=MYELOMA,
    ),
    Theme(
        "drug-resistance",
        "Drug resistance",
        _w(pro_tumor=5, anti_tumor=1),
        _w(bone_marrow=1),
        (
            "Adhesion to marrow {msc} makes {cancer} cells resistant to chemotherapy.",
            "Stromal {factor} protects {cancer} cells from targeted drugs.",
        ),
        cancers=MYELOMA,
        disputed=0.15,
    ),
    Theme(
        "anti-tumor-effects",
        "Pro- versus anti-tumorigenic effects",
        _w(anti_tumor=6, mixed=3, pro_tumor=2),
        _w(primary_tumor=1, both=1),
        (
            "{msc} inhibit the growth of {cancer}.",
            "The effect of {msc} on {cancer} depends on the timing of their delivery.",
            "{msc} arrest {cancer} cells in the G1 phase of the cell cycle.",
        ),
        disputed=0.35,
    ),
    Theme(
        "therapy-vehicles",
        "MSC as delivery vehicles",
        _w(anti_tumor=7, pro_tumor=3, not_assessed=1),
        _w(primary_tumor=1),
        (
            "{msc} engineered to express {factor} slow the growth of {cancer}.",
            "{msc} carrying oncolytic virus reach and shrink {cancer}.",
        ),
        cancers=VEHICLE_TARGETS,
        disputed=0.2,
    ),
    Theme(
        "myeloma-therapy",
        "Myeloma and therapy: targeting the marrow microenvironment",
        _w(pro_tumor=5, anti_tumor=4),
        _w(bone_marrow=1),
        (
            "Blocking {factor} between stroma and {cancer} cells restores drug "
            "sensitivity.",
            "Proteasome inhibitors overcome stroma-mediated protection of {cancer} "
            "cells.",
        ),
        cancers=MYELOMA,
        disputed=0.15,
    ),
    Theme(
        "msc-transformation",
        "MSC transformation and cell of origin",
        _w(pro_tumor=3, not_assessed=2),
        _w(both=2, bone_marrow=1),
        (
            "Long-term cultured {msc} transform spontaneously.",
            "{msc} are a cell of origin of {cancer}.",
        ),
        disputed=0.3,
    ),
    Theme(
        "extracellular-vesicles",
        "Extracellular vesicles from MSC",
        _w(pro_tumor=3, anti_tumor=2),
        _w(primary_tumor=2, both=1),
        (
            "Exosomes from {msc} transfer {factor} to {cancer} cells.",
            "Vesicles released by {msc} promote dormancy of {cancer} cells.",
        ),
        disputed=0.25,
        shipped=False,
    ),
    Theme(
        "cancer-stem-cells",
        "Cancer stem cell niche",
        _w(pro_tumor=1),
        _w(primary_tumor=1, both=1),
        ("{msc} expand the cancer stem cell fraction of {cancer} through {factor}.",),
        shipped=False,
    ),
    Theme(
        "hypoxia",
        "Hypoxia and metabolic crosstalk",
        _w(pro_tumor=3, not_assessed=1),
        _w(primary_tumor=1),
        (
            "Hypoxia increases the secretion of {factor} by {msc} in {cancer}.",
            "{msc} supply lactate and fatty acids that fuel {cancer} cells.",
        ),
        shipped=False,
    ),
    Theme(
        "dormancy",
        "Tumor dormancy in the marrow",
        _w(pro_tumor=1, anti_tumor=1),
        _w(bone_marrow=1),
        ("{msc} in the marrow keep disseminated {cancer} cells dormant.",),
        cancers=METASTATIC,
        disputed=0.3,
        shipped=False,
    ),
    Theme(
        "engineered-msc",
        "Engineered MSC in clinical trials",
        _w(anti_tumor=2, no_effect=1),
        _w(primary_tumor=1),
        ("{msc} expressing {factor} are safe in patients with {cancer}.",),
        cancers=VEHICLE_TARGETS,
        disputed=0.2,
        shipped=False,
    ),
    Theme(
        "adipose-stroma",
        "Adipose stromal cells and obesity-linked cancer",
        _w(pro_tumor=1),
        _w(primary_tumor=1),
        ("Adipose stromal cells recruited to {cancer} promote its vascularisation.",),
        shipped=False,
    ),
)
# A review covers most of the shipped themes and a few of the others.
THEME_WEIGHTS = Weighted({theme: 4 if theme.shipped else 1 for theme in THEMES})
MSC_NAMES = Weighted(
    {
        "bone marrow MSC": 50,
        "marrow stromal cells": 10,
        "adipose-derived MSC": 10,
        "umbilical cord MSC": 5,
        "human MSC": 15,
        "tumor-resident MSC": 5,
    }
)
FACTORS = Weighted(
    {
        "IL-6": 20,
        "CCL5": 8,
        "CXCL12": 12,
        "TGF-beta1": 10,
        "VEGF": 10,
        "PDGF-BB": 4,
        "IL-8": 5,
        "HGF": 4,
        "CCL2": 6,
        "IGF-1": 4,
        "galectin-1": 2,
        "IDO": 3,
        "TRAIL": 4,
        "interferon-beta": 3,
        "DKK1": 3,
    }
)
