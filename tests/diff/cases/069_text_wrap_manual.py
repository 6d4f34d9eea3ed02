text = ("MicroPython is a lean and efficient implementation of the Python 3 "
        "programming language that includes a small subset of the Python standard "
        "library and is optimised to run on microcontrollers and in constrained environments.")
def wrap(t, width):
    lines, cur = [], ""
    for word in t.split():
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = word if not cur else cur + " " + word
    if cur:
        lines.append(cur)
    return lines
for line in wrap(text, 32):
    print("|" + line + " " * (32 - len(line)) + "|")
print(len(wrap(text, 10)), len(wrap(text, 80)))
