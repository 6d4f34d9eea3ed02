# Load the guest's own (frozen or built-in) module that a /lib module of the
# same name shadows.
import sys


def load(name, frozen=True):
    saved = sys.path[:]
    me = sys.modules.pop(name, None)
    sys.path[:] = ['.frozen'] if frozen else []
    try:
        mod = __import__(name)
    finally:
        sys.path[:] = saved
        if me is not None:
            sys.modules[name] = me
    return mod
