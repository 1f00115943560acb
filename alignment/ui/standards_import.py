"""The review app's "Standards library" panel: import a standards file or a CASE URL.

A specialist uploads a CDE standards document (PDF, Word, saved text), a CASE JSON
package or a CSV/Excel file, or gives a CASE provider's CFPackages URL, and the
import goes into the standards library exactly as ``pathway-align standards import``
does it (:func:`alignment.data.library.import_standards`: all or nothing, provenance
recorded, the reviewer as importer). Every app page opened afterwards reads the
merged standards (a Voila page starts its own kernel). The teacher app has no such
panel: it stays read-only.
"""

from __future__ import annotations

import tempfile
import threading
from pathlib import Path

from alignment.data.library import import_standards, library_coverage, load_merged
from alignment.data.standards import SECTORS
from alignment.io.errors import InputError
from alignment.ui import html as h
from alignment.ui import session

UPLOAD_SUFFIXES = ".json,.pdf,.docx,.txt,.csv,.xlsx"
FROM_DOCUMENT = "(named in the document)"


def library_summary_html() -> str:
    """The imports of the library and the CA CTE sectors still missing, as HTML."""
    merged = load_merged()
    coverage = library_coverage(merged)
    items = [f"<li><b>{h.esc(e.name)}</b>: {h.esc(e.provenance['source'])} ({e.provenance['rows']} rows, "
             f"imported {h.esc(e.provenance['imported_at'][:16].replace('T', ' '))} UTC by "
             f"{h.esc(e.provenance['importer'])})</li>" for e in merged.imports]
    missing = coverage[(coverage["framework"] == "cte_pathway") & (coverage["completeness"] == "missing")
                       & (coverage["pathway"] == "")]["sector"].tolist()
    parts = ['<div class="pa-library">']
    parts.append(f"<ul>{''.join(items)}</ul>" if items else '<div class="pa-muted">No imports yet: the apps use the '
                                                            'bundled standards.</div>')
    if missing:
        parts.append(f'<div class="pa-muted">Sectors without pathway standards: {h.esc(", ".join(missing))}.</div>')
    parts.append("</div>")
    return "".join(parts)


class StandardsImportPanel:
    """Upload or URL, optional sector and name, an Import button and the result."""

    def __init__(self, importer: callable = None):
        import ipywidgets as w

        self.importer = importer or (lambda: "")
        self.upload = w.FileUpload(accept=UPLOAD_SUFFIXES, multiple=False, description="Standards file",
                                   layout=w.Layout(width="200px"))
        self.upload.add_class("pa-standards-upload")
        self.url = w.Text(placeholder="https://.../ims/case/v1p0/CFPackages/<id>", description="or CASE URL",
                          layout=w.Layout(width="560px"))
        self.url.add_class("pa-standards-url")
        self.sector = w.Dropdown(options=[FROM_DOCUMENT, *SECTORS], value=FROM_DOCUMENT, description="Sector",
                                 layout=w.Layout(width="560px"))
        self.sector.add_class("pa-standards-sector")
        self.name = w.Text(placeholder="name in the library (optional)", description="Name",
                           layout=w.Layout(width="420px"))
        self.button = w.Button(description="Import", icon="upload", button_style="primary",
                               layout=w.Layout(width="120px"))
        self.button.add_class("pa-standards-import")
        self.message = w.HTML("")
        self.message.add_class("pa-standards-message")
        self.summary = w.HTML("")
        self.summary.add_class("pa-standards-summary")
        for widget in (self.url, self.sector, self.name):
            widget.style.description_width = "90px"
        self.button.on_click(lambda _: self.run())
        self.widget = w.VBox([w.HBox([self.upload, self.url]), w.HBox([self.sector]),
                              w.HBox([self.name, self.button]), self.message, self.summary])
        self.widget.add_class("pa-standards-library")
        self.refresh()

    def refresh(self) -> None:
        try:
            self.summary.value = library_summary_html()
        except InputError as exc:
            self.summary.value = h.notice(f"The standards library cannot be read: {h.error_text(exc)}", "error")

    def run(self):
        """Import what was uploaded (or the URL); returns the :class:`ImportResult` or None."""
        sector = None if self.sector.value == FROM_DOCUMENT else self.sector.value
        name = self.name.value.strip() or None
        importer = self.importer() or None
        try:
            if self.upload.value:
                upload = self.upload.value[0]
                with tempfile.TemporaryDirectory() as tmp:
                    path = Path(tmp) / Path(upload["name"]).name
                    path.write_bytes(bytes(upload["content"]))
                    result = import_standards(path, name=name, sector=sector, importer=importer)
            elif self.url.value.strip():
                result = import_standards(self.url.value.strip(), name=name, sector=sector, importer=importer)
            else:
                self.message.value = h.notice("Choose a standards file or give a CASE URL first.", "warn")
                return None
        except InputError as exc:
            self.message.value = h.notice(f"Nothing was imported: {h.error_text(exc)}", "error")
            return None
        lines = [result.describe(), *result.notes, *result.differences]
        self.message.value = h.notice("\n".join(lines) + "\nPages opened from now on use it (reload this page to "
                                      "review with it).", "info")
        self.upload.value = ()
        self.refresh()
        # drop this kernel's models fitted on the old standards; in a thread, because the
        # session lock is held while the models load in the background (minutes)
        threading.Thread(target=session.forget_standards, name="pathway-align-forget", daemon=True).start()
        return result


def standards_import_panel(**kwargs):
    """The panel's top widget."""
    return StandardsImportPanel(**kwargs).widget
