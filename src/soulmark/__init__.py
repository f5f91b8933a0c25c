"""soulmark: the soulmate mark, made real."""

from importlib.metadata import PackageNotFoundError, version

try:
    # One place holds the version: pyproject.toml, as installed.
    __version__ = version("soulmark")
except PackageNotFoundError:  # a source tree that was never installed
    __version__ = "0+unknown"
