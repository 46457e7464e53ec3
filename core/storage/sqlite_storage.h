#pragma once
// Storage in one SQLite file: WAL mode so readers (the GUI) never block writers (workers),
// a busy timeout and IMMEDIATE transactions so several processes can write at once, and a
// schema version checked at open.

#include "core/storage/storage.h"

struct sqlite3;

namespace ps {

class SqliteStorage final : public Storage {
public:
    static constexpr int kSchemaVersion = 5;

    // Opens or creates the file. Throws StorageError naming the path and SQLite's message.
    explicit SqliteStorage(std::string path);
    ~SqliteStorage() override;
    SqliteStorage(const SqliteStorage&) = delete;
    SqliteStorage& operator=(const SqliteStorage&) = delete;

    std::string url() const override { return "sqlite:" + m_path; }
    const std::string& path() const { return m_path; }

    std::int64_t createStudy(const StudyRecord& study) override;
    void updateStudy(const StudyRecord& study) override;
    std::optional<StudyRecord> findStudy(const std::string& name) override;
    std::optional<StudyRecord> study(std::int64_t studyId) override;
    std::vector<StudyRecord> studies() override;
    void setControl(std::int64_t studyId, StudyControl control) override;
    void setOrchestrator(std::int64_t studyId, const std::string& who) override;

    void appendLog(std::int64_t studyId, const std::string& level,
                   const std::string& message) override;
    std::vector<LogEntry> studyLog(std::int64_t studyId, std::int64_t sinceSeq = 0) override;

    Trial createTrial(std::int64_t studyId, const Json& params, const std::string& runningBy = {},
                      const Json& system = Json::object()) override;
    std::optional<Trial> claimTrial(std::int64_t studyId, const std::string& worker) override;
    void heartbeat(std::int64_t trialId) override;
    void appendMetrics(std::int64_t trialId, int attempt,
                       const std::vector<MetricPoint>& points) override;
    bool finishTrial(std::int64_t trialId, const std::string& worker, TrialState state,
                     const std::map<std::string, double>& values, std::optional<double> value,
                     const std::string& reason) override;
    Trial enqueueRetry(std::int64_t studyId, int trialNumber) override;
    bool requeueTrial(std::int64_t trialId, const std::string& reason) override;
    void updateTrialSystem(std::int64_t trialId, const Json& patch) override;
    bool resumeTrial(std::int64_t trialId, std::int64_t fromStep,
                     const std::string& reason) override;
    bool pruneCompletedTrial(std::int64_t trialId, const std::string& reason) override;

    std::vector<Trial> trials(std::int64_t studyId, std::int64_t sinceRev = 0) override;
    std::optional<Trial> trial(std::int64_t trialId) override;
    std::vector<MetricPoint> metrics(std::int64_t studyId, std::int64_t sinceSeq = 0) override;
    std::vector<MetricPoint> trialMetrics(std::int64_t trialId) override;
    TrialCounts counts(std::int64_t studyId) override;
    std::vector<StepValue> stepValues(std::int64_t studyId, const std::string& metric,
                                      std::int64_t step) override;

    AnalysisRecord requestAnalysis(std::int64_t studyId, const std::string& kind,
                                   const std::string& inputHash, const Json& inputs) override;
    std::optional<AnalysisRecord> analysis(std::int64_t analysisId) override;
    std::optional<AnalysisRecord> findAnalysis(std::int64_t studyId,
                                               const std::string& inputHash) override;
    std::vector<AnalysisRecord> analyses(std::int64_t studyId) override;
    std::optional<AnalysisRecord> claimAnalysis(std::int64_t studyId, const std::string& worker,
                                                const std::vector<std::string>& kinds,
                                                double staleSeconds = 120) override;
    bool startAnalysis(std::int64_t analysisId, const std::string& worker,
                       double staleSeconds = 120) override;
    void heartbeatAnalysis(std::int64_t analysisId) override;
    bool finishAnalysis(std::int64_t analysisId, const std::string& worker, AnalysisState state,
                        const Json& result, const std::string& error) override;

private:
    class Transaction;
    void exec(const char* sql);
    void migrate();
    [[noreturn]] void fail(const std::string& what) const;

    std::string m_path;
    sqlite3* m_db = nullptr;
};

} // namespace ps
