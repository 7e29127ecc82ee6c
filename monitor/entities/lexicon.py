"""The words institutions are named with, and the names of a few persons that languages
translate rather than transliterate, in many languages: data, and the lookups the watches'
matcher uses to find a name written in English where another language translates it
(`Supreme Court`: `Sąd Najwyższy`, `Верховный суд`, `Върховният съд`, `Nejvyšší soud`;
`Pope Francis`: `papież Franciszek`, `Папа Франциск`; `European Union`: `ЕС`).

Source: the project's own knowledge of these languages (common dictionary words, facts of
language), not copied from any list. Languages: the 8 Slavic ones of the BSNLP data (bg, cs,
hr, pl, ru, sk, sl, uk) with Serbian, and en, de, fr, es, it, pt, nl; a language not here (or
an article of unknown language) is read with every language's words.

Each concept is a key (an English word) with its words per language, written as a lemma or
a stem; a text's word is the concept's where its form (`forms.name_form`) starts with the
word's stem (the lemma less its final vowels) and adds at most 4 letters of ending
(`Najwyższego`, `Верховного`, `Върховният`), a stem of 3 letters only a case ending (`суда`,
not `Судан`), and no longer stem of another concept fits it better (Croatian `kraljica`, queen,
is not `kralj`, king). Organisations as scripts without capitals write them are in
monitor.entities.orgnames. Pure.
"""

from __future__ import annotations

from functools import lru_cache

from monitor.entities.forms import ALL_ENDINGS, name_form

__all__ = [
    "LANGUAGES",
    "MAX_ENDING",
    "PERSONS",
    "concept_stems",
    "concepts_of_name_word",
    "concepts_of_word",
    "short_names",
]

# concept -> language -> its words, space-separated (a stem is written as the word begins)
_WORDS: dict[str, dict[str, str]] = {
    "supreme": {
        "en": "supreme", "bg": "върховен върховн", "cs": "nejvyšší", "sk": "najvyšší",
        "pl": "najwyższy", "ru": "верховный", "uk": "верховний", "hr": "vrhovni", "sl": "vrhovni",
        "sr": "врховни vrhovni", "de": "oberster", "fr": "suprême", "es": "supremo", "it": "supremo",
        "pt": "supremo", "nl": "hoogste",
    },
    "high": {
        "en": "high", "bg": "висш висок", "cs": "vrchní vysoký", "sk": "vysoký", "pl": "wysoki",
        "ru": "высокий высший", "uk": "високий вищий", "hr": "visoki", "sl": "višji visoko",
        "sr": "виши високи viši visoki", "de": "hoher höchst", "fr": "haut haute", "es": "alto",
        "it": "alto alta", "pt": "alto", "nl": "hoog",
    },
    "constitutional": {
        "en": "constitutional", "bg": "конституционен конституционн", "cs": "ústavní",
        "sk": "ústavný", "pl": "konstytucyjny", "ru": "конституционный", "uk": "конституційний",
        "hr": "ustavni", "sl": "ustavni", "sr": "уставни ustavni", "de": "verfassungs",
        "fr": "constitutionnel", "es": "constitucional", "it": "costituzionale",
        "pt": "constitucional", "nl": "grondwettelijk",
    },
    "court": {
        "en": "court tribunal", "bg": "съд", "cs": "soud", "sk": "súd", "pl": "sąd trybunał",
        "ru": "суд", "uk": "суд", "hr": "sud", "sl": "sodišče", "sr": "суд sud",
        "de": "gericht gerichtshof", "fr": "cour tribunal", "es": "tribunal corte",
        "it": "corte tribunale", "pt": "tribunal", "nl": "hof rechtbank",
    },
    "parliament": {
        "en": "parliament", "bg": "парламент", "cs": "parlament", "sk": "parlament",
        "pl": "parlament", "ru": "парламент", "uk": "парламент", "hr": "parlament",
        "sl": "parlament", "sr": "парламент parlament", "de": "parlament", "fr": "parlement",
        "es": "parlamento", "it": "parlamento", "pt": "parlamento", "nl": "parlement",
    },
    "assembly": {
        "en": "assembly", "bg": "събрание", "cs": "shromáždění", "sk": "zhromaždenie",
        "pl": "zgromadzenie", "ru": "собрание ассамблея", "uk": "збори асамблея",
        "hr": "skupština", "sl": "skupščina", "sr": "скупштина skupština", "de": "versammlung",
        "fr": "assemblée", "es": "asamblea", "it": "assemblea", "pt": "assembleia",
        "nl": "vergadering",
    },
    "national": {
        "en": "national", "bg": "национален национални народн", "cs": "národní", "sk": "národný",
        "pl": "narodowy", "ru": "национальный народный", "uk": "національний народний",
        "hr": "nacionalni narodni", "sl": "narodni nacionalni", "sr": "народни narodni",
        "de": "national", "fr": "national nationale", "es": "nacional", "it": "nazionale",
        "pt": "nacional", "nl": "nationaal nationale",
    },
    "council": {
        "en": "council", "bg": "съвет", "cs": "rada", "sk": "rada", "pl": "rada", "ru": "совет",
        "uk": "рада", "hr": "vijeće", "sl": "svet", "sr": "савет savet", "de": "rat",
        "fr": "conseil", "es": "consejo", "it": "consiglio", "pt": "conselho", "nl": "raad",
    },
    "security": {
        "en": "security", "bg": "сигурност", "cs": "bezpečnost", "sk": "bezpečnosť",
        "pl": "bezpieczeństwa", "ru": "безопасность", "uk": "безпеки безпека", "hr": "sigurnost",
        "sl": "varnost", "sr": "безбедност bezbednost", "de": "sicherheit", "fr": "sécurité",
        "es": "seguridad", "it": "sicurezza", "pt": "segurança", "nl": "veiligheid",
    },
    "commission": {
        "en": "commission", "bg": "комисия", "cs": "komise", "sk": "komisia", "pl": "komisja",
        "ru": "комиссия", "uk": "комісія", "hr": "komisija povjerenstvo", "sl": "komisija",
        "sr": "комисија komisija", "de": "kommission", "fr": "commission", "es": "comisión",
        "it": "commissione", "pt": "comissão", "nl": "commissie",
    },
    "union": {
        "en": "union", "bg": "съюз", "cs": "unie svaz", "sk": "únia zväz", "pl": "unia związek",
        "ru": "союз", "uk": "союз спілка", "hr": "unija savez", "sl": "unija zveza",
        "sr": "унија савез unija savez", "de": "union", "fr": "union", "es": "unión",
        "it": "unione", "pt": "união", "nl": "unie",
    },
    "european": {
        "en": "european", "bg": "европейски", "cs": "evropský", "sk": "európsky", "pl": "europejski",
        "ru": "европейский", "uk": "європейський", "hr": "europski", "sl": "evropski",
        "sr": "европски evropski", "de": "europäisch", "fr": "européen", "es": "europeo",
        "it": "europeo", "pt": "europeu", "nl": "europees europese",
    },
    "government": {
        "en": "government", "bg": "правителство", "cs": "vláda", "sk": "vláda", "pl": "rząd",
        "ru": "правительство", "uk": "уряд", "hr": "vlada", "sl": "vlada", "sr": "влада vlada",
        "de": "regierung", "fr": "gouvernement", "es": "gobierno", "it": "governo",
        "pt": "governo", "nl": "regering",
    },
    "ministry": {
        "en": "ministry", "bg": "министерство", "cs": "ministerstvo", "sk": "ministerstvo",
        "pl": "ministerstwo", "ru": "министерство", "uk": "міністерство", "hr": "ministarstvo",
        "sl": "ministrstvo", "sr": "министарство ministarstvo", "de": "ministerium",
        "fr": "ministère", "es": "ministerio", "it": "ministero", "pt": "ministério",
        "nl": "ministerie",
    },
    "foreign": {
        "en": "foreign", "bg": "външни", "cs": "zahraniční", "sk": "zahraničných",
        "pl": "zagranicznych", "ru": "иностранных", "uk": "закордонних", "hr": "vanjskih",
        "sl": "zunanjih", "sr": "спољних spoljnih", "de": "auswärtig", "fr": "étrangères",
        "es": "exteriores", "it": "esteri", "pt": "estrangeiros", "nl": "buitenlandse",
    },
    "affairs": {
        "en": "affairs", "bg": "работи", "cs": "věcí", "sk": "vecí", "pl": "spraw", "ru": "дел",
        "uk": "справ", "hr": "poslova", "sl": "zadeve", "sr": "послова poslova",
        "de": "angelegenheiten", "fr": "affaires", "es": "asuntos", "it": "affari",
        "pt": "negócios", "nl": "zaken",
    },
    "party": {
        "en": "party", "bg": "партия", "cs": "strana", "sk": "strana", "pl": "partia",
        "ru": "партия", "uk": "партія", "hr": "stranka", "sl": "stranka", "sr": "странка stranka",
        "de": "partei", "fr": "parti", "es": "partido", "it": "partito", "pt": "partido",
        "nl": "partij",
    },
    "democratic": {
        "en": "democratic", "bg": "демократическ демократичн", "cs": "demokratický",
        "sk": "demokratický", "pl": "demokratyczny", "ru": "демократический",
        "uk": "демократичний", "hr": "demokratski", "sl": "demokratski",
        "sr": "демократски demokratski", "de": "demokratisch", "fr": "démocrate démocratique",
        "es": "demócrata democrático", "it": "democratico", "pt": "democrata democrático",
        "nl": "democratisch",
    },
    "republican": {
        "en": "republican", "bg": "републиканск", "cs": "republikánský", "sk": "republikánsky",
        "pl": "republikański", "ru": "республиканский", "uk": "республіканський",
        "hr": "republikanski", "sl": "republikanski", "sr": "републикански republikanski",
        "de": "republikanisch", "fr": "républicain", "es": "republicano", "it": "repubblicano",
        "pt": "republicano", "nl": "republikeins",
    },
    "church": {
        "en": "church", "bg": "църква", "cs": "církev církv", "sk": "cirkev cirkv",
        "pl": "kościół kościel", "ru": "церковь церкв", "uk": "церква", "hr": "crkva",
        "sl": "cerkev cerkv", "sr": "црква crkva", "de": "kirche", "fr": "église",
        "es": "iglesia", "it": "chiesa", "pt": "igreja", "nl": "kerk",
    },
    "catholic": {
        "en": "catholic", "bg": "католическ", "cs": "katolický", "sk": "katolícky",
        "pl": "katolicki", "ru": "католический", "uk": "католицький", "hr": "katolički",
        "sl": "katoliški", "sr": "католички katolički", "de": "katholisch", "fr": "catholique",
        "es": "católico", "it": "cattolico", "pt": "católico", "nl": "katholiek",
    },
    "orthodox": {
        "en": "orthodox", "bg": "православн", "cs": "pravoslavný", "sk": "pravoslávny",
        "pl": "prawosławny", "ru": "православный", "uk": "православний", "hr": "pravoslavni",
        "sl": "pravoslavni", "sr": "православни pravoslavni", "de": "orthodox",
        "fr": "orthodoxe", "es": "ortodoxo", "it": "ortodosso", "pt": "ortodoxo", "nl": "orthodox",
    },
    "bank": {
        "en": "bank", "bg": "банка", "cs": "banka", "sk": "banka", "pl": "bank", "ru": "банк",
        "uk": "банк", "hr": "banka", "sl": "banka", "sr": "банка banka", "de": "bank",
        "fr": "banque", "es": "banco", "it": "banca", "pt": "banco", "nl": "bank",
    },
    "central": {
        "en": "central", "bg": "централн", "cs": "centrální", "sk": "centrálna",
        "pl": "centralny", "ru": "центральный", "uk": "центральний", "hr": "središnji centralni",
        "sl": "centralna", "sr": "централни centralni", "de": "zentral", "fr": "central centrale",
        "es": "central", "it": "centrale", "pt": "central", "nl": "centrale",
    },
    "world": {
        "en": "world", "bg": "световн", "cs": "světový", "sk": "svetový", "pl": "światowy",
        "ru": "всемирный мировой", "uk": "світовий всесвітній", "hr": "svjetski",
        "sl": "svetovni", "sr": "светски svetski", "de": "welt", "fr": "mondial mondiale",
        "es": "mundial", "it": "mondiale", "pt": "mundial", "nl": "wereld",
    },
    "health": {
        "en": "health", "bg": "здравеопазване здравн", "cs": "zdravotnický zdraví",
        "sk": "zdravotnícky zdravia", "pl": "zdrowia", "ru": "здравоохранения",
        "uk": "здоров", "hr": "zdravstvena zdravlja", "sl": "zdravstvena zdravja",
        "sr": "здравља zdravlja", "de": "gesundheit", "fr": "santé", "es": "salud",
        "it": "sanità", "pt": "saúde", "nl": "gezondheid",
    },
    "organisation": {
        "en": "organisation organization", "bg": "организация", "cs": "organizace",
        "sk": "organizácia", "pl": "organizacja", "ru": "организация", "uk": "організація",
        "hr": "organizacija", "sl": "organizacija", "sr": "организација organizacija",
        "de": "organisation", "fr": "organisation", "es": "organización",
        "it": "organizzazione", "pt": "organização", "nl": "organisatie",
    },
    "united": {
        "en": "united", "bg": "обединен обединени", "cs": "spojený spojené", "sk": "spojený spojené",
        "pl": "zjednoczony zjednoczonych", "ru": "объединённый объединенных", "uk": "єднаний єднаних",
        "hr": "ujedinjeni", "sl": "združeni", "sr": "уједињени ujedinjeni", "de": "vereint vereinte",
        "fr": "unies unis", "es": "unidas unidos", "it": "unite uniti", "pt": "unidas unidos",
        "nl": "verenigde",
    },
    "nations": {
        "en": "nations", "bg": "нации", "cs": "národ", "sk": "národ", "pl": "narodów narody",
        "ru": "наций нации", "uk": "націй нації", "hr": "nacija naroda", "sl": "narodi narodov",
        "sr": "нација nacija", "de": "nationen", "fr": "nations", "es": "naciones",
        "it": "nazioni", "pt": "nações", "nl": "naties",
    },
    "army": {
        "en": "army", "bg": "армия", "cs": "armáda", "sk": "armáda", "pl": "armia wojsko",
        "ru": "армия", "uk": "армія", "hr": "vojska armija", "sl": "vojska", "sr": "војска vojska",
        "de": "armee", "fr": "armée", "es": "ejército", "it": "esercito", "pt": "exército",
        "nl": "leger",
    },
    "police": {
        "en": "police", "bg": "полиция", "cs": "policie", "sk": "polícia", "pl": "policja",
        "ru": "полиция", "uk": "поліція", "hr": "policija", "sl": "policija",
        "sr": "полиција policija", "de": "polizei", "fr": "police", "es": "policía",
        "it": "polizia", "pt": "polícia", "nl": "politie",
    },
    "prosecutor": {
        "en": "prosecutor prosecution", "bg": "прокурор прокуратура", "cs": "žalobce zastupitelství",
        "sk": "prokurátor prokuratúra", "pl": "prokurator prokuratura", "ru": "прокурор прокуратура",
        "uk": "прокурор прокуратура", "hr": "tužitelj tužiteljstvo", "sl": "tožilec tožilstvo",
        "sr": "тужилац тужилаштво tužilac tužilaštvo", "de": "staatsanwalt staatsanwaltschaft",
        "fr": "procureur parquet", "es": "fiscal fiscalía", "it": "procuratore procura",
        "pt": "procurador", "nl": "aanklager",
    },
    "house": {
        "en": "house", "bg": "дом камара", "cs": "dům sněmovna", "sk": "dom snemovňa",
        "pl": "dom izba", "ru": "дом палата", "uk": "дім палата", "hr": "kuća dom", "sl": "hiša dom",
        "sr": "кућа дом kuća dom", "de": "haus", "fr": "maison chambre", "es": "casa cámara",
        "it": "casa camera", "pt": "casa câmara", "nl": "huis",
    },
    "white": {
        "en": "white", "bg": "бял бели", "cs": "bílý", "sk": "biely", "pl": "biały", "ru": "белый",
        "uk": "білий", "hr": "bijela bijeli", "sl": "bela beli", "sr": "бела бели bela beli",
        "de": "weiß weiss", "fr": "blanche blanc", "es": "blanca blanco", "it": "bianca bianco",
        "pt": "branca branco", "nl": "witte wit",
    },
    "representatives": {
        "en": "representatives", "bg": "представител", "cs": "reprezentant", "sk": "reprezentant",
        "pl": "reprezentant", "ru": "представител", "uk": "представник", "hr": "zastupnički",
        "sl": "predstavniški", "sr": "представничк", "de": "repräsentant", "fr": "représentants",
        "es": "representantes", "it": "rappresentanti", "pt": "representantes",
        "nl": "afgevaardigden",
    },
    "commons": {
        "en": "commons", "bg": "общин", "cs": "obcí", "sk": "obcí", "pl": "gmin", "ru": "общин",
        "uk": "громад", "hr": "pučki", "sl": "spodnji", "sr": "општин", "de": "unterhaus",
        "fr": "communes", "es": "comunes", "it": "comuni", "pt": "comuns", "nl": "lagerhuis",
    },
    "conservative": {
        "en": "conservative", "bg": "консервативн", "cs": "konzervativní", "sk": "konzervatívny",
        "pl": "konserwatywny", "ru": "консервативный", "uk": "консервативний",
        "hr": "konzervativni", "sl": "konservativni", "sr": "конзервативн konzervativn",
        "de": "konservativ", "fr": "conservateur", "es": "conservador", "it": "conservatore",
        "pt": "conservador", "nl": "conservatief conservatieve",
    },
    "labour": {
        "en": "labour labor", "bg": "лейбъристк", "cs": "labouristický", "sk": "labouristický",
        "pl": "pracy", "ru": "лейбористский", "uk": "лейбористський", "hr": "laburistički",
        "sl": "laburistični", "sr": "лабуристичк laburističk", "de": "labour", "fr": "travailliste",
        "es": "laborista", "it": "laburista", "pt": "trabalhista", "nl": "labour",
    },
    "people": {
        "en": "people peoples", "bg": "народн", "cs": "lidový", "sk": "ľudový", "pl": "ludowy",
        "ru": "народный", "uk": "народний", "hr": "pučki narodni", "sl": "ljudski", "sr": "народн narodn",
        "de": "volks", "fr": "populaire", "es": "popular", "it": "popolare", "pt": "popular",
        "nl": "volkspartij",
    },
    "federal": {
        "en": "federal", "bg": "федерален федерални", "cs": "federální", "sk": "federálny",
        "pl": "federalny", "ru": "федеральный", "uk": "федеральний", "hr": "savezni federalni",
        "sl": "zvezni", "sr": "савезни savezni", "de": "bundes", "fr": "fédéral fédérale",
        "es": "federal", "it": "federale", "pt": "federal", "nl": "federale",
    },
    "reserve": {
        "en": "reserve", "bg": "резерв", "cs": "rezervní", "sk": "rezervný", "pl": "rezerwy",
        "ru": "резервный", "uk": "резервний", "hr": "rezerv", "sl": "rezerv", "sr": "резерв rezerv",
        "de": "reserve", "fr": "réserve", "es": "reserva", "it": "riserva", "pt": "reserva",
        "nl": "reserve",
    },
    "state": {
        "en": "state", "bg": "държав щат", "cs": "stát státní", "sk": "štát štátny",
        "pl": "państwo stan", "ru": "государство государственный штат", "uk": "держава державний штат",
        "hr": "država državni", "sl": "država državni", "sr": "држава државни država državni",
        "de": "staat", "fr": "état", "es": "estado", "it": "stato", "pt": "estado", "nl": "staat",
    },
    "department": {
        "en": "department", "bg": "департамент", "cs": "departement", "sk": "departement",
        "pl": "departament", "ru": "департамент", "uk": "департамент", "hr": "odjel",
        "sl": "oddelek", "sr": "департман departman", "de": "departement", "fr": "département",
        "es": "departamento", "it": "dipartimento", "pt": "departamento", "nl": "departement",
    },
    "international": {
        "en": "international", "bg": "международн", "cs": "mezinárodní", "sk": "medzinárodný",
        "pl": "międzynarodowy", "ru": "международный", "uk": "міжнародний", "hr": "međunarodni",
        "sl": "mednarodni", "sr": "међународни međunarodni", "de": "international",
        "fr": "international internationale", "es": "internacional", "it": "internazionale",
        "pt": "internacional", "nl": "internationaal internationale",
    },
    "monetary": {
        "en": "monetary", "bg": "валутен", "cs": "měnový", "sk": "menový", "pl": "walutowy",
        "ru": "валютный", "uk": "валютний", "hr": "monetarni", "sl": "denarni", "sr": "монетарни",
        "de": "währungs", "fr": "monétaire", "es": "monetario", "it": "monetario",
        "pt": "monetário", "nl": "monetair",
    },
    "fund": {
        "en": "fund", "bg": "фонд", "cs": "fond", "sk": "fond", "pl": "fundusz", "ru": "фонд",
        "uk": "фонд", "hr": "fond", "sl": "sklad", "sr": "фонд fond", "de": "fonds", "fr": "fonds",
        "es": "fondo", "it": "fondo", "pt": "fundo", "nl": "fonds",
    },
    "agency": {
        "en": "agency", "bg": "агенция", "cs": "agentura", "sk": "agentúra", "pl": "agencja",
        "ru": "агентство", "uk": "агентство", "hr": "agencija", "sl": "agencija",
        "sr": "агенција agencija", "de": "agentur", "fr": "agence", "es": "agencia",
        "it": "agenzia", "pt": "agência", "nl": "agentschap",
    },
    "medicines": {
        "en": "medicines", "bg": "лекарств", "cs": "léčiv", "sk": "liek", "pl": "leków",
        "ru": "лекарственных", "uk": "лікарськ", "hr": "lijekove", "sl": "zdravila",
        "sr": "лекове", "de": "arzneimittel", "fr": "médicament", "es": "medicamento",
        "it": "farmaco", "pt": "medicamento", "nl": "geneesmiddelen",
    },
    "islamic": {
        "en": "islamic", "bg": "ислямск", "cs": "islámský", "sk": "islamský", "pl": "islamski",
        "ru": "исламский", "uk": "ісламський", "hr": "islamski", "sl": "islamski",
        "sr": "исламск islamsk", "de": "islamisch", "fr": "islamique", "es": "islámico",
        "it": "islamico", "pt": "islâmico", "nl": "islamitisch islamitische",
    },
    "red": {
        "en": "red", "bg": "червен", "cs": "červený", "sk": "červený", "pl": "czerwony",
        "ru": "красный", "uk": "червоний", "hr": "crveni", "sl": "rdeči", "sr": "црвени crveni",
        "de": "rot rote rotes", "fr": "rouge", "es": "roja rojo", "it": "rossa rosso",
        "pt": "vermelha vermelho", "nl": "rode",
    },
    "cross": {
        "en": "cross", "bg": "кръст", "cs": "kříž", "sk": "kríž", "pl": "krzyż", "ru": "крест",
        "uk": "хрест", "hr": "križ", "sl": "križ", "sr": "крст krst", "de": "kreuz", "fr": "croix",
        "es": "cruz", "it": "croce", "pt": "cruz", "nl": "kruis",
    },
    "defence": {
        "en": "defence defense", "bg": "отбрана", "cs": "obrany", "sk": "obrany", "pl": "obrony",
        "ru": "обороны", "uk": "оборони", "hr": "obrane", "sl": "obrambo", "sr": "одбране odbrane",
        "de": "verteidigung", "fr": "défense", "es": "defensa", "it": "difesa", "pt": "defesa",
        "nl": "defensie",
    },
    "interior": {
        "en": "interior", "bg": "вътрешни", "cs": "vnitra", "sk": "vnútra", "pl": "wewnętrznych",
        "ru": "внутренних", "uk": "внутрішніх", "hr": "unutarnjih", "sl": "notranje",
        "sr": "унутрашњих unutrašnjih", "de": "innern", "fr": "intérieur", "es": "interior",
        "it": "interno", "pt": "interior", "nl": "binnenlandse",
    },
    "justice": {
        "en": "justice", "bg": "правосъдие справедливост", "cs": "spravedlnost", "sk": "spravodlivosť",
        "pl": "sprawiedliwość sprawiedliwoś", "ru": "юстиции справедливость", "uk": "юстиції справедливість",
        "hr": "pravosuđa pravda", "sl": "pravosodje pravičnost", "sr": "правде pravde",
        "de": "justiz gerechtigkeit", "fr": "justice", "es": "justicia", "it": "giustizia",
        "pt": "justiça", "nl": "justitie rechtvaardigheid",
    },
    "law": {
        "en": "law", "bg": "право закон", "cs": "právo", "sk": "právo", "pl": "prawo",
        "ru": "право закон", "uk": "право закон", "hr": "pravo zakon", "sl": "pravo zakon",
        "sr": "право закон pravo zakon", "de": "recht gesetz", "fr": "droit loi",
        "es": "derecho ley", "it": "diritto legge", "pt": "direito lei", "nl": "recht wet",
    },
    # titles and the names of persons that languages translate (popes, saints, God)
    "pope": {
        "en": "pope", "bg": "папа", "cs": "papež", "sk": "pápež", "pl": "papież", "ru": "папа",
        "uk": "папа", "hr": "papa", "sl": "papež", "sr": "папа papa", "de": "papst", "fr": "pape",
        "es": "papa", "it": "papa", "pt": "papa", "nl": "paus",
    },
    "prophet": {
        "en": "prophet", "bg": "пророк", "cs": "prorok", "sk": "prorok", "pl": "prorok",
        "ru": "пророк", "uk": "пророк", "hr": "prorok", "sl": "prerok", "sr": "пророк prorok",
        "de": "prophet", "fr": "prophète", "es": "profeta", "it": "profeta", "pt": "profeta",
        "nl": "profeet",
    },
    "saint": {
        "en": "saint", "bg": "свети света", "cs": "svatý", "sk": "svätý", "pl": "święty",
        "ru": "святой", "uk": "святий", "hr": "sveti", "sl": "sveti", "sr": "свети sveti",
        "de": "sankt heilige", "fr": "saint sainte", "es": "santo santa", "it": "santo santa",
        "pt": "são santo santa", "nl": "sint heilige",
    },
    "king": {
        "en": "king", "bg": "крал", "cs": "král", "sk": "kráľ", "pl": "król", "ru": "король",
        "uk": "король", "hr": "kralj", "sl": "kralj", "sr": "краљ kralj", "de": "könig",
        "fr": "roi", "es": "rey", "pt": "rei", "nl": "koning",
    },
    "queen": {
        "en": "queen", "bg": "кралица", "cs": "královna", "sk": "kráľovná", "pl": "królowa",
        "ru": "королева", "uk": "королева", "hr": "kraljica", "sl": "kraljica",
        "sr": "краљица kraljica", "de": "königin", "fr": "reine", "es": "reina", "it": "regina",
        "pt": "rainha", "nl": "koningin",
    },
    "god": {
        "en": "god", "bg": "бог господ", "cs": "bůh boh hospodin", "sk": "boh", "pl": "bóg bog",
        "ru": "бог господь господ", "uk": "бог господь господ", "hr": "bog", "sl": "bog",
        "sr": "бог bog", "de": "gott", "fr": "dieu", "es": "dios", "it": "dio", "pt": "deus",
        "nl": "god",
    },
    "jesus": {
        "en": "jesus", "bg": "исус", "cs": "ježíš", "sk": "ježiš", "pl": "jezus", "ru": "иисус",
        "uk": "ісус", "hr": "isus", "sl": "jezus", "sr": "исус isus", "de": "jesus",
        "fr": "jésus", "es": "jesús", "it": "gesù", "pt": "jesus", "nl": "jezus",
    },
    "christ": {
        "en": "christ", "bg": "христос христ", "cs": "kristus krist", "sk": "kristus krist",
        "pl": "chrystus", "ru": "христос христ", "uk": "христос христ", "hr": "krist",
        "sl": "kristus krist", "sr": "христос христ hrist", "de": "christus", "fr": "christ",
        "es": "cristo", "it": "cristo", "pt": "cristo", "nl": "christus",
    },
    "christian": {
        "en": "christian", "bg": "християн", "cs": "křesťan", "sk": "kresťan", "pl": "chrześcijan",
        "ru": "христиан", "uk": "християн", "hr": "kršćan", "sl": "kristjan", "sr": "хришћан hrišćan",
        "de": "christlich christen", "fr": "chrétien", "es": "cristiano", "it": "cristiano",
        "pt": "cristão", "nl": "christelijk christen",
    },
    "francis": {
        "en": "francis", "bg": "франциск франциско", "cs": "františek", "sk": "františek",
        "pl": "franciszek franciszk", "ru": "франциск", "uk": "франциск", "hr": "franjo",
        "sl": "frančišek frančišk", "sr": "фрања franja", "de": "franziskus", "fr": "françois",
        "es": "francisco", "it": "francesco", "pt": "francisco", "nl": "franciscus",
    },
    "benedict": {
        "en": "benedict", "bg": "бенедикт", "cs": "benedikt", "sk": "benedikt", "pl": "benedykt",
        "ru": "бенедикт", "uk": "бенедикт", "hr": "benedikt", "sl": "benedikt",
        "sr": "бенедикт benedikt", "de": "benedikt", "fr": "benoît", "es": "benedicto",
        "it": "benedetto", "pt": "bento", "nl": "benedictus",
    },
    "john": {
        "en": "john", "bg": "йоан", "cs": "jan", "sk": "ján", "pl": "jan", "ru": "иоанн",
        "uk": "іоанн іван", "hr": "ivan", "sl": "janez", "sr": "јован jovan", "de": "johannes",
        "fr": "jean", "es": "juan", "it": "giovanni", "pt": "joão", "nl": "johannes",
    },
    "paul": {
        "en": "paul", "bg": "павел", "cs": "pavel", "sk": "pavol", "pl": "paweł", "ru": "павел",
        "uk": "павло", "hr": "pavao", "sl": "pavel", "sr": "павле pavle", "de": "paul",
        "fr": "paul", "es": "pablo", "it": "paolo", "pt": "paulo", "nl": "paulus",
    },
}

# The concepts that are persons: a name of one word is translated only when it is one of these
# (`God`: `Бог`); `Government` or `Bank` alone is not a name, and would find every government.
PERSONS = frozenset({"god", "jesus", "christ", "francis", "benedict", "john", "paul"})

# Short names that languages translate: an organisation's English initials (`EU`, `UN`) ->
# what each language writes for them, compared as written (in capitals but a word like
# `Евросоюз`). `ООН` and `ONZ` are the UN's; a Cyrillic `ЕС` is not a Latin `EC`.
_SHORT_NAMES: dict[str, str] = {
    "EU": "EU ЕС ЄС ЕУ UE Евросоюз Євросоюз Евросъюз",
    "UN": "UN ООН OSN OZN ONZ UNO ONU ОУН",
    "NATO": "NATO НАТО OTAN",
    "WHO": "WHO ВОЗ ВООЗ СЗО SZO OMS",
    "IMF": "IMF МВФ MMF MFW IWF FMI",
    "ECB": "ECB ЕЦБ ЄЦБ EZB BCE EBC",
    "EP": "EP ЕП PE",
    "OSCE": "OSCE ОБСЕ ОБСЄ ОССЕ OBSE OESS OSZE OVSE",
    "WTO": "WTO ВТО СТО SOT OMC",
}

LANGUAGES = frozenset(language for words in _WORDS.values() for language in words)
MAX_ENDING = 4  # letters a text's word may add to a concept word's stem (`-iego`)
_SHORT_STEM = 3  # a stem this short takes a case ending only (`суда`, not `Судан`)
_VOWELS = "aeiou"


def _stem(form: str) -> str:
    """A concept word's stem: its form less its final vowels, 3 letters at least."""
    stem = form.rstrip(_VOWELS)
    return stem if len(stem) >= _SHORT_STEM else form[: max(_SHORT_STEM, len(stem))]


@lru_cache(maxsize=1)
def _stems_by_language() -> dict[str, dict[str, frozenset[str]]]:
    """language -> stem -> the concepts it says; `*` holds every language's."""
    out: dict[str, dict[str, set[str]]] = {}
    for concept, by_language in _WORDS.items():
        for language, written in by_language.items():
            for word in written.split():
                stem = _stem(name_form(word))
                for key in (language, "*"):
                    out.setdefault(key, {}).setdefault(stem, set()).add(concept)
    return {language: {s: frozenset(c) for s, c in stems.items()} for language, stems in out.items()}


def _language_key(language: str | None) -> str:
    code = (language or "").split("-")[0].lower()
    return code if code in LANGUAGES else "*"


_NO_CONCEPTS: frozenset[str] = frozenset()  # one object for the many words that say none


@lru_cache(maxsize=8192)
def concepts_of_word(form: str, language: str | None) -> frozenset[str]:
    """The concepts a text's word (its `name_form`) says in the article's language: those of
    the longest stem it starts with (see the module)."""
    stems = _stems_by_language()[_language_key(language)]
    for cut in range(max(0, min(MAX_ENDING, len(form) - _SHORT_STEM)) + 1):
        stem = form[: len(form) - cut]
        concepts = stems.get(stem)
        if concepts is None:
            continue
        if len(stem) <= _SHORT_STEM and cut and form[len(stem) :] not in ALL_ENDINGS:
            continue
        return concepts
    return _NO_CONCEPTS


@lru_cache(maxsize=1)
def _english() -> dict[str, frozenset[str]]:
    """An English word's form -> the concepts it says."""
    out: dict[str, set[str]] = {}
    for concept, by_language in _WORDS.items():
        for word in by_language["en"].split():
            out.setdefault(name_form(word), set()).add(concept)
    return {form: frozenset(concepts) for form, concepts in out.items()}


def concepts_of_name_word(word: str) -> frozenset[str]:
    """The concepts a word of a watch's name (written in English) says, the word as the
    lexicon writes it: `Court` is `court`, `Curtis` nothing."""
    return _english().get(name_form(word), frozenset())


def concept_stems(concepts: frozenset[str]) -> frozenset[str]:
    """Every stem, in any language, of these concepts' words: a word that says one of them
    starts with one of these and adds at most `MAX_ENDING` letters (for the backfill's
    prefilter, monitor.watches.prefilter)."""
    return frozenset(s for s, said in _stems_by_language()["*"].items() if not said.isdisjoint(concepts))


def short_names(initials: str) -> frozenset[str]:
    """What languages write for an organisation's English initials (`EU`: `ЕС`, `UE`…)."""
    return frozenset(_SHORT_NAMES.get(initials, "").split())

