"""The one exception family users see: messages are sentences a colourist understands."""


class LinepaintError(Exception):
    """Base of every error linepaint reports to the user (CLI exit 2, GUI message)."""


class ImageReadError(LinepaintError):
    """A file could not be read as an image (corrupt, empty, not an image, too large)."""


class ClipError(LinepaintError):
    """A clip folder or frame sequence is not usable (no line/, no keyframe, size mismatch)."""


class ProjectError(LinepaintError):
    """A project file could not be opened or saved."""


class WeightsError(LinepaintError):
    """The learned engine's weights file is missing, damaged or of another network."""
