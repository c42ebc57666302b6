"""Average lines per RPC in each served service's `handlers.py`, counted from the AST and the descriptors.

Two figures per service: the whole module (code lines — no blank lines, comments or docstrings —
over the contract's RPC count, so mapping helpers count too) and the RPC methods alone (the
servicer methods named after the contract's RPCs, same line rule). The served services are the
ones `services/app.py` finds an implementation for. Run: `.venv/bin/python scripts/handler_lines.py`.
"""

from __future__ import annotations

import ast
import importlib
import io
import pathlib
import sys
import tokenize

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from services.app import CONTRACTS, implemented  # noqa: E402  (the repository root is put on the path first)


def code_lines(source: str) -> set[int]:
    """Line numbers holding code: not blank, not only a comment, not part of a docstring."""
    lines: set[int] = set()
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT):
            continue
        if token.type == tokenize.ENDMARKER:
            continue
        lines.update(range(token.start[0], token.end[0] + 1))
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                lines.difference_update(range(first.lineno, (first.end_lineno or first.lineno) + 1))
    return lines


def rpc_names(name: str) -> list[str]:
    full_name, module = CONTRACTS[name]
    descriptor = importlib.import_module(module).DESCRIPTOR
    service = descriptor.services_by_name[full_name.rsplit(".", 1)[1]]
    return [method.name for method in service.methods]


def measure(name: str) -> tuple[int, int, float, float]:
    source = (ROOT / "services" / name / "handlers.py").read_text()
    lines = code_lines(source)
    rpcs = set(rpc_names(name))
    method_lines = 0
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in rpcs:
            span = range(node.lineno, (node.end_lineno or node.lineno) + 1)
            method_lines += len(lines.intersection(span))
    return len(rpcs), len(lines), len(lines) / len(rpcs), method_lines / len(rpcs)


def main() -> int:
    print(f"{'service':<10} {'rpcs':>5} {'lines':>6} {'module/rpc':>11} {'method/rpc':>11}")
    for name in CONTRACTS:
        if not implemented(name):
            continue
        rpcs, lines, per_rpc, per_method = measure(name)
        print(f"{name:<10} {rpcs:>5} {lines:>6} {per_rpc:>11.1f} {per_method:>11.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
