# Live structures far larger than any mark stack, kept across collections
# that free a lot (airlock traces the heap on the host with its own stack,
# src/guests/micropython/gc.c): a chain 300,000 lists deep, a list of
# 100,000 strs, dicts of lists of tuples; every object must stay intact.
import gc

head = None
for i in range(300000):
    head = [i, head]
wide = [str(i) * 3 for i in range(100000)]
d = {i: {"k": [i, (i, str(i))]} for i in range(20000)}
for r in range(3):
    junk = [bytearray(50) for _ in range(50000)]
    junk = None
    gc.collect()
n = 0
x = head
s = 0
while x is not None:
    s += x[0]
    x = x[1]
    n += 1
print(n, s == sum(range(300000)))
print(all(wide[i] == str(i) * 3 for i in range(100000)))
print(all(d[i]["k"][1][1] == str(i) for i in range(20000)))
