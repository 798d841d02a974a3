"""Compare a value with its syrupy snapshot and get the stored value back, to name the paths that differ.

syrupy answers `snapshot == value` with a bool and keeps the stored text (its
amber serialisation) in the assertion's last result. Amber writes plain data
as Python-like calls (`dict({'k': list([...])})`); `read_amber` reads that
back with `ast`, accepting only literals and the container calls, never
evaluating code. syrupy has no public reader for it, hence these few lines.
"""

from __future__ import annotations

import ast
from typing import Any

CONTAINERS = {"dict": dict, "list": list, "tuple": tuple, "set": set, "frozenset": frozenset}
UNREADABLE: Any = object()  # the stored text is not plain data (or there is none)


def compare(snapshot: Any, value: Any) -> tuple[bool, Any]:
    """(matched, the stored value or UNREADABLE); `snapshot` is syrupy's fixture. With --snapshot-update
    syrupy writes the new value and reports a match."""
    if snapshot == value:
        return True, None
    executions = getattr(snapshot, "executions", {})
    result = executions.get(snapshot.num_executions - 1) if executions else None
    stored = getattr(result, "recalled_data", None)
    if not isinstance(stored, str):
        return False, UNREADABLE
    try:
        return False, read_amber(stored)
    except ValueError:
        return False, UNREADABLE


def read_amber(text: str) -> Any:
    """The plain data an amber snapshot holds; ValueError for anything else."""
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ValueError(f"not an amber value: {exc}") from None
    return _value(tree.body)


def _value(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub) and isinstance(node.operand, ast.Constant):
        number = node.operand.value
        if isinstance(number, int | float) and not isinstance(number, bool):
            return -number
    if isinstance(node, ast.Dict):
        if any(k is None for k in node.keys):
            raise ValueError("a ** expansion in an amber dict")
        return {_value(k): _value(v) for k, v in zip(node.keys, node.values, strict=True) if k is not None}
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return [_value(e) for e in node.elts]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in CONTAINERS:
        if node.keywords or len(node.args) > 1:
            raise ValueError(f"an amber {node.func.id}() with unexpected arguments")
        inner = _value(node.args[0]) if node.args else CONTAINERS[node.func.id]()
        return dict(inner) if node.func.id == "dict" else list(inner)
    raise ValueError(f"not plain data in an amber snapshot: {ast.dump(node)[:80]}")
