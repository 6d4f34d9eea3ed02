# datetime for airlock: the guest's datetime plus strftime, strptime,
# format specs (f"{d:%Y-%m-%d}") and a few missing helpers.
import _airlock_orig
_d = _airlock_orig.load('datetime')
del _airlock_orig
for _k in dir(_d):
    if not _k.startswith('__'):
        globals()[_k] = getattr(_d, _k)
del _k

_DAYS = ('Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday')
_MONTHS = ('January', 'February', 'March', 'April', 'May', 'June', 'July',
           'August', 'September', 'October', 'November', 'December')


def _strftime(obj, fmt):
    has_date = hasattr(obj, 'year')
    has_time = hasattr(obj, 'hour')
    y = obj.year if has_date else 1900
    mo = obj.month if has_date else 1
    d = obj.day if has_date else 1
    H = obj.hour if has_time else 0
    M = obj.minute if has_time else 0
    S = obj.second if has_time else 0
    us = obj.microsecond if has_time else 0
    out = []
    i, n = 0, len(fmt)
    while i < n:
        c = fmt[i]
        if c != '%' or i + 1 >= n:
            out.append(c)
            i += 1
            continue
        f = fmt[i + 1]
        i += 2
        if f == 'Y':
            out.append('%d' % y if y >= 1000 else '%04d' % y)
        elif f == 'y':
            out.append('%02d' % (y % 100))
        elif f == 'm':
            out.append('%02d' % mo)
        elif f == 'd':
            out.append('%02d' % d)
        elif f == 'H':
            out.append('%02d' % H)
        elif f == 'I':
            out.append('%02d' % ((H % 12) or 12))
        elif f == 'M':
            out.append('%02d' % M)
        elif f == 'S':
            out.append('%02d' % S)
        elif f == 'f':
            out.append('%06d' % us)
        elif f == 'p':
            out.append('AM' if H < 12 else 'PM')
        elif f in 'aAwujUWGVg' and has_date:
            wd = date(y, mo, d).weekday()
            if f == 'a':
                out.append(_DAYS[wd][:3])
            elif f == 'A':
                out.append(_DAYS[wd])
            elif f == 'w':
                out.append(str((wd + 1) % 7))
            elif f == 'u':
                out.append(str(wd + 1))
            elif f == 'j':
                out.append('%03d' % (date(y, mo, d).toordinal() - date(y, 1, 1).toordinal() + 1))
            elif f in 'UW':
                yday = date(y, mo, d).toordinal() - date(y, 1, 1).toordinal()
                first = date(y, 1, 1).weekday()
                if f == 'U':
                    off = (first + 1) % 7
                else:
                    off = first
                out.append('%02d' % ((yday + off) // 7))
            else:
                iy, iw, iwd = _isocal(y, mo, d)
                out.append({'G': '%d' % iy, 'V': '%02d' % iw, 'g': '%02d' % (iy % 100)}[f])
        elif f in 'aA':
            out.append('Mon' if f == 'a' else 'Monday')
        elif f == 'b' or f == 'h':
            out.append(_MONTHS[mo - 1][:3])
        elif f == 'B':
            out.append(_MONTHS[mo - 1])
        elif f == 'c':
            out.append(_strftime(obj, '%a %b ') + ('%2d' % d) + _strftime(obj, ' %H:%M:%S %Y'))
        elif f == 'x':
            out.append(_strftime(obj, '%m/%d/%y'))
        elif f == 'X':
            out.append(_strftime(obj, '%H:%M:%S'))
        elif f == 'D':
            out.append(_strftime(obj, '%m/%d/%y'))
        elif f == 'F':
            out.append(_strftime(obj, '%Y-%m-%d'))
        elif f == 'T':
            out.append(_strftime(obj, '%H:%M:%S'))
        elif f == 'R':
            out.append(_strftime(obj, '%H:%M'))
        elif f == 'e':
            out.append('%2d' % d)
        elif f == 'z':
            off = obj.utcoffset() if hasattr(obj, 'utcoffset') else None
            if off is None:
                out.append('')
            else:
                s = int(off.total_seconds())
                sign = '+' if s >= 0 else '-'
                s = abs(s)
                out.append('%s%02d%02d' % (sign, s // 3600, s // 60 % 60))
        elif f == 'Z':
            tz = obj.tzname() if hasattr(obj, 'tzname') else None
            out.append(tz or '')
        elif f == '%':
            out.append('%')
        elif f == 'n':
            out.append('\n')
        elif f == 't':
            out.append('\t')
        else:
            out.append('%' + f)
    return ''.join(out)


def _isocal(y, m, d):
    def week1(yr):
        j4 = date(yr, 1, 4)
        return j4.toordinal() - j4.weekday()
    o = date(y, m, d).toordinal()
    iy = y
    start = week1(iy)
    if o < start:
        iy -= 1
        start = week1(iy)
    elif o >= week1(iy + 1):
        iy += 1
        start = week1(iy)
    return iy, (o - start) // 7 + 1, date(y, m, d).weekday() + 1


def _strptime(s, fmt):
    vals = {'Y': 1900, 'm': 1, 'd': 1, 'H': 0, 'M': 0, 'S': 0, 'f': 0}
    pm = None
    i = j = 0
    n = len(s)
    while i < len(fmt):
        c = fmt[i]
        if c == '%' and i + 1 < len(fmt):
            f = fmt[i + 1]
            i += 2
            if f in 'YmdHIMSyfjUWwu':
                width = {'Y': 4, 'f': 6, 'j': 3}.get(f, 2)
                k = j
                if f in 'Yy' and s[k:k + 1] in '+-':
                    k += 1
                while k < n and k - j < width and s[k].isdigit():
                    k += 1
                if k == j:
                    raise ValueError("time data %r does not match format %r" % (s, fmt))
                v = int(s[j:k])
                if f == 'y':
                    vals['Y'] = v + (2000 if v < 69 else 1900)
                elif f == 'I':
                    vals['H'] = v
                elif f == 'f':
                    vals['f'] = int(s[j:k].ljust(6, '0')) if hasattr(str, 'ljust') else int((s[j:k] + '000000')[:6])
                else:
                    vals[f] = v
                j = k
            elif f in 'bBhaA':
                names = _MONTHS if f in 'bBh' else _DAYS
                found = False
                for idx, nm in enumerate(names):
                    for cand in (nm, nm[:3]):
                        if s[j:j + len(cand)].lower() == cand.lower():
                            if f in 'bBh':
                                vals['m'] = idx + 1
                            j += len(cand)
                            found = True
                            break
                    if found:
                        break
                if not found:
                    raise ValueError("time data %r does not match format %r" % (s, fmt))
            elif f == 'p':
                t = s[j:j + 2].upper()
                if t not in ('AM', 'PM'):
                    raise ValueError("time data %r does not match format %r" % (s, fmt))
                pm = t == 'PM'
                j += 2
            elif f == 'z':
                k = j
                while k < n and (s[k] in '+-:Z' or s[k].isdigit()):
                    k += 1
                j = k
            elif f == '%':
                if s[j:j + 1] != '%':
                    raise ValueError("time data %r does not match format %r" % (s, fmt))
                j += 1
            else:
                raise ValueError("'%s' is a bad directive in format '%s'" % (f, fmt))
        elif c.isspace():
            while j < n and s[j].isspace():
                j += 1
            i += 1
        else:
            if j >= n or s[j] != c:
                raise ValueError("time data %r does not match format %r" % (s, fmt))
            i += 1
            j += 1
    if j != n:
        raise ValueError('unconverted data remains: %s' % s[j:])
    if pm is not None:
        h = vals['H'] % 12
        vals['H'] = h + 12 if pm else h
    if 'j' in vals:
        dd = date.fromordinal(date(vals['Y'], 1, 1).toordinal() + vals['j'] - 1)
        vals['m'], vals['d'] = dd.month, dd.day
    return datetime(vals['Y'], vals['m'], vals['d'], vals['H'], vals['M'], vals['S'], vals['f'])


def _fmt(self, spec):
    if not spec:
        return str(self)
    return _strftime(self, spec)


def _dt_strptime(cls, s, fmt):
    return _strptime(s, fmt)


date.strftime = _strftime
date.__format__ = _fmt
datetime.strftime = _strftime
datetime.__format__ = _fmt
time.strftime = _strftime
time.__format__ = _fmt
datetime.strptime = classmethod(_dt_strptime)


def _ctime(self):
    return _strftime(self, '%c')


date.ctime = _ctime
datetime.ctime = _ctime


def _isocalendar(self):
    return _isocal(self.year, self.month, self.day)


date.isocalendar = _isocalendar
datetime.isocalendar = _isocalendar
if not hasattr(date, 'today'):
    date.today = classmethod(lambda cls: datetime.now().date())
if not hasattr(datetime, 'utcnow'):
    datetime.utcnow = classmethod(lambda cls: datetime.now(timezone.utc).replace(tzinfo=None))
