from __future__ import annotations

import subprocess

from imrdesktop.packet.recovery_sheet import write_recovery_sheet

KEY = "B22S-GH61-5XEN-7WGD-XB79-ZNNR-1P4Z-HJ43-8MMC"


def test_recovery_sheet_holds_the_key_with_embedded_fonts(tmp_path):
    path = tmp_path / "sheet.pdf"
    write_recovery_sheet(path, KEY, "v-test")
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "B22S-GH61-5XEN-7WGD-XB79" in text
    assert "ZNNR-1P4Z-HJ43-8MMC" in text
    fonts = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout.splitlines()[2:]
    assert fonts
    assert all(" yes " in line for line in fonts), fonts
