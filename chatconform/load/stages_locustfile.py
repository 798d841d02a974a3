"""Add to `-f` (after the main locustfile) to shape a run with `--stages`."""

from chatconform.load.shapes import StagesShape

__all__ = ["StagesShape"]
