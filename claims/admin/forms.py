"""Admin forms shared by the curators' change forms."""

from django import forms
from simple_history.manager import SIMPLE_HISTORY_REVERSE_ATTR_NAME

from claims.curation import EDITABLE_FIELDS
from claims.facets import CONTEXT_FACETS, FACETS, not_reported_problems
from claims.models import Claim, Evidence


class ReasonForm(forms.ModelForm):
    """A change form that asks why, for the version history."""

    change_reason = forms.CharField(
        label="Reason for this change",
        required=False,
        max_length=100,
        help_text="Kept in the history with your name, e.g. 'fixed the cell line'.",
    )


def _definitions(choices) -> str:
    return " ".join(f"{label}." for _, label in choices)


class EvidenceForm(ReasonForm):
    """The evidence form, with every choice defined where it is made."""

    not_reported = forms.MultipleChoiceField(
        label="Not reported",
        choices=[(name, FACETS[name].label) for name in CONTEXT_FACETS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The context facets that apply to the finding but the abstract "
        "does not state; a facet is given a value or ticked here, never both. "
        "Leave host immune status unticked for work without an animal host.",
    )

    class Meta:
        model = Evidence
        fields = sorted(EDITABLE_FIELDS)
        help_texts = {
            "msc_source": "Tissue the MSC were isolated from: "
            + _definitions(Evidence.MscSource.choices)
            + " Leave empty when the paper does not say.",
            "species": "Species the MSC came from (human MSC in mice is "
            "xenogeneic): " + _definitions(Evidence.Species.choices),
            "model": "Cell-line xenograft: human tumor cell line in an "
            "immunodeficient host. Syngeneic: tumor and host of the same strain. "
            "Genetically engineered mouse: tumors arising in the animal. "
            "Patient-derived xenograft: patient tumor grown in mice. Patient "
            "material: human samples. Cells in culture: in vitro only.",
            "immune_status": "Immunodeficient: nude, SCID or NSG hosts, where MSC "
            "immunosuppression cannot act. Immunocompetent: an intact immune "
            "system. Empty for in vitro work.",
            "delivery": "Co-injection: MSC mixed with tumor cells at implantation. "
            "Systemic: MSC injected into the blood. Local: MSC injected into an "
            "established tumor or its site. Co-culture: MSC and tumor cells "
            "together in vitro. Conditioned medium: only MSC-secreted factors.",
            "msc_tumor_ratio": "The MSC:tumor cell ratio, e.g. 1:1, only where "
            "the paper reports it; effects reverse with dose in some studies.",
            "cancer_types": "Every tumor type the finding was made in; type to "
            "search the vocabulary (label, slug or identifier). A finding made in "
            "several cancer types is one record listing them all. A cancer type "
            "missing from the list is added to claims/data/vocabulary.yaml.",
        }

    def clean(self):
        cleaned = super().clean()
        given = {name: cleaned.get(FACETS[name].field) for name in CONTEXT_FACETS}
        problems = not_reported_problems(cleaned.get("not_reported") or [], given)
        if problems:
            self.add_error("not_reported", problems)
        return cleaned

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        version = getattr(self.instance, SIMPLE_HISTORY_REVERSE_ATTR_NAME, None)
        if version is not None and "cancer_types" in self.fields:
            # Reverting to a version: its cancer types, not the record's now.
            self.initial["cancer_types"] = [
                link.term_id for link in version.cancer_types.all()
            ]


class ClaimForm(ReasonForm):
    class Meta:
        model = Claim
        fields = ["topic", "slug", "statement", "setting", "kind", "position"]
