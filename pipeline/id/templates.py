"""Layout templates of the ID documents: data, one TOML file per document kind and layout.

::

    ine = templates.load(templates.INE_FRONT)
    ine.labels["curp"]              # r"\\bCURP\\b": the label's pattern on folded text
    ine.fields["sexo"].reread       # "HMX": characters a closer re-read is restricted to
    ine.value("seccion")            # r"\\d{3,4}": the regex of the field's value grammar

A template (``pipeline/id/templates/<name>.toml``) has a ``kind`` (``ine``, ``passport``), a
``side``, optional ``name_stop_words`` (label words a name line must not be) and a table per
field: ``label`` (regex alternatives on folded text: upper case, no accents), optional
``fuzzy`` (the label's plain words, matched at a phrase's start with one OCR slip), ``grammar``
(a name from :data:`GRAMMARS`) and ``reread`` (the whitelist of a closer second reading).
Templates are read once and validated: a bad one raises :class:`TemplateError` naming the file
and the key.
"""

from __future__ import annotations

import dataclasses
import functools
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: where the templates are
TEMPLATE_DIR = Path(__file__).with_name("templates")
#: the INE front (2019 layout) and the passport data page
INE_FRONT = "ine_2019_front"
PASSPORT_PAGE = "passport_page"

#: value grammars by name: a regex on folded text where the value is one match of it, or None
#: where a dedicated reader knows the value's shape (check digits, dates, name lines)
GRAMMARS: Mapping[str, str | None] = {
    "curp": None,
    "clave_elector": None,
    "date": None,
    "vigencia": None,
    "name_lines": None,
    "name_line": None,
    "address": None,
    "registration_year": r"(?:19|20)\d\d(?:\s+\d\d)?",
    "seccion": r"\d{3,4}",
    "sex_hm": r"(?<![A-Z])[HMX](?![A-Z])",
    "sex_icao": r"(?<![A-Z])[HMFX](?![A-Z])",
    "passport_number": r"(?<![A-Z0-9])(?=[A-Z0-9]*\d)[A-Z0-9]{8,10}(?![A-Z0-9])",
}
_KINDS = ("ine", "passport")
_FIELD_KEYS = {"label", "fuzzy", "grammar", "reread"}
_TOP_KEYS = {"kind", "side", "name_stop_words", "fields"}


class TemplateError(ValueError):
    """A layout template that cannot be used (missing or malformed key)."""


@dataclasses.dataclass(frozen=True)
class FieldTemplate:
    """One field of a layout: how its label reads and what its value looks like."""

    name: str
    label: str
    fuzzy: str | None = None
    grammar: str | None = None
    reread: str | None = None


@dataclasses.dataclass(frozen=True)
class Template:
    """A document layout: its fields, in the file's order."""

    name: str
    kind: str
    side: str
    fields: Mapping[str, FieldTemplate]
    name_stop_words: tuple[str, ...] = ()

    @functools.cached_property
    def labels(self) -> dict[str, str]:
        """Each field's label pattern (alternatives joined), by field name."""
        return {name: field.label for name, field in self.fields.items()}

    @functools.cached_property
    def any_label(self) -> str:
        """One pattern matching any of the layout's labels."""
        return "|".join(f"(?:{field.label})" for field in self.fields.values())

    def value(self, name: str) -> str:
        """The regex of field ``name``'s value grammar (KeyError when it has none)."""
        pattern = GRAMMARS.get(self.fields[name].grammar or "")
        if pattern is None:
            raise KeyError(f"{self.name}: field {name} has no regex grammar")
        return pattern

    def whitelist(self, name: str) -> str:
        """The characters a closer re-read of field ``name`` is restricted to (KeyError when
        the template gives none)."""
        chars = self.fields[name].reread
        if chars is None:
            raise KeyError(f"{self.name}: field {name} has no reread whitelist")
        return chars


@functools.cache
def load(name: str) -> Template:
    """The template ``name`` (file ``templates/<name>.toml``), read and validated once."""
    path = TEMPLATE_DIR / f"{name}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise TemplateError(f"{path.name}: {exc}") from exc
    return parse(name, data)


@functools.cache
def all_templates() -> tuple[Template, ...]:
    """Every template of :data:`TEMPLATE_DIR`, by file name."""
    return tuple(load(path.stem) for path in sorted(TEMPLATE_DIR.glob("*.toml")))


def parse(name: str, data: Mapping[str, Any]) -> Template:
    """A template from its parsed TOML; raises :class:`TemplateError` on a bad key.

    >>> parse("t", {"kind": "ine", "side": "front", "fields": {"curp": {"label": ["CURP"]}}}).labels
    {'curp': 'CURP'}
    >>> parse("t", {"kind": "ine", "side": "front", "fields": {"curp": {"label": ["("]}}})
    Traceback (most recent call last):
    ...
    pipeline.id.templates.TemplateError: t.toml: fields.curp.label: bad regex '(': missing ), unterminated subpattern at position 0
    """
    where = f"{name}.toml"
    _no_unknown(where, data, _TOP_KEYS)
    kind = _text(where, data, "kind")
    if kind not in _KINDS:
        raise TemplateError(f"{where}: kind: {kind!r} is not one of {', '.join(_KINDS)}")
    side = _text(where, data, "side")
    stop = data.get("name_stop_words", [])
    if not isinstance(stop, list) or not all(isinstance(w, str) and w for w in stop):
        raise TemplateError(f"{where}: name_stop_words: a list of words expected")
    table = data.get("fields")
    if not isinstance(table, dict) or not table:
        raise TemplateError(f"{where}: fields: at least one field table expected")
    fields = {key: _field(f"{where}: fields.{key}", key, value) for key, value in table.items()}
    return Template(name, kind, side, fields, tuple(stop))


def _field(where: str, name: str, data: object) -> FieldTemplate:
    if not isinstance(data, dict):
        raise TemplateError(f"{where}: a table expected")
    _no_unknown(where, data, _FIELD_KEYS)
    patterns = data.get("label")
    if not isinstance(patterns, list) or not patterns:
        raise TemplateError(f"{where}.label: a non-empty list of patterns expected")
    for pattern in patterns:
        if not isinstance(pattern, str) or not pattern:
            raise TemplateError(f"{where}.label: {pattern!r} is not a pattern")
        try:
            re.compile(pattern)
        except re.error as exc:
            raise TemplateError(f"{where}.label: bad regex {pattern!r}: {exc}") from exc
    fuzzy = _optional(where, data, "fuzzy")
    if fuzzy is not None and not re.fullmatch(r"[A-Z]+(?: [A-Z]+)*", fuzzy):
        raise TemplateError(f"{where}.fuzzy: plain upper-case words expected, got {fuzzy!r}")
    grammar = _optional(where, data, "grammar")
    if grammar is not None and grammar not in GRAMMARS:
        raise TemplateError(f"{where}.grammar: unknown grammar {grammar!r}")
    reread = _optional(where, data, "reread")
    label = "|".join(tolerant(pattern) for pattern in patterns)
    return FieldTemplate(name, label, fuzzy, grammar, reread)


#: what may sit between two words of a label: a label printed in two languages, one over
#: the other (``Lugar de nacimiento`` over ``Place of birth``), is often read as one line with
#: the words of both interleaved (``Place jar of de birth nacimi``)
INTERLEAVED = r"(?:\s+\S+){0,2}?\s*"


def tolerant(pattern: str) -> str:
    r"""A label pattern whose words (joined by ``\s*``) may have up to two words of another
    label line read between them.

    >>> import re
    >>> bool(re.search(tolerant(r"PLACE\s*OF\s*BIRTH"), "PLACE JAR OF DE BIRTH NACIMI"))
    True
    >>> bool(re.search(tolerant(r"FECHA\s*DE\s*NACIMIENTO"), "FECHA DE EXPEDICION NACIMIENTO X"))
    True
    >>> fecha = tolerant(r"FECHA\s*DE\s*NACIMIENTO")
    >>> bool(re.search(fecha, "FECHA DE EXPEDICION Y CADUCIDAD NACIMIENTO"))
    False
    """
    return pattern.replace(r"\s*", INTERLEAVED)


def _no_unknown(where: str, data: Mapping[str, Any], known: set[str]) -> None:
    unknown = sorted(set(data) - known)
    if unknown:
        raise TemplateError(f"{where}: unknown key(s) {', '.join(unknown)}")


def _text(where: str, data: Mapping[str, Any], key: str) -> str:
    value = data.get(key)
    if not isinstance(value, str) or not value:
        raise TemplateError(f"{where}: {key}: a non-empty string expected")
    return value


def _optional(where: str, data: Mapping[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is not None and (not isinstance(value, str) or not value):
        raise TemplateError(f"{where}.{key}: a non-empty string expected")
    return value
