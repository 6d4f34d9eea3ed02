# boot.py - installed once into the start-up snapshot of every sandbox.
#
# _airlock_run(src, name) runs one execution (name: the file name tracebacks show): it compiles the source as a module
# body in __main__'s namespace and, when the last top-level statement is an
# expression, keeps that expression's value so it can be shown, like a
# notebook cell. It answers with a short tagged string:
#   "N"          no value to show
#   "R<repr>"    repr() of the last expression's value
#   "X<int>"     SystemExit with an integer (or no) code
#   "S<text>"    SystemExit with any other code (printed, exit status 1)
# Any other exception propagates to the host unchanged.
#
# With op (src/values.c), it hands the embedder's values over instead:
# _airlock_run(name, data, op) answers _airlock_host._value(op, name, data,
# ...), which the host installs as _airlock_hook[0] when it imports the host
# side (src/plugins/boot.c). _airlock_hook[1] keeps the last expression's
# value for op 'r'.
#
# The host keeps a reference to the function and removes the name from
# __main__, so guest code cannot find or replace it; the builtins it needs are
# bound as defaults for the same reason.

# The source arrives rewritten: the host's source rewriter
# (src/guests/micropython/rewrite.c) turns CPython idioms MicroPython cannot
# run into calls that can before the source is copied in.
_airlock_hook = [None, None]


def _airlock_run(src, name, op=None, _compile=compile, _exec=exec, _repr=repr, _str=str, _int=int,
                 _isinstance=isinstance, _SE=SyntaxError, _SX=SystemExit, _g=globals(),
                 _hook=_airlock_hook):
    if op is not None:
        return _hook[0](op, src, name, _g, _hook[1])
    _hook[1] = None
    try:
        lines = src.split("\n")
        # The last statement starts on the last line at column 0 whose
        # preceding lines compile on their own (a line like "x)" that ends a
        # call is no such start: the lines before it do not compile). When
        # that statement compiles as the right-hand side of an assignment it
        # is an expression, and its value is kept. The lines stay in place, so
        # line numbers in tracebacks stay right. A few candidates are tried.
        code = None
        i = len(lines)
        tries = 0
        while code is None and tries < 4:
            i -= 1
            while i >= 0:
                s = lines[i]
                if s and s[0] not in " \t#)]}" and not s.startswith(("else", "elif", "except", "finally", "@")):
                    break
                i -= 1
            if i < 0:
                break
            tries += 1
            head = "\n".join(lines[:i])
            try:
                _compile(head, name, "exec")
            except _SE:
                continue
            try:
                code = _compile(head + ("\n" if i else "") + "__airlock_last = (" + "\n".join(lines[i:]) + "\n)",
                                name, "exec")
            except _SE:
                break
        if code is None:
            _exec(_compile(src, name, "exec"), _g)
            return "N"
        _exec(code, _g)
        value = _hook[1] = _g.pop("__airlock_last")
        return "N" if value is None else "R" + _repr(value)
    except _SX as e:
        c = e.args[0] if e.args else None
        if c is None:
            return "X0"
        if _isinstance(c, _int):
            return "X" + _str(c)
        return "S" + _str(c)
