"""The cleaner: furniture gone and logged, hidden words restored, nothing else changed."""
from __future__ import annotations

import csv
import re
from collections import defaultdict

import pytest

from iraqtalks.data.cleaning import clean_article, rules, split_sentences
from iraqtalks.data.seeds import manifest, read_raw
from iraqtalks.text.clean import CleaningError, RuleSet, read_rules, restore_obfuscation

ROWS = {row["article_id"]: row for row in manifest()}
RAW = {aid: read_raw(row["seed_file"]) for aid, row in ROWS.items()}


@pytest.fixture(scope="module")
def cleaned():
    return {aid: clean_article(aid, raw) for aid, raw in RAW.items()}


@pytest.fixture(scope="module")
def sentences(cleaned):
    return {aid: split_sentences(clean, aid) for aid, (clean, _) in cleaned.items()}


def lines_of(text):
    return [line for line in text.split("\n") if line.strip()]


# --- Furniture ------------------------------------------------------------------------------

FURNITURE = [
    ("a000", 3, "drop_line", "Thời sự quốc tếThứ Năm, 25/01/2024 09:18:15 +07:00"),
    ("a000", 4, "drop_line", "(VTC News) -"),
    ("a000", 43, "drop_line", "Bình luận"),
    ("a000", 44, "drop_line", "vtcnews.vn"),
    ("a001", 4, "drop_line", "0:00 / 0:00"),
    ("a001", 5, "drop_line", "0:00"),
    ("a002", 1, "strip_prefix", " date 2024-02 "),
    ("a004", 3, "drop_line", "Theo dõi VGT trên"),
    ("a004", 26, "drop_line", "Video đang HOT"),
    ("a004", 11, "drop_line", "Các nhóm vũ trang Iraq tạm dừng tấn công lính Mỹ theo đề nghị của tướng Iran - Hình 1"),
    ("a004", 38, "drop_line", "Các nhóm vũ trang Iraq tạm dừng tấn công lính Mỹ theo đề nghị của tướng Iran - Hình 2"),
    ("a004", 77, "drop_line", "Lý do Mỹ chờ gần một tuần mới trả đũa vụ 3 lính t.hiệt m.ạng ở Jordan - Hình 1"),
    ("a004", 84, "drop_line", "Lý do Mỹ chờ gần một tuần mới trả đũa vụ 3 lính t.hiệt m.ạng ở Jordan - Hình 2"),
]


@pytest.mark.parametrize("aid,line,action,text", FURNITURE, ids=[f"{f[0]}-line{f[1]}" for f in FURNITURE])
def test_furniture_is_gone_and_logged(cleaned, aid, line, action, text):
    clean, log = cleaned[aid]
    assert RAW[aid].split("\n")[line - 1].startswith(text)
    assert [r for r in log if r["line"] == line and r["action"] == action and r["raw"] == text and r["reason"]]
    assert text not in clean.split("\n")
    assert text.strip() not in clean


@pytest.mark.parametrize("fragment", [
    "Thời sự quốc tế", "(VTC News)", "vtcnews.vn", "Bình luận", "0:00", "date 2024-02", "Theo dõi VGT",
    "Video đang HOT", "- Hình", "Phát hiện tên lửa", "Cận cảnh hiện trường", "Bạn thấy bài viết",
    "Tin liên quan", "Tiêu điểm", "Tin đang nóng", "Tin mới nhất", "Có thể bạn quan tâm", "/09/2024",
])
def test_no_furniture_fragment_left_anywhere(cleaned, fragment):
    assert all(fragment not in clean for clean, _ in cleaned.values())


def test_a004_related_headlines_line_is_dropped(cleaned):
    _, log = cleaned["a004"]
    raw75 = RAW["a004"].split("\n")[74]
    assert raw75.startswith("Phát hiện tên lửa") and "Cận cảnh hiện trường" in raw75
    assert [r for r in log if r["line"] == 75 and r["action"] == "drop_line" and r["raw"] == raw75]


def test_a004_poll_and_news_lists_are_one_dropped_block(cleaned):
    clean, log = cleaned["a004"]
    blocks = [r for r in log if r["action"] == "drop_block"]
    assert len(blocks) == 1
    raw = RAW["a004"]
    start = raw.index("Bạn thấy bài viết này có hữu ích không?")
    assert blocks[0]["raw"] == raw[start:].rstrip("\n")
    assert blocks[0]["line"] == raw.count("\n", 0, start) + 1 == 97
    assert clean.endswith("tránh được một cuộc chiến tranh khu vực.\n")


def test_the_appended_related_story_is_kept(cleaned):
    clean, _ = cleaned["a004"]
    assert "Lý do Mỹ chờ gần một tuần mới trả đũa vụ 3 lính thiệt mạng ở Jordan\n" in clean
    assert "Washington mới tiến hành trả đũa" in clean


@pytest.mark.parametrize("aid,text,raw_lines", [
    ("a000", "Sự hiện diện quá lâu của liên quân do Mỹ đứng đầu ở Iraq sau khi IS bị đánh bại đang là "
             "vấn đề nóng ở quốc gia Trung Đông này. (Ảnh: Reuters)", (14, 16)),
    ("a001", "Biếm họa: DAVE GRANLUND", (6, 7)),
])
def test_duplicated_captions_appear_once(cleaned, aid, text, raw_lines):
    clean, log = cleaned[aid]
    raw = RAW[aid].split("\n")
    assert raw[raw_lines[0] - 1] == raw[raw_lines[1] - 1] == text
    assert lines_of(clean).count(text) == 1
    dup = [r for r in log if r["action"] == "drop_duplicate"]
    assert [(r["line"], r["raw"]) for r in dup] == [(raw_lines[1], text)]
    assert f"line {raw_lines[0]}" in dup[0]["reason"]


@pytest.mark.parametrize("aid,caption", [
    ("a000", "Sự hiện diện quá lâu của liên quân do Mỹ đứng đầu ở Iraq sau khi IS bị đánh bại đang là "
             "vấn đề nóng ở quốc gia Trung Đông này. (Ảnh: Reuters)"),
    ("a001", "Biếm họa: DAVE GRANLUND"),
    ("a002", "Reuters"),
    ("a003", "Binh sĩ Mỹ làm nhiệm vụ tại Mosul, Iraq (Ảnh: Reuters)."),
    ("a004", "Tướng Esmail Qaani. Ảnh: WANA"),
    ("a004", "Binh sĩ Mỹ tuần tra tại Semalka, biên giới Syria và Iraq ngày 12/1/2021. Ảnh: AFP/TTXVN"),
])
def test_captions_are_kept(cleaned, aid, caption):
    assert caption in lines_of(cleaned[aid][0])


def test_the_articles_own_typo_is_not_fixed(cleaned):
    assert "nó được chuyể cho Bộ trưởng" in cleaned["a000"][0]


# --- Hidden words ---------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["thiệt mạng", "sát hại", "đánh giá", "khủng bố", "giết chết", "đổ máu", "đau đớn", "tay súng"])
def test_obfuscated_words_are_restored_in_a004(cleaned, word):
    assert word in cleaned["a004"][0]


def test_no_obfuscated_word_is_left_and_numbers_survive(cleaned):
    for aid, (clean, _) in cleaned.items():
        assert restore_obfuscation(clean) == (clean, []), aid
        assert "2.500" in clean, aid
    assert "ngày 8.2" in cleaned["a002"][0] and "ngày 7.2" in cleaned["a002"][0] and "10.2023" in cleaned["a002"][0]


def test_restoring_the_whole_raw_page_keeps_exceptions_and_numbers():
    restored, pairs = restore_obfuscation(RAW["a004"])
    assert "vi khuẩn E.coli" in restored
    assert "Phim 1.8+ về Tấm Cám: Bị chê nhiều sạn" in restored
    assert "Bé gái Trung Quốc" in restored
    assert "gần 10.000 tỷ" in restored
    assert ("E.coli", "Ecoli") not in pairs
    assert all(r.replace(".", "", 1) == c and "." not in c for r, c in pairs)


@pytest.mark.parametrize("text,expected", [
    ("t.hiệt m.ạng", "thiệt mạng"),
    ("s.át h.ại 3 binh sĩ", "sát hại 3 binh sĩ"),
    ("đ.ánh giá", "đánh giá"),
    ("nhóm k.hủng b.ố Nhà nước Hồi giáo", "nhóm khủng bố Nhà nước Hồi giáo"),
    ("B.é g.ái", "Bé gái"),
    ("l.y h.ôn", "ly hôn"),
    ("3 lính Mỹ t.hiệt m.ạng.", "3 lính Mỹ thiệt mạng."),
    ("(t.hiệt m.ạng)", "(thiệt mạng)"),
    ("vi khuẩn E.coli", "vi khuẩn E.coli"),
    ("vi khuẩn e.coli", "vi khuẩn e.coli"),
    ("Mỹ có 2.500 quân", "Mỹ có 2.500 quân"),
    ("ngày 8.2 và 7.2", "ngày 8.2 và 7.2"),
    ("P.him 1.8+", "Phim 1.8+"),
    ("10.000 tỷ", "10.000 tỷ"),
    ("U.S. troops", "U.S. troops"),
    ("TP.HCM", "TP.HCM"),
    ("A.Smith", "A.Smith"),
    ("vtcnews.vn", "vtcnews.vn"),
    ("a.b.c", "a.b.c"),
    ("v.v. và", "v.v. và"),
    ("", ""),
    (".", "."),
    ("a.", "a."),
    (".a", ".a"),
])
def test_restore_obfuscation_examples(text, expected):
    restored, pairs = restore_obfuscation(text)
    assert restored == expected
    assert len(pairs) == len(text) - len(restored)


# --- Every change is accounted for ----------------------------------------------------------

def replay(raw: str, log: list[dict]) -> str:
    """Rebuild the clean text from the raw text and the log alone (independently of the cleaner).

    Raw lines with no log row are copied unchanged; dropped lines must equal the row's `raw`;
    changed lines are changed only by the rows' raw -> clean replacements, left to right.
    The clean layout: non-empty lines, one blank line between them, a final newline.
    """
    lines = raw.split("\n")
    rows = defaultdict(list)
    for row in log:
        rows[row["line"]].append(row)
    out, i = [], 0
    while i < len(lines):
        here = rows.pop(i + 1, [])
        line = lines[i]
        drops = [r for r in here if r["action"] in ("drop_line", "drop_duplicate", "drop_block")]
        if drops:
            assert len(here) == 1, f"line {i + 1}: a dropped line has other log rows too"
            row = drops[0]
            assert row["clean"] == ""
            span = row["raw"].split("\n") if row["action"] == "drop_block" else [row["raw"]]
            assert lines[i:i + len(span)] == span, f"line {i + 1}: logged raw text differs from the seed"
            i += len(span)
            continue
        cursor = 0
        for row in here:
            if row["action"] == "strip_prefix":
                assert cursor == 0 and line.startswith(row["raw"]), f"line {i + 1}: prefix not at the start"
                line = row["clean"] + line[len(row["raw"]):]
                cursor = len(row["clean"])
            elif row["action"] == "restore_word":
                k = line.index(row["raw"], cursor)
                line = line[:k] + row["clean"] + line[k + len(row["raw"]):]
                cursor = k + len(row["clean"])
            else:
                raise AssertionError(f"line {i + 1}: unknown action {row['action']!r}")
        if line.strip():
            out.append(line)
        i += 1
    assert not rows, f"log rows for lines that do not exist: {sorted(rows)}"
    return "\n\n".join(out) + "\n"


@pytest.mark.parametrize("aid", sorted(RAW))
def test_every_difference_is_in_the_log(cleaned, aid):
    clean, log = cleaned[aid]
    assert replay(RAW[aid], log) == clean


@pytest.mark.parametrize("aid", sorted(RAW))
def test_log_rows_are_well_formed(cleaned, aid):
    _, log = cleaned[aid]
    assert [r["step"] for r in log] == list(range(1, len(log) + 1))
    assert [r["line"] for r in log] == sorted(r["line"] for r in log)
    for r in log:
        assert r["article_id"] == aid and r["reason"] and r["raw"]
        if r["action"] == "restore_word":
            assert r["clean"] == r["raw"].replace(".", "", 1)
        else:
            assert r["clean"] == ""


def test_expected_number_of_changes(cleaned):
    counts = {aid: len(log) for aid, (_, log) in cleaned.items()}
    # a000: 4 lines + 1 duplicate; a001: 2 + 1; a002: 1 prefix; a003: none;
    # a004: 2 widgets + 4 image labels + related headlines + block + 24 restored words.
    # (The five articles of the lessons; an article added later has its own count.)
    pinned = {"a000": 5, "a001": 3, "a002": 1, "a003": 0, "a004": 32}
    assert {aid: counts[aid] for aid in pinned} == pinned


def test_clean_layout(cleaned):
    for aid, (clean, _) in cleaned.items():
        assert clean.endswith("\n") and not clean.endswith("\n\n"), aid
        parts = clean[:-1].split("\n\n")
        assert all(p.strip() and "\n" not in p for p in parts), aid


def test_a_rule_that_matches_nothing_stops_the_cleaner():
    raw = RAW["a004"].replace("Video đang HOT\n", "")
    with pytest.raises(CleaningError, match=r"^a004: cleaning rule\(s\) video-widget matched no line of the seed\. "
                                            r"The seed or the rules in data/cleaning_rules\.csv have changed"):
        clean_article("a004", raw)


def test_every_article_rule_has_a_reason():
    found = rules()
    assert found.rules and found.articles <= set(ROWS)
    for _aid, rule in found.rules:
        assert len(rule.reason) > 20, rule.name


# --- The rules file (data/cleaning_rules.csv) --------------------------------------------------

HEADER = "article_id,name,action,match,pattern,reason\n"


@pytest.mark.parametrize("body, message", [
    ("a000,x,drop_lines,line,Bình luận,Why\n", r"rules\.csv, row 2: rule 'x': action 'drop_lines' is not drop_line, "
                                               r"drop_block, strip_prefix or subheading"),
    ("a000,x,drop_line,whole,Bình luận,Why\n", r"row 2: rule 'x': match 'whole' is not line, prefix or regex"),
    ("a000,x,strip_prefix,line,Bình luận,Why\n", r"row 2: rule 'x': strip_prefix needs match='prefix'"),
    ("a004,x,subheading,regex,Iran,Why\n", r"row 2: rule 'x': subheading needs match='line'"),
    ("a000,x,drop_line,regex,(Bình,Why\n", r"row 2: rule 'x': pattern '\(Bình' is not a valid regular expression"),
    ("a000,x,drop_line,line,,Why\n", r"rules\.csv, row 2, column pattern: the cell is empty"),
    ("a000,x,drop_line,line,A,Why\na000,x,drop_line,line,B,Why\n",
     r"row 3, column name: found 'x', the name of the rule in row 2"),
    (",x,drop_line,line,A,Why\na000,x,drop_line,line,B,Why\n", r"row 3, column name: found 'x'"),
    ("a000,x,drop_line,line,A\n", r"rules\.csv, row 2: found 5 cells; expected 6"),
])
def test_a_malformed_rules_file_names_file_row_and_column(tmp_path, body, message):
    path = tmp_path / "rules.csv"
    path.write_text(HEADER + body, encoding="utf-8")
    with pytest.raises(CleaningError, match=message):
        read_rules(path)


def test_a_rules_file_with_other_columns_or_none_is_named(tmp_path):
    path = tmp_path / "cleaning_rules.csv"
    path.write_text("article,name,action,match,pattern,reason\n", encoding="utf-8")
    with pytest.raises(CleaningError, match=r"cleaning_rules\.csv, row 1: found the columns article, name"):
        read_rules(path)
    with pytest.raises(CleaningError, match=r"nowhere\.csv: no such file"):
        read_rules(tmp_path / "nowhere.csv")
    with pytest.raises(TypeError, match="rules must be a RuleSet"):
        from iraqtalks.text.clean import clean_article as bare_clean
        bare_clean("a000", "text\n", [])


def test_a_rule_for_an_article_the_manifest_lacks_is_named(data_copy):
    row = len((data_copy / "cleaning_rules.csv").read_text(encoding="utf-8").splitlines()) + 1
    with open(data_copy / "cleaning_rules.csv", "a", encoding="utf-8") as fh:
        fh.write("a099,footer,drop_line,line,x,The footer.\n")
    with pytest.raises(CleaningError, match=rf"cleaning_rules\.csv row {row}, column article_id: 'a099' is not an "
                                            r"article_id in articles\.csv \(rule 'footer'\); expected one of a000, "):
        rules(data_dir=data_copy)


def test_the_rules_come_from_the_data_folder(data_copy):
    """A new rule is a row of cleaning_rules.csv, not an edit of Python: it drops the line and is logged."""
    raw = RAW["a003"]
    line = next(x for x in raw.split("\n") if x.strip() and x != ROWS["a003"]["headline"])
    with open(data_copy / "cleaning_rules.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(["a003", "test-rule", "drop_line", "line", line,
                                                      "A line this test drops."])
    clean, log = clean_article("a003", raw, data_dir=data_copy)
    assert line not in clean.split("\n") and line in clean_article("a003", raw)[0].split("\n")
    assert [(r["action"], r["raw"], r["reason"]) for r in log] == [("drop_line", line, "A line this test drops.")]
    assert isinstance(rules(data_dir=data_copy), RuleSet)


# --- Sentences ------------------------------------------------------------------------------

def test_sentence_ids_and_numbering(sentences):
    for aid, rows in sentences.items():
        ids = [r["sentence_id"] for r in rows]
        assert len(ids) == len(set(ids))
        for r in rows:
            assert r["sentence_id"] == f"{aid}-p{r['paragraph']:02d}-s{r['sentence']:02d}"
            assert re.fullmatch(r"a\d{3}-p\d{2}-s\d{2}", r["sentence_id"])


def test_sentences_rebuild_their_paragraphs(cleaned, sentences):
    for aid, (clean, _) in cleaned.items():
        paragraphs = lines_of(clean)
        by_p = defaultdict(list)
        for r in sentences[aid]:
            by_p[r["paragraph"]].append(r["text"])
        assert sorted(by_p) == list(range(1, len(paragraphs) + 1))
        for n, p in enumerate(paragraphs, start=1):
            assert " ".join(by_p[n]) == " ".join(p.split()), f"{aid} paragraph {n}"


def test_no_split_inside_numbers_or_dates(cleaned, sentences):
    for aid, (clean, _) in cleaned.items():
        texts = [r["text"] for r in sentences[aid]]
        tokens = re.findall(r"\d+(?:[./]\d+)+\+?", clean)
        assert tokens
        for tok in tokens:
            assert any(tok in t for t in texts), f"{aid}: {tok} split across sentences"
        rows = sentences[aid]
        for a, b in zip(rows, rows[1:]):
            if a["paragraph"] == b["paragraph"]:
                assert not (re.search(r"\d[./]$", a["text"]) and b["text"][0].isdigit()), (a, b)
    joined = [r["text"] for r in sentences["a002"]]
    assert any("ngày 8.2 nói rằng" in t for t in joined)
    assert any("Mỹ có 2.500 quân ở Iraq" in t for t in joined)


def test_sentence_boundaries(sentences):
    a000 = {r["sentence_id"]: r["text"] for r in sentences["a000"]}
    assert a000["a000-p12-s01"].endswith("phiến quân IS.")
    assert a000["a000-p12-s02"].startswith("Bên cạnh đó")
    # quoted speech with two sentences inside stays whole
    assert a000["a000-p11-s01"].startswith('"Chúng tôi đã thảo luận') and a000["a000-p11-s01"].endswith("nói thêm.")
    assert "a000-p11-s02" not in a000
    a003 = {r["sentence_id"]: r["text"] for r in sentences["a003"]}
    assert a003["a003-p03-s01"].endswith("ông al-Araji nói.") and "a003-p03-s02" not in a003
    a001 = {r["sentence_id"]: r["text"] for r in sentences["a001"]}
    assert a001["a001-p04-s01"].endswith("tại Iraq”.")
    assert a001["a001-p04-s02"].startswith("Theo AP,")


def test_paragraph_kinds(sentences):
    kinds = {aid: {(r["paragraph"], r["kind"]) for r in rows} for aid, rows in sentences.items()}
    by_kind = defaultdict(list)
    for aid, rows in sentences.items():
        for r in rows:
            by_kind[(aid, r["kind"])].append(r["text"])
    for aid in ("a000", "a001", "a004"):
        assert by_kind[(aid, "headline")] == [ROWS[aid]["headline"]]
        assert (1, "headline") in kinds[aid]
    for aid in ("a002", "a003"):
        assert by_kind[(aid, "headline")] == []
    assert by_kind[("a004", "subheading")] == [
        "Ảnh hưởng của Iran",
        "Đàm phán chấm dứt hiện diện của Mỹ ở Iraq",
        "Lý do Mỹ chờ gần một tuần mới trả đũa vụ 3 lính thiệt mạng ở Jordan",
    ]
    assert by_kind[("a000", "caption")] == [
        "Sự hiện diện quá lâu của liên quân do Mỹ đứng đầu ở Iraq sau khi IS bị đánh bại đang là "
        "vấn đề nóng ở quốc gia Trung Đông này. (Ảnh: Reuters)",
        "Trà Khánh(Nguồn: Reuters)",
    ]
    assert by_kind[("a001", "caption")] == ["Biếm họa: DAVE GRANLUND"]
    assert by_kind[("a002", "caption")] == [
        "Một chiếc ô tô bị cháy ở Baghdad (Iraq) ngày 7.2, sau những gì quân đội nhắm vào một chỉ huy của Kataib Hezbollah",
        "Reuters",
    ]
    assert by_kind[("a003", "caption")] == ["Binh sĩ Mỹ làm nhiệm vụ tại Mosul, Iraq (Ảnh: Reuters)."]
    assert len(by_kind[("a004", "caption")]) == 4
    assert all("Ảnh: " in c for c in by_kind[("a004", "caption")])
    assert ("a003", "subheading") not in by_kind


def test_a_headline_that_does_not_match_the_first_line_is_an_error(cleaned):
    clean = cleaned["a000"][0].replace("sau 20 năm", "sau hai mươi năm", 1)
    with pytest.raises(CleaningError, match=r"articles\.csv row 2, column headline"):
        split_sentences(clean, "a000")


def test_a_sentence_ending_in_the_word_a_asia_is_split():
    """'Tây Nam Á.' ends a sentence: 'Á' (Asia) is a word, not an initial (a001's paragraph 9)."""
    from iraqtalks.text.clean import _split_paragraph

    p = "Họ coi đây là vi phạm chủ quyền quốc gia Tây Nam Á. Trong tuyên bố, văn phòng nhấn mạnh điều đó."
    assert _split_paragraph(p) == ["Họ coi đây là vi phạm chủ quyền quốc gia Tây Nam Á.",
                                   "Trong tuyên bố, văn phòng nhấn mạnh điều đó."]
    assert len(_split_paragraph("Ông George W. Bush nói vậy.")) == 1


def test_a_subheading_rule_that_matches_no_line_stops_the_split(data_copy, cleaned):
    with open(data_copy / "cleaning_rules.csv", "a", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow(["a000", "no-such-heading", "subheading", "line", "Không có",
                                                      "A subheading this test invents."])
    with pytest.raises(CleaningError, match=r"a000: subheading rule 'no-such-heading' \(.*cleaning_rules\.csv\) "
                                            r"expects 'Không có' once as a whole line of the clean text, found it 0"):
        split_sentences(cleaned["a000"][0], "a000", data_dir=data_copy)
