"""The Pydantic models that the SDK helpers turn into schemas: the shapes cases.json asks for."""

from __future__ import annotations

from pydantic import BaseModel


class Person(BaseModel):
    """cases.json `structured.schema`: what the structured-output prompt describes."""

    name: str
    age: int


class Place(BaseModel):
    """The keys the JSON-mode prompt names: `city` and `country`."""

    city: str
    country: str
