"""iraqtalks.analysis: the helpers of lessons 04–07, on the kit's data and on small made-up tables."""
from __future__ import annotations

import pandas as pd
import pytest

from iraqtalks import analysis as A
from iraqtalks import load
from iraqtalks.analysis import brief as brief_module
from iraqtalks.analysis.brief import Brief
from iraqtalks.views.charts import measure_chart

# --------------------------------------------------------------------------------------------
# Small made-up tables
# --------------------------------------------------------------------------------------------

def syn_actors() -> pd.DataFrame:
    return pd.DataFrame({
        "actor_id": ["pm", "gov", "anon", "pent"],
        "name_en": ["Jane Doe", "Ruritania (government)", "Unnamed official", "Pentagon (US Department of Defense)"],
        "kind": ["person", "government", "anonymous_source", "state_body"],
        "role_en": ["Prime Minister", "Host", "Source", "Ministry"],
        "affiliation_id": ["gov", None, "gov", None],
        "country": ["Ruritania"] * 4,
    })


def syn_names() -> pd.DataFrame:
    rows = [("pm", "x1", "Jane Doe", "full"), ("pm", "x1", "Doe", "short"), ("pm", "x2", "Jayne Doe", "full"),
            ("pm", "x3", "Doe", "short"), ("gov", "x1", "Ruritania", "full"), ("gov", "x2", "Ruritania", "full"),
            ("pent", "x1", "Lầu năm góc", "metonym"), ("pent", "x2", "Lầu Năm Góc", "metonym")]
    df = pd.DataFrame(rows, columns=["actor_id", "article_id", "name_as_written", "name_type"])
    df["evidence"] = df["name_as_written"] + " said"
    df["evidence_en"] = df["name_as_written"] + " said (en)"
    return df


def syn_articles() -> pd.DataFrame:
    return pd.DataFrame({"article_id": ["x1", "x2", "x3"], "outlet_id": ["site", None, None],
                         "label_en": ["one", "two", "three"]})


def syn_numbers() -> pd.DataFrame:
    rows = [
        # number_id, article, as written, value, qualifier, hedge as written, measure
        ("m1", "x1", "2.500", 2500, "exact", None, "troops"),
        ("m2", "x2", "2.500", 2500, "about", "khoảng", "troops"),
        ("m3", "x1", "ba", 3, "exact", None, "killed"),
        ("m4", "x2", "3", 3, "exact", None, "killed"),
        ("m5", "x1", "150", 150, "at_least", "ít nhất", "attacks"),
        ("m6", "x2", "20", 20, "more_than", "hơn", "attacks"),
        ("m7", "x1", "hàng trăm", None, "vague", "hàng trăm", "allies"),
        ("m8", "x2", "Hàng trăm", None, "vague", "Hàng trăm", "allies"),
        ("m9", "x3", "7", 7, "exact", None, "alone"),
    ]
    df = pd.DataFrame(rows, columns=["number_id", "article_id", "value_as_written", "value", "qualifier",
                                     "qualifier_as_written", "measure_id"])
    df["counted_en"] = "things: " + df["measure_id"]
    df["unit"] = "troops"
    return df


def syn_tables(**extra) -> dict:
    t = {"actors": syn_actors(), "actor_names": syn_names(), "articles": syn_articles(), "numbers": syn_numbers()}
    t.update(extra)
    return t


# --------------------------------------------------------------------------------------------
# Lesson 04: who is who
# --------------------------------------------------------------------------------------------

def test_actor_roles_names_the_affiliation():
    df = A.actor_roles("person")
    assert set(df["kind"].astype(str)) == {"person"}
    rasool = df.set_index("actor_id").loc["yahya-rasool"]
    assert rasool["affiliation"] == "Office of the Iraqi Prime Minister"
    syn = A.actor_roles(tables=syn_tables()).set_index("actor_id")
    assert syn.loc["pm", "affiliation"] == "Ruritania (government)"
    assert pd.isna(syn.loc["gov", "affiliation"])


def test_actor_roles_rejects_an_unknown_kind_with_a_hint():
    with pytest.raises(KeyError, match="did you mean 'person'"):
        A.actor_roles("persn")


def test_resolve_names_maps_every_spelling_to_one_actor():
    res = A.resolve_names()
    assert len(res) == len(load("actor_names"))
    assert res["name_en"].notna().all()
    sudani = res[res["actor_id"] == "sudani"]
    assert set(sudani["name_en"]) == {"Mohammed Shia al-Sudani"}
    assert {"Mohamed Shia al-Sudani", "Mohammed Shia' Al Sudani", "Sudani"} <= set(sudani["name_as_written"])


def test_resolve_names_names_unknown_actors():
    names = syn_names()
    names.loc[0, "actor_id"] = "nobody"
    with pytest.raises(KeyError, match="nobody"):
        A.resolve_names(tables=syn_tables(actor_names=names))


def test_name_variants_pivots_spellings_by_article():
    piv = A.name_variants(tables=syn_tables())
    assert list(piv.columns) == ["spellings", "x1", "x2", "x3"]
    assert list(piv.index) == ["Jane Doe", "Pentagon (US Department of Defense)"]  # Ruritania: one spelling only
    assert piv.loc["Jane Doe", "x1"] == "Jane Doe / Doe"
    assert piv.loc["Jane Doe", "spellings"] == 3
    only_full = A.name_variants(["pm"], name_types="full", tables=syn_tables())
    assert only_full.loc["Jane Doe", "x3"] == ""


def test_name_variants_on_the_kit_data():
    piv = A.name_variants(["kataib-hezbollah", "yahya-rasool"])
    assert piv.loc["Kataib Hezbollah", "a001"] == "Ketaeb Hezbollah"
    assert piv.loc["Kataib Hezbollah", "a002"] == "Kataib Hezbollah"
    assert "Yehia Rasool" in piv.loc["Yahya Rasool", "a004"]
    with pytest.raises(KeyError, match="did you mean 'sudani'"):
        A.name_variants(["sudany"])


def test_counting_by_string_misses_articles_and_casefold_fixes_only_case():
    raw = A.string_vs_entity(tables=syn_tables()).set_index("actor_id")
    assert raw.loc["pm", "articles"] == 3 and raw.loc["pm", "best_string"] == "Doe"
    assert raw.loc["pm", "missed"] == 1
    assert raw.loc["pent", "missed"] == 1
    folded = A.string_vs_entity(casefold=True, tables=syn_tables()).set_index("actor_id")
    assert folded.loc["pent", "missed"] == 0 and folded.loc["pm", "missed"] == 1
    kit = A.string_vs_entity().set_index("actor_id")
    assert kit.loc["sudani", "missed"] > 0
    assert kit.loc["pentagon", "missed"] == 1
    assert A.string_vs_entity(casefold=True).set_index("actor_id").loc["pentagon", "missed"] == 0


def test_count_mentions_is_a_search_over_the_clean_texts():
    kat = A.count_mentions("Kataib").set_index("article_id")["mentions"]
    assert kat["a001"] == 0 and kat["a002"] > 0 and kat["a004"] > 0
    assert A.count_mentions("Ketaeb").set_index("article_id").loc["a001", "mentions"] == 1
    sent = pd.DataFrame({"article_id": ["x1", "x1", "x2"], "text": ["Lầu Năm Góc nói", "lầu năm góc", "Không"]})
    t = {"sentences": sent, "articles": syn_articles()}
    assert A.count_mentions("Lầu Năm Góc", tables=t)["mentions"].tolist() == [1, 0, 0]
    assert A.count_mentions("Lầu Năm Góc", case=False, tables=t)["mentions"].tolist() == [2, 0, 0]
    with pytest.raises(ValueError):
        A.count_mentions("  ")


def test_anonymous_counts_per_article():
    quotes = pd.DataFrame({"article_id": ["x1", "x1", "x1", "x2"], "speaker_id": ["anon", "pm", "anon", "pm"]})
    out = A.anonymous_counts(tables=syn_tables(quotes=quotes)).set_index("article_id")
    assert out.loc["x1", ["quotes", "anonymous", "named"]].tolist() == [3, 2, 1]
    assert out.loc["x1", "share_anonymous"] == 0.67
    assert out.loc["x1", "sources"] == "Unnamed official"
    assert out.loc["x3", "quotes"] == 0 and out.loc["x3", "share_anonymous"] == 0.0
    kit = A.anonymous_counts().set_index("article_id")
    q = load("quotes")
    assert kit["quotes"].sum() == len(q)


# --------------------------------------------------------------------------------------------
# Lesson 05: numbers
# --------------------------------------------------------------------------------------------

def test_hedges_table_lists_each_qualifier_once():
    h = A.hedges(tables=syn_tables())
    assert list(h["qualifier"]) == [q for q in A.HEDGES_EN if q in set(syn_numbers()["qualifier"])]
    vague = h.set_index("qualifier").loc["vague"]
    assert vague["as_written"] == "hàng trăm, Hàng trăm" and vague["numbers"] == 2
    kit = A.hedges()
    assert kit["numbers"].sum() == len(load("numbers"))


def test_compare_numbers_verdicts():
    c = A.compare_numbers(tables=syn_tables())
    assert "alone" not in c.index  # one article only
    assert c.loc["troops", "verdict"] == "same value, different hedges"
    assert c.loc["troops", "x2"] == "khoảng 2.500"
    assert c.loc["killed", "verdict"] == "same figure"  # 'ba' and '3'
    assert c.loc["attacks", "verdict"] == "different values"
    assert c.loc["allies", "verdict"] == "same figure"  # "hàng trăm" and "Hàng trăm": case is no difference (issue 16)
    assert c.loc["allies", "x2"] == "Hàng trăm"  # the hedge is not repeated
    one = A.compare_numbers("alone", tables=syn_tables())
    assert one.loc["alone", "verdict"] == "same figure"
    with pytest.raises(KeyError, match="unknown measure_id"):
        A.compare_numbers("nope", tables=syn_tables())


def test_compare_numbers_on_the_kit_data():
    c = A.compare_numbers()
    assert c.loc["us-troops-iraq", "articles"] == 5
    assert c.loc["us-troops-iraq", "verdict"] == "same value, different hedges"
    assert c.loc["us-soldiers-killed-jordan", "verdict"] == "same figure"


def test_measure_chart_is_labelled_and_shows_hedges_and_vague_amounts():
    fig = measure_chart(["attacks", "allies"], title="Attacks", tables=syn_tables())
    ax = fig.axes[0]
    assert ax.get_title(loc="right") == "Attacks"
    assert ax.get_xlabel() and ax.get_ylabel()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert "x1 · ít nhất 150" in labels and "x2 · Hàng trăm" in labels
    assert any("vague" in t.get_text() for t in ax.texts)
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == ["more than", "at least", "a vague amount"]
    with pytest.raises(ValueError):
        measure_chart([], tables=syn_tables())


def test_measure_chart_on_the_kit_data():
    fig = measure_chart("us-troops-iraq")
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert "a001 · khoảng 2.500" in labels and "a000 · 2.500" in labels


# --------------------------------------------------------------------------------------------
# Lesson 06: sources
# --------------------------------------------------------------------------------------------

def test_attribution_chains_follow_each_credit_to_its_agency():
    ch = A.attribution_chains()
    assert len(ch) == len(load("attributions"))
    a004 = ch[ch["article_id"] == "a004"]
    assert set(a004["publisher"]) == {"VGT"}
    assert "correspondent" in set(a004.loc[a004["agency"].str.startswith("TTXVN"), "form"].astype(str))
    assert set(ch.loc[ch["article_id"] == "a002", "publisher"]) == {"(not named on the page)"}


def test_attribution_matrix():
    m = A.attribution_matrix()
    assert m.loc["a000", "Reuters"] == "text_credit, source_line, photo_credit"
    assert m.loc["a001", "Reuters"] == ""
    assert list(m.index) == sorted(m.index)


def test_quotes_table_names_speakers_and_agencies():
    q = A.quotes_table("a000")
    assert set(q["article_id"]) == {"a000"}
    assert (q.loc[q["quote_id"] == "q04", "via"] == "Reuters").all()
    assert q.loc[q["quote_id"] == "q04", "speaker_kind"].item() == "anonymous_source"
    direct = A.quotes_table(mode="direct")
    assert set(direct["mode"].astype(str)) == {"direct"}
    with pytest.raises(ValueError):
        A.quotes_table(mode="both")


def test_framing_pivot():
    ft = pd.DataFrame({"concept_id": ["b", "a", "a", "a"], "article_id": ["x1", "x1", "x2", "x2"],
                       "term_vi": ["tb", "ta1", "ta2", "ta3"], "term_en": ["eb", "ea1", "ea2", "ea3"]})
    piv = A.framing_pivot(tables={"framing_terms": ft})
    assert list(piv.index) == ["b", "a"]
    assert piv.loc["a", "x2"] == "ta2 / ta3" and piv.loc["b", "x2"] == ""
    assert A.framing_pivot(lang="en", tables={"framing_terms": ft}).loc["a", "x1"] == "ea1"
    with pytest.raises(ValueError):
        A.framing_pivot(lang="fr")
    kit = A.framing_pivot("coalition")
    assert list(kit.index) == ["coalition"] and kit.loc["coalition", "a002"].startswith("liên minh do Mỹ dẫn đầu")


def test_source_note_sides_lists_every_side_with_its_evidence():
    s = A.source_note_sides(["sn02-attack-count", "sn01-twenty-years"])
    assert s["note_id"].tolist()[:3] == ["sn02-attack-count"] * 3
    assert s.loc[s["note_id"] == "sn02-attack-count", "article_id"].tolist() == ["a000", "a001", "a004"]
    errors = A.source_note_sides(kinds="error")
    assert set(errors["kind"].astype(str)) == {"error"}
    with pytest.raises(KeyError, match="did you mean"):
        A.source_note_sides("sn02-attack-cont")


# --------------------------------------------------------------------------------------------
# Lesson 07: the brief
# --------------------------------------------------------------------------------------------

def good_brief() -> Brief:
    b = Brief("The talks", "A test brief.")
    b.claim("Iraq and the US held the first round of talks on 27 January 2024.", events="e2024-01-27-first-round")
    b.claim("About 2,500 US troops are in Iraq.", numbers="n06")
    b.claim("An unnamed US official told Reuters the timing was unrelated to recent attacks.", quotes="q05")
    b.claim("The articles count attacks differently.", source_notes="sn02-attack-count")
    return b


def test_a_good_brief_passes_the_checklist():
    b = good_brief()
    assert b.check().ok
    assert repr(b.check()) == "All 4 claims are tied to evidence rows."
    cl = b.checklist()
    assert cl["done"].all(), cl


def test_check_lists_claims_without_evidence_and_suggests_keys():
    b = good_brief()
    b.claim("A claim with nothing behind it.")
    b.claim("A typo.", events="e2024-01-27-first-rond")
    chk = b.check()
    assert not chk.ok and chk.problems["claim"].tolist() == [5, 6]
    assert "no source row given" in chk.problems.loc[0, "problem"]
    assert "did you mean 'e2024-01-27-first-round'" in chk.problems.loc[1, "problem"]
    assert "claims 5 and 6 need evidence" in b.checklist().loc[0, "detail"]


def test_unknown_table_is_refused_at_once():
    with pytest.raises(ValueError, match="Did you mean numbers"):
        Brief("T").claim("x", number="n06")


@pytest.mark.parametrize("text, ok", [
    ("The talks were paused on 28 January.", False),                   # a range, stated as one day
    ("The talks were paused between 28 and 29 January.", True),
    ("The talks were paused after the attack in late January.", True),
    ("The talks were paused.", False),                                  # no date at all
])
def test_dates_must_be_as_precise_as_the_data_and_no_more(text, ok):
    b = Brief("T")
    b.claim(text, events="e2024-01-talks-paused")
    assert b.checklist().set_index("item").iloc[1]["done"] == ok


def test_a_day_event_needs_its_day():
    b = Brief("T")
    b.claim("Iraq and the US held the first round of talks in January.", events="e2024-01-27-first-round")
    detail = b.checklist().iloc[1]["detail"]
    assert "give the day" in detail and "27 Jan 2024" in detail


@pytest.mark.parametrize("text, ok", [
    ("2,500 US troops are in Iraq.", False),         # the hedge 'khoảng' (about) dropped
    ("About 2,500 US troops are in Iraq.", True),
    ("Around 2500 US troops are in Iraq.", True),
    ("About 3,000 US troops are in Iraq.", False),   # wrong figure
])
def test_numbers_keep_their_hedges(text, ok):
    b = Brief("T")
    b.claim(text, numbers="n06")
    assert b.checklist().iloc[2]["done"] == ok


def test_number_words_count_as_the_figure():
    b = Brief("T")
    b.claim("Three US soldiers were killed in Jordan.", numbers="n14")
    assert "give the figure" not in b.checklist().iloc[2]["detail"]
    b.claim("About 2,500 US troops are in Iraq.", numbers="n06")   # the item also needs a hedged figure
    assert b.checklist().iloc[2]["done"]


@pytest.mark.parametrize("text, fix", [
    ("The US and Iraq were close to agreeing to start the committee's talks, an unnamed US official said.", "Reuters"),
    ("Reuters reported the US and Iraq were close to agreeing to start the committee's talks.", "say who said it"),
    ("An unnamed official told Reuters the US and Iraq were close to an agreement.", ""),
])
def test_attribution_names_speaker_and_agency(text, fix):
    b = Brief("T")
    b.claim(text, quotes="q04")
    row = b.checklist().iloc[3]
    assert bool(row["done"]) is (fix == "")
    assert fix in row["detail"]


def test_markdown_has_a_footnote_per_claim_with_vietnamese_and_english():
    b = good_brief()
    md = b.markdown()
    assert md.startswith("# The talks\n")
    for i in range(1, 5):
        assert f"[^{i}]" in md and f"\n[^{i}]: " in md
    assert "Ngày 27/1, Iraq và Mỹ đã tổ chức vòng đàm phán đầu tiên" in md
    assert "On 27/1, Iraq and the US held the first round of talks" in md
    assert "Date as known: 27 Jan 2024 (exact day)" in md
    assert "Source note `sn02-attack-count`" in md and "sn02-attack-count / c" in md
    assert "- [x] Every claim is tied to an evidence row" in md
    assert md == good_brief().markdown()  # deterministic


def test_to_markdown_writes_the_same_bytes_every_time(tmp_path):
    b = good_brief()
    p = b.to_markdown(tmp_path / "sub" / "brief.md")
    first = p.read_bytes()
    assert b"\r\n" not in first and first.decode("utf-8") == b.markdown()
    assert b.to_markdown(p).read_bytes() == first
    with pytest.raises(ValueError):
        b.to_markdown(tmp_path / "brief.txt")


def test_default_export_goes_to_exports_and_ignores_itself(tmp_path, monkeypatch):
    monkeypatch.setattr(brief_module, "EXPORTS_DIR", tmp_path / "exports")
    p = good_brief().to_markdown()
    assert p == tmp_path / "exports" / "brief.md" and p.is_file()
    assert (tmp_path / "exports" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_revise_and_drop():
    b = good_brief()
    b.revise(2, "Around 2,500 US troops are in Iraq.")
    assert b.claims[1].sources == [("numbers", "n06")] and b.claims[1].text.startswith("Around")
    b.revise(2, "Around 900 US troops are in Syria.", numbers="n07")
    assert b.claims[1].sources == [("numbers", "n07")]
    b.drop(1)
    assert len(b.claims) == 3 and b.claims[0].text.startswith("Around 900")
    with pytest.raises(IndexError):
        b.drop(9)
    with pytest.raises(ValueError):
        b.revise(1, "  ")
    assert len(b.claims) == 3
