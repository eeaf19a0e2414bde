"""Build labelled case folders: one per scenario instance, deterministic per seed."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from PIL import Image

from models.case import Address, Case, Documents, Registration
from synth import bills, capture, faces, families, ids, mrz
from synth.curp import check_digit
from synth.draw import render_pdf, render_pil
from synth.people import FEMALE_NAMES, MALE_NAMES, SURNAMES, Person, random_domicilio, random_person
from synth.scenarios import ROUTING, allocate

GENERATOR = "synth 1"
CDMX = dt.timezone(dt.timedelta(hours=-6))


@dataclasses.dataclass(frozen=True)
class Profile:
    """Output sizes: long sides (px) with weights, JPEG quality range, share of PDF bills."""

    id_sides: tuple[tuple[int, int], ...]
    bill_sides: tuple[tuple[int, int], ...]
    selfie_sides: tuple[tuple[int, int], ...]
    quality: tuple[int, int]
    pdf_share: float


PROFILES = {
    "full": Profile(
        ((1600, 3), (2000, 3), (2400, 2), (3000, 1), (4000, 1)),
        ((1800, 2), (2400, 3), (3000, 2), (4000, 1)),
        ((1600, 4), (2000, 3), (3000, 1), (4000, 1)),
        (50, 90),
        0.4,
    ),
    "compact": Profile(
        ((1600, 6), (1800, 2), (2000, 1)),
        ((1800, 2), (2000, 2), (2400, 1)),
        ((1600, 12), (4000, 1)),
        (50, 72),
        0.55,
    ),
}


@dataclasses.dataclass(frozen=True)
class Task:
    """Everything one worker needs to build one case."""

    out: Path
    folder: str
    index: int
    seed: int
    scenario: str
    identity: int
    other: int
    profile: str
    families: frozenset[str] | None = None  # ``--family``: the layout families allowed


def _pick(rng: random.Random, weighted: tuple[tuple[int, int], ...]) -> int:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


def _submitted_at(rng: random.Random) -> dt.datetime:
    day = dt.date(2026, 1, 20) + dt.timedelta(days=rng.randint(0, 300))
    return dt.datetime(
        day.year,
        day.month,
        day.day,
        rng.randint(7, 22),
        rng.randint(0, 59),
        rng.randint(0, 59),
        tzinfo=CDMX,
    )


def _typed(rng: random.Random, text: str) -> str:
    """A name or address as a person types it: title case or capitals, accents or not."""
    from synth.curp import unaccent

    style = rng.random()
    if style < 0.5:
        return (
            text.title().replace(" De ", " de ").replace(" La ", " la ").replace(" Del ", " del ")
        )
    if style < 0.8:
        return text
    return unaccent(text).title() if style < 0.9 else unaccent(text)


def _registration(rng: random.Random, p: Person) -> dict[str, Any]:
    dom = p.domicilio
    address = {
        "calle": _typed(rng, dom.calle),
        "numero_exterior": dom.numero_exterior,
        "numero_interior": dom.numero_interior,
        "colonia": _typed(rng, dom.colonia),
        "municipio": _typed(rng, dom.municipio),
        "entidad": rng.choice(["Ciudad de México", "CDMX", "CIUDAD DE MÉXICO"]),
        "codigo_postal": dom.codigo_postal,
    }
    return {
        "nombre": _typed(rng, p.nombre),
        "primer_apellido": _typed(rng, p.primer_apellido),
        "segundo_apellido": _typed(rng, p.segundo_apellido),
        "curp": p.curp,
        "fecha_nacimiento": p.birth,
        "sexo": p.sexo,
        "entidad_nacimiento": p.state,
        "domicilio": address,
    }


def other_homonym(curp: str, rng: random.Random) -> str:
    """Another valid CURP that differs in the homonym character (check digit recomputed)."""
    pool = "0123456789" if curp[16].isdigit() else "ABCDEFGHIJKLMNPQRSTUVWXYZ"
    body = curp[:16] + rng.choice([c for c in pool if c != curp[16]])
    return body + check_digit(body)


def wrong_check_digit(curp: str, rng: random.Random) -> str:
    """The CURP with a wrong check digit."""
    return curp[:17] + str((int(curp[17]) + rng.randint(1, 9)) % 10)


def _different(rng: random.Random, choices: list[str], current: str) -> str:
    from synth.curp import plain

    head = plain(current)[:3]
    return rng.choice(
        [c for c in choices if plain(c)[:3] != head and plain(c) not in plain(current)]
    )


def _apply_registration_fault(
    rng: random.Random, scenario: str, reg: dict[str, Any], p: Person
) -> None:
    if scenario == "curp_mismatch":
        reg["curp"] = other_homonym(p.curp, rng)
    elif scenario == "name_mismatch":
        if rng.random() < 0.5:
            names = MALE_NAMES if p.sexo == "H" else FEMALE_NAMES
            reg["nombre"] = _typed(rng, _different(rng, names, p.nombre))
        else:
            reg["primer_apellido"] = _typed(rng, _different(rng, SURNAMES, p.primer_apellido))
    elif scenario == "birthdate_mismatch":
        shift = rng.choice([rng.randint(40, 330), 365 * rng.randint(1, 4) + rng.randint(-20, 20)])
        reg["fecha_nacimiento"] = p.birth + dt.timedelta(days=shift * rng.choice([-1, 1]))
    elif scenario == "sex_mismatch":
        reg["sexo"] = "M" if p.sexo == "H" else "H"


def _break_mrz(rng: random.Random, card: ids.IdCard) -> bool:
    """Make the MRZ disagree with the printed front; returns whether check digits stay valid."""
    variant = rng.choice(["birth", "sex", "name", "check"])
    birth, sexo = card.birth, card.sexo
    names = [card.primer_apellido, card.segundo_apellido, card.nombres]
    if variant == "birth":
        birth = birth + dt.timedelta(days=rng.choice([1, 31, 365, 3650]) * rng.choice([-1, 1]))
    elif variant == "sex":
        sexo = "M" if sexo == "H" else "H"
    elif variant == "name":
        names[2] = _different(rng, MALE_NAMES if card.sexo == "H" else FEMALE_NAMES, names[2])
    if card.kind == "ine":
        lines = mrz.td1_ine(card.number, card.ocr_number, birth, sexo, card.expiry, *names)
        digit_at = (1, 6) if rng.random() < 0.5 else (0, 14)
    else:
        lines = mrz.td3_passport(
            card.number,
            birth,
            sexo,
            card.expiry,
            f"{names[0]} {names[1]}",
            names[2],
            "",
        )
        digit_at = (1, 19) if rng.random() < 0.5 else (1, 9)
    if variant == "check":
        row, col = digit_at
        line = lines[row]
        lines[row] = line[:col] + str((int(line[col]) + rng.randint(1, 9)) % 10) + line[col + 1 :]
    card.mrz_lines = lines
    return variant != "check"


def _card_scale(side: int, base: float) -> float:
    """Pixels per mm to draw a card at, so a large photo is not an enlargement of a small card."""
    return base if side <= 2000 else base * 1.5 if side <= 3000 else base * 2


def _card_photo(rng: random.Random, img: Image.Image, side: int, q: int, unreadable: bool) -> bytes:
    arr = capture.photograph(img, rng, side, "card", unreadable=unreadable)
    return capture.encode_jpeg(arr, rng, q, sideways_prob=0.15)


def _corrupt(rng: random.Random, data: bytes, name: str) -> tuple[bytes, str]:
    kind = rng.choice(["empty", "truncated", "text"])
    stem = name.rsplit(".", 1)[0]
    if kind == "empty":
        return b"", name
    if kind == "truncated":
        return data[: max(64, int(len(data) * rng.uniform(0.05, 0.5)))], name
    text = rng.choice(
        [
            "<html><head><title>Error</title></head><body>No se pudo cargar la imagen</body></html>\n",
            "Lo siento, no encontre el archivo. Les mando la foto mas tarde.\n",
        ]
    )
    return text.encode(), stem + ".jpg"


@dataclasses.dataclass
class Spec:
    """Every decision about one case, before any image is drawn (tests check these)."""

    task: Task
    person: Person
    card: ids.IdCard
    bill: bills.Bill
    registration: dict[str, Any]
    submitted: dt.datetime
    id_type: str
    mrz_valid: bool
    id_photo: Path
    selfie_photo: Path
    other_photo: Path
    proof_mode: str  # "pdf", "photo" or "id_front"
    broken: str | None
    submission_id: str
    account_id: str
    family: str  # the layout family the ID is drawn in (synth.families)


def make_spec(task: Task) -> Spec:
    """Decide one case: person, documents, faults and files (no drawing)."""
    rng = random.Random(f"{task.seed}:{task.index}:{task.scenario}")
    pool = faces.load_pool()
    who, other = pool.identities[task.identity], pool.identities[task.other]
    scenario = task.scenario
    submitted = _submitted_at(rng)
    today = submitted.date()
    person = random_person(rng, who.sexo, today, 30 if scenario == "id_expired" else 18)
    if scenario == "curp_invalid":
        person = dataclasses.replace(person, curp=wrong_check_digit(person.curp, rng))
    fixed = {"genuine_ine": "ine", "genuine_passport": "passport", "id_as_address_proof": "ine"}
    id_type = allowed_id_type(
        fixed.get(scenario, "ine" if rng.random() < 0.65 else "passport"), task.families
    )
    expired = scenario == "id_expired"
    make_card = ids.ine_card if id_type == "ine" else ids.passport
    card = make_card(person, rng, today, expired)
    mrz_valid = _break_mrz(rng, card) if scenario == "mrz_inconsistent" else True
    photos = list(who.photos)
    rng.shuffle(photos)
    bill_dom = person.domicilio
    if scenario == "address_mismatch":
        bill_dom = random_domicilio(rng, avoid_cp=person.domicilio.codigo_postal)
    bill = bills.make_bill(
        person.full_name, bill_dom, today, rng, stale=scenario == "address_stale"
    )
    proof_mode = "pdf" if rng.random() < PROFILES[task.profile].pdf_share else "photo"
    if scenario == "id_as_address_proof":
        proof_mode = "id_front"
    roles = (
        ["id_front", "id_back", "address_proof", "selfie"]
        if id_type == "ine"
        else ["id_front", "address_proof", "selfie"]
    )
    broken = rng.choice(roles) if scenario == "file_invalid" else None
    reg = _registration(rng, person)
    _apply_registration_fault(rng, scenario, reg, person)
    return Spec(
        task,
        person,
        card,
        bill,
        reg,
        submitted,
        id_type,
        mrz_valid,
        photos[0],
        photos[1],
        rng.choice(other.photos),
        proof_mode,
        broken,
        f"sub-{task.seed}-{task.index:05d}-{rng.getrandbits(32):08x}",
        f"acct-{rng.getrandbits(48):012x}",
        draw_family(task, id_type).name,
    )


def allowed_id_type(id_type: str, only: frozenset[str] | None) -> str:
    """``id_type``, or the other kind when ``--family`` allows no family of it.

    A set restricted to INE families draws every ID as an INE (a ``genuine_passport`` case too:
    its routing does not depend on the kind), and one restricted to passports every ID as a
    passport (``id_as_address_proof`` included).
    """
    if only is None or any(f.name in only for f in families.of_kind(id_type)):
        return id_type
    other = "passport" if id_type == "ine" else "ine"
    if any(f.name in only for f in families.of_kind(other)):
        return other
    raise ValueError(f"no ID family among {sorted(only)}")


def draw_family(task: Task, id_type: str) -> families.IdFamily:
    """The case's layout family, from its own random stream (a new family changes only this)."""
    rng = random.Random(f"{task.seed}:{task.index}:family")
    return families.pick(id_type, rng, set(task.families) if task.families else None)


def _id_files(spec: Spec, rng: random.Random) -> tuple[dict[str, tuple[bytes, str]], Image.Image]:
    """role -> (bytes, file name) of the ID photos, and the flat front (drawn in the family)."""
    prof, card = PROFILES[spec.task.profile], spec.card
    unreadable = spec.task.scenario == "id_unreadable"
    fam = families.families()[spec.family]
    sides = [_pick(rng, prof.id_sides) for _ in range(2)]
    portrait = faces.id_portrait(faces.load_rgb(spec.id_photo), rng, fam.portrait_aspect)
    front = fam.render_front(card, portrait, rng, _card_scale(sides[0], fam.base_k))
    files: dict[str, tuple[bytes, str]] = {}
    if spec.id_type == "ine":
        if fam.render_back is None:
            raise ValueError(f"INE family {fam.name} draws no back")
        back = fam.render_back(card, rng, _card_scale(sides[1], fam.base_k))
        q = rng.randint(*prof.quality)
        files["id_front"] = (_card_photo(rng, front, sides[0], q, unreadable), "ine_frente.jpg")
        q = rng.randint(*prof.quality)
        files["id_back"] = (_card_photo(rng, back, sides[1], q, unreadable), "ine_reverso.jpg")
    else:
        if fam.booklet and rng.random() < 0.5:
            front = ids.passport_booklet(front, rng)
        q = rng.randint(*prof.quality)
        files["id_front"] = (_card_photo(rng, front, sides[0], q, unreadable), "pasaporte.jpg")
    return files, front


def _render_files(spec: Spec, rng: random.Random) -> dict[str, tuple[bytes, str]]:
    """role -> (bytes, file name) of the uploads.

    The ID is drawn from a stream of its own, so the other uploads of a case do not depend on
    the layout family it was drawn in (``--family`` runs of one seed differ only in the ID).
    """
    prof = PROFILES[spec.task.profile]

    def q() -> int:
        return rng.randint(*prof.quality)

    id_rng = random.Random(f"{spec.task.seed}:{spec.task.index}:id")
    files, front = _id_files(spec, id_rng)
    if spec.proof_mode == "id_front":
        files["address_proof"] = (
            _card_photo(rng, front, _pick(rng, prof.id_sides), q(), False),
            "comprobante_domicilio.jpg",
        )
    elif spec.proof_mode == "pdf":
        bill = spec.bill
        files["address_proof"] = (render_pdf(bill.page, bill.title, bill.emisor), "comprobante.pdf")
    else:
        side = _pick(rng, prof.bill_sides)
        page = render_pil(spec.bill.page, side * 0.9 / bills.LETTER[1])
        arr = capture.photograph(page, rng, side, "page")
        files["address_proof"] = (capture.encode_jpeg(arr, rng, q(), 0.15), "comprobante.jpg")
    files["selfie"] = (
        capture.encode_jpeg(_selfie(spec, rng, _pick(rng, prof.selfie_sides)), rng, q(), 0.2),
        "selfie.jpg",
    )
    if spec.broken:
        files[spec.broken] = _corrupt(rng, *files[spec.broken])
    return files


def _selfie(spec: Spec, rng: random.Random, side: int) -> Any:
    scenario = spec.task.scenario
    if scenario == "face_mismatch":
        return faces.selfie(faces.load_rgb(spec.other_photo), rng, side)
    if scenario == "selfie_no_face":
        return faces.no_face_selfie(faces.load_pool(), rng, side)
    if scenario == "selfie_multiple_faces":
        pair = [faces.load_rgb(spec.selfie_photo), faces.load_rgb(spec.other_photo)]
        rng.shuffle(pair)
        return faces.two_people_selfie(pair[0], pair[1], rng, side)
    return faces.selfie(faces.load_rgb(spec.selfie_photo), rng, side)


def build_case(task: Task) -> tuple[str, dict[str, Any]]:
    """Write one case folder and return (folder name, label)."""
    spec = make_spec(task)
    files = _render_files(spec, random.Random(f"{task.seed}:{task.index}:render"))
    folder = task.out / task.folder
    folder.mkdir(parents=True, exist_ok=True)
    for data, name in files.values():
        (folder / name).write_bytes(data)
    reg = spec.registration
    case = Case(
        submission_id=spec.submission_id,
        account_id=spec.account_id,
        submitted_at=spec.submitted,
        registration=Registration(**{**reg, "domicilio": Address(**reg["domicilio"])}),
        documents=Documents(
            id_type=spec.id_type, **{role: name for role, (_d, name) in files.items()}
        ),
    )
    (folder / "case.json").write_text(case.model_dump_json(indent=2, exclude_none=True) + "\n")
    return task.folder, label(spec)


def label(spec: Spec) -> dict[str, Any]:
    """The label of a case: scenario, expected routing, readability and printed truth."""
    scenario, card, bill, broken = spec.task.scenario, spec.card, spec.bill, spec.broken
    mrz_valid = spec.mrz_valid
    decision, reasons = ROUTING[scenario]
    readable_id = scenario != "id_unreadable" and broken not in ("id_front", "id_back")
    readable_address = scenario != "id_as_address_proof" and broken != "address_proof"
    is_bill = scenario != "id_as_address_proof"
    truth = {
        "id.curp": card.curp,
        "id.nombre": card.nombres,
        "id.primer_apellido": card.primer_apellido,
        "id.segundo_apellido": card.segundo_apellido,
        "id.fecha_nacimiento": card.birth.isoformat(),
        "id.sexo": card.sexo,
        "id.vigencia_hasta": card.expiry.isoformat(),
        "id.clave_elector": card.clave_elector,
        "id.numero_documento": card.number,
        "id.mrz_valid": mrz_valid,
        "address.emisor": bill.emisor if is_bill else None,
        "address.codigo_postal": bill.codigo_postal if is_bill else None,
        "address.fecha": bill.fecha.isoformat() if is_bill else None,
    }
    return {
        "scenario": scenario,
        "id_type": spec.id_type,
        "family": spec.family,
        "expected_decision": decision,
        "expected_reasons": list(reasons),
        "readable": {"id": readable_id, "address": readable_address},
        "truth": truth,
    }


def _init_worker() -> None:
    import cv2

    cv2.setNumThreads(1)


def plan_tasks(
    out: Path, n: int, seed: int, profile: str = "full", only: frozenset[str] | None = None
) -> list[Task]:
    """The tasks of a set: scenarios by :func:`allocate`, identities without repetition while
    the pool lasts (a second identity for face mismatch and two-person selfies); ``only``
    restricts the layout families drawn (``--family``)."""
    pool = faces.load_pool()
    rng = random.Random(f"identities:{seed}")
    order = list(range(len(pool.identities)))
    rng.shuffle(order)
    queue: list[int] = []
    tasks = []
    for i, scenario in enumerate(allocate(n, seed), start=1):
        if len(queue) < 2:
            queue.extend(order)
        first = queue.pop(0)
        same_sex = [j for j in queue if pool.identities[j].sexo == pool.identities[first].sexo]
        second = same_sex[0] if same_sex else queue[0]
        if scenario in ("face_mismatch", "selfie_multiple_faces"):
            queue.remove(second)
        tasks.append(Task(out, f"case-{i:04d}", i, seed, scenario, first, second, profile, only))
    return tasks


def generate_set(
    out: Path,
    n: int,
    seed: int,
    workers: int = 2,
    profile: str = "full",
    only: frozenset[str] | None = None,
) -> dict:
    """Write ``n`` cases under ``out`` and ``out/labels.json``; returns the labels.

    ``only`` restricts the ID layout families drawn (names of :func:`synth.families.families`).
    """
    unknown = sorted(set(only or ()) - set(families.families()))
    if unknown:
        raise ValueError(f"unknown families: {', '.join(unknown)}")
    out.mkdir(parents=True, exist_ok=True)
    tasks = plan_tasks(out, n, seed, profile, only)
    if workers <= 1:
        _init_worker()
        results = [build_case(t) for t in tasks]
    else:
        with ProcessPoolExecutor(max_workers=workers, initializer=_init_worker) as ex:
            results = list(ex.map(build_case, tasks, chunksize=1))
    labels = {"generator": GENERATOR, "seed": seed, "cases": dict(sorted(results))}
    (out / "labels.json").write_text(json.dumps(labels, indent=1, ensure_ascii=False) + "\n")
    return labels
