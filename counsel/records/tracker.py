"""The tracker exercise's records. (Being built.)"""


def context(assignment, **given) -> dict:
    return {}
