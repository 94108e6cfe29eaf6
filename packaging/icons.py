"""The app icon for the executables: resources/icons/app.svg rendered to PNG sizes and packed into an .ico.

Windows wants an .ico for the executable (Explorer, the taskbar, the Inno Setup shortcut); Linux desktops
take the SVG itself (the .deb installs it under hicolor/scalable/apps), so on Linux the .ico is made only
to keep this code exercised. The SVG is rendered by Qt (QtSvg ships with PySide6-Essentials) in a child
process, so the PyInstaller process never starts a QGuiApplication.

    python packaging/icons.py SVG OUT_DIR NAME      writes OUT_DIR/NAME.ico and OUT_DIR/NAME-<size>.png
"""

from __future__ import annotations

import os
import struct
import subprocess
import sys
from pathlib import Path

ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)


def ico_bytes(pngs: dict[int, bytes]) -> bytes:
    """An .ico holding one PNG-compressed image per size (the format Windows has read since Vista)."""
    sizes = sorted(pngs)
    header = struct.pack("<HHH", 0, 1, len(sizes))
    offset = len(header) + 16 * len(sizes)
    entries = b""
    for size in sizes:
        data = pngs[size]
        # Width and height are one byte each; 0 means 256.
        edge = 0 if size >= 256 else size
        entries += struct.pack("<BBBBHHII", edge, edge, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return header + entries + b"".join(pngs[size] for size in sizes)


def render_pngs(svg: Path, sizes: tuple[int, ...]) -> dict[int, bytes]:
    """PNG bytes of the SVG at each square size (needs a QGuiApplication; see main)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise ValueError(f"{svg} is not a valid SVG")
    pngs: dict[int, bytes] = {}
    for size in sizes:
        image = QImage(size, size, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        renderer.render(painter)
        painter.end()
        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        buffer.close()
        pngs[size] = bytes(data.data())
    return pngs


def build_icon_files(svg: Path, out_dir: Path, name: str) -> Path | None:
    """Render the icon in a child process; the .ico path, or None when there is no SVG to render."""
    if not svg.is_file():
        return None
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    subprocess.run([sys.executable, __file__, str(svg), str(out_dir), name], check=True, env=env)
    return out_dir / f"{name}.ico"


def main(argv: list[str]) -> int:
    from PySide6.QtGui import QGuiApplication

    svg, out_dir, name = Path(argv[0]), Path(argv[1]), argv[2]
    app = QGuiApplication(["icons"])
    pngs = render_pngs(svg, ICO_SIZES)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / f"{name}.ico").write_bytes(ico_bytes(pngs))
    for size in (48, 256):
        (out_dir / f"{name}-{size}.png").write_bytes(pngs[size])
    del app
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
