import hashlib
import binascii
for msg in [b"", b"abc", b"hello world", b"a" * 1000]:
    h = hashlib.sha256(msg)
    print(len(msg), binascii.hexlify(h.digest()).decode())
h = hashlib.sha256()
h.update(b"hello ")
h.update(b"world")
print(binascii.hexlify(h.digest()).decode()[:16])
