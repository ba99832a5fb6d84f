"""Bad input gets a clear answer, never a 500 (issue 6, section 3)."""

import json

import pytest
from werkzeug.datastructures import MultiDict

from counsel.models import Assignment

from ..conftest import PASSWORD
from .workflow import fresh, letter, save, work_url

BAD_BODIES = ["[]", '["answers"]', '"answers"', "12", "true", "null", "{}",
              '{"answers": 5}', '{"answers": {"0": "x"}}', '{"answers": [1]}',
              '{"answers": ["x"], "base_version": "1"}',
              '{"answers": ["x"], "base_version": true}',
              '{"answers": ["x"], "base_version": 1.5}',
              '{"answers": ["x"], "base_version": [1]}',
              '{"answers": ["x"], "base_version": {"v": 1}}',
              '{"answers": ["x"], "base_version": 1e400}']


@pytest.mark.parametrize("body", BAD_BODIES)
def test_autosave_of_a_body_of_the_wrong_shape_is_a_clear_4xx(client, auth, people, body):
    assignment = letter(people)
    auth.login(people["alex"].user)
    assert save(client, assignment, ["kept"]).status_code == 200
    response = client.post(work_url(assignment) + "/draft", data=body,
                           content_type="application/json")
    assert response.status_code in (400, 422), response.status_code
    assert response.json["error"] and response.json["message"]
    assert fresh(Assignment, assignment.id).draft.answers == ["kept"]


def test_autosave_of_a_form_body_is_a_clear_400(client, auth, people):
    assignment = letter(people)
    auth.login(people["alex"].user)
    response = client.post(work_url(assignment) + "/draft", data={"answers": "x"})
    assert response.status_code == 400 and response.json["error"] == "bad_request"


@pytest.mark.parametrize("half", ["\\ud800", "\\udfff", "\\udc00\\ud83d"])
def test_a_lone_surrogate_in_an_autosave_is_refused_at_the_door(client, auth, people, half):
    assignment = letter(people, prompts=("One", "Two"))
    auth.login(people["alex"].user)
    assert save(client, assignment, ["first", "kept"]).status_code == 200
    body = '{"answers": ["fine \\ud83d\\ude00", "x' + half + 'y"], "base_version": 1}'
    response = client.post(work_url(assignment) + "/draft", data=body,
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json["error"] == "bad_character"
    assert "Answer 2" in response.json["message"]
    assert fresh(Assignment, assignment.id).draft.answers == ["first", "kept"]
    assert client.get(work_url(assignment)).status_code == 200
    # A whole emoji (a surrogate pair in JSON) is one character, and is kept.
    whole = client.post(work_url(assignment) + "/draft", content_type="application/json",
                        data='{"answers": ["\\ud83d\\ude00", "y"], "base_version": 1}')
    assert whole.status_code == 200
    assert fresh(Assignment, assignment.id).draft.answers == ["\U0001f600", "y"]


def test_the_work_form_refuses_a_lone_surrogate_and_keeps_the_text(app, people):
    from counsel.portal.forms import WorkForm

    with app.test_request_context(method="POST"):
        form = WorkForm(formdata=MultiDict({"answers-0": "x\ud800y and the rest",
                                            "answers-1": "fine"}))
        assert not form.validate()
        assert "broken character" in form.answers[0].errors[0]
        assert form.answers[0].data == "x\ud800y and the rest"
        assert not form.answers[1].errors


@pytest.mark.parametrize("form_name", ["clients.forms:ClientForm",
                                       "library.forms:ExerciseForm",
                                       "assignments.forms:CommentForm"])
def test_other_text_fields_refuse_surrogates_and_nul(app, form_name):
    import importlib

    module, name = form_name.split(":")
    form_class = getattr(importlib.import_module("counsel." + module), name)
    with app.test_request_context(method="POST"):
        for bad in ("x\ud800y", "x\x00y"):
            # A comment's quote is only looked up in the answer, never stored from input.
            fields = {field.name: bad for field in form_class(meta={"csrf": False})
                      if field.type in ("StringField", "TextAreaField")
                      and field.name != "quote"}
            form = form_class(formdata=MultiDict(fields), meta={"csrf": False})
            form.validate()
            checked = [f for f in form if f.name in fields]
            assert checked
            for field in checked:
                assert field.errors, (name, field.name, bad)


def test_forms_posted_with_broken_utf8_never_fail(client, auth, people):
    """A browser cannot send a lone surrogate in a form: its bytes are not UTF-8, and they
    arrive as U+FFFD. Nothing fails either way."""
    assignment = letter(people)
    auth.login(people["alex"].user)
    response = client.post(work_url(assignment), data=b"answers-0=x%ED%A0%80y&action=save"
                           b"&base_version=0",
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code in (302, 422)
    assert client.get(work_url(assignment)).status_code == 200


@pytest.mark.parametrize("target", ["/clients/%0D%0ASet-Cookie:%20x=1", "/x%0Ay", "/x%0D",
                                    "/x%00y", "/x%09y", "/x%7Fy", "/%5Cevil.example",
                                    "/%5C%5Cevil.example"])
def test_next_with_control_characters_is_ignored(client, people, target):
    page = client.get(f"/sign-in?next={target}")
    assert page.status_code == 200
    response = client.post(f"/sign-in?next={target}", data={
        "email": people["counselor"].email, "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/dashboard/"
    assert "Set-Cookie: x" not in json.dumps(dict(response.headers))


@pytest.mark.parametrize("body", ["true", "[1]", '"x"', "null", '{"name": {"a": 1}}',
                                  '{"name": 5}', '{"prompts-0-text": [null]}'])
def test_json_posted_to_a_form_is_refused_before_the_form_reads_it(client, auth, people,
                                                                   body):
    auth.login(people["counselor"])
    for url in ("/library/new", "/clients/new", f"/clients/{people['alex'].id}/edit"):
        response = client.post(url, data=body, content_type="application/json")
        assert response.status_code == 400, (url, response.status_code)
        assert response.json["error"] == "bad_request"


def test_json_of_strings_is_read_like_a_form(client, auth, people):
    auth.login(people["counselor"])
    response = client.post("/clients/new", json={"name": "Robin", "email": "not an email"})
    assert response.status_code == 200 and "Enter an email address" in response.text
    other = client.post(f"/clients/{people['jordan'].id}/edit", json={"name": "X"})
    assert other.status_code == 404, "access is checked first, as for any form"


@pytest.mark.parametrize("role, url, fields", [
    ("counselor", "/clients/new", {"name": "Nul Client"}),
    ("admin", "/admin/counselors/new", {"name": "Nul Counselor"}),
])
@pytest.mark.parametrize("email", ["\x00", "a\x00@example.com"])
def test_an_email_the_database_cannot_hold_is_refused_before_any_lookup(
        client, auth, people, role, url, fields, email):
    """The form's own check for an address already in use would otherwise send the NUL to
    PostgreSQL, which refuses it in a query (found by test_any_input)."""
    auth.login(people[role] if role == "admin" else people["counselor"])
    response = client.post(url, data={**fields, "email": email})
    assert response.status_code in (200, 422), response.status_code  # the form again
    assert "invisible control character" in response.text or "broken character" in response.text
