"""``python -m concurrency_lens_probe script.py args…``: runs the script as ``__main__`` under the
probe, exactly as ``python script.py args…`` would (argv, sys.path[0], exit code, traceback)."""
import os
import runpy
import sys

from . import _probe


def _main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: python -m concurrency_lens_probe script.py [args...]\n")
        return 2
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    sys.path[0] = os.path.dirname(os.path.abspath(script))
    probe = _probe.start(list(sys.argv))
    try:
        runpy.run_path(script, run_name="__main__")
    except SystemExit as exit_request:
        if probe is not None:
            probe.exit_code = _exit_code(exit_request.code)
        raise
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # noqa: B902 - report it exactly as Python would, then exit 1
        if probe is not None:
            probe.exit_code = 1
        tb = error.__traceback__
        # Drop this module's and runpy's frames: the traceback starts in the script, as without us.
        while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename) != os.path.abspath(script):
            tb = tb.tb_next
        tb = tb or error.__traceback__
        error.__traceback__ = tb  # newer Pythons print the exception's own traceback
        sys.excepthook(type(error), error, tb)
        return 1
    if probe is not None:
        probe.exit_code = 0
    return 0


def _exit_code(code):
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    return 1


sys.exit(_main())
