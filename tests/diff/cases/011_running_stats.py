samples = [12.5, 15.0, 11.2, 19.8, 14.4, 13.3, 16.7, 10.9]
n = len(samples)
mean = sum(samples) / n
var = sum((x - mean) ** 2 for x in samples) / (n - 1)
s = sorted(samples)
median = (s[n // 2 - 1] + s[n // 2]) / 2 if n % 2 == 0 else s[n // 2]
print("n=%d mean=%.3f var=%.3f median=%.2f" % (n, mean, var, median))
print("min", min(samples), "max", max(samples), "range", round(max(samples) - min(samples), 2))
running = []
acc = 0
for x in samples:
    acc += x
    running.append(round(acc, 1))
print(running)
