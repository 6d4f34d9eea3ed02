def ratio(a, b):
    return a / b

try:
    ratio(1, 0)
except ZeroDivisionError as e:
    print("caught:", e)
ratio(5, 0)
