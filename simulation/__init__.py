"""NerveSim: an illustrative, not clinically validated, agent-based model of nerve repair."""

from simulation._version import ILLUSTRATIVE_LABEL, __version__
from simulation.fields import FieldSet, FieldSpec

__all__ = ["ILLUSTRATIVE_LABEL", "FieldSet", "FieldSpec", "__version__"]
