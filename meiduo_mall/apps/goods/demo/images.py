"""Pictures for the demo catalog, drawn locally with Pillow and saved through the default storage."""

import hashlib
import io
import re
from pathlib import Path, PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

from .icons import icon_mask

FONT_PATHS = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]

# Colour words of the catalog's variants and the colour each names; longer words first, so 藏青 wins over 青,
# 铂金银 (platinum silver) over 金 and 香槟金 over plain gold.
NAMED_COLOURS = {
    "深空灰": (88, 90, 98),
    "藏青": (38, 52, 96),
    "军绿": (86, 104, 60),
    "浅蓝": (130, 176, 222),
    "深蓝": (28, 58, 120),
    "灰蓝": (104, 128, 160),
    "米白": (240, 232, 214),
    "酒红": (128, 28, 44),
    "香槟金": (232, 206, 160),
    "铂金银": (214, 216, 222),
    "翡冷翠": (46, 139, 106),
    "罗兰紫": (150, 110, 190),
    "金": (212, 170, 80),
    "银": (192, 196, 204),
    "灰": (128, 130, 136),
    "黑": (34, 34, 38),
    "白": (250, 250, 250),
    "蓝": (40, 110, 220),
    "红": (220, 40, 50),
    "粉": (245, 150, 180),
    "绿": (60, 150, 80),
    "紫": (130, 80, 180),
    "黄": (240, 200, 40),
    "橙": (245, 130, 30),
    "棕": (130, 86, 50),
}
# Variants without a colour word (sizes, editions) get one of these, by their name.
PALETTE = [(228, 57, 60), (38, 120, 200), (46, 150, 90), (230, 140, 30), (120, 80, 170), (20, 140, 150)]
# Part of every stored picture's name: pictures of an earlier drawing, kept in MEDIA_ROOT from an earlier demo,
# are drawn anew rather than reused.
DRAWING = "v4"
SIZE = 400
MARGIN = 16


def font(size):
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def colour_of(label):
    """The colour named in the label (钻雕金, 曜石黑, 黑白 → its first colour), else one picked by the label."""
    for word in sorted(NAMED_COLOURS, key=len, reverse=True):
        if len(word) > 1 and word in label:
            return NAMED_COLOURS[word]
    positions = [(label.find(word), word) for word in NAMED_COLOURS if len(word) == 1 and word in label]
    if positions:
        return NAMED_COLOURS[min(positions)[1]]
    return PALETTE[hashlib.md5(label.encode()).digest()[0] % len(PALETTE)]


def fit_text(draw, text, width, size, min_size, max_lines):
    """`text` in lines no wider than `width`: the largest font from `size` down to `min_size` that fits in
    `max_lines` lines; returns (font, lines)."""
    for points in range(size, min_size - 1, -1):
        face = font(points)
        lines = wrap(draw, text, face, width)
        if len(lines) <= max_lines:
            return face, lines
    return face, lines


def wrap(draw, text, face, width):
    """Lines of `text` within `width`: breaks between words where it can, inside a word (Chinese) otherwise."""
    lines, line = [], ""
    for word in re.split(r"(\s+)", text):
        candidate = line + word
        if draw.textlength(candidate, font=face) <= width:
            line = candidate
            continue
        if line.strip():
            lines.append(line.strip())
        line = ""
        for char in word.lstrip():
            if draw.textlength(line + char, font=face) > width and line:
                lines.append(line)
                line = ""
            line += char
    if line.strip():
        lines.append(line.strip())
    return lines


def light(rgb):
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 200


def draw_product(title, variant, view, icon):
    """A 400×400 product shot: the product type's drawing in the variant's colour, seen from `view` (0..3),
    with the variant above and the name below, both wrapped or shrunk to fit."""
    colour = colour_of(variant)
    image = Image.new("RGB", (SIZE, SIZE), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    tint = tuple(round(255 - (255 - c) * 0.12) for c in colour)
    draw.rounded_rectangle((MARGIN, 56, SIZE - MARGIN, SIZE - 84), radius=24, fill=tint)
    # The four views: front, turned left, turned right, close-up.
    size, angle = [(210, 0), (190, 14), (190, -14), (236, 0)][view % 4]
    # An outline a shade darker than light colours (白, 银…), so they stand out from the background.
    outline = (70, 70, 76) if light(colour) else tuple(round(c * 0.55) for c in colour)
    # Turned on a canvas a third larger than the drawing, so that its corners are not cut off.
    box = size + size // 3
    for fill, stroke in ((outline, 3.2), (colour, 2.0)):
        mask = Image.new("L", (box, box), 0)
        mask.paste(icon_mask(icon, size, stroke), ((box - size) // 2, (box - size) // 2))
        mask = mask.rotate(angle, resample=Image.Resampling.BICUBIC)
        top_left = ((SIZE - box) // 2, 56 + (SIZE - 140 - box) // 2)
        image.paste(Image.new("RGB", (box, box), fill), top_left, mask)
    face, lines = fit_text(draw, variant, SIZE - 2 * MARGIN, 20, 12, 1)
    draw.text((SIZE // 2, 30), lines[0] if lines else "", fill=(110, 110, 110), font=face, anchor="mm")
    face, lines = fit_text(draw, title, SIZE - 2 * MARGIN, 24, 14, 2)
    line_height = face.size + 6
    top = SIZE - 42 - (len(lines) - 1) * line_height / 2
    for number, line in enumerate(lines):
        draw.text((SIZE // 2, top + number * line_height), line, fill=(40, 40, 40), font=face, anchor="mm")
    return image


def draw_banner(title, size=(720, 420)):
    """An ad in the colour of its title; the headline keeps clear of the carousel's ‹ › arrows (the outer
    eighth of each side) and wraps or shrinks to fit. The default size is the home carousel's own."""
    image = Image.new("RGB", size, colour_of(title))
    draw = ImageDraw.Draw(image)
    for step in range(0, size[0], 60):
        draw.line((step, 0, step + size[1], size[1]), fill=(255, 255, 255), width=1)
    width = size[0] * 3 // 4
    # A carousel banner's headline takes two lines at most; a strip (the header ad) one, at half its height.
    tall = size[1] > 100
    face, lines = fit_text(draw, title, width, size[1] // 6 if tall else size[1] // 2, 10, 2 if tall else 1)
    line_height = face.size * 1.3
    top = size[1] / 2 - (len(lines) - 1) * line_height / 2
    for number, line in enumerate(lines):
        draw.text((size[0] // 2, top + number * line_height), line, fill=(255, 255, 255), font=face, anchor="mm")
    return image


def save_image(name, image):
    """Store the picture under `name` (its file name prefixed with the drawing's version) unless it is already
    there; returns the stored name."""
    path = PurePosixPath(name)
    name = str(path.with_name(f"{DRAWING}-{path.name}"))
    if default_storage.exists(name):
        return name
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return default_storage.save(name, ContentFile(buffer.getvalue()))
