class Widget:
    created = 0
    def __init__(self, label):
        Widget.created += 1
        self.id = Widget.created
        self.label = label
    def __str__(self):
        return "#%d %s" % (self.id, self.label)
ws = [Widget(x) for x in ("button", "slider", "knob")]
print(", ".join(str(w) for w in ws))
print(Widget.created, ws[-1].created)
print(ws[0].__dict__ == {"id": 1, "label": "button"})
