"""The evaluation report ("did it work?") as HTML, PDF (WeasyPrint), Markdown or JSON."""

from clearhold.reports.evaluation.render import FORMATS, charts, render, render_html, render_md, render_pdf

__all__ = ["FORMATS", "charts", "render", "render_html", "render_md", "render_pdf"]
