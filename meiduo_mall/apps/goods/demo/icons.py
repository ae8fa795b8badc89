"""Product-type drawings for the demo pictures: Lucide icons (npm package lucide-static, ISC licence) rasterised
with Pillow. Pillow cannot read SVG, and Lucide icons are plain strokes on a 24×24 grid (path, circle, ellipse,
rect, line, polyline, polygon), so each element is flattened to polylines and stroked with round joins here."""

import functools
import json
import math
import re
from pathlib import Path

from django.conf import settings
from PIL import Image, ImageDraw

ICON_NODES = "node_modules/lucide-static/icon-nodes.json"
GRID = 24
# Samples per curve segment: enough for a smooth outline at the picture's size.
CURVE_STEPS = 16

# The drawing of each level-3 category of the demo catalog; categories without one fall back on their level-2
# and level-1 names, then on a parcel.
CATEGORY_ICONS = {
    "手机": "smartphone",
    "游戏手机": "gamepad-2",
    "老人机": "phone",
    "移动电源": "battery-charging",
    "蓝牙耳机": "headphones",
    "耳机耳麦": "headphones",
    "智能手表": "watch",
    "平板电脑": "tablet",
    "数码相机": "camera",
    "笔记本": "laptop",
    "游戏本": "laptop",
    "台式机": "monitor-pc",
    "显示器": "monitor",
    "鼠标": "mouse",
    "键盘": "keyboard",
    "冰箱": "refrigerator",
    "洗衣机": "washing-machine",
    "平板电视": "tv",
    "空调": "air-vent",
    "电饭煲": "cooking-pot",
    "豆浆机": "blender",
    "微波炉": "microwave",
    "电风扇": "fan",
    "炒锅": "egg-fried",
    "汤锅": "soup",
    "菜刀": "utensils",
    "T恤": "shirt",
    "衬衫": "shirt",
    "卫衣": "shirt",
    "针织衫": "spool",
    "连衣裙": "shirt",
    "牛仔裤": "ruler",
    "冲锋衣": "mountain-snow",
    "跑步鞋": "footprints",
    "篮球鞋": "footprints",
    "双肩包": "backpack",
    "拉杆箱": "luggage",
    "男表": "watch",
    "女表": "watch",
    "纸尿裤": "baby",
    "积木拼插": "toy-brick",
    "坚果炒货": "nut",
    "白酒": "wine",
    "葡萄酒": "wine",
    "编程语言": "book-open",
    "小说": "book-open",
    "帐篷": "tent",
}
FALLBACK_ICON = "package"


def icon_for(*category_names):
    """The icon name of the first of `category_names` (level 3 first) that has one."""
    for name in category_names:
        if name in CATEGORY_ICONS:
            return CATEGORY_ICONS[name]
    return FALLBACK_ICON


@functools.cache
def icon_nodes():
    path = Path(settings.FRONT_END_DIR) / ICON_NODES
    try:
        return json.loads(path.read_text())
    except FileNotFoundError as error:
        raise RuntimeError(f"{path} is missing: run `make vendor` (npm ci in front_end_pc/)") from error


@functools.cache
def icon_mask(name, size, stroke):
    """The icon `name` as an antialiased 'L' mask of size×size pixels, strokes `stroke` grid units wide."""
    scale = 4  # drawn 4× larger and scaled down: Pillow's lines have no antialiasing of their own
    big = size * scale
    unit = big / GRID
    mask = Image.new("L", (big, big), 0)
    draw = ImageDraw.Draw(mask)
    width = max(1, round(stroke * unit))
    radius = width / 2
    for tag, attrs in icon_nodes()[name]:
        for line in element_lines(tag, attrs):
            points = [(x * unit, y * unit) for x, y in line]
            if len(points) > 1:
                draw.line(points, fill=255, width=width)
            # Round caps and joins, as the icons' stroke-linecap/linejoin ask.
            for x, y in points:
                draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=255)
    return mask.resize((size, size), Image.Resampling.LANCZOS)


def element_lines(tag, attrs):
    """The polylines (lists of grid points) of one SVG element."""
    number = functools.partial(attribute, attrs)
    if tag == "path":
        return path_lines(attrs["d"])
    if tag == "line":
        return [[(number("x1"), number("y1")), (number("x2"), number("y2"))]]
    if tag in ("polyline", "polygon"):
        values = [float(v) for v in re.findall(r"-?[\d.]+(?:e-?\d+)?", attrs["points"])]
        points = list(zip(values[::2], values[1::2], strict=True))
        return [points + points[:1] if tag == "polygon" else points]
    if tag in ("circle", "ellipse"):
        rx = number("r") if tag == "circle" else number("rx")
        ry = number("r") if tag == "circle" else number("ry")
        cx, cy = number("cx"), number("cy")
        steps = CURVE_STEPS * 4
        return [
            [
                (cx + rx * math.cos(2 * math.pi * i / steps), cy + ry * math.sin(2 * math.pi * i / steps))
                for i in range(steps + 1)
            ]
        ]
    if tag == "rect":
        return [rect_line(number("x"), number("y"), number("width"), number("height"), number("rx") or number("ry"))]
    return []


def attribute(attrs, key):
    return float(attrs.get(key, 0))


def rect_line(x, y, width, height, r):
    r = min(r, width / 2, height / 2)
    if not r:
        return [(x, y), (x + width, y), (x + width, y + height), (x, y + height), (x, y)]
    points = []
    corners = [
        (x + width - r, y + r, -90),
        (x + width - r, y + height - r, 0),
        (x + r, y + height - r, 90),
        (x + r, y + r, 180),
    ]
    for cx, cy, start in corners:
        for i in range(CURVE_STEPS // 2 + 1):
            angle = math.radians(start + 90 * i / (CURVE_STEPS // 2))
            points.append((cx + r * math.cos(angle), cy + r * math.sin(angle)))
    return points + points[:1]


TOKEN = re.compile(r"[MmLlHhVvCcSsQqTtAaZz]|-?(?:\d+\.?\d*|\.\d+)(?:e-?\d+)?")
ARITY = {"M": 2, "L": 2, "H": 1, "V": 1, "C": 6, "S": 4, "Q": 4, "T": 2, "A": 7, "Z": 0}


def path_lines(d):
    """An SVG path's `d` flattened into polylines, one per subpath."""
    tokens = TOKEN.findall(d)
    lines, current = [], []
    x = y = start_x = start_y = 0.0
    last_control, last_command = None, ""
    index = 0
    command = ""
    while index < len(tokens):
        if tokens[index].isalpha():
            command = tokens[index]
            index += 1
        upper = command.upper()
        relative = command.islower()
        args = []
        for position in range(ARITY[upper]):
            token = tokens[index]
            # An arc's two flags are one digit each and may be written together with what follows ("a5 5 0 017.07 0").
            if upper == "A" and position in (3, 4) and len(token) > 1:
                tokens[index] = token[1:]
                token = token[0]
            else:
                index += 1
            args.append(float(token))
        ox, oy = (x, y) if relative else (0.0, 0.0)
        control = None
        if upper == "M":
            if len(current) > 1:
                lines.append(current)
            x, y = args[0] + ox, args[1] + oy
            start_x, start_y = x, y
            current = [(x, y)]
            # Further pairs after a moveto are linetos.
            command = "l" if relative else "L"
        elif upper == "Z":
            x, y = start_x, start_y
            current.append((x, y))
        elif upper in ("L", "H", "V", "T"):
            if upper == "H":
                x = args[0] + ox
            elif upper == "V":
                y = args[0] + (y if relative else 0.0)
            elif upper == "L":
                x, y = args[0] + ox, args[1] + oy
            else:
                cx, cy = reflect(last_control, last_command, "QT", x, y)
                end = (args[0] + ox, args[1] + oy)
                current += quadratic((x, y), (cx, cy), end)
                control = (cx, cy)
                x, y = end
            if upper != "T":
                current.append((x, y))
        elif upper in ("C", "S"):
            if upper == "C":
                c1 = (args[0] + ox, args[1] + oy)
                c2, end = (args[2] + ox, args[3] + oy), (args[4] + ox, args[5] + oy)
            else:
                c1 = reflect(last_control, last_command, "CS", x, y)
                c2, end = (args[0] + ox, args[1] + oy), (args[2] + ox, args[3] + oy)
            current += cubic((x, y), c1, c2, end)
            control = c2
            x, y = end
        elif upper == "Q":
            c1, end = (args[0] + ox, args[1] + oy), (args[2] + ox, args[3] + oy)
            current += quadratic((x, y), c1, end)
            control = c1
            x, y = end
        else:
            end = (args[5] + ox, args[6] + oy)
            current += arc((x, y), args[0], args[1], args[2], bool(args[3]), bool(args[4]), end)
            x, y = end
        last_control, last_command = control, upper
    if len(current) > 1:
        lines.append(current)
    return lines


def reflect(control, previous, kinds, x, y):
    """The first control point of a smooth curve: the previous one mirrored, or the current point."""
    if control is None or previous not in kinds:
        return (x, y)
    return (2 * x - control[0], 2 * y - control[1])


def cubic(p0, p1, p2, p3):
    points = []
    for i in range(1, CURVE_STEPS + 1):
        t = i / CURVE_STEPS
        u = 1 - t
        points.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return points


def quadratic(p0, p1, p2):
    points = []
    for i in range(1, CURVE_STEPS + 1):
        t = i / CURVE_STEPS
        u = 1 - t
        points.append(
            (u * u * p0[0] + 2 * u * t * p1[0] + t * t * p2[0], u * u * p0[1] + 2 * u * t * p1[1] + t * t * p2[1])
        )
    return points


def arc(start, rx, ry, rotation, large, sweep, end):
    """An elliptical arc as points, by the SVG spec's endpoint-to-centre conversion (F.6.5)."""
    if start == end:
        return []
    rx, ry = abs(rx), abs(ry)
    if not rx or not ry:
        return [end]
    phi = math.radians(rotation)
    cos_phi, sin_phi = math.cos(phi), math.sin(phi)
    dx, dy = (start[0] - end[0]) / 2, (start[1] - end[1]) / 2
    x1 = cos_phi * dx + sin_phi * dy
    y1 = -sin_phi * dx + cos_phi * dy
    # Radii too small for the endpoints are scaled up, as the spec says.
    excess = x1 * x1 / (rx * rx) + y1 * y1 / (ry * ry)
    if excess > 1:
        rx, ry = rx * math.sqrt(excess), ry * math.sqrt(excess)
    numerator = rx * rx * ry * ry - rx * rx * y1 * y1 - ry * ry * x1 * x1
    denominator = rx * rx * y1 * y1 + ry * ry * x1 * x1
    factor = math.sqrt(max(0.0, numerator / denominator))
    if large == sweep:
        factor = -factor
    cx1, cy1 = factor * rx * y1 / ry, -factor * ry * x1 / rx
    cx = cos_phi * cx1 - sin_phi * cy1 + (start[0] + end[0]) / 2
    cy = sin_phi * cx1 + cos_phi * cy1 + (start[1] + end[1]) / 2
    theta = math.atan2((y1 - cy1) / ry, (x1 - cx1) / rx)
    delta = math.atan2((-y1 - cy1) / ry, (-x1 - cx1) / rx) - theta
    if sweep and delta < 0:
        delta += 2 * math.pi
    elif not sweep and delta > 0:
        delta -= 2 * math.pi
    steps = max(2, math.ceil(abs(delta) / (math.pi / 2) * CURVE_STEPS / 2))
    points = []
    for i in range(1, steps + 1):
        angle = theta + delta * i / steps
        ex, ey = rx * math.cos(angle), ry * math.sin(angle)
        points.append((cos_phi * ex - sin_phi * ey + cx, sin_phi * ex + cos_phi * ey + cy))
    return points
