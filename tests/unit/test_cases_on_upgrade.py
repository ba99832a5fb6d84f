"""Migration 0005 gives every existing client an individual case, named after them, that
holds the work they already had: nothing assigned before cases existed is orphaned."""

from flask_migrate import upgrade
from sqlalchemy import select, text

from counsel import create_app
from counsel.extensions import db
from counsel.models import Assignment, Case, CaseMember

from .test_library_on_upgrade import fresh_url  # noqa: F401  (the empty-database fixture)

NOW = "2026-01-05 10:00:00+00:00"


def _insert(table: str, **values) -> int:
    columns = ", ".join(values)
    params = ", ".join(f":{k}" for k in values)
    return db.session.execute(text(f"INSERT INTO {table} ({columns}) VALUES ({params}) "  # noqa: S608
                                    "RETURNING id"), values).scalar_one()


def test_upgrading_from_0004_gives_each_client_an_individual_case(fresh_url):  # noqa: F811
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": fresh_url,
                      "SECRET_KEY": "x" * 40, "LOAD_LIBRARY_ON_UPGRADE": False})
    with app.app_context():
        upgrade(revision="0004")
        counselor = _insert("users", email="c@example.org", name="Casey Counselor",
                            role="counselor", active=True, created_at=NOW)
        people = {}
        for name in ("Alex Rivera", "Sam Okafor"):
            user = _insert("users", email=f"{name.split()[0].lower()}@example.org", name=name,
                           role="client", active=True, created_at=NOW)
            people[name] = _insert("clients", user_id=user, counselor_id=counselor,
                                   created_at=NOW)
        exercise = _insert("exercises", version=1, owner_id=counselor, stage="reflection",
                           kind="reflection", title="Why it ended", purpose="p",
                           instructions="i", leads_to_contact=False, created_at=NOW)
        work = _insert("assignments", client_id=people["Alex Rivera"], counselor_id=counselor,
                       exercise_id=exercise, title="Why it ended", stage="reflection",
                       kind="reflection", purpose="p", instructions="i", prompts='["q"]',
                       status="assigned", created_at=NOW, updated_at=NOW)
        db.session.commit()

        upgrade()

        cases = {m.client_id: m.case for m in db.session.scalars(select(CaseMember))}
        assert set(cases) == set(people.values())
        alex_case = cases[people["Alex Rivera"]]
        assert (alex_case.kind, alex_case.name, alex_case.counselor_id, alex_case.is_open) == \
            ("individual", "Alex Rivera", counselor, True)
        assert [p.id for p in alex_case.partners] == [people["Alex Rivera"]]
        assert cases[people["Sam Okafor"]].name == "Sam Okafor"
        assert db.session.get(Assignment, work).case_id == alex_case.id
        assert len(db.session.scalars(select(Case)).all()) == 2
        db.session.remove()
        db.engine.dispose()
