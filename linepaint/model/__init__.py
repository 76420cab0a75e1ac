"""The learned segment matcher (DESIGN §4): features, network, training and weights.

Imports torch; the core imports this package lazily, only when the learned engine runs.
"""
