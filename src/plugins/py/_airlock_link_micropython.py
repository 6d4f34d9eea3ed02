# _airlock_link (MicroPython) - the transport under _airlock_host: the js
# bridge's host callable, which the host answers only while the host
# modules are installed (src/plugins/boot.c). call(request) takes the
# encoded call (src/plugins/codec.h) and answers a scalar or a tagged str;
# loads is the interpreter's C json parser, even when /lib shadows json.
import js
import sys
call = js._airlock_host_call
del js


def _c_json_loads():
    saved = sys.path[:]
    mine = sys.modules.pop('json', None)
    sys.path[:] = []
    try:
        return __import__('json').loads
    finally:
        sys.path[:] = saved
        if mine is not None:
            sys.modules['json'] = mine
        else:
            sys.modules.pop('json', None)


loads = _c_json_loads()
del _c_json_loads, sys
