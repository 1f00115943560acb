"""Keyboard shortcuts for an app: a tiny `anywidget <https://anywidget.dev>`_ that
listens to key presses on the page and sends each one to the kernel.

Why not ipyevents: its key listener is attached only while the mouse is over the
widget and cancels every key's default action there, so a reviewer could neither use
the keys without the mouse nor type a note inside the app. This widget listens on the
document, leaves keys typed in text fields and selects alone, ignores keys with Ctrl/Alt/Meta (the browser's own shortcuts), and
cancels only the keys it was told about. Each press arrives in Python as
``on_key(callback)`` -> ``callback(key)`` (``"a"``, ``"A"`` with Shift, ``"ArrowDown"``).
"""

from __future__ import annotations

import anywidget
import traitlets

_ESM = """
function render({ model, el }) {
  el.classList.add("pa-keys");
  const fields = new Set(["INPUT", "TEXTAREA", "SELECT"]);
  const onKey = (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    const target = event.target;
    if (target && (fields.has(target.tagName) || target.isContentEditable)) return;
    const keys = model.get("shortcut_keys");
    if (!keys.includes(event.key)) return;
    event.preventDefault();
    model.send({ key: event.key });
  };
  document.addEventListener("keydown", onKey);
  return () => document.removeEventListener("keydown", onKey);
}
export default { render };
"""


class KeyboardShortcuts(anywidget.AnyWidget):
    """Sends the presses of ``keys`` (``KeyboardEvent.key`` values) to :meth:`on_key` callbacks."""

    _esm = _ESM
    shortcut_keys = traitlets.List(traitlets.Unicode()).tag(sync=True)

    def __init__(self, keys: list[str], **kwargs):
        super().__init__(shortcut_keys=list(keys), **kwargs)
        self._callbacks = []
        self.on_msg(self._handle)

    def on_key(self, callback) -> None:
        self._callbacks.append(callback)

    def press(self, key: str) -> None:
        """What a key press does (the browser's message, or a test)."""
        if key in self.shortcut_keys:
            for callback in self._callbacks:
                callback(key)

    def _handle(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and isinstance(content.get("key"), str):
            self.press(content["key"])
