"""Qt-free core of linepaint: image IO, segmentation, matching, propagation, project model."""
