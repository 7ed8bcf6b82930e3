"""The company the profiles are about: its own documents, and the sections of them each position gets."""

from __future__ import annotations

from profilegen.company.choosing import EVERYONE, Chooser
from profilegen.company.documents import load_library
from profilegen.config import Settings
from profilegen.org.model import OrgStructure


def chooser_for(org: OrgStructure, settings: Settings) -> Chooser | None:
    """The run's section chooser (None when no document is configured); made once per org and settings."""
    paths = settings.documents
    if not paths:
        return None
    library = load_library(paths)  # read again only when a file changed
    context = settings.context
    key = ("company", library, context.budget_tokens, tuple(context.everyone or EVERYONE), repr(context.synonyms))
    if key not in org.memo:
        names = {path[-1] for path in org.units}
        org.memo[key] = Chooser(library, context.budget_tokens, context.everyone or EVERYONE, context.synonyms, names)
    chooser: Chooser = org.memo[key]
    return chooser
