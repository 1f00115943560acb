"""Keyboard shortcuts for an app: a tiny `anywidget <https://anywidget.dev>`_ that
listens to key presses on the page and sends each one to the kernel, with the item
the page showed focused when the key was pressed.

Why not ipyevents: its key listener is attached only while the mouse is over the
widget and cancels every key's default action there, so a reviewer could neither use
the keys without the mouse nor type a note inside the app. This widget listens on the
document, leaves keys typed in text fields and selects alone, ignores keys with
Ctrl/Alt/Meta (the browser's own shortcuts), and cancels only the keys it was told
about. Each press arrives in Python as ``on_key(callback)`` -> ``callback(key, item)``
(``"a"``, ``"A"`` with Shift, ``"ArrowDown"``).

Why the item: a key acts on what the reviewer SAW focused. The kernel handles messages
one after another, and under load the page can be a step behind it (a course still
being drawn, a focus move not shown yet), so "the kernel's focused row when the
message arrives" is not always the row the reviewer looked at. The page's items are
the elements matching ``item_selector``; the focused one carries ``focus_class``; each
names itself with a class ``item_prefix + id``. The message carries that id
(``item``, "" when none is focused). The keys of ``step_keys`` (key -> +1/-1) move the
focus in the page at once, before the kernel hears of it, so a next key acts on the
item just focused however slow the kernel is (the page keeps its own last focus
while that row is drawn, so a late echo of an earlier move does not take it back).

One listener per widget however many times it is displayed (a second view of the
same widget does not send each key twice).
"""

from __future__ import annotations

import uuid

import anywidget
import traitlets

_ESM = """
const listeners = new Map();  // model id -> {views, onKey}

function itemId(element, prefix) {
  for (const name of element.classList) {
    if (name.startsWith(prefix)) return name.slice(prefix.length);
  }
  return "";
}

function makeListener(model, entry) {
  const fields = new Set(["INPUT", "TEXTAREA", "SELECT"]);
  return (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    const target = event.target;
    if (target && (fields.has(target.tagName) || target.isContentEditable)) return;
    const keys = model.get("shortcut_keys");
    if (!keys.includes(event.key)) return;
    event.preventDefault();
    const selector = model.get("item_selector");
    const focus = model.get("focus_class");
    const prefix = model.get("item_prefix");
    const items = selector ? Array.from(document.querySelectorAll(selector)) : [];
    // the item this page last focused itself, while it is drawn: the kernel's echoes of
    // earlier focus moves may still be on their way and must not win over it
    let i = entry.lastItem ? items.findIndex((e) => itemId(e, prefix) === entry.lastItem) : -1;
    if (i < 0) i = items.findIndex((e) => e.classList.contains(focus));
    const step = model.get("step_keys")[event.key];
    if (step && items.length) {
      i = Math.max(0, Math.min(items.length - 1, (i < 0 ? 0 : i) + step));
      items.forEach((e, k) => e.classList.toggle(focus, k === i));
      entry.lastItem = itemId(items[i], prefix);
    }
    const item = i >= 0 ? itemId(items[i], prefix) : "";
    model.send({ key: event.key, item: item });
  };
}

function render({ model, el }) {
  el.classList.add("pa-keys");
  const id = model.get("instance_id");
  let entry = listeners.get(id);
  if (!entry) {
    entry = { views: 0, lastItem: "" };
    entry.onKey = makeListener(model, entry);
    document.addEventListener("keydown", entry.onKey);
    listeners.set(id, entry);
  }
  entry.views += 1;
  return () => {
    entry.views -= 1;
    if (entry.views === 0) {
      document.removeEventListener("keydown", entry.onKey);
      listeners.delete(id);
    }
  };
}
export default { render };
"""


class KeyboardShortcuts(anywidget.AnyWidget):
    """Sends the presses of ``keys`` (``KeyboardEvent.key`` values), with the focused
    item's id, to :meth:`on_key` callbacks (see the module docstring)."""

    _esm = _ESM
    shortcut_keys = traitlets.List(traitlets.Unicode()).tag(sync=True)
    item_selector = traitlets.Unicode("").tag(sync=True)
    focus_class = traitlets.Unicode("pa-focus").tag(sync=True)
    item_prefix = traitlets.Unicode("pa-item-").tag(sync=True)
    step_keys = traitlets.Dict().tag(sync=True)
    #: Names this widget in the page (its views share one listener).
    instance_id = traitlets.Unicode("").tag(sync=True)

    def __init__(self, keys: list[str], **kwargs):
        kwargs.setdefault("instance_id", uuid.uuid4().hex)
        super().__init__(shortcut_keys=list(keys), **kwargs)
        self._callbacks = []
        self.on_msg(self._handle)

    def on_key(self, callback) -> None:
        """``callback(key, item)`` on each press (``item``: the focused item's id, or None)."""
        self._callbacks.append(callback)

    def press(self, key: str, item: str | None = None) -> None:
        """What a key press does (the browser's message, or a test)."""
        if key in self.shortcut_keys:
            for callback in self._callbacks:
                callback(key, item or None)

    def _handle(self, _widget, content, _buffers) -> None:
        if isinstance(content, dict) and isinstance(content.get("key"), str):
            item = content.get("item")
            self.press(content["key"], item if isinstance(item, str) else None)
