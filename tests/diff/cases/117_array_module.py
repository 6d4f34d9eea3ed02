from array import array
a = array("i", [5, -3, 10, 7])
a.append(42)
a.extend([1, 2])
print(a, len(a), sum(a), a[2], a[-1])
b = array("B", b"hello")
b[0] = 72
print(bytes(b), list(b))
f = array("d", [0.5, 1.5])
print(f, f[0] + f[1])
