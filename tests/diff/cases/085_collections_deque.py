from collections import deque
d = deque((), 5)
for i in range(8):
    d.append(i)
print(list(d), len(d))
q = deque([1, 2, 3], 10)
q.appendleft(0)
q.append(4)
print(q.popleft(), q.pop(), list(q))
window = deque((), 3)
out = []
for x in [5, 1, 4, 8, 2, 7, 3]:
    window.append(x)
    if len(window) == 3:
        out.append(sum(window) / 3)
print([round(v, 2) for v in out])
