import struct

packed = struct.pack("<IhB", 1, -2, 255)
print(packed, len(packed))
print(struct.unpack("<IhB", packed))
print(struct.calcsize(">HHI"))
