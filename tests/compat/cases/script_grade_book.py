from statistics import mean, stdev
from typing import Dict, List

scores: Dict[str, List[int]] = {
    "alice": [88, 92, 79, 93],
    "bob": [72, 65, 80, 70],
    "carol": [95, 98, 91, 99],
    "dave": [60, 58, 75, 66],
}

def letter(avg: float) -> str:
    for cutoff, grade in [(90, "A"), (80, "B"), (70, "C"), (60, "D")]:
        if avg >= cutoff:
            return grade
    return "F"

print(f"{'Student':<8} {'Avg':>6} {'SD':>6} Grade")
for name, marks in sorted(scores.items(), key=lambda kv: -mean(kv[1])):
    avg = mean(marks)
    print(f"{name.title():<8} {avg:>6.2f} {stdev(marks):>6.2f} {letter(avg)}")
class_avg = mean(m for ms in scores.values() for m in ms)
print(f"Class average: {class_avg:.1f}")
