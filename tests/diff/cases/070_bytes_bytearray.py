data = b"hello\x00world\xff"
print(len(data), data[0], data[-1], data[:5], data.find(b"world"))
ba = bytearray(b"abc")
ba.append(100)
ba.extend(b"ef")
ba[0] = 65
print(ba, bytes(ba), list(ba[:3]))
print(b"-".join([b"a", b"b"]), b"x,y,,z".split(b","), data.hex() if hasattr(data, "hex") else "")
print(bytes([1, 2, 255]), bytes(3), b"abc" + b"def", b"ab" * 3)
print("déjà".encode(), b"\xc3\xa9".decode())
