"""Names in scripts without capitals: the cue rules (monitor.entities.scriptnames), the keys of
the names an installation already knows (a SoundIndex of their Latin spellings), and the names
stage that reads them from a real SQLite store. The sentences are ours, written for the rules
(each shaped like a news blurb in its language)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.config import FeedConfig
from monitor.entities.names import SpelledNames, names_in, script_key
from monitor.entities.scriptnames import caseless, cued_names, regnal_latin
from monitor.entities.sounds import Heard, SoundIndex
from monitor.entities.stage import (
    KNOWN_CHECK_SECONDS,
    KNOWN_MAX_AGE_SECONDS,
    KnownNames,
    KnownNamesCache,
    known_names_stale,
    names_of_all,
    run_names_stage,
)
from monitor.ingest.parse import Entry, content_hash
from monitor.store import Store

from .conftest import ok_update

T0 = datetime(2024, 5, 1, 9, tzinfo=UTC)


def cues(text: str, language: str) -> list[str]:
    return [c.text for c in cued_names(text, language)]


# Regnal names (language, text, the cue, read with its number in Roman numerals): a Chinese
# number with 世, a Roman numeral, an Arabic definite ordinal; held by a royal or papal title
# in Thai, Sinhala, Tamil, Persian.
REGNAL = [
    ("zh", "西班牙国王费利佩六世出席了仪式。", "费利佩六世", "费利佩 VI"),
    ("ka", "მეფე ფელიპე VI-მ სიტყვით მიმართა ხალხს.", "ფელიპე VI", "ფელიპე VI"),
    ("ar", "استقبل فيليبي السادس الوفد في مدريد.", "فيليبي السادس", "فيليبي VI"),
    ("th", "สมเด็จพระเจ้าเฟลิเปที่ 6 เสด็จเยือนกรุงเทพ", "เฟลิเปที่ 6", "เฟลิเป VI"),
    ("si", "ස්පාඤ්ඤයේ හයවන ෆිලිප් රජ ලංකාවට පැමිණෙයි.", "හයවන ෆිලිප්", "ෆිලිප් VI"),
    ("ta", "ஸ்பெயின் மன்னர் ஆறாம் பிலிப்பே இலங்கைக்கு வந்தார்.", "ஆறாம் பிலிப்பே", "பிலிப்பே VI"),
    ("fa", "پادشاه فیلیپه ششم از تهران دیدن کرد.", "فیلیپه ششم", "فیلیپه VI"),
]


@pytest.mark.parametrize(
    ("language", "text", "names"),
    [
        # A middle dot joins a transliterated name; the title before it and the verb after stay out.
        ("zh", "美国总统唐纳德·特朗普周二宣布新的关税。", ["唐纳德·特朗普"]),
        ("zh", "美國國務卿安東尼·布林肯與法國外長會面。", ["安東尼·布林肯"]),
        ("ja", "米国のドナルド・トランプ前大統領は声明を出した。", ["ドナルド・トランプ"]),
        # Katakana before a title or an honorific.
        ("ja", "ロシアのプーチン大統領とゼレンスキー氏が会談した。", ["プーチン", "ゼレンスキー"]),
        # A Chinese title before a run of sound characters.
        ("zh", "俄罗斯总统普京宣布了新的措施。", ["普京"]),
        # Organisations: a Chinese party, a Persian one.
        ("zh", "执政的工党在选举中获胜。", ["工党"]),
        ("fa", "حزب کارگر در انتخابات پیروز شد.", ["حزب کارگر"]),
        ("fa", "در انتخابات امسال، حزب سبز و سازمان ملل سخن گفتند.", ["حزب سبز", "سازمان ملل"]),
        # Titles before a name: Arabic (adjectives with al- skipped), Georgian, Hindi, Hebrew.
        ("ar", "قال الرئيس الفرنسي إيمانويل ماكرون إن المحادثات ستستمر.", ["إيمانويل ماكرون"]),
        ("ka", "საფრანგეთის პრეზიდენტი ემანუელ მაკრონი ბერლინში ჩავიდა.", ["ემანუელ მაკრონი"]),
        ("hi", "फ्रांस के राष्ट्रपति इमैनुएल मैक्रों ने कहा।", ["इमैनुएल मैक्रों"]),
        ("he", "ראש הממשלה קיר סטארמר נפגש עם השר.", ["קיר סטארמר"]),
        # Persian apposition: a name, a comma, a title.
        ("fa", "امروز امانوئل ماکرون، رئیس‌جمهور فرانسه، به برلین رفت.", ["امانوئل ماکرون"]),
        # Thai: a form of address written onto the name, and the surname after a space.
        ("th", "นายเศรษฐา ทวีสิน เดินทางถึงกรุงเทพ", ["เศรษฐา ทวีสิน"]),
        # Persian and Kurdish: what a person is, after the name, with no comma; "as" and a title.
        ("fa", "دیروز، لیونل مسی فوتبالیست آرژانتینی به پاریس رفت.", ["لیونل مسی"]),
        ("fa", "در نشست امروز ژان کاستکس به عنوان نخست‌وزیر سخن گفت.", ["ژان کاستکس"]),
        ("ckb", "ئەمڕۆ – جۆ بایدن وەک سەرۆک سوێندی خوارد.", ["جۆ بایدن"]),
        ("fa", "مارک روته رسماً به عنوان دبیرکل آغاز به کار کرد.", ["مارک روته"]),  # an adverb between
        # "Led by": Persian, Arabic.
        ("fa", "ائتلاف به رهبری مارک روته پیروز شد.", ["مارک روته"]),
        ("ar", "فاز الحزب بقيادة مارك روته في الانتخابات.", ["مارك روته"]),
        # Korean organisations: one word ending in what it is, maybe with a particle.
        ("ko", "어제 노동당은 총선에서 승리했고, 유럽연합의 대표가 축하했다.", ["노동당", "유럽연합"]),
        *[(language, text, [cue]) for language, text, cue, _ in REGNAL],
    ],
)
def test_cues_name_people_and_organisations(language: str, text: str, names: list[str]) -> None:
    assert cues(text, language) == names


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("zh", "俄罗斯总统选举将于明年举行。"),  # a title before no name
        ("zh", "日本・中国・韓国の首脳が会談した。"),  # a list of countries, not a name
        ("ja", "テロ対策の会議が開かれた。"),  # katakana without a title
        ("ar", "قال الرئيس في بيان إن المحادثات ستستمر."),  # a title before a preposition
        ("ka", "ლიზ ტრასი პრემიერ-მინისტრი გახდა."),  # a title before a verb
        ("th", "นายกรัฐมนตรีเดินทางถึงกรุงเทพ"),  # นายก (prime minister) is no นาย
        ("ko", "영국 총리가 사임을 발표했다."),  # Korean: no cue for persons (precision first)
        ("ko", "두 정당은 의회에서 합의했다."),  # a kind of organisation, not one
        # A role word after a phrase that no clause opens: not a name.
        ("fa", "در این بازی بازیکن ایرانی گل زد."),
        ("fa", "او برای دور دوم به عنوان نامزد ثبت نام کرد."),
        # An ordinal after a definite noun (the Second World War), a number with 世 after no name.
        ("ar", "بعد الحرب العالمية الثانية تغير العالم."),
        ("zh", "这是二十一世纪的问题。"),
        # An organisation's word before an adjective of its kind, anywhere in the text.
        ("fa", "پس از انتخابات، یک حزب ائتلافی و یک مجلس معلق ماند."),
    ],
)
def test_cues_stay_silent_where_no_name_stands(language: str, text: str) -> None:
    assert cues(text, language) == []


def test_a_role_word_after_a_team_cues_no_person() -> None:
    # The national team is an organisation's name (monitor.entities.teams); `ایران بازیکن`,
    # a role word after a phrase that no clause opens, is no person's
    found = cued_names("تیم ملی فوتبال ایران بازیکن جدیدی گرفت.", "fa")
    assert [(c.text, c.english) for c in found] == [("تیم ملی فوتبال ایران", "Iran national football team")]


def test_latin_and_cyrillic_texts_are_read_by_capitals_alone() -> None:
    assert not caseless("President Vladimir Putin said. 普京") and caseless("普京说了很多话。Putin")
    assert [n.key for n in names_in("", "Yesterday Vladimir Putin said.", "en")] == ["vladimir putin"]
    assert names_in("", "Yesterday Vladimir Putin said.", "en", SoundIndex([("x", "Putin")])) == names_in(
        "", "Yesterday Vladimir Putin said.", "en"
    )


def test_a_known_name_gives_its_key_in_every_script() -> None:
    known = SoundIndex([("vladimir putin", "Vladimir Putin"), ("donald trump", "Donald Trump")])
    chinese = names_in("", "俄罗斯总统弗拉基米尔·普京宣布动员。普京还说。", "zh", known)
    assert [(n.key, n.count) for n in chinese] == [("vladimir putin", 2)]
    assert set(chinese[0].variants) == {"弗拉基米尔·普京", "普京"}
    # Without the known names: the romanized key, the same entity within the article.
    alone = names_in("", "俄罗斯总统弗拉基米尔·普京宣布动员。", "zh")
    assert [n.key for n in alone] == [script_key("弗拉基米尔·普京")] == ["fulaimier puing"]
    # A full name heard without a cue (Persian), written as two words.
    persian = names_in("", "دونالد ترامپ امروز در واشنگتن سخنرانی کرد.", "fa", known)
    assert [n.key for n in persian] == ["donald trump"]


def test_a_one_word_known_name_keys_a_cue_only_when_heard_over_all_of_it() -> None:
    surname = SoundIndex([("putin", "Putin")])
    assert [n.key for n in names_in("", "俄罗斯总统普京宣布动员。", "zh", surname)] == ["putin"]
    # Inside a longer cue, a one-word name is a look-alike more often than not.
    dotted = "俄罗斯总统弗拉基米尔·普京宣布动员。"
    assert [n.key for n in names_in("", dotted, "zh", surname)] == ["fulaimier puing"]


def test_no_surname_is_heard_in_a_kings_number_nor_in_an_acronym() -> None:
    # A known surname that sounds like a regnal ordinal, a known acronym like a part of a
    # dotted name: the cue keeps its own key.
    johnson = SoundIndex([("boris johnson", "Boris Johnson")])
    pope = names_in("", "پاپ بندیکت شانزدهم در واتیکان سخنرانی کرد.", "fa", johnson)
    assert [n.key for n in pope] == [script_key("بندیکت شانزدهم")]
    fifa = SoundIndex([("piala dunia fifa", "Piala Dunia FIFA")])
    scientist = names_in("", "瑞典科学家斯萬特·帕博获得了诺贝尔奖。", "zh", fifa)
    assert [n.key for n in scientist] == [script_key("斯萬特·帕博")]
    # A known surname heard from inside a cue's word (درال in فدرال): a look-alike.
    traore = SoundIndex([("ibrahim traore", "Ibrahim Traore")])
    court = names_in("", "در برزیل، دادگاه فدرال عالی حکم داد.", "fa", traore)
    assert [n.key for n in court] == [script_key("دادگاه فدرال")]
    # A known queen keys her regnal name (heard, or word for word with her number).
    queen = [("elizabet i", "Elizabeth II")]
    text = "สมเด็จพระราชินีนาถเอลิซาเบธที่ 2 เสด็จเยือนกรุงเทพ"
    thai = names_in("", text, "th", SoundIndex(queen), SpelledNames(queen))
    assert [n.key for n in thai] == ["elizabet i"]


def test_a_surname_heard_alone_in_an_abjad_is_no_name() -> None:
    # ترامپ alone sounds like Trump, but one word of an abjad sounds like too many words.
    known = SoundIndex([("donald trump", "Donald Trump")])
    assert names_in("", "ترامپ امروز سخنرانی کرد.", "fa", known) == ()
    assert names_in("", "دونالد ترامپ گفت. ترامپ رفت.", "fa", known)[0].count == 2


def test_latin_words_inside_such_a_text_are_read_apart() -> None:
    text = "韩国电子竞技团队DRX在总决赛击败T1。伊丽莎白二世和查尔斯III。"
    found = {n.name for n in names_in("", text, "zh")}
    assert "DRX" in found and not any("队" in n or n == "III" for n in found)


def test_bad_input_is_bounded() -> None:
    known = SoundIndex([("vladimir putin", "Vladimir Putin")])
    started = time.process_time()
    for text, language in [
        ("普" * 100_000, "zh"),
        ("·".join(["弗拉基米尔"] * 20_000), "zh"),
        ("الرئيس " * 15_000, "ar"),
        ("ب" * 500 + " " + "ت" * 500, "fa"),
        ("นาย" + "ก" * 500, "th"),
        ("პრეზიდენტი " + "ა" * 500, "ka"),
    ]:
        assert len(names_in("", text, language, known)) <= 200
    spent = time.process_time() - started
    print(f"bad input: {spent:.2f} s CPU")  # reported, not asserted (the machine is shared)


def entry(guid: str, title: str, text: str, language: str, minutes: int) -> Entry:
    return Entry(
        guid=guid, url=f"https://n.example/{guid}", link=f"https://n.example/{guid}", title=title, text=text,
        html=f"<p>{text}</p>", published=T0 + timedelta(minutes=minutes), published_estimated=False,
        language=language, language_source="feed", author=None, content_hash=content_hash(title, text),
    )  # fmt: skip


ENGLISH = [
    entry("e1", "Talks", "Yesterday Vladimir Putin met the envoy.", "en", 0),
    entry("e2", "More talks", "On Monday, Vladimir Putin spoke.", "en", 1),
]
CHINESE = [entry("z1", "普京讲话", "俄罗斯总统弗拉基米尔·普京周二发表讲话。", "zh", 2)]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "monitor.db") as opened:
        opened.sync_feeds([FeedConfig(url="https://a.example/rss")])
        yield opened


def poll(store: Store, entries: list[Entry]) -> None:
    feed = store.feed_by_url("https://a.example/rss")
    assert feed is not None
    store.record_poll(feed, ok_update(T0), entries, url=feed.url, duration_ms=1, size=1)


def keys_of(store: Store, guid: str) -> list[tuple[str, str]]:
    (article_id,) = [int(r["id"]) for r in store.query("SELECT id FROM articles WHERE guid = ?", [guid])]
    return [(n["key"], n["name"]) for n in store.article_names([article_id])[article_id]]


def test_the_stage_keys_a_chinese_article_by_the_names_the_store_knows(store: Store) -> None:
    poll(store, ENGLISH)
    assert run_names_stage(store) == 2
    assert store.names_known(30, 2, 100) == [("vladimir putin", "Vladimir Putin", 2)]
    poll(store, ENGLISH + CHINESE)
    assert run_names_stage(store) == 1
    assert keys_of(store, "z1") == [("vladimir putin", "弗拉基米尔·普京")]


def test_a_backlog_names_its_chinese_articles_after_its_latin_ones(store: Store) -> None:
    """One run over a backlog, the Chinese article the newest: it is named last, with the
    names the run's English articles gave."""
    poll(store, ENGLISH + CHINESE)
    assert run_names_stage(store) == 3 and store.names_pending_count() == 0
    assert keys_of(store, "z1") == [("vladimir putin", "弗拉基米尔·普京")]
    # A run of one article at a time walks the same backlog.
    store.db.execute("INSERT INTO names_pending (article_id) SELECT id FROM articles")
    assert run_names_stage(store, limit=1) == 1 and store.names_pending_count() == 2


def test_known_names_are_read_once_and_only_for_texts_without_capitals() -> None:
    class Rows:
        calls = 0

        def names_known(self, days: int, min_articles: int, limit: int) -> list[tuple[str, str, int]]:
            Rows.calls += 1
            return [("vladimir putin", "Vladimir Putin", 3)]

    known = KnownNames(Rows())
    english = [{"title": "Putin", "text": "Yesterday Vladimir Putin said.", "language": "en"}]
    assert names_of_all(english, None, known)[0][0]["key"] == "vladimir putin" and Rows.calls == 0
    texts = ("总统普京说。", "普京总统说。弗拉基米尔·普京")
    chinese = [{"title": "", "text": t, "language": "zh"} for t in texts]
    assert [[n["key"] for n in names] for names in names_of_all(chinese, None, known)] == [
        ["vladimir putin"], ["vladimir putin"]
    ]
    assert Rows.calls == 1


def test_the_known_names_index_is_built_again_only_when_stale() -> None:
    putin, trump = frozenset({"vladimir putin"}), frozenset({"donald trump"})
    many = frozenset(f"name {i}" for i in range(20))
    assert not known_names_stale(10.0, putin, putin)
    assert known_names_stale(KNOWN_MAX_AGE_SECONDS, putin, putin)  # too old
    assert known_names_stale(10.0, putin, putin | trump)  # half the keys are new
    assert not known_names_stale(10.0, many, many | {"one more"})  # 1 of 21: kept
    assert known_names_stale(10.0, frozenset(), putin)  # the first names come


def test_a_cache_keeps_one_index_across_runs_of_the_stage(store: Store) -> None:
    """The daemon's runs: the index is built at the first article without capitals, kept by
    the next runs, and built again once the store knows other names (read again after
    KNOWN_CHECK_SECONDS)."""
    now = [1_000.0]
    cache = KnownNamesCache(clock=lambda: now[0])
    poll(store, ENGLISH)
    run_names_stage(store, known_cache=cache)
    assert cache.builds == 0  # nothing written without capitals yet
    poll(store, ENGLISH + CHINESE)
    run_names_stage(store, known_cache=cache)
    assert cache.builds == 1 and keys_of(store, "z1") == [("vladimir putin", "弗拉基米尔·普京")]
    later = [entry("z2", "普京", "总统普京周三说。", "zh", 3)]
    poll(store, ENGLISH + CHINESE + later)
    run_names_stage(store, known_cache=cache)
    assert cache.builds == 1 and keys_of(store, "z2") == [("vladimir putin", "普京")]
    trump = [
        entry("e3", "Trade", "Yesterday Donald Trump spoke.", "en", 4),
        entry("e4", "Tariffs", "On Friday, Donald Trump met Vladimir Putin.", "en", 5),
        entry("z3", "特朗普", "美国总统唐纳德·特朗普周五讲话。", "zh", 6),
    ]
    poll(store, ENGLISH + CHINESE + later + trump)
    run_names_stage(store, known_cache=cache)
    assert cache.builds == 1  # read again only after KNOWN_CHECK_SECONDS: z3 keeps its own key
    assert keys_of(store, "z3") == [(script_key("唐纳德·特朗普"), "唐纳德·特朗普")]
    now[0] += KNOWN_CHECK_SECONDS
    store.db.execute("INSERT INTO names_pending (article_id) SELECT id FROM articles WHERE guid = 'z3'")
    run_names_stage(store, known_cache=cache)
    assert cache.builds == 2 and keys_of(store, "z3") == [("donald trump", "唐纳德·特朗普")]


def test_a_cued_name_takes_the_key_of_the_one_known_name_it_sounds_like_word_for_word() -> None:
    spelled = SpelledNames([
        ("olaf sholz", "Олаф Шольц"),  # known from Russian news only: compared romanized
        ("donald tusk", "Donald Tusk"),
        ("elizabet i", "Elizabeth II"),
        ("kilian mbape", "Kylian Mbappé"),
    ])  # fmt: skip
    assert spelled.key_of("奥拉夫·朔尔茨") == "olaf sholz"
    assert spelled.key_of("ელისაბედ II") == "elizabet i"
    assert spelled.key_of("كيليان مبابي") == "kilian mbape"
    assert spelled.key_of("唐纳德·特朗普") is None  # Donald, but not Tusk
    assert spelled.key_of("朔尔茨") is None  # one word: the SoundIndex's to hear
    # Two known names that fit: neither is taken.
    assert SpelledNames([("a", "Olaf Scholz"), ("b", "Olaf Scholtz")]).key_of("奥拉夫·朔尔茨") is None
    # Through the recogniser: the cue's key, where the SoundIndex hears nothing.
    chinese = names_in("", "法国前锋基利安·姆巴佩周二进球。", "zh", SoundIndex([]), spelled)
    assert [n.key for n in chinese] == ["kilian mbape"]


@pytest.mark.parametrize(("language", "text", "cue", "latin"), REGNAL)
def test_a_regnal_name_reads_with_its_number_in_roman_numerals(
    language: str, text: str, cue: str, latin: str
) -> None:
    (found,) = cued_names(text, language)
    assert found.text == cue and regnal_latin(found) == latin


def test_a_regnal_name_takes_the_key_of_the_known_king_of_its_number() -> None:
    kings = SpelledNames([("felipe v", "Felipe V"), ("felipe vi", "Felipe VI")])
    chinese = names_in("", "西班牙国王费利佩六世出席了仪式。", "zh", SoundIndex([]), kings)
    assert [n.key for n in chinese] == ["felipe vi"]
    assert kings.key_of("费利佩 VII") is None  # no king of that number is known


def test_a_known_name_heard_over_a_function_word_is_no_name() -> None:
    """"من محاولة" ("from an attempt") heard as a known two-word name (the sounds branch's index
    hears Mauna Loa there): a span with a preposition in it is a phrase, not a name; the
    same span without one is taken."""

    class Hears(SoundIndex):
        def __init__(self, spelled: str) -> None:
            super().__init__([("mauna loa", "Mauna Loa")])
            self.spelled = spelled

        def find(self, text: str, language: str | None = None) -> list[Heard]:
            start = text.index(self.spelled)
            return [Heard(start, start + len(self.spelled), "mauna loa", "Mauna Loa", True)]

    phrase = "أعلن الجيش عن فشل من محاولة الانقلاب."
    assert names_in("", phrase, "ar", Hears("من محاولة")) == ()
    named = "زار ماونا لوا البركان أمس."
    assert [n.key for n in names_in("", named, "ar", Hears("ماونا لوا"))] == ["mauna loa"]
