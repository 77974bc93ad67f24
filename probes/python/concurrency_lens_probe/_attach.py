"""Starting the probe in a process that is already running ("Attach Monitor to Process…").

The host makes the process's main thread run a small bootstrap (with gdb, in a moment when that
thread waits: see src/core/attach/attachPython.ts) that puts this package on ``sys.path`` and
calls ``attach`` with the endpoint. Everything the program started before is found from here:
threads by the samples as always, running event loops in the threads' stacks. Children started
later inherit the endpoint and PYTHONPATH and start their own probe, as in a monitored run.
The outcome is written to a file the host reads; nothing is ever raised into the program."""
import os

from . import _probe, _tasks
from ._transport import ENV_ADDRESS, ENV_TOKEN

ATTACHED = "attached"
ALREADY_MONITORED = "already-monitored"


def attach(settings):
    """``settings``: {"env": the endpoint's variables, "pythonRoot": this package's folder,
    "result": the file that gets the outcome}."""
    try:
        outcome = _attach(settings)
    except BaseException as error:  # the program must never see the probe fail
        outcome = "failed: %s: %s" % (type(error).__name__, error)
    try:
        with open(settings["result"], "w") as result:
            result.write(outcome)
    except (OSError, KeyError, TypeError):
        pass


def _attach(settings):
    if _probe.current_probe() is not None:
        return ALREADY_MONITORED
    env = settings["env"]
    if not env.get(ENV_ADDRESS) or not env.get(ENV_TOKEN):
        return "failed: no endpoint"
    os.environ.update(env)
    root = settings["pythonRoot"]
    os.environ["PYTHONPATH"] = os.pathsep.join([root] + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else []))
    probe = _probe.start()
    if probe is None:
        return "failed: the probe did not start"
    for loop, ident in _tasks.running_loops():
        probe.loop_running(loop, ident)
    return ATTACHED
