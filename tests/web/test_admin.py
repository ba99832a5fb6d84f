"""The practice admin manages counselor accounts and sees no clinical content."""

import re

from sqlalchemy import select

from counsel.extensions import db
from counsel.models import User


def test_admin_adds_a_counselor_who_accepts_the_invitation(app, client, auth, people):
    auth.login(people["admin"])
    response = client.post("/admin/counselors/new", data={"name": "Dr. New",
                                                          "email": "new@example.org"})
    assert response.status_code == 200
    link = re.search(r'value="http://localhost(/invitation/[^"]+)"', response.text).group(1)
    duplicate = client.post("/admin/counselors/new", data={"name": "X", "email": "new@example.org"})
    assert "already has an account" in duplicate.text
    auth.logout()
    good = "counselor password 99"
    accepted = client.post(link, data={"password": good, "confirm": good})
    assert accepted.location == "/dashboard/"
    assert "Add your first client" in client.get("/dashboard/").text


def test_admin_deactivates_and_reactivates_a_counselor(client, auth, people):
    auth.login(people["admin"])
    counselor = people["other_counselor"]
    client.post(f"/admin/counselors/{counselor.id}/deactivate")
    db.session.refresh(counselor)
    assert not counselor.active
    client.post(f"/admin/counselors/{counselor.id}/reactivate")
    db.session.refresh(counselor)
    assert counselor.active


def test_admin_cannot_touch_clients_or_admins_through_the_counselor_routes(client, auth, people):
    auth.login(people["admin"])
    for user in (people["alex"].user, people["admin"]):
        assert client.post(f"/admin/counselors/{user.id}/deactivate").status_code == 404
    assert db.session.scalars(select(User).where(User.active.is_(False))).all() == []


def test_admin_pages_hold_no_clinical_content(client, auth, people):
    auth.login(people["admin"])
    page = client.get("/admin/").text
    assert people["counselor"].email in page
    for c in ("alex", "sam", "jordan"):
        assert people[c].email not in page and people[c].name not in page
    assert client.get(f"/clients/{people['alex'].id}").status_code == 403
