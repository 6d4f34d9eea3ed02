from pathlib import Path

p = Path("/tmp") / "notes.txt"
p.write_text("line1\nline2\n")
print(p.name, p.suffix, p.stem, p.parent)
print(p.read_text().splitlines())
print(p.exists(), Path("/tmp/nope.txt").exists())
