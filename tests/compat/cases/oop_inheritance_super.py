class Base:
    def __init__(self, name):
        self.name = name
    def describe(self):
        return f"I am {self.name}"

class Child(Base):
    def __init__(self, name, age):
        super().__init__(name)
        self.age = age
    def describe(self):
        return super().describe() + f", {self.age} years"

c = Child("kid", 7)
print(c.describe())
print(isinstance(c, Base), issubclass(Child, Base), type(c).__name__)
print(Child.__mro__[1].__name__)
