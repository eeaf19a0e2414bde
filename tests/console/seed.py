"""Synthetic review cases for the console tests: images drawn here, verdicts as models.Verdict.

Each case is written exactly where the workers put it: uploads in the upload bucket
(``<id>/<role><ext>``), the job payload and verdict (+ face crops) in the verdict bucket, and
the review queue entry through ``workers.accounts.apply_decision`` (the sink's own path).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import random
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from models import Check, Extracted, JobPayload, ReasonCode, Verdict
from pipeline.explain import explain
from workers import accounts

UPLOADS = "llave-uploads"
VERDICTS = "llave-verdicts"
_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class SeededCase:
    """What a test needs to know about a seeded case."""

    submission_id: str
    account_id: str
    reasons: list[str]
    verdict_bytes: bytes


def _font(size: int, bold: bool = False):  # type: ignore[no-untyped-def]
    try:
        return ImageFont.truetype(_BOLD if bold else _FONT, size)
    except OSError:
        return ImageFont.load_default()


def draw_face(size: int, seed: int) -> Image.Image:
    """A simple drawn face (no real person), different per seed."""
    rng = random.Random(seed)
    skin = rng.choice([(224, 180, 150), (198, 146, 110), (160, 112, 80), (235, 200, 170)])
    image = Image.new("RGB", (size, size), (205, 215, 228))
    d = ImageDraw.Draw(image)
    s = size / 100
    d.rectangle([20 * s, 78 * s, 80 * s, 100 * s], fill=rng.choice([(40, 60, 90), (90, 40, 50)]))
    d.ellipse([28 * s, 18 * s, 72 * s, 78 * s], fill=skin)
    d.pieslice([26 * s, 10 * s, 74 * s, 50 * s], 180, 360, fill=(50, 35, 25))
    for x in (40, 60):
        d.ellipse([(x - 4) * s, 42 * s, (x + 4) * s, 48 * s], fill=(255, 255, 255))
        d.ellipse([(x - 2) * s, 43 * s, (x + 2) * s, 47 * s], fill=(40, 30, 20))
    d.line(
        [50 * s, 48 * s, 47 * s, 58 * s, 51 * s, 58 * s], fill=(120, 80, 60), width=max(1, int(s))
    )
    d.arc([40 * s, 58 * s, 60 * s, 68 * s], 20, 160, fill=(150, 60, 60), width=max(1, int(2 * s)))
    return image


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def id_front(person: dict, seed: int) -> bytes:
    """An INE-like card front (synthetic, clearly marked as such)."""
    card = Image.new("RGB", (856, 540), (236, 226, 240))
    d = ImageDraw.Draw(card)
    d.rectangle([0, 0, 856, 70], fill=(120, 40, 90))
    d.text((24, 18), "INSTITUTO NACIONAL ELECTORAL · MUESTRA", font=_font(26, True), fill="white")
    card.paste(draw_face(220, seed).resize((200, 250)), (30, 110))
    rows = [
        (
            "NOMBRE",
            f"{person['primer_apellido']}\n{person['segundo_apellido']}\n{person['nombre']}",
        ),
        ("DOMICILIO", "C. SINTÉTICA 12\nCOL. CENTRO 06000\nCUAUHTÉMOC, CDMX"),
        ("CURP", person["curp"]),
        ("FECHA DE NACIMIENTO", person["fecha"]),
    ]
    y = 100
    for label, value in rows:
        d.text((260, y), label, font=_font(16), fill=(110, 90, 110))
        d.multiline_text((260, y + 20), value, font=_font(22, True), fill=(30, 30, 30))
        y += 28 + 26 * (value.count("\n") + 1)
    return _jpeg(card)


def id_back(person: dict) -> bytes:
    """The back with an MRZ-like block."""
    card = Image.new("RGB", (856, 540), (230, 232, 238))
    d = ImageDraw.Draw(card)
    mrz = [
        "IDMEX1234567890<<1234567890123",
        "9001010H3012319MEX<<<<<<<<<<<6",
        f"{person['primer_apellido']}<<{person['nombre']}".ljust(30, "<")[:30],
    ]
    for i, line in enumerate(mrz):
        d.text((40, 360 + 50 * i), line, font=_font(30), fill=(20, 20, 20))
    d.rectangle([40, 60, 300, 300], outline=(150, 150, 160), width=3)
    d.text((60, 160), "QR (MUESTRA)", font=_font(22), fill=(120, 120, 130))
    return _jpeg(card)


def selfie(seed: int) -> bytes:
    """A selfie-like portrait."""
    return _jpeg(draw_face(480, seed).resize((480, 640)))


def bill_pdf(person: dict) -> bytes:
    """A one-page CFE-like bill as a real PDF (rendered by poppler in the console)."""
    from reportlab.lib.pagesizes import letter
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=letter)
    pdf.setFillColorRGB(0.1, 0.45, 0.3)
    pdf.rect(0, 720, 612, 72, fill=1, stroke=0)
    pdf.setFillColorRGB(1, 1, 1)
    pdf.setFont("Helvetica-Bold", 24)
    pdf.drawString(40, 745, "CFE - AVISO RECIBO (MUESTRA)")
    pdf.setFillColorRGB(0, 0, 0)
    pdf.setFont("Helvetica", 14)
    lines = [
        f"{person['nombre']} {person['primer_apellido']} {person['segundo_apellido']}",
        "C. SINTETICA 12, COL. CENTRO",
        "CUAUHTEMOC, CDMX, C.P. 06000",
        "PERIODO FACTURADO: 01 SEP 26 - 31 OCT 26",
        "TOTAL A PAGAR: $ 412.00",
    ]
    for i, line in enumerate(lines):
        pdf.drawString(40, 680 - 24 * i, line)
    pdf.showPage()
    pdf.save()
    return out.getvalue()


PEOPLE = [
    {
        "nombre": "ANA LUCIA",
        "primer_apellido": "GARCIA",
        "segundo_apellido": "LOPEZ",
        "curp": "GALA900307MDFRPN09",
        "fecha": "1990-03-07",
        "sexo": "M",
    },
    {
        "nombre": "JORGE",
        "primer_apellido": "HERNANDEZ",
        "segundo_apellido": "RUIZ",
        "curp": "HERJ850912HDFRZR02",
        "fecha": "1985-09-12",
        "sexo": "H",
    },
    {
        "nombre": "MARIA FERNANDA",
        "primer_apellido": "TORRES",
        "segundo_apellido": "DIAZ",
        "curp": "TODF000120MDFRZR05",
        "fecha": "2000-01-20",
        "sexo": "M",
    },
]
SCENARIOS = [
    [ReasonCode.FACE_MISMATCH],
    [ReasonCode.CURP_MISMATCH, ReasonCode.NAME_MISMATCH],
    [ReasonCode.ADDRESS_MISMATCH, ReasonCode.ID_EXPIRED],
]


@functools.cache
def case_files(index: int) -> dict[str, bytes]:
    """The uploads of the index-th case (drawn once per test session)."""
    person = PEOPLE[index % len(PEOPLE)]
    reasons = SCENARIOS[index % len(SCENARIOS)]
    return {
        "id_front.jpg": id_front(person, seed=index),
        "id_back.jpg": id_back(person),
        "address_proof.pdf": bill_pdf(person),
        "selfie.jpg": selfie(seed=index + (100 if ReasonCode.FACE_MISMATCH in reasons else 0)),
    }


def build_case(index: int, now: dt.datetime) -> tuple[JobPayload, Verdict, dict[str, bytes]]:
    """Payload, verdict and files of the index-th seeded case."""
    person = PEOPLE[index % len(PEOPLE)]
    reasons = SCENARIOS[index % len(SCENARIOS)]
    sid, account = f"sub-test-{index + 1:03d}", f"acct-{index + 1:03d}"
    submitted = now - dt.timedelta(hours=30 - 9 * index, minutes=7 * index)
    files = case_files(index)
    payload = JobPayload.model_validate(
        {
            "submission_id": sid,
            "account_id": account,
            "submitted_at": submitted.isoformat(),
            "bucket": UPLOADS,
            "registration": {
                "nombre": person["nombre"],
                "primer_apellido": person["primer_apellido"],
                "segundo_apellido": person["segundo_apellido"],
                "curp": person["curp"],
                "fecha_nacimiento": person["fecha"],
                "sexo": person["sexo"],
                "entidad_nacimiento": "DF",
                "domicilio": {
                    "calle": "C. Sintética",
                    "numero_exterior": "12",
                    "colonia": "Centro",
                    "municipio": "Cuauhtémoc",
                    "entidad": "Ciudad de México",
                    "codigo_postal": "06000",
                },
            },
            "documents": {"id_type": "ine", **{n.split(".")[0]: f"{sid}/{n}" for n in files}},
        }
    )
    checks = _checks(reasons)
    extracted = _extracted(person, reasons)
    verdict = Verdict(
        submission_id=sid,
        account_id=account,
        decision="review",
        confidence=round(0.55 + 0.1 * index, 2),
        reasons=reasons,
        checks=checks,
        extracted=extracted,
        explanations=explain(reasons, checks),
        pipeline_version="test",
        policy_version="test",
        timings_ms={"total": 1234.0},
        decided_at=submitted,
        artefacts={"face_id.jpg": "face_id.jpg", "face_selfie.jpg": "face_selfie.jpg"},
    )
    return payload, verdict, files


def _checks(reasons: list[ReasonCode]) -> list[Check]:
    def check(name, reason, ok_detail, bad_detail, evidence=None, score=0.97):  # type: ignore[no-untyped-def]
        failed = reason in reasons
        return Check(
            name=name,
            status="fail" if failed else "pass",
            score=0.2 if failed else score,
            detail=bad_detail if failed else ok_detail,
            reasons=[reason] if failed else [],
            evidence=evidence or {},
        )

    R = ReasonCode
    return [
        Check(name="files", status="pass", score=1.0, detail="Archivos válidos"),
        check(
            "face_match",
            R.FACE_MISMATCH,
            "Los rostros coinciden (distancia 0.38)",
            "Los rostros no coinciden (distancia 0.71 > 0.55)",
        ),
        check(
            "curp_format",
            R.CURP_INVALID,
            "Estructura y dígito verificador de la CURP válidos",
            "Dígito verificador de la CURP inválido",
        ),
        check(
            "curp_match",
            R.CURP_MISMATCH,
            "La CURP leída coincide con la registrada",
            "La CURP leída difiere de la registrada en 3 posiciones",
        ),
        check(
            "name_match",
            R.NAME_MISMATCH,
            "El nombre coincide",
            "Nombre leído distinto al registrado",
        ),
        check(
            "mrz_consistency",
            R.MRZ_INCONSISTENT,
            "MRZ coherente con el frente (3/3 dígitos)",
            "MRZ incoherente con el frente",
        ),
        check("id_validity", R.ID_EXPIRED, "Vigente hasta 2031", "Vencida desde 2024"),
        check(
            "address_match",
            R.ADDRESS_MISMATCH,
            "Código postal y calle coinciden",
            "El código postal del comprobante (06700) difiere del registrado (06000)",
        ),
    ]


def _extracted(person: dict, reasons: list[ReasonCode]) -> Extracted:
    R = ReasonCode
    curp = "GALX900307MDFRPN01" if R.CURP_MISMATCH in reasons else person["curp"]
    name = "JORGE LUIS" if R.NAME_MISMATCH in reasons else person["nombre"]
    face_bad = R.FACE_MISMATCH in reasons
    return Extracted.model_validate(
        {
            "id.curp": curp,
            "id.nombre": name,
            "id.primer_apellido": person["primer_apellido"],
            "id.segundo_apellido": person["segundo_apellido"],
            "id.fecha_nacimiento": person["fecha"],
            "id.sexo": person["sexo"],
            "id.vigencia_hasta": "2024" if R.ID_EXPIRED in reasons else "2031",
            "id.clave_elector": None,
            "id.numero_documento": "1234567890",
            "id.mrz_valid": True,
            "address.emisor": "CFE",
            "address.codigo_postal": "06700" if R.ADDRESS_MISMATCH in reasons else "06000",
            "address.fecha": "2026-10-31",
            "face.distance": 0.71 if face_bad else 0.38,
            "face.similarity": 0.18 if face_bad else 0.93,
        }
    )


def seed(store, r, count: int = 3) -> list[SeededCase]:  # type: ignore[no-untyped-def]
    """Write ``count`` review cases to the store and queue them as the verdict sink would."""
    now = dt.datetime.now(dt.UTC)
    seeded = []
    for bucket in (UPLOADS, VERDICTS):
        store.ensure_bucket(bucket)
    for index in range(count):
        payload, verdict, files = build_case(index, now)
        sid = payload.submission_id
        for name, data in files.items():
            store.put(UPLOADS, f"{sid}/{name}", data)
        verdict_bytes = verdict.to_json().encode()
        store.put(VERDICTS, f"{sid}/verdict.json", verdict_bytes, "application/json")
        store.put(
            VERDICTS, f"{sid}/payload.json", payload.model_dump_json().encode(), "application/json"
        )
        seed_face = index + (100 if ReasonCode.FACE_MISMATCH in verdict.reasons else 0)
        store.put(VERDICTS, f"{sid}/face_id.jpg", _jpeg(draw_face(150, index)), "image/jpeg")
        store.put(
            VERDICTS, f"{sid}/face_selfie.jpg", _jpeg(draw_face(150, seed_face)), "image/jpeg"
        )
        accounts.apply_decision(
            r,
            account_id=verdict.account_id,
            submission_id=sid,
            decision="review",
            source="pipeline",
            submitted_at=payload.submitted_at,
        )
        # the sink's review entry, as it would have been written when the verdict was made
        r.xadd(
            accounts.REVIEW_STREAM,
            {
                "submission_id": sid,
                "account_id": verdict.account_id,
                "reasons": ",".join(str(x) for x in verdict.reasons),
                "verdict_key": f"{sid}/verdict.json",
                "at": verdict.decided_at.isoformat(),
            },
        )
        seeded.append(
            SeededCase(sid, verdict.account_id, [str(x) for x in verdict.reasons], verdict_bytes)
        )
    return seeded


FIXTURE_CASES = Path(__file__).resolve().parents[2] / "fixtures" / "cases"


@functools.lru_cache(maxsize=1)
def _engines():  # type: ignore[no-untyped-def]
    from pipeline.engines import Engines
    from pipeline.orchestrator import Context
    from pipeline.policy import load_policy

    return Context(engines=Engines.load(), policy=load_policy())


def seed_from_fixtures(store, r, count: int = 3, tries: int = 8) -> list[SeededCase]:  # type: ignore[no-untyped-def]
    """Queue fixture cases the way production does: upload, pipeline, verdict sink.

    Takes the fixture cases labelled ``review`` in order and keeps those the pipeline also sends
    to review, until ``count`` are queued (at most ``tries`` runs). Empty without fixtures.
    """
    import json

    from pipeline.orchestrator import verify_case
    from workers.client import upload_case
    from workers.jobs import fetch_case_files
    from workers.sink import VerdictSink

    labels_path = FIXTURE_CASES / "labels.json"
    if not labels_path.is_file():
        return []
    labels = json.loads(labels_path.read_text())["cases"]
    names = [n for n, label in sorted(labels.items()) if label["expected_decision"] == "review"]
    store.ensure_bucket(VERDICTS)
    sink = VerdictSink(store=store, redis=r, bucket=VERDICTS)
    seeded: list[SeededCase] = []
    for name in names[:tries]:
        payload = upload_case(FIXTURE_CASES / name, store, UPLOADS)
        outcome = verify_case(fetch_case_files(store, payload, 20_000_000), _engines())
        written = sink.write(outcome, payload)
        if written.decision == "review":
            data = store.get(VERDICTS, written.verdict_key)
            reasons = [str(x) for x in outcome.verdict.reasons]
            seeded.append(SeededCase(payload.submission_id, payload.account_id, reasons, data))
        if len(seeded) == count:
            break
    return seeded
