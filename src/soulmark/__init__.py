"""soulmark: the soulmate mark, made real."""

__version__ = "0.1.0"
