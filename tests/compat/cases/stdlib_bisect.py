import bisect

scores = [10, 20, 30, 40]
print(bisect.bisect_left(scores, 25), bisect.bisect_right(scores, 30), bisect.bisect(scores, 30))
bisect.insort(scores, 25)
print(scores)
def grade(s, bps=[60, 70, 80, 90], gs="FDCBA"):
    return gs[bisect.bisect(bps, s)]
print([grade(s) for s in [33, 99, 77, 70, 89, 90, 100]])
