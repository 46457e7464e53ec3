#pragma once
// Runs `paramscope-worker augment-grid` for the augmentation preview (issue 6). The desktop
// app never links LibTorch (DESIGN.md), so the grid is drawn by the worker as a child process
// and read back as a PGM. Asynchronous: nothing here waits on the GUI thread. At most one
// worker runs at a time; a newer request stops the running one and waits its turn, replacing
// any request still waiting, so a burst of changes (dragging a spin box, clicking through
// trials) costs one process per change at most, and only the latest is rendered to the end.
// GUI thread only.

#include "core/study/trial.h"

#include <QImage>
#include <QObject>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <memory>
#include <optional>

class QProcess;
class QTemporaryDir;

namespace ps {

// What one grid is drawn from: the worker's --settings, --params, --rows, --cols, --seed.
struct AugmentGridRequest {
    Json settings = Json::object(); // the task's settings object (the study's task section)
    Json params = Json::object();   // dotted setting name -> value, on top of the settings
    int rows = 4;                   // source images
    int cols = 6;                   // augmented draws of each
    std::uint64_t seed = 0;
    // Equal for requests that give the same picture (the worker's output is deterministic).
    QString key() const;
};

class AugmentGridRunner : public QObject {
    Q_OBJECT

public:
    explicit AugmentGridRunner(QObject* parent = nullptr);
    ~AugmentGridRunner() override;

    // PARAMSCOPE_WORKER when set (tests, and installs that keep the executables apart),
    // else the paramscope-worker beside this executable.
    static QString defaultWorkerPath();
    void setWorkerPath(const QString& path) { m_workerPath = path; }
    QString workerPath() const { return m_workerPath; }

    // Renders `request`: at once when no worker runs, else after the running one has been
    // stopped (it is not wanted any more).
    void render(const AugmentGridRequest& request);
    // Stops the running worker and drops the waiting request; nothing is reported for them.
    void cancel();
    bool isBusy() const { return m_process != nullptr || m_queued.has_value(); }
    // Workers started so far.
    int startedCount() const { return m_started; }

Q_SIGNALS:
    void busyChanged(bool busy);
    void rendered(const QString& key, const QImage& image);
    // `message` says what went wrong, in the worker's own words where it gave any.
    void failed(const QString& key, const QString& message);

private:
    void startQueued();
    void finish(int exitCode, bool crashed);
    void setBusy(bool busy);

    QString m_workerPath;
    std::unique_ptr<QTemporaryDir> m_dir; // made on first use
    QProcess* m_process = nullptr;        // the running worker
    QString m_runningKey;
    bool m_runningWanted = false; // false once it was stopped for a newer request or a cancel
    QString m_settingsFile, m_outFile;
    std::optional<AugmentGridRequest> m_queued;
    bool m_busy = false;
    int m_started = 0;
};

} // namespace ps
