# heapq for airlock: the guest's heappush/heappop/heapify plus the rest.
import _airlock_reexport
_h = _airlock_reexport.into(globals(), 'heapq')
del _airlock_reexport


def heappushpop(heap, item):
    if heap and heap[0] < item:
        item, heap[0] = heap[0], item
        _h.heapify(heap) if False else _siftup(heap)
    return item


def heapreplace(heap, item):
    if not heap:
        raise IndexError('index out of range')
    top = heap[0]
    heap[0] = item
    _siftup(heap)
    return top


def _siftup(heap):
    n = len(heap)
    pos = 0
    item = heap[0]
    while True:
        c = 2 * pos + 1
        if c >= n:
            break
        if c + 1 < n and heap[c + 1] < heap[c]:
            c += 1
        if heap[c] < item:
            heap[pos] = heap[c]
            pos = c
        else:
            break
    heap[pos] = item


def nlargest(n, iterable, key=None):
    return sorted(iterable, key=key, reverse=True)[:n]


def nsmallest(n, iterable, key=None):
    return sorted(iterable, key=key)[:n]


def merge(*iterables, key=None, reverse=False):
    out = []
    for it in iterables:
        out.extend(it)
    return iter(sorted(out, key=key, reverse=reverse))
