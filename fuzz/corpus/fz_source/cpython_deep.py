import sys, gc
sys.setrecursionlimit(10**5)
def f(n): return f(n + 1)
try:
    f(0)
except RecursionError:
    print("deep")
print(len(gc.get_objects()) > 100)
l = []
for i in range(3000): l = [l]
print(len(repr(l)))
