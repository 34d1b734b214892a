"""The domain: a review, its topics and claims, and the evidence behind each claim."""

import datetime
from collections.abc import Collection, Iterable
from datetime import timedelta
from typing import Any, Self

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.backends.ddl_references import Statement
from django.db.models import Q
from simple_history.models import HistoricalRecords

from claims.facets import CONTEXT_FACETS, EVIDENCE_FACETS, FACETS, TERM_FACETS
from claims.status_rules import ClaimKind, ClaimStatus, LeftOut
from claims.vocabulary import CANCER_TYPE


class TimeStamped(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Set on an instance before a save, read by django-simple-history (which has
    # no type stubs) on the models it tracks: the version's reason, its author,
    # or no version at all.
    _change_reason: str
    _history_user: Any
    skip_history_when_saving: bool

    class Meta:
        abstract = True


class SearchIndex(GinIndex):
    """A full-text GIN index on PostgreSQL, and nothing on other databases.

    Elsewhere (SQLite) it renders no SQL at all, so migrations, and SQLite's
    table rebuilds, run unchanged. Migrations 0006 and 0007 made such indexes;
    0010 replaced them with stored search documents (claims.search.Document).
    """

    # The stubs say a Statement, but the schema editor skips an empty string.
    def create_sql(  # type: ignore[override]
        self,
        model: type[models.Model],
        schema_editor: BaseDatabaseSchemaEditor,
        using: str = "",
        **kwargs: Any,
    ) -> Statement | str:
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().create_sql(model, schema_editor, using=using, **kwargs)

    def remove_sql(
        self,
        model: type[models.Model],
        schema_editor: BaseDatabaseSchemaEditor,
        **kwargs: Any,
    ) -> str:
        if schema_editor.connection.vendor != "postgresql":
            return ""
        return super().remove_sql(model, schema_editor, **kwargs)


class PublicationQuerySet(models.QuerySet["Publication"]):
    def due_for_refresh(
        self, *, now: datetime.datetime, stale_days: int, unindexed_days: int
    ) -> Self:
        """Never fetched, failed, stale, or not yet MEDLINE-indexed and due again."""
        never = Q(fetched_at__isnull=True) | Q(
            metadata_state__in=[
                Publication.MetadataState.PENDING,
                Publication.MetadataState.FAILED,
            ]
        )
        stale = Q(fetched_at__lt=now - timedelta(days=stale_days))
        unindexed = ~Q(medline_status="MEDLINE") & Q(
            fetched_at__lt=now - timedelta(days=unindexed_days)
        )
        return self.filter(never | stale | unindexed)

    def pending(self) -> Self:
        return self.filter(metadata_state=Publication.MetadataState.PENDING)

    def confirmed(self) -> Self:
        """Papers whose evidence can count (Publication.CONFIRMED)."""
        return self.filter(**Publication.CONFIRMED)

    def unverified(self) -> Self:
        return self.filter(verification=Publication.Verification.UNVERIFIED)


# What PubMed owns on a publication (the rest is the curators' and bookkeeping).
PUBMED_FIELDS = [
    "title",
    "title_html",
    "authors",
    "first_author",
    "journal",
    "journal_iso",
    "issn",
    "language",
    "is_book",
    "volume",
    "issue",
    "pages",
    "pub_date",
    "year",
    "abstract",
    "abstract_sections",
    "doi",
    "pmcid",
    "mesh_terms",
    "publication_types",
    "date_revised",
    "medline_status",
    "is_retracted",
    "retraction_notice_pmid",
    "erratum_pmids",
    "expression_of_concern_pmids",
    "superseded_by_pmid",
    "metadata_state",
    "fetched_at",
    "last_error",
    "record_hash",
]


class Publication(TimeStamped):
    """One PubMed record, unique by PMID; bibliographic fields come from PubMed."""

    class MetadataState(models.TextChoices):
        PENDING = "pending", "Pending"
        CURRENT = "current", "Current"
        MISSING = "missing", "Missing upstream"
        FAILED = "failed", "Failed"

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", "Not yet confirmed by PubMed"
        VERIFIED = "verified", "Confirmed by PubMed"
        MISMATCH = "mismatch", "PubMed's title differs from the checked title"

    # A paper whose evidence can count: PubMed returned its record and
    # confirmed its checked title. Anything else is awaiting_verification.
    CONFIRMED = {
        "metadata_state": MetadataState.CURRENT,
        "verification": Verification.VERIFIED,
    }

    pmid = models.PositiveIntegerField("PMID", unique=True)
    title = models.TextField(
        blank=True,
        help_text="Title as PubMed gives it, as plain text: its markup gone, what "
        "search indexes and a checked title is compared with.",
    )
    title_html = models.TextField(
        "title (HTML)",
        blank=True,
        help_text="The title with PubMed's inline markup: the text escaped, and "
        "only <i>, <b>, <sup>, <sub> and <u>.",
    )
    curated_title = models.TextField(
        blank=True,
        help_text="Title a curator checked when adding the PMID; a PubMed title that "
        "differs materially flags the publication for review.",
    )
    first_author = models.CharField(max_length=200, blank=True)
    authors = models.JSONField(
        default=list,
        blank=True,
        help_text="Ordered list of {last_name, fore_name, initials, suffix, "
        "collective_name, orcid}.",
    )
    journal = models.CharField(max_length=300, blank=True)
    journal_iso = models.CharField(
        "journal ISO abbreviation", max_length=200, blank=True
    )
    issn = models.CharField(
        "ISSN", max_length=20, blank=True, help_text="The journal's, print first."
    )
    language = models.CharField(
        max_length=20, blank=True, help_text="As PubMed codes it (ISO 639-2: eng)."
    )
    is_book = models.BooleanField(
        default=False,
        help_text="A Bookshelf record: a chapter (its title, and the book's in "
        "journal) or a whole book.",
    )
    volume = models.CharField(max_length=50, blank=True)
    issue = models.CharField(max_length=50, blank=True)
    pages = models.CharField(max_length=100, blank=True)
    pub_date = models.CharField(
        "publication date", max_length=100, blank=True, help_text="As PubMed gives it."
    )
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    abstract = models.TextField(blank=True)
    abstract_sections = models.JSONField(
        default=list,
        blank=True,
        help_text="Structured abstract: [{label, text, html}], html the text with "
        "PubMed's inline markup (as title_html).",
    )
    doi = models.CharField("DOI", max_length=200, blank=True)
    pmcid = models.CharField("PMCID", max_length=20, blank=True)
    mesh_terms = models.JSONField("MeSH terms", default=list, blank=True)
    publication_types = models.JSONField(default=list, blank=True)
    date_revised = models.DateField(null=True, blank=True)
    medline_status = models.CharField(max_length=40, blank=True)

    is_retracted = models.BooleanField(default=False, db_index=True)
    retraction_notice_pmid = models.PositiveIntegerField(null=True, blank=True)
    erratum_pmids = models.JSONField(default=list, blank=True)
    expression_of_concern_pmids = models.JSONField(default=list, blank=True)
    superseded_by_pmid = models.PositiveIntegerField(null=True, blank=True)

    # Set by a refresh only: confirmed once PubMed returned the record and its
    # title matched the checked one (where a curator checked one).
    verification = models.CharField(
        max_length=12,
        choices=Verification.choices,
        default=Verification.UNVERIFIED,
        editable=False,
    )
    metadata_state = models.CharField(
        max_length=10,
        choices=MetadataState.choices,
        default=MetadataState.PENDING,
        db_index=True,
    )
    fetched_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    record_hash = models.CharField(max_length=64, blank=True)
    needs_review = models.BooleanField(
        default=False,
        help_text="Set when PubMed's record disagrees with the curator's.",
    )
    review_note = models.TextField(blank=True)

    # Versions of what curators decide about a paper; PubMed's fields have their
    # own log (PublicationChange), and refreshes skip this history.
    history = HistoricalRecords(excluded_fields=PUBMED_FIELDS)
    objects = PublicationQuerySet.as_manager()
    # The PMID as loaded or last saved: save() refuses to change it.
    _stored_pmid: int | None

    class Meta:
        ordering = ["-year", "pmid"]
        indexes = [
            # Years and ids from the index alone: the browse page's year facet
            # (the cited papers' years) read every paper's row without it
            # (69 -> 49 ms at bench scale). It serves lookups by year too.
            models.Index(fields=["year", "id"], name="publication_year_id"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(pmid__gt=0), name="publication_pmid_positive"
            ),
        ]

    def __str__(self) -> str:
        author = self.first_author or "Anon."
        return f"{author} {self.year or 'n.d.'} (PMID {self.pmid})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Another PMID is another paper, by every door (admin, API, import):
        # a wrong one is corrected by curation.publication_correct_pmid.
        stored = getattr(self, "_stored_pmid", None)
        if stored is not None and self.pmid != stored:
            raise ValidationError(
                {"pmid": f"A paper's PMID never changes ({stored}, not {self.pmid})."}
            )
        super().save(*args, **kwargs)
        self._stored_pmid = self.pmid

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Collection[str], values: Collection[Any]
    ) -> Self:
        instance = super().from_db(db, field_names, values)
        instance._stored_pmid = instance.__dict__.get("pmid")
        return instance

    def refresh_from_db(self, *args: Any, **kwargs: Any) -> None:
        super().refresh_from_db(*args, **kwargs)
        self._stored_pmid = self.__dict__.get("pmid")

    @property
    def pubmed_url(self) -> str:
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"

    @property
    def shown_title(self) -> str:
        """PubMed's title, or until it arrives the curators' checked one."""
        return self.title or self.curated_title

    @property
    def awaiting_verification(self) -> str:
        """Why evidence on this paper cannot count yet (a LeftOut value), or ""
        once PubMed has returned the record and confirmed the checked title."""
        if all(getattr(self, name) == value for name, value in self.CONFIRMED.items()):
            return ""
        if self.verification == self.Verification.MISMATCH:
            return LeftOut.TITLE_MISMATCH
        if self.metadata_state == self.MetadataState.MISSING:
            return LeftOut.MISSING
        return LeftOut.NOT_FETCHED

    @property
    def has_integrity_notice(self) -> bool:
        return bool(
            self.is_retracted
            or self.expression_of_concern_pmids
            or self.erratum_pmids
            or self.superseded_by_pmid
        )


class Review(TimeStamped):
    """A source review whose claims the portal curates; itself a publication."""

    publication = models.OneToOneField(
        Publication, on_delete=models.PROTECT, related_name="as_review"
    )
    slug = models.SlugField(unique=True)
    summary = models.TextField(blank=True, help_text="The review in our own words.")

    def __str__(self) -> str:
        return str(self.publication)


class Topic(TimeStamped):
    """An ordered theme of a review."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="topics")
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["review", "position", "name"]
        indexes = [
            # Claims and evidence are listed in topic position order: with it,
            # the database walks topics in order down to the first page instead
            # of sorting every matching record (evidence page 94 -> 15 ms).
            models.Index(fields=["position"], name="topic_position"),
        ]

    def __str__(self) -> str:
        return self.name


class ClaimQuerySet(models.QuerySet["Claim"]):
    def contested(self) -> Self:
        return self.filter(
            status__in=[ClaimStatus.CONTESTED, ClaimStatus.CONTEXT_DEPENDENT]
        )


class Claim(TimeStamped):
    """One assertion of the review, in one sentence, with a computed status."""

    class Setting(models.TextChoices):
        PRIMARY_TUMOR = "primary_tumor", "Primary tumor"
        BONE_MARROW = "bone_marrow", "Bone marrow"
        BOTH = "both", "Both"

    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="claims")
    slug = models.SlugField(max_length=120, unique=True)
    statement = models.TextField(help_text="One sentence.")
    setting = models.CharField(
        max_length=16,
        choices=Setting.choices,
        help_text="Where the claim is about: the primary tumor, the bone marrow "
        "(where tumor cells home, grow and destroy bone), or both.",
    )
    kind = models.CharField(
        max_length=16,
        choices=ClaimKind.choices,
        default=ClaimKind.EMPIRICAL,
        help_text="What kind of assertion it is; it decides how evidence counts "
        "(see the methods page).",
    )
    position = models.PositiveSmallIntegerField(default=0)

    # The verdict of the status rules, stored; claims_recompute_status() is the
    # only writer, and check_statuses proves it equals a fresh computation.
    status = models.CharField(
        max_length=20,
        choices=ClaimStatus.choices,
        default=ClaimStatus.INSUFFICIENT,
        db_index=True,
        editable=False,
    )
    status_rule = models.CharField(max_length=4, blank=True, editable=False)
    status_reason = models.TextField(blank=True, editable=False)
    status_rules_version = models.CharField(max_length=10, blank=True, editable=False)
    n_papers = models.PositiveIntegerField("counted papers", default=0, editable=False)
    n_supporting = models.PositiveIntegerField(
        "supporting papers", default=0, editable=False
    )
    n_refuting = models.PositiveIntegerField(
        "refuting papers", default=0, editable=False
    )
    n_qualifying = models.PositiveIntegerField(
        "qualifying papers", default=0, editable=False
    )
    n_in_vivo = models.PositiveIntegerField("in vivo papers", default=0, editable=False)
    n_human = models.PositiveIntegerField("human papers", default=0, editable=False)
    mean_rating = models.FloatField(null=True, blank=True, editable=False)
    thin_evidence = models.BooleanField(default=False, editable=False)
    left_out = models.JSONField(
        default=dict,
        blank=True,
        editable=False,
        help_text="Accepted records not counted, by reason.",
    )
    source_hash = models.CharField(max_length=64, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=["source_hash"])
    objects = ClaimQuerySet.as_manager()

    class Meta:
        ordering = ["topic__position", "position", "slug"]

    def __str__(self) -> str:
        return self.statement


class ClaimAlias(TimeStamped):
    """A retired slug of a claim merged into or renamed to another: old links to
    it redirect to the claim. Synced from the review file's `formerly`; a slug
    is never both a claim's and an alias."""

    slug = models.SlugField(max_length=120, unique=True)
    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="aliases")

    class Meta:
        ordering = ["slug"]
        verbose_name_plural = "claim aliases"

    def __str__(self) -> str:
        return f"{self.slug} -> {self.claim.slug}"


class TermQuerySet(models.QuerySet["Term"]):
    def cancer_types(self) -> Self:
        return self.filter(vocabulary=Term.Vocabulary.CANCER_TYPE)


class Term(TimeStamped):
    """One term of a controlled vocabulary, with its ontology identifier.

    Synced from claims/data/vocabulary.yaml (claims.vocabulary); a term is never
    deleted, so evidence never loses one.
    """

    class Vocabulary(models.TextChoices):
        CANCER_TYPE = CANCER_TYPE, "Cancer type"
        MSC_SOURCE = "msc_source", "MSC source"
        SPECIES = "species", "Species"
        MODEL = "model", "Experimental model"

    vocabulary = models.CharField(max_length=20, choices=Vocabulary.choices)
    slug = models.SlugField(max_length=100)
    label = models.CharField(max_length=200)
    ontology_id = models.CharField(
        "ontology identifier",
        max_length=40,
        blank=True,
        help_text="E.g. NCIT:C3224; empty where no identifier was verified.",
    )

    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["vocabulary", "label", "slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["vocabulary", "slug"], name="term_one_slug_per_vocabulary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.ontology_id})" if self.ontology_id else self.label

    @property
    def ontology_url(self) -> str:
        """The identifier's OBO PURL, which resolves to the ontology's page."""
        prefix, _, local = self.ontology_id.partition(":")
        return f"http://purl.obolibrary.org/obo/{prefix}_{local}" if local else ""


# The order of a claim's evidence: best rated first, then oldest.
WITHIN_CLAIM = ["-rating", "publication__year", "pk"]


class EvidenceQuerySet(models.QuerySet["Evidence"]):
    def accepted(self) -> Self:
        return self.filter(status=Evidence.Status.ACCEPTED)


# Kept by name: claims.services.evidence_save writes a record and its cancer
# types as one version.
EVIDENCE_HISTORY = HistoricalRecords(
    excluded_fields=["source_hash"], m2m_fields=["cancer_types"]
)


class Evidence(TimeStamped):
    """One publication's finding about one claim, with the context that explains it."""

    class Stance(models.TextChoices):
        SUPPORTS = "supports", "Supports"
        REFUTES = "refutes", "Refutes"
        QUALIFIES = "qualifies", "Qualifies"

    class Effect(models.TextChoices):
        PRO_TUMOR = "pro_tumor", "Pro-tumor"
        ANTI_TUMOR = "anti_tumor", "Anti-tumor"
        NO_EFFECT = "no_effect", "No effect"
        MIXED = "mixed", "Mixed"
        NOT_ASSESSED = "not_assessed", "Not assessed"

    class Level(models.TextChoices):
        IN_VITRO = "in_vitro", "In vitro"
        ANIMAL = "animal", "Animal model"
        HUMAN_SAMPLES = "human_samples", "Human samples"
        CLINICAL = "clinical", "Clinical"
        REVIEW = "review", "Review"

    class MscSource(models.TextChoices):
        BONE_MARROW = "bone_marrow", "Bone marrow"
        ADIPOSE = "adipose", "Adipose tissue"
        UMBILICAL_CORD = "umbilical_cord", "Umbilical cord"
        OTHER = "other", "Other"

    class Species(models.TextChoices):
        HUMAN = "human", "Human"
        MOUSE = "mouse", "Mouse"
        RAT = "rat", "Rat"
        OTHER = "other", "Other"

    class ExperimentalModel(models.TextChoices):
        CELL_LINE_XENOGRAFT = "cell_line_xenograft", "Cell-line xenograft"
        SYNGENEIC = "syngeneic", "Syngeneic"
        GEMM = "gemm", "Genetically engineered mouse"
        PDX = "pdx", "Patient-derived xenograft"
        PATIENT_MATERIAL = "patient_material", "Patient material"
        CELL_CULTURE = "cell_culture", "Cells in culture"

    class ImmuneStatus(models.TextChoices):
        IMMUNODEFICIENT = "immunodeficient", "Immunodeficient host"
        IMMUNOCOMPETENT = "immunocompetent", "Immunocompetent host"

    class Delivery(models.TextChoices):
        CO_INJECTION = "co_injection", "Co-injection with tumor cells"
        SYSTEMIC = "systemic", "Systemic injection"
        LOCAL = "local", "Local injection"
        CO_CULTURE = "co_culture", "Co-culture"
        CONDITIONED_MEDIUM = "conditioned_medium", "Conditioned medium"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="evidence")
    publication = models.ForeignKey(
        Publication, on_delete=models.PROTECT, related_name="evidence"
    )
    stance = models.CharField(
        max_length=10,
        choices=Stance.choices,
        help_text="Supports: the finding agrees with the claim. Refutes: it "
        "contradicts it. Qualifies: it limits or conditions the claim.",
    )
    effect = models.CharField(
        max_length=12,
        choices=Effect.choices,
        help_text="The effect of MSC on the tumor that the paper reports, independent "
        "of stance. Not assessed: the finding is about MSC biology alone.",
    )
    level = models.CharField(
        max_length=14,
        choices=Level.choices,
        help_text="The kind of evidence: cells in culture, an animal model, human "
        "samples, a clinical study, or a review article.",
    )
    msc_source = models.CharField(
        FACETS["msc_source"].label, max_length=16, choices=MscSource.choices, blank=True
    )
    species = models.CharField(
        max_length=8,
        choices=Species.choices,
        blank=True,
        help_text="Species of the MSC.",
    )
    cancer_types = models.ManyToManyField(
        Term,
        blank=True,
        related_name="evidence",
        limit_choices_to={"vocabulary": CANCER_TYPE},
        help_text="Every tumor type the finding was made in, from the vocabulary.",
    )
    model = models.CharField(
        FACETS["model"].label,
        max_length=20,
        choices=ExperimentalModel.choices,
        blank=True,
    )
    immune_status = models.CharField(
        FACETS["immune_status"].label,
        max_length=16,
        choices=ImmuneStatus.choices,
        blank=True,
    )
    delivery = models.CharField(
        FACETS["delivery"].label, max_length=20, choices=Delivery.choices, blank=True
    )
    msc_tumor_ratio = models.CharField(
        "MSC:tumor ratio", max_length=40, blank=True, help_text="Only where reported."
    )
    finding = models.TextField(
        help_text="What the paper found, in the curator's words."
    )
    quote = models.TextField(
        blank=True, help_text="Verbatim from the paper's abstract."
    )
    not_reported = models.JSONField(
        default=list,
        blank=True,
        help_text="The context facets that apply to the finding but the abstract "
        "does not state (names of claims.facets.CONTEXT_FACETS).",
    )
    rating = models.PositiveSmallIntegerField(
        default=3,
        help_text="1 to 5 by the rating rubric on the methods page: 1 anecdotal, "
        "2 indirect, 3 direct, 4 strong, 5 conclusive. Findings rated below 3 are "
        "listed but not counted.",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review_reason = models.TextField(blank=True)
    needs_rereview = models.BooleanField(default=False, db_index=True)
    rereview_reason = models.TextField(blank=True)
    source_key = models.SlugField(
        max_length=120,
        unique=True,
        null=True,
        blank=True,
        editable=False,
        help_text="Key of the record in the review data file, if it came from there.",
    )
    source_hash = models.CharField(max_length=64, blank=True, editable=False)

    history = EVIDENCE_HISTORY
    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "evidence"
        indexes = [
            # The claims and the findings of the papers a search found, read
            # from the index alone (search for a word in 7,539 papers: claims
            # 98 -> 53 ms; findings, listed by rating, 199 -> 33 ms).
            # (INCLUDE is PostgreSQL's: SQLite builds the index without it.)
            models.Index(
                fields=["publication", "claim"],
                include=["id", "rating"],
                condition=Q(status="accepted"),
                name="evidence_accepted_by_paper",
            ),
            # The search page's findings, best rated first, read in order a
            # page at a time (claims.search reads a common word's first
            # matches so): a sort of every accepted record each time without.
            models.Index(
                fields=["-rating", "id"],
                condition=Q(status="accepted"),
                name="evidence_accepted_by_rating",
            ),
        ]
        permissions = [
            ("moderate_evidence", "Can accept or reject submitted evidence"),
        ]
        ordering = ["claim", *WITHIN_CLAIM]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__gte=1, rating__lte=5), name="evidence_rating_1_to_5"
            ),
            models.UniqueConstraint(
                # A record's facets of one value each; its cancer types are
                # links, which a constraint cannot hold.
                fields=[
                    "claim",
                    "publication",
                    *(f.field for f in EVIDENCE_FACETS if not f.multiple),
                ],
                name="evidence_no_exact_duplicate",
                violation_error_message="The same evidence is already recorded for "
                "this claim and paper; a finding made in several cancer types is "
                "one record listing them all.",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.publication} {self.get_stance_display().lower()} {self.claim.slug}"
        )

    def facet_value(self, facet: str) -> str | tuple[str, ...]:
        """The record's value of a context facet, "" if not reported; for a
        multi-valued one, its terms' slugs (prefetch them to read many records)."""
        field = TERM_FACETS.get(facet)
        if field is None:
            return getattr(self, facet)
        if self.pk is None:
            return ()
        return tuple(sorted(term.slug for term in getattr(self, field).all()))

    @property
    def not_reported_labels(self) -> list[str]:
        """The labels of the facets listed as not reported, in the pages' order."""
        listed = self.not_reported or []
        return [FACETS[name].label for name in CONTEXT_FACETS if name in listed]


def column(model: type[models.Model], name: str) -> models.Field:
    """A model's concrete field by name (_meta.get_field may also give a relation)."""
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is no column"
    return field


def any_term_q(facet: str, slugs: Iterable[str]) -> Q:
    """Evidence recording any of these terms (slugs) of a multi-valued facet: a
    subquery, so that a record matching several is found once, without DISTINCT."""
    field = Evidence._meta.get_field(TERM_FACETS[facet])
    assert isinstance(field, models.ManyToManyField)
    through = field.remote_field.through
    assert through is not None  # Django sets it for every many-to-many field
    links = through._default_manager.filter(
        term__vocabulary=facet, term__slug__in=list(slugs)
    )
    return Q(pk__in=links.values("evidence_id"))


class DataStamp(models.Model):
    """A change to one tracked table: when, and by how many rows it grew.

    Written by PostgreSQL triggers (migration 0007) after every statement that
    inserts, updates, deletes or truncates reviews, topics, claims, evidence or
    publications, whichever code path runs it, so the data version
    (claims.freshness) is one small read instead of scans of every table.
    Writers only ever insert here, so they never wait on each other; the
    triggers fold the rows into one per table now and then. A deletion is
    stamped with its transaction's time.
    """

    table = models.CharField(max_length=63)
    last_change = models.DateTimeField(null=True)
    rows = models.BigIntegerField(default=0)

    class Meta:
        # The migration creates it, on PostgreSQL only. Unmanaged, the test
        # runner neither flushes nor serializes it: the triggers keep it right.
        managed = False
        db_table = "claims_datastamp"

    def __str__(self) -> str:
        return f"{self.table}: {self.rows:+} rows, {self.last_change}"


class RefreshRun(models.Model):
    """One refresh of citation metadata from PubMed, and what it found."""

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", "Nightly schedule"
        NEW_PUBLICATION = "new", "New publication"
        COMMAND = "command", "Command line"
        ADMIN = "admin", "Admin action"
        API = "api", "API"

    trigger = models.CharField(max_length=10, choices=Trigger.choices)
    started_at = models.DateTimeField(auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    requested = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    missing = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    requests_made = models.PositiveIntegerField("efetch requests", default=0)
    errors = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"Refresh #{self.pk} ({self.get_trigger_display()}, {self.requested})"

    @property
    def processed(self) -> int:
        return self.changed + self.unchanged + self.missing + self.failed

    @property
    def duration(self) -> datetime.timedelta | None:
        return self.finished_at - self.started_at if self.finished_at else None


class PublicationChange(models.Model):
    """One field of one publication that a refresh changed."""

    run = models.ForeignKey(
        RefreshRun, on_delete=models.CASCADE, related_name="changes", null=True
    )
    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="changes"
    )
    field = models.CharField(max_length=50)
    old_value = models.JSONField(null=True, blank=True)
    new_value = models.JSONField(null=True, blank=True)
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "publication", "field"]

    def __str__(self) -> str:
        return f"PMID {self.publication.pmid}: {self.field}"
