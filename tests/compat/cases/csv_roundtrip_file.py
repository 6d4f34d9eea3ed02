import csv

with open("/tmp/people.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["name", "score"])
    w.writerows([["x", 1], ["y", 2], ["z", 3]])
with open("/tmp/people.csv", newline="") as f:
    r = csv.DictReader(f)
    scores = [int(row["score"]) for row in r]
print(scores, sum(scores))
