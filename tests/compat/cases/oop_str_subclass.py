class Name(str):
    def shout(self):
        return self.upper() + "!"

n = Name("bob")
print(n.shout(), len(n), n + "by")
class MyList(list):
    def total(self):
        return sum(self)
ml = MyList([1, 2, 3])
ml.append(4)
print(ml.total(), ml)
