"""The `--stages` load shape, for `locust -f loadtests/locustfile.py,loadtests/stages.py --stages ...`."""

from chatconform.load.shapes import StagesShape

__all__ = ["StagesShape"]
