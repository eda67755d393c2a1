#!/usr/bin/env python3
"""Make training_attendance/README.rst from the manifest and readme/*.md, in the layout of
OCA's oca-gen-addon-readme (which is not on PyPI): title, badges, DESCRIPTION, table of
contents, CONFIGURE, USAGE, bug tracker, credits (authors, CONTRIBUTORS, maintainers).

    python3 scripts/gen_readme.py          # write README.rst
    python3 scripts/gen_readme.py --check  # fail if README.rst is not what the fragments make

The fragments are the small Markdown subset that reads the same in reStructuredText
(paragraphs, ``-`` and ``1.`` lists, *emphasis*, **strong**); inline `code` and
[links](url) are converted, ``#`` headings become underlined titles.
"""

import ast
import re
import sys
from pathlib import Path

ADDON = Path(__file__).resolve().parent.parent / "training_attendance"
SECTIONS = [("CONFIGURE", "Configuration"), ("USAGE", "Usage")]
LEVELS = "=-~"
MATURITY = {"Alpha": "red", "Beta": "yellow", "Production/Stable": "green", "Mature": "brightgreen"}


def md_to_rst(text, level=1):
    """The Markdown subset of the fragments as reStructuredText."""
    out = []
    for line in text.strip().splitlines():
        heading = re.match(r"^(#+)\s+(.*)$", line)
        if heading:
            title = heading.group(2).strip()
            depth = min(level + len(heading.group(1)) - 1, len(LEVELS) - 1)
            out += [title, LEVELS[depth] * len(title)]
            continue
        line = re.sub(r"(?<!`)`([^`]+)`(?!`)", r"``\1``", line)
        line = re.sub(r"\[([^\]]+)\]\(([^)]+)\)", r"`\1 <\2>`_", line)
        out.append(line)
    return "\n".join(out)


def fragment(name):
    path = ADDON / "readme" / f"{name}.md"
    return md_to_rst(path.read_text(encoding="utf-8")) if path.exists() else ""


def render():
    manifest = ast.literal_eval((ADDON / "__manifest__.py").read_text(encoding="utf-8"))
    name = manifest["name"]
    status = manifest.get("development_status", "Beta")
    licence = manifest["license"]
    repo = manifest["website"].rstrip("/")
    parts = [
        "=" * len(name),
        name,
        "=" * len(name),
        "",
        "..",
        "   Made by scripts/gen_readme.py from readme/*.md and the manifest, in the layout",
        "   of oca-gen-addon-readme: edit the fragments, then run the script again.",
        "",
        f".. |badge1| image:: https://img.shields.io/badge/maturity-"
        f"{status.replace('/', '%2F').replace('-', '--')}-{MATURITY.get(status, 'yellow')}.png",
        "    :target: https://odoo-community.org/page/development-status",
        f"    :alt: {status}",
        f".. |badge2| image:: https://img.shields.io/badge/licence-{licence.replace('-', '--')}"
        "-blue.png",
        "    :target: http://www.gnu.org/licenses/lgpl-3.0-standalone.html",
        f"    :alt: License: {licence}",
        "",
        "|badge1| |badge2|",
        "",
        fragment("DESCRIPTION"),
        "",
        "**Table of contents**",
        "",
        ".. contents::",
        "   :local:",
        "",
    ]
    for key, title in SECTIONS:
        body = fragment(key)
        if body:
            parts += [title, "=" * len(title), "", body, ""]
    tracker = f"`the addon's repository <{repo}/issues>`_"
    authors = "\n".join(f"- {a.strip()}" for a in manifest["author"].split(","))
    maintainers = ", ".join(f"`{m} <https://github.com/{m}>`_" for m in manifest["maintainers"])
    parts += [
        "Bug Tracker",
        "===========",
        "",
        f"Bugs are tracked on the issues of {tracker}.",
        "",
        "Credits",
        "=======",
        "",
        "Authors",
        "-------",
        "",
        authors,
        "",
        "Contributors",
        "------------",
        "",
        fragment("CONTRIBUTORS"),
        "",
        "Maintainers",
        "-----------",
        "",
        f"Current maintainers: {maintainers}.",
        "",
    ]
    return "\n".join(parts)


def main(argv):
    target = ADDON / "README.rst"
    text = render()
    if "--check" in argv:
        if target.read_text(encoding="utf-8") != text:
            print(
                "README.rst is not what readme/*.md and the manifest make: "
                "run python3 scripts/gen_readme.py",
                file=sys.stderr,
            )
            return 1
        print("README.rst matches readme/*.md")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
