"""Public API of the directory package."""
from .client import lookup as find_person

__all__ = ["find_person"]
