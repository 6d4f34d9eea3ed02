b = bytearray(b'abc')
m = memoryview(b)
b.extend(b'def')
print(bytes(m[1:]), b[::-1], b.hex())
