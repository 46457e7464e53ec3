#include "core/storage/sqlite_storage.h"

#include <cmath>
#include <filesystem>
#include <sqlite3.h>

namespace ps {

namespace {

constexpr const char* kTrialColumns =
    "id, study_id, number, state, params, value, values_json, fail_reason, worker, attempts, "
    "created_at, started_at, finished_at, heartbeat_at, rev, system, resume_step, retry_of";
constexpr const char* kStudyColumns =
    "id, name, study_file, config, objective_metric, direction, planned_trials, control, "
    "orchestrator, orchestrator_heartbeat, created_at";
// The next revision of a study's trials, evaluated inside the write transaction: every
// change to a trial gets a revision above all earlier ones of its study, which is what lets
// readers fetch only what changed.
constexpr const char* kNextRev =
    "(SELECT COALESCE(MAX(r.rev), 0) + 1 FROM trials r WHERE r.study_id = ";

// "UPDATE trials SET <set>, rev = <next revision> WHERE <where>": every change to a trial row
// bumps its revision, which is what incremental readers rely on.
std::string updateTrialSql(const std::string& set, const std::string& where) {
    return "UPDATE trials SET " + set + ", rev = " + kNextRev + "trials.study_id) WHERE " + where;
}

// A prepared statement with typed binds and reads; finalized on destruction.
class Stmt {
public:
    Stmt(sqlite3* db, const std::string& sql, const std::string& storePath) : m_db(db) {
        if (sqlite3_prepare_v2(db, sql.c_str(), -1, &m_stmt, nullptr) != SQLITE_OK)
            throw StorageError(storePath + ": " + sqlite3_errmsg(db) + " in: " + sql);
        m_path = storePath;
    }
    ~Stmt() { sqlite3_finalize(m_stmt); }
    Stmt(const Stmt&) = delete;
    Stmt& operator=(const Stmt&) = delete;

    Stmt& bind(int i, std::int64_t v) {
        sqlite3_bind_int64(m_stmt, i, v);
        return *this;
    }
    Stmt& bind(int i, int v) { return bind(i, static_cast<std::int64_t>(v)); }
    Stmt& bind(int i, double v) {
        if (std::isfinite(v))
            sqlite3_bind_double(m_stmt, i, v);
        else
            sqlite3_bind_null(m_stmt, i);
        return *this;
    }
    Stmt& bind(int i, std::optional<double> v) {
        if (v && std::isfinite(*v))
            sqlite3_bind_double(m_stmt, i, *v);
        else
            sqlite3_bind_null(m_stmt, i);
        return *this;
    }
    Stmt& bind(int i, const std::string& v) {
        sqlite3_bind_text(m_stmt, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
        return *this;
    }
    Stmt& bind(int i, std::string_view v) { return bind(i, std::string(v)); }
    Stmt& bind(int i, const char* v) { return bind(i, std::string(v)); }

    // True while there is a row.
    bool step() {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc == SQLITE_DONE)
            return false;
        throw StorageError(m_path + ": " + sqlite3_errmsg(m_db));
    }
    void run() {
        while (step()) {
        }
    }
    void reset() {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }

    std::int64_t i64(int c) const { return sqlite3_column_int64(m_stmt, c); }
    double real(int c) const {
        return sqlite3_column_type(m_stmt, c) == SQLITE_NULL ? NAN
                                                             : sqlite3_column_double(m_stmt, c);
    }
    bool isNull(int c) const { return sqlite3_column_type(m_stmt, c) == SQLITE_NULL; }
    std::string text(int c) const {
        const auto* p = sqlite3_column_text(m_stmt, c);
        return p ? std::string(reinterpret_cast<const char*>(p),
                               static_cast<std::size_t>(sqlite3_column_bytes(m_stmt, c)))
                 : std::string();
    }

private:
    sqlite3* m_db;
    sqlite3_stmt* m_stmt = nullptr;
    std::string m_path;
};

Trial readTrial(const Stmt& s) {
    Trial t;
    t.id = s.i64(0);
    t.studyId = s.i64(1);
    t.number = static_cast<int>(s.i64(2));
    t.state = trialStateFromString(s.text(3));
    t.params = Json::parse(s.text(4));
    if (!s.isNull(5))
        t.value = s.real(5);
    if (!s.isNull(6)) {
        const Json values = Json::parse(s.text(6)); // items() must not outlive its object
        for (const auto& [k, v] : values.items())
            t.values[k] = v.is_number() ? v.get<double>() : NAN;
    }
    t.failReason = s.text(7);
    t.worker = s.text(8);
    t.attempts = static_cast<int>(s.i64(9));
    t.createdAt = s.real(10);
    t.startedAt = s.isNull(11) ? 0 : s.real(11);
    t.finishedAt = s.isNull(12) ? 0 : s.real(12);
    t.heartbeatAt = s.isNull(13) ? 0 : s.real(13);
    t.rev = s.i64(14);
    t.system = Json::parse(s.text(15));
    t.resumeStep = s.i64(16);
    if (!s.isNull(17))
        t.retryOf = static_cast<int>(s.i64(17));
    return t;
}

StudyRecord readStudy(const Stmt& s) {
    StudyRecord r;
    r.id = s.i64(0);
    r.name = s.text(1);
    r.studyFile = s.text(2);
    r.configText = s.text(3);
    r.objectiveMetric = s.text(4);
    r.direction = s.text(5) == "maximize" ? Direction::Maximize : Direction::Minimize;
    r.plannedTrials = static_cast<int>(s.i64(6));
    // Lenient: the column's CHECK admits only known values, and a reader must never fail
    // on a study for its control alone.
    const std::string control = s.text(7);
    r.control = control == "stop"    ? StudyControl::Stop
                : control == "pause" ? StudyControl::Pause
                                     : StudyControl::Run;
    r.orchestrator = s.text(8);
    r.orchestratorHeartbeat = s.isNull(9) ? 0 : s.real(9);
    r.createdAt = s.real(10);
    return r;
}

MetricPoint readMetric(const Stmt& s) {
    MetricPoint m;
    m.seq = s.i64(0);
    m.trialId = s.i64(1);
    m.attempt = static_cast<int>(s.i64(2));
    m.step = s.i64(3);
    m.name = s.text(4);
    m.value = s.real(5);
    return m;
}

constexpr const char* kAnalysisColumns =
    "id, study_id, kind, input_hash, inputs, state, result, error, worker, created_at, "
    "started_at, finished_at, heartbeat_at";

AnalysisState analysisState(const std::string& text) {
    if (text == "RUNNING")
        return AnalysisState::Running;
    if (text == "DONE")
        return AnalysisState::Done;
    if (text == "FAIL")
        return AnalysisState::Fail;
    return AnalysisState::Waiting;
}

AnalysisRecord readAnalysis(const Stmt& s) {
    AnalysisRecord r;
    r.id = s.i64(0);
    r.studyId = s.i64(1);
    r.kind = s.text(2);
    r.inputHash = s.text(3);
    r.inputs = Json::parse(s.text(4), nullptr, false);
    r.state = analysisState(s.text(5));
    if (!s.isNull(6))
        r.result = Json::parse(s.text(6), nullptr, false);
    r.error = s.text(7);
    r.worker = s.text(8);
    r.createdAt = s.real(9);
    r.startedAt = s.isNull(10) ? 0 : s.real(10);
    r.finishedAt = s.isNull(11) ? 0 : s.real(11);
    r.heartbeatAt = s.isNull(12) ? 0 : s.real(12);
    return r;
}

std::string valuesJson(const std::map<std::string, double>& values) {
    Json j = Json::object();
    for (const auto& [k, v] : values)
        j[k] = std::isfinite(v) ? Json(v) : Json(nullptr);
    return j.dump();
}

} // namespace

// BEGIN IMMEDIATE takes the write lock up front, so two writers never deadlock upgrading
// read locks; the busy timeout makes the second one wait instead of failing.
class SqliteStorage::Transaction {
public:
    explicit Transaction(SqliteStorage& s) : m_s(s) { m_s.exec("BEGIN IMMEDIATE"); }
    ~Transaction() {
        if (!m_done)
            sqlite3_exec(m_s.m_db, "ROLLBACK", nullptr, nullptr, nullptr);
    }
    void commit() {
        m_s.exec("COMMIT");
        m_done = true;
    }

private:
    SqliteStorage& m_s;
    bool m_done = false;
};

SqliteStorage::SqliteStorage(std::string path) : m_path(std::move(path)) {
    const auto parent = std::filesystem::path(m_path).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec))
        throw StorageError("cannot open storage " + m_path + ": folder " + parent.string() +
                           " does not exist");
    const int rc =
        sqlite3_open_v2(m_path.c_str(), &m_db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        const std::string msg = m_db ? sqlite3_errmsg(m_db) : "out of memory";
        sqlite3_close(m_db);
        m_db = nullptr;
        throw StorageError("cannot open storage " + m_path + ": " + msg);
    }
    sqlite3_busy_timeout(m_db, 30000);
    try {
        exec("PRAGMA journal_mode=WAL");
        exec("PRAGMA synchronous=NORMAL");
        // After the migration: rebuilding a referenced table needs foreign keys off, and the
        // pragma does nothing inside the migration's transaction.
        migrate();
        exec("PRAGMA foreign_keys=ON");
    } catch (...) {
        sqlite3_close(m_db);
        m_db = nullptr;
        throw;
    }
}

SqliteStorage::~SqliteStorage() {
    sqlite3_close(m_db);
}

void SqliteStorage::fail(const std::string& what) const {
    throw StorageError(m_path + ": " + what + ": " + sqlite3_errmsg(m_db));
}

void SqliteStorage::exec(const char* sql) {
    char* err = nullptr;
    if (sqlite3_exec(m_db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
        std::string msg = err ? err : "unknown error";
        sqlite3_free(err);
        throw StorageError(m_path + ": " + msg + " (" + sql + ")");
    }
}

void SqliteStorage::migrate() {
    Transaction tx(*this);
    exec("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    int version = 0;
    {
        Stmt s(m_db, "SELECT value FROM meta WHERE key = 'schema_version'", m_path);
        if (s.step())
            version = std::stoi(s.text(0));
    }
    if (version > kSchemaVersion)
        throw StorageError(m_path + ": storage schema version " + std::to_string(version) +
                           " is newer than this ParamScope understands (" +
                           std::to_string(kSchemaVersion) + ")");
    if (version == 0) {
        exec(R"(
CREATE TABLE studies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    study_file TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL DEFAULT '',
    objective_metric TEXT NOT NULL DEFAULT '',
    direction TEXT NOT NULL DEFAULT 'minimize' CHECK (direction IN ('minimize', 'maximize')),
    planned_trials INTEGER NOT NULL DEFAULT 0,
    control TEXT NOT NULL DEFAULT 'run' CHECK (control IN ('run', 'stop')),
    orchestrator TEXT NOT NULL DEFAULT '',
    orchestrator_heartbeat REAL,
    created_at REAL NOT NULL);
CREATE TABLE trials (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id),
    number INTEGER NOT NULL,
    state TEXT NOT NULL
        CHECK (state IN ('WAITING', 'RUNNING', 'COMPLETE', 'PRUNED', 'FAIL')),
    params TEXT NOT NULL,
    value REAL,
    values_json TEXT,
    fail_reason TEXT NOT NULL DEFAULT '',
    worker TEXT NOT NULL DEFAULT '',
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    heartbeat_at REAL,
    rev INTEGER NOT NULL,
    UNIQUE (study_id, number));
CREATE INDEX trials_by_state ON trials (study_id, state, number);
CREATE INDEX trials_by_rev ON trials (study_id, rev);
CREATE TABLE metrics (
    seq INTEGER PRIMARY KEY,
    trial_id INTEGER NOT NULL REFERENCES trials(id),
    attempt INTEGER NOT NULL,
    step INTEGER NOT NULL,
    name TEXT NOT NULL,
    value REAL);
CREATE INDEX metrics_by_trial ON metrics (trial_id, seq);
INSERT INTO meta (key, value) VALUES ('schema_version', '1');
)");
        version = 1;
    }
    // Each step below upgrades a store of the version before it, in place, keeping its data.
    if (version < 2) {
        exec(R"(
CREATE TABLE IF NOT EXISTS study_log (
    seq INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id),
    time REAL NOT NULL,
    level TEXT NOT NULL,
    message TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS study_log_by_study ON study_log (study_id, seq);
CREATE INDEX IF NOT EXISTS metrics_by_step ON metrics (step, name);
UPDATE meta SET value = '2' WHERE key = 'schema_version';
)");
    }
    if (version < 3) {
        exec(R"(
ALTER TABLE trials ADD COLUMN system TEXT NOT NULL DEFAULT '{}';
ALTER TABLE trials ADD COLUMN resume_step INTEGER NOT NULL DEFAULT 0;
UPDATE meta SET value = '3' WHERE key = 'schema_version';
)");
    }
    if (version < 4) {
        exec(R"(
CREATE TABLE IF NOT EXISTS analyses (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id),
    kind TEXT NOT NULL,
    input_hash TEXT NOT NULL,
    inputs TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('WAITING', 'RUNNING', 'DONE', 'FAIL')),
    result TEXT,
    error TEXT NOT NULL DEFAULT '',
    worker TEXT NOT NULL DEFAULT '',
    created_at REAL NOT NULL,
    started_at REAL,
    finished_at REAL,
    heartbeat_at REAL,
    UNIQUE (study_id, input_hash));
CREATE INDEX IF NOT EXISTS analyses_by_state ON analyses (study_id, state, id);
UPDATE meta SET value = '4' WHERE key = 'schema_version';
)");
    }
    if (version < 5) {
        // Pause, and retries of failed trials. SQLite cannot change a CHECK constraint in
        // place, so the studies table is rebuilt (SQLite's "other kinds of table schema
        // changes" procedure; foreign keys are off while migrate() runs).
        exec(R"(
CREATE TABLE studies_v5 (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    study_file TEXT NOT NULL DEFAULT '',
    config TEXT NOT NULL DEFAULT '',
    objective_metric TEXT NOT NULL DEFAULT '',
    direction TEXT NOT NULL DEFAULT 'minimize' CHECK (direction IN ('minimize', 'maximize')),
    planned_trials INTEGER NOT NULL DEFAULT 0,
    control TEXT NOT NULL DEFAULT 'run' CHECK (control IN ('run', 'pause', 'stop')),
    orchestrator TEXT NOT NULL DEFAULT '',
    orchestrator_heartbeat REAL,
    created_at REAL NOT NULL);
INSERT INTO studies_v5 (id, name, study_file, config, objective_metric, direction,
    planned_trials, control, orchestrator, orchestrator_heartbeat, created_at)
    SELECT id, name, study_file, config, objective_metric, direction, planned_trials, control,
    orchestrator, orchestrator_heartbeat, created_at FROM studies;
DROP TABLE studies;
ALTER TABLE studies_v5 RENAME TO studies;
ALTER TABLE trials ADD COLUMN retry_of INTEGER;
UPDATE meta SET value = '5' WHERE key = 'schema_version';
)");
        Stmt check(m_db, "PRAGMA foreign_key_check", m_path);
        if (check.step())
            throw StorageError(m_path +
                               ": upgrading the storage to schema version 5 broke a "
                               "reference from table " +
                               check.text(0) + "; the store was left unchanged");
    }
    tx.commit();
}

std::int64_t SqliteStorage::createStudy(const StudyRecord& r) {
    Transaction tx(*this);
    {
        Stmt s(m_db, "SELECT id FROM studies WHERE name = ?", m_path);
        s.bind(1, r.name);
        if (s.step())
            throw StorageError(m_path + ": a study named '" + r.name + "' exists already");
    }
    Stmt s(m_db,
           "INSERT INTO studies (name, study_file, config, objective_metric, direction, "
           "planned_trials, control, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
           m_path);
    s.bind(1, r.name)
        .bind(2, r.studyFile)
        .bind(3, r.configText)
        .bind(4, r.objectiveMetric)
        .bind(5, toText(r.direction))
        .bind(6, r.plannedTrials)
        .bind(7, toText(r.control))
        .bind(8, nowSeconds());
    s.run();
    const std::int64_t id = sqlite3_last_insert_rowid(m_db);
    tx.commit();
    return id;
}

void SqliteStorage::updateStudy(const StudyRecord& r) {
    Stmt s(m_db,
           "UPDATE studies SET study_file = ?, config = ?, objective_metric = ?, direction = ?, "
           "planned_trials = ? WHERE id = ?",
           m_path);
    s.bind(1, r.studyFile)
        .bind(2, r.configText)
        .bind(3, r.objectiveMetric)
        .bind(4, toText(r.direction))
        .bind(5, r.plannedTrials)
        .bind(6, r.id);
    s.run();
    if (sqlite3_changes(m_db) != 1)
        throw StorageError(m_path + ": no study with id " + std::to_string(r.id));
}

std::optional<StudyRecord> SqliteStorage::findStudy(const std::string& name) {
    Stmt s(m_db, std::string("SELECT ") + kStudyColumns + " FROM studies WHERE name = ?", m_path);
    s.bind(1, name);
    if (!s.step())
        return std::nullopt;
    return readStudy(s);
}

std::optional<StudyRecord> SqliteStorage::study(std::int64_t studyId) {
    Stmt s(m_db, std::string("SELECT ") + kStudyColumns + " FROM studies WHERE id = ?", m_path);
    s.bind(1, studyId);
    if (!s.step())
        return std::nullopt;
    return readStudy(s);
}

std::vector<StudyRecord> SqliteStorage::studies() {
    Stmt s(m_db, std::string("SELECT ") + kStudyColumns + " FROM studies ORDER BY id", m_path);
    std::vector<StudyRecord> out;
    while (s.step())
        out.push_back(readStudy(s));
    return out;
}

void SqliteStorage::setControl(std::int64_t studyId, StudyControl control) {
    Stmt s(m_db, "UPDATE studies SET control = ? WHERE id = ?", m_path);
    s.bind(1, toText(control)).bind(2, studyId);
    s.run();
}

void SqliteStorage::setOrchestrator(std::int64_t studyId, const std::string& who) {
    Stmt s(m_db, "UPDATE studies SET orchestrator = ?, orchestrator_heartbeat = ? WHERE id = ?",
           m_path);
    s.bind(1, who).bind(2, nowSeconds()).bind(3, studyId);
    s.run();
}

void SqliteStorage::appendLog(std::int64_t studyId, const std::string& level,
                              const std::string& message) {
    Stmt s(m_db, "INSERT INTO study_log (study_id, time, level, message) VALUES (?, ?, ?, ?)",
           m_path);
    s.bind(1, studyId).bind(2, nowSeconds()).bind(3, level).bind(4, message);
    s.run();
}

std::vector<LogEntry> SqliteStorage::studyLog(std::int64_t studyId, std::int64_t sinceSeq) {
    Stmt s(m_db,
           "SELECT seq, study_id, time, level, message FROM study_log WHERE study_id = ? AND "
           "seq > ? ORDER BY seq",
           m_path);
    s.bind(1, studyId).bind(2, sinceSeq);
    std::vector<LogEntry> out;
    while (s.step())
        out.push_back({s.i64(0), s.i64(1), s.real(2), s.text(3), s.text(4)});
    return out;
}

Trial SqliteStorage::createTrial(std::int64_t studyId, const Json& params,
                                 const std::string& runningBy, const Json& system) {
    Transaction tx(*this);
    const bool running = !runningBy.empty();
    Stmt s(m_db,
           std::string("INSERT INTO trials (study_id, number, state, params, created_at, worker, "
                       "attempts, started_at, heartbeat_at, system, rev) VALUES (?1, (SELECT "
                       "COALESCE(MAX(number), -1) + 1 FROM trials WHERE study_id = ?1), ?4, ?2, "
                       "?3, ?5, ?6, ?7, ?7, ?8, ") +
               kNextRev + "?1)) RETURNING " + kTrialColumns,
           m_path);
    const double now = nowSeconds();
    s.bind(1, studyId).bind(2, params.dump()).bind(3, now);
    s.bind(4, running ? "RUNNING" : "WAITING").bind(5, runningBy).bind(6, running ? 1 : 0);
    s.bind(7, running ? std::optional<double>(now) : std::nullopt);
    s.bind(8, (system.is_object() ? system : Json::object()).dump());
    if (!s.step())
        fail("creating a trial");
    Trial t = readTrial(s);
    s.run();
    tx.commit();
    return t;
}

std::optional<Trial> SqliteStorage::claimTrial(std::int64_t studyId, const std::string& worker) {
    Transaction tx(*this);
    std::int64_t id = 0;
    {
        Stmt s(m_db,
               "SELECT id FROM trials WHERE study_id = ?1 AND state = 'WAITING' AND (SELECT "
               "control FROM studies WHERE id = ?1) <> 'pause' ORDER BY retry_of IS NULL, number "
               "LIMIT 1",
               m_path);
        s.bind(1, studyId);
        if (!s.step())
            return std::nullopt; // the transaction rolls back: nothing was written
        id = s.i64(0);
    }
    const double now = nowSeconds();
    Stmt s(m_db,
           std::string("UPDATE trials SET state = 'RUNNING', worker = ?1, attempts = attempts + "
                       "1, started_at = ?2, heartbeat_at = ?2, finished_at = NULL, rev = ") +
               kNextRev + "?3) WHERE id = ?4 RETURNING " + kTrialColumns,
           m_path);
    s.bind(1, worker).bind(2, now).bind(3, studyId).bind(4, id);
    if (!s.step())
        fail("claiming trial " + std::to_string(id));
    Trial t = readTrial(s);
    s.run();
    if (t.resumeStep > 0 && t.attempts > 1) {
        // The new attempt continues the last one from its checkpoint: it starts with that
        // attempt's points up to the checkpoint's step, and reports only the steps after it.
        Stmt copy(m_db,
                  "INSERT INTO metrics (trial_id, attempt, step, name, value) SELECT trial_id, "
                  "?2, step, name, value FROM metrics WHERE trial_id = ?1 AND attempt = ?3 AND "
                  "step <= ?4 ORDER BY seq",
                  m_path);
        copy.bind(1, t.id).bind(2, std::int64_t{t.attempts});
        copy.bind(3, std::int64_t{t.attempts - 1}).bind(4, t.resumeStep);
        copy.run();
    }
    tx.commit();
    return t;
}

void SqliteStorage::heartbeat(std::int64_t trialId) {
    Stmt s(m_db, "UPDATE trials SET heartbeat_at = ? WHERE id = ? AND state = 'RUNNING'", m_path);
    s.bind(1, nowSeconds()).bind(2, trialId);
    s.run();
}

void SqliteStorage::appendMetrics(std::int64_t trialId, int attempt,
                                  const std::vector<MetricPoint>& points) {
    if (points.empty())
        return;
    Transaction tx(*this);
    Stmt s(m_db, "INSERT INTO metrics (trial_id, attempt, step, name, value) VALUES (?,?,?,?,?)",
           m_path);
    for (const auto& p : points) {
        s.bind(1, trialId).bind(2, attempt).bind(3, p.step).bind(4, p.name).bind(5, p.value);
        s.run();
        s.reset();
    }
    Stmt hb(m_db, "UPDATE trials SET heartbeat_at = ? WHERE id = ?", m_path);
    hb.bind(1, nowSeconds()).bind(2, trialId);
    hb.run();
    tx.commit();
}

bool SqliteStorage::finishTrial(std::int64_t trialId, const std::string& worker, TrialState state,
                                const std::map<std::string, double>& values,
                                std::optional<double> value, const std::string& reason) {
    if (!isFinished(state))
        throw StorageError(m_path + ": finishTrial needs a finished state, not " +
                           std::string(toText(state)));
    Transaction tx(*this);
    Stmt s(m_db,
           updateTrialSql("state = ?1, value = ?2, values_json = ?3, fail_reason = ?4, "
                          "finished_at = ?5, resume_step = 0",
                          "id = ?6 AND state = 'RUNNING' AND worker = ?7"),
           m_path);
    s.bind(1, toText(state))
        .bind(2, value)
        .bind(3, valuesJson(values))
        .bind(4, reason)
        .bind(5, nowSeconds())
        .bind(6, trialId)
        .bind(7, worker);
    s.run();
    const bool changed = sqlite3_changes(m_db) == 1;
    tx.commit();
    return changed;
}

Trial SqliteStorage::enqueueRetry(std::int64_t studyId, int trialNumber) {
    Transaction tx(*this);
    const std::string which = "trial " + std::to_string(trialNumber);
    std::optional<Trial> failed;
    {
        Stmt s(m_db,
               std::string("SELECT ") + kTrialColumns +
                   " FROM trials WHERE study_id = ? AND number = ?",
               m_path);
        s.bind(1, studyId).bind(2, trialNumber);
        if (s.step())
            failed = readTrial(s);
    }
    if (!failed)
        throw StorageError(m_path + ": cannot retry " + which + ": the study has no such trial");
    if (failed->state != TrialState::Fail)
        throw StorageError(m_path + ": cannot retry " + which + ": it is " +
                           std::string(toText(failed->state)) +
                           ", and only FAIL trials are retried");
    {
        Stmt s(m_db,
               "SELECT number, state FROM trials WHERE study_id = ? AND retry_of = ? AND state "
               "IN ('WAITING', 'RUNNING') ORDER BY number LIMIT 1",
               m_path);
        s.bind(1, studyId).bind(2, trialNumber);
        if (s.step())
            throw StorageError(m_path + ": " + which + " is being retried already, as trial " +
                               std::to_string(s.i64(0)) + " (" + s.text(1) + ")");
    }
    // The scheduler group is part of how the trial was meant to run; checkpoints, logs and
    // artifacts belong to the failed attempt and stay with it.
    Json system = Json::object();
    if (failed->system.contains("group"))
        system["group"] = failed->system["group"];
    Stmt s(m_db,
           std::string("INSERT INTO trials (study_id, number, state, params, created_at, system, "
                       "retry_of, rev) VALUES (?1, (SELECT COALESCE(MAX(number), -1) + 1 FROM "
                       "trials WHERE study_id = ?1), 'WAITING', ?2, ?3, ?4, ?5, ") +
               kNextRev + "?1)) RETURNING " + kTrialColumns,
           m_path);
    s.bind(1, studyId).bind(2, failed->params.dump()).bind(3, nowSeconds());
    s.bind(4, system.dump()).bind(5, trialNumber);
    if (!s.step())
        fail("creating the retry of " + which);
    Trial t = readTrial(s);
    s.run();
    tx.commit();
    return t;
}

bool SqliteStorage::requeueTrial(std::int64_t trialId, const std::string& reason) {
    Transaction tx(*this);
    Stmt s(m_db,
           updateTrialSql("state = 'WAITING', fail_reason = ?1, started_at = NULL, "
                          "heartbeat_at = NULL",
                          "id = ?2 AND state = 'RUNNING'"),
           m_path);
    s.bind(1, reason).bind(2, trialId);
    s.run();
    const bool changed = sqlite3_changes(m_db) == 1;
    tx.commit();
    return changed;
}

void SqliteStorage::updateTrialSystem(std::int64_t trialId, const Json& patch) {
    Transaction tx(*this);
    Stmt s(m_db, updateTrialSql("system = json_patch(system, ?1)", "id = ?2"), m_path);
    s.bind(1, patch.dump()).bind(2, trialId);
    s.run();
    if (sqlite3_changes(m_db) != 1)
        throw StorageError(m_path + ": no trial with id " + std::to_string(trialId));
    tx.commit();
}

bool SqliteStorage::resumeTrial(std::int64_t trialId, std::int64_t fromStep,
                                const std::string& reason) {
    Transaction tx(*this);
    Stmt s(m_db,
           updateTrialSql("state = 'WAITING', value = NULL, resume_step = ?1, fail_reason = ?2, "
                          "started_at = NULL, finished_at = NULL, heartbeat_at = NULL",
                          "id = ?3 AND state = 'COMPLETE'"),
           m_path);
    s.bind(1, std::max<std::int64_t>(0, fromStep)).bind(2, reason).bind(3, trialId);
    s.run();
    const bool changed = sqlite3_changes(m_db) == 1;
    tx.commit();
    return changed;
}

bool SqliteStorage::pruneCompletedTrial(std::int64_t trialId, const std::string& reason) {
    Transaction tx(*this);
    Stmt s(m_db,
           updateTrialSql("state = 'PRUNED', fail_reason = ?1", "id = ?2 AND state = 'COMPLETE'"),
           m_path);
    s.bind(1, reason).bind(2, trialId);
    s.run();
    const bool changed = sqlite3_changes(m_db) == 1;
    tx.commit();
    return changed;
}

std::vector<Trial> SqliteStorage::trials(std::int64_t studyId, std::int64_t sinceRev) {
    Stmt s(m_db,
           std::string("SELECT ") + kTrialColumns +
               " FROM trials WHERE study_id = ? AND rev > ? ORDER BY number",
           m_path);
    s.bind(1, studyId).bind(2, sinceRev);
    std::vector<Trial> out;
    while (s.step())
        out.push_back(readTrial(s));
    return out;
}

std::optional<Trial> SqliteStorage::trial(std::int64_t trialId) {
    Stmt s(m_db, std::string("SELECT ") + kTrialColumns + " FROM trials WHERE id = ?", m_path);
    s.bind(1, trialId);
    if (!s.step())
        return std::nullopt;
    return readTrial(s);
}

std::vector<MetricPoint> SqliteStorage::metrics(std::int64_t studyId, std::int64_t sinceSeq) {
    Stmt s(m_db,
           // CROSS JOIN keeps metrics the outer loop: a range on its primary key, so a poll
           // that finds nothing new costs nothing. Left to the planner, it walked every trial
           // of the study and probed the metrics of each: 80-160 ms a poll at 100,000 trials.
           "SELECT m.seq, m.trial_id, m.attempt, m.step, m.name, m.value FROM metrics m "
           "CROSS JOIN trials t ON t.id = m.trial_id WHERE t.study_id = ? AND m.seq > ? "
           "ORDER BY m.seq",
           m_path);
    s.bind(1, studyId).bind(2, sinceSeq);
    std::vector<MetricPoint> out;
    while (s.step())
        out.push_back(readMetric(s));
    return out;
}

std::vector<MetricPoint> SqliteStorage::trialMetrics(std::int64_t trialId) {
    Stmt s(m_db,
           "SELECT seq, trial_id, attempt, step, name, value FROM metrics WHERE trial_id = ? "
           "ORDER BY seq",
           m_path);
    s.bind(1, trialId);
    std::vector<MetricPoint> out;
    while (s.step())
        out.push_back(readMetric(s));
    return out;
}

std::vector<Storage::StepValue>
SqliteStorage::stepValues(std::int64_t studyId, const std::string& metric, std::int64_t step) {
    Stmt s(m_db,
           "SELECT t.number, t.state, m.value, COALESCE(json_extract(t.system, '$.group'), -1) "
           "FROM metrics m JOIN trials t ON t.id = m.trial_id "
           "WHERE m.step = ? AND m.name = ? AND t.study_id = ? AND m.attempt = t.attempts",
           m_path);
    s.bind(1, step).bind(2, metric).bind(3, studyId);
    std::vector<StepValue> out;
    while (s.step())
        out.push_back({static_cast<int>(s.i64(0)), trialStateFromString(s.text(1)), s.real(2),
                       static_cast<int>(s.i64(3))});
    return out;
}

TrialCounts SqliteStorage::counts(std::int64_t studyId) {
    Stmt s(m_db, "SELECT state, COUNT(*) FROM trials WHERE study_id = ? GROUP BY state", m_path);
    s.bind(1, studyId);
    TrialCounts c;
    while (s.step()) {
        const int n = static_cast<int>(s.i64(1));
        switch (trialStateFromString(s.text(0))) {
        case TrialState::Waiting:
            c.waiting = n;
            break;
        case TrialState::Running:
            c.running = n;
            break;
        case TrialState::Complete:
            c.complete = n;
            break;
        case TrialState::Pruned:
            c.pruned = n;
            break;
        case TrialState::Fail:
            c.fail = n;
            break;
        }
    }
    return c;
}

AnalysisRecord SqliteStorage::requestAnalysis(std::int64_t studyId, const std::string& kind,
                                              const std::string& inputHash, const Json& inputs) {
    Transaction tx(*this);
    {
        Stmt s(m_db,
               "UPDATE analyses SET state = 'WAITING', error = '', worker = '' WHERE study_id = "
               "? AND input_hash = ? AND state = 'FAIL'",
               m_path);
        s.bind(1, studyId).bind(2, inputHash);
        s.run();
    }
    {
        Stmt s(m_db,
               "INSERT OR IGNORE INTO analyses (study_id, kind, input_hash, inputs, state, "
               "created_at) VALUES (?, ?, ?, ?, 'WAITING', ?)",
               m_path);
        s.bind(1, studyId)
            .bind(2, kind)
            .bind(3, inputHash)
            .bind(4, inputs.dump())
            .bind(5, nowSeconds());
        s.run();
    }
    std::optional<AnalysisRecord> r = findAnalysis(studyId, inputHash);
    if (!r)
        fail("analysis " + inputHash + " vanished");
    tx.commit();
    return *r;
}

std::optional<AnalysisRecord> SqliteStorage::analysis(std::int64_t analysisId) {
    Stmt s(m_db, std::string("SELECT ") + kAnalysisColumns + " FROM analyses WHERE id = ?", m_path);
    s.bind(1, analysisId);
    if (!s.step())
        return std::nullopt;
    return readAnalysis(s);
}

std::optional<AnalysisRecord> SqliteStorage::findAnalysis(std::int64_t studyId,
                                                          const std::string& inputHash) {
    Stmt s(m_db,
           std::string("SELECT ") + kAnalysisColumns +
               " FROM analyses WHERE study_id = ? AND input_hash = ?",
           m_path);
    s.bind(1, studyId).bind(2, inputHash);
    if (!s.step())
        return std::nullopt;
    return readAnalysis(s);
}

std::vector<AnalysisRecord> SqliteStorage::analyses(std::int64_t studyId) {
    Stmt s(m_db,
           std::string("SELECT ") + kAnalysisColumns +
               " FROM analyses WHERE study_id = ? ORDER BY id",
           m_path);
    s.bind(1, studyId);
    std::vector<AnalysisRecord> out;
    while (s.step())
        out.push_back(readAnalysis(s));
    return out;
}

std::optional<AnalysisRecord> SqliteStorage::claimAnalysis(std::int64_t studyId,
                                                           const std::string& worker,
                                                           const std::vector<std::string>& kinds,
                                                           double staleSeconds) {
    Transaction tx(*this);
    std::string sql = std::string("SELECT ") + kAnalysisColumns +
                      " FROM analyses WHERE study_id = ? AND (state = 'WAITING' OR (state = "
                      "'RUNNING' AND heartbeat_at < ?))";
    if (!kinds.empty()) {
        sql += " AND kind IN (";
        for (std::size_t i = 0; i < kinds.size(); ++i)
            sql += i ? ", ?" : "?";
        sql += ")";
    }
    sql += " ORDER BY id LIMIT 1";
    std::optional<AnalysisRecord> found;
    {
        Stmt s(m_db, sql, m_path);
        s.bind(1, studyId).bind(2, nowSeconds() - staleSeconds);
        for (std::size_t i = 0; i < kinds.size(); ++i)
            s.bind(static_cast<int>(i) + 3, kinds[i]);
        if (s.step())
            found = readAnalysis(s);
    }
    if (!found)
        return std::nullopt;
    const double now = nowSeconds();
    Stmt u(m_db,
           "UPDATE analyses SET state = 'RUNNING', worker = ?, started_at = ?, heartbeat_at = ? "
           "WHERE id = ?",
           m_path);
    u.bind(1, worker).bind(2, now).bind(3, now).bind(4, found->id);
    u.run();
    tx.commit();
    found->state = AnalysisState::Running;
    found->worker = worker;
    found->startedAt = found->heartbeatAt = now;
    return found;
}

bool SqliteStorage::startAnalysis(std::int64_t analysisId, const std::string& worker,
                                  double staleSeconds) {
    const double now = nowSeconds();
    Stmt s(m_db,
           "UPDATE analyses SET state = 'RUNNING', worker = ?, started_at = ?, heartbeat_at = ? "
           "WHERE id = ? AND (state = 'WAITING' OR (state = 'RUNNING' AND heartbeat_at < ?))",
           m_path);
    s.bind(1, worker).bind(2, now).bind(3, now).bind(4, analysisId).bind(5, now - staleSeconds);
    s.run();
    return sqlite3_changes(m_db) == 1;
}

void SqliteStorage::heartbeatAnalysis(std::int64_t analysisId) {
    Stmt s(m_db, "UPDATE analyses SET heartbeat_at = ? WHERE id = ?", m_path);
    s.bind(1, nowSeconds()).bind(2, analysisId);
    s.run();
}

bool SqliteStorage::finishAnalysis(std::int64_t analysisId, const std::string& worker,
                                   AnalysisState state, const Json& result,
                                   const std::string& error) {
    Stmt s(m_db,
           "UPDATE analyses SET state = ?, result = ?, error = ?, finished_at = ? WHERE id = ? "
           "AND state = 'RUNNING' AND worker = ?",
           m_path);
    s.bind(1, toText(state)).bind(4, nowSeconds()).bind(5, analysisId).bind(6, worker);
    if (state == AnalysisState::Done)
        s.bind(2, result.dump());
    s.bind(3, error);
    s.run();
    return sqlite3_changes(m_db) == 1;
}

} // namespace ps
