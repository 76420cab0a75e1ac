"""linepaint: a painting assistant for animation colourists."""

__version__ = "0.1.0"
