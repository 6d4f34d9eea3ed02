import statistics

try:
    statistics.mean([])
except statistics.StatisticsError as e:
    print("error:", e)
print(statistics.median([5]))
print(statistics.mean([1.5, 2.5]))
