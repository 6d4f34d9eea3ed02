import struct
packed = struct.pack("<IhB3s", 0xDEADBEEF, -2, 255, b"xyz")
print(len(packed), packed)
print(struct.unpack("<IhB3s", packed))
print(struct.calcsize(">iHd"), struct.pack(">H", 258), struct.pack("<H", 258))
print(struct.unpack(">f", struct.pack(">f", 1.5)), struct.unpack("<q", struct.pack("<q", -(2 ** 40))))
header = struct.pack(">4sII", b"PNGX", 640, 480)
magic, w, h = struct.unpack(">4sII", header)
print(magic, w, h)
