"""Runs a callback right after a module is imported, without importing it ahead of the program."""
import sys


class _HookedLoader:
    """Delegates to the real loader and calls the hooks once the module has executed."""

    def __init__(self, loader, hooks):
        self._loader = loader
        self._hooks = hooks

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        for hook in self._hooks:
            _run_hook(hook, module)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _PostImportFinder:
    """A meta path finder that finds nothing itself: it wraps the loader of watched modules."""

    def __init__(self):
        self.hooks = {}

    def find_spec(self, name, path=None, target=None):
        hooks = self.hooks.pop(name, None)
        if hooks is None:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(name, path, target)
            if spec is not None:
                if spec.loader is not None and hasattr(spec.loader, "exec_module"):
                    spec.loader = _HookedLoader(spec.loader, hooks)
                return spec
        return None


_finder = _PostImportFinder()


def when_imported(name, hook):
    """Calls ``hook(module)`` now if ``name`` is already imported, else right after its import
    (hooks on the same module run in the order they were given)."""
    module = sys.modules.get(name)
    if module is not None:
        _run_hook(hook, module)
        return
    _finder.hooks.setdefault(name, []).append(hook)
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)


def _run_hook(hook, module):
    try:
        hook(module)
    except Exception:  # a probe bug must never break the program's import
        pass
