import struct
print(struct.pack('<iHd', 1, 2, 3.0), struct.unpack('>I', b'\x00\x00\x01\x00'), struct.calcsize('10s3i'))
