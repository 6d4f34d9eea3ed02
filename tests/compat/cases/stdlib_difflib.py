import difflib

a = "apple pie".split()
b = "apple tart".split()
print(difflib.SequenceMatcher(None, "abcd", "abed").ratio())
print(difflib.get_close_matches("appel", ["ape", "apple", "peach", "puppy"]))
for line in difflib.unified_diff(["a\n", "b\n", "c\n"], ["a\n", "B\n", "c\n"], lineterm=""):
    print(line.rstrip())
