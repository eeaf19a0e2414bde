"""The ID stage: read an INE (front + back) or a Mexican passport data page into an IdReading.

::

    from pipeline.id import read_id
    reading = read_id(front, back, "ine", ocr)

Modules, one concept each: :mod:`~pipeline.id.templates` (layout templates as data, under
``templates/*.toml``), :mod:`~pipeline.id.reader` (orchestration), :mod:`~pipeline.id.labels`
(labels and the phrases near them), :mod:`~pipeline.id.fields` (dates, sex, vigencia, clave,
domicilio), :mod:`~pipeline.id.curp_values` and :mod:`~pipeline.id.curp_reading` (the CURP),
:mod:`~pipeline.id.name_parts` and :mod:`~pipeline.id.name_reading` (names, MRZ names),
:mod:`~pipeline.id.scheduler` (second looks, ranked, under a CPU budget), :mod:`~pipeline.id.regions`
(region re-OCR), :mod:`~pipeline.id.marks` (word boxes, diacritics).
"""

from pipeline.id.reader import read_id

__all__ = ["read_id"]
