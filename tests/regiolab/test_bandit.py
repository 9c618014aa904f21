"""bandit finds no security issue of medium or high severity in the portal's code.

A finding is fixed, or, where the code is right, justified in place with
``# nosec BXXX — reason`` so the reason is read wherever the line is read.
"""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["companies", "networks", "workshops", "funding", "regiolab"]


def test_bandit_finds_nothing_of_medium_or_high_severity():
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "bandit",
            "-r",
            *PACKAGES,
            "-ll",  # medium severity and above
            "-q",
            "-x",
            "*/migrations/*",
            "-f",
            "json",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    report = json.loads(out.stdout)
    assert report["errors"] == []
    findings = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_severity']}: "
        f"{r['issue_text']}"
        for r in report["results"]
    ]
    assert findings == [], "\n".join(findings)
    scanned = report["metrics"]["_totals"]["loc"]
    assert scanned > 5000  # the packages were really read
