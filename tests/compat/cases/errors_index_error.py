xs = [1, 2, 3]
try:
    xs[10]
except IndexError as e:
    print("index error")
print(xs[-1], xs[-3])
xs.pop(); xs.pop(); xs.pop()
xs.pop()
