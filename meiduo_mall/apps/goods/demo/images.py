"""Pictures for the demo catalog, drawn locally with Pillow and saved through the default storage."""

import hashlib
import io
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageDraw, ImageFont

FONT_PATHS = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]

NAMED_COLOURS = {
    "金": (222, 186, 120),
    "灰": (110, 112, 120),
    "银": (200, 204, 210),
    "黑": (45, 45, 50),
    "白": (236, 236, 236),
    "蓝": (70, 120, 200),
    "红": (210, 60, 60),
    "粉": (240, 160, 180),
    "绿": (90, 130, 80),
    "藏青": (40, 50, 90),
}


def font(size):
    for path in FONT_PATHS:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def colour_of(label):
    """A colour named in the label (金色, 曜石黑…), else one derived from the label itself."""
    for word, rgb in NAMED_COLOURS.items():
        if word in label:
            return rgb
    digest = hashlib.md5(label.encode()).digest()
    return tuple(80 + byte % 150 for byte in digest[:3])


def draw_product(title, variant, view):
    """A 400×400 product shot: the product as a rounded block in its colour, seen from `view` (0..3)."""
    image = Image.new("RGB", (400, 400), (248, 248, 248))
    draw = ImageDraw.Draw(image)
    colour = colour_of(variant)
    inset = [(90, 60, 310, 340), (60, 100, 340, 300), (120, 40, 280, 360), (70, 70, 330, 330)][view % 4]
    draw.rounded_rectangle(inset, radius=28, fill=colour, outline=(60, 60, 60), width=3)
    draw.ellipse((inset[0] + 20, inset[1] + 20, inset[0] + 60, inset[1] + 60), fill=(255, 255, 255))
    draw.text((200, 372), title[:16], fill=(50, 50, 50), font=font(20), anchor="mm")
    draw.text((200, 28), variant[:16], fill=(120, 120, 120), font=font(16), anchor="mm")
    return image


def draw_banner(title, size=(1200, 420)):
    image = Image.new("RGB", size, colour_of(title))
    draw = ImageDraw.Draw(image)
    for step in range(0, size[0], 60):
        draw.line((step, 0, step + size[1], size[1]), fill=(255, 255, 255), width=1)
    draw.text((size[0] // 2, size[1] // 2), title, fill=(255, 255, 255), font=font(size[1] // 7), anchor="mm")
    return image


def save_image(name, image):
    """Store the picture under `name` unless it is already there; returns the stored name."""
    if default_storage.exists(name):
        return name
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=80)
    return default_storage.save(name, ContentFile(buffer.getvalue()))
