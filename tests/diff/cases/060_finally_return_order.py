trace = []
def f(x):
    try:
        trace.append("try")
        if x:
            return "early"
        trace.append("body")
    finally:
        trace.append("finally")
    return "late"
print(f(True), f(False), trace)
def g():
    for i in range(5):
        try:
            if i == 2:
                continue
            if i == 4:
                break
        finally:
            trace.append(i)
    return trace[-4:]
print(g())
