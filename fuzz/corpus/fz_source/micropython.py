import micropython
micropython.heap_lock()
try:
    x = [0] * 10
except MemoryError:
    pass
micropython.heap_unlock()
