"""Text for generated records: author names, titles, abstracts and findings.

Sentences are templates over one subject per paper (an MSC source, a cancer type,
two factors, a pathway, an outcome), so a paper reads as being about one thing.
"""

import re
from random import Random

from bench.scale_data.distributions import CANCERS
from bench.scale_data.themes import FACTORS, MSC_NAMES
from claims.literature.pubmed.records import Author


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


LAST_NAMES = _words(
    """
Smith Müller Wang Li Zhang Chen Liu Yang Kim Park Lee Nguyen Tanaka Suzuki Sato
Rossi Russo Bianchi Garcia Martinez Lopez Rodriguez Fernandez Silva Santos Costa
Dubois Martin Bernard Leroy Schmidt Schneider Fischer Weber Meyer Wagner Becker
Andersson Johansson Nilsson Jensen Hansen Nielsen Kowalski Nowak Ivanov Petrov
Cohen Levi Shah Patel Singh Kumar Gupta Ahmed Hassan Okafor Mensah Brown Taylor
Wilson Johnson Williams Davies Evans Murphy O'Brien Janssen Bergfeld DeClerck
Studeny Karnoub Khakoo Prockop Hideshima
"""
)
LAST_NAMES += ("van der Berg", "de Vries", "Le Blanc", "Di Nicola", "O'Connor")
FORE_NAMES = _words(
    """
John Mary Wei Li-Na Hyun-Jin Hiroshi Yuki Giulia Marco Maria José Ana Pierre
Marie Jean-Pierre Anna Thomas Stefan Katrin Lars Ingrid Piotr Olga Dmitri David
Sarah Rachel Priya Arjun Rahul Fatima Omar Chinedu Ama Michael Emily James
Laura Daniel Sofia Lucas Elena Yves Frank Bart Keiko Min-Jun Xiaoming Jing
"""
)
COLLECTIVE_NAMES = (
    "International Myeloma Working Group",
    "MSC in Cancer Consortium",
    "Stromal Biology Study Group",
)
PATHWAYS = (
    "NF-kappaB",
    "STAT3",
    "PI3K/Akt",
    "Wnt/beta-catenin",
    "Notch",
    "ERK1/2",
    "Hedgehog",
    "TGF-beta/Smad",
)
OUTCOMES = (
    "tumor growth",
    "metastasis",
    "angiogenesis",
    "resistance to apoptosis",
    "invasion",
    "drug resistance",
    "osteolysis",
    "immune evasion",
)
MODELS = (
    "a subcutaneous xenograft model in NOD/SCID mice",
    "a syngeneic model in C57BL/6 mice",
    "an orthotopic model in nude mice",
    "a syngeneic rat model",
    "a transwell co-culture system",
    "bone marrow samples from patients",
)
TITLES = (
    "{Msc} promote {cancer} growth through {factor}-dependent {pathway} signaling",
    "{Factor} secreted by mesenchymal stem cells drives {outcome} of {cancer} cells",
    "Mesenchymal stromal cells {verb} {outcome} in a model of {cancer}",
    "Role of mesenchymal stem cells in {outcome} of {cancer}",
    "{Factor}/{pathway} signaling mediates the homing of mesenchymal stem cells to "
    "{cancer}",
    "Engineered mesenchymal stem cells expressing {factor} {verb} {cancer} in vivo",
    "Crosstalk between {msc} and {cancer} cells: a role for {factor} and {factor2}",
)
REVIEW_TITLES = (
    "Mesenchymal stem cells in the {cancer} microenvironment",
    "Tumor-associated mesenchymal stromal cells and {outcome}: mechanisms and "
    "therapeutic implications",
    "{Factor} in the crosstalk between stroma and {cancer}: a review",
    "Friend or foe? Mesenchymal stem cells in {outcome}",
)
VERBS = ("promote", "enhance", "inhibit", "suppress", "do not affect")
BACKGROUND = (
    "Mesenchymal stem cells (MSC) are recruited to {cancer} and become part of the "
    "tumor stroma, yet their net effect on tumor progression remains controversial.",
    "{Factor} released by stromal cells has been implicated in {outcome} in several "
    "experimental systems.",
    "The bone marrow microenvironment supports the survival of {cancer} cells and "
    "contributes to their resistance to conventional therapy.",
    "How {msc} influence {outcome} in {cancer} is poorly understood.",
    "We asked whether {factor} signaling through {pathway} links stromal cells to "
    "{outcome}.",
)
METHODS = (
    "{Msc} were isolated from healthy donors and characterised by surface markers "
    "and trilineage differentiation.",
    "{Cancer} cells were cultured alone or with MSC, and proliferation, migration "
    "and apoptosis were measured.",
    "We used {model} to assess tumor growth, vascular density and metastasis over "
    "{n} weeks.",
    "Expression of {factor} and {factor2} was quantified by ELISA, quantitative PCR "
    "and immunohistochemistry.",
    "Signaling through {pathway} was blocked with neutralising antibodies or "
    "small-molecule inhibitors.",
)
RESULTS = (
    "Co-culture with MSC changed {cancer} cell proliferation by {pct}% compared "
    "with controls (P {p}).",
    "In vivo, tumors formed with MSC differed in volume by {pct}% and showed "
    "altered microvessel density.",
    "MSC exposed to tumor-conditioned medium secreted {fold}-fold more {factor} "
    "than unexposed cells.",
    "Neutralising {factor} abolished the effect of MSC on {outcome}, whereas "
    "blocking {factor2} had no detectable effect.",
    "Labelled MSC accumulated in tumors within {n} days of systemic injection and "
    "persisted for at least {n2} weeks.",
    "{Pathway} activation in tumor cells correlated with {factor} levels in {n3} "
    "patient samples (r = 0.{r}).",
    "MSC suppressed the proliferation of activated T cells in a dose-dependent manner.",
    "Gene expression profiling identified {n3} transcripts regulated in {cancer} "
    "cells by contact with MSC.",
)
CONCLUSIONS = (
    "These findings indicate that {msc} {verb} {outcome} in {cancer} through "
    "{factor}-dependent mechanisms.",
    "Targeting the interaction between MSC and tumor cells may offer a therapeutic "
    "strategy for {cancer}.",
    "The effect of MSC on tumors depends on the experimental context, including the "
    "MSC source, the dose and the timing of delivery.",
)
REVIEW_SENTENCES = (
    "In this review we summarise how MSC interact with {cancer} cells and with "
    "other components of the tumor microenvironment.",
    "We discuss the conflicting reports of pro- and anti-tumor effects and the "
    "experimental differences that may explain them.",
    "Particular attention is given to {factor}, {factor2} and the {pathway} pathway.",
    "Finally, we consider how MSC could be exploited as vehicles for anticancer "
    "agents and which safety questions remain open.",
    "We first outline how MSC are defined, isolated and expanded, and why the "
    "definition matters for comparing studies.",
    "Studies in {model} and in patient material are compared, with attention to "
    "the dose, source and timing of MSC.",
    "Evidence that {msc} contribute to {outcome} comes mostly from xenograft "
    "models in immunodeficient hosts.",
    "Clinical observations linking stromal {factor} to outcome in {cancer} are "
    "summarised and their limitations discussed.",
)
LABELS = (
    ("BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"),
    ("OBJECTIVE", "METHODS", "RESULTS", "CONCLUSION"),
    ("PURPOSE", "EXPERIMENTAL DESIGN", "RESULTS", "CONCLUSIONS"),
)
STRUCTURED_SHARE = 0.35
ABSTRACT_WORDS = (200, 270)  # the target; one last sentence may add up to 30


def subject(rng: Random) -> dict[str, object]:
    """What one paper is about: the values its title and abstract templates fill."""
    factor, factor2 = FACTORS(rng), FACTORS(rng)
    while factor2 == factor:
        factor2 = FACTORS(rng)
    values = {
        "msc": MSC_NAMES(rng),
        "cancer": CANCERS(rng),
        "factor": factor,
        "factor2": factor2,
        "pathway": rng.choice(PATHWAYS),
        "outcome": rng.choice(OUTCOMES),
        "model": rng.choice(MODELS),
        "verb": rng.choice(VERBS),
        "pct": rng.randint(20, 85),
        "p": rng.choice(("< 0.05", "< 0.01", "< 0.001", "= 0.003", "= 0.02")),
        "fold": rng.randint(2, 12),
        "n": rng.randint(2, 8),
        "n2": rng.randint(2, 6),
        "n3": rng.randint(24, 480),
        "r": rng.randint(35, 81),
    }
    # Capitalised forms for the start of a sentence: {Msc}, {Cancer}, ...
    return values | {k.capitalize(): _upper_first(str(v)) for k, v in values.items()}


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def title(rng: Random, about: dict, *, review: bool) -> str:
    return rng.choice(REVIEW_TITLES if review else TITLES).format_map(about) + "."


# (sentences, how many to start with) per section, and the order sections grow in.
PRIMARY_PLAN = (
    ((BACKGROUND, 2), (METHODS, 2), (RESULTS, 2), (CONCLUSIONS, 1)),
    (2, 1, 0),
)
REVIEW_PLAN = (
    ((BACKGROUND, 2), (REVIEW_SENTENCES, 3), (CONCLUSIONS[1:], 1)),
    (1, 0, 2),
)


def abstract_sections(
    rng: Random, about: dict, *, review: bool
) -> tuple[tuple[str, str], ...]:
    """(label, text) pairs as PubMed gives them; one unlabelled part if unstructured.

    A few sentences of each section, then more until the paper's target length.
    """
    plan, growth = REVIEW_PLAN if review else PRIMARY_PLAN
    pools = [rng.sample(sentences, len(sentences)) for sentences, _ in plan]
    sections = [pool[:n] for pool, (_, n) in zip(pools, plan, strict=True)]
    spare = [(i, t) for i in growth for t in pools[i][len(sections[i]) :]]
    sections = [[t.format_map(about) for t in part] for part in sections]
    words = sum(len(s.split()) for part in sections for s in part)
    target = rng.randint(*ABSTRACT_WORDS)
    for i, template in spare:
        if words >= target:
            break
        sentence = template.format_map(about)
        sections[i].append(sentence)
        words += len(sentence.split())
    texts = [" ".join(part) for part in sections]
    if review or rng.random() >= STRUCTURED_SHARE:
        return (("", " ".join(texts)),)
    return tuple(zip(rng.choice(LABELS), texts, strict=True))


def abstract_text(sections: tuple[tuple[str, str], ...]) -> str:
    """The abstract as one text, the way the PubMed parser joins its parts."""
    return "\n\n".join(
        f"{label}: {text}" if label else text for label, text in sections
    )


def authors(rng: Random, *, year: int, review: bool) -> tuple[Author, ...]:
    count = 1 + min(24, int(rng.lognormvariate(1.5, 0.6)))
    if review:
        count = min(count, 4)
    orcid_share = 0.4 if year >= 2012 else 0.03
    people = [_person(rng, orcid_share) for _ in range(count)]
    if not review and rng.random() < 0.02:
        people.append(Author(collective_name=rng.choice(COLLECTIVE_NAMES)))
    return tuple(people)


def _person(rng: Random, orcid_share: float) -> Author:
    fore = rng.choice(FORE_NAMES)
    if rng.random() < 0.15:
        fore = f"{fore} {rng.choice('ABCDEFGHJKLMNPRSTW')}"
    return Author(
        last_name=rng.choice(LAST_NAMES),
        fore_name=fore,
        initials="".join(part[0] for part in re.split(r"[ -]", fore)),
        orcid=_orcid(rng) if rng.random() < orcid_share else "",
    )


def _orcid(rng: Random) -> str:
    """A well-formed ORCID iD, its last character the ISO 7064 11-2 check digit."""
    digits = f"0000000{rng.randint(1, 3)}{rng.randrange(10**7):07d}"
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    full = digits + ("X" if check == 10 else str(check))
    return "-".join(full[i : i + 4] for i in range(0, 16, 4))


FINDINGS = {
    "in_vitro": "In {system}, {msc} {verb} the {readout} of {cancer} cells, an "
    "effect blocked by antibodies against {factor}.",
    "animal": "{Msc} given to {host} bearing {cancer} {verb} tumor {readout} "
    "compared with tumor cells alone.",
    "human_samples": "In samples from patients with {cancer}, stromal {factor} "
    "levels tracked with {readout}, consistent with the claim.",
    "clinical": "In a clinical cohort with {cancer}, marrow stromal features were "
    "associated with {readout} after treatment.",
    "review": "The review summarises studies in which {msc} {verb} {cancer} "
    "{readout}, discussing {factor} as a mediator.",
}
EFFECT_VERBS = {
    "pro_tumor": ("increased", "enhanced", "promoted"),
    "anti_tumor": ("reduced", "inhibited", "suppressed"),
    "no_effect": ("did not change",),
    "mixed": ("variably altered",),
    "not_assessed": ("were characterised alongside",),
}
SYSTEMS = ("transwell co-culture", "direct co-culture", "conditioned-medium assays")
HOSTS = ("nude mice", "NOD/SCID mice", "syngeneic mice", "rats")
READOUTS = ("growth", "proliferation", "migration", "survival", "vascularisation")


def finding(rng: Random, *, level: str, effect: str, cancer: str) -> str:
    """One curator's sentence on what a paper found, about 20 words."""
    return FINDINGS[level].format(
        system=rng.choice(SYSTEMS),
        msc=MSC_NAMES(rng),
        Msc=_upper_first(MSC_NAMES(rng)),
        verb=rng.choice(EFFECT_VERBS[effect]),
        readout=rng.choice(READOUTS),
        cancer=cancer or "tumor",
        factor=FACTORS(rng),
        host=rng.choice(HOSTS),
    )


def statement(rng: Random, template: str, *, cancer: str) -> str:
    text = template.format(msc=MSC_NAMES(rng), cancer=cancer, factor=FACTORS(rng))
    return _upper_first(text)
