url = "https://example.com/path"
print(url.removeprefix("https://"))
print("report.csv".removesuffix(".csv"))
print("ß".casefold() == "SS".casefold())
print("a\tb".expandtabs(4))
print("hello".center(11, "*"))
print("x=1".partition("="))
