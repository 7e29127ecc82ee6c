"""Organisations as scripts without capitals write them: the languages translate an
organisation's name (`联合国`, `سازمان ملل`, `유엔` for the United Nations) rather than spell
it, so neither a capital nor its sound finds it. Data, and one search over a text (pure).

Each organisation is keyed by its English names (the first as the news writes it; then other
names and initials: `United Nations|UN`), with what each language writes for it. Source: the
project's own knowledge of these languages (common usage in their news), not copied from any
list; a spelling is written only where it is sure. Languages: Chinese (simplified and
traditional), Japanese, Korean, Thai, Arabic, Persian, Urdu, Central Kurdish, Hebrew, Yiddish,
Hindi, Nepali, Tamil, Sinhala, Malayalam, Georgian (each organisation in those we know it in).

A written name is found in a text as written, in any language (a phrase of one script is
found only in texts of that script anyway):

- in Arabic and Hebrew letters it must end its word (`ناتو` is NATO, `ناتوان` "unable"), or
  take a Persian or Kurdish ezafe `ی` and end there (`فیفای`); prefixes may stand before it
  (`والناتو`, `בנאט"ו`); Chinese, Japanese and Thai have no spaces, and Korean, Georgian and
  the Indic scripts add their endings to the name (`유엔은`, `გაეროს`, `நாசாவின்`);
- a phrase may name letters that must not follow it, after a `!` (`伊斯兰国!家`: 伊斯兰国家
  are Islamic countries, not the Islamic State);
- national teams are read from their parts (monitor.entities.teams), and so are parties
  (monitor.entities.parties), with their country where the language sets it beside them;
- where written names overlap, the longest wins (`الاتحاد الأوروبي لكرة القدم` is UEFA, not
  the `الاتحاد الأوروبي` inside it); an organisation that is part of another
  (`_PART_OF`: the UN Security Council of the UN) names that one too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from monitor.entities.parties import (
    NOT_NAMES,
    generic_party,
    parties_with_country_in,
    party_names,
    party_phrases,
)
from monitor.entities.phrasetrie import trie_pattern
from monitor.entities.teams import team_names, teams_in

__all__ = [
    "Organisation",
    "english_names",
    "named_in",
    "names_also",
    "organisation_named",
    "organisations_in",
    "organisations_named",
    "written_forms",
]

# English names -> language -> the written names, `|` between them.
_ORGANISATIONS: dict[str, dict[str, str]] = {
    # The United Nations and its bodies
    "United Nations|UN|U.N.": {
        "zh": "联合国|聯合國", "ja": "国連|国際連合", "ko": "유엔|국제연합", "th": "สหประชาชาติ",
        "ar": "الأمم المتحدة", "fa": "سازمان ملل", "ur": "اقوام متحدہ", "ckb": "نەتەوە یەکگرتووەکان",
        "he": 'האו"ם|האו״ם', "hi": "संयुक्त राष्ट्र", "ne": "संयुक्त राष्ट्र", "ka": "გაერო",
        "ta": "ஐக்கிய நாடுகள்", "si": "එක්සත් ජාතීන්", "ml": "ഐക്യരാഷ്ട്രസഭ|ഐക്യരാഷ്ട്ര സഭ",
    },
    "United Nations Security Council|UN Security Council|UNSC": {
        "zh": "联合国安理会|聯合國安理會|联合国安全理事会|聯合國安全理事會|安理会|安理會",
        "ja": "国連安全保障理事会|国連安保理|安保理", "ko": "유엔 안전보장이사회|유엔 안보리|안보리",
        "th": "คณะมนตรีความมั่นคงแห่งสหประชาชาติ", "ar": "مجلس الأمن الدولي",
        "fa": "شورای امنیت سازمان ملل", "he": 'מועצת הביטחון של האו"ם|מועצת הביטחון של האו״ם',
        "hi": "संयुक्त राष्ट्र सुरक्षा परिषद",
    },
    "United Nations General Assembly|UN General Assembly|UNGA": {
        "zh": "联合国大会|聯合國大會", "ja": "国連総会", "ko": "유엔총회|유엔 총회",
        "ar": "الجمعية العامة للأمم المتحدة", "fa": "مجمع عمومی سازمان ملل",
        "he": 'העצרת הכללית של האו"ם|העצרת הכללית של האו״ם', "hi": "संयुक्त राष्ट्र महासभा",
        "th": "สมัชชาใหญ่แห่งสหประชาชาติ",
    },
    "UNICEF": {
        "zh": "联合国儿童基金会|聯合國兒童基金會", "ja": "ユニセフ|国連児童基金", "ko": "유니세프",
        "th": "ยูนิเซฟ", "ar": "اليونيسف|يونيسف", "fa": "یونیسف", "he": "יוניסף", "hi": "यूनिसेफ",
    },
    "UNESCO": {
        "zh": "联合国教科文组织|聯合國教科文組織", "ja": "ユネスコ|国連教育科学文化機関", "ko": "유네스코",
        "th": "ยูเนสโก", "ar": "اليونسكو|يونسكو", "fa": "یونسکو", "he": 'אונסק"ו|אונסק״ו',
        "hi": "यूनेस्को", "ta": "யுனெஸ்கோ", "ka": "იუნესკო",
    },
    "UNHCR|UN Refugee Agency": {
        "zh": "联合国难民署|聯合國難民署", "ja": "国連難民高等弁務官事務所", "ko": "유엔난민기구",
        "ar": "المفوضية السامية للأمم المتحدة لشؤون اللاجئين", "fa": "کمیساریای عالی پناهندگان سازمان ملل",
    },
    "UNRWA": {
        "zh": "近东救济工程处|近東救濟工程處", "ja": "国連パレスチナ難民救済事業機関",
        "ar": "الأونروا|أونروا",
        "fa": "آنروا", "he": 'אונר"א|אונר״א',
    },
    "World Food Programme|WFP": {
        "zh": "世界粮食计划署|世界糧食計劃署", "ja": "世界食糧計画", "ko": "세계식량계획",
        "ar": "برنامج الأغذية العالمي", "fa": "برنامه جهانی غذا",
    },
    "World Health Organization|World Health Organisation|WHO": {
        "zh": "世界卫生组织|世界衛生組織|世卫组织|世衛組織", "ja": "世界保健機関", "ko": "세계보건기구",
        "th": "องค์การอนามัยโลก", "ar": "منظمة الصحة العالمية", "fa": "سازمان جهانی بهداشت",
        "ur": "عالمی ادارہ صحت", "he": "ארגון הבריאות העולמי", "hi": "विश्व स्वास्थ्य संगठन",
        "ne": "विश्व स्वास्थ्य संगठन", "ta": "உலக சுகாதார அமைப்பு", "si": "ලෝක සෞඛ්‍ය සංවිධානය",
        "ml": "ലോകാരോഗ്യ സംഘടന", "ka": "ჯანდაცვის მსოფლიო ორგანიზაცია",
    },
    "International Monetary Fund|IMF": {
        "zh": "国际货币基金组织|國際貨幣基金組織|国际货币基金|國際貨幣基金", "ja": "国際通貨基金",
        "ko": "국제통화기금", "th": "กองทุนการเงินระหว่างประเทศ", "ar": "صندوق النقد الدولي",
        "fa": "صندوق بین‌المللی پول|صندوق بین المللی پول", "he": "קרן המטבע הבינלאומית",
        "hi": "अंतर्राष्ट्रीय मुद्रा कोष|अंतरराष्ट्रीय मुद्रा कोष", "ka": "საერთაშორისო სავალუტო ფონდი",
    },
    "World Bank": {
        "zh": "世界银行|世界銀行", "ja": "世界銀行", "ko": "세계은행", "th": "ธนาคารโลก",
        "ar": "البنك الدولي",
        "fa": "بانک جهانی", "ur": "عالمی بینک", "he": "הבנק העולמי", "hi": "विश्व बैंक", "ne": "विश्व बैंक",
        "ta": "உலக வங்கி", "ka": "მსოფლიო ბანკი",
    },
    "World Trade Organization|World Trade Organisation|WTO": {
        "zh": "世界贸易组织|世界貿易組織|世贸组织|世貿組織", "ja": "世界貿易機関", "ko": "세계무역기구",
        "th": "องค์การการค้าโลก", "ar": "منظمة التجارة العالمية", "fa": "سازمان تجارت جهانی",
        "he": "ארגון הסחר העולמי", "hi": "विश्व व्यापार संगठन",
    },
    "International Atomic Energy Agency|IAEA": {
        "zh": "国际原子能机构|國際原子能機構|國際原子能總署", "ja": "国際原子力機関", "ko": "국제원자력기구",
        "th": "ทบวงการพลังงานปรมาณูระหว่างประเทศ", "ar": "الوكالة الدولية للطاقة الذرية",
        "fa": "آژانس بین‌المللی انرژی اتمی|آژانس بین المللی انرژی اتمی",
        "he": "הסוכנות הבינלאומית לאנרגיה אטומית", "hi": "अंतर्राष्ट्रीय परमाणु ऊर्जा एजेंसी",
    },
    "International Criminal Court|ICC": {
        "zh": "国际刑事法院|國際刑事法院", "ja": "国際刑事裁判所", "ko": "국제형사재판소",
        "th": "ศาลอาญาระหว่างประเทศ", "ar": "المحكمة الجنائية الدولية",
        "fa": "دیوان کیفری بین‌المللی|دادگاه کیفری بین‌المللی|دیوان کیفری بین المللی",
        "he": "בית הדין הפלילי הבינלאומי", "hi": "अंतर्राष्ट्रीय आपराधिक न्यायालय",
        "ka": "სისხლის სამართლის საერთაშორისო სასამართლო",
    },
    "International Court of Justice|ICJ": {
        "zh": "国际法院|國際法院", "ja": "国際司法裁判所", "ko": "국제사법재판소",
        "th": "ศาลยุติธรรมระหว่างประเทศ", "ar": "محكمة العدل الدولية",
        "fa": "دیوان بین‌المللی دادگستری", "he": "בית הדין הבינלאומי לצדק",
    },
    # Europe
    "European Union|EU": {
        "zh": "欧盟|歐盟|欧洲联盟|歐洲聯盟", "ja": "欧州連合", "ko": "유럽연합", "th": "สหภาพยุโรป",
        "ar": "الاتحاد الأوروبي", "fa": "اتحادیه اروپا", "ur": "یورپی یونین", "ckb": "یەکێتیی ئەورووپا",
        "he": "האיחוד האירופי", "hi": "यूरोपीय संघ", "ka": "ევროკავშირი", "ta": "ஐரோப்பிய ஒன்றியம்",
        "si": "යුරෝපා සංගමය", "ml": "യൂറോപ്യൻ യൂണിയൻ",
    },
    "European Commission": {
        "zh": "欧盟委员会|歐盟委員會", "ja": "欧州委員会", "ko": "유럽연합 집행위원회|EU 집행위원회",
        "th": "คณะกรรมาธิการยุโรป", "ar": "المفوضية الأوروبية", "fa": "کمیسیون اروپا",
        "he": "הנציבות האירופית", "hi": "यूरोपीय आयोग",
    },
    "European Parliament|EP": {
        "zh": "欧洲议会|歐洲議會", "ja": "欧州議会", "ko": "유럽의회", "th": "รัฐสภายุโรป",
        "ar": "البرلمان الأوروبي", "fa": "پارلمان اروپا", "he": "הפרלמנט האירופי", "hi": "यूरोपीय संसद",
        "ka": "ევროპარლამენტ", "ckb": "پەرلەمانی ئەورووپا",
    },
    "European Central Bank|ECB": {
        "zh": "欧洲央行|歐洲央行|欧洲中央银行|歐洲中央銀行", "ja": "欧州中央銀行", "ko": "유럽중앙은행",
        "th": "ธนาคารกลางยุโรป", "ar": "البنك المركزي الأوروبي", "fa": "بانک مرکزی اروپا",
        "he": "הבנק המרכזי האירופי", "hi": "यूरोपीय केंद्रीय बैंक",
    },
    "OSCE|Organization for Security and Co-operation in Europe": {
        "zh": "欧安组织|歐安組織", "ja": "欧州安全保障協力機構", "ko": "유럽안보협력기구",
        "ar": "منظمة الأمن والتعاون في أوروبا", "fa": "سازمان امنیت و همکاری اروپا",
    },
    "NATO|North Atlantic Treaty Organization|North Atlantic Treaty Organisation": {
        "zh": "北约|北約|北大西洋公约组织|北大西洋公約組織", "ja": "北大西洋条約機構",
        "ko": "나토|북대서양조약기구",
        "th": "นาโต|องค์การสนธิสัญญาแอตแลนติกเหนือ", "ar": "الناتو|حلف شمال الأطلسي",
        "fa": "ناتو|سازمان پیمان آتلانتیک شمالی", "ur": "نیٹو", "ckb": "ناتۆ", "he": 'נאט"ו|נאט״ו',
        "hi": "नाटो", "ka": "ნატო", "ta": "நேட்டோ",
    },
    "European Space Agency|ESA": {
        "zh": "欧洲航天局|歐洲太空總署|欧空局", "ja": "欧州宇宙機関", "ko": "유럽우주국",
        "ar": "وكالة الفضاء الأوروبية", "fa": "آژانس فضایی اروپا",
    },
    # Other unions of states
    "Commonwealth of Nations|Commonwealth": {
        "zh": "英联邦|英聯邦", "ja": "英連邦|イギリス連邦", "ko": "영연방", "th": "เครือจักรภพ",
        "ar": "الكومنولث|كومنولث", "fa": "کشورهای مشترک‌المنافع", "ur": "دولت مشترکہ", "ckb": "کۆمۆنوێلت",
        "he": "חבר העמים הבריטי", "hi": "राष्ट्रमंडल", "ta": "பொதுநலவாய", "si": "පොදුරාජ්‍ය මණ්ඩල",
        "ml": "കോമൺവെൽത്ത്",
    },
    "African Union|AU": {
        "zh": "非洲联盟|非洲聯盟|非盟", "ja": "アフリカ連合", "ko": "아프리카연합|아프리카 연합",
        "th": "สหภาพแอฟริกา", "ar": "الاتحاد الأفريقي|الاتحاد الإفريقي", "fa": "اتحادیه آفریقا",
        "he": "האיחוד האפריקאי", "hi": "अफ़्रीकी संघ|अफ्रीकी संघ",
    },
    "Arab League|League of Arab States": {
        "zh": "阿拉伯国家联盟|阿拉伯國家聯盟|阿盟", "ja": "アラブ連盟", "ko": "아랍연맹|아랍 연맹",
        "th": "สันนิบาตอาหรับ", "ar": "جامعة الدول العربية", "fa": "اتحادیه عرب", "he": "הליגה הערבית",
        "hi": "अरब लीग",
    },
    "ASEAN|Association of Southeast Asian Nations": {
        "zh": "东盟|東盟|東協|东南亚国家联盟|東南亞國家協會", "ja": "東南アジア諸国連合",
        "ko": "아세안|동남아시아국가연합",
        "th": "อาเซียน", "ar": "آسيان|رابطة دول جنوب شرق آسيا", "hi": "आसियान",
        "ne": "आसियान", "ta": "ஆசியான்",
    },
    "Gulf Cooperation Council|GCC": {
        "zh": "海湾合作委员会|海灣合作委員會", "ja": "湾岸協力会議", "ko": "걸프협력회의",
        "ar": "مجلس التعاون الخليجي|مجلس التعاون لدول الخليج العربية", "fa": "شورای همکاری خلیج فارس",
    },
    "Shanghai Cooperation Organisation|Shanghai Cooperation Organization|SCO": {
        "zh": "上海合作组织|上海合作組織|上合组织|上合組織", "ja": "上海協力機構", "ko": "상하이협력기구",
        "ar": "منظمة شنغهاي للتعاون", "fa": "سازمان همکاری شانگهای", "hi": "शंघाई सहयोग संगठन",
    },
    "Organisation of Islamic Cooperation|Organization of Islamic Cooperation|OIC": {
        "zh": "伊斯兰合作组织|伊斯蘭合作組織", "ar": "منظمة التعاون الإسلامي", "fa": "سازمان همکاری اسلامی",
        "ur": "اسلامی تعاون تنظیم",
    },
    "OPEC": {
        "zh": "石油输出国组织|石油輸出國組織|石油輸出國家組織|欧佩克|歐佩克", "ja": "石油輸出国機構",
        "ko": "석유수출국기구", "th": "โอเปก", "ar": "أوبك|منظمة الدول المصدرة للبترول", "fa": "اوپک",
        "ur": "اوپیک", "he": 'אופ"ק|אופ״ק', "hi": "ओपेक",
    },
    "OECD|Organisation for Economic Co-operation and Development": {
        "zh": "经济合作与发展组织|經濟合作暨發展組織|经合组织", "ja": "経済協力開発機構",
        "ko": "경제협력개발기구",
        "ar": "منظمة التعاون الاقتصادي والتنمية", "fa": "سازمان همکاری و توسعه اقتصادی",
    },
    "G7|Group of Seven": {
        "zh": "七国集团|七國集團", "ja": "主要7か国|先進7か国", "ko": "주요 7개국",
        "ar": "مجموعة السبع", "fa": "گروه هفت",
    },
    "G20|Group of Twenty": {
        "zh": "二十国集团|二十國集團", "ja": "主要20か国", "ko": "주요 20개국", "ar": "مجموعة العشرين",
        "fa": "گروه بیست", "hi": "जी20|जी-20",
    },
    "BRICS": {
        "zh": "金砖国家|金磚國家", "ko": "브릭스", "ar": "بريكس", "fa": "بریکس", "hi": "ब्रिक्स",
    },
    # Sport
    "FIFA": {
        "zh": "国际足联|國際足聯|国际足球联合会|國際足球總會", "ja": "国際サッカー連盟",
        "ko": "국제축구연맹|피파",
        "th": "ฟีฟ่า|สหพันธ์ฟุตบอลนานาชาติ", "ar": "الفيفا|فيفا|الاتحاد الدولي لكرة القدم",
        "fa": "فیفا|فدراسیون بین‌المللی فوتبال", "ur": "فیفا", "ckb": "فیفا", "he": 'פיפ"א|פיפ״א',
        "hi": "फीफा|फ़ीफ़ा|फिफा", "ne": "फिफा", "ta": "பிஃபா|ஃபிஃபா", "ka": "ფიფა",
    },
    "UEFA|Union of European Football Associations": {
        "zh": "欧足联|歐足聯|欧洲足球协会联盟|歐洲足球協會聯盟", "ja": "欧州サッカー連盟",
        "ko": "유럽축구연맹",
        "th": "ยูฟ่า", "ar": "الاتحاد الأوروبي لكرة القدم|يويفا", "fa": "یوفا", "he": 'אופ"א|אופ״א',
        "hi": "यूएफा|यूईएफए", "ka": "უეფა",
    },
    "International Olympic Committee|IOC": {
        "zh": "国际奥委会|國際奧委會|国际奥林匹克委员会|國際奧林匹克委員會", "ja": "国際オリンピック委員会",
        "ko": "국제올림픽위원회", "th": "คณะกรรมการโอลิมปิกสากล", "ar": "اللجنة الأولمبية الدولية",
        "fa": "کمیته بین‌المللی المپیک", "he": "הוועד האולימפי הבינלאומי",
        "hi": "अंतर्राष्ट्रीय ओलंपिक समिति",
    },
    # Aid, rights, news
    "Red Cross": {
        "zh": "红十字会|紅十字會", "ja": "赤十字", "ko": "적십자", "th": "กาชาด", "ar": "الصليب الأحمر",
        "fa": "صلیب سرخ", "ur": "ریڈ کراس", "he": "הצלב האדום", "hi": "रेड क्रॉस",
    },
    "International Committee of the Red Cross|ICRC": {
        "zh": "红十字国际委员会|紅十字國際委員會", "ja": "赤十字国際委員会", "ko": "국제적십자위원회",
        "ar": "اللجنة الدولية للصليب الأحمر", "fa": "کمیته بین‌المللی صلیب سرخ",
        "he": "הוועד הבינלאומי של הצלב האדום",
    },
    "Amnesty International": {
        "zh": "国际特赦组织|國際特赦組織", "ja": "アムネスティ・インターナショナル", "ko": "국제앰네스티",
        "th": "องค์การนิรโทษกรรมสากล", "ar": "منظمة العفو الدولية", "fa": "عفو بین‌الملل", "he": "אמנסטי",
    },
    "Human Rights Watch": {
        "zh": "人权观察|人權觀察", "ja": "ヒューマン・ライツ・ウォッチ", "ko": "휴먼라이츠워치",
        "ar": "هيومن رايتس ووتش", "fa": "دیده‌بان حقوق بشر",
    },
    "Doctors Without Borders|Médecins Sans Frontières|MSF": {
        "zh": "无国界医生|無國界醫生", "ja": "国境なき医師団", "ko": "국경없는의사회",
        "ar": "أطباء بلا حدود", "fa": "پزشکان بدون مرز", "he": "רופאים ללא גבולות",
    },
    "Interpol": {
        "zh": "国际刑警组织|國際刑警組織", "ja": "国際刑事警察機構", "ko": "인터폴|국제형사경찰기구",
        "th": "องค์การตำรวจสากล", "ar": "الإنتربول|الانتربول", "fa": "اینترپل", "he": "אינטרפול",
        "hi": "इंटरपोल",
    },
    "Reuters": {
        "zh": "路透社", "ja": "ロイター", "ko": "로이터", "ar": "رويترز", "fa": "رویترز", "he": "רויטרס",
        "hi": "रॉयटर्स",
    },
    "Agence France-Presse|AFP": {"zh": "法新社", "ar": "وكالة فرانس برس|فرانس برس", "fa": "خبرگزاری فرانسه"},
    "Associated Press|AP": {"zh": "美联社|美聯社", "ar": "أسوشيتد برس", "fa": "آسوشیتدپرس"},
    "Xinhua": {
        "zh": "新华社|新華社", "ja": "新華社", "ko": "신화통신", "ar": "شينخوا", "fa": "شینهوا",
    },
    "World Economic Forum|WEF|Davos Forum": {
        "zh": "世界经济论坛|世界經濟論壇", "ja": "世界経済フォーラム", "ko": "세계경제포럼",
        "ar": "المنتدى الاقتصادي العالمي", "fa": "مجمع جهانی اقتصاد",
    },
    "International Energy Agency|IEA": {
        "zh": "国际能源署|國際能源署", "ja": "国際エネルギー機関", "ko": "국제에너지기구",
        "ar": "وكالة الطاقة الدولية", "fa": "آژانس بین‌المللی انرژی",
    },
    "Palestine Liberation Organization|PLO": {
        "zh": "巴勒斯坦解放组织|巴勒斯坦解放組織|巴解组织", "ja": "パレスチナ解放機構",
        "ko": "팔레스타인해방기구",
        "ar": "منظمة التحرير الفلسطينية", "fa": "سازمان آزادی‌بخش فلسطین", "he": 'אש"ף|אש״ף',
    },
    "Palestinian Authority": {
        "zh": "巴勒斯坦民族权力机构|巴勒斯坦自治政府", "ja": "パレスチナ自治政府",
        "ko": "팔레스타인 자치정부",
        "ar": "السلطة الفلسطينية", "fa": "تشکیلات خودگردان فلسطین", "he": "הרשות הפלסטינית",
    },
    # States' bodies the news names as actors
    "NASA": {
        "zh": "美国国家航空航天局|美國國家航空暨太空總署|美国航天局|美國太空總署", "ja": "アメリカ航空宇宙局",
        "ko": "미국 항공우주국", "th": "นาซา", "ar": "ناسا", "fa": "ناسا", "ur": "ناسا", "he": 'נאס"א|נאס״א',
        "hi": "नासा", "ne": "नासा", "ta": "நாசா", "ka": "ნასა",
    },
    "CIA|Central Intelligence Agency": {
        "zh": "美国中央情报局|美國中央情報局|中情局", "ja": "米中央情報局", "ko": "미국 중앙정보국",
        "ar": "وكالة المخابرات المركزية", "fa": "سازمان سیا", "hi": "सीआईए",
    },
    "FBI|Federal Bureau of Investigation": {
        "zh": "美国联邦调查局|美國聯邦調查局", "ja": "米連邦捜査局", "ko": "미국 연방수사국",
        "ar": "مكتب التحقيقات الفيدرالي", "fa": "اف‌بی‌آی", "hi": "एफबीआई",
    },
    "Federal Reserve|Fed|US Federal Reserve": {
        "zh": "美联储|美聯儲|美国联邦储备委员会|美國聯邦準備理事會",
        "ja": "米連邦準備制度理事会|米連邦準備理事会",
        "ko": "연방준비제도|연준", "ar": "الاحتياطي الفيدرالي", "fa": "فدرال رزرو", "he": "הפדרל ריזרב",
        "hi": "फेडरल रिजर्व",
    },
    "Pentagon": {
        "zh": "五角大楼|五角大樓", "ja": "米国防総省", "ko": "펜타곤", "ar": "البنتاغون|البنتاجون",
        "fa": "پنتاگون", "he": "הפנטגון", "hi": "पेंटागन",
    },
    "Kremlin": {
        "zh": "克里姆林宫|克里姆林宮", "ja": "クレムリン", "ko": "크렘린", "ar": "الكرملين", "fa": "کرملین",
        "he": "הקרמלין", "hi": "क्रेमलिन",
    },
    "United States Congress|US Congress": {
        "zh": "美国国会|美國國會", "ja": "米議会|米連邦議会", "ko": "미국 의회|미 의회",
        "ar": "الكونغرس الأمريكي|الكونجرس الأمريكي", "fa": "کنگره آمریکا", "he": "הקונגרס האמריקאי",
        "hi": "अमेरिकी कांग्रेस",
    },
    "United States House of Representatives|US House of Representatives|House of Representatives": {
        "zh": "美国众议院|美國眾議院", "ja": "米下院", "ko": "미국 하원|미 하원",
        "ar": "مجلس النواب الأمريكي", "fa": "مجلس نمایندگان آمریکا|مجلس نمایندگان ایالات متحده",
    },
    "United States Senate|US Senate": {
        "zh": "美国参议院|美國參議院", "ja": "米上院", "ko": "미국 상원|미 상원",
        "ar": "مجلس الشيوخ الأمريكي", "fa": "سنای آمریکا|مجلس سنای آمریکا",
    },
    "Islamic Revolutionary Guard Corps|IRGC|Revolutionary Guards": {
        "zh": "伊斯兰革命卫队|伊斯蘭革命衛隊", "ja": "イスラム革命防衛隊|革命防衛隊", "ko": "혁명수비대",
        "ar": "الحرس الثوري", "fa": "سپاه پاسداران", "ckb": "سوپای پاسداران", "he": "משמרות המהפכה",
    },
    "Israel Defense Forces|IDF": {
        "zh": "以色列国防军|以色列國防軍", "ja": "イスラエル国防軍", "ko": "이스라엘방위군",
        "ar": "الجيش الإسرائيلي", "fa": "ارتش اسرائیل", "he": 'צה"ל|צה״ל',
    },
    "Wagner Group|Wagner": {
        "zh": "瓦格纳集团|瓦格納集團", "ja": "ワグネル", "ko": "바그너 그룹|바그너그룹",
        "ar": "مجموعة فاغنر|قوات فاغنر", "fa": "گروه واگنر", "he": "קבוצת ואגנר", "th": "กลุ่มวากเนอร์",
    },
    # Armed groups
    "Hamas": {
        "zh": "哈马斯|哈瑪斯", "ja": "ハマス", "ko": "하마스", "th": "ฮามาส", "ar": "حماس", "fa": "حماس",
        "ckb": "حەماس", "he": "חמאס", "hi": "हमास", "ne": "हमास", "ta": "ஹமாஸ்", "ka": "ჰამას",
    },
    "Hezbollah": {
        "zh": "真主党|真主黨", "ja": "ヒズボラ", "ko": "헤즈볼라", "th": "ฮิซบุลลอฮ์|เฮซบอลเลาะห์",
        "ar": "حزب الله", "fa": "حزب‌الله|حزب الله", "ur": "حزب اللہ", "he": "חיזבאללה",
        "hi": "हिज़्बुल्लाह|हिजबुल्लाह", "ka": "ჰეზბოლა",
    },
    "Taliban": {
        "zh": "塔利班", "ja": "タリバン|タリバーン", "ko": "탈레반", "th": "ตาลีบัน|ตอลิบาน", "ar": "طالبان",
        "fa": "طالبان", "ur": "طالبان", "ckb": "تاڵیبان", "he": "טליבאן", "hi": "तालिबान", "ne": "तालिबान",
        "ta": "தலிபான்", "ka": "თალიბან",
    },
    "Islamic State|ISIS|ISIL|Daesh": {
        "zh": "伊斯兰国!家|伊斯蘭國!家", "ja": "イスラム国!家", "ko": "이슬람국가!들", "th": "กลุ่มรัฐอิสลาม",
        "ar": "تنظيم الدولة الإسلامية|داعش", "fa": "داعش", "ur": "داعش", "ckb": "داعش",
        "he": "דאעש|המדינה האסלאמית", "hi": "इस्लामिक स्टेट",
    },
    "al-Qaeda|Al Qaeda": {
        "zh": "基地组织|基地組織", "ja": "アルカイダ", "ko": "알카에다", "th": "อัลกออิดะฮ์",
        "ar": "تنظيم القاعدة", "fa": "القاعده", "ur": "القاعدہ", "he": "אל-קאעידה|אל קאעידה",
        "hi": "अल-कायदा|अल कायदा",
    },
    "Houthis|Houthi movement|Ansar Allah": {
        "zh": "胡塞武装|胡塞武裝|胡塞组织|胡塞組織|胡塞运动|胡塞運動|胡塞叛军|胡塞叛軍", "ja": "フーシ派",
        "ko": "후티 반군", "th": "กลุ่มฮูตี", "ar": "الحوثيون|الحوثيين|جماعة الحوثي|أنصار الله",
        "fa": "حوثی‌ها|انصارالله|انصار الله", "he": "החות'ים|החותים",
    },
    "Muslim Brotherhood": {
        "zh": "穆斯林兄弟会|穆斯林兄弟會", "ja": "ムスリム同胞団", "ko": "무슬림형제단",
        "ar": "الإخوان المسلمين|الإخوان المسلمون", "fa": "اخوان‌المسلمین|اخوان المسلمین",
        "he": "האחים המוסלמים",
    },
    "Palestinian Islamic Jihad|Islamic Jihad": {
        "zh": "伊斯兰圣战|伊斯蘭聖戰", "ar": "حركة الجهاد الإسلامي", "fa": "جهاد اسلامی",
        "he": "הג'יהאד האסלאמי",
    },
    "Fatah": {"zh": "法塔赫", "ja": "ファタハ", "ar": "حركة فتح", "fa": "جنبش فتح", "he": 'פת"ח|פת״ח'},
    "Kurdistan Workers' Party|PKK": {
        "zh": "库尔德工人党|庫爾德工人黨", "ja": "クルド労働者党", "ko": "쿠르드노동자당",
        "ar": "حزب العمال الكردستاني", "fa": "حزب کارگران کردستان", "ckb": "پەکەکە|پارتی کرێکارانی کوردستان",
    },
    "Boko Haram": {
        "zh": "博科圣地|博科聖地", "ja": "ボコ・ハラム", "ko": "보코하람", "ar": "بوكو حرام",
        "fa": "بوکوحرام|بوکو حرام", "he": "בוקו חראם", "hi": "बोको हराम",
    },
    "Tigray People's Liberation Front|TPLF": {
        "zh": "提格雷人民解放阵线|提格雷人民解放陣線", "ar": "الجبهة الشعبية لتحرير تيغراي",
        "fa": "جبهه آزادی‌بخش خلق تیگرای",
    },
    # Parties with names of their own (those named by their ideology: monitor.entities.parties)
    "Chinese Communist Party|Communist Party of China|CCP|CPC": {
        "zh": "中国共产党|中國共產黨|中共!有同计計享", "ja": "中国共産党", "ko": "중국공산당|중국 공산당",
        "th": "พรรคคอมมิวนิสต์จีน", "ar": "الحزب الشيوعي الصيني", "fa": "حزب کمونیست چین",
        "ckb": "حیزبی کۆمۆنیستی چین|پارتی کۆمۆنیستی چین", "he": "המפלגה הקומוניסטית הסינית",
        "ur": "چینی کمیونسٹ پارٹی|چین کی کمیونسٹ پارٹی", "hi": "चीनी कम्युनिस्ट पार्टी|चीन की कम्युनिस्ट पार्टी",
        "ne": "चीनी कम्युनिस्ट पार्टी", "ta": "சீனப் பொதுவுடமைக் கட்சி|சீன கம்யூனிஸ்ட் கட்சி",
        "si": "චීනයේ කොමියුනිස්ට් පක්ෂ|චීන කොමියුනිස්ට් පක්ෂ", "ka": "ჩინეთის კომუნისტური პარტი",
    },
    "Kuomintang|KMT|Chinese Nationalist Party": {
        "zh": "国民党|國民黨", "ja": "国民党", "ar": "الكومينتانغ", "th": "ก๊กมินตั๋ง",
    },
    "Democratic Progressive Party|DPP": {
        "zh": "民进党|民進黨|民主进步党|民主進步黨", "ja": "民進党", "ko": "민진당",
    },
    "Bharatiya Janata Party|BJP": {
        "zh": "印度人民党|印度人民黨", "ja": "インド人民党", "ar": "حزب بهاراتيا جاناتا",
        "fa": "حزب بهاراتیا جاناتا", "ur": "بھارتیہ جنتا پارٹی", "hi": "भारतीय जनता पार्टी|भाजपा",
        "ne": "भारतीय जनता पार्टी", "ta": "பாரதிய ஜனதா கட்சி|பாஜக",
    },
    "Indian National Congress|Congress Party": {
        "zh": "印度国民大会党|印度國民大會黨", "hi": "भारतीय राष्ट्रीय कांग्रेस",
        "ta": "இந்திய தேசிய காங்கிரஸ்",
    },
    "Pakistan Tehreek-e-Insaf|PTI": {
        "zh": "巴基斯坦正义运动|巴基斯坦正義運動", "ur": "پاکستان تحریک انصاف|تحریک انصاف",
        "fa": "تحریک انصاف", "hi": "पाकिस्तान तहरीक-ए-इंसाफ",
    },
    "Likud": {
        "zh": "利库德集团|利庫德集團", "ja": "リクード", "ko": "리쿠드", "ar": "الليكود", "fa": "لیکود",
        "he": "הליכוד|ליכוד",
    },
    "African National Congress|ANC": {
        "zh": "非洲人国民大会|非洲人國民大會|非国大|非國大", "ja": "アフリカ民族会議",
        "ko": "아프리카민족회의",
        "ar": "المؤتمر الوطني الأفريقي", "fa": "کنگره ملی آفریقا",
    },
    "United Russia": {
        "zh": "统一俄罗斯党|統一俄羅斯黨", "ja": "統一ロシア", "ko": "통합러시아당",
        "ar": "حزب روسيا الموحدة",
        "fa": "حزب روسیه متحد", "he": "רוסיה המאוחדת",
    },
    "Alternative for Germany|AfD": {
        "zh": "德国选择党|德國另類選擇黨", "ja": "ドイツのための選択肢", "ko": "독일을 위한 대안",
        "ar": "حزب البديل من أجل ألمانيا", "fa": "حزب آلترناتیو برای آلمان", "he": "האלטרנטיבה לגרמניה",
    },
    "Brothers of Italy": {
        "zh": "意大利兄弟党|義大利兄弟黨|意大利兄弟|義大利兄弟", "ja": "イタリアの同胞",
        "ko": "이탈리아의 형제들",
        "ar": "حزب إخوة إيطاليا", "fa": "برادران ایتالیا",
    },
    "Pakatan Harapan|Alliance of Hope": {
        "zh": "希望联盟|希望聯盟", "ko": "희망연맹", "th": "แนวร่วมแห่งความหวัง", "fa": "پاکاتان هاراپان",
        "ar": "تحالف الأمل",
    },
}

# An organisation that is part of another names that one too (its English name -> the other's).
_PART_OF = {
    "United Nations Security Council": "United Nations",
    "United Nations General Assembly": "United Nations",
    "UNICEF": "United Nations",
    "UNESCO": "United Nations",
    "UNHCR": "United Nations",
    "UNRWA": "United Nations",
    "World Food Programme": "United Nations",
    "European Commission": "European Union",
    "European Parliament": "European Union",
    "European Central Bank": "European Union",
    "International Committee of the Red Cross": "Red Cross",
    "United States House of Representatives": "United States Congress",
    "United States Senate": "United States Congress",
    "Chinese Communist Party": "Communist Party",
    "Democratic Progressive Party": "Democratic Party",
    "Kurdistan Workers' Party": "Workers' Party",
}


@dataclass(frozen=True)
class Organisation:
    """An organisation found in a text: where, as written, and its English name."""

    start: int
    end: int
    text: str
    name: str  # the English name (the first of its names)


def _fold(name: str) -> str:
    """An English name as looked up: case-folded, without a leading `the`, its words joined by
    one space, hyphens as spaces, apostrophes and the dots of initials left out, single letters
    in a row joined (`U.N.` and a watch's words `U N`: `un`; `People's` and `People s`:
    `peoples`; `Tehreek-e-Insaf`: `tehreek e insaf`)."""
    words = re.sub(r"[-‐]", " ", re.sub(r"[.'’]", "", name.casefold())).split()
    joined: list[str] = []
    for word in words:
        if joined and (word == "s" or (len(word) == 1 and len(joined[-1]) == 1)):
            joined[-1] += word  # `s` of a possessive, or initials (`u s`: `us`)
        else:
            joined.append(word)
    if len(joined) > 1 and joined[0] == "the":
        joined = joined[1:]
    return " ".join(joined)


@cache
def _by_english() -> dict[str, str]:
    """Each English name or initials, folded -> the organisation's English name."""
    out: dict[str, str] = {}
    for names in (*_ORGANISATIONS, *party_phrases()):
        first = names.split("|")[0]
        for name in names.split("|"):
            out.setdefault(_fold(name), first)
    return out


def organisation_named(name: str) -> str | None:
    """The English name of the organisation that an English name or initials names
    (`the United Nations`, `UN`: `United Nations`), or None."""
    return _by_english().get(_fold(name))


def english_names() -> frozenset[str]:
    """Every organisation's English name (the first of its names)."""
    return frozenset(_by_english().values())


@cache
def _written() -> dict[str, tuple[str, ...]]:
    """An organisation's English name -> its written names (with any `!` suffix)."""
    out: dict[str, tuple[str, ...]] = {}
    for names, by_language in _ORGANISATIONS.items():
        phrases = (p for written in by_language.values() for p in written.split("|"))
        out[names.split("|")[0]] = tuple(dict.fromkeys(p for p in phrases if p))
    for names, written in party_phrases().items():
        out[names.split("|")[0]] = written
    return out


def written_forms(name: str) -> frozenset[str]:
    """How scripts without capitals write the organisation an English name names (`UN`,
    `United Nations`: `联合国`, `유엔`, `سازمان ملل`…), each without its `!` suffix, with its
    English name (that of a national team built from its parts: monitor.entities.teams); empty
    for a name that is no organisation's here."""
    english = organisation_named(name)
    if english is None:
        return team_names(name) or party_names(name)
    return _written_plain(english) | {english}


def names_also(english: str) -> frozenset[str]:
    """An organisation's English name and those of the organisations it is part of."""
    out = {english}
    while english in _PART_OF:
        english = _PART_OF[english]
        out.add(english)
    kind = generic_party(english)  # a party named with its country (parties.py)
    return frozenset(out | {kind} if kind else out)


# Arabic and Hebrew letters: a written name in them ends its word (see the module).
_ABJAD = "\u0590-\u06ff\u0750-\u077f\ufb1d-\ufdff\ufe70-\ufeff"
_ABJAD_LETTER = re.compile(f"[{_ABJAD}]")
_EZAFE = "\u06cc"  # Persian and Kurdish ی after a name (فیفای)


def _condition(phrase: str) -> str:
    """What must follow a written name (see the module): its word's end in Arabic and Hebrew
    letters (an ezafe allowed), no letter named after its `!`."""
    letters, _, not_after = phrase.partition("!")
    out = ""
    if _ABJAD_LETTER.match(letters[-1]):
        out += rf"(?:{_EZAFE})?(?![^\W\d_])"
    if not_after:
        out += f"(?![{re.escape(not_after)}])"
    return out


@cache
def _search() -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern that finds every written name (the longest first at a place), and each
    written name -> its organisation's English name."""
    owner: dict[str, str] = {}
    for english, phrases in _written().items():
        for phrase in phrases:
            owner.setdefault(phrase.split("!")[0], english)
    owner.update((phrase, "") for phrase in NOT_NAMES)  # look-alikes, found to be dropped
    not_after: dict[str, str] = {}  # one written name in two lists: what neither lets follow
    for phrase in sorted({p for ps in _written().values() for p in ps} | NOT_NAMES):
        letters, _, banned = phrase.partition("!")
        not_after[letters] = "".join(sorted(set(not_after.get(letters, "")) | set(banned)))
    conditions = {letters: _condition(f"{letters}!{banned}") for letters, banned in not_after.items()}
    return re.compile(trie_pattern(conditions)), owner


@lru_cache(maxsize=8)  # the article read by the cues and every watch in turn; a few texts kept, not many
def organisations_in(text: str) -> tuple[Organisation, ...]:
    """The organisations the text names as scripts without capitals write them, in text order,
    the longest written name where two overlap (see the module)."""
    if not text:
        return ()
    pattern, owner = _search()
    found = []
    for match in pattern.finditer(text):
        written = match.group()
        if written.endswith(_EZAFE) and written not in owner:
            written = written[:-1]
        start, name = match.start(), owner[written]
        if name:  # not a look-alike
            found.append(Organisation(start, start + len(written), written, name))
    found += (Organisation(*team) for team in (*teams_in(text), *parties_with_country_in(text)))
    kept: list[Organisation] = []
    for one in sorted(found, key=lambda o: (o.start, o.start - o.end)):
        if not kept or one.start >= kept[-1].end:
            kept.append(one)
    return tuple(kept)


def organisations_named(text: str) -> frozenset[str]:
    """The English names of the organisations a text names as written, with those they are
    part of (`联合国安理会`: the Security Council and the United Nations)."""
    return frozenset(n for found in organisations_in(text) for n in names_also(found.name))


def named_in(written: frozenset[str], text: str) -> bool:
    """Whether the text names, as written, the organisation these are the written names of
    (`written_forms`), or one that is part of it."""
    return any(
        found.text in written or not written.isdisjoint(names_also(found.name))
        for found in organisations_in(text)
    )


@cache
def _written_plain(english: str) -> frozenset[str]:
    return frozenset(p.split("!")[0] for p in _written().get(english, ()))
