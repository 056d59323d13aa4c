"""The two ways a shapes graph can stop the SPARQL compiler.

ShapesError: the shapes graph is ill-formed (SHACL section 2, "well-formed
shapes"; SHACL-SPARQL 5.2 and 6.2 for the SPARQL text), so no engine may
validate with it and the caller gets the error.

Uncompilable: the shape is fine but this compiler cannot express it in SPARQL
(a blank node where a constant is needed, a recursive shape, $shapesGraph).
The engine then validates that shape with pySHACL and says so in the report;
the exception never reaches the caller.
"""

from __future__ import annotations

from rdflib.term import Node


class ShapesError(ValueError):
    """The shapes graph is not well-formed SHACL; ``node`` is the shape or constraint at fault."""

    def __init__(self, message: str, node: Node | None = None):
        super().__init__(message if node is None else f"{message} (at {node.n3()})")
        self.node = node


class Uncompilable(Exception):
    """A shape uses something the SPARQL compiler does not translate; the message says what."""


class UnsupportedShapes(ShapesError):
    """Neither the compiler nor pySHACL can validate a shape; the message says which and why."""
