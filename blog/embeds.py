"""Embeds: a supported URL alone on its own line becomes a privacy-first facade.

Placeholder until the embeds work lands: URLs stay plain links.
"""


def expand_embeds(html: str) -> str:
    return html
