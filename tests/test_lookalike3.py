"""A watched surname heard alone in a script without capitals is not another known person of
that surname (Bill Clinton for a watch of Hillary Clinton, Ivanka Trump for Donald Trump): the
given name of a person the installation knows, heard right before it (monitor.entities.sounds
`SoundIndex.knowing`, monitor.watches.match `known_persons`). Sentences written for these tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.entities.sounds import SoundIndex, sounds_like
from monitor.entities.stage import KnownNamesCache
from monitor.watches.match import (
    KnownPersons,
    backfill_watch,
    compile_all,
    known_persons,
    names_index,
    run_watch_stage,
    try_watch,
)
from monitor.watches.names import NameText, hear_all, watched_name
from monitor.watches.settings import WatchConfig, parse_watches_section

from .watches_helpers import Item, add, open_store

KNOWN = [
    [("Bill", "Clinton")],
    [("Hillary", "Clinton"), ("Hillary", "Rodham", "Clinton")],
    [("Ivanka", "Trump")],
    [("Donald", "Trump"), ("Donald", "J", "Trump")],
    [("Eric", "Trump")],
    [("Vladimir", "Putin")],
]

# (watch, text, language): another known person of the surname, by script
OTHER_PERSON = [
    ("Hillary Clinton", "قال بيل كلينتون إن الاتفاق جيد.", "ar"),
    ("Donald Trump", "قالت إيفانكا ترامب إنها ستزور باريس.", "ar"),
    ("Donald Trump", "ایوانکا ترامپ گفت که به پاریس می‌رود.", "fa"),
    ("Donald Trump", "اریک ترامپ گفت که شرکت را اداره می‌کند.", "fa"),
    ("Hillary Clinton", "ביל קלינטון אמר שההסכם טוב.", "he"),
    ("Hillary Clinton", "빌 클린턴 전 대통령이 말했다.", "ko"),
    ("Donald Trump", "이방카 트럼프 고문이 파리를 방문했다.", "ko"),
    ("Hillary Clinton", "บิล คลินตัน กล่าวว่าข้อตกลงนี้ดี", "th"),
    ("Donald Trump", "อิวานกา ทรัมป์ เดินทางไปปารีส", "th"),
    ("Hillary Clinton", "बिल क्लिंटन ने कहा कि समझौता अच्छा है।", "hi"),
    ("Donald Trump", "इवांका ट्रंप ने पेरिस की यात्रा की।", "hi"),
    ("Hillary Clinton", "ბილ კლინტონმა თქვა, რომ შეთანხმება კარგია.", "ka"),
    ("Donald Trump", "ივანკა ტრამპი პარიზს ეწვია.", "ka"),
]

# (watch, text, language): the watched person, by full name or by the surname alone after a
# word that is no known person's given name (said, the president, the country's word)
SAME_PERSON = [
    ("Hillary Clinton", "قالت هيلاري كلينتون إن الاتفاق جيد.", "ar"),
    ("Hillary Clinton", "قال كلينتون إن الاتفاق جيد.", "ar"),
    ("Donald Trump", "ترامب قال إن الاتفاق جيد.", "ar"),
    ("Donald Trump", "قال الرئيس ترامب إن الاتفاق جيد.", "ar"),
    ("Donald Trump", "قال دونالد ترامب إن الاتفاق جيد.", "ar"),
    ("Donald Trump", "دونالد ترامپ گفت که به پاریس می‌رود.", "fa"),
    ("Donald Trump", "미국 대통령 도널드 트럼프가 말했다.", "ko"),
    ("Donald Trump", "트럼프는 파리를 방문했다.", "ko"),
    ("Hillary Clinton", "힐러리 클린턴 전 장관이 말했다.", "ko"),
    ("Donald Trump", "โดนัลด์ ทรัมป์ เดินทางไปปารีส", "th"),
    ("Donald Trump", "ทรัมป์พบผู้นำจีนที่ปักกิ่ง", "th"),  # a verb glued after the name
    ("Donald Trump", "ट्रंप ने पेरिस की यात्रा की।", "hi"),
    ("Donald Trump", "ტრამპი პარიზს ეწვია.", "ka"),
    ("Vladimir Putin", "הנשיא פוטין אמר שההסכם טוב.", "he"),
    ("Vladimir Putin", "ההסכם נחתם ונשלח לפוטין אתמול.", "he"),  # ל glued: to Putin
    ("Vladimir Putin", "ופוטין אמר שההסכם טוב.", "he"),  # ו glued: and Putin
]


def _heard(name: str, text: str, language: str, known: list[list[tuple[str, ...]]]) -> bool:
    return bool(SoundIndex([(name, name)]).knowing(known).find(text, language))


@pytest.mark.parametrize(("name", "text", "language"), OTHER_PERSON)
def test_another_known_person_of_the_surname_is_not_the_watched_one(
    name: str, text: str, language: str
) -> None:
    assert _heard(name, text, language, [])  # without the known persons: heard (the look-alike)
    assert not _heard(name, text, language, KNOWN)


@pytest.mark.parametrize(("name", "text", "language"), SAME_PERSON)
def test_the_watched_person_is_still_heard_knowing_the_others(name: str, text: str, language: str) -> None:
    assert _heard(name, text, language, KNOWN)


def test_only_a_known_person_of_the_same_surname_counts() -> None:
    # Bill is known, but as a Gates: Bill before Clinton is then no evidence
    text = "قال بيل كلينتون إن الاتفاق جيد."
    assert _heard("Hillary Clinton", text, "ar", [[("Bill", "Gates")], [("Hillary", "Clinton")]])
    # the watched person known under its own given name is no other person
    assert _heard("Donald Trump", "قال دونالد ترامب", "ar", [[("Donald", "Trump")]])
    # a name of one word, or not in Latin letters, knows no given name
    assert _heard("Hillary Clinton", text, "ar", [[("Clinton",)], [("بيل", "كلينتون")]])


def test_a_known_person_whose_given_names_hold_the_watched_ones_is_that_person() -> None:
    # K. Barry Sharpless, known with both given names: Karl before his surname is still he
    text = "جایزهٔ نوبل شیمی به کارولین برتوزی، کارل شارپلس، و مورتن ملدال اهدا شد."
    assert _heard("Barry Sharpless", text, "fa", [[("Karl", "Barry", "Sharpless")]])
    assert not _heard("Barry Sharpless", text, "fa", [[("Karl", "Sharpless")], [("Barry", "Sharpless")]])
    # Tayyip and Recep, spellings of one known person (one key), are both his
    text = "रेजेप एर्दोगान ने कहा कि समझौता अच्छा है।"
    one = [[("Tayyip", "Erdogan"), ("Recep", "Erdogan")]]
    assert _heard("Tayyip Erdogan", text, "hi", one)
    assert not _heard("Tayyip Erdogan", text, "hi", [[spelling] for spelling in one[0]])


def test_the_watch_matcher_with_the_known_persons() -> None:
    persons = KNOWN
    watch = compile_all([WatchConfig(name="t", names=("Donald Trump",))], "m", None)
    index = names_index(watch, persons)
    for text, expected in (("قالت إيفانكا ترامب إنها ستزور باريس.", False), ("قال ترامب", True)):
        read = NameText.of(text, language="ar")
        hear_all(read, index)
        assert read.has(watched_name("Donald Trump")) is expected


def _names(store: object, article_id: int, spellings: list[str]) -> None:
    rows = [{"key": s.casefold(), "name": s, "variants": [s], "mentions": 1} for s in spellings]
    store.names_write({article_id: rows})  # type: ignore[attr-defined]


def test_stage_backfill_and_try_know_the_installations_persons(tmp_path: Path) -> None:
    """On a real SQLite file: English news name Ivanka Trump and Donald Trump (twice each, as
    the names stage would store them); an Arabic article about Ivanka is matched by no stage,
    backfill or `watch test`, one about Donald by all three."""
    watches = parse_watches_section([{"name": "Trump", "names": ["Donald Trump"]}], "feeds.yaml", model="m")
    with open_store(tmp_path / "monitor.db") as store:
        english = add(
            store,
            [
                Item(0, "Ivanka Trump visits Paris", "Ivanka Trump and Donald Trump met.", "en"),
                Item(0, "Donald Trump speaks", "Ivanka Trump and Donald Trump spoke.", "en", 1),
            ],
        )
        for article_id in english:
            _names(store, article_id, ["Ivanka Trump", "Donald Trump"])
        ivanka, donald = add(
            store,
            [
                Item(2, "إيفانكا ترامب في باريس", "قالت إيفانكا ترامب إنها ستزور باريس.", "ar", 2),
                Item(2, "ترامب في باريس", "قال ترامب إنه سيزور باريس.", "ar", 3),
            ],
        )
        run_watch_stage(store, watches, None, backfill=False)
        live = {int(r["article_id"]) for r in store.query("SELECT article_id FROM watch_matches")}
        assert donald in live and ivanka not in live
        (compiled,) = compile_all(watches.watches, "m", None)
        watch_id = int(store.query("SELECT id FROM watches")[0]["id"])
        _, backfilled = backfill_watch(store, compiled, watch_id, save=False)
        assert backfilled == len(live)
        tried = {int(row["id"]) for row, _ in try_watch(store, watches.watches[0], "m", None)}
        assert tried == live


def test_an_empty_store_knows_no_person_and_matches_as_before(tmp_path: Path) -> None:
    watches = parse_watches_section([{"name": "Trump", "names": ["Donald Trump"]}], "feeds.yaml", model="m")
    with open_store(tmp_path / "monitor.db") as store:
        text = "قالت إيفانكا ترامب إنها ستزور باريس."
        (ivanka,) = add(store, [Item(2, "إيفانكا ترامب في باريس", text, "ar")])
        run_watch_stage(store, watches, None, backfill=False)
        live = {int(r["article_id"]) for r in store.query("SELECT article_id FROM watch_matches")}
        assert live == {ivanka}  # no known Ivanka: the surname alone is heard


@pytest.mark.parametrize(
    ("spelling", "written", "alike"),
    [
        ("Ivanka", "איוואנקה", True),
        ("Angela", "אנגלה", True),
        ("Theresa", "תרזה", True),
        ("Melania", "מלניה", True),
        ("Angel", "אנגלה", False),  # the last ה is a vowel: no name ending in a consonant
        ("Ivan", "איוואנקה", False),
    ],
)
def test_a_hebrew_words_last_he_is_the_vowel_it_writes(spelling: str, written: str, alike: bool) -> None:
    assert sounds_like(spelling, written) is alike


def test_a_hebrew_ivanka_is_no_donald_trump_where_ivanka_trump_is_known() -> None:
    assert not _heard("Donald Trump", "איוואנקה טראמפ אמרה שהיא תבקר בפריז.", "he", KNOWN)
    assert _heard("Donald Trump", "טראמפ אמר שהוא יבקר בפריז.", "he", KNOWN)


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Donald Trump", "นายทรัมป์พบผู้นำจีนที่ปักกิ่ง"),  # a form of address and a verb glued on
        ("Donald Trump", "ประธานาธิบดีทรัมป์พบผู้นำจีน"),  # a title glued on
        ("Charles III", "โดยมีสมเด็จพระเจ้าชาลส์ที่ 3 สืบราชบัลลังก์"),  # a royal title inside a run
        ("Elizabeth II", "สมเด็จพระราชินีนาถเอลิซาเบธที่ 2 เสด็จสวรรคต"),
    ],
)
def test_a_thai_name_after_a_title_written_onto_it(name: str, text: str) -> None:
    assert NameText.of(text, language="th").has(watched_name(name))


@pytest.mark.parametrize(
    ("name", "text"),
    [
        # a full name is not heard inside a run after a title: สวีเดนห (Sweden and the next
        # word's first letter) sounds like Joe Biden
        ("Joe Biden", "ได้รับเลือกตั้งเป็นนายกรัฐมนตรีสวีเดนหลังบรรลุข้อตกลง"),
        ("Donald Trump", "นายกรัฐมนตรีกล่าวว่าจะเดินทางไปปักกิ่ง"),  # นายก is the prime minister
    ],
)
def test_no_thai_look_alike_after_a_title(name: str, text: str) -> None:
    assert not NameText.of(text, language="th").has(watched_name(name))


def test_a_given_name_before_a_middle_dot_is_no_surname_alone() -> None:
    # 马克斯 (Max) sounds like McCarthy's surname, but a middle dot and a surname follow it
    text = "荷蘭車手马克斯·维斯塔潘贏得車手世界冠軍。"
    assert not _heard("Kevin McCarthy", text, "zh", [])
    assert _heard("Max Verstappen", text, "zh", [])  # the full name
    assert _heard("Kevin McCarthy", "美国众议院议长麦卡锡表示反对。", "zh", [])  # the surname alone
    assert _heard("Kevin McCarthy", "凯文·麦卡锡当选议长。", "zh", [])  # after the dot


def test_the_stage_reads_the_known_persons_at_the_names_stages_pace(tmp_path: Path) -> None:
    now = [0.0]
    persons = KnownPersons(clock=lambda: now[0])
    with open_store(tmp_path / "monitor.db") as store:
        first, second = add(store, [Item(0, "Ivanka Trump", "", "en"), Item(0, "Ivanka Trump", "", "en", 1)])
        assert persons(store) == [] == known_persons(store)
        for article_id in (first, second):
            _names(store, article_id, ["Ivanka Trump"])
        assert persons(store) == []  # read again only KNOWN_CHECK_SECONDS later
        now[0] = 301.0
        assert persons(store) == [[("Ivanka", "Trump")]] == known_persons(store)


def test_the_names_and_the_watches_stages_read_the_known_names_once(tmp_path: Path) -> None:
    """The daemon's two stages share one KnownNamesCache: one read of the store's known names
    (30 days of them) serves the names stage's index and the watches' known persons."""
    now = [0.0]
    cache = KnownNamesCache(clock=lambda: now[0])
    persons = KnownPersons(cache)
    with open_store(tmp_path / "monitor.db") as store:
        first, second = add(store, [Item(0, "Ivanka Trump", "", "en"), Item(0, "Ivanka Trump", "", "en", 1)])
        for article_id in (first, second):
            _names(store, article_id, ["Ivanka Trump"])
        reads: list[tuple[int, int, int]] = []

        class Counted:  # the store, its reads of the known names counted
            def names_known(self, days: int, min_articles: int, limit: int) -> list[tuple[str, str, int]]:
                reads.append((days, min_articles, limit))
                return store.names_known(days, min_articles, limit)

        counted = Counted()
        assert persons(counted) == [[("Ivanka", "Trump")]]  # type: ignore[arg-type]
        cache.index(counted)
        assert persons(counted) == [[("Ivanka", "Trump")]]  # type: ignore[arg-type]
        assert len(reads) == 1
        now[0] = 301.0
        cache.index(counted)
        persons(counted)  # type: ignore[arg-type]
        assert len(reads) == 2
