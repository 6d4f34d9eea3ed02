def f(x):
    try:
        r = 10 / x
    except ZeroDivisionError:
        print("zero")
        return None
    else:
        print("no error")
        return r
    finally:
        print("cleanup")

print(f(2))
print(f(0))
