"""Any Unicode, any length, in every form: 2xx/3xx/4xx, never a 500 (SECURITY.md 12-13)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counsel.models import Assignment

from ..conftest import Auth

# Short text of any kind, or long runs of one character (emoji, RTL mark, NUL...).
long_runs = st.tuples(st.text(min_size=1, max_size=3), st.integers(100, 20_000)).map(
    lambda t: t[0] * t[1])
text = st.text(max_size=200) | long_runs

FORMS = {
    "counselor": [("/clients/new", ("name", "email", "phone", "preferred_name", "pronouns")),
                  ("/account/password", ("current", "password", "confirm"))],
    "admin": [("/admin/counselors/new", ("name", "email"))],
}

SETTINGS = settings(max_examples=25, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(values=st.lists(text, min_size=5, max_size=5))
def test_counselor_and_admin_forms_never_fail(app, people, values):
    for role, forms in FORMS.items():
        client = app.test_client()
        Auth(client).login(people[role])
        for url, fields in forms:
            response = client.post(url, data=dict(zip(fields, values, strict=False)))
            assert response.status_code < 500, (url, response.status_code)


@SETTINGS
@given(email=text, password=text)
def test_sign_in_never_fails(app, email, password):
    response = app.test_client().post("/sign-in", data={"email": email, "password": password})
    assert response.status_code in (200, 302, 429)


@SETTINGS
@given(token=st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=500))
def test_invitation_urls_never_fail(app, token):
    response = app.test_client().get("/invitation/" + token.replace("/", "_").replace("?", "_"))
    assert response.status_code in (200, 404, 308)


unicode_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"],
                                              blacklist_characters="\x00"), max_size=400)


@SETTINGS
@given(first=unicode_text, second=unicode_text)
def test_any_unicode_draft_reads_back_byte_identical(app, people, first, second):
    from .workflow import current_version, fresh, letter, save, work_url

    assignment = letter(people, prompts=("One", "Two"))
    client = app.test_client()
    Auth(client).login(people["alex"].user)
    response = save(client, assignment, [first, second])
    assert response.status_code == 200
    stored = fresh(Assignment, assignment.id).draft.answers
    assert [s.encode() for s in stored] == [first.encode(), second.encode()]
    # A browser's form submission turns each textarea line break into CRLF; the
    # server turns it back, so the form path stores what the textarea held.
    as_submitted = [t.replace("\r\n", "\n").replace("\n", "\r\n") for t in (second, first)]
    posted = client.post(work_url(assignment), data={
        "answers-0": as_submitted[0], "answers-1": as_submitted[1], "action": "save",
        "base_version": current_version(assignment)})
    assert posted.status_code == 302
    stored = fresh(Assignment, assignment.id).draft.answers
    assert stored == [t.replace("\r\n", "\n") for t in (second, first)]
    page = client.get(work_url(assignment))
    assert page.status_code == 200


@SETTINGS
@given(values=st.lists(text, min_size=4, max_size=4))
def test_review_and_exercise_forms_never_fail(app, people, values):
    from .workflow import letter, submit

    assignment = letter(people)
    alex = app.test_client()
    Auth(alex).login(people["alex"].user)
    submit(alex, assignment, ["Some words to comment on."])
    client = app.test_client()
    Auth(client).login(people["counselor"])
    base = f"/assignments/{assignment.id}/revisions/1"
    posts = [(base + "/comments", {"prompt_index": values[0][:5], "start": values[1],
                                   "quote": values[2], "body": values[3]}),
             (base + "/send", {"overall_comment": values[0], "decision": values[1],
                               "rubric_specific": values[2]}),
             ("/assign", {"client": values[0], "exercise": values[1], "due_date": values[2],
                          "note": values[3]}),
             ("/library/new", {"title": values[0], "purpose": values[1],
                               "instructions": values[2], "prompts-0-text": values[3],
                               "stage": values[1], "kind": values[2]})]
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code < 500, (url, response.status_code)
