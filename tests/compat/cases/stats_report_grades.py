import statistics

grades = {"ann": [90, 85, 77], "bo": [60, 75, 80], "cy": [88, 92, 95]}
for name in sorted(grades):
    g = grades[name]
    print(f"{name}: mean={statistics.mean(g):.1f} median={statistics.median(g)} sd={statistics.stdev(g):.2f}")
allg = [x for g in grades.values() for x in g]
print(f"overall {statistics.mean(allg):.2f}")
