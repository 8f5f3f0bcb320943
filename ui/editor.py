"""Versioned editing in Streamlit: widgets primed from the store, every change saved at once.

Widget values live in ``st.session_state`` under keys made by ``Editor.key``. They are primed from the
loaded record whenever a widget is drawn anew (``ui.widget_state``: first drawn, or back from another section
or page) and whenever the stored version is not the one this session last saved (someone else saved, or a
save was refused), so what is shown is what is stored.

A field's save (``save_field``) sends what the widget showed before the change, so the store refuses it
only when someone changed that same field meanwhile; the refusal is shown beside the field's control
(``field_error``), and a save that went through after someone else's brings their changes in. When the field is
a text both people wrote, nothing typed is lost: the box shows the stored text and ``text_notes`` keeps the
user's own beside it, to keep theirs, use one's own, or put both in the box.
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from storage.errors import FieldConflict, StoreError
from ui import faults
from ui.errors import describe
from ui.i18n import t
from ui.people import person
from ui.text import MISSING, md
from ui.widget_state import seed


def _same(value, shown) -> bool:
    """Whether a widget's reported value is the one it was given (a text compared as it is saved, trimmed)."""
    if isinstance(value, str) or isinstance(shown, str):
        return (value or "").strip() == (shown or "").strip()
    if isinstance(value, list | tuple) or isinstance(shown, list | tuple):
        return sorted(value or []) == sorted(shown or [])
    return value == shown


class Editor:
    """One editing scope (a page's form), e.g. ``Editor("sa")`` for the self-assessment."""

    def __init__(self, scope: str):
        self.scope = scope
        self.loaded = f"{scope}:loaded"  # (record id, version) the widgets show
        self._flash = f"{scope}:flash"
        self._shown = f"{scope}:shown"  # widget key -> the stored value it was primed with (or saved)
        self._field_flash = f"{scope}:field_flash"  # (widget key, message) of a field's refused save
        self._conflicts = f"{scope}:conflicts"  # widget key -> {mine, theirs, by} of a text refused for a conflict
        self._text_saved = f"{scope}:text_saved"  # the widget key of a text just saved (its sign shows once)

    def key(self, kind: str, *parts) -> str:
        return ":".join([self.scope, kind, *map(str, parts)])

    def begin(self, record_id: int, version: int) -> bool:
        """Call once per run before any widget; True when widgets must take the stored values."""
        current = (record_id, version)
        fresh = st.session_state.get(self.loaded) != current
        st.session_state[self.loaded] = current
        return fresh

    def prime(self, widget_key: str, stored, fresh: bool):
        """Before drawing a widget: show ``stored`` when the record changed (``fresh``) or the widget is drawn
        anew (``ui.widget_state``), else keep what the widget holds (the user's change, saved or refused).
        Returns ``stored``, the widget's default (see ``ui.widget_state.show_stored``)."""
        if seed(widget_key, stored, force=fresh):
            st.session_state.setdefault(self._shown, {})[widget_key] = stored
        return stored

    def shown(self, widget_key: str):
        """The stored value a widget was last given (primed or saved), which a save names as what it changes."""
        return st.session_state.get(self._shown, {}).get(widget_key)

    def flash(self, kind: str, text: str) -> None:
        st.session_state[self._flash] = (kind, text)

    def flashed(self) -> str | None:
        """The kind of the outcome waiting to be shown ('success' or 'error'), if any."""
        return st.session_state.get(self._flash, (None,))[0]

    def show_flash(self) -> None:
        kind, text = st.session_state.pop(self._flash, (None, None))
        if kind == "error":
            st.error(text, icon=":material/error:")
        elif kind == "success":
            st.toast(text, icon=":material/check_circle:")

    def _refused(self, exc: Exception) -> None:
        """A refused change (bad input, no access, a conflict) is described; anything else is a fault,
        logged under a reference that the message gives. The store's transaction has rolled back."""
        if isinstance(exc, StoreError):
            self.flash("error", describe(exc))
        else:
            self.flash("error", faults.message(faults.report(exc, where=f"a change in {self.scope}")))

    def attempt(self, action: Callable[[], object], done: str | None = None) -> bool:
        """Run a store action that is not versioned; report the outcome on the next render."""
        try:
            action()
        except Exception as exc:
            self._refused(exc)
            return False
        if done:
            self.flash("success", done)
        return True

    def save_field(self, widget_key: str, value, action: Callable[[int, object], int]) -> None:
        """Save one field's new ``value``: ``action(version on screen, value shown before)``. A refusal is kept
        for ``field_error`` beside the control, and every widget goes back to the stored values."""
        record_id, version = st.session_state[self.loaded]
        shown = st.session_state.setdefault(self._shown, {})
        if _same(value, shown.get(widget_key)):
            return  # not a change: a widget reporting the value it was given (a browser that still held a section
            # drawn away reports it as changed when it comes back); saving it would be a change nobody made
        conflicts = st.session_state.setdefault(self._conflicts, {})
        try:
            result = action(version, shown.get(widget_key))
        except Exception as exc:
            st.session_state[self.loaded] = None
            if isinstance(exc, FieldConflict) and isinstance(value, str):  # two texts: keep the user's beside theirs
                conflicts[widget_key] = {"mine": value, "theirs": exc.stored or "", "by": person(exc.params.get("by"))
                                         or "-"}
                return
            self._refused(exc)
            st.session_state[self._field_flash] = (widget_key, st.session_state.pop(self._flash)[1])
            return
        conflicts.pop(widget_key, None)
        if isinstance(value, str):
            st.session_state[self._text_saved] = widget_key
        shown[widget_key] = value
        # someone else saved in between (other fields): show the store's values, theirs with ours
        st.session_state[self.loaded] = (record_id, result) if result == version + 1 else None
        self.flash("success", t("sa_saved"))

    def field_error(self, widget_key: str, container=st) -> None:
        """Beside a field's control: why its last change was refused, if it was (once)."""
        flashed = st.session_state.get(self._field_flash)
        if flashed and flashed[0] == widget_key:
            del st.session_state[self._field_flash]
            container.error(flashed[1], icon=":material/sync_problem:")

    def text_notes(self, widget_key: str, save: Callable[[int, object, str], int], container=st) -> None:
        """Below a text box: ``text_saved`` and ``text_conflict``."""
        self.text_saved(widget_key, container)
        self.text_conflict(widget_key, save, container)

    def text_saved(self, widget_key: str, container=st) -> None:
        """Below a text box (saved when it is left, far from the toast on a long page): a sign that it was saved,
        once."""
        if st.session_state.get(self._text_saved) == widget_key:
            del st.session_state[self._text_saved]
            container.caption(f":material/check_circle: {t('text_saved')}")

    def text_conflict(self, widget_key: str, save: Callable[[int, object, str], int], container=st,
                      title: str | None = None) -> None:
        """Where there is room (the whole width): when a text box's change was refused because someone else
        changed the same text meanwhile, their text (now in the box) and the user's own side by side, with three
        ways on: keep theirs, use one's own, or put both in the box to edit. ``save(version, shown, text)``
        saves a text as ``save_field`` does; ``title`` names the box when the panel is not right below it."""
        conflict = st.session_state.get(self._conflicts, {}).get(widget_key)
        if not conflict:
            return
        box = container.container(border=True)
        if title:
            box.markdown(f"**{title}**")
        box.warning(t("conflict_text", by=md(conflict["by"])), icon=":material/sync_problem:")
        theirs, mine = box.columns(2)
        theirs.caption(t("conflict_theirs", by=md(conflict["by"])))
        theirs.markdown(md(conflict["theirs"]) or MISSING)
        mine.caption(t("conflict_mine"))
        mine.markdown(md(conflict["mine"]) or MISSING)
        both = "\n\n".join(text for text in (conflict["theirs"], conflict["mine"]) if text)
        buttons = box.columns(3)
        for column, (label, text, icon) in zip(buttons, (
                ("conflict_keep_theirs", None, ":material/check:"),
                ("conflict_use_mine", conflict["mine"], ":material/undo:"),
                ("conflict_both", both, ":material/merge:")), strict=True):
            column.button(t(label), key=f"{widget_key}:resolve:{label}", icon=icon, width="stretch",
                          on_click=self._resolve, args=(widget_key, text, save))

    def _resolve(self, widget_key: str, text: str | None, save: Callable[[int, object, str], int]) -> None:
        conflicts = st.session_state.setdefault(self._conflicts, {})
        conflict = conflicts.pop(widget_key, None)
        if conflict is None or text is None:  # their text is in the box and in the store already
            return
        self.save_field(widget_key, text, lambda version, shown: save(version, shown, text))
        if widget_key in conflicts:  # changed once more meanwhile: a new conflict to settle
            return
        if self.flashed() == "success":
            st.session_state[widget_key] = text
        else:  # refused for another reason (too long, say): the choice is still to make
            conflicts[widget_key] = conflict

    def save(self, action: Callable[[int], int | tuple], done: str | None = None) -> None:
        """Run a versioned save with the version on screen; report the outcome on the next render.
        A refused save (conflict or bad input) puts every widget back to the stored values."""
        record_id, version = st.session_state[self.loaded]
        try:
            result = action(version)
        except Exception as exc:
            st.session_state[self.loaded] = None
            self._refused(exc)
            return
        st.session_state[self.loaded] = (record_id, result[0] if isinstance(result, tuple) else result)
        self.flash("success", done or t("sa_saved"))


class Outcome:
    """The outcome of a page's action (a save, an approval, a comment), kept under ``key`` and shown once, as an
    alert at the top of the next run: unlike ``Editor``'s toast, it stays in view above what changed."""

    def __init__(self, key: str):
        self.key = key

    def attempt(self, action: Callable[[], object], done: str) -> bool:
        """Run a store action; a refusal (``StoreError``) is described, anything else reaches the fault
        boundary."""
        try:
            action()
        except StoreError as exc:
            st.session_state[self.key] = ("error", describe(exc))
            return False
        st.session_state[self.key] = ("success", done)
        return True

    def show(self) -> None:
        if flash := st.session_state.pop(self.key, None):
            if flash[0] == "success":
                st.success(flash[1], icon=":material/check_circle:")
            else:
                st.error(flash[1], icon=":material/error:")
