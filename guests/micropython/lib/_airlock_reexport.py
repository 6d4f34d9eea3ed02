# Copy the public names of the guest's built-in module into a /lib module
# that extends it.
import _airlock_orig


def into(g, name, frozen=False):
    mod = _airlock_orig.load(name, frozen)
    for k in dir(mod):
        if not k.startswith('__'):
            g[k] = getattr(mod, k)
    return mod
