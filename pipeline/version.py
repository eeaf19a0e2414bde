"""The pipeline version recorded on every verdict; bump it when a stage's output can change.

Cached stage outputs are keyed by this version, so a bump invalidates them.
"""

PIPELINE_VERSION = "0.10.0"
