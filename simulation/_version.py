"""Package version and the label every surface carries."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nervesim")
except PackageNotFoundError:  # running from a source tree without installing
    __version__ = "0.0.0+source"

ILLUSTRATIVE_LABEL = (
    "ILLUSTRATIVE TEACHING MODEL - not clinically validated, not medical advice. "
    "Trends are qualitative."
)
