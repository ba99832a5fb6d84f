"""What a client records on the guide's structured exercises, beside the text answers every
assignment keeps: the no-contact tracker's days, a quality-time plan's items, commitments
with their follow-ups, and memory journal entries (models/work_records.py).

One module per kind holds its rules (plain functions of actor, object and data that flush,
audit and raise ``assignments.operations.WorkRefused``; views commit) and ``context``, what
the pages show of it: the client's work page (``portal/records/<kind>.html``) and the
counselor's assignment and review pages (``assignments/records/<kind>.html``)."""

from . import commitment, journal, plan, tracker

CONTEXTS = {"tracker": tracker.context, "plan": plan.context,
            "commitment": commitment.context, "journal": journal.context}


def context(assignment, **given) -> dict:
    """What the pages show of ``assignment``'s records ({} for a reflection or a letter).
    ``given`` carries a refused form back to the page, with what the client typed."""
    load = CONTEXTS.get(assignment.kind)
    return load(assignment, **given) if load else {}
