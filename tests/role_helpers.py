"""Helpers shared by the role-wording test modules."""

from __future__ import annotations

from typing import Any


def roles_of(actors_nlp: Any, text: str) -> dict[str, set[str]]:
    """Actor name -> its roles (weak ones too)."""
    return {r["name"]: {x["role"] for x in r["roles"]} for r in actors_nlp(text)._.actors}
