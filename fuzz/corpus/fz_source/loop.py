s = 0
for i in range(1000):
    s += i * i
print(s)
