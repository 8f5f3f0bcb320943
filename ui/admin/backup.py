"""Backup (one archive: a consistent copy of the database, the evidence files, the accepted criteria files
and a manifest with checksums) and restore from such an archive after a typed confirmation: an uploaded one
(up to the server's upload limit) or one in the backups folder beside the database (any size)."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import streamlit as st

from i18n.format import local_time
from storage.admin import backup
from storage.engine import Store
from storage.errors import StoreError
from storage.organisation.accounts import User
from ui import choices, session
from ui.admin import run
from ui.errors import describe
from ui.i18n import current_language, t

LAST = "adm:last_backup"
CHECKED = "adm:restore_checked"  # (which archive, its manifest): checked once, not on every rerun


def _progress_bar():
    bar = st.progress(0.0)
    return lambda fraction, caption: bar.progress(min(max(fraction, 0.0), 1.0), text=t(caption))


def view(db: Store, user: User) -> None:
    st.subheader(t("adm_backup"))
    st.caption(t("adm_backup_hint"))
    if st.button(t("adm_backup_make"), type="primary", icon=":material/backup:"):
        def make() -> None:
            st.session_state[LAST] = str(backup.backup(db, backup.backups_folder(db), _progress_bar(), actor=user))
        if run(make):
            st.rerun()
    last = st.session_state.get(LAST)
    if last and Path(last).exists():
        path = Path(last)
        st.success(t("adm_backup_ready", name=path.name, size=f"{path.stat().st_size / 1_048_576:,.1f}"),
                   icon=":material/check_circle:")
        st.download_button(t("adm_backup_download"), partial(path.read_bytes), file_name=path.name,
                           mime="application/zip", on_click="ignore", icon=":material/download:")
    st.divider()
    _restore(db, user)


def _restore(db: Store, user: User) -> None:
    st.subheader(t("adm_restore"))
    st.warning(t("adm_restore_warning"), icon=":material/warning:")
    round_ = st.session_state.get("adm:restore_round", 0)
    upload = st.file_uploader(t("adm_restore_file", limit=backup.MAX_ARCHIVE_MB), type=["zip"],
                              key=f"adm:restore:{round_}", max_upload_size=backup.MAX_ARCHIVE_MB)
    stored = {p.name: p for p in backup.archives(db)}
    chosen = None
    if upload is None and stored:
        chosen = choices.selectbox(t("adm_restore_stored"), [None, *stored], key=f"adm:restore_stored:{round_}",
                                   format_func=lambda name: t("adm_restore_none") if name is None else name)
    archive = upload if upload is not None else stored.get(chosen)
    if archive is None:
        return
    identity = upload.file_id if upload is not None else str(archive)
    if st.session_state.get(CHECKED, (None,))[0] != identity:
        try:
            st.session_state[CHECKED] = (identity, backup.check_archive(archive))
        except StoreError as exc:
            st.error(describe(exc), icon=":material/error:")
            return
    manifest = st.session_state[CHECKED][1]
    st.info(t("adm_restore_found", when=local_time(manifest.created_at, current_language()),
              files=len(manifest.files),
              rows=sum(manifest.tables.values())), icon=":material/inventory_2:")
    word = t("adm_restore_word")
    typed = st.text_input(t("adm_restore_confirm", word=word), key=f"adm:restore_typed:{round_}")
    if st.button(t("adm_restore_button"), type="primary", disabled=typed.strip() != word,
                 key=f"adm:restore_go:{round_}", icon=":material/settings_backup_restore:"):
        if run(lambda: backup.restore_into(db, archive, user, _progress_bar()), done=t("adm_restore_done")):
            st.session_state["adm:restore_round"] = round_ + 1
            st.session_state.pop(CHECKED, None)
            st.cache_data.clear()  # cached figures are keyed by the store's version, which a restore rewinds
            session.renew()  # the restore replaced the store's sign-ins, this one's too
        st.rerun()
