"""One scheduler for every second look at an ID side (issue 17, Build 4), like
``mrz_image.read_mrz``'s attempts: :data:`LOOKS` lists them as data (the field, what starts
it, the template label its region is placed by, the crop, what it does), for every layout
template alike. A look applies where the template has its label; it starts when its field's
best reading is missing, contradicted (by the MRZ, by its own check digit) or weak, in one
ranked order (:func:`rank`): the side's own re-read first (a levelled photo replaces every
field), then missing, contradicted, weak fields, in the list's order. No new look starts once
the case's CPU budget (``policy.toml`` ``id_reading.second_looks_cpu_s``) is spent. What ran,
why, and whether it changed the reading is recorded (:class:`models.documents.SecondLook`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from models.documents import SecondLook
from pipeline import curp_evidence as evidence_rules
from pipeline import document as doc
from pipeline import mrz_image, orientation
from pipeline.id.common import NONE, curp_text
from pipeline.id.curp_reading import curp_evidence
from pipeline.id.curp_values import read_as_printed
from pipeline.id.looks import (
    IdState,
    document_evidence,
    look_as_mrz,
    look_beside,
    look_curp,
    look_mrz_names,
    look_name_line,
    look_name_lines,
    mrz_name_parts,
    mrz_value,
    with_page,
)
from pipeline.id.marks import fit_tall_words, with_diacritics
from pipeline.id.name_parts import split_mrz_names
from pipeline.id.name_reading import names_agree
from pipeline.id.regions import (
    BESIDE,
    BLOCK,
    LINE_BELOW,
    MIN_TILT,
    NEAR,
    Crop,
    level,
    text_tilt,
)
from pipeline.policy import load_policy


class Why(enum.IntEnum):
    """Why a look starts, in the order looks are ranked."""

    MISSING = 0  # the field has no reading of its own (absent, or only implied)
    CONTRADICTED = 1  # another witness (the MRZ) or its own check digit says it is wrong
    WEAK = 2  # read, but the side's reading as a whole is doubtful


Trigger = Callable[[IdState, "Look"], Why | None]
Action = Callable[[IdState, "Look"], bool]


@dataclass(frozen=True)
class Look:
    """One second look: the reading field it may change, the template field keys whose
    label places its region (the first the template has), the crop (None: not a region of
    the page), what starts it and what it does (True: the reading changed); ``side`` looks
    re-read the whole side and rank first."""

    name: str
    field: str
    labels: tuple[str, ...]
    crop: Crop | None
    trigger: Trigger
    action: Action
    side: bool = False


def _applies(state: IdState, look: Look) -> bool:
    """The template has the look's label (or the look needs none)."""
    return not look.labels or any(key in state.template.fields for key in look.labels)


def unread_beside_label(state: IdState, look: Look) -> Why | None:
    """The field was not read in the print (absent, or implied by the CURP) although its
    label was found and the template allows a re-read of it."""
    found = state.label(look)
    if found is None or not state.template.fields[found[0]].reread:
        return None
    read = state.fields.get(look.field, NONE)
    return None if read.present and read.printed else Why.MISSING


def contradicts_mrz(state: IdState, look: Look) -> Why | None:
    """A printed value the fully valid MRZ reads otherwise (its label found)."""
    read, wanted = state.fields.get(look.field, NONE), mrz_value(state, look.field)
    if state.label(look) is None or wanted is None or not read.present:
        return None
    return Why.CONTRADICTED if read.value != wanted else None


def doubtful_curp(state: IdState, look: Look) -> Why | None:
    """No CURP (missing), or one not read as printed, not starting with the MRZ's personal
    number, or that the document's other fields contradict (contradicted)."""
    read = state.fields.get("curp", NONE)
    if not read.present:
        return Why.MISSING
    prefix = curp_evidence({}, state.mrz).prefix
    if not read_as_printed(read):
        return Why.CONTRADICTED
    if prefix and not str(read.value).startswith(prefix):
        return Why.CONTRADICTED
    if evidence_rules.contradicts(document_evidence(state), str(read.value)):
        return Why.CONTRADICTED
    return None


def names_contradict_mrz(state: IdState, look: Look) -> Why | None:
    """Printed names the fully valid MRZ writes otherwise (or, for a name line, a name the
    MRZ stands in for because the print was not read)."""
    mrz = state.valid_mrz
    if mrz is None or state.label(look) is None or not mrz.surnames.strip():
        return None
    key, _ = state.label(look) or ("", None)
    if state.template.fields[key].grammar == "name_lines":  # every name part under one label
        wanted = split_mrz_names(mrz, curp_text(state.fields.get("curp", NONE)))
        return None if names_agree(state.fields, wanted, mrz) else Why.CONTRADICTED
    subset = mrz_name_parts(state, look.field)
    if not subset:
        return None
    unread = any(state.fields.get(n, NONE).present and not state.fields[n].printed for n in subset)
    return Why.MISSING if unread else (
        None if names_agree(state.fields, subset, mrz) else Why.CONTRADICTED)  # fmt: skip


def mrz_names_contradict_print(state: IdState, look: Look) -> Why | None:
    """A valid MRZ, read on another side, whose names line the printed names contradict."""
    mrz = state.valid_mrz
    if mrz is None or state.mrz_page is None:
        return None
    parts = [state.fields.get(k, NONE) for k in ("primer_apellido", "nombre")]
    if not all(p.present and p.printed for p in parts):
        return None
    wanted = split_mrz_names(mrz, curp_text(state.fields.get("curp", NONE)))
    return None if names_agree(state.fields, wanted, mrz) else Why.CONTRADICTED


def side_misread(state: IdState, look: Look) -> Why | None:
    """The outline found was not the document (its reading is of another kind), or no
    outline was found and the side's reading is weak (its CURP not read as printed, its
    names not read, the MRZ printed on it not valid)."""
    if state.side is None or state.side.first_pass is None:
        return None
    if state.page.outline_found:
        return Why.CONTRADICTED if state.side.record.kind != state.side.kind else None
    return Why.WEAK if weak_side(state) else None


def weak_side(state: IdState) -> bool:
    """The side's reading failed its own check (see :func:`side_misread`)."""
    names = all(state.fields.get(k, NONE).present for k in ("primer_apellido", "nombre"))
    here = state.side is not None and state.side.mrz_here
    own_mrz = here and (state.mrz is None or not state.mrz.valid)
    return not read_as_printed(state.fields.get("curp", NONE)) or not names or own_mrz


def look_levelled(state: IdState, look: Look) -> bool:
    """The whole photo read again, its text lines levelled first when they lean by
    :data:`MIN_TILT` or more (a card at a slant on a background its edges do not stand out
    from: Tesseract splits slanted lines); the stronger first reading is kept."""
    side = state.side
    if side is None or side.first_pass is None:
        return False
    angle = text_tilt(side.image)
    if not state.page.outline_found and abs(angle) < MIN_TILT:
        return False
    photo = level(side.image, angle) if abs(angle) >= MIN_TILT else side.image
    levelled = orientation.upright(doc.Page(image=doc.canonical_size(photo, "card")), state.ocr,
                                   "card", enlarge=True)  # fmt: skip
    page = with_diacritics(fit_tall_words(levelled))
    fields, mrz = side.first_pass(page)
    other = with_page(state, page, fields)
    other.mrz = mrz
    if strength(other) <= strength(state):
        return False
    state.page, state.fields, state.mrz = page, fields, mrz
    state.found, state.labels = other.found, other.labels
    side.record = doc.describe(levelled)
    return True


#: the fields a reading of a side is judged by (besides a CURP read as printed)
CORE = ("curp", "primer_apellido", "nombre", "fecha_nacimiento", "sexo", "vigencia_hasta")


def strength(state: IdState) -> tuple[int, int, float]:
    """How well a side was read: a valid MRZ read on it, a CURP read as printed, then how
    many core fields were read in the print, then their mean confidence."""
    printed = [state.fields.get(k, NONE) for k in CORE]
    printed = [r for r in printed if r.present and r.printed]
    mean = sum(r.confidence for r in printed) / len(printed) if printed else 0.0
    here = state.side is not None and state.side.mrz_here
    own_mrz = here and state.mrz is not None and state.mrz.valid
    valid = int(own_mrz) * 2 + int(read_as_printed(state.fields.get("curp", NONE)))
    return valid, len(printed), round(mean, 4)


#: every second look, in the order they rank among equals
LOOKS: tuple[Look, ...] = (
    Look("levelled photo", "*", (), None, side_misread, look_levelled, side=True),
    Look("letter beside label", "sexo", ("sexo",), BESIDE, unread_beside_label, look_beside),
    Look("letter vs MRZ", "sexo", ("sexo",), NEAR, contradicts_mrz, look_as_mrz),
    Look("date vs MRZ", "fecha_nacimiento", ("nacimiento",), NEAR, contradicts_mrz, look_as_mrz),
    Look(
        "date vs MRZ",
        "vigencia_hasta",
        ("vigencia", "caducidad"),
        NEAR,
        contradicts_mrz,
        look_as_mrz,
    ),  # fmt: skip
    Look("CURP settled", "curp", ("curp",), None, doubtful_curp, look_curp),
    Look(
        "name block vs MRZ", "nombre", ("nombre",), BLOCK, names_contradict_mrz, look_name_lines
    ),  # fmt: skip
    Look(
        "name line vs MRZ",
        "primer_apellido",
        ("apellidos",),
        LINE_BELOW,
        names_contradict_mrz,
        look_name_line,
    ),  # fmt: skip
    Look(
        "name line vs MRZ", "nombre", ("nombres",), LINE_BELOW, names_contradict_mrz, look_name_line
    ),  # fmt: skip
    Look("MRZ names again", "mrz", (), None, mrz_names_contradict_print, look_mrz_names),
)


def rank(index: int, look: Look, why: Why) -> tuple[int, int, int]:
    """The one order of looks: the side's own re-read, then by why (missing, contradicted,
    weak), then the list's order."""
    return (0 if look.side else 1, int(why), index)


@dataclass(frozen=True)
class Budget:
    """A case's CPU budget for second looks: ``seconds`` of CPU from ``started``."""

    started: float
    seconds: float

    @classmethod
    def start(cls, seconds: float | None = None) -> Budget:
        """A budget starting now (``seconds``: default the policy's)."""
        return cls(cpu_seconds(), looks_budget() if seconds is None else seconds)

    def spent(self) -> bool:
        """No new look may start."""
        return cpu_seconds() - self.started > self.seconds


def run_looks(state: IdState, budget: Budget, looks: tuple[Look, ...] = LOOKS) -> list[SecondLook]:
    """Run the looks that apply to ``state``'s template, best-ranked first, each at most
    once, re-ranking after each (a look changes what the others see); none starts once the
    ``budget`` is spent (each due look is then recorded as not started). Returns the record."""
    done: set[int] = set()
    record: list[SecondLook] = []
    while True:
        due = [
            (rank(i, look, why), i, look, why)
            for i, look in enumerate(looks)
            if i not in done
            and _applies(state, look)
            and (why := look.trigger(state, look)) is not None
        ]
        if not due:
            return record
        _, index, look, why = min(due, key=lambda item: item[0])
        done.add(index)
        if budget.spent():
            record.append(_entry(look, why, "budget"))
            continue
        changed = look.action(state, look)
        record.append(_entry(look, why, "changed" if changed else "kept"))


def _entry(look: Look, why: Why, outcome: str) -> SecondLook:
    """The record of one look."""
    return SecondLook.model_validate(
        {"look": look.name, "field": look.field, "why": why.name.lower(), "outcome": outcome}
    )


@cache
def looks_budget() -> float:
    """The per-case CPU budget of second looks, from the versioned policy."""
    return load_policy().number("id_reading.second_looks_cpu_s")


def cpu_seconds() -> float:
    """CPU seconds used so far, counted as ``mrz_image.read_mrz`` counts its budget."""
    return mrz_image.cpu_seconds()
