"""The generator's first layouts, drawn by :mod:`synth.ids`: the INE of the 2019 models (G/H)
and the passport data page of the pre-electronic booklet (2008 model).

These are the layouts the ID reader in ``pipeline/`` was first tuned on; every other family is
measured against them (``docs/families.md``).
"""

from __future__ import annotations

from synth import ids
from synth.families import IdFamily

INE_2019 = IdFamily(
    name="ine_2019",
    kind="ine",
    blind=False,
    render_front=ids.render_ine_front,
    render_back=ids.render_ine_back,
    portrait_aspect=23 / 30,
    base_k=12.0,
    description="INE models G/H (from December 2019): name, address, keys, then "
    "FECHA DE NACIMIENTO, SECCIÓN and VIGENCIA along the bottom; QR codes on the back",
)

PASSPORT_2008 = IdFamily(
    name="passport_2008",
    kind="passport",
    blind=False,
    render_front=ids.render_passport,
    render_back=None,
    portrait_aspect=31 / 40,
    base_k=10.0,
    booklet=True,
    description="passport data page before the electronic booklet: bilingual labels over "
    "values, dates numeric or with bilingual month abbreviations",
)

FAMILIES = (INE_2019, PASSPORT_2008)
