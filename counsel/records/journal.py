"""The journal exercise's records. (Being built.)"""


def context(assignment, **given) -> dict:
    return {}
