"""The page that hands back text after a sign-out: each piece under the label it had on
the form (a work page's prompts; a counselor form's field labels), and it says plainly
that signing in again brings the text back."""

import re

from counsel.extensions import db

from ..factories import AssignmentFactory


def labels(html: str) -> list[str]:
    return [re.sub(r"\s+", " ", label).strip()
            for label in re.findall(r'<label for="rescued-\d+">(.*?)</label>', html, re.S)]


def test_a_signed_out_work_page_save_labels_answers_with_their_prompts(client, people):
    work = AssignmentFactory(client=people["alex"])
    db.session.commit()
    response = client.post(f"/my/assignments/{work.id}", data={
        "answers-0": "What I did was wrong.", "answers-1": "I will call less.",
        "prompt-0": "What happened?", "prompt-1": "What now?", "base_version": "0",
        "action": "save"})
    assert response.status_code == 401
    assert labels(response.text) == ["1. What happened?", "2. What now?"]
    assert "Answers 0" not in response.text and "copy it, " not in response.text.lower()
    assert "Sign in again and your writing will be back in the boxes" in response.text
    assert f'href="/sign-in?next=/my/assignments/{work.id}"' in response.text
    assert f'data-rescue-form="/my/assignments/{work.id}"' in response.text
    assert "js/rescue.js" in response.text


def test_a_signed_out_counselor_form_labels_fields_as_the_form_does(client, people):
    alex = people["alex"]
    work = AssignmentFactory(client=alex)
    db.session.commit()
    comment = client.post(f"/assignments/{work.id}/revisions/1/send", data={
        "overall_comment": "A thoughtful letter.", "decision": "accept"})
    assert comment.status_code == 401
    assert labels(comment.text) == ["Overall comment", "Decision"]
    new = client.post("/library/new", data={"title": "Letters", "purpose": "To write it down",
                                            "prompts-0-text": "Who is it for?"})
    assert labels(new.text) == ["Title", "Purpose", "Prompt 1"]
    assert "Sign in again and open the same page" in new.text
