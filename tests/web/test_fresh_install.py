"""What a new practice sees before anyone configures anything."""

from counsel.config import DEFAULTS


def test_the_practice_name_does_not_claim_to_be_a_demo(client, auth, people):
    assert "demo" not in DEFAULTS["PRACTICE_NAME"].lower()
    auth.login(people["counselor"])
    page = client.get("/dashboard/").text
    assert "demo practice" not in page.lower() and DEFAULTS["PRACTICE_NAME"] in page


def test_an_empty_library_asks_for_no_shell_command(client, auth, people):
    auth.login(people["counselor"])
    page = client.get("/library/").text
    assert "The library is empty" in page
    assert "flask" not in page and "sync-library" not in page and "<code>" not in page
