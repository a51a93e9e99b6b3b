"""The weekly report (``output.report.Report``) written as a file: Markdown, HTML or XLSX, each
by its own module."""

from __future__ import annotations

from povtrack.output.report import Report


def write(report: Report, fmt: str, lang: str) -> bytes:
    """The report's bytes in ``fmt`` (one of ``REPORT_FORMATS``); the first sheet carries the
    stamp (plan, as-of date, digest)."""
    pick = 0 if lang == "zh" else 1
    for sheet in report.sheets[:1]:
        sheet.notes = [*report.stamp(lang), *sheet.notes]
    if fmt == "md":
        from povtrack.output.report_md import markdown

        return markdown(report, lang, pick).encode("utf-8", errors="replace")
    if fmt == "html":
        from povtrack.output.report_html import html

        return html(report, lang, pick).encode("utf-8", errors="replace")
    from povtrack.output.report_xlsx import xlsx

    return xlsx(report, lang, pick)
