# calendar for airlock (date arithmetic and names; no locale).
import datetime as _dt

MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY, SUNDAY = range(7)
day_name = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
day_abbr = [d[:3] for d in day_name]
month_name = ['', 'January', 'February', 'March', 'April', 'May', 'June', 'July',
              'August', 'September', 'October', 'November', 'December']
month_abbr = [''] + [m[:3] for m in month_name[1:]]
mdays = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
_first = [0]


class IllegalMonthError(ValueError):
    pass


def isleap(year):
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def leapdays(y1, y2):
    y1 -= 1
    y2 -= 1
    return (y2 // 4 - y1 // 4) - (y2 // 100 - y1 // 100) + (y2 // 400 - y1 // 400)


def weekday(year, month, day):
    return _dt.date(year, month, day).weekday()


def monthrange(year, month):
    if not 1 <= month <= 12:
        raise IllegalMonthError('bad month number %r; must be 1-12' % month)
    return weekday(year, month, 1), mdays[month] + (month == 2 and isleap(year))


def firstweekday():
    return _first[0]


def setfirstweekday(d):
    _first[0] = d


def monthcalendar(year, month):
    wd, n = monthrange(year, month)
    start = (wd - _first[0]) % 7
    days = [0] * start + list(range(1, n + 1))
    while len(days) % 7:
        days.append(0)
    return [days[i:i + 7] for i in range(0, len(days), 7)]


def month(theyear, themonth, w=0, l=0):
    w = max(2, w)
    import _airlock
    head = _airlock._center('%s %d' % (month_name[themonth], theyear), 7 * (w + 1) - 1).rstrip()
    names = ' '.join(_airlock._center(day_abbr[(i + _first[0]) % 7][:w], w) for i in range(7))
    lines = [head, names]
    for wk in monthcalendar(theyear, themonth):
        lines.append(' '.join(_airlock._rjust('%d' % d, w) if d else ' ' * w for d in wk).rstrip())
    return '\n'.join(lines) + '\n'


def prmonth(theyear, themonth, w=0, l=0):
    print(month(theyear, themonth, w, l), end='')


def timegm(t):
    y, mo, d, h, mi, s = t[:6]
    days = _dt.date(y, mo, d).toordinal() - _dt.date(1970, 1, 1).toordinal()
    return ((days * 24 + h) * 60 + mi) * 60 + s


class Calendar:
    def __init__(self, firstweekday=0):
        self.firstweekday = firstweekday

    def iterweekdays(self):
        for i in range(7):
            yield (i + self.firstweekday) % 7

    def itermonthdays(self, year, month):
        wd, n = monthrange(year, month)
        start = (wd - self.firstweekday) % 7
        days = [0] * start + list(range(1, n + 1))
        while len(days) % 7:
            days.append(0)
        return iter(days)

    def itermonthdates(self, year, month):
        wd, n = monthrange(year, month)
        first = _dt.date(year, month, 1)
        start = first - _dt.timedelta(days=(wd - self.firstweekday) % 7)
        d = start
        while True:
            yield d
            d = d + _dt.timedelta(days=1)
            if (d.month != month or d.year != year) and (d - start).days % 7 == 0 and d > first:
                return

    def monthdayscalendar(self, year, month):
        days = list(self.itermonthdays(year, month))
        return [days[i:i + 7] for i in range(0, len(days), 7)]


class TextCalendar(Calendar):
    def formatmonth(self, theyear, themonth, w=0, l=0):
        old = _first[0]
        _first[0] = self.firstweekday
        try:
            return month(theyear, themonth, w, l)
        finally:
            _first[0] = old

    def prmonth(self, theyear, themonth, w=0, l=0):
        print(self.formatmonth(theyear, themonth, w, l), end='')
