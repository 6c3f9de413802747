"""Number formatting shared by the HTML and Markdown renderers (same text in both)."""
import math

_IEC = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]


def missing(x):
    return x is None or (isinstance(x, float) and math.isnan(x))


def bytes_h(n):
    """1536 -> '1.5 KiB'; like the simulator's console table."""
    if missing(n):
        return "-"
    n = float(n)
    if n < 1024:
        return f"{n:.0f} B"
    unit = 0
    while n >= 1024 and unit < len(_IEC) - 1:
        n /= 1024
        unit += 1
    return f"{n:.1f} {_IEC[unit]}"


def gib(n, digits=2):
    """Bytes as GiB: 4294967296 -> '4.00'."""
    return "-" if missing(n) else f"{float(n) / 1024 ** 3:,.{digits}f}"


def bandwidth(bps):
    """Bits per second, decimal as scenarios write them: 1e9 -> '1 Gbps', 2.5e8 -> '250 Mbps'."""
    if missing(bps):
        return "-"
    bps = float(bps)
    for div, unit in ((1e12, "Tbps"), (1e9, "Gbps"), (1e6, "Mbps"), (1e3, "kbps")):
        if bps >= div:
            return f"{bps / div:.4g} {unit}"
    return f"{bps:.4g} bps"


def fixed(x, digits):
    return "-" if missing(x) else f"{x:.{digits}f}"


def pct(x, digits=1):
    return "-" if missing(x) else f"{x:.{digits}f}%"


def integer(x):
    return "-" if missing(x) else f"{int(round(x)):,}"


def seconds(x):
    if missing(x):
        return "-"
    return f"{x:.2f} s" if x < 100 else f"{x:,.0f} s"


def pair(a, b, digits=2):
    """Two quantiles: '3.84 / 3.84'."""
    if missing(a) and missing(b):
        return "-"
    return f"{fixed(a, digits)} / {fixed(b, digits)}"


def value(x):
    """A metric of unknown kind, compact but exact enough to compare with a published range."""
    if missing(x):
        return "-"
    x = float(x)
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    if abs(x) >= 100:
        return f"{x:,.1f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"
