"""Concurrency Lens probe: watches a Python program's processes, threads and asyncio tasks.

Standard library only (Python 3.8+). The host hands over its endpoint through the environment
(CONCURRENCY_LENS_ADDRESS, CONCURRENCY_LENS_TOKEN); see docs/probe-protocol.md. The probe starts
in every Python process of the run through the ``sitecustomize`` next to this package (inherited
PYTHONPATH), follows ``fork`` with ``os.register_at_fork``, samples state from a background thread
and never blocks or changes the program.
"""
from ._probe import ENV_ADDRESS, ENV_TOKEN, current_probe, start

__all__ = ["ENV_ADDRESS", "ENV_TOKEN", "current_probe", "start"]
