"""A catalog file upload with its column-mapping step, shared by the review app and the
teacher app (one place for the rule, so both apps accept the same files).

A catalog from a student information system often has headers of its own. The loader
(:func:`alignment.data.catalog.load_catalog_bytes`) already recognises the usual SIS
names; when a required column is still not recognised it refuses the file with an
error listing the columns found and the mapping to write. :class:`CatalogUpload` then
keeps the refused file, shows a "Columns" field (``Course Number=course_id, Long
Description=description``, parsed by :func:`alignment.data.catalog.parse_column_mapping`)
and loads the same file again with that mapping when asked. What "loading" means is
the app's: ``load(content, filename, columns)`` returns what was loaded (the review
session's catalog name, the teacher app's table) and ``on_loaded(result, filename)``
shows it; every message goes through ``notify(html)``.
"""

from __future__ import annotations

from collections.abc import Callable

from alignment.ui import html as h

#: File types a catalog upload accepts (the loader's).
UPLOAD_SUFFIXES = ".csv,.txt,.xlsx,.xlsm"
#: The placeholder of the mapping field: the form the mapping takes.
MAPPING_EXAMPLE = "Course Number=course_id, Long Description=description"


def needs_mapping(message: str) -> bool:
    """Whether a refusal is one the mapping step can fix (a required column not recognised,
    or a mapping that named a column the file does not have)."""
    return "missing required column" in message or "mapping" in message


class CatalogUpload:
    """The upload button, and the mapping step shown when a file's columns need naming.

    ``load(content: bytes, filename: str, columns: dict | None)`` loads a file (raising
    on bad input); ``on_loaded(result, filename)`` is called with what it returned;
    ``notify(html)`` shows a message; ``error_text(exc)`` words an error (default
    :func:`alignment.ui.html.error_text`).
    """

    def __init__(self, load: Callable, on_loaded: Callable, notify: Callable[[str], None], *,
                 error_text: Callable[[BaseException], str] = h.error_text, description: str = "Upload a catalog"):
        import ipywidgets as w

        self._load, self._on_loaded, self._notify, self._error_text = load, on_loaded, notify, error_text
        self.pending: tuple[str, bytes] | None = None
        self.upload = w.FileUpload(accept=UPLOAD_SUFFIXES, multiple=False, description=description,
                                   layout=w.Layout(width="200px"))
        self.upload.add_class("pa-upload")
        self.mapping = w.Text(placeholder=MAPPING_EXAMPLE, description="Columns", continuous_update=False,
                              layout=w.Layout(width="640px"))
        self.mapping.add_class("pa-mapping")
        self.mapping_button = w.Button(description="Load with this mapping", icon="upload",
                                       layout=w.Layout(width="200px"))
        self.mapping_button.add_class("pa-mapping-load")
        self.mapping_box = w.HBox([self.mapping, self.mapping_button], layout=w.Layout(display="none"))
        self.upload.observe(self.on_upload, names="value")
        self.mapping_button.on_click(lambda _: self.load_with_mapping())

    def on_upload(self, change) -> None:
        """The FileUpload's new value: load the file it holds."""
        files = change["new"]
        if files:
            upload = files[0]
            self.load(upload["name"], bytes(upload["content"]))

    def load(self, name: str, content: bytes, columns: dict[str, str] | None = None):
        """Load one file (with a column mapping, or none); what ``load`` returned, or None
        when the file was refused (the message says why and, when a mapping can fix it,
        shows the mapping step)."""
        try:
            result = self._load(content, name, columns)
        except Exception as exc:  # an InputError names the rows; a corrupt file must not take the app down
            text = self._error_text(exc)
            if needs_mapping(text):
                self.pending = (name, content)
                self.mapping_box.layout.display = None
                text += "\nSay which column is which in “Columns” below (file header=catalog column), then load."
            self._notify(h.notice(f"{name} was not loaded:\n{text}", "error"))
            return None
        self.pending = None
        self.mapping_box.layout.display = "none"
        self._on_loaded(result, name)
        return result

    def load_with_mapping(self):
        """The mapping step: load the last refused file with the typed column mapping."""
        from alignment.data.catalog import parse_column_mapping

        if self.pending is None:
            self._notify(h.notice("Upload a catalog first.", "info"))
            return None
        try:
            columns = parse_column_mapping(self.mapping.value, "Columns")
        except Exception as exc:
            self._notify(h.notice(self._error_text(exc), "error"))
            return None
        return self.load(*self.pending, columns=columns)
