"""Organisations as scripts without capitals write them (monitor.entities.orgnames): found in
a text, named in English, recognised as names and matched by a watch written in English.
Sentences written for these tests, in the languages' own words."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitor.entities.names import names_in
from monitor.entities.orgnames import (
    english_names,
    organisation_named,
    organisations_in,
    organisations_named,
    written_forms,
)
from monitor.entities.phrasetrie import trie_pattern
from monitor.entities.scriptnames import cued_names

from .watches_helpers import name_found as found

# (language, sentence, the written name in it, its organisation's English name)
WRITTEN = [
    ("zh", "英联邦国家领导人在伦敦会面。", "英联邦", "Commonwealth of Nations"),
    ("zh", "國際足聯宣布了新的規則。", "國際足聯", "FIFA"),
    ("zh", "哈马斯和以色列同意停火。", "哈马斯", "Hamas"),
    ("zh", "国际刑事法院发出逮捕令。", "国际刑事法院", "International Criminal Court"),
    ("ja", "国際オリンピック委員会は声明を出した。", "国際オリンピック委員会", "IOC"),
    ("ja", "ヒズボラがロケットを発射した。", "ヒズボラ", "Hezbollah"),
    ("ko", "탈레반이 카불을 장악했다.", "탈레반", "Taliban"),
    ("ko", "세계은행은 성장률 전망을 낮췄다.", "세계은행", "World Bank"),
    ("th", "ที่ประชุมเครือจักรภพจัดขึ้นที่ลอนดอน", "เครือจักรภพ", "Commonwealth of Nations"),
    ("th", "อาเซียนประชุมสุดยอดที่จาการ์ตา", "อาเซียน", "ASEAN"),
    ("ar", "أعلنت منظمة الصحة العالمية حالة الطوارئ.", "منظمة الصحة العالمية", "World Health Organization"),
    ("ar", "اجتمع وزراء أوبك في فيينا.", "أوبك", "OPEC"),
    ("ar", "انضمت الدول إلى الكومنولث.", "الكومنولث", "Commonwealth of Nations"),
    ("fa", "آژانس بین‌المللی انرژی اتمی گزارش داد.", "آژانس بین‌المللی انرژی اتمی", "IAEA"),
    ("fa", "طالبان کابل را گرفت.", "طالبان", "Taliban"),
    ("ckb", "یاسای نوێی فیفای ڕاگەیاند.", "فیفا", "FIFA"),
    ("ckb", "شا بوو بە سەرۆکی کۆمۆنوێلت", "کۆمۆنوێلت", "Commonwealth of Nations"),
    ("ur", "طالبان نے کابل پر قبضہ کر لیا۔", "طالبان", "Taliban"),
    ("he", 'מזכ"ל האו"ם גינה את התקיפה.', 'האו"ם', "United Nations"),
    ("he", "חיזבאללה שיגר רקטות.", "חיזבאללה", "Hezbollah"),
    ("hi", "फीफा ने नए नियम घोषित किए।", "फीफा", "FIFA"),
    ("hi", "राष्ट्रमंडल खेलों का आयोजन हुआ।", "राष्ट्रमंडल", "Commonwealth of Nations"),
    ("ne", "संयुक्त राष्ट्रसङ्घले चेतावनी दियो।", "संयुक्त राष्ट्र", "United Nations"),
    ("ta", "நாசாவின் விண்கலம் ஏவப்பட்டது.", "நாசா", "NASA"),
    ("si", "ලෝක සෞඛ්‍ය සංවිධානය අනතුරු ඇඟවීය.", "ලෝක සෞඛ්‍ය සංවිධානය", "World Health Organization"),
    ("ka", "ფიფამ ახალი წესები გამოაცხადა.", "ფიფა", "FIFA"),
    ("ml", "ലോകാരോഗ്യ സംഘടന മുന്നറിയിപ്പ് നൽകി.", "ലോകാരോഗ്യ സംഘടന", "World Health Organization"),
]


@pytest.mark.parametrize(("language", "text", "written", "english"), WRITTEN)
def test_an_organisation_is_found_as_the_language_writes_it(
    language: str, text: str, written: str, english: str
) -> None:
    assert [(o.text, o.name) for o in organisations_in(text)] == [(written, organisation_named(english))]
    start = text.index(written)
    assert (organisations_in(text)[0].start, organisations_in(text)[0].end) == (start, start + len(written))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("او ناتوان بود.", "ناتوان, unable: a name in Arabic letters ends its word"),
        ("伊斯兰国家的领导人会面。", "伊斯兰国家 are Islamic countries, not the Islamic State"),
        ("이슬람국가들의 정상들이 만났다.", "이슬람국가들: Islamic countries"),
        ("این نرم‌افزار ناسازگار است.", "ناسازگار, incompatible, is not NASA"),
        ("他们一起讨论了这个问题。", "no organisation"),
        # parties (parties.py): an ideology's word alone, a party word inside another word
        ("这是一个保守的决定。", "保守 alone is an adjective"),
        ("人民要求更多民主。", "民主 alone is democracy"),
        ("他是公司员工党支部书记。", "a staff Party branch"),
        ("他是化工党委书记。", "化工 党委: a chemical works' Party committee"),
        ("各民主党派负责人出席。", "民主党派: the democratic parties (a kind)"),
        ("민주 당국은 발표했다.", "당국: authorities"),
        ("공화국 대통령이 말했다.", "공화국: a republic, no party"),
        ("جمهوری خواهان آزادی هستند", "no party word"),
    ],
)
def test_a_look_alike_is_no_organisation(text: str, reason: str) -> None:
    assert organisations_in(text) == (), reason


def test_the_longest_written_name_wins() -> None:
    # UEFA's Arabic name holds the European Union's: it is UEFA, and the EU only where it stands alone
    text = "قرر الاتحاد الأوروبي لكرة القدم ذلك، ورحب الاتحاد الأوروبي بالقرار."
    assert [o.name for o in organisations_in(text)] == ["UEFA", "European Union"]
    assert organisations_named("قرر الاتحاد الأوروبي لكرة القدم ذلك") == {"UEFA"}


def test_a_body_names_the_organisation_it_is_part_of() -> None:
    both = {"United Nations Security Council", "United Nations"}
    assert organisations_named("联合国安理会通过决议。") == both
    assert organisations_named("유엔 안보리가 소집됐다.") == both


def test_english_names_and_initials_name_one_organisation() -> None:
    assert organisation_named("the United Nations") == organisation_named("UN") == "United Nations"
    assert organisation_named("U.N.") == organisation_named("U N") == "United Nations"  # a watch's words
    congress = "United States Congress"
    assert organisation_named("U.S. Congress") == organisation_named("US Congress") == congress
    assert organisation_named("Pakistan Tehreek e Insaf") == "Pakistan Tehreek-e-Insaf"
    assert organisation_named("People s Party") == "People's Party"
    assert organisation_named("Commonwealth") == organisation_named("Commonwealth of Nations")
    assert organisation_named("ISIS") == organisation_named("Daesh") == "Islamic State"
    assert organisation_named("United Kingdom") is None
    assert "الأمم المتحدة" in written_forms("United Nations")
    assert written_forms("Islamic State") >= {"伊斯兰国", "داعش"}  # without the `!` of what may not follow
    assert written_forms("Supreme Court") == frozenset()


def test_the_list_covers_the_languages_and_more_organisations_than_the_gold() -> None:
    assert len(english_names()) >= 70
    for written in ("联合国", "聯合國", "国連", "유엔", "สหประชาชาติ", "الأمم المتحدة", "سازمان ملل", 'האו"ם'):
        assert [o.name for o in organisations_in(written)] == ["United Nations"]


@pytest.mark.parametrize(("language", "text", "written", "english"), WRITTEN[::3])
def test_a_written_organisation_is_cued_as_a_name_with_its_english_name(
    language: str, text: str, written: str, english: str
) -> None:
    cues = [c for c in cued_names(text, language) if c.english]
    assert [(c.text, c.english) for c in cues] == [(written, organisation_named(english))]


@pytest.mark.parametrize(
    ("watched", "text", "language"),
    [
        ("Commonwealth of Nations", "ที่ประชุมเครือจักรภพจัดขึ้นที่ลอนดอน", "th"),
        ("Commonwealth", "انضمت الدول إلى الكومنولث.", "ar"),
        ("FIFA", "国际足联宣布了新的规则。", "zh"),
        ("FIFA", "یاسای نوێی فیفای ڕاگەیاند.", "ckb"),
        ("Hamas", "חמאס הודיעה על הפסקת אש.", "he"),
        ("Taliban", "탈레반이 카불을 장악했다.", "ko"),
        ("Islamic State", "داعش مسئولیت حمله را برعهده گرفت.", "fa"),
        ("International Criminal Court", "دیوان کیفری بین‌المللی حکم بازداشت صادر کرد.", "fa"),
        ("United Nations", "联合国安理会通过决议。", "zh"),  # the Council is the UN's
        ("U.S. Congress", "美国国会通过了法案。", "zh"),
        ("Pakistan Tehreek-e-Insaf", "تحریک انصاف نے احتجاج کیا۔", "ur"),
    ],
)
def test_a_watch_in_english_finds_the_written_organisation(watched: str, text: str, language: str) -> None:
    assert found(watched, text, language)


@pytest.mark.parametrize(
    ("watched", "text", "language"),
    [
        ("European Union", "قرر الاتحاد الأوروبي لكرة القدم ذلك.", "ar"),  # UEFA
        ("United Nations Security Council", "联合国秘书长表示关注。", "zh"),  # the UN is not its Council
        ("Commonwealth", "国际足联宣布了新的规则。", "zh"),
        ("Islamic State", "伊斯兰国家的领导人会面。", "zh"),
    ],
)
def test_a_watch_does_not_find_another_organisation(watched: str, text: str, language: str) -> None:
    assert not found(watched, text, language)


# (language, sentence, the party's written name in it, its English name)
PARTIES = [
    ("zh", "执政的保守党赢得了选举。", "保守党", "Conservative Party"),
    ("zh", "民主黨在參議院保住多數。", "民主黨", "Democratic Party"),
    ("zh", "社会民主党组成联合政府。", "社会民主党", "Social Democratic Party"),
    ("ja", "自民党の総裁選が行われた。", "自民党", "Liberal Democratic Party"),
    ("ko", "공화당이 하원 다수당이 되었다.", "공화당", "Republican Party"),
    ("th", "พรรคอนุรักษนิยมเลือกหัวหน้าพรรคคนใหม่", "พรรคอนุรักษนิยม", "Conservative Party"),
    ("ar", "فاز حزب العمال في الانتخابات.", "حزب العمال", "Labour Party"),
    ("ar", "أعلن الحزب الجمهوري مرشحه.", "الحزب الجمهوري", "Republican Party"),
    ("fa", "حزب دموکرات اکثریت سنا را حفظ کرد.", "حزب دموکرات", "Democratic Party"),
    ("ckb", "ڕێبەری پارتی پارێزگاران هەڵبژێردرا.", "پارتی پارێزگاران", "Conservative Party"),
    ("ur", "لیبر پارٹی نے انتخابات جیت لیے۔", "لیبر پارٹی", "Labour Party"),
    ("he", "מפלגת העבודה הודיעה על פריימריז.", "מפלגת העבודה", "Labour Party"),
    ("yi", "די קאנסערוואטיווע פארטיי האט געוואונען.", "קאנסערוואטיווע פארטיי", "Conservative Party"),
    ("hi", "कंजर्वेटिव पार्टी ने नया नेता चुना।", "कंजर्वेटिव पार्टी", "Conservative Party"),
    ("ta", "குடியரசுக் கட்சியின் வேட்பாளர் வென்றார்.", "குடியரசுக் கட்சி", "Republican Party"),
    ("si", "කම්කරු පක්ෂය ජයග්‍රහණය කළේය.", "කම්කරු පක්ෂ", "Labour Party"),
    ("ka", "კონსერვატიული პარტიის ლიდერი აირჩიეს.", "კონსერვატიული პარტი", "Conservative Party"),
]


def test_a_party_named_with_its_country_is_its_own_organisation_and_a_party_of_its_kind() -> None:
    texts = ("中國共產黨召開大會。", "حزب کمونیست چین اعلام کرد", "중국공산당 대회가 열렸다")
    for text in texts:
        assert [o.name for o in organisations_in(text)] == ["Chinese Communist Party"], text
        assert organisations_named(text) == {"Chinese Communist Party", "Communist Party"}
    text = "中國共產黨召開大會。"
    for watched in ("Chinese Communist Party", "Communist Party of China", "CCP", "Communist Party"):
        assert found(watched, text, "zh"), watched
    assert not found("Chinese Communist Party", "越南共产党召开大会。", "zh")  # another communist party
    assert found("Communist Party", "越南共产党召开大会。", "zh")
    assert not found("Chinese Communist Party", "其中共有五人。", "zh")  # 其中共有: "of whom in all"


def test_one_party_word_and_several_english_names() -> None:
    assert found("Tories", "英国保守党赢得了选举。", "zh")
    assert found("Labor Party", "فاز حزب العمال في الانتخابات.", "ar")
    assert found("Workers' Party", "فاز حزب العمال في الانتخابات.", "ar")  # Arabic says both so
    assert not found("Workers' Party", "英国工党赢得了选举。", "zh")  # 工党 is Labour; 劳工党 the Workers'
    assert not found("Democratic Party", "社会民主党组成联合政府。", "zh")
    assert not found("Conservative Party", "حزب دموکرات اکثریت سنا را حفظ کرد.", "fa")


# (language, sentence, the team as written, its English name)
TEAMS = [
    ("zh", "阿根廷国家足球队赢得世界杯。", "阿根廷国家足球队", "Argentina national football team"),
    ("zh", "巴西國家女子排球隊獲勝。", "巴西國家女子排球隊", "Brazil women's national volleyball team"),
    ("ja", "サッカー日本代表が勝った。", "サッカー日本代表", "Japan national football team"),
    ("ko", "일본 축구 국가대표팀이 이겼다.", "일본 축구 국가대표팀", "Japan national football team"),
    ("ar", "فاز منتخب البرازيل لكرة القدم.", "منتخب البرازيل لكرة القدم", "Brazil national football team"),
    ("fa", "تیم ملی فوتبال زنان ژاپن", "تیم ملی فوتبال زنان ژاپن", "Japan women's national football team"),
    ("he", "נבחרת צרפת בכדורגל ניצחה.", "נבחרת צרפת בכדורגל", "France national football team"),
    ("th", "ทีมฟุตบอลทีมชาติอาร์เจนตินาชนะ", "ทีมฟุตบอลทีมชาติอาร์เจนตินา", "Argentina national football team"),
    ("hi", "भारत राष्ट्रीय क्रिकेट टीम जीती।", "भारत राष्ट्रीय क्रिकेट टीम", "India national cricket team"),
]


@pytest.mark.parametrize(("language", "text", "written", "english"), PARTIES + TEAMS)
def test_a_party_or_a_team_is_read_from_parts(language: str, text: str, written: str, english: str) -> None:
    assert [(o.text, o.name) for o in organisations_in(text)] == [(written, english)]
    assert found(english, text, language)


def test_a_team_watch_names_its_country_sport_and_kind() -> None:
    text = "巴西國家女子排球隊獲勝。"
    assert found("Brazil women's national volleyball team", text, "zh")
    assert not found("Brazil national team", text, "zh")  # a men's team (no `women's`)
    assert not found("Brazil national volleyball team", text, "zh")  # the women's is another team
    assert not found("Serbia women's national volleyball team", text, "zh")
    assert not found("Brazil women's national basketball team", text, "zh")
    assert found("Argentina national team", "阿根廷国家足球队赢得世界杯。", "zh")  # no sport: any
    assert found("Argentina national soccer team", "阿根廷国家足球队赢得世界杯。", "zh")
    assert not found("France national football team", "تیم ملی فوتبال فرانسوی", "fa")  # an adjective goes on


def test_a_country_is_named_by_the_short_part_of_its_name_where_that_is_one_countrys() -> None:
    # ISO writes `Iran, Islamic Republic of` (Persian `ایران، جمهوری اسلامی`): Iran is ایران;
    # `Korea, Republic of` and `Korea, Democratic People's Republic of` share کره: neither
    assert [o.name for o in organisations_in("تیم ملی فوتبال ایران")] == ["Iran national football team"]
    assert organisations_in("تیم ملی فوتبال کره") == ()


@pytest.mark.parametrize(
    "text",
    ["阿根廷队赢了。", "国家队训练。", "تیم ملی ما برد", "منتخب البلاد فاز", "中国女子足球很强。"],
)
def test_a_team_word_without_a_country_and_sport_is_no_team(text: str) -> None:
    assert organisations_in(text) == ()


@given(
    st.lists(st.text(alphabet="abcxy", min_size=1, max_size=4), min_size=1, max_size=12),
    st.text(alphabet="abcxy ", max_size=40),
)
def test_the_trie_finds_what_the_longest_first_alternation_finds(phrases: list[str], text: str) -> None:
    longest_first = "|".join(re.escape(p) for p in sorted(set(phrases), key=len, reverse=True))
    expected = [(m.start(), m.group()) for m in re.finditer(longest_first, text)]
    assert [(m.start(), m.group()) for m in re.finditer(trie_pattern(phrases), text)] == expected


def test_a_chinese_party_cued_with_its_place_carries_the_partys_english_name() -> None:
    # England is no country of ISO 3166-1: the party is cued with it, and is a Conservative Party
    assert [(c.text, c.english) for c in cued_names("英格兰保守党赢得了选举。", "zh")] == [
        ("英格兰保守党", "Conservative Party")
    ]
    assert [(c.text, c.english) for c in cued_names("英国保守党赢得了选举。", "zh")] == [
        ("英国保守党", "Conservative Party of United Kingdom")
    ]
    assert [(c.text, c.english) for c in cued_names("黎巴嫩议会选举", "zh")] == [("黎巴嫩议会", "")]
    # an organisation's name at the start of a longer one is not that one's name
    committee = "中共中央委員會"
    assert [(c.text, c.english) for c in cued_names(committee + "召開會議", "zh")] == [(committee, "")]


@pytest.mark.parametrize(
    ("language", "text", "written", "english"),
    [
        ("zh", "越南共产党召开大会。", "越南共产党", "Communist Party of Vietnam"),
        ("zh", "德國社會民主黨贏得選舉。", "德國社會民主黨", "Social Democratic Party of Germany"),
        ("ja", "日本共産党の委員長が話した。", "日本共産党", "Communist Party of Japan"),
        ("ko", "베트남 공산당 대회가 열렸다.", "베트남 공산당", "Communist Party of Vietnam"),
        ("fa", "حزب کمونیست ویتنام اعلام کرد", "حزب کمونیست ویتنام", "Communist Party of Vietnam"),
        ("th", "พรรคคอมมิวนิสต์เวียดนามประชุม", "พรรคคอมมิวนิสต์เวียดนาม", "Communist Party of Vietnam"),
    ],
)
def test_a_party_is_read_with_its_country(language: str, text: str, written: str, english: str) -> None:
    assert [(o.text, o.name) for o in organisations_in(text)] == [(written, english)]
    assert found(english, text, language)
    assert found(english.split(" of ")[0], text, language)  # a party of its kind


def test_a_party_with_its_country_is_not_another_countrys() -> None:
    assert not found("Communist Party of China", "越南共产党召开大会。", "zh")
    assert not found("Communist Party of Vietnam", "中国共产党召开大会。", "zh")
    assert not found("Communist Party of Vietnam", "老挝人民革命党召开大会。", "zh")
    assert not found("Communist Party of Vietnam", "Vietnam said.", "en")


@pytest.mark.parametrize(
    ("language", "text", "english"),
    [
        ("zh", "中国共产党召开中央全会。", "Chinese Communist Party"),
        ("fa", "سازمان ملل متحد قطعنامه را تصویب کرد.", "United Nations"),
        ("ko", "탈레반이 카불을 장악했다.", "Taliban"),
    ],
)
def test_a_written_organisation_is_keyed_and_shown_by_its_english_name(
    language: str, text: str, english: str
) -> None:
    (name,) = [n for n in names_in(None, text, language) if n.name == organisation_named(english)]
    assert name.key == names_in(None, f"The {name.name} met on Monday.", "en")[0].key
    assert any(written in text for written in name.variants)
