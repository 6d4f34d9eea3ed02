from collections import deque

window = deque(maxlen=3)
for x in [1, 2, 3, 4, 5, 6]:
    window.append(x)
    print(list(window), sum(window) / len(window))
d = deque([1, 2, 3])
d.rotate(1)
print(list(d))
d.appendleft(0)
print(d)
