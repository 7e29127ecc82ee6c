"""The SQLite schema as numbered migrations: append, never edit a released one."""

from __future__ import annotations

from collections.abc import Callable

from monitor.store.sqliteconn import Connection

Migration = Callable[[Connection], None]


def _migration_1(db: Connection) -> None:
    """Feeds, articles (with FTS5), stories, fetch log."""
    for statement in (
        """CREATE TABLE feeds (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            name TEXT,
            language TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            interval INTEGER,
            active INTEGER NOT NULL DEFAULT 1,
            gone INTEGER NOT NULL DEFAULT 0,
            title TEXT,
            site_url TEXT,
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,
            ttl_seconds INTEGER,
            max_age_seconds INTEGER,
            retry_after TEXT,
            last_polled TEXT,
            last_success TEXT,
            last_status TEXT,
            last_http_status INTEGER,
            error_count INTEGER NOT NULL DEFAULT 0,
            last_error TEXT,
            last_error_step TEXT,
            last_error_at TEXT,
            next_due TEXT,
            created TEXT NOT NULL
        )""",
        """CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            first_seen TEXT,
            last_seen TEXT,
            headline_article_id INTEGER,
            n_articles INTEGER NOT NULL DEFAULT 0,
            n_outlets INTEGER NOT NULL DEFAULT 0,
            n_languages INTEGER NOT NULL DEFAULT 0,
            languages TEXT NOT NULL DEFAULT '[]',
            entities TEXT NOT NULL DEFAULT '[]',
            centroid BLOB,
            model TEXT,
            merged_into INTEGER REFERENCES stories(id),
            updated_at TEXT
        )""",
        """CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            guid TEXT NOT NULL,
            url TEXT,
            link TEXT,
            title TEXT NOT NULL DEFAULT '',
            text TEXT NOT NULL DEFAULT '',
            html TEXT NOT NULL DEFAULT '',
            author TEXT,
            language TEXT,
            language_source TEXT,
            published TEXT NOT NULL,
            published_estimated INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL,
            updated_at TEXT,
            content_hash TEXT NOT NULL,
            duplicate_of INTEGER REFERENCES articles(id) ON DELETE SET NULL,
            story_id INTEGER REFERENCES stories(id) ON DELETE SET NULL,
            embedding BLOB,
            embedding_model TEXT,
            UNIQUE (feed_id, guid)
        )""",
        "CREATE INDEX articles_url ON articles(url)",
        "CREATE INDEX articles_published ON articles(published)",
        "CREATE INDEX articles_story ON articles(story_id)",
        "CREATE INDEX articles_first_seen ON articles(first_seen)",
        """CREATE TABLE fetch_log (
            id INTEGER PRIMARY KEY,
            feed_id INTEGER NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
            started TEXT NOT NULL,
            duration_ms INTEGER,
            url TEXT NOT NULL,
            outcome TEXT NOT NULL,
            http_status INTEGER,
            bytes INTEGER,
            new_articles INTEGER NOT NULL DEFAULT 0,
            updated_articles INTEGER NOT NULL DEFAULT 0,
            error TEXT,
            step TEXT
        )""",
        "CREATE INDEX fetch_log_feed ON fetch_log(feed_id, started)",
        # FTS5 over title and text, kept in step by triggers; named as sqlite-utils and
        # Datasette expect (<table>_fts with content=<table>).
        """CREATE VIRTUAL TABLE articles_fts USING FTS5 (
            title, text, content=[articles], content_rowid=[id]
        )""",
        """CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END""",
        """CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        END""",
        """CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts (articles_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO articles_fts (rowid, title, text) VALUES (new.id, new.title, new.text);
        END""",
    ):
        db.execute(statement)


def _migration_2(db: Connection) -> None:
    """Digests: one row per day and recipient, its delivery state."""
    db.execute(
        """CREATE TABLE digests (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,
            recipient TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
            attempts INTEGER NOT NULL DEFAULT 0,
            due_at TEXT NOT NULL,
            next_attempt_at TEXT,
            started_at TEXT,
            sent_at TEXT,
            last_error TEXT,
            last_error_at TEXT,
            message_id TEXT,
            message TEXT,
            story_ids TEXT NOT NULL DEFAULT '[]',
            created TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            UNIQUE (day, recipient)
        )"""
    )
    db.execute("CREATE INDEX digests_state ON digests(state, next_attempt_at)")


def _migration_3(db: Connection) -> None:
    """Fetching: the URL a feed moved to, and streaks of repeated statuses and redirects."""
    for statement in (
        "ALTER TABLE feeds ADD COLUMN fetch_url TEXT",
        "ALTER TABLE feeds ADD COLUMN status_streak INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE feeds ADD COLUMN redirect_target TEXT",
        "ALTER TABLE feeds ADD COLUMN redirect_streak INTEGER NOT NULL DEFAULT 0",
    ):
        db.execute(statement)


def _migration_stories(db: Connection) -> None:
    """Stories stage: why each article joined its story, the keys behind each story."""
    for statement in (
        "ALTER TABLE articles ADD COLUMN story_similarity REAL",
        "ALTER TABLE articles ADD COLUMN story_score REAL",
        "ALTER TABLE articles ADD COLUMN story_shared_keys INTEGER",
        "ALTER TABLE articles ADD COLUMN story_gap_hours REAL",
        "ALTER TABLE articles ADD COLUMN story_reason TEXT",
        # name/number keys of a story's articles with their counts (JSON object), so the
        # assigner can be rebuilt from the database after a restart
        "ALTER TABLE stories ADD COLUMN keys TEXT NOT NULL DEFAULT '{}'",
        "CREATE INDEX articles_unassigned ON articles(published, id) WHERE story_id IS NULL",
        "CREATE INDEX stories_live ON stories(model, last_seen) WHERE merged_into IS NULL",
    ):
        db.execute(statement)


def _migration_minhash(db: Connection) -> None:
    """Each assigned article's MinHash signature, so that a new process rebuilds the copy
    index of the window from 0.5 KB per article instead of shingling every text again."""
    db.execute("ALTER TABLE articles ADD COLUMN minhash BLOB")


def _migration_threads(db: Connection) -> None:
    """Threads: a story that continues an earlier one (a later development of the same subject)
    shares its thread; `thread_id` is the id of the thread's first story, NULL for a story
    alone."""
    for statement in (
        "ALTER TABLE stories ADD COLUMN thread_id INTEGER",
        "CREATE INDEX stories_thread ON stories(thread_id) WHERE thread_id IS NOT NULL",
    ):
        db.execute(statement)


def _migration_watches(db: Connection) -> None:
    """Watches: their definitions, their matches, the articles waiting to be matched, the
    alerts sent per story, and an outbox of deliveries (webhooks, mails)."""
    for statement in (
        """CREATE TABLE watches (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            fingerprint TEXT NOT NULL,
            definition TEXT NOT NULL,
            backfilled TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            removed_at TEXT
        )""",
        """CREATE TABLE watch_matches (
            watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            story_id INTEGER,
            published TEXT NOT NULL,
            why TEXT NOT NULL DEFAULT '{}',
            similarity REAL,
            backfill INTEGER NOT NULL DEFAULT 0,
            matched_at TEXT NOT NULL,
            PRIMARY KEY (watch_id, article_id)
        )""",
        "CREATE INDEX watch_matches_published ON watch_matches(watch_id, published)",
        "CREATE INDEX watch_matches_article ON watch_matches(article_id)",
        # Articles the stories stage placed (or whose content changed) and no watch has seen.
        """CREATE TABLE watch_pending (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
        )""",
        """CREATE TRIGGER watch_pending_assigned AFTER UPDATE OF story_id ON articles
            WHEN new.story_id IS NOT NULL AND old.story_id IS NULL BEGIN
            INSERT OR IGNORE INTO watch_pending (article_id) VALUES (new.id);
        END""",
        """CREATE TRIGGER watch_pending_changed AFTER UPDATE OF content_hash ON articles
            WHEN new.story_id IS NOT NULL AND new.content_hash IS NOT old.content_hash BEGIN
            INSERT OR IGNORE INTO watch_pending (article_id) VALUES (new.id);
        END""",
        # One row per (watch, story, channel, target) alerted, with the story's size then, so
        # that a story is alerted again only when it grows materially.
        """CREATE TABLE watch_alerts (
            watch_id INTEGER NOT NULL REFERENCES watches(id) ON DELETE CASCADE,
            story_id INTEGER NOT NULL,
            channel TEXT NOT NULL,
            target TEXT NOT NULL,
            languages TEXT NOT NULL DEFAULT '[]',
            outlets INTEGER NOT NULL DEFAULT 0,
            alerted_at TEXT NOT NULL,
            PRIMARY KEY (watch_id, story_id, channel, target)
        )""",
        """CREATE TABLE outbox (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            target TEXT NOT NULL,
            watch_id INTEGER REFERENCES watches(id) ON DELETE SET NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            payload TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed')),
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            next_attempt_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            started_at TEXT,
            sent_at TEXT,
            last_error TEXT
        )""",
        "CREATE INDEX outbox_due ON outbox(state, next_attempt_at)",
    ):
        db.execute(statement)


def _migration_story_titles(db: Connection) -> None:
    """The signatures of each story's first titles (JSON), so that a restart checks look-alike
    headlines (the weather of another city) as an uninterrupted run does."""
    db.execute("ALTER TABLE stories ADD COLUMN titles TEXT NOT NULL DEFAULT '[]'")


def _migration_digest_days(db: Connection) -> None:
    """A digest's `day` is now the calendar day it covers (it used to be the day it was due,
    covering the 24 hours before `time` on it). Stored rows are relabelled one day back, so
    that a digest already sent is not sent again under its new name, and none is skipped."""
    days = [row[0] for row in db.execute("SELECT DISTINCT day FROM digests ORDER BY day").fetchall()]
    for day in days:  # oldest first: a row never lands on a day still taken by another
        db.execute("UPDATE digests SET day = date(day, '-1 day') WHERE day = ?", [day])


def _migration_stories_version(db: Connection) -> None:
    """A counter of the stories stage's writes: how a stage process sees that another one
    assigned articles, without counting the assigned articles (a full count at every run)."""
    db.execute(
        "CREATE TABLE stories_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL)"
    )
    db.execute("INSERT INTO stories_version (id, version) VALUES (1, 0)")


def _migration_feed_window(db: Connection) -> None:
    """What a feed's last read body listed (items, dated items, their distinct times, the
    oldest date): the pace its next poll time follows, kept for the polls that bring no new
    body (a 304)."""
    for statement in (
        "ALTER TABLE feeds ADD COLUMN listed_items INTEGER",
        "ALTER TABLE feeds ADD COLUMN dated_items INTEGER",
        "ALTER TABLE feeds ADD COLUMN dated_times INTEGER",
        "ALTER TABLE feeds ADD COLUMN oldest_item TEXT",
    ):
        db.execute(statement)


_DIGEST_COLUMNS = (
    "id, day, recipient, state, attempts, due_at, next_attempt_at, started_at, sent_at, last_error, "
    "last_error_at, message_id, message, story_ids, created, updated_at"
)
_OUTBOX_COLUMNS = (
    "id, channel, target, watch_id, idempotency_key, payload, state, attempts, created_at, "
    "next_attempt_at, expires_at, started_at, sent_at, last_error"
)


def _migration_unknown_outcomes(db: Connection) -> None:
    """Mail whose final dot reached the server with no reply after it: `data_sent_at` (set
    just before the dot) and the state 'unknown', in digests and the outbox, so that such a
    mail is never sent again unless a person decides. SQLite cannot change a CHECK: both
    tables are rebuilt (nothing refers to them)."""
    for statement in (
        """CREATE TABLE digests_new (
            id INTEGER PRIMARY KEY,
            day TEXT NOT NULL,
            recipient TEXT NOT NULL,
            state TEXT NOT NULL
                CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'skipped', 'unknown')),
            attempts INTEGER NOT NULL DEFAULT 0,
            due_at TEXT NOT NULL,
            next_attempt_at TEXT,
            started_at TEXT,
            sent_at TEXT,
            last_error TEXT,
            last_error_at TEXT,
            message_id TEXT,
            message TEXT,
            story_ids TEXT NOT NULL DEFAULT '[]',
            created TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            data_sent_at TEXT,
            UNIQUE (day, recipient)
        )""",
        f"INSERT INTO digests_new ({_DIGEST_COLUMNS}) SELECT {_DIGEST_COLUMNS} FROM digests",
        "DROP TABLE digests",
        "ALTER TABLE digests_new RENAME TO digests",
        "CREATE INDEX digests_state ON digests(state, next_attempt_at)",
        """CREATE TABLE outbox_new (
            id INTEGER PRIMARY KEY,
            channel TEXT NOT NULL,
            target TEXT NOT NULL,
            watch_id INTEGER REFERENCES watches(id) ON DELETE SET NULL,
            idempotency_key TEXT NOT NULL UNIQUE,
            payload TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'sent', 'failed', 'unknown')),
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            next_attempt_at TEXT NOT NULL,
            expires_at TEXT NOT NULL,
            started_at TEXT,
            sent_at TEXT,
            last_error TEXT,
            data_sent_at TEXT
        )""",
        f"INSERT INTO outbox_new ({_OUTBOX_COLUMNS}) SELECT {_OUTBOX_COLUMNS} FROM outbox",
        "DROP TABLE outbox",
        "ALTER TABLE outbox_new RENAME TO outbox",
        "CREATE INDEX outbox_due ON outbox(state, next_attempt_at)",
    ):
        db.execute(statement)


def _migration_article_names(db: Connection) -> None:
    """The people and organisations each article names (monitor.entities.names): one row per
    entity, with its key (the same in every script), its fullest spelling and its variants;
    and the articles waiting for the names stage: every article once (the store adds a new
    one, so that a copy of the database does not), and again when its title or text changes."""
    for statement in (
        """CREATE TABLE article_names (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            key TEXT NOT NULL,
            name TEXT NOT NULL,
            variants TEXT NOT NULL DEFAULT '[]',
            mentions INTEGER NOT NULL DEFAULT 1,
            PRIMARY KEY (article_id, key)
        )""",
        "CREATE INDEX article_names_key ON article_names(key)",
        """CREATE TABLE names_pending (
            article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
        )""",
        """CREATE TRIGGER names_pending_changed AFTER UPDATE OF title, text ON articles
            WHEN new.title IS NOT old.title OR new.text IS NOT old.text BEGIN
            INSERT OR IGNORE INTO names_pending (article_id) VALUES (new.id);
        END""",
        "INSERT INTO names_pending (article_id) SELECT id FROM articles",
    ):
        db.execute(statement)


def _migration_breaking(db: Connection) -> None:
    """Breaking stories: when a story was flagged (publication time) and why, each open
    story's outlets and languages with the time each first appeared, and the baseline the
    stage learned (in the stage's own row), so that a restart flags as no restart would."""
    for statement in (
        "ALTER TABLE stories ADD COLUMN breaking_at TEXT",
        "ALTER TABLE stories ADD COLUMN breaking_why TEXT",
        "ALTER TABLE stories ADD COLUMN coverage TEXT",
        "CREATE INDEX stories_breaking ON stories(breaking_at) WHERE breaking_at IS NOT NULL",
        "ALTER TABLE stories_version ADD COLUMN breaking_baseline TEXT",
        # Rising names read the stories of the last 16 days by first report.
        "CREATE INDEX stories_first_seen ON stories(first_seen) WHERE merged_into IS NULL",
    ):
        db.execute(statement)


def _migration_language_means(db: Connection) -> None:
    """The stories stage's running mean vector per language and model (the overall one keyed
    ''): part of its state, so that a restart decides as a run without one would."""
    db.execute(
        "CREATE TABLE language_means (model TEXT NOT NULL, language TEXT NOT NULL, "
        "n_articles INTEGER NOT NULL, vector_sum BLOB NOT NULL, PRIMARY KEY (model, language))"
    )


def _migration_page_text(db: Connection) -> None:
    """Full text of teaser feeds: where an article's text comes from ('feed' or 'page'), the
    state of its page ('pending', 'done', 'failed'; NULL when none is wanted), why it failed,
    and the page's canonical URL (for deduplication)."""
    for statement in (
        "ALTER TABLE articles ADD COLUMN text_source TEXT NOT NULL DEFAULT 'feed'",
        "ALTER TABLE articles ADD COLUMN page_state TEXT",
        "ALTER TABLE articles ADD COLUMN page_error TEXT",
        "ALTER TABLE articles ADD COLUMN canonical_url TEXT",
        "CREATE INDEX articles_canonical_url ON articles(canonical_url) WHERE canonical_url IS NOT NULL",
        "CREATE INDEX articles_page_pending ON articles(feed_id, id) WHERE page_state = 'pending'",
    ):
        db.execute(statement)


def _migration_places(db: Connection) -> None:
    """Each article's places (monitor.entities): the list as JSON on the article (NULL until
    the places stage has read it, and again when its title or text changes), and one row per
    place with its country, for the country filters."""
    for statement in (
        "ALTER TABLE articles ADD COLUMN places TEXT",
        "CREATE INDEX articles_unplaced ON articles(id) WHERE places IS NULL",
        """CREATE TABLE article_places (
            article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            geonameid INTEGER NOT NULL,
            country TEXT NOT NULL,
            PRIMARY KEY (article_id, geonameid)
        )""",
        "CREATE INDEX article_places_country ON article_places(country, article_id)",
        """CREATE TRIGGER articles_places_stale AFTER UPDATE OF title, text ON articles
            WHEN new.places IS NOT NULL AND (old.title IS NOT new.title OR old.text IS NOT new.text)
            BEGIN UPDATE articles SET places = NULL WHERE id = new.id; END""",
    ):
        db.execute(statement)


# The terms of a story that rising trends count (monitor.watches.rising): its key names
# (stories.entities), and the countries and the places (GeoNames ids) of its articles' places,
# by the day of its first report. Kept by triggers as the stories stage and the places stage
# write. Each place row gives two terms: kind 'country' (its country) and 'place' (its id).
_PLACE_KINDS = "(SELECT 'country' AS kind UNION ALL SELECT 'place')"
_PLACE_TERM = "CASE k.kind WHEN 'country' THEN p.country ELSE CAST(p.geonameid AS TEXT) END"
_STORY_NAMES_SQL = (
    "SELECT new.id, 'name', j.value, substr(new.first_seen, 1, 10), new.first_seen "
    "FROM json_each(CASE WHEN json_valid(new.entities) THEN new.entities ELSE '[]' END) j "
    "WHERE new.merged_into IS NULL AND new.first_seen IS NOT NULL AND j.type = 'text'"
)
_STORY_COUNTRIES_SQL = (
    f"SELECT DISTINCT new.id, k.kind, {_PLACE_TERM}, substr(new.first_seen, 1, 10), new.first_seen "
    f"FROM articles a JOIN article_places p ON p.article_id = a.id, {_PLACE_KINDS} k "
    "WHERE a.story_id = new.id AND new.merged_into IS NULL AND new.first_seen IS NOT NULL"
)


def _migration_trend_terms(db: Connection) -> None:
    """Rising names and countries without reading every story of 16 days at each request: one
    row per (story, kind, term) with the story's first report (`story_terms`), and how many
    stories named each term per UTC day (`term_days`), both kept by triggers (on stories, on
    articles changing story, on article_places), filled here from what is stored."""
    for statement in (
        """CREATE TABLE story_terms (
            story_id INTEGER NOT NULL,
            kind TEXT NOT NULL,
            term TEXT NOT NULL,
            day TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            PRIMARY KEY (story_id, kind, term)
        )""",
        "CREATE INDEX story_terms_first_seen ON story_terms(kind, first_seen)",
        """CREATE TABLE term_days (
            kind TEXT NOT NULL,
            day TEXT NOT NULL,
            term TEXT NOT NULL,
            stories INTEGER NOT NULL,
            PRIMARY KEY (kind, day, term)
        ) WITHOUT ROWID""",
        """CREATE TRIGGER story_terms_added AFTER INSERT ON story_terms BEGIN
            INSERT INTO term_days (kind, day, term, stories) VALUES (new.kind, new.day, new.term, 1)
            ON CONFLICT (kind, day, term) DO UPDATE SET stories = stories + 1;
        END""",
        """CREATE TRIGGER story_terms_removed AFTER DELETE ON story_terms BEGIN
            UPDATE term_days SET stories = stories - 1
            WHERE kind = old.kind AND day = old.day AND term = old.term;
            DELETE FROM term_days WHERE kind = old.kind AND day = old.day AND term = old.term
            AND stories <= 0;
        END""",
        """CREATE TRIGGER story_terms_moved AFTER UPDATE OF day ON story_terms
            WHEN old.day IS NOT new.day BEGIN
            UPDATE term_days SET stories = stories - 1
            WHERE kind = old.kind AND day = old.day AND term = old.term;
            DELETE FROM term_days WHERE kind = old.kind AND day = old.day AND term = old.term
            AND stories <= 0;
            INSERT INTO term_days (kind, day, term, stories) VALUES (new.kind, new.day, new.term, 1)
            ON CONFLICT (kind, day, term) DO UPDATE SET stories = stories + 1;
        END""",
        f"""CREATE TRIGGER stories_terms_inserted AFTER INSERT ON stories
            WHEN new.first_seen IS NOT NULL AND new.merged_into IS NULL BEGIN
            INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen) {_STORY_NAMES_SQL};
            INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen) {_STORY_COUNTRIES_SQL};
        END""",
        f"""CREATE TRIGGER stories_terms_updated AFTER UPDATE OF entities, first_seen, merged_into ON stories
            WHEN old.entities IS NOT new.entities OR old.first_seen IS NOT new.first_seen
            OR old.merged_into IS NOT new.merged_into BEGIN
            DELETE FROM story_terms WHERE story_id = new.id
            AND (new.merged_into IS NOT NULL OR new.first_seen IS NULL);
            DELETE FROM story_terms WHERE story_id = new.id AND kind = 'name' AND term NOT IN (
                SELECT j.value FROM json_each(
                    CASE WHEN json_valid(new.entities) THEN new.entities ELSE '[]' END) j);
            UPDATE story_terms SET day = substr(new.first_seen, 1, 10), first_seen = new.first_seen
            WHERE story_id = new.id AND first_seen IS NOT new.first_seen;
            INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen) {_STORY_NAMES_SQL};
            INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen)
            SELECT * FROM ({_STORY_COUNTRIES_SQL}) WHERE old.first_seen IS NOT new.first_seen
            OR old.merged_into IS NOT new.merged_into;
        END""",
        """CREATE TRIGGER stories_terms_deleted AFTER DELETE ON stories BEGIN
            DELETE FROM story_terms WHERE story_id = old.id;
        END""",
        # An article's places count for its story (live, with a first report) ...
        """CREATE TRIGGER article_places_terms_added AFTER INSERT ON article_places BEGIN
            INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen)
            SELECT s.id, 'country', new.country, substr(s.first_seen, 1, 10), s.first_seen
            FROM articles a JOIN stories s ON s.id = a.story_id
            WHERE a.id = new.article_id AND s.merged_into IS NULL AND s.first_seen IS NOT NULL
            UNION ALL
            SELECT s.id, 'place', CAST(new.geonameid AS TEXT), substr(s.first_seen, 1, 10), s.first_seen
            FROM articles a JOIN stories s ON s.id = a.story_id
            WHERE a.id = new.article_id AND s.merged_into IS NULL AND s.first_seen IS NOT NULL;
        END""",
        # ... until no article of the story names that country (or place) any more.
        """CREATE TRIGGER article_places_terms_removed AFTER DELETE ON article_places BEGIN
            DELETE FROM story_terms WHERE kind = 'country' AND term = old.country
            AND story_id = (SELECT story_id FROM articles WHERE id = old.article_id)
            AND NOT EXISTS (SELECT 1 FROM articles b JOIN article_places q ON q.article_id = b.id
                WHERE b.story_id = story_terms.story_id AND q.country = old.country);
            DELETE FROM story_terms WHERE kind = 'place' AND term = CAST(old.geonameid AS TEXT)
            AND story_id = (SELECT story_id FROM articles WHERE id = old.article_id)
            AND NOT EXISTS (SELECT 1 FROM articles b JOIN article_places q ON q.article_id = b.id
                WHERE b.story_id = story_terms.story_id AND q.geonameid = old.geonameid);
        END""",
        f"""CREATE TRIGGER articles_story_terms AFTER UPDATE OF story_id ON articles
            WHEN old.story_id IS NOT new.story_id BEGIN
            DELETE FROM story_terms WHERE story_id = old.story_id AND kind = 'country'
            AND term IN (SELECT country FROM article_places WHERE article_id = new.id)
            AND NOT EXISTS (SELECT 1 FROM articles b JOIN article_places q ON q.article_id = b.id
                WHERE b.story_id = old.story_id AND q.country = story_terms.term);
            DELETE FROM story_terms WHERE story_id = old.story_id AND kind = 'place'
            AND term IN (SELECT CAST(geonameid AS TEXT) FROM article_places WHERE article_id = new.id)
            AND NOT EXISTS (SELECT 1 FROM articles b JOIN article_places q ON q.article_id = b.id
                WHERE b.story_id = old.story_id AND CAST(q.geonameid AS TEXT) = story_terms.term);
            INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen)
            SELECT DISTINCT s.id, k.kind, {_PLACE_TERM}, substr(s.first_seen, 1, 10), s.first_seen
            FROM article_places p JOIN stories s ON s.id = new.story_id, {_PLACE_KINDS} k
            WHERE p.article_id = new.id AND s.merged_into IS NULL AND s.first_seen IS NOT NULL;
        END""",
        "INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen) "
        + _STORY_NAMES_SQL.replace("new.", "s.").replace("FROM json_each", "FROM stories s, json_each"),
        "INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen) "
        f"SELECT DISTINCT s.id, k.kind, {_PLACE_TERM}, substr(s.first_seen, 1, 10), s.first_seen "
        "FROM stories s JOIN articles a ON a.story_id = s.id JOIN article_places p ON p.article_id = a.id, "
        f"{_PLACE_KINDS} k WHERE s.merged_into IS NULL AND s.first_seen IS NOT NULL",
    ):
        db.execute(statement)


# Since _migration_trend_names: a story names the people and organisations its articles name
# (article_names, monitor.entities.names), by their key (the same in every spelling and
# script), no longer the stories' 4-letter key names (evidence for clustering, not identities).
_ARTICLE_NAMES_SQL = (
    "SELECT DISTINCT new.id, 'name', n.key, substr(new.first_seen, 1, 10), new.first_seen "
    "FROM articles a JOIN article_names n ON n.article_id = a.id "
    "WHERE a.story_id = new.id AND new.merged_into IS NULL AND new.first_seen IS NOT NULL"
)


def _migration_trend_names(db: Connection) -> None:
    """Rising names from the recognised names of a story's articles: the story triggers no
    longer read `stories.entities`; triggers on article_names (added, removed) and on an
    article changing story keep the 'name' terms; those stored are rebuilt from article_names."""
    for statement in (
        "DROP TRIGGER stories_terms_inserted",
        "DROP TRIGGER stories_terms_updated",
        f"""CREATE TRIGGER stories_terms_inserted AFTER INSERT ON stories
            WHEN new.first_seen IS NOT NULL AND new.merged_into IS NULL BEGIN
            INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen) {_ARTICLE_NAMES_SQL};
            INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen) {_STORY_COUNTRIES_SQL};
        END""",
        f"""CREATE TRIGGER stories_terms_updated AFTER UPDATE OF first_seen, merged_into ON stories
            WHEN old.first_seen IS NOT new.first_seen OR old.merged_into IS NOT new.merged_into BEGIN
            DELETE FROM story_terms WHERE story_id = new.id
            AND (new.merged_into IS NOT NULL OR new.first_seen IS NULL);
            UPDATE story_terms SET day = substr(new.first_seen, 1, 10), first_seen = new.first_seen
            WHERE story_id = new.id AND first_seen IS NOT new.first_seen;
            INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen) {_ARTICLE_NAMES_SQL};
            INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen) {_STORY_COUNTRIES_SQL};
        END""",
        # An article's names count for its story (live, with a first report) ...
        """CREATE TRIGGER article_names_terms_added AFTER INSERT ON article_names BEGIN
            INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen)
            SELECT s.id, 'name', new.key, substr(s.first_seen, 1, 10), s.first_seen
            FROM articles a JOIN stories s ON s.id = a.story_id
            WHERE a.id = new.article_id AND s.merged_into IS NULL AND s.first_seen IS NOT NULL;
        END""",
        # ... until no article of the story names them any more.
        """CREATE TRIGGER article_names_terms_removed AFTER DELETE ON article_names BEGIN
            DELETE FROM story_terms WHERE kind = 'name' AND term = old.key
            AND story_id = (SELECT story_id FROM articles WHERE id = old.article_id)
            AND NOT EXISTS (SELECT 1 FROM articles b JOIN article_names q ON q.article_id = b.id
                WHERE b.story_id = story_terms.story_id AND q.key = old.key);
        END""",
        """CREATE TRIGGER articles_story_names AFTER UPDATE OF story_id ON articles
            WHEN old.story_id IS NOT new.story_id BEGIN
            DELETE FROM story_terms WHERE story_id = old.story_id AND kind = 'name'
            AND term IN (SELECT key FROM article_names WHERE article_id = new.id)
            AND NOT EXISTS (SELECT 1 FROM articles b JOIN article_names q ON q.article_id = b.id
                WHERE b.story_id = old.story_id AND q.key = story_terms.term);
            INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen)
            SELECT s.id, 'name', n.key, substr(s.first_seen, 1, 10), s.first_seen
            FROM article_names n JOIN stories s ON s.id = new.story_id
            WHERE n.article_id = new.id AND s.merged_into IS NULL AND s.first_seen IS NOT NULL;
        END""",
        "DELETE FROM story_terms WHERE kind = 'name'",
        "INSERT OR IGNORE INTO story_terms (story_id, kind, term, day, first_seen) "
        "SELECT DISTINCT s.id, 'name', n.key, substr(s.first_seen, 1, 10), s.first_seen "
        "FROM stories s JOIN articles a ON a.story_id = s.id JOIN article_names n ON n.article_id = a.id "
        "WHERE s.merged_into IS NULL AND s.first_seen IS NOT NULL",
    ):
        db.execute(statement)


def _migration_story_countries(db: Connection) -> None:
    """Each story's countries kept (`story_countries`, in order), so that /places and the
    country filters read them rather than every article of the week's stories. The rule is
    Python's (monitor.entities.countries): triggers only count changes on the story
    (`countries_dirty`, a version; 0 when the rows are up to date) when an article of it gains
    or loses places or joins or leaves it, and the stages write the rows again. Every story
    stored before starts out of date."""
    for statement in (
        "ALTER TABLE stories ADD COLUMN countries_dirty INTEGER NOT NULL DEFAULT 1",
        "CREATE INDEX stories_countries_dirty ON stories(id) WHERE countries_dirty > 0",
        """CREATE TABLE story_countries (
            story_id INTEGER NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
            country TEXT NOT NULL,
            rank INTEGER NOT NULL,
            PRIMARY KEY (story_id, country)
        )""",
        "CREATE INDEX story_countries_country ON story_countries(country, story_id)",
        """CREATE TRIGGER article_places_story_added AFTER INSERT ON article_places BEGIN
            UPDATE stories SET countries_dirty = countries_dirty + 1
            WHERE id = (SELECT story_id FROM articles WHERE id = new.article_id);
        END""",
        """CREATE TRIGGER article_places_story_removed AFTER DELETE ON article_places BEGIN
            UPDATE stories SET countries_dirty = countries_dirty + 1
            WHERE id = (SELECT story_id FROM articles WHERE id = old.article_id);
        END""",
        """CREATE TRIGGER articles_story_countries AFTER UPDATE OF story_id ON articles
            WHEN old.story_id IS NOT new.story_id BEGIN
            UPDATE stories SET countries_dirty = countries_dirty + 1
            WHERE id IN (old.story_id, new.story_id);
        END""",
        """CREATE TRIGGER articles_deleted_story_countries AFTER DELETE ON articles
            WHEN old.story_id IS NOT NULL BEGIN
            UPDATE stories SET countries_dirty = countries_dirty + 1 WHERE id = old.story_id;
        END""",
    ):
        db.execute(statement)


def _migration_page_retry(db: Connection) -> None:
    """A page whose host asked to wait (429 or 503 with Retry-After) is read again later:
    page_state 'waiting' until `page_retry_at`, and how many times the page was tried."""
    for statement in (
        "ALTER TABLE articles ADD COLUMN page_retry_at TEXT",
        "ALTER TABLE articles ADD COLUMN page_attempts INTEGER NOT NULL DEFAULT 0",
        "CREATE INDEX articles_page_waiting ON articles(feed_id, page_retry_at) WHERE page_state = 'waiting'",
    ):
        db.execute(statement)


def _migration_decision_order(db: Connection) -> None:
    """Articles waiting for a story in the order the stage decides them (publication time,
    content hash, GUID; the id last), so that a batch's LIMIT cuts them where it would
    whatever order they were stored in (monitor.stories.order)."""
    db.execute("DROP INDEX articles_unassigned")
    db.execute(
        "CREATE INDEX articles_unassigned ON articles(published, content_hash, guid, id) "
        "WHERE story_id IS NULL"
    )


# Numbered migrations: append, never edit a released one. Version N = MIGRATIONS[N-1].
MIGRATIONS: list[Migration] = [
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_stories,
    _migration_minhash,
    _migration_threads,
    _migration_watches,
    _migration_story_titles,
    _migration_digest_days,
    _migration_stories_version,
    _migration_feed_window,
    _migration_unknown_outcomes,
    _migration_article_names,
    _migration_breaking,
    _migration_language_means,
    _migration_page_text,
    _migration_places,
    _migration_trend_terms,
    _migration_trend_names,
    _migration_story_countries,
    _migration_page_retry,
    _migration_decision_order,
]

SCHEMA_VERSION = len(MIGRATIONS)
