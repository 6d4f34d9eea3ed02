import statistics

data = [2, 4, 4, 4, 5, 5, 7, 9]
print(statistics.mean(data))
print(statistics.median(data))
print(statistics.mode(data))
print(statistics.pstdev(data))
print(round(statistics.stdev(data), 4))
