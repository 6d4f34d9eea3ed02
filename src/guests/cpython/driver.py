# driver.py - the CPython guest's driver (src/guests/cpython/guest.c).
#
# Run once when a sandbox's interpreter has started; every execution then
# runs `__airlock_run__()`. The host puts the execution's source and the
# file name its tracebacks show at /.airlock/in/ (read-only), and reads the
# answer back from /.airlock/out/answer, tagged as src/guests/guest.h says:
#   N             no value to show
#   R<repr>       repr() of the last statement's value, when it is an expression
#   X<int>        SystemExit with an integer (or no) code
#   S<text>       SystemExit with any other code
#   E<Type>\x04<traceback>   any other exception
# The source is compiled as a module body in __main__'s namespace, like a
# notebook cell; the driver's own frame never shows in a traceback.
# `__airlock_value__(op)` answers a value operation of the embedder the same
# way (_airlock_host._value's answer, untagged).


def _airlock_install():
    import _ast
    import builtins
    import sys

    main = sys.modules["__main__"].__dict__
    # [0]: _airlock_host._value, set by the host modules' install (plugins/boot.c),
    # which runs after this and deletes the name; [1]: the last execution's value
    hook = main["_airlock_hook"] = [None, None]
    only_ast = 0x400  # ast.PyCF_ONLY_AST, without importing ast
    result_cap = 1 << 20  # guest.h's GUEST_RESULT_CAP, in characters
    error_cap = 60000  # a traceback's characters kept (both ends)

    def read(name):
        with open("/.airlock/in/" + name, "rb") as f:
            return f.read()

    def write(answer, errors="backslashreplace"):
        with open("/.airlock/out/answer", "w", encoding="utf-8", errors=errors) as f:
            f.write(answer)

    def type_name(t):
        module = t.__module__
        return t.__qualname__ if module in ("builtins", "__main__") else module + "." + t.__qualname__

    def ends(text):
        if len(text) <= error_cap:
            return text
        head = text.rfind("\n", 0, error_cap // 2) + 1
        tail = text.find("\n", len(text) - error_cap // 2) + 1
        return text[:head] + "  ...\n" + text[tail:]

    def bare(e, name, tb):
        # CPython's own layout, frames and last line only: for a stop, whose
        # grace period must not go to importing traceback (compiled from the
        # zip, about a second the first time), and when memory ran out
        lines = ["Traceback (most recent call last):\n"] if tb else []
        while tb:
            code = tb.tb_frame.f_code
            lines.append('  File "%s", line %s, in %s\n' % (code.co_filename, tb.tb_lineno, code.co_name))
            tb = tb.tb_next
        text = str(e)
        return "".join(lines) + name + (": " + text if text else "") + "\n"

    def describe(e):
        name = type_name(type(e))
        tb = e.__traceback__.tb_next if e.__traceback__ else None  # skip run()'s frame
        text = None
        if not isinstance(e, KeyboardInterrupt):
            try:
                import traceback

                text = "".join(traceback.format_exception(type(e), e, tb))
            except BaseException:
                pass
        return name + "\x04" + ends(text if text is not None else bare(e, name, tb))

    def run():
        hook[1] = None
        try:
            name = read("name").decode()
            tree = compile(read("source"), name, "exec", only_ast)
            last = None
            if tree.body and isinstance(tree.body[-1], _ast.Expr):
                last = _ast.Expression(tree.body.pop().value)
            exec(compile(tree, name, "exec"), main)
            value = None if last is None else eval(compile(last, name, "eval"), main)
            hook[1] = value
            answer = "N" if value is None else "R" + repr(value)[:result_cap]
        except SystemExit as e:
            code = e.code
            if code is None:
                answer = "X0"
            elif isinstance(code, int):
                answer = "X%d" % code
            else:
                answer = "S" + str(code)
        except BaseException as e:
            answer = "E" + describe(e)
        write(answer)

    def value(op):
        # the embedder's values (src/values.c): op 's', 'g' or 'r', the
        # global's name in "name", the encoded value to set in "source"
        # (a lone surrogate crosses as what it is, and the host's UTF-8 check refuses it)
        answer = hook[0](op, read("name").decode(), read("source").decode(), main, hook[1])
        try:
            write(answer, "surrogatepass")
        except OSError:  # larger than the answer's room (guest.c's OUT_BYTES)
            write("EValueError\nthe value is too large to cross (%d characters encoded)" % len(answer))

    class NoForeignCalls:
        # Pyodide's ctypes calls through libffi's JavaScript half, which
        # airlock does not have (sys.c refuses it): _ctypes' own start-up
        # fails with a bare MemoryError, which would read as the memory limit
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name == "_ctypes":
                raise ImportError("ctypes is not available in airlock's CPython: no foreign function calls", name=name)
            return None

    sys.meta_path.insert(0, NoForeignCalls)
    builtins.__airlock_run__ = run
    builtins.__airlock_value__ = value
    value.hook = hook  # for a runtime installing other host modules over the image's (guest.c)


_airlock_install()
del _airlock_install
