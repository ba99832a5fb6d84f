"""Session times are typed in the practice's time zone and stored in UTC; a clock change
between start and end counts in the duration (real minutes)."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import CounselingSession

from .session_world import couple_case, session_form


@pytest.fixture
def app_config():
    return {"PRACTICE_TIMEZONE": "America/New_York"}


@pytest.mark.parametrize(("day", "start", "end", "utc_start", "minutes"), [
    ("2026-07-01", "14:00", "14:50", datetime(2026, 7, 1, 18, 0, tzinfo=UTC), 50),
    ("2026-12-01", "14:00", "14:50", datetime(2026, 12, 1, 19, 0, tzinfo=UTC), 50),
    # Clocks spring forward at 02:00 on 8 March 2026: 01:30 to 03:30 is one real hour.
    ("2026-03-08", "01:30", "03:30", datetime(2026, 3, 8, 6, 30, tzinfo=UTC), 60),
])
def test_local_times_are_stored_in_utc(client, auth, people, day, start, end, utc_start,
                                       minutes):
    case = couple_case(people)
    auth.login(people["counselor"])
    response = client.post(f"/cases/{case.id}/sessions/new", data=session_form(
        people, date=day, start_time=start, end_time=end))
    assert response.status_code == 302, response.text
    session = db.session.scalars(select(CounselingSession)).one()
    assert session.starts_at == utc_start and session.duration_minutes == minutes
    page = client.get(response.location).text
    assert f'value="{start}"' in page and f'value="{end}"' in page
