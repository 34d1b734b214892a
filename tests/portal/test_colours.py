"""The portal's colours, read from static/portal.css: WCAG AA contrast for every
pair the pages draw, and three colour languages (stance, effect on the tumor,
status) that share no colour and never rely on colour alone."""

import re
from pathlib import Path

import pytest

from claims.models import Evidence
from claims.status_rules import ClaimStatus

ROOT = Path(__file__).resolve().parents[2]
CSS = (ROOT / "static" / "portal.css").read_text()
TEXT, GRAPHIC = 4.5, 3.0


def custom_properties(css: str) -> dict[str, str]:
    """The colour custom properties of :root, name -> #rrggbb, var() resolved."""
    root = re.search(r":root\s*\{(.*?)\n\}", css, re.S)
    assert root, "portal.css has no :root block"
    found = dict(re.findall(r"--([\w-]+):\s*([^;]+);", root.group(1)))
    colours = {}
    for name, value in found.items():
        while (ref := re.fullmatch(r"var\(--([\w-]+)\)", value.strip())) is not None:
            value = found[ref.group(1)]
        if re.fullmatch(r"#[0-9a-fA-F]{6}", value.strip()):
            colours[name] = value.strip().lower()
    return colours


COLOURS = custom_properties(CSS)


def luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = (
        c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels
    )
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def language(prefix: str) -> dict[str, str]:
    return {n: c for n, c in COLOURS.items() if n.startswith(prefix)}


HUED_STATUSES = [s for s in ClaimStatus if s != ClaimStatus.NOT_ASSESSED]
SOLID_EFFECTS = [fx for fx in Evidence.Effect if fx != Evidence.Effect.NOT_ASSESSED]

# (foreground, background, minimum): every pair portal.css draws with its tokens.
PAIRS = [
    *[(fg, bg, TEXT) for fg in ("ink", "muted", "link") for bg in ("paper", "soft")],
    ("link-hover", "paper", TEXT),
    ("faint", "paper", TEXT),
    ("paper", "band", TEXT),
    ("focus", "paper", GRAPHIC),
    ("focus-on-dark", "band", GRAPHIC),
    # Status badges and the home page's tiles: white words on the status.
    *[("paper", f"status-{s}", TEXT) for s in HUED_STATUSES],
    # The verdict box's edge, on the page and on the box.
    *[(f"status-{s}", bg, GRAPHIC) for s in ClaimStatus for bg in ("paper", "soft")],
    # Stance pills: white on ink (supports), ink on white (refutes, qualifies).
    ("paper", "stance-ink", TEXT),
    # Effect words in the evidence table and the key, on white.
    *[(f"effect-{fx}", "paper", TEXT) for fx in Evidence.Effect],
    # Chart segments: white numbers on the fill; a fill (or the not-assessed
    # outline) against the white page.
    *[("paper", f"effect-{fx}", TEXT) for fx in SOLID_EFFECTS],
    ("ink", "effect-hollow", TEXT),
    *[(f"effect-{fx}", "paper", GRAPHIC) for fx in Evidence.Effect],
    *[
        (f"badge-{b}", f"badge-{b}-bg", TEXT)
        for b in ("danger", "warning", "info", "neutral", "separates")
    ],
    ("badge-warning", "paper", TEXT),  # Thin evidence: the warning word on white
]
# Colours that only draw lines between things, never a meaning or a word.
DECORATION = {"line", "rule"}


@pytest.mark.parametrize(("fg", "bg", "minimum"), PAIRS)
def test_every_colour_pair_meets_wcag_aa(fg, bg, minimum):
    ratio = contrast(COLOURS[fg], COLOURS[bg])

    assert ratio >= minimum, f"--{fg} on --{bg}: {ratio:.2f}:1 < {minimum}:1"


def test_every_colour_is_checked_in_some_pair():
    checked = {name for fg, bg, _ in PAIRS for name in (fg, bg)}

    assert set(COLOURS) - checked - DECORATION == set()


def test_the_contrast_formula_gives_the_known_extremes():
    assert contrast("#ffffff", "#000000") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)


def test_every_stance_effect_and_status_has_its_colour():
    assert set(language("effect-")) >= {f"effect-{fx}" for fx in Evidence.Effect}
    assert set(language("status-")) >= {f"status-{s}" for s in ClaimStatus}
    assert language("stance-")


def test_stance_effect_and_status_share_no_colour():
    stance = set(language("stance-").values())
    effect = set(language("effect-").values())
    status = set(language("status-").values())

    assert stance & effect == set()
    assert status & (stance | effect) == set()


def test_no_two_effects_or_two_statuses_share_a_colour():
    for prefix in ("effect-", "status-"):
        colours = list(language(prefix).values())

        assert len(colours) == len(set(colours)), prefix


def glyphs(selector: str) -> dict[str, str]:
    """`.<selector>-<value>::before { content: "<glyph>" ... }` in portal.css."""
    rule = rf'\.{selector}-(\w+)::before\s*\{{\s*content:\s*"([^"]+)"'
    return dict(re.findall(rule, CSS))


@pytest.mark.parametrize(
    ("selector", "values"),
    [("stance", Evidence.Stance.values), ("effect", Evidence.Effect.values)],
)
def test_every_stance_and_effect_has_a_glyph_of_its_own(selector, values):
    found = glyphs(selector)

    assert set(found) == set(values)
    assert len(set(found.values())) == len(values)


def test_the_charts_draw_a_texture_for_every_effect():
    patterns = (ROOT / "templates/claims/charts/_patterns.html").read_text()

    for fx in Evidence.Effect.values:
        assert f'id="{{{{ id }}}}-fx-{fx}"' in patterns
