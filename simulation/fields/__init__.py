"""The tissue field engine: named 2-D fields with implicit diffusion, decay and sources."""

from simulation.fields.fieldset import EDGES, FieldSet, FieldSpec

__all__ = ["EDGES", "FieldSet", "FieldSpec"]
