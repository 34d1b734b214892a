"""The controlled vocabularies of the evidence's context facets.

The terms, with their ontology identifiers, are shipped in a versioned file
(claims/data/vocabulary.yaml) read here into plain dataclasses; every error
names the file and the line. Nothing here imports the models (the facets
come from claims.facets): migration 0012 syncs the terms and maps the
free-text cancer types of the past with these same functions and its
historical models, so each takes the model it writes to.
"""

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.utils.text import slugify

from claims.facets import CHOICE_VOCABULARIES, TERM_VOCABULARIES
from claims.yaml_lines import read_with_lines

# An Evidence or Term model: the app's, or a migration's historical one. No static
# type fits both (and this module sits below claims.models).
AnyModel = Any

VOCABULARY_FILE = Path(__file__).resolve().parent / "data" / "vocabulary.yaml"
(CANCER_TYPE,) = TERM_VOCABULARIES
# Vocabularies whose values are an evidence field's choices (claims.facets): the
# file gives each choice its identifier, the choice gives the label.
VOCABULARIES = (*TERM_VOCABULARIES, *CHOICE_VOCABULARIES)
# The ontologies each vocabulary's identifiers may come from (any, if empty).
ONTOLOGIES = {
    CANCER_TYPE: ("NCIT", "MONDO"),
    "species": ("NCBITaxon",),
    "msc_source": ("UBERON", "CL"),
    "model": (),
}
SLUG_RE = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")
CURIE_RE = re.compile(r"^([A-Za-z][A-Za-z0-9]*):[A-Za-z0-9_.]+$")
SLUG_MAX = 100
# Between two cancer types in the free text curators once typed.
LEGACY_SEPARATORS = re.compile(r"\s*(?:[,;/]|\band\b)\s*", re.IGNORECASE)


class VocabularyFileError(ValueError):
    """The vocabulary file is malformed; the message names the file and line."""


@dataclass(frozen=True)
class TermEntry:
    vocabulary: str
    slug: str
    label: str
    ontology_id: str = ""


@dataclass(frozen=True)
class Vocabulary:
    path: Path
    version: int
    terms: tuple[TermEntry, ...]

    def slugs(self, vocabulary: str) -> frozenset[str]:
        return frozenset(t.slug for t in self.terms if t.vocabulary == vocabulary)


def choices_of(evidence_model: AnyModel) -> dict[str, dict[str, str]]:
    """{vocabulary: {value: label}} of the choice vocabularies, from an Evidence
    model (the app's, or a migration's historical one)."""
    return {
        name: {str(k): str(v) for k, v in evidence_model._meta.get_field(name).choices}
        for name in CHOICE_VOCABULARIES
    }


class _Reader:
    def __init__(self, path: Path, choices: Mapping[str, Mapping[str, str]]):
        self.path, self.choices = path, choices

    def fail(self, node: Any, message: str) -> VocabularyFileError:
        return VocabularyFileError(f"{self.path}:{getattr(node, 'line', 0)}: {message}")

    def read(self, root: Any) -> Vocabulary:
        if not isinstance(root, dict) or set(root) != {"version", "vocabularies"}:
            raise self.fail(root, "the file holds exactly version and vocabularies.")
        version = root["version"]
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            raise self.fail(root, "version must be a whole number from 1.")
        vocabularies = root["vocabularies"]
        if not isinstance(vocabularies, dict) or set(vocabularies) != set(VOCABULARIES):
            raise self.fail(
                root, f"vocabularies must be exactly {', '.join(VOCABULARIES)}."
            )
        terms = [
            term
            for name in VOCABULARIES
            for term in self.vocabulary(root, name, vocabularies[name])
        ]
        return Vocabulary(self.path, version, tuple(terms))

    def vocabulary(self, root: Any, name: str, nodes: Any) -> list[TermEntry]:
        if not isinstance(nodes, list) or not nodes:
            raise self.fail(root, f"{name} must be a non-empty list of terms.")
        terms, seen = [], set()
        for node in nodes:
            term = self.term(name, node)
            if term.slug in seen:
                raise self.fail(node, f"{name} term '{term.slug}' is listed twice.")
            seen.add(term.slug)
            terms.append(term)
        choices = self.choices.get(name)
        if choices is not None and seen != set(choices):
            missing = sorted(set(choices) - seen)
            raise self.fail(root, f"{name} lacks a term for {', '.join(missing)}.")
        return terms

    def term(self, name: str, node: Any) -> TermEntry:
        choices = self.choices.get(name)
        keys = {"slug", "id"} if choices is not None else {"slug", "label", "id"}
        if not isinstance(node, dict) or set(node) != keys:
            raise self.fail(node, f"a {name} term holds exactly {', '.join(keys)}.")
        slug = node["slug"]
        if not isinstance(slug, str) or not SLUG_RE.match(slug) or len(slug) > 100:
            raise self.fail(node, f"{name} slug {slug!r} must be lowercase-hyphenated.")
        if choices is not None and slug not in choices:
            raise self.fail(
                node, f"{name} '{slug}' is not one of {', '.join(choices)}."
            )
        label = choices[slug] if choices is not None else node["label"]
        if not isinstance(label, str) or not label.strip():
            raise self.fail(node, f"{name} '{slug}': label must be non-empty text.")
        return TermEntry(name, slug, " ".join(label.split()), self.curie(name, node))

    def curie(self, name: str, node: dict) -> str:
        value = node["id"]
        if value in ("", None):
            return ""
        found = CURIE_RE.match(value) if isinstance(value, str) else None
        allowed = ONTOLOGIES[name]
        if not found or (allowed and found.group(1) not in allowed):
            where = f" of {' or '.join(allowed)}" if allowed else ""
            raise self.fail(
                node,
                f"{name} '{node['slug']}': id {value!r} must be an identifier{where} "
                "such as NCIT:C3224, or empty.",
            )
        return value


def read_vocabulary_file(
    path: Path = VOCABULARY_FILE, *, choices: Mapping[str, Mapping[str, str]]
) -> Vocabulary:
    """Parse and validate the vocabulary file against the fields' choices."""
    root = read_with_lines(path, VocabularyFileError)
    return _Reader(Path(path), choices).read(root)


@cache
def shipped_version(path: Path = VOCABULARY_FILE) -> int:
    """The version of the vocabulary file this code ships."""
    return int(yaml.safe_load(Path(path).read_text(encoding="utf-8"))["version"])


def terms_sync(term_model: AnyModel, vocabulary: Vocabulary) -> tuple[int, int]:
    """Bring the terms in the database up to the file: add the new ones, update
    changed labels and identifiers, delete nothing. (created, updated)."""
    held = {(t.vocabulary, t.slug): t for t in term_model.objects.all()}
    created = updated = 0
    for entry in vocabulary.terms:
        wanted = {"label": entry.label, "ontology_id": entry.ontology_id}
        term = held.get((entry.vocabulary, entry.slug))
        if term is None:
            term_model.objects.create(
                vocabulary=entry.vocabulary, slug=entry.slug, **wanted
            )
            created += 1
        elif any(getattr(term, k) != v for k, v in wanted.items()):
            for name, value in wanted.items():
                setattr(term, name, value)
            term.save(update_fields=[*wanted, "updated_at"])
            updated += 1
    return created, updated


def legacy_names(text: str) -> list[str]:
    """The cancer types in one free-text value, as curators typed them before
    the vocabulary: split on commas and "and", lowercased, each once."""
    names = (" ".join(part.split()).lower() for part in LEGACY_SEPARATORS.split(text))
    return list(dict.fromkeys(name for name in names if name))


def legacy_slug(name: str) -> str:
    """A slug for a free-text cancer type no term matched."""
    slug = slugify(name)[:SLUG_MAX].strip("-")
    return slug or "term-" + hashlib.sha256(name.encode()).hexdigest()[:12]


def cancer_type_terms(term_model: AnyModel, names: Iterable[str]) -> dict[str, int]:
    """{name: term pk} for free-text cancer types (as legacy_names gives them).

    A name is its term's when it equals the term's label (ignoring case) or its
    slug; a name no term matches becomes a new term (no identifier), so that no
    value is lost.
    """
    known = {}
    for term in term_model.objects.filter(vocabulary=CANCER_TYPE):
        known[term.slug] = known[term.label.lower()] = term.pk
    found = {}
    for name in names:
        slug = legacy_slug(name)
        if name not in known and slug not in known:
            term = term_model.objects.create(
                vocabulary=CANCER_TYPE, slug=slug, label=name
            )
            known[slug] = term.pk
        found[name] = known.get(name) or known[slug]
    return found


def cancer_type_links(
    term_model: AnyModel, values: Iterable[tuple[int, str]]
) -> list[tuple[int, int]]:
    """(record pk, term pk) for each cancer type in each record's free text."""
    names = [(pk, legacy_names(text or "")) for pk, text in values]
    every = {name: None for _, found in names for name in found}
    terms = cancer_type_terms(term_model, every)
    return list({(pk, terms[name]): None for pk, found in names for name in found})
