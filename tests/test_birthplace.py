"""The place of birth a passport prints, as the CURP's state code (a witness of the CURP)."""

from __future__ import annotations

from pipeline.id import templates
from pipeline.id.birthplace import find_birth_state, state_code
from pipeline.id.labels import find_labels
from pipeline.text_lines import Phrase


def test_states_by_name_old_name_abbreviation_and_slips() -> None:
    assert state_code("QUINTANA ROO") == "QR"
    assert state_code("BAJA CALIFORNIA SUR") == "BS"  # not BAJA CALIFORNIA
    assert state_code("BAJA CALIFORNIA") == "BC"
    assert state_code("CIUDAD DE MÉXICO") == state_code("DISTRITO FEDERAL") == "DF"
    assert state_code("SAN LUIS POTOSÍ") == "SP"
    assert state_code("GUADALAJARA, JAL.") == "JC"


def test_no_state_no_evidence() -> None:
    for place in ("", "SRE", "MEXICANA", "TEXAS, USA", "JALISCO SONORA"):
        assert state_code(place) is None, place


def test_place_under_a_label_read_interleaved_with_its_translation() -> None:
    # passport_blind seed 9401 case 71: "Lugar de nacimiento" over "Place of birth", read as
    # one line with the words interleaved; JALISCO under it
    found = [
        Phrase("Fecha Date of de birth nacimiento", 0.94, 450, 427, 609, 459, 14),
        Phrase("Place jar of de birth nacimi", 0.92, 924, 416, 1046, 453, 14),
        Phrase("13 10 1975", 0.91, 453, 464, 629, 491, 15),
        Phrase("JALISCO", 0.96, 922, 458, 1048, 491, 15),
    ]
    labels = find_labels(found, templates.load(templates.PASSPORT_PAGE))
    assert labels["lugar"] is found[1] and labels["nacimiento"] is found[0]
    assert find_birth_state(found, labels["lugar"]).value == "JC"
