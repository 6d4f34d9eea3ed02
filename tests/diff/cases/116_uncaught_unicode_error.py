good = b"caf\xc3\xa9"
print(good.decode("utf-8"))
bad = b"\xff\xfe\xfd"
print(bad.decode("utf-8"))
