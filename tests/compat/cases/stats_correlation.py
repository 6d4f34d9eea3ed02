import statistics

x = [1, 2, 3, 4, 5]
y = [2, 4, 5, 4, 5]
print(round(statistics.correlation(x, y), 6))
slope, intercept = statistics.linear_regression(x, y)
print(round(slope, 6), round(intercept, 6))
