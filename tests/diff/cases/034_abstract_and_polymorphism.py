class Animal:
    def __init__(self, name):
        self.name = name
    def speak(self):
        return "..."
    def intro(self):
        return f"{self.name} says {self.speak()}"
class Dog(Animal):
    def speak(self):
        return "woof"
class Cat(Animal):
    def speak(self):
        return "meow"
class Puppy(Dog):
    def speak(self):
        return super().speak().upper() + "!"
zoo = [Dog("rex"), Cat("tom"), Puppy("bit"), Animal("generic")]
for a in zoo:
    print(a.intro())
print([type(a).__name__ for a in zoo if isinstance(a, Dog)])
