"""Errors the gate reports to the user (exit code 2), never as a traceback."""

from __future__ import annotations


class GateInputError(Exception):
    """Bad input: the file, the place in it, and what is wrong."""

    def __init__(self, source: str, problem: str) -> None:
        super().__init__(f"{source}: {problem}")
        self.source = source
        self.problem = problem
