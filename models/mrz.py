"""The reading of a machine-readable zone (ICAO 9303 TD1, TD2, TD3), as parsed and checked."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

MrzFormat = Literal["TD1", "TD2", "TD3"]


class MrzRepair(BaseModel):
    """One character changed from what the OCR read, and whether a check digit confirmed it.

    ``line`` and ``position`` are 0-based in the (aligned) MRZ lines. ``validated`` is true when
    the field's check digit (or the composite) holds after the change; a repair forced by the
    field's alphabet alone (a letter in a date, a digit in a name) has ``validated=False``.
    """

    model_config = ConfigDict(frozen=True)

    field: str
    line: int
    position: int
    read: str
    repaired: str
    validated: bool


class MrzResult(BaseModel):
    """The fields of one MRZ with the outcome of every check digit.

    ``checks`` maps each checked field (``document_number``, ``birth_date``, ``expiry_date``,
    ``optional_data`` on TD3, ``composite``) to whether its check digit holds; ``valid`` is true
    only when all of them do. ``raw_lines`` are the OCR lines chosen as MRZ (cleaned of spaces and
    foreign characters), ``lines`` the same after alignment and repairs.
    """

    model_config = ConfigDict(frozen=True)

    format: MrzFormat
    document_type: str = ""
    issuing_country: str = ""
    document_number: str = ""
    birth_date: dt.date | None = None
    sex: str = Field(
        "",
        description="the sex code as printed: M, F or X (ICAO), H or M on a Mexican voter card; "
        "empty when unspecified (<)",
    )
    expiry_date: dt.date | None = None
    nationality: str = ""
    surnames: str = ""
    given_names: str = ""
    optional_data: str = Field("", description="TD1 line 1 / TD2 optional data / TD3 personal no.")
    optional_data_2: str = Field("", description="TD1 line 2 optional data")
    checks: dict[str, bool] = Field(default_factory=dict)
    valid: bool = False
    repairs: list[MrzRepair] = Field(default_factory=list)
    raw_lines: list[str] = Field(default_factory=list)
    lines: list[str] = Field(default_factory=list)
    confidence: float = Field(0.0, ge=0.0, le=1.0)
    method: str = ""

    @property
    def repaired(self) -> bool:
        """True when any character differs from the OCR reading."""
        return bool(self.repairs)

    @property
    def is_mexican_ine(self) -> bool:
        """A Mexican voter card (INE/IFE) back: TD1 with ``ID`` type issued by MEX."""
        return self.format == "TD1" and self.issuing_country == "MEX" and self.document_type == "ID"

    @property
    def sexo(self) -> str | None:
        """The sex as Mexican documents write it (H, M or X); None when unspecified.

        ICAO documents (the passport) print M/F/X: M is H, F is M. The INE's MRZ prints the
        card's own H/M (``../shared/docs/real-documents.md``): there M is a woman.

        >>> MrzResult(format="TD3", sex="F").sexo, MrzResult(format="TD3", sex="M").sexo
        ('M', 'H')
        >>> ine = {"format": "TD1", "document_type": "ID", "issuing_country": "MEX"}
        >>> MrzResult(**ine, sex="M").sexo, MrzResult(**ine, sex="H").sexo
        ('M', 'H')
        >>> MrzResult(format="TD1").sexo is None
        True
        """
        if self.is_mexican_ine:
            return self.sex if self.sex in ("H", "M", "X") else None
        return {"M": "H", "F": "M", "X": "X"}.get(self.sex)

    @property
    def names_field(self) -> str:
        """The name field as printed (``SURNAME<SURNAME<<GIVEN<NAMES<<<``); "" when not read.

        >>> MrzResult(format="TD3", lines=["P<MEXPEREZ<<ANA<<<", "G1234567"]).names_field
        'PEREZ<<ANA<<<'
        """
        if self.format == "TD1" and len(self.lines) == 3:
            return self.lines[2]
        if self.format in ("TD2", "TD3") and self.lines:
            return self.lines[0][5:]
        return ""

    @property
    def names_may_be_cut(self) -> bool:
        """The name field may have been cut at its width (:func:`names_field_may_be_cut`)."""
        field = self.names_field
        return bool(field) and names_field_may_be_cut(field)

    @property
    def curp_prefix(self) -> str | None:
        """On a Mexican passport (TD3, MEX) the personal-number field: the CURP's first 14 chars."""
        if self.format != "TD3" or self.issuing_country != "MEX":
            return None
        value = self.optional_data.replace("<", "")
        return value or None


def names_field_may_be_cut(field: str) -> bool:
    """An MRZ name field that does not end in two fillers may have been cut at its width:
    after a letter, or at the filler between two given names (``...<<FRANCISCO<`` of
    FRANCISCO JAVIER in 30 places).

    >>> names_field_may_be_cut("PEREZ<<ANA<MARIA"), names_field_may_be_cut("CRUZ<<FRANCISCO<")
    (True, True)
    >>> names_field_may_be_cut("PEREZ<<ANA<<<<<<")
    False
    """
    return not field.endswith("<<")
