"""Write the Word document `make demo` imports: an item as a county office's information officer
types it in Word (a centred bold title, the source line, full-width-space indents, a hand-typed
heading, the author and phone lines at the end). Fictional, in our own words."""

from __future__ import annotations

import sys

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt


def main(path: str) -> None:
    doc = docx.Document()
    par = doc.add_paragraph()
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = par.add_run("青溪县建立冬季农村用电安全巡查机制")
    run.bold = True
    run.font.size = Pt(22)
    par = doc.add_paragraph("（青溪县委办）")
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in ("\u3000\u3000入冬以来，青溪县针对农村取暖用电增多的情况，组织供电所和乡镇干部开展用电安全巡查。",
                 "一、主要做法",
                 "\u3000\u3000县里把全县划为12个巡查片区，每个片区由一名供电所技术员和一名乡镇干部负责，"
                 "重点检查老旧线路、私拉乱接和大功率取暖设备。",
                 "\u3000\u3000截至11月20日，共巡查农户3400余户，整改隐患86处。",
                 "撰稿人：何晓岚",
                 "联系电话：0000-0000000"):
        doc.add_paragraph(text)
    doc.save(path)


if __name__ == "__main__":
    main(sys.argv[1])
