"""Any Unicode, any length, in every form: 2xx/3xx/4xx, never a 500 (SECURITY.md 12-13)."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
