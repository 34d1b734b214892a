"""The curators' admin, one module per area."""

from claims.admin import content, evidence, publications, refresh

__all__ = ["content", "evidence", "publications", "refresh"]
