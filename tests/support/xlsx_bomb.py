"""Hostile workbooks for the upload checks: a real XLSX whose shared strings unpack to ~99 MB.

Built by streaming (no 99 MB string in the test's memory). ``lie=True`` also rewrites the zip's
declared sizes of the shared strings to a few bytes, as a crafted file could.
"""

import io
import struct
import zipfile

from openpyxl import Workbook

SHARED = "xl/sharedStrings.xml"
SHARED_TYPE = (
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    b'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml" />'
)
CHUNK = "<si><t>" + "A" * 1000 + "%d</t></si>"


def _small_workbook() -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "postcode"])
    sheet.append(["Bombe GmbH", "30159"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


TINY = "<si><t>%d</t></si>"  # many small strings: cheap to pack, costly to parse


def xlsx_bomb(*, unpacked_mb: int = 99, lie: bool = False, chunk: str = CHUNK) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_small_workbook()))
    out = io.BytesIO()
    count = unpacked_mb * 1024 * 1024 // len(chunk % 100000)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            if info.filename == SHARED:
                continue
            content = source.read(info.filename)
            if info.filename == "[Content_Types].xml":  # openpyxl finds the part through here
                content = content.replace(b"</Types>", SHARED_TYPE + b"</Types>")
            target.writestr(info.filename, content)
        with target.open(SHARED, "w", force_zip64=True) as member:
            member.write(
                f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="{count + 2}" uniqueCount="{count + 2}">'.encode()
            )
            member.write(b"<si><t>name</t></si><si><t>postcode</t></si>")
            # Each string its own (a number at its end), as openpyxl keeps only distinct ones.
            for start in range(0, count, 1024):
                member.write("".join(chunk % i for i in range(start, start + 1024)).encode())
            member.write(b"</sst>")
    data = out.getvalue()
    return _lie_about(data, SHARED) if lie else data


def _lie_about(data: bytes, name: str) -> bytes:
    """Declare ``name``'s unpacked size as 1,000 bytes in its central directory entry."""
    data = bytearray(data)
    encoded = name.encode()
    position = data.find(b"PK\x01\x02" + b"\x00" * 0, 0)
    while position != -1:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        extra_length = struct.unpack_from("<H", data, position + 30)[0]
        if bytes(data[position + 46 : position + 46 + name_length]) == encoded:
            if struct.unpack_from("<I", data, position + 24)[0] == 0xFFFFFFFF:
                raise ValueError("zip64 sizes: not rewritten")
            struct.pack_into("<I", data, position + 24, 1000)
            # A zip64 extra field would carry the real size: blank its tag so it is ignored.
            extra = position + 46 + name_length
            end = extra + extra_length
            while extra + 4 <= end:
                tag, size = struct.unpack_from("<HH", data, extra)
                if tag == 0x0001:
                    struct.pack_into("<H", data, extra, 0x9999)
                extra += 4 + size
            return bytes(data)
        position = data.find(b"PK\x01\x02", position + 4)
    raise ValueError(f"{name} not in the zip")
