class Temperature:
    scale = "C"

    @staticmethod
    def c_to_f(c):
        return c * 9 / 5 + 32

    @classmethod
    def describe(cls):
        return f"{cls.__name__} in {cls.scale}"

print(Temperature.c_to_f(100), Temperature.describe())
