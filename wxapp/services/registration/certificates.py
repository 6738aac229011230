"""The electronic registration certificate (生育服务登记凭证) as a printable PDF with a QR
code that opens the public verification page."""
from __future__ import annotations

import io

from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A5
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from wxapp import config
from wxapp.china_time import to_china_date
from wxapp.errors import Conflict
from wxapp.formats.pdf_fonts import font_for_pdfs
from wxapp.models import BirthRegistration
from wxapp.security.masking import mask_id_number

STATUS_TEXT = {"planning": "计划怀孕", "pregnant": "已怀孕", "born": "已生育"}


def verification_url(code: str) -> str:
    return config.settings().public_base_url + f"verify/{code}"


def certificate_lines(reg: BirthRegistration, township_name: str) -> list[tuple[str, str]]:
    """What the certificate says, line by line: the PDF and the console's printable page."""
    return [
        ("登记编号", reg.registration_number),
        ("女方姓名", reg.mother_name),
        ("女方身份证号", mask_id_number(reg.mother_id_number)),
        ("男方姓名", reg.father_name),
        ("男方身份证号", mask_id_number(reg.father_id_number)),
        ("本次生育", f"第{reg.child_order}孩（{STATUS_TEXT.get(reg.pregnancy_status, '')}）"),
        ("登记机关", f"{township_name}卫生健康办公室"),
        ("登记日期", to_china_date(reg.decided_at).isoformat()),
        ("验证码", reg.certificate_code),
    ]


def certificate_pdf(reg: BirthRegistration, township_name: str) -> bytes:
    if reg.status not in ("approved", "correction_requested") or not reg.certificate_code:
        raise Conflict("registration.not_approved", "登记办结后才能下载登记凭证。")
    chinese = font_for_pdfs()
    buffer = io.BytesIO()
    width, height = A5
    pdf = canvas.Canvas(buffer, pagesize=A5, pageCompression=0)
    pdf.setTitle("生育服务登记凭证")
    pdf.setFont(chinese, 18)
    pdf.drawCentredString(width / 2, height - 25 * mm, "生育服务登记凭证")
    lines = certificate_lines(reg, township_name)
    y = height - 42 * mm
    for label, value in lines:
        pdf.setFont(chinese, 11)
        pdf.drawString(18 * mm, y, f"{label}：")
        # Latin text in Helvetica keeps numbers and codes searchable and copyable.
        ascii_only = all(ord(ch) < 128 for ch in str(value))
        pdf.setFont("Helvetica" if ascii_only else chinese, 11)
        pdf.drawString(48 * mm, y, str(value))
        y -= 8 * mm
    url = verification_url(reg.certificate_code)
    qr = QrCodeWidget(url)
    x0, y0, x1, y1 = qr.getBounds()
    size = 32 * mm
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(qr)
    renderPDF.draw(drawing, pdf, width - 18 * mm - size, 14 * mm)
    pdf.setFont(chinese, 8)
    pdf.drawString(18 * mm, 18 * mm, "扫描二维码或访问以下网址核验：")
    pdf.setFont("Helvetica", 7)
    pdf.drawString(18 * mm, 14 * mm, url)
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def verification_qr_svg(code: str) -> str:
    """The certificate's QR code as an SVG element for the printable page: one path of
    squares, drawn with attributes only (the console's CSP forbids inline styles)."""
    widget = QrCodeWidget(verification_url(code))
    widget.draw()
    matrix = widget.qr
    size = matrix.getModuleCount()
    quiet = 4
    squares = "".join(f"M{col + quiet} {row + quiet}h1v1h-1z" for row in range(size)
                      for col in range(size) if matrix.isDark(row, col))
    full = size + 2 * quiet
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {full} {full}" '
            f'role="img" aria-label="登记凭证核验二维码" shape-rendering="crispEdges">'
            f'<rect width="{full}" height="{full}" fill="#fff"/>'
            f'<path d="{squares}" fill="#000"/></svg>')
