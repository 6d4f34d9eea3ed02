import string

print(string.ascii_lowercase[:5], string.digits, len(string.punctuation))
print(string.capwords("hello big   world"))
table = str.maketrans("abc", "xyz")
print("aabbcc".translate(table))
print("hello, world!".translate(str.maketrans("", "", string.punctuation)))
