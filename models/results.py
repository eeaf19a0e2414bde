"""Building blocks shared by the stage result records: a field's reading, where it came from
(:class:`Source`) and how independent witnesses raise its confidence (:func:`agreeing`)."""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

T = TypeVar("T")


class Source(StrEnum):
    """Where a field's value was read. A closed set: consumers compare members, never text.

    - ``LABEL``: in its printed label's phrase (``SEXO H``, ``CURP GOPM...``).
    - ``NEAR``: a phrase next to the label: right of it on its line, or just below it.
    - ``PATTERN``: its grammar matched on the page away from any label (a CURP-shaped word,
      the birth date the CURP implies); a bill's fields, found in its OCR'd text.
    - ``REGION``: a closer re-read of a region of the page (beside or under a label, the
      phrase a doubtful value was read from, a band the first reading skipped).
    - ``MRZ``: the machine-readable zone.
    - ``CURP``: implied by the CURP (its sex letter).
    - ``PDF_TEXT``: a bill's PDF text layer (no OCR).
    - ``PAGE_REREAD``: a bill's second reading of the whole page (full size, background
      flattened), its fields found as in ``PATTERN``.
    """

    LABEL = "label"
    NEAR = "near"
    PATTERN = "pattern"
    REGION = "region"
    MRZ = "mrz"
    CURP = "curp"
    PDF_TEXT = "pdf-text"
    PAGE_REREAD = "page-reread"

    @property
    def printed(self) -> bool:
        """Read in the printed zone (or a bill's text), not taken from the MRZ or the CURP.

        >>> Source.NEAR.printed, Source.REGION.printed, Source.MRZ.printed, Source.CURP.printed
        (True, True, False, False)
        """
        return self not in (Source.MRZ, Source.CURP)


def agreeing(*confidences: float) -> float:
    """The confidence of a value that independent readings agree on, from each one's own: it
    is wrong only if every one of them is (``1 - (1 - p1)(1 - p2)...``), rounded to 3 places.

    >>> agreeing(0.8, 0.5), agreeing(0.6), agreeing(0.9, 0.0), agreeing(0.7, 0.7, 0.7)
    (0.9, 0.6, 0.9, 0.973)
    >>> agreeing(1.2, -0.1)   # each clamped to 0-1 first
    1.0
    """
    doubt = 1.0
    for p in confidences:
        doubt *= 1.0 - max(0.0, min(1.0, p))
    return round(1.0 - doubt, 3)


class Reading(BaseModel, Generic[T]):
    """One field read from a document, with how sure we are and where it was read.

    ``source`` says where the value came from (None: not read); ``witnesses`` the other,
    independent sources that read the same value (a printed name the MRZ confirms, a printed
    sex the CURP's letter confirms), whose confidences are combined into ``confidence`` by
    :func:`agreeing`; ``repaired`` says a check digit or the document's evidence corrected an
    OCR confusion; ``partial`` says the value is a window cut out of a longer run of glyphs
    (a doubled or stray glyph beside it), where a check digit may hold by chance.
    """

    # extra="forbid": a field set under another name (the old ``method=``) fails loudly
    model_config = ConfigDict(frozen=True, extra="forbid")

    value: T | None = None
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    source: Source | None = None
    witnesses: tuple[Source, ...] = ()
    repaired: bool = False
    partial: bool = False

    @property
    def present(self) -> bool:
        """True when a value was read."""
        return self.value is not None

    @property
    def printed(self) -> bool:
        """Read in the printed zone, or taken from the MRZ or CURP with a printed witness.

        >>> Reading(value="M", source=Source.CURP).printed
        False
        >>> Reading(value="ANA", source=Source.MRZ, witnesses=(Source.PATTERN,)).printed
        True
        """
        return any(s.printed for s in (self.source, *self.witnesses) if s is not None)

    def witnessed(self, by: Source, confidence: float, own: float | None = None) -> Reading[T]:
        """This reading confirmed by an independent reading from ``by`` (another region
        re-read too: a second, independent read of the print), read with ``confidence``: the
        witness is recorded and the confidences combined (:func:`agreeing`), from ``own``
        instead of this reading's confidence when given (a reading whose confidence was
        lowered because nothing confirmed it). A witness already recorded counts once.

        >>> r = Reading(value="H", confidence=0.6, source=Source.LABEL).witnessed(Source.CURP, 0.9)
        >>> r.confidence, r.source.value, [w.value for w in r.witnesses]
        (0.96, 'label', ['curp'])
        >>> r.witnessed(Source.CURP, 0.9).witnesses == r.witnesses  # a witness counts once
        True
        """
        if by in self.witnesses:
            return self
        base = self.confidence if own is None else own
        return self.model_copy(
            update={"confidence": agreeing(base, confidence), "witnesses": (*self.witnesses, by)}
        )
