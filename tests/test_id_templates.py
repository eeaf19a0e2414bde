"""Layout templates of the ID stage (pipeline/id/templates/*.toml): loaded once, validated."""

from __future__ import annotations

import re
from typing import Any

import pytest

from pipeline.id import templates


def _minimal(**field: Any) -> dict[str, Any]:
    return {"kind": "ine", "side": "front", "fields": {"curp": {"label": ["CURP"], **field}}}


def test_every_bundled_template_loads_once_and_is_consistent() -> None:
    loaded = templates.all_templates()
    assert {t.name for t in loaded} >= {templates.INE_FRONT, templates.PASSPORT_PAGE}
    for template in loaded:
        assert templates.load(template.name) is template  # cached, not re-read
        for field in template.fields.values():
            re.compile(field.label)
            if field.grammar is not None:
                assert field.grammar in templates.GRAMMARS
        re.compile(template.any_label)


def test_ine_template_reads_its_labels_and_values() -> None:
    ine = templates.load(templates.INE_FRONT)
    assert re.search(ine.labels["clave"], "CLAVE DE ELECTOR GMVLMR80")
    assert re.search(ine.labels["nacimiento"], "FECHA DE NACIMIENTO")
    assert re.fullmatch(ine.value("seccion"), "1234")
    assert not re.search(ine.value("sexo"), "HOMBRE")  # a letter alone, not inside a word
    assert ine.whitelist("sexo") == "HMX"
    with pytest.raises(KeyError):
        ine.value("curp")  # the CURP has its own reader, no regex grammar


def test_passport_template_is_bilingual() -> None:
    passport = templates.load(templates.PASSPORT_PAGE)
    assert re.search(passport.labels["nacimiento"], "DATE OF BIRTH")
    assert re.search(passport.labels["caducidad"], "FECHA DE CADUCIDAD / DATE OF EXPIRY")
    assert "NATIONALITY" in passport.name_stop_words


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"side": "front", "fields": {}}, "kind"),
        ({**_minimal(), "kind": "licence"}, "kind: 'licence'"),
        ({**_minimal(), "colour": "pink"}, "unknown key(s) colour"),
        ({"kind": "ine", "side": "front", "fields": {}}, "fields"),
        (_minimal(grammar="poem"), "fields.curp.grammar: unknown grammar 'poem'"),
        (_minimal(fuzzy="curp"), "fields.curp.fuzzy"),
        (_minimal(reread=""), "fields.curp.reread"),
        (_minimal(where="top"), "fields.curp: unknown key(s) where"),
        ({"kind": "ine", "side": "front", "fields": {"curp": {"label": []}}}, "label"),
        ({"kind": "ine", "side": "front", "fields": {"curp": {"label": ["[A-"]}}}, "bad regex"),
    ],
)
def test_a_bad_template_raises_naming_file_and_key(data: dict[str, Any], message: str) -> None:
    with pytest.raises(templates.TemplateError, match=re.escape(message)) as error:
        templates.parse("broken", data)
    assert str(error.value).startswith("broken.toml:")


def test_a_missing_or_malformed_file_raises_a_template_error(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(templates, "TEMPLATE_DIR", tmp_path)
    (tmp_path / "bad.toml").write_text("kind = \n")
    with pytest.raises(templates.TemplateError, match="bad.toml"):
        templates.load.__wrapped__("bad")
    with pytest.raises(templates.TemplateError, match="absent.toml"):
        templates.load.__wrapped__("absent")
