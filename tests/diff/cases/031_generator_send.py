def averager():
    total = 0.0
    count = 0
    avg = None
    while True:
        value = yield avg
        total += value
        count += 1
        avg = total / count
a = averager()
next(a)
for v in [10, 20, 60, 10]:
    print(a.send(v))
def echo():
    try:
        while True:
            x = yield
            print("got", x)
    finally:
        print("closed")
e = echo()
next(e)
e.send(1)
e.send("two")
e.close()
