"""Records holding encrypted ID numbers and phones, written straight to the database: the
console tests are about who may see them, not about how residents file them."""
from __future__ import annotations

import itertools
import json

from sqlalchemy import select

from wxapp.extensions import db
from wxapp.models import BirthRegistration, Resident, ScreeningCouple, Township, Village
from wxapp.security.blind_index import id_number_index
from wxapp.services.screening.couples import couple_key_for
from wxapp.testing.people import make_id_number

_numbers = itertools.count(100)


def village(name: str) -> Village:
    return db.session.scalars(select(Village).filter_by(name=name)).one()


def other_township_village() -> Village:
    township = Township(code=f"3209{next(_numbers):05d}", name="邻镇")
    db.session.add(township)
    db.session.flush()
    place = Village(township_id=township.id, code=f"{township.code}001", name="邻村")
    db.session.add(place)
    db.session.flush()
    return place


def registration(place: Village, **changes) -> BirthRegistration:
    n = next(_numbers)
    mother_id = make_id_number(birth="19950302", sequence=f"{(2 * n) % 1000:03d}")
    father_id = make_id_number(birth="19930415", sequence=f"{(2 * n + 1) % 1000:03d}")
    fields = dict(
        application_no=f"SQ{n:08d}", township_id=place.township_id, village_id=place.id,
        status="submitted", filer_role="mother",
        mother_name="王芳", mother_id_number=mother_id,
        mother_id_index=id_number_index(mother_id), mother_phone=f"138{n:08d}",
        mother_hukou_region="320102",
        father_name="李强", father_id_number=father_id,
        father_id_index=id_number_index(father_id), father_phone=f"139{n:08d}",
        father_hukou_region="320102",
        pregnancy_status="pregnant", existing_children=json.dumps([]), child_order=1)
    fields.update(changes)
    record = BirthRegistration(**fields)
    db.session.add(record)
    db.session.flush()
    return record


def couple(place: Village, **changes) -> ScreeningCouple:
    n = next(_numbers)
    resident = Resident(mp_openid=f"couple-{n}")
    db.session.add(resident)
    db.session.flush()
    wife_id = make_id_number(birth="19960101", sequence=f"{(2 * n) % 1000:03d}")
    husband_id = make_id_number(birth="19940101", sequence=f"{(2 * n + 1) % 1000:03d}")
    fields = dict(
        resident_id=resident.id, couple_key=couple_key_for(wife_id, husband_id),
        wife_name="赵敏", wife_id_number=wife_id, wife_phone=f"136{n:08d}",
        wife_hukou_region="320102", husband_name="孙伟", husband_id_number=husband_id,
        husband_phone=f"137{n:08d}", husband_hukou_region="320102",
        village_id=place.id, child_order=1)
    fields.update(changes)
    record = ScreeningCouple(**fields)
    db.session.add(record)
    db.session.flush()
    return record
