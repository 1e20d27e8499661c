"""The local spam classifier. Placeholder until the pipeline work lands."""


def learn(comment, *, is_spam: bool) -> None:
    """Train on a moderator's spam/ham decision."""


def score(text: str, *, urls: list[str] | None = None) -> float | None:
    return None
