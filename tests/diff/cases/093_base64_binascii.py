import base64
import binascii
raw = b"airlock: sandboxed python \x00\x01\xfe\xff"
enc = base64.b64encode(raw)
print(enc)
print(base64.b64decode(enc) == raw)
print(base64.urlsafe_b64encode(b"\xfb\xff\xbf"), base64.b16encode(b"hi"))
print(binascii.hexlify(b"\x12\xab"), binascii.unhexlify("deadbeef"))
print(binascii.crc32(b"hello world"), hex(binascii.crc32(b"") & 0xffffffff))
print(base64.b32encode(b"foobar"))
