# asyncio for airlock: a small synchronous event loop. Everything runs inside
# the sandbox's one thread; waiting for timers goes through
# _airlock_site._sleep (a real, deadline-bounded wait provided by the host).
import time as _time

try:
    _TimeoutError = TimeoutError
except NameError:
    class _TimeoutError(Exception):
        pass
TimeoutError = _TimeoutError


class CancelledError(BaseException):
    pass


class InvalidStateError(Exception):
    pass


class QueueEmpty(Exception):
    pass


class QueueFull(Exception):
    pass


def _now():
    return _time.ticks_ms() / 1000.0 if hasattr(_time, 'ticks_ms') else _time.time()


def _wait(seconds):
    import _airlock_site
    _airlock_site._sleep(seconds)


_PENDING, _DONE, _CANCELLED = 0, 1, 2


class Future:
    def __init__(self, loop=None):
        self._loop = loop or get_event_loop()
        self._state = _PENDING
        self._result = None
        self._exc = None
        self._callbacks = []

    def done(self):
        return self._state != _PENDING

    def cancelled(self):
        return self._state == _CANCELLED

    def result(self):
        if self._state == _CANCELLED:
            raise CancelledError()
        if self._state == _PENDING:
            raise InvalidStateError('Result is not set.')
        if self._exc is not None:
            raise self._exc
        return self._result

    def exception(self):
        if self._state == _CANCELLED:
            raise CancelledError()
        if self._state == _PENDING:
            raise InvalidStateError('Exception is not set.')
        return self._exc

    def set_result(self, value):
        if self._state != _PENDING:
            raise InvalidStateError('invalid state')
        self._result = value
        self._state = _DONE
        self._fire()

    def set_exception(self, exc):
        if self._state != _PENDING:
            raise InvalidStateError('invalid state')
        if isinstance(exc, type):
            exc = exc()
        self._exc = exc
        self._state = _DONE
        self._fire()

    def cancel(self, msg=None):
        if self._state != _PENDING:
            return False
        self._state = _CANCELLED
        self._fire()
        return True

    def add_done_callback(self, fn, *, context=None):
        if self._state != _PENDING:
            self._loop.call_soon(fn, self)
        else:
            self._callbacks.append(fn)

    def remove_done_callback(self, fn):
        n = len(self._callbacks)
        self._callbacks = [c for c in self._callbacks if c != fn]
        return n - len(self._callbacks)

    def _fire(self):
        cbs, self._callbacks = self._callbacks, []
        for cb in cbs:
            self._loop.call_soon(cb, self)

    def __iter__(self):
        if self._state == _PENDING:
            yield self
        return self.result()

    __await__ = __iter__

    def get_loop(self):
        return self._loop


class Task(Future):
    _count = 0

    def __init__(self, coro, loop=None, name=None):
        Future.__init__(self, loop)
        self._coro = coro
        Task._count += 1
        self._name = name or 'Task-%d' % Task._count
        self._must_cancel = False
        self._waiting = None
        self._loop.call_soon(self._step)

    def get_name(self):
        return self._name

    def set_name(self, name):
        self._name = name

    def get_coro(self):
        return self._coro

    def cancel(self, msg=None):
        if self.done():
            return False
        self._must_cancel = True
        w = self._waiting
        if w is not None:
            self._waiting = None
            w.cancel() if isinstance(w, Task) else None
            if isinstance(w, Future):
                w.remove_done_callback(self._wake)
            self._loop.call_soon(self._step)
        return True

    def _wake(self, fut):
        if self._waiting is fut:
            self._waiting = None
            self._step()

    def _step(self, *ignored):
        if self.done():
            return
        loop = self._loop
        prev = loop._current
        loop._current = self
        try:
            if self._must_cancel:
                self._must_cancel = False
                y = self._coro.throw(CancelledError())
            else:
                y = self._coro.send(None)
        except StopIteration as e:
            Future.set_result(self, e.value if hasattr(e, 'value') else (e.args[0] if e.args else None))
            return
        except CancelledError:
            Future.cancel(self)
            return
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException as e:
            Future.set_exception(self, e)
            return
        finally:
            loop._current = prev
        if isinstance(y, Future):
            if y.done():
                loop.call_soon(self._step)
            else:
                self._waiting = y
                y.add_done_callback(self._wake)
        else:
            loop.call_soon(self._step)

    def __repr__(self):
        return '<Task %s>' % self._name


class Handle:
    def __init__(self, fn, args):
        self._fn = fn
        self._args = args
        self._cancelled = False

    def cancel(self):
        self._cancelled = True

    def cancelled(self):
        return self._cancelled


class AbstractEventLoop:
    pass


class _Loop(AbstractEventLoop):
    def __init__(self):
        self._ready = []
        self._timers = []
        self._seq = 0
        self._current = None
        self._closed = False
        self._running = False

    def time(self):
        return _now()

    def call_soon(self, fn, *args, context=None):
        h = Handle(fn, args)
        self._ready.append(h)
        return h

    def call_later(self, delay, fn, *args, context=None):
        return self.call_at(_now() + delay, fn, *args)

    def call_at(self, when, fn, *args, context=None):
        import heapq
        h = Handle(fn, args)
        self._seq += 1
        heapq.heappush(self._timers, (when, self._seq, h))
        return h

    def create_future(self):
        return Future(self)

    def create_task(self, coro, *, name=None, context=None):
        if isinstance(coro, Future):
            return coro
        return Task(coro, self, name)

    def _run_once(self):
        import heapq
        if not self._ready and self._timers:
            when = self._timers[0][0]
            delay = when - _now()
            if delay > 0:
                _wait(delay)
        now = _now()
        while self._timers and self._timers[0][0] <= now + 0.0005:
            h = heapq.heappop(self._timers)[2]
            self._ready.append(h)
        batch, self._ready = self._ready, []
        for h in batch:
            if not h._cancelled:
                h._fn(*h._args)

    def run_until_complete(self, aw):
        fut = ensure_future(aw, loop=self)
        self._running = True
        global _running_loop
        prev = _running_loop
        _running_loop = self
        try:
            while not fut.done():
                if not self._ready and not self._timers:
                    raise RuntimeError('Event loop stopped before Future completed (deadlock: every task is waiting).')
                self._run_once()
        finally:
            self._running = False
            _running_loop = prev
        return fut.result()

    def run_forever(self):
        raise RuntimeError('run_forever() is not supported in airlock; use asyncio.run(main())')

    def is_running(self):
        return self._running

    def is_closed(self):
        return self._closed

    def close(self):
        self._closed = True

    def stop(self):
        pass

    def run_in_executor(self, executor, fn, *args):
        f = Future(self)
        try:
            f.set_result(fn(*args))
        except Exception as e:
            f.set_exception(e)
        return f

    def shutdown_asyncgens(self):
        return sleep(0)


_loop = None
_running_loop = None


def get_event_loop():
    global _loop
    if _running_loop is not None:
        return _running_loop
    if _loop is None or _loop._closed:
        _loop = _Loop()
    return _loop


def get_running_loop():
    if _running_loop is None:
        raise RuntimeError('no running event loop')
    return _running_loop


def new_event_loop():
    return _Loop()


def set_event_loop(loop):
    global _loop
    _loop = loop


def iscoroutine(obj):
    return type(obj).__name__ == 'generator'


def iscoroutinefunction(f):
    return False


def ensure_future(aw, *, loop=None):
    if isinstance(aw, Future):
        return aw
    loop = loop or get_event_loop()
    if hasattr(aw, 'send'):
        return loop.create_task(aw)
    if hasattr(aw, '__await__') or hasattr(aw, '__iter__'):
        async def w():
            return await aw
        return loop.create_task(w())
    raise TypeError('An asyncio.Future, a coroutine or an awaitable is required')


def run(main, *, debug=None):
    if _running_loop is not None:
        raise RuntimeError('asyncio.run() cannot be called from a running event loop')
    if not hasattr(main, 'send'):
        raise ValueError('a coroutine was expected, got %r' % (main,))
    loop = new_event_loop()
    set_event_loop(loop)
    try:
        return loop.run_until_complete(main)
    finally:
        loop.close()


def create_task(coro, *, name=None, context=None):
    return get_running_loop().create_task(coro, name=name)


def current_task(loop=None):
    return get_event_loop()._current


def all_tasks(loop=None):
    return set()


class _Sleep0:
    def __iter__(self):
        yield None

    __await__ = __iter__


async def sleep(delay, result=None):
    if delay <= 0:
        await _Sleep0()
        return result
    loop = get_event_loop()
    f = loop.create_future()
    h = loop.call_later(delay, lambda: f.done() or f.set_result(result))
    try:
        return await f
    finally:
        h.cancel()


def sleep_ms(ms):
    return sleep(ms / 1000)


def gather(*aws, return_exceptions=False):
    loop = get_event_loop()
    futs = [ensure_future(a, loop=loop) for a in aws]
    out = loop.create_future()
    if not futs:
        out.set_result([])
        return out
    left = [len(futs)]

    def done(f):
        if out.done():
            return
        if not return_exceptions:
            if f.cancelled():
                out.set_exception(CancelledError())
                return
            if f._exc is not None:
                out.set_exception(f._exc)
                return
        left[0] -= 1
        if left[0] == 0:
            res = []
            for g in futs:
                if g.cancelled():
                    res.append(CancelledError())
                elif g._exc is not None:
                    res.append(g._exc)
                else:
                    res.append(g._result)
            out.set_result(res)
    for f in futs:
        f.add_done_callback(done)
    return out


async def wait_for(aw, timeout):
    loop = get_event_loop()
    fut = ensure_future(aw, loop=loop)
    if timeout is None:
        return await fut
    if fut.done():
        return fut.result()
    waiter = loop.create_future()
    h = loop.call_later(timeout, lambda: waiter.done() or waiter.set_result(False))
    fut.add_done_callback(lambda f: waiter.done() or waiter.set_result(True))
    try:
        await waiter
    finally:
        h.cancel()
    if fut.done():
        return fut.result()
    fut.cancel()
    raise TimeoutError()


def wait_for_ms(aw, timeout):
    return wait_for(aw, timeout / 1000)


FIRST_COMPLETED = 'FIRST_COMPLETED'
FIRST_EXCEPTION = 'FIRST_EXCEPTION'
ALL_COMPLETED = 'ALL_COMPLETED'


async def wait(aws, *, timeout=None, return_when=ALL_COMPLETED):
    loop = get_event_loop()
    futs = set(ensure_future(a, loop=loop) for a in aws)
    waiter = loop.create_future()

    def check(_=None):
        if waiter.done():
            return
        done = [f for f in futs if f.done()]
        if return_when == FIRST_COMPLETED and done:
            waiter.set_result(None)
        elif return_when == FIRST_EXCEPTION and any(f._exc is not None for f in done):
            waiter.set_result(None)
        elif len(done) == len(futs):
            waiter.set_result(None)
    for f in futs:
        f.add_done_callback(check)
    h = None
    if timeout is not None:
        h = loop.call_later(timeout, lambda: waiter.done() or waiter.set_result(None))
    check()
    await waiter
    if h:
        h.cancel()
    done = set(f for f in futs if f.done())
    return done, futs - done


def as_completed(aws, *, timeout=None):
    loop = get_event_loop()
    futs = [ensure_future(a, loop=loop) for a in aws]
    q = Queue()
    for f in futs:
        f.add_done_callback(q.put_nowait)

    async def one():
        f = await q.get()
        return f.result()
    return [one() for _ in futs]


def shield(aw):
    return ensure_future(aw)


async def to_thread(func, *args, **kwargs):
    return func(*args, **kwargs)


class timeout:
    def __init__(self, delay):
        self._delay = delay

    async def __aenter__(self):
        if self._delay is not None:
            task = current_task()
            self._h = get_event_loop().call_later(self._delay, task.cancel)
        return self

    async def __aexit__(self, et, e, tb):
        if self._delay is not None:
            self._h.cancel()
        if et is CancelledError:
            raise TimeoutError()
        return False


class Event:
    def __init__(self):
        self._set = False
        self._waiters = []

    def is_set(self):
        return self._set

    def set(self):
        self._set = True
        ws, self._waiters = self._waiters, []
        for f in ws:
            if not f.done():
                f.set_result(True)

    def clear(self):
        self._set = False

    async def wait(self):
        if self._set:
            return True
        f = get_event_loop().create_future()
        self._waiters.append(f)
        await f
        return True


class Lock:
    def __init__(self):
        self._locked = False
        self._waiters = []

    def locked(self):
        return self._locked

    async def acquire(self):
        while self._locked:
            f = get_event_loop().create_future()
            self._waiters.append(f)
            await f
        self._locked = True
        return True

    def release(self):
        if not self._locked:
            raise RuntimeError('Lock is not acquired.')
        self._locked = False
        while self._waiters:
            f = self._waiters.pop(0)
            if not f.done():
                f.set_result(True)
                break

    async def __aenter__(self):
        await self.acquire()
        return None

    async def __aexit__(self, *a):
        self.release()


class Semaphore:
    def __init__(self, value=1):
        if value < 0:
            raise ValueError('Semaphore initial value must be >= 0')
        self._value = value
        self._waiters = []

    def locked(self):
        return self._value == 0

    async def acquire(self):
        while self._value <= 0:
            f = get_event_loop().create_future()
            self._waiters.append(f)
            await f
        self._value -= 1
        return True

    def release(self):
        self._value += 1
        while self._waiters:
            f = self._waiters.pop(0)
            if not f.done():
                f.set_result(True)
                break

    async def __aenter__(self):
        await self.acquire()

    async def __aexit__(self, *a):
        self.release()


class BoundedSemaphore(Semaphore):
    def __init__(self, value=1):
        Semaphore.__init__(self, value)
        self._bound = value

    def release(self):
        if self._value >= self._bound:
            raise ValueError('BoundedSemaphore released too many times')
        Semaphore.release(self)


class Condition:
    def __init__(self, lock=None):
        self._lock = lock or Lock()
        self._waiters = []

    async def __aenter__(self):
        await self._lock.acquire()

    async def __aexit__(self, *a):
        self._lock.release()

    async def wait(self):
        self._lock.release()
        f = get_event_loop().create_future()
        self._waiters.append(f)
        try:
            await f
        finally:
            await self._lock.acquire()
        return True

    async def wait_for(self, predicate):
        while not predicate():
            await self.wait()
        return predicate()

    def notify(self, n=1):
        k = 0
        while self._waiters and k < n:
            f = self._waiters.pop(0)
            if not f.done():
                f.set_result(True)
                k += 1

    def notify_all(self):
        self.notify(len(self._waiters))


class Queue:
    def __init__(self, maxsize=0):
        self._maxsize = maxsize
        self._items = []
        self._getters = []
        self._putters = []
        self._unfinished = 0
        self._finished = Event()
        self._finished.set()

    def qsize(self):
        return len(self._items)

    @property
    def maxsize(self):
        return self._maxsize

    def empty(self):
        return not self._items

    def full(self):
        return self._maxsize > 0 and len(self._items) >= self._maxsize

    def _wake(self, lst):
        while lst:
            f = lst.pop(0)
            if not f.done():
                f.set_result(None)
                break

    def put_nowait(self, item):
        if self.full():
            raise QueueFull()
        self._put(item)
        self._unfinished += 1
        self._finished.clear()
        self._wake(self._getters)

    def _put(self, item):
        self._items.append(item)

    def _get(self):
        return self._items.pop(0)

    async def put(self, item):
        while self.full():
            f = get_event_loop().create_future()
            self._putters.append(f)
            await f
        self.put_nowait(item)

    def get_nowait(self):
        if not self._items:
            raise QueueEmpty()
        item = self._get()
        self._wake(self._putters)
        return item

    async def get(self):
        while not self._items:
            f = get_event_loop().create_future()
            self._getters.append(f)
            await f
        return self.get_nowait()

    def task_done(self):
        if self._unfinished <= 0:
            raise ValueError('task_done() called too many times')
        self._unfinished -= 1
        if self._unfinished == 0:
            self._finished.set()

    async def join(self):
        if self._unfinished > 0:
            await self._finished.wait()


class PriorityQueue(Queue):
    def _put(self, item):
        import heapq
        heapq.heappush(self._items, item)

    def _get(self):
        import heapq
        return heapq.heappop(self._items)


class LifoQueue(Queue):
    def _get(self):
        return self._items.pop()


class TaskGroup:
    async def __aenter__(self):
        self._tasks = []
        return self

    def create_task(self, coro, *, name=None, context=None):
        t = get_event_loop().create_task(coro, name=name)
        self._tasks.append(t)
        return t

    async def __aexit__(self, et, e, tb):
        if self._tasks:
            await gather(*self._tasks)
        return False


class StreamReader:
    def __init__(self, *a, **k):
        raise NotImplementedError('asyncio streams are not available in airlock (no network)')


def open_connection(*a, **k):
    raise NotImplementedError('asyncio.open_connection is not available in airlock (no network)')


def start_server(*a, **k):
    raise NotImplementedError('asyncio.start_server is not available in airlock (no network)')
