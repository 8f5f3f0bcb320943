"""The string catalogue: every key in Thai and English, placeholders matching, every key in use."""

import re
from pathlib import Path

import pytest

from i18n import LANGUAGES, catalogue, translate

pytestmark = pytest.mark.engine_free  # opens no store: run once, by make test (conftest.py)

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("key", sorted(catalogue()))
def test_every_key_has_thai_and_english_with_same_placeholders(key):
    entry = catalogue()[key]
    assert set(entry) - {"en_one"} == set(LANGUAGES)
    assert all(entry[lang].strip() for lang in LANGUAGES)
    assert set(PLACEHOLDER.findall(entry["th"])) == set(PLACEHOLDER.findall(entry["en"]))
    if "en_one" in entry:  # English for n == 1: it needs n, and no value English does not have
        assert "n" in PLACEHOLDER.findall(entry["en"])
        assert set(PLACEHOLDER.findall(entry["en_one"])) <= set(PLACEHOLDER.findall(entry["en"]))


def test_thai_strings_are_thai():
    thai, words = re.compile(r"[\u0E00-\u0E7F]"), re.compile(r"[A-Za-z]{2,}")
    untranslated = [key for key, entry in catalogue().items()
                    if words.search(PLACEHOLDER.sub("", entry["th"])) and not thai.search(entry["th"])]
    assert not untranslated


@pytest.mark.parametrize(("n", "en"), [(0, "0 OFIs"), (1, "1 OFI "), (2, "2 OFIs")])
def test_english_counts_have_a_singular_and_thai_none(n, en):
    assert translate("ofi_count", "en", n=n).startswith(en)
    assert translate("ofi_count", "th", n=n).startswith(f"{n} รายการ")
    assert translate("ovc_units_sharing", "en", n=n) == ("Shared by 1 unit" if n == 1 else f"Shared by {n} units")


def test_translate_fills_placeholders_and_falls_back_to_thai():
    assert translate("fiscal_year", "th", year=2570) == "ปีงบประมาณ พ.ศ. 2570"
    assert translate("fiscal_year", "en", year=2570) == "Fiscal year 2570 B.E."
    assert translate("sign_in", "xx") == translate("sign_in", "th")
    with pytest.raises(KeyError):
        translate("no_such_key")


def test_every_key_used_in_code_exists_and_every_key_is_used():
    folders = ("pages", "ui", "i18n", "charts", "analysis", "storage", "intake", "reports", "jobs")
    sources = "\n".join(p.read_text(encoding="utf-8") for folder in folders for p in (ROOT / folder).rglob("*.py"))
    sources += (ROOT / "streamlit_app.py").read_text(encoding="utf-8")
    used = set(re.findall(r"""\bt(?:ranslate)?\(\s*["'](\w+)["']""", sources))
    assert used <= set(catalogue()), used - set(catalogue())
    # keys built from a prefix and a value
    dynamic = ("level_", "status_", "role_", "threshold_", "sa_kpi_direction_", "note_", "rv_kind_", "ofi_col_",
               "ofi_priority_", "ofi_status_", "ofi_source_", "ov_source_", "ov_method_", "phase_", "year_status_",
               "setup_", "adm_tab_", "adm_award_", "diff_kind_", "diff_change_", "session_ended_",
               "rules_missing_", "adm_rules_missing_", "ovc_lens_goal", "ovc_lens_factor", "dp_rule_",
               "wb_sheet_", "wb_kind_", "off_sheet_", "off_col_", "wp_status_", "pl_status_", "pl_horizon_",
               "pl_comment_", "fu_status_", "fu_round_", "fu_col_", "fu_phase_closed_", "fu_done", "fu_evidence",
               "fu_problems", "pg_state_", "error_report_phase_", "audit_act_", "audit_ent_", "audit_field_",
               "audit_sso_", "audit_word_", "audit_sum_sign_out_", "job_why_", "id_name_", "id_short_", "id_ministry_",
               "id_head_", "id_address_", "adli_", "dp_cmp_")
    unused = {k for k in catalogue() if k not in used and not k.startswith(dynamic) and f'"{k}"' not in sources}
    assert not unused, f"keys no code uses: {sorted(unused)}"


def test_evidence_is_labelled_without_a_confidential_links_address():
    """The citation picker of the department page and the application report name evidence alike; a
    confidential link's address (it may carry an access token) appears on neither."""
    from types import SimpleNamespace

    from i18n.format import evidence_label

    secret = "https://drive.example/d/x?token=s3cr3t"
    row = lambda filename, url, confidential: SimpleNamespace(code="U1", filename=filename, url=url,  # noqa: E731
                                                              confidential=confidential)
    assert evidence_label(row(secret, secret, 1), "th") == "U1 · (ลับ)"
    assert evidence_label(row("แผนลับ", secret, 1), "en") == "U1 · แผนลับ (confidential)"
    assert evidence_label(row("แผน", "https://open.example/p", 0)) == "U1 · แผน — https://open.example/p"
    assert evidence_label(row("แผน.pdf", None, 0)) == "U1 · แผน.pdf"
