# contextlib for airlock.
import sys


class _GeneratorCM:
    def __init__(self, func, args, kwds):
        self.gen = func(*args, **kwds)

    def __enter__(self):
        try:
            return next(self.gen)
        except StopIteration:
            raise RuntimeError("generator didn't yield")

    def __exit__(self, typ, value, tb):
        if typ is None:
            try:
                next(self.gen)
            except StopIteration:
                return False
            raise RuntimeError("generator didn't stop")
        if value is None:
            value = typ()
        try:
            self.gen.throw(value)
        except StopIteration as exc:
            return exc is not value
        except BaseException as exc:
            if exc is value:
                return False
            raise
        raise RuntimeError("generator didn't stop after throw()")

    def __call__(self, func):
        cm = self

        def inner(*a, **k):
            with cm.__class__.__new__(cm.__class__) if False else self._recreate():
                return func(*a, **k)
        return inner


def contextmanager(func):
    def helper(*args, **kwds):
        cm = _GeneratorCM(func, args, kwds)
        cm._recreate = lambda: _GeneratorCM(func, args, kwds)
        return cm
    return helper


class _AsyncGeneratorCM:
    def __init__(self, func, args, kwds):
        self.gen = func(*args, **kwds)

    async def __aenter__(self):
        return await self.gen.__anext__()

    async def __aexit__(self, typ, value, tb):
        return False


def asynccontextmanager(func):
    def helper(*args, **kwds):
        raise NotImplementedError('asynccontextmanager needs async generators, which MicroPython lacks; '
                                  'write a class with async __aenter__/__aexit__ instead')
    return helper


class suppress:
    def __init__(self, *exceptions):
        self._exceptions = exceptions

    def __enter__(self):
        pass

    def __exit__(self, exctype, excinst, exctb):
        return exctype is not None and issubclass(exctype, self._exceptions)


class closing:
    def __init__(self, thing):
        self.thing = thing

    def __enter__(self):
        return self.thing

    def __exit__(self, *exc_info):
        self.thing.close()


class nullcontext:
    def __init__(self, enter_result=None):
        self.enter_result = enter_result

    def __enter__(self):
        return self.enter_result

    def __exit__(self, *excinfo):
        pass

    async def __aenter__(self):
        return self.enter_result

    async def __aexit__(self, *excinfo):
        pass


class _Redirect:
    _stream = None

    def __init__(self, new_target):
        self._new_target = new_target
        self._old = []

    def __enter__(self):
        self._old.append(getattr(sys, self._stream))
        try:
            setattr(sys, self._stream, self._new_target)
        except (AttributeError, TypeError):
            raise NotImplementedError('redirect_%s is not supported here: MicroPython cannot replace sys.%s; '
                                      'pass file=... to print() instead' % (self._stream, self._stream))
        return self._new_target

    def __exit__(self, *a):
        setattr(sys, self._stream, self._old.pop())


class redirect_stdout(_Redirect):
    _stream = 'stdout'


class redirect_stderr(_Redirect):
    _stream = 'stderr'


class ExitStack:
    def __init__(self):
        self._cbs = []

    def __enter__(self):
        return self

    def enter_context(self, cm):
        r = cm.__enter__()
        self._cbs.append(cm.__exit__)
        return r

    def callback(self, fn, *a, **k):
        self._cbs.append(lambda *exc: fn(*a, **k))
        return fn

    def push(self, exit_fn):
        self._cbs.append(exit_fn)
        return exit_fn

    def close(self):
        self.__exit__(None, None, None)

    def __exit__(self, *exc):
        suppressed = False
        pending = exc
        while self._cbs:
            cb = self._cbs.pop()
            try:
                if cb(*pending):
                    suppressed = True
                    pending = (None, None, None)
            except BaseException as e:
                pending = (type(e), e, None)
                suppressed = False
        if pending[1] is not None and pending[1] is not exc[1]:
            raise pending[1]
        return suppressed


class AbstractContextManager:
    def __enter__(self):
        return self


class ContextDecorator:
    def __call__(self, func):
        def inner(*a, **k):
            with self:
                return func(*a, **k)
        return inner
