"""Names in scripts without capitals (Chinese, Japanese, Korean, Thai, Arabic, Persian, Hebrew,
Georgian, Indic): the cues that say a span is a person's or an organisation's name where no
capital does. Pure: a text and a language in, spans out (`cued_names`).

The cues are facts about the languages, never about particular persons:

- a middle dot joining the parts of a transliterated full name (唐纳德·特朗普, ドナルド・トランプ):
  each outer part read over the characters Chinese uses for their sound (or katakana), so
  that the title before it (总统) and the verb after it (宣布) stay out;
- in Chinese, a title or office before a run of such sound characters (总统拜登, 总理普京):
  two to six of them;
- in Japanese, a katakana run before a title or honorific (プーチン大統領, トランプ氏);
- in Japanese, a family and a given name in kanji that a dictionary reads (石破茂首相, 岸田氏:
  monitor.entities.kanji), which wins over any other cue it overlaps;
- in Persian (and Arabic, Urdu, Kurdish), the two words before a comma and a title in
  apposition (عمران خان، نخست‌وزیر سابق; پدرو کاستیلو، رئیس جمهور);
- in the spaced scripts that put the title first (Arabic, Persian, Hebrew, Hindi, Georgian,
  Tamil): the words after a title or office (الرئيس, رئیس‌جمهور, ראש הממשלה, प्रधानमंत्री,
  პრეზიდენტი), up to two (three when punctuation closes them), words that are the script's
  definite nouns and adjectives (Arabic ال…) skipped between;
- in Thai, the name after a form of address written onto it (นาย, นาง, นางสาว): its chunk and
  the surname chunk after it;
- in any of them, an organisation as the language writes its name (联合国, سازمان ملل, 유엔:
  monitor.entities.orgnames), the cue carrying its English name.

Korean gave no cue precise enough from a title alone (its titles stand before and after names,
and its foreign names look like its nouns): a title after a country's name
(monitor.entities.koreannames: 미국 대통령 도널드 트럼프가), and the names an installation already
knows (monitor.entities.sounds). Precision first: a span a cue proposes is a name only when every
word of it is made of the script's letters, none is a function word of the language or a
title, and it is not longer than a name.
Bounded work: one pass of a few regular expressions over the text (the caller reads at most
its first 20,000 characters), each extension at most _MAX_SOUND_RUN characters or _MAX_WORDS
words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.entities.kanji import japanese_names
from monitor.entities.koreannames import titled_names
from monitor.entities.orgnames import organisations_in

__all__ = ["CASELESS_LETTERS", "JOINERS", "Cue", "caseless", "cued_names", "function_word", "regnal_latin"]

# Letters of scripts without capitals: CJK, kana, Hangul, Thai and its neighbours, Arabic,
# Hebrew, Georgian (Mkhedruli), the Indic scripts, Ethiopic.
_CASELESS_LETTER = (
    r"\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"
    r"\u0900-\u0dff\u0e00-\u0eff\u1000-\u109f\u10d0-\u10ff\u1200-\u137f\u1780-\u17ff"
    r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
)
_CASELESS = CASELESS_LETTERS = re.compile(f"[{_CASELESS_LETTER}]")
_CASED = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u052f]")
_CASELESS_SHARE = 0.5  # of a text's letters (its first _SAMPLE characters), for the cues to run
_SAMPLE = 2_000
_MAX_SOUND_RUN = 7  # characters of one part of a transliterated name
_MAX_WORDS = 3  # words of a name in a spaced script
_MAX_SPAN = 40  # characters of one name

JOINERS = "\u00b7\u30fb\u2027\uff65\u2022"
# Characters Chinese uses for their sound in foreign names (Xinhua's transliteration table,
# simplified and traditional): a name's part is a run of them.
_SOUND = frozenset(
    "阿埃艾爱安昂敖奥澳巴拜班邦保鲍贝本比彼毕宾波伯博布采查察达戴丹道德登邓迪蒂丁东杜敦多厄恩尔"
    "法凡范菲费芬丰弗福伏盖甘冈戈格根古瓜圭哈海汉豪赫亨洪胡华霍基吉加贾杰金京卡凯坎康柯科克肯"
    "库奎拉莱赖兰朗劳勒雷蕾黎里利莉连林琳留龙卢鲁伦罗洛马玛迈麦曼芒梅门蒙米密明莫默姆穆纳娜乃"
    "奈南内尼妮涅宁纽努诺欧帕潘庞佩彭皮珀普奇齐乔琴丘萨塞赛桑瑟森沙莎尚什施舍斯松苏索塔泰坦汤"
    "唐特提廷图托瓦万旺威韦维温文沃乌武西希锡夏谢辛休雅亚娅扬耶伊因英尤约扎泽詹兹佐茨蔡"
    "奧澳貝鮑畢賓達戴鄧蒂頓爾費豐蓋岡戈瓜圭漢赫亨華霍賈傑凱庫奎萊賴蘭勞雷黎莉連琳龍盧魯倫羅"
    "瑪邁麥曼梅門蒙納娜寧紐諾歐龐佩喬齊琴薩賽桑瑟沙莎施蘇塔湯唐圖託瓦萬韋維溫沃烏錫謝雅亞婭揚"
    "約紮澤詹茲塞拉汗"
    "治夫逊遜歇缪繆丽麗切若焦果山大历歷瑞舒嘉琼瓊朱茱薇葛哥吕呂拿佛露卓娃茜耐赞贊冯馮列聂聶彦彥"
    "梵高卜蓬斐弥彌罕契怀懷惠席白東馬理"
)
_KATAKANA = re.compile(r"[\u30a1-\u30fa\u30fc]")
_HAN_OR_KANA = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@dataclass(frozen=True)
class Cue:
    """A span of the text that a cue says is a name."""

    start: int
    end: int
    text: str
    regnal: bool = False  # a king's or a pope's name with its number (查理三世, بندیکت شانزدهم)
    english: str = ""  # an organisation's English name, where the cue is its written name (联合国)
    latin: str = ""  # its readings where a dictionary gives them, `|` between (菅: Kan|Suga; entities.kanji)


def caseless(text: str) -> bool:
    """Whether a text is written mostly in scripts without capitals (its first characters)."""
    sample = text[:_SAMPLE]
    without = len(_CASELESS.findall(sample))
    if not without:
        return False
    return without >= _CASELESS_SHARE * (without + len(_CASED.findall(sample)))


def _titles(words: str) -> str:
    """An alternation of titles, longest first (so that 副总统 wins over 总统)."""
    return "|".join(re.escape(w) for w in sorted(set(words.split()), key=len, reverse=True))


# Chinese titles and offices before a name (simplified and traditional).
_ZH_TITLES = _titles(
    """总统 總統 副总统 副總統 主席 总理 總理 首相 部长 部長 外长 外長 防长 防長 国务卿 國務卿 议长 議長
    总书记 總書記 女王 国王 國王 王子 王储 王儲 总督 總督 州长 州長 市长 市長 大使 发言人 發言人
    秘书长 秘書長 总裁 總裁 董事长 董事長 首席执行官 教练 教練 主教 教宗 将军 將軍 司令 议员 議員
    参议员 參議員 众议员 眾議員 领导人 領導人 候选人 候選人 球员 球員 选手 選手 车手 車手 歌手 演员
    演員 作家 导演 導演 科学家 科學家 前锋 前鋒 门将 門將 总司令 總司令 首脑 首腦 总检察长 總檢察長
    法官 国务大臣 大臣 执政官 親王 亲王 公主 皇后 太子 总长 總長 主帅 主帥 小说家 小說家 画家 畫家
    艺术家 藝術家 生物学家 生物學家 物理学家 物理學家 化学家 化學家 经济学家 經濟學家"""
)
# Japanese titles and honorifics after a name.
_JA_TITLES = _titles(
    """氏 さん 様 大統領 副大統領 首相 外相 国防相 財務相 蔵相 国務長官 長官 書記長 議長 総裁 委員長 監督
    選手 容疑者 被告 国王 女王 王子 王女 皇太子 大使 報道官 代表 知事 市長 議員 候補 元大統領 前大統領
    元首相 前首相 主席 総書記 首席 総長 事務総長 司令官 将軍 会長 社長 最高経営責任者 教皇 法王"""
)
# Spaced scripts whose titles come before the name: the titles, per language.
_TITLE_FIRST = {
    "ar": """الرئيس الرئيسة رئيس رئيسة الوزراء وزراء وزير وزيرة الملك الملكة الأمير الأميرة المستشار
        المستشارة زعيم زعيمة السيد السيدة الشيخ الجنرال اللواء العقيد المرشح المرشحة البابا
        نائب نائبة الأمين العام المتحدث المتحدثة المدرب اللاعب""",
    "ur": """صدر وزیراعظم وزیر اعظم وزیر جناب محترمہ بادشاہ ملکہ شہزادہ جنرل""",
    "he": """הנשיא נשיא נשיאת הנשיאה ראש הממשלה ראשת השר השרה שר שרת מר גברת המלך המלכה הנסיך
        האפיפיור הגנרל המאמן יו״ר""",
    "hi": """राष्ट्रपति प्रधानमंत्री प्रधान मंत्री मंत्री श्री श्रीमती महासचिव राजा रानी राजकुमार
        मुख्यमंत्री राज्यपाल अध्यक्ष जनरल पोप""",
    "ne": """राष्ट्रपति प्रधानमन्त्री मन्त्री श्री श्रीमती महासचिव राजा रानी अध्यक्ष""",
    "ka": """პრეზიდენტი პრეზიდენტმა პრემიერ-მინისტრი პრემიერ-მინისტრმა მინისტრი მინისტრმა მეფე
        დედოფალი ბატონი ქალბატონი კანცლერი გენერალი პაპი თავმჯდომარე""",
    "ta": """பிரதமர் ஜனாதிபதி அரசுத்தலைவர் குடியரசுத் தலைவர் அமைச்சர் திரு திருமதி மன்னர் அரசி
        தலைவர் முதலமைச்சர்""",
}
# Titles in apposition after a name and a comma (Persian, Arabic, Urdu, Kurdish).
_APPOSITION_TITLES = _titles(
    """رئیس‌جمهور رئیس‌جمهوری رئیس نخست‌وزیر وزیر صدراعظم پادشاه ملکه دبیرکل رهبر سخنگوی معاون
    سرمربی بازیکن نامزد بنیانگذار مدیرعامل الرئيس رئيس رئيسة وزير وزيرة زعيم الأمين المتحدث
    صدر وزیراعظم سەرۆکی سەرۆک"""
)
_APPOSITION = re.compile(rf"[،,]\s*(?:{_APPOSITION_TITLES})(?=[\s\u200c]|$)")
_APPOSITION_LANGUAGES = frozenset({"fa", "ar", "ur", "ckb", "azb", "mzn", "ps", "ug", "sd"})
# Words after a person's name that say what the person is, in Persian and Kurdish, with no
# comma (کوین مک‌کارتی سیاستمدار; ویکتور بوت تاجر), and the word "as" before a title (پتر پاول
# به عنوان رئیس‌جمهور; لەتیف ڕەشید وەک سەرۆک): the two words before them, where a sentence,
# a clause or a preposition opens them, are a name.
_ROLE_AFTER = _titles(
    """سیاستمدار بسکتبالیست فوتبالیست والیبالیست تنیسور بازیکن دونده ورزشکار قهرمان تاجر بازرگان
    خواننده بازیگر نویسنده شاعر کارگردان فیلمساز آهنگساز نقاش دانشمند فیزیکدان شیمیدان
    اقتصاددان روزنامه‌نگار خبرنگار فعال سرمربی مربی سردسته"""
)
_AS = r"(?:به[\s\u200c]عنوان|به‌عنوان|وەک|وەکوو)"
_AS_TITLE = _titles(
    """رئیس‌جمهور رئیس‌جمهوری رئیس نخست‌وزیر وزیر صدراعظم پادشاه ملکه دبیرکل رهبر سخنگوی معاون
    سرمربی نامزد سەرۆک سەرۆکی سەرۆکوەزیران سەرۆکوەزیرانی وەزیر وەزیری"""
)
_ROLE = re.compile(
    rf"(?:(?<=[\s\u200c])|^)(?:(?:{_ROLE_AFTER})|{_AS}\s+(?:{_AS_TITLE}))(?=[\s\u200c.,،؛)(]|$)"
)
_ROLE_LANGUAGES = frozenset({"fa", "ckb", "azb", "mzn"})
# "Led by" before a name (حزب اصلاحات به رهبری کایا کالاس; بقيادة).
_LED_BY = re.compile(r"(?:(?<=\s)|^)(?:به[\s\u200c]رهبری|به‌رهبری|بقيادة|بە\s+سەرۆکایەتی)(?=\s)")
# A regnal name: a Chinese name and its number (查理三世, 伊莉莎白二世), a name and a Roman
# numeral in any script without capitals (ელისაბედ II, चार्ल्स III), an Arabic name and a
# definite ordinal (إليزابيث الثانية: a noun without ال before a definite ordinal is a name).
_ZH_REGNAL = re.compile("[一二三四五六七八九十]{1,3}世")
_ROMAN_AFTER = re.compile(r"(?<=\s)[IVX]{1,5}(?=[-\s.,،)]|$)")
# A regnal name held by a royal or papal title (one word, or a Thai chunk), per language:
# Thai title + name + ที่ N (สมเด็จพระเจ้าชาลส์ที่ 3); Sinhala ordinal + name + king or queen
# (තෙවන චාල්ස් රජ); Tamil title + ordinal + name (மன்னர் மூன்றாம் சார்லசு); Persian title +
# name + ordinal (پاپ بندیکت شانزدهم).
_FA_ORDINALS = (
    "اول|دوم|سوم|چهارم|پنجم|ششم|هفتم|هشتم|نهم|دهم|یازدهم|دوازدهم|سیزدهم|چهاردهم|پانزدهم|شانزدهم"
)
_REGNAL_TITLED = {
    "th": re.compile(
        r"(?:สมเด็จพระราชินีนาถ|สมเด็จพระเจ้า|พระราชินีนาถ|พระเจ้า|สมเด็จพระสันตะปาปา|สมเด็จพระสันตปาปา)"
        r"(?P<name>[\u0e01-\u0e4e]{2,20}ที่ \d{1,2})(?!\d)"
    ),
    "si": re.compile(
        r"(?:(?<=\s)|^)(?P<name>[\u0d80-\u0dff\u200d]+වන [\u0d80-\u0dff\u200d]{2,20}) (?:රජ|රැජිණ|පාප්)"
    ),
    "ta": re.compile(
        r"(?:மன்னர்|அரசர்|அரசி|மகாராணி|ராணி|திருத்தந்தை|போப்) "
        r"(?P<name>[\u0b80-\u0bff]+ாம் [\u0b80-\u0bff]{2,20})(?=[\s.,]|$)"
    ),
    "fa": re.compile(
        r"(?:(?<=\s)|^)(?:پاپ|پادشاه|ملکه|شاه|امپراتور|شاهزاده) "
        rf"(?P<name>[\u0600-\u06ff\u200c]{{2,20}} (?:{_FA_ORDINALS}))(?=[\s.,،)]|$)"
    ),
}
_AR_ORDINAL = re.compile(
    r"(?<=\s)ال(?:أول|أولى|ثاني|ثانية|ثالث|ثالثة|رابع|رابعة|خامس|خامسة|سادس|سادسة|سابع|سابعة"
    r"|ثامن|ثامنة|تاسع|تاسعة|عاشر|عاشرة|حادي عشر|ثاني عشر|ثالث عشر|رابع عشر|خامس عشر|سادس عشر)"
    r"(?=[\s.,،)]|$)"
)
# Words that end an organisation's name in Chinese (and Japanese): a party, a parliament, a
# committee, a group, a club, a company, a court, a bank, a university, an agency.
_ZH_ORG_ENDS = _titles(
    """党 黨 议会 議會 委员会 委員會 集团 集團 俱乐部 俱樂部 公司 法院 银行 銀行 大学 大學
    航天局 联合会 聯合會 协会 協會 基金会 基金會 研究院 通讯社 通訊社 议院 議院
    车队 車隊"""
)
_ZH_ORG = re.compile(f"(?:{_ZH_ORG_ENDS})")
# Korean writes an organisation's name as one word ending in what it is (공화당, 유럽연합,
# 희망연맹, 대법원), maybe with a particle after it: a word of at least two syllables before
# such an ending (정당, 의회 alone are kinds, not names). Not 위원회: a committee follows a
# word of its kind as often (중앙위원회, the central committee).
_KO_ORG_ENDS = _titles("당 연합 연맹 협회 재단 대학교 은행 법원 의회 공사 그룹 구단")
_KO_PARTICLES = _titles("이 가 은 는 을 를 의 에 에서 와 과 도 으로 로 이다 에게 측은")
_KO_ORG = re.compile(
    rf"(?:(?<=[\s(\"'“‘])|^)(?P<name>[\uac00-\ud7a3]{{2,8}}(?:{_KO_ORG_ENDS}))(?:{_KO_PARTICLES})?"
    r"(?=[\s.,()\"'”’]|$)"
)
# What ends a Chinese phrase on its left: punctuation, function characters, numerals.
_ZH_LEFT_STOP = frozenset(
    "，。、；：！？（）《》「」『』“”\"'()[] \n"
    "的在由与與和及因对對被向从從至于於以为為将將把是了之後后等並并而也都已曾让讓使据據其该該此这這那各每个個位名第届屆年月日一二三四五六七八九十百千万萬0123456789"
)
_GENERIC_BEFORE_PARTY = frozenset("政")
_MAX_ORG = 10  # characters of a Chinese organisation's name
# Words that begin an organisation's name in Persian, Arabic and Kurdish, the words after
# them naming which one (حزب کارگر, سازمان ملل, حزب المحافظين).
_ORG_FIRST = frozenset(
    """حزب سازمان جبهه دادگاه دیوان مجلس کنگره پارلمان بانک شرکت کمیسیون اتحادیه دانشگاه
    منظمة شركة جبهة الجبهة مجلس محكمة المحكمة الاتحاد اتحاد جامعة البنك بنك الحزب حركة
    حیزبی پارتی""".split()  # noqa: SIM905 (words of several scripts, read as text)
)
# Each word of the text (any punctuation before it) that begins an organisation's name.
_ORG_FIRST_WORD = re.compile(
    r"(?:(?<=[\s,،؛;:.!?()\[\]«»\"“”„'’])|^)(?:"
    + "|".join(sorted(map(re.escape, _ORG_FIRST), key=len, reverse=True))
    + ")(?= )"
)
_ORG_NOT_NAMING = frozenset(
    """این آن خود را که و از به با در برای هم یک دو سه ها های ای دیگر هر همه
    هذا هذه ذلك في من على إلى عن مع و
    ائتلافی معلق حاکم مخالف جدید سابق پیشین فعلی دولتی غیردولتی بزرگ کوچک اصلی
    غرب شرق شمال جنوب الحاكم المعارض الجديد السابق الحالي""".split()  # noqa: SIM905
)  # and adjectives that say which kind, not which one (a coalition party, a hung parliament)
_TITLE_FIRST_ALIASES = {"yi": "he", "bho": "hi", "mr": "hi"}
# Function words that end a name in those scripts (prepositions, conjunctions, verbs of saying).
_STOP_WORDS = frozenset(
    """في من على إلى عن مع بعد قبل و أو أن إن التي الذي الذين هو هي كان كانت قال قالت يقول بين حول
    ضد منذ خلال لدى عند حتى ثم لكن بل قد لم لن ما لا
    در از به با برای که و یا این آن را تا بر پس پیش هم نیز گفت است بود شد کرد امروز دیروز فردا
    سپس اکنون همچنین اليوم أمس غدا ئەمڕۆ دوێنێ بقيادة
    של את על עם אל כי או גם הוא היא אמר אמרה ב ל מ ו ה
    का के की को ने में से पर और या है था थे थी यह वह कहा हैं हुए हुई गए भएका भएको छन् छ हुन् थिए गरे
    და რომ ან მაგრამ არის იყო თქვა მიერ გახდა გარდაიცვალა გადადგა აირჩიეს დაინიშნა
    மற்றும் அல்லது என்று ஆகிய""".split()  # noqa: SIM905 (words of many scripts, read as text)
)
_ARABIC_DEFINITE = re.compile(r"^(?:ال|وال|بال|لل|فال)")
_DIGIT = re.compile(r"\d")
_WORD_END = re.compile(r"[\s,،؛;:.!?()\[\]«»\"“”„'’।॥]")
_THAI_ADDRESS = re.compile(r"(?:นางสาว|นาง|นาย)(?!ก)(?=[\u0e01-\u0e4e])")
_THAI_CHUNK = re.compile(r"[\u0e01-\u0e4e]+")


def function_word(word: str) -> bool:
    """Whether a word is a function word (a preposition, a conjunction, a verb of saying) of
    one of the spaced scripts without capitals: no part of a name."""
    return word in _STOP_WORDS


def cued_names(text: str, language: str | None) -> list[Cue]:
    """The spans of a text in a script without capitals that a cue says are names (see the
    module), in the order they stand; overlapping spans kept once (the first, or the longer)."""
    if not text or not _CASELESS.search(text):
        return []
    lang = (language or "").split("-")[0].lower()
    found = [Cue(o.start, o.end, o.text, english=o.name) for o in organisations_in(text)]
    if _HAN_OR_KANA.search(text):
        found += _dotted(text)
        found += _after_zh_title(text)
        found += _before_ja_title(text)
        found += _zh_organisations(text)
        read = [Cue(n.start, n.end, n.text, latin=n.spellings) for n in japanese_names(text, lang)]
        found = [c for c in found if not any(r.start < c.end and c.start < r.end for r in read)] + read
    titles = _TITLE_FIRST.get(_TITLE_FIRST_ALIASES.get(lang, lang))
    if titles is not None:
        found += _after_title(text, _compiled_title_first(lang))
    if lang in _APPOSITION_LANGUAGES:
        found += _before_apposition(text)
        found += _organisations_first(text)
        found += _after_led_by(text)
    if lang in _ROLE_LANGUAGES:
        found += _before_role(text)
    if lang == "ar":
        found += _before_marker(text, _AR_ORDINAL, 1, take_marker=True)
    regnal = _REGNAL_TITLED.get(lang)
    if regnal is not None:
        found += [Cue(m.start("name"), m.end("name"), m.group("name"), True) for m in regnal.finditer(text)]
    if _ZH_REGNAL.search(text):
        found += _zh_regnal(text)
    if _ROMAN_AFTER.search(text):
        found += _before_marker(text, _ROMAN_AFTER, 1, take_marker=True)
    if lang == "ko":
        found += [Cue(m.start("name"), m.end("name"), m.group("name")) for m in _KO_ORG.finditer(text)]
        found += [Cue(n.start, n.end, n.text) for n in titled_names(text)]  # monitor.entities.koreannames
    if lang == "th" or (not lang and _THAI_ADDRESS.search(text)):
        found += _thai_addressed(text)
    return _named_in_english(_without_overlaps(found), found)


def _named_in_english(kept: list[Cue], found: list[Cue]) -> list[Cue]:
    """The kept cues, one that ends with a written organisation's name (英国保守党, a Chinese
    party cued with its country) carrying that organisation's English name."""
    ends = {cue.end: cue for cue in found if cue.english}
    out = []
    for cue in kept:
        inner = ends.get(cue.end)
        if not cue.english and inner is not None and inner.start > cue.start:
            cue = Cue(cue.start, cue.end, cue.text, cue.regnal, inner.english)
        out.append(cue)
    return out


def _sound_run_left(text: str, end: int, katakana: bool) -> int:
    """Where the run of sound characters ending at `end` begins (at most _MAX_SOUND_RUN)."""
    start = end
    while start > 0 and end - start < _MAX_SOUND_RUN and _is_sound(text[start - 1], katakana):
        start -= 1
    return start


def _sound_run_right(text: str, start: int, katakana: bool) -> int:
    end = start
    while end < len(text) and end - start < _MAX_SOUND_RUN and _is_sound(text[end], katakana):
        end += 1
    return end


def _is_sound(char: str, katakana: bool) -> bool:
    return bool(_KATAKANA.match(char)) if katakana else char in _SOUND


_DOT = re.compile(f"[{JOINERS}]")


def _dotted(text: str) -> list[Cue]:
    """Transliterated full names joined by middle dots: each part a run of sound characters
    (all katakana, or all Chinese sound characters)."""
    found: list[Cue] = []
    position = 0
    while True:
        match = _DOT.search(text, position)
        if match is None:
            return found
        dot = match.start()
        position = dot + 1
        katakana = bool(_KATAKANA.match(text[dot - 1 : dot] or " "))
        start = _after_titles(text, _sound_run_left(text, dot, katakana), dot)
        if start == dot:
            continue
        end = dot
        # The inner parts: runs of sound characters between dots (or hyphens: 保羅-亨利).
        while end < len(text) and text[end] in JOINERS + "-" and end - start <= _MAX_SPAN:
            part_end = _sound_run_right(text, end + 1, katakana)
            if part_end == end + 1:
                break
            end = part_end
        if end - start > _MAX_SPAN:
            position = end  # a chain of dotted parts longer than a name: a list, read once
            continue
        if end == dot:
            continue
        found.append(Cue(start, end, text[start:end]))
        position = end


def _after_titles(text: str, start: int, end: int) -> int:
    """Where a run from `start` to `end` begins once a title inside it is left out (主席喬治亞:
    席 is also a sound)."""
    for match in _ZH_TITLE.finditer(text, max(0, start - 4), end):
        if match.end() > start:
            start = match.end()
    return start


def _after_zh_title(text: str) -> list[Cue]:
    """A run of two to six sound characters right after a Chinese title (总统拜登)."""
    found = []
    for match in _ZH_TITLE.finditer(text):
        start = match.end()
        end = _sound_run_right(text, start, katakana=False)
        if end - start >= 2 and (end >= len(text) or text[end] not in JOINERS):
            found.append(Cue(start, end, text[start:end]))
    return found


def _before_ja_title(text: str) -> list[Cue]:
    """A katakana run (two or more, maybe with middle dots) right before a Japanese title or
    honorific (プーチン大統領, トランプ氏)."""
    found = []
    for match in _JA_TITLE.finditer(text):
        end = match.start()
        start = end
        while start > 0 and end - start < _MAX_SPAN and (
            _KATAKANA.match(text[start - 1]) or text[start - 1] in JOINERS
        ):
            start -= 1
        while start < end and text[start] in JOINERS:
            start += 1
        if end - start >= 2:
            found.append(Cue(start, end, text[start:end]))
    return found


_ZH_TITLE = re.compile(f"(?:{_ZH_TITLES})")
_JA_TITLE = re.compile(f"(?:{_JA_TITLES})")
def _words_before(text: str, end: int, count: int) -> list[tuple[int, int]]:
    """Up to `count` words (start, end) ending before `end`, nearest first, separated by
    spaces only (a punctuation mark ends the list)."""
    words: list[tuple[int, int]] = []
    at = end
    while len(words) < count:
        stop = at
        while stop > 0 and text[stop - 1] == " ":
            stop -= 1
        if stop == at and at != end:
            break
        if stop == 0 or _WORD_END.match(text[stop - 1]):
            break
        start = stop
        while start > 0 and not _WORD_END.match(text[start - 1]):
            start -= 1
        words.append((start, stop))
        at = start
        if start == 0 or text[start - 1] != " ":
            break
    return words


_TITLE_FIRST_COMPILED: dict[str, tuple[re.Pattern[str], frozenset[str]]] = {}


def _compiled_title_first(lang: str) -> tuple[re.Pattern[str], frozenset[str]]:
    """A language's titles that come first: as a pattern, and as a set of words."""
    lang = _TITLE_FIRST_ALIASES.get(lang, lang)
    compiled = _TITLE_FIRST_COMPILED.get(lang)
    if compiled is None:
        titles = _titles(_TITLE_FIRST[lang])
        pattern = re.compile(rf"(?:(?<=\s)|^)(?:{titles})(?=\s)")
        compiled = _TITLE_FIRST_COMPILED[lang] = (pattern, frozenset(_TITLE_FIRST[lang].split()))
    return compiled


def _after_title(text: str, compiled: tuple[re.Pattern[str], frozenset[str]]) -> list[Cue]:
    """The words after a title, in scripts that put it first: definite nouns and adjectives
    (Arabic ال…) and further titles skipped, then up to two words of the script's letters (three
    when a punctuation mark or the end closes the third)."""
    titles, title_words = compiled
    found = []
    for match in titles.finditer(text):
        words = _words_after(text, match.end(), 6)
        index = 0
        while index < len(words) and (
            _ARABIC_DEFINITE.match(text[words[index][0] : words[index][1]])
            or text[words[index][0] : words[index][1]] in title_words
        ):
            index += 1
        name: list[tuple[int, int]] = []
        for start, end in words[index:]:
            word = text[start:end]
            if word in _STOP_WORDS or _DIGIT.search(word) or not _CASELESS.match(word) or len(word) < 2:
                break
            if (_ARABIC_DEFINITE.match(word) and name) or word in title_words:
                break
            name.append((start, end))
            if len(name) == _MAX_WORDS:
                break
        if len(name) == _MAX_WORDS:
            close = name[-1][1]
            while text[close : close + 1] == " ":
                close += 1
            if close < len(text) and not _WORD_END.match(text[close]):
                name = name[:2]  # a third word that no mark closes: maybe a verb
        if not name:
            continue
        start, end = name[0][0], name[-1][1]
        if end - start <= _MAX_SPAN:
            found.append(Cue(start, end, text[start:end]))
    return found


def _words_after(text: str, start: int, count: int) -> list[tuple[int, int]]:
    """Up to `count` words (start, end) after `start`, separated by spaces only."""
    words: list[tuple[int, int]] = []
    at = start
    while len(words) < count and at < len(text):
        if text[at] != " ":
            break
        while at < len(text) and text[at] == " ":
            at += 1
        end = at
        while end < len(text) and not _WORD_END.match(text[end]):
            end += 1
        if end == at:
            break
        words.append((at, end))
        at = end
    return words


def _zh_organisations(text: str) -> list[Cue]:
    """A Chinese organisation: the characters before a word that ends one (民主黨, 劳工党,
    中國共產黨), back to the punctuation or function character that opens the phrase; none
    when that is more than _MAX_ORG characters back."""
    found = []
    for match in _ZH_ORG.finditer(text):
        start = match.start()
        while start > 0 and match.end() - start <= _MAX_ORG and text[start - 1] not in _ZH_LEFT_STOP:
            start -= 1
        start = _after_titles(text, start, match.start())
        if text[match.start() - 1 : match.start()] in _GENERIC_BEFORE_PARTY:
            continue  # 政党, 右派政黨: a kind of party, not one
        if start < match.start() and match.end() - start <= _MAX_ORG and _HAN_OR_KANA.match(text[start]):
            found.append(Cue(start, match.end(), text[start : match.end()]))
    return found


def _organisations_first(text: str) -> list[Cue]:
    """An organisation in Persian, Arabic or Kurdish: a word that begins one and the word after
    it (حزب کارگر, سازمان ملل)."""
    found = []
    for match in _ORG_FIRST_WORD.finditer(text):
        after = _words_after(text, match.end(), 1)
        if not after:
            continue
        next_word = text[after[0][0] : after[0][1]]
        if next_word in _ORG_FIRST:
            continue  # حزب اتحادیه ملی: the party's name begins at the next word
        if next_word in _ORG_NOT_NAMING or next_word in _STOP_WORDS or _DIGIT.search(next_word):
            continue
        if not _CASELESS.match(next_word):
            continue
        found.append(Cue(match.start(), after[0][1], text[match.start() : after[0][1]]))
    return found


def _before_apposition(text: str) -> list[Cue]:
    """The two words before a comma and a title in apposition (عمران خان، نخست‌وزیر)."""
    found = []
    for match in _APPOSITION.finditer(text):
        words = _words_before(text, match.start(), 2)
        if len(words) != 2:
            continue
        if any(text[a:b] in _STOP_WORDS or _DIGIT.search(text[a:b]) or not _CASELESS.match(text[a:b])
               or _ARABIC_DEFINITE.match(text[a:b]) for a, b in words):
            continue
        start, end = words[-1][0], words[0][1]
        found.append(Cue(start, end, text[start:end]))
    return found


def _name_word(word: str) -> bool:
    """Whether a word may be part of a name in a spaced script without capitals: the script's
    letters, no digit, no function word, not Arabic's definite article."""
    return (
        _CASELESS.match(word) is not None
        and len(word) >= 2
        and word not in _STOP_WORDS
        and not _DIGIT.search(word)
        and not _ARABIC_DEFINITE.match(word)
    )


# Words after which a clause opens (and, but, then, today...): a name may follow them, as it
# may a punctuation mark; after a preposition a noun phrase stands more often (برای دور دوم).
_CLAUSE_OPENERS = frozenset(
    """و اما ولی سپس امروز دیروز فردا اکنون همچنین و لكن ثم اليوم أمس و بەڵام ئەمڕۆ دوێنێ""".split()  # noqa: SIM905
)


def _opens_here(text: str, start: int) -> bool:
    """Whether a phrase starting at `start` opens a sentence or a clause: the text's start, a
    punctuation mark before it, or a conjunction or an adverb of time (_CLAUSE_OPENERS)."""
    before = _words_before(text, start, 1)
    word = text[before[0][0] : before[0][1]] if before else ""
    return not any(c.isalpha() for c in word) or word in _CLAUSE_OPENERS  # a dash is punctuation


def _before_marker(text: str, marker: re.Pattern[str], count: int, take_marker: bool = False) -> list[Cue]:
    """The `count` words of a name right before each match of `marker` (with it, when it is
    part of the name, as a regnal number is), all of them name words; an adverb written with
    tanwin (مجدداً, "again") may stand between."""
    found = []
    for match in marker.finditer(text):
        at = match.start()
        adverb = _words_before(text, at, 1)
        if adverb and text[adverb[0][1] - 1] == "\u064b":  # مجدداً, رسماً: an adverb between
            at = adverb[0][0]
        words = _words_before(text, at, count)
        if len(words) != count or not all(_name_word(text[a:b]) for a, b in words):
            continue
        start, end = words[-1][0], match.end() if take_marker else words[0][1]
        if end - start <= _MAX_SPAN:
            found.append(Cue(start, end, text[start:end], regnal=take_marker))
    return found


def _before_role(text: str) -> list[Cue]:
    """Persian and Kurdish: the two words before a word that says what a person is, or before
    "as" and a title, where a clause opens them (see _ROLE_AFTER)."""
    return [cue for cue in _before_marker(text, _ROLE, 2) if _opens_here(text, cue.start)]


def _after_led_by(text: str) -> list[Cue]:
    """The two words after "led by" (به رهبری, بقيادة), both name words."""
    found = []
    for match in _LED_BY.finditer(text):
        words = _words_after(text, match.end(), 2)
        if len(words) == 2 and all(_name_word(text[a:b]) for a, b in words):
            found.append(Cue(words[0][0], words[1][1], text[words[0][0] : words[1][1]]))
    return found


def _zh_regnal(text: str) -> list[Cue]:
    """A Chinese regnal name: two to six sound characters and a number with 世 (查理三世)."""
    found = []
    for match in _ZH_REGNAL.finditer(text):
        start = _after_titles(text, _sound_run_left(text, match.start(), katakana=False), match.start())
        if match.start() - start >= 2:
            found.append(Cue(start, match.end(), text[start : match.end()], regnal=True))
    return found


_ZH_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九", 1)}
# Ordinals that go with a regnal name (Arabic masculine and feminine, Persian, Sinhala, Tamil).
_ORDINAL_WORDS = (
    """الأول الثاني الثالث الرابع الخامس السادس السابع الثامن التاسع العاشر""",
    """الأولى الثانية الثالثة الرابعة الخامسة السادسة السابعة الثامنة التاسعة العاشرة""",
    _FA_ORDINALS.replace("|", " "),
    """පළමු දෙවන තෙවන සිව්වන පස්වන හයවන හත්වන අටවන නවවන දහවන""",
    """முதலாம் இரண்டாம் மூன்றாம் நான்காம் ஐந்தாம் ஆறாம் ஏழாம் எட்டாம் ஒன்பதாம் பத்தாம்""",
)
_ORDINALS = {word: n for words in _ORDINAL_WORDS for n, word in enumerate(words.split(), 1)}
_ROMAN_NUMERALS = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV",
                   "XV", "XVI", "XVII", "XVIII", "XIX", "XX")  # fmt: skip
_THAI_REGNAL = re.compile(r"^(.+)ที่ (\d{1,2})$")


def _zh_number(numeral: str) -> int | None:
    """一..九十九 as a number (三: 3, 十六: 16, 二十三: 23)."""
    if "十" not in numeral:
        return _ZH_DIGITS.get(numeral) if len(numeral) == 1 else None
    tens, _, ones = numeral.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    return (_ZH_DIGITS.get(tens, 0) if tens else 1) * 10 + (_ZH_DIGITS.get(ones, 0) if ones else 0)


def regnal_latin(cue: Cue) -> str | None:
    """A regnal cue as its name and the Roman numeral a Latin spelling writes (查理斯三世:
    `查理斯 III`; إليزابيث الثانية: `إليزابيث II`; තෙවන චාල්ස්: `චාල්ස් III`), so that it can be
    compared with the known names word for word and its number exactly; None for another cue."""
    if not cue.regnal:
        return None
    text, number = cue.text, None
    name = ""
    if text.endswith("世"):
        match = _ZH_REGNAL.search(text)
        if match is not None:
            name, number = text[: match.start()], _zh_number(match.group()[:-1])
    elif (thai := _THAI_REGNAL.match(text)) is not None:
        name, number = thai.group(1), int(thai.group(2))
    else:
        first, _, last = text.rpartition(" ")
        if last in _ROMAN_NUMERALS:
            return text
        if last in _ORDINALS:
            name, number = first, _ORDINALS[last]
        elif first in _ORDINALS:
            name, number = last, _ORDINALS[first]
    if not name or number is None or not 0 < number <= len(_ROMAN_NUMERALS):
        return None
    return f"{name} {_ROMAN_NUMERALS[number - 1]}"


def _thai_addressed(text: str) -> list[Cue]:
    """A Thai name after a form of address written onto it (นายประยุทธ์ จันทร์โอชา): its chunk
    and the next one (the surname)."""
    found = []
    for match in _THAI_ADDRESS.finditer(text):
        first = _THAI_CHUNK.match(text, match.end())
        if first is None or len(first.group()) < 2:
            continue
        end = first.end()
        if text[end : end + 1] == " ":
            surname = _THAI_CHUNK.match(text, end + 1)
            if surname is not None and len(surname.group()) <= 20:
                end = surname.end()
        if end - match.end() <= _MAX_SPAN:
            found.append(Cue(match.end(), end, text[match.end() : end]))
    return found


def _without_overlaps(found: list[Cue]) -> list[Cue]:
    """The spans in text order, an overlapping one kept only when longer than the one kept (of
    two alike, the regnal one: a title before a king's name cues it too)."""
    kept: list[Cue] = []
    for cue in sorted(found, key=lambda c: (c.start, -(c.end - c.start), not c.regnal)):
        if kept and cue.start < kept[-1].end:
            if cue.end - cue.start > kept[-1].end - kept[-1].start:
                kept[-1] = cue
            continue
        kept.append(cue)
    return kept
