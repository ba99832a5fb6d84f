"""The exercise library: browsing the guide's exercises and a counselor's own, writing,
copying, editing and archiving them; other counselors' exercises are 404."""

import pytest
from sqlalchemy import select

from counsel.extensions import db
from counsel.models import AuditEvent, Exercise, ExercisePrompt, utcnow

from ..factories import ExerciseFactory

NEW_EXERCISE = {
    "title": "Naming what hurt", "stage": "reflection", "kind": "reflection",
    "purpose": "To put a painful moment into words.",
    "instructions": "Take your time.\r\n\r\n- Be specific.\r\n- Be kind to yourself.",
    "estimated_minutes": "25",
    "prompts-0-text": "What happened?", "prompts-0-position": "1",
    "prompts-1-text": "How did it feel?", "prompts-1-position": "2",
    "prompts-2-text": "", "prompts-2-position": "3",
}


def library_exercise(**kwargs):
    kwargs.setdefault("slug", f"guide-{kwargs.get('stage', 'reflection')}")
    return ExerciseFactory(owner=None, **kwargs)


@pytest.fixture
def shelf(people):
    """A library exercise at two stages, one of the counselor's own and one of another's."""
    items = {
        "understanding": library_exercise(stage="understanding", title="Why it ended"),
        "apology": library_exercise(stage="apology", kind="letter", title="Apology letter",
                                    leads_to_contact=True),
        "own": ExerciseFactory(owner=people["counselor"], title="My own exercise"),
        "theirs": ExerciseFactory(owner=people["other_counselor"], title="Someone else's"),
    }
    db.session.commit()
    return items


def exercise_titled(title):
    db.session.expire_all()
    return db.session.scalars(select(Exercise).where(Exercise.title == title)).one()


def test_index_groups_by_stage_and_shows_only_the_library_and_own(client, auth, people,
                                                                   shelf):
    auth.login(people["counselor"])
    page = client.get("/library/").text
    understanding = page.index('<h2 id="stage-understanding">Understanding</h2>')
    apology = page.index('<h2 id="stage-apology">Apology</h2>')
    assert understanding < page.index("Why it ended") < apology < page.index("Apology letter")
    assert '<h2 id="stage-reflection">' in page and '<h2 id="stage-no-contact">' not in page
    assert "My own exercise" in page and "Yours" in page and "Someone else" not in page
    assert "To think something through." in page and "about 20 minutes" in page
    assert "Letter · about 20 minutes" in page
    only_apology = client.get("/library/?stage=apology").text
    assert "Apology letter" in only_apology and "Why it ended" not in only_apology
    unknown = client.get("/library/?stage=nonsense")
    assert unknown.status_code == 200 and "Why it ended" in unknown.text


def test_empty_library_says_whom_to_tell_without_a_shell_command(client, auth, people):
    auth.login(people["counselor"])
    page = client.get("/library/").text
    assert "tell whoever looks after counsel" in page and "sync-library" not in page
    assert "There are no exercises for the No contact stage" in client.get(
        "/library/?stage=no-contact").text


def test_show_library_and_own_exercises(client, auth, people, shelf):
    auth.login(people["counselor"])
    apology = client.get(f"/library/{shelf['apology'].id}").text
    assert "Apology letter" in apology and "Involves contact with the other person" in apology
    assert f"/assign?exercise_id={shelf['apology'].id}" in apology
    assert "Copy and adapt" in apology and "Archive" not in apology
    assert f"/library/{shelf['apology'].id}/edit" not in apology
    own = client.get(f"/library/{shelf['own'].id}").text
    assert "My own exercise" in own and "Involves contact" not in own
    assert f"/library/{shelf['own'].id}/edit" in own and "Archive" in own
    assert "<p>Take your time.</p>" in own
    assert "<li>What happened?</li>" in own and "<li>What now?</li>" in own


def test_instructions_render_paragraphs_and_lists(client, auth, people):
    own = ExerciseFactory(owner=people["counselor"],
                          instructions="First line\nsame paragraph.\n\n- one\n- two\n\nAfter.")
    db.session.commit()
    auth.login(people["counselor"])
    page = client.get(f"/library/{own.id}").text
    assert "<p>First line<br>same paragraph.</p>" in page
    assert "<ul><li>one</li><li>two</li></ul>" in page and "<p>After.</p>" in page


def test_other_counselors_and_retired_exercises_are_404(client, auth, people, shelf):
    old = library_exercise(slug="old-one", title="Retired version", retired_at=utcnow())
    db.session.commit()
    auth.login(people["counselor"])
    for exercise in (shelf["theirs"], old):
        assert client.get(f"/library/{exercise.id}").status_code == 404
        assert client.post(f"/library/{exercise.id}/copy").status_code == 404
        assert client.get(f"/library/{exercise.id}/copy").status_code == 404
    assert client.get("/library/99999").status_code == 404
    refused = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "access.refused")).all()
    assert len(refused) == 7


def test_counselor_writes_an_exercise(client, auth, people):
    auth.login(people["counselor"])
    form = client.get("/library/new").text
    assert 'for="prompts-0-text">Prompt 1<' in form
    assert 'for="prompts-1-position">Order for prompt 2<' in form
    assert "prompts-2-text" not in form
    response = client.post("/library/new", data=NEW_EXERCISE)
    assert response.status_code == 302
    exercise = exercise_titled("Naming what hurt")
    assert response.location == f"/library/{exercise.id}"
    assert exercise.owner_id == people["counselor"].id and exercise.slug is None
    assert exercise.version == 1 and exercise.estimated_minutes == 25
    assert exercise.instructions == "Take your time.\n\n- Be specific.\n- Be kind to yourself."
    assert exercise.prompt_texts == ["What happened?", "How did it feel?"]
    assert [p.position for p in exercise.prompts] == [0, 1]
    assert not exercise.leads_to_contact
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "exercise.create")).one().target_id == str(exercise.id)


@pytest.mark.parametrize("change, message", [
    ({"title": ""}, "Enter a title."),
    ({"prompts-0-text": "", "prompts-1-text": ""}, "Add at least one prompt."),
    ({"prompts-1-text": "x" * 2_001}, "2000 characters"),
    ({"title": "Naming\x00 what hurt"}, "control character"),
    ({"estimated_minutes": "0"}, "from 1 to 600"),
    ({"stage": "bargaining"}, "Not a valid choice"),
])
def test_bad_input_gets_errors_and_keeps_what_was_typed(client, auth, people, change,
                                                        message):
    auth.login(people["counselor"])
    response = client.post("/library/new", data={**NEW_EXERCISE, **change})
    assert response.status_code == 200
    assert message in response.text
    page = response.text
    assert "To put a painful moment into words." in page
    assert "Be kind to yourself." in page
    if "prompts-1-text" not in change:
        assert "How did it feel?</textarea>" in page
    assert 'name="prompts-2-text"' in page
    assert db.session.scalars(select(Exercise)).first() is None


def test_copy_opens_a_filled_form_and_creates_nothing_until_saved(client, auth, people,
                                                                  shelf):
    auth.login(people["counselor"])
    original = shelf["apology"]
    count = len(db.session.scalars(select(Exercise)).all())
    form = client.get(f"/library/{original.id}/copy")
    assert form.status_code == 200 and "Copy and adapt “Apology letter”" in form.text
    assert 'value="Apology letter (adapted)"' in form.text
    assert "What happened?</textarea>" in form.text and "What now?</textarea>" in form.text
    db.session.expire_all()
    assert len(db.session.scalars(select(Exercise)).all()) == count, "nothing created yet"
    show = client.get(f"/library/{original.id}").text
    assert f'href="/library/{original.id}/copy"' in show

    bad = client.post(f"/library/{original.id}/copy", data={**NEW_EXERCISE, "title": "",
                                                           "purpose": "kept purpose"})
    assert bad.status_code == 200 and "Enter a title." in bad.text
    assert "kept purpose" in bad.text
    db.session.expire_all()
    assert len(db.session.scalars(select(Exercise)).all()) == count

    response = client.post(f"/library/{original.id}/copy", data={
        **NEW_EXERCISE, "title": "Apology letter, my way", "kind": "letter",
        "stage": "apology", "leads_to_contact": "y"})
    copy = exercise_titled("Apology letter, my way")
    assert response.status_code == 302 and response.location == f"/library/{copy.id}"
    assert copy.owner_id == people["counselor"].id and copy.source_id == original.id
    assert copy.slug is None and copy.version == 1 and copy.leads_to_contact
    assert copy.prompt_texts == ["What happened?", "How did it feel?"]
    assert copy.kind == "letter" and copy.instructions == "Take your time.\n\n- Be specific." \
        "\n- Be kind to yourself."
    db.session.refresh(original)
    assert original.title == "Apology letter" and len(original.prompts) == 2
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "exercise.copy")).one().target_id == str(copy.id)
    assert "Adapted from" in client.get(response.location).text


def test_edit_adds_removes_and_reorders_prompts(client, auth, people):
    own = ExerciseFactory(owner=people["counselor"], title="Mine", prompts=[
        ExercisePrompt(position=n, text=text) for n, text in enumerate(["First", "Second",
                                                                        "Third"])])
    db.session.commit()
    auth.login(people["counselor"])
    page = client.get(f"/library/{own.id}/edit").text
    assert "Third</textarea>" in page and 'name="prompts-4-text"' in page
    assert 'name="prompts-5-text"' not in page
    response = client.post(f"/library/{own.id}/edit", data={
        **{k: v for k, v in NEW_EXERCISE.items() if not k.startswith("prompts")},
        "title": "Mine, revised", "leads_to_contact": "y",
        "prompts-0-text": "First", "prompts-0-position": "2",
        "prompts-1-text": "  ", "prompts-1-position": "1",      # removed
        "prompts-2-text": "Third", "prompts-2-position": "1",
        "prompts-3-text": "Added", "prompts-3-position": "2",   # ties keep row order
        "prompts-4-text": "Unnumbered", "prompts-4-position": "",
    })
    assert response.status_code == 302 and response.location == f"/library/{own.id}"
    db.session.expire_all()
    edited = db.session.get(Exercise, own.id)
    assert edited.title == "Mine, revised" and edited.leads_to_contact
    assert edited.prompt_texts == ["Third", "First", "Added", "Unnumbered"]
    assert [p.position for p in edited.prompts] == [0, 1, 2, 3]
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "exercise.update")).one().target_id == str(own.id)


def test_library_and_other_counselors_exercises_cannot_be_edited_or_archived(client, auth,
                                                                            people, shelf):
    auth.login(people["counselor"])
    for exercise in (shelf["apology"], shelf["theirs"]):
        for method, url in (("GET", f"/library/{exercise.id}/edit"),
                            ("POST", f"/library/{exercise.id}/edit"),
                            ("POST", f"/library/{exercise.id}/archive")):
            response = client.open(url, method=method, data={**NEW_EXERCISE, "title": "Hacked"})
            assert response.status_code == 404, (method, url)
            assert exercise.title not in response.text
    db.session.expire_all()
    assert not db.session.scalars(select(Exercise).where(Exercise.title == "Hacked")).all()
    assert all(e.retired_at is None for e in db.session.scalars(select(Exercise)))


def test_archive_hides_it_from_the_index(client, auth, people, shelf):
    auth.login(people["counselor"])
    own = shelf["own"]
    response = client.post(f"/library/{own.id}/archive")
    assert response.status_code == 302 and response.location == "/library/"
    index = client.get("/library/").text
    assert "is archived" in index and f'href="/library/{own.id}"' not in index
    assert client.get(f"/library/{own.id}").status_code == 404
    assert client.get(f"/library/{own.id}/edit").status_code == 404
    db.session.refresh(own)
    assert own.retired_at is not None
    assert db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "exercise.archive")).one().target_id == str(own.id)


def test_extra_fields_change_nothing(client, auth, people, shelf):
    auth.login(people["counselor"])
    extra = {"owner_id": people["other_counselor"].id, "slug": "x", "version": "7",
             "source_id": shelf["apology"].id, "retired_at": "2020-01-01", "id": "999"}
    client.post("/library/new", data={**NEW_EXERCISE, **extra})
    created = exercise_titled("Naming what hurt")
    assert created.owner_id == people["counselor"].id and created.slug is None
    assert created.version == 1 and created.source_id is None and created.retired_at is None
    assert created.id != 999
    own = shelf["own"]
    client.post(f"/library/{own.id}/edit", data={**NEW_EXERCISE, **extra, "title": "Edited"})
    edited = exercise_titled("Edited")
    assert edited.id == own.id and edited.owner_id == people["counselor"].id
    assert edited.slug is None and edited.version == 1 and edited.retired_at is None


@pytest.mark.parametrize("role", ["client", "admin"])
def test_clients_and_admins_get_403_on_every_library_route(client, auth, people, shelf, role):
    auth.login(people["alex"].user if role == "client" else people["admin"])
    own = shelf["own"].id
    for method, url in (("GET", "/library/"), ("GET", f"/library/{own}"),
                        ("GET", "/library/new"), ("POST", "/library/new"),
                        ("POST", f"/library/{own}/copy"), ("GET", f"/library/{own}/copy"),
                        ("GET", f"/library/{own}/edit"),
                        ("POST", f"/library/{own}/edit"), ("POST", f"/library/{own}/archive")):
        response = client.open(url, method=method, data=NEW_EXERCISE)
        assert response.status_code == 403, (method, url)
        assert "My own exercise" not in response.text
    assert db.session.scalars(select(Exercise).where(
        Exercise.title == "Naming what hurt")).first() is None


def test_typed_markup_is_escaped_on_the_show_page(client, auth, people):
    auth.login(people["counselor"])
    evil = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    client.post("/library/new", data={**NEW_EXERCISE, "title": evil, "purpose": evil,
                                      "instructions": evil + "\n\n- " + evil,
                                      "prompts-0-text": evil})
    exercise = exercise_titled(evil)
    pages = (client.get(f"/library/{exercise.id}").text + client.get("/library/").text
             + client.get(f"/library/{exercise.id}/edit").text)
    assert "<script>alert(1)" not in pages and "<img src=x" not in pages
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages


def test_library_pages_have_no_inline_scripts_or_styles(client, auth, people, shelf):
    auth.login(people["counselor"])
    for url in ("/library/", f"/library/{shelf['own'].id}", "/library/new",
                f"/library/{shelf['own'].id}/edit"):
        html = client.get(url).text
        assert "<script>" not in html and "onclick=" not in html and "style=" not in html
        assert 'href="/library/"' in html  # the header's Exercises link
