s = "héllo"
b = s.encode("utf-8")
print(b, len(b), len(s))
print(b.decode("utf-8") == s)
print(bytes([72, 105]).decode())
print(b.hex())
print(bytes.fromhex("4869"))
