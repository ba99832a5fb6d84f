from counsel.auth.passwords import hash_password, password_problem, verify_password


def test_hashes_are_argon2id_and_verify(app):
    hashed = hash_password("a perfectly fine password")
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, "a perfectly fine password")
    assert not verify_password(hashed, "a perfectly fine passwort")
    assert not verify_password(None, "anything at all")
    assert not verify_password("not-a-hash", "anything at all")


def test_password_rules():
    assert password_problem("correct horse battery") is None
    assert "at least 12" in password_problem("short")
    assert "at most 128" in password_problem("x" * 129)
    assert password_problem("ab cd é" + "é" * 121) is None, "length counts characters"
    assert "too common" in password_problem("Password1234")
    assert "too common" in password_problem("QwertyAsdfgh")
    assert "too common" in password_problem("robin@example.org", email="robin@example.org")
