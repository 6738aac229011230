"""Cases for the registration desk's tests, filed and decided through the services as staff
would (never written into the tables directly), in the demo township's three villages."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import select

from tests.factories import make_id_number, registration_form
from wxapp.extensions import db
from wxapp.models import BirthRegistration, StaffUser, Village
from wxapp.seeding.seed import seed_demo
from wxapp.services.accounts.passwords import hash_password
from wxapp.services.registration import applications, review
from wxapp.transactions import commit

MOTHERS = ["王芳", "张丽", "刘娜", "杨静", "周敏", "徐婷", "马琳", "胡雪", "林慧", "何琴"]
FATHERS = ["李强", "陈伟", "赵磊", "黄勇", "吴杰", "孙涛", "朱斌", "郭鹏", "高峰", "罗军"]


def mother_id(n: int) -> str:
    return make_id_number(birth=f"199{n % 10}0{n % 9 + 1}1{n % 9}",
                          sequence=f"{(2 * n) % 1000:03d}")


def father_id(n: int) -> str:
    return make_id_number(birth=f"198{n % 10}0{n % 9 + 1}1{n % 9}",
                          sequence=f"{(2 * n + 1) % 1000:03d}")


@dataclass
class Desk:
    """Cases filed and decided in their own app context each: a test client's requests must
    not share an app context (and so ``g``) with the test, or they would share its session
    and CSRF token. Cases come back detached, their columns loaded."""
    app: object
    villages: dict[str, int]
    staff: dict[str, int]
    cases: list = field(default_factory=list)

    @contextmanager
    def ctx(self):
        with self.app.app_context():
            yield

    def member(self, username: str) -> StaffUser:
        """A staff member in the current app context's session."""
        return db.session.get(StaffUser, self.staff[username])

    def file(self, village: str = "东湖村", *, children: int = 0, promised: bool = False,
             phone: str | None = None, by: str = "demo-admin") -> BirthRegistration:
        """A case filed 代办 (originals seen, so without conflicts unless ``promised``)."""
        n = len(self.cases)
        form = registration_form(
            self.villages[village],
            mother={"name": MOTHERS[n % 10] + ("" if n < 10 else "华"),
                    "id_number": mother_id(n), "phone": phone or f"1381234{5600 + n:04d}",
                    "hukou_region": "320102"},
            father={"name": FATHERS[n % 10], "id_number": father_id(n),
                    "phone": f"1398765{4300 + n:04d}", "hukou_region": "320102"},
            existing_children=[{"birth_date": f"201{k + 5}-03-0{k + 1}", "relation": "both"}
                               for k in range(children)],
            promised_documents=["father_id_card"] if promised else [])
        with self.ctx():
            reg = applications.file_on_behalf(self.member(by), form, True)
            commit()
            reg_id = reg.id
        self.cases.append(reg_id)
        return self.reload(reg_id)

    def approve(self, reg):
        with self.ctx():
            review.approve(self.member("demo-reviewer"), reg.id)
            commit()

    def return_(self, reg):
        with self.ctx():
            review.return_for_changes(self.member("demo-reviewer"), reg.id,
                                      [{"field": "mother.name", "message": "请核对女方姓名。"}])
            commit()

    def reload(self, reg) -> BirthRegistration:
        """The case as it is now, detached with its columns loaded."""
        reg_id = reg if isinstance(reg, int) else reg.id
        with self.ctx():
            found = db.session.get(BirthRegistration, reg_id)
            db.session.expunge(found)
            return found

    def scalars(self, query) -> list:
        with self.ctx():
            return list(db.session.scalars(query))

    def scalar(self, query):
        with self.ctx():
            return db.session.scalar(query)


def make_desk(app) -> Desk:
    """The demo township with a second village worker (西岭村); each test module wraps this
    in its own ``desk`` fixture."""
    with app.app_context():
        seed_demo()
        commit()
        villages = {v.name: v.id for v in db.session.scalars(select(Village))}
        staff = {s.username: s for s in db.session.scalars(select(StaffUser))}
        other = StaffUser(username="xiling-worker", display_name="西岭村专干",
                          role="village_worker", township_id=staff["demo-admin"].township_id,
                          village_id=villages["西岭村"],
                          password_hash=hash_password("not-used-here-1"))
        db.session.add(other)
        commit()
        staff_ids = {username: member.id for username, member in staff.items()}
        staff_ids["xiling-worker"] = other.id
    return Desk(app, villages, staff_ids)
