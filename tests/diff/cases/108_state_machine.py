TRANSITIONS = {
    ("idle", "start"): "running",
    ("running", "pause"): "paused",
    ("paused", "resume"): "running",
    ("running", "stop"): "stopped",
    ("paused", "stop"): "stopped",
}
class Machine:
    def __init__(self):
        self.state = "idle"
        self.history = [self.state]
    def fire(self, event):
        key = (self.state, event)
        if key not in TRANSITIONS:
            return False
        self.state = TRANSITIONS[key]
        self.history.append(self.state)
        return True
m = Machine()
results = [m.fire(e) for e in ["start", "pause", "start", "resume", "stop", "resume"]]
print(results)
print(" -> ".join(m.history))
