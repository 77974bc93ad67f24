"""Starts the Concurrency Lens probe in every Python process of a monitored run.

The host puts this directory on PYTHONPATH, so child processes (multiprocessing spawn and
forkserver, subprocess running python) inherit it and start their own probe. Any other
``sitecustomize`` further down sys.path is then imported too, as if this one did not exist.
"""
import os
import sys


def _start_probe():
    if not os.environ.get("CONCURRENCY_LENS_ADDRESS"):
        return
    try:
        from concurrency_lens_probe import _hooks, _probe
    except Exception:
        return
    if sys.argv and sys.argv[0] == "-m":
        # ``python -m module``: argv names the module only once runpy has found it.
        def _wrap_runpy(runpy):
            original = runpy._run_module_as_main

            def _run_module_as_main(mod_name, alter_argv=True):
                if mod_name != "concurrency_lens_probe":  # that one starts the probe itself
                    _probe.start([mod_name] + sys.argv[1:])
                return original(mod_name, alter_argv)

            runpy._run_module_as_main = _run_module_as_main

        _hooks.when_imported("runpy", _wrap_runpy)
    else:
        _probe.start()


def _chain_next_sitecustomize():
    import importlib.machinery
    import importlib.util

    here = os.path.dirname(os.path.abspath(__file__))
    rest = [entry for entry in sys.path if os.path.abspath(entry or os.curdir) != here]
    spec = importlib.machinery.PathFinder.find_spec("sitecustomize", rest)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["sitecustomize"] = module
    spec.loader.exec_module(module)


try:
    _start_probe()
except Exception:
    pass
_chain_next_sitecustomize()
