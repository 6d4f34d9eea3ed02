import io
buf = io.StringIO()
for i in range(3):
    buf.write("line %d\n" % i)
print(repr(buf.getvalue()))
reader = io.StringIO("alpha\nbeta\ngamma\n")
print(reader.readline().strip(), reader.read().split())
bio = io.BytesIO()
bio.write(b"\x01\x02")
bio.write(b"abc")
print(bio.getvalue())
