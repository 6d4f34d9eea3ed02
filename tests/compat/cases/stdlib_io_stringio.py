import io, sys

buf = io.StringIO()
print("hello", file=buf)
buf.write("world\n")
print(buf.getvalue().upper(), end="")
lines = io.StringIO("a\nb\nc\n").readlines()
print(lines)
sys.stdout.write("direct\n")
print("err test", file=sys.stderr)
