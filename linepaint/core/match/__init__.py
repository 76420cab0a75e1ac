"""Matchers: given coloured reference frame(s) and a target frame, a colour per target region."""

from .base import Matcher, MatchResult, Reference, get_matcher

__all__ = ["MatchResult", "Matcher", "Reference", "get_matcher"]
