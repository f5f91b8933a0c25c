"""What a service returns: a frozen dataclass whose JSON is its fields, as they are."""

from __future__ import annotations

from typing import Any

__all__ = ["Result"]


class Result:
    """Base of the services' result dataclasses (the web declares each as a model)."""

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)
