"""Layout families of the ID documents the generator draws.

A *family* is one independent way of drawing a document kind: its own fonts, sizes, label
wording and positions, tints, security background and print quality. Every family draws the same
:class:`synth.ids.IdCard` record (what the document says); only how it looks differs. The
pipeline must read every family; a reading rule must hold on families it was not written
against (leave-one-family-out, ``docs/documents.md``).

A family module defines ``FAMILY = IdFamily(...)``, or ``FAMILIES = (IdFamily(...), ...)`` when
it draws several, and is listed in :data:`MODULES`.
Families marked ``blind`` were written from ``../shared/docs/real-documents.md`` and public
sources alone, by someone who had not read ``pipeline/``: no reading rule may be added for
them in the change that measures them.
"""

from __future__ import annotations

import dataclasses
import importlib
import math
import random
from collections.abc import Callable
from functools import cache

import numpy as np
from PIL import Image

from synth.draw import Page, text_width_mm
from synth.fonts import Font, mrz_font_path
from synth.ids import IdCard
from synth.textures import guilloche

#: front renderer: (card, portrait, rng, pixels per mm) -> flat image of the front / data page
FrontRenderer = Callable[[IdCard, Image.Image, random.Random, float], Image.Image]
#: back renderer: (card, rng, pixels per mm) -> flat image of the back
BackRenderer = Callable[[IdCard, random.Random, float], Image.Image]
Color = tuple[int, int, int]


@dataclasses.dataclass(frozen=True)
class IdFamily:
    """One layout family of one ID kind.

    ``portrait_aspect`` is the printed portrait's width / height (the generator crops the face
    photo to it before calling ``render_front``); ``base_k`` the pixels per mm the family is
    drawn at for a photo of up to 2000 px (larger photos draw it finer). ``booklet`` (passports)
    lets the generator photograph the data page inside the open booklet.
    """

    name: str
    kind: str  # "ine" or "passport"
    blind: bool
    render_front: FrontRenderer
    render_back: BackRenderer | None
    portrait_aspect: float
    base_k: float = 12.0
    booklet: bool = False
    description: str = ""


#: the modules that define families, in a fixed order (the generator's draws depend on it)
MODULES = (
    "synth.families.classic",
    "synth.families.ine2014",
    "synth.families.passport2021",
    "synth.families.ine_blind",
    "synth.families.passport_blind",
    "synth.families.ine_blind2",
    "synth.families.passport_blind2",
)


@cache
def families() -> dict[str, IdFamily]:
    """Every family by name, in :data:`MODULES` order."""
    out: dict[str, IdFamily] = {}
    for name in MODULES:
        module = importlib.import_module(name)
        defined = getattr(module, "FAMILIES", None) or (module.FAMILY,)
        for family in defined:
            if family.name in out:
                raise ValueError(f"family {family.name} defined twice ({name})")
            out[family.name] = family
    return out


def of_kind(kind: str) -> list[IdFamily]:
    """The families of one ID kind, in a fixed order."""
    return [f for f in families().values() if f.kind == kind]


def pick(kind: str, rng: random.Random, only: set[str] | None = None) -> IdFamily:
    """A family of ``kind`` drawn evenly, among ``only`` when given (``--family``)."""
    choices = [f for f in of_kind(kind) if only is None or f.name in only]
    if not choices:
        raise ValueError(f"no {kind} family among {sorted(only or [])}")
    return rng.choice(choices)


# Drawing helpers more than one family uses (each family keeps its own layout, fonts and tints).


def fit_mrz_font(chars: int, width_mm: float) -> Font:
    """The OCR-B font sized so that ``chars`` characters span ``width_mm``."""
    probe = Font(mrz_font_path(), 10.0)
    return probe.sized(10.0 * width_mm / text_width_mm("<" * chars, probe))


def draw_mrz(
    page: Page,
    lines: list[str],
    rng: random.Random,
    band: tuple[float, Color],
    first: tuple[float, float],
    pitch: float,
    width_mm: float,
) -> None:
    """The machine-readable zone as given: a clear band from ``band[0]`` mm down to the bottom
    (``band[1]`` its colour), then ``lines`` in OCR-B spanning ``width_mm``, the first with its
    baseline at ``first`` (x, y) and the next ``pitch`` mm lower, each nudged sideways a little."""
    page.rect(0, band[0], page.width, page.height - band[0], fill=band[1])
    font = fit_mrz_font(max((len(line) for line in lines), default=30), width_mm)
    for i, line in enumerate(lines):
        page.text(first[0] + rng.uniform(-0.3, 0.3), first[1] + pitch * i, line, font, (22, 22, 28))


def scribble(
    page: Page,
    box: tuple[float, float, float, float],
    rng: random.Random,
    color: Color,
    width: float = 0.25,
) -> None:
    """A handwritten-looking signature: a looping stroke across ``box`` (x, y, w, h in mm)."""
    x, y, w, h = box
    loops = rng.uniform(3.0, 6.0)
    lean, phase = rng.uniform(0.1, 0.35), rng.uniform(0, math.tau)
    points = []
    for i in range(61):
        t = i / 60
        swing = math.sin(math.tau * loops * t + phase)
        px = x + w * t + w * 0.05 * math.cos(math.tau * loops * t + phase) + lean * h * swing
        py = y + h / 2 - h * 0.45 * swing * (0.5 + 0.5 * math.sin(math.pi * t))
        points.append((px, py))
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        page.line(x1, y1, x2, y2, color, width)


def rainbow_background(
    rng: random.Random, size_mm: tuple[float, float], k: float, stops: list[Color], ink: Color
) -> Image.Image:
    """Guilloche lines over a left-to-right rainbow of pale ``stops`` (offset rainbow print)."""
    w, h = round(size_mm[0] * k), round(size_mm[1] * k)
    lines = guilloche(np.random.default_rng(rng.getrandbits(32)), w, h, (255, 255, 255), ink)
    at = np.linspace(0.0, 1.0, len(stops))
    xs = np.linspace(0.0, 1.0, w)
    ramp = np.stack([np.interp(xs, at, [s[c] for s in stops]) for c in range(3)], axis=-1)
    arr = np.asarray(lines, np.float32) * ramp[None, :, :] / 255.0
    return Image.fromarray(arr.clip(0, 255).astype(np.uint8))
