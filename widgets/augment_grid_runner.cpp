#include "widgets/augment_grid_runner.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

namespace ps {

namespace {

const QString kWorkerName = QStringLiteral("paramscope-worker");

// The worker's complaint, less its pointer to --help: the preview built the command line, so
// the person reading this cannot act on the usage, only on the setting it names.
QString workerMessage(const QByteArray& stderrBytes) {
    QStringList kept;
    for (const QString& line : QString::fromUtf8(stderrBytes).split(QLatin1Char('\n'))) {
        if (line.trimmed().isEmpty() || line.contains(QStringLiteral("--help for the usage")))
            continue;
        kept << line.trimmed();
    }
    return kept.join(QLatin1Char('\n'));
}

} // namespace

QString AugmentGridRequest::key() const {
    // Json objects keep their keys sorted, so equal settings dump to equal text.
    return QString::fromStdString(settings.dump() + '\n' + params.dump()) +
           QStringLiteral("\n%1x%2 seed %3").arg(rows).arg(cols).arg(seed);
}

AugmentGridRunner::AugmentGridRunner(QObject* parent)
    : QObject(parent), m_workerPath(defaultWorkerPath()) {}

AugmentGridRunner::~AugmentGridRunner() {
    if (m_process) {
        // Nothing is reported any more; the worker is killed and reaped so it does not
        // outlive the window, which takes at most a moment after SIGKILL.
        m_process->disconnect(this);
        m_process->kill();
        m_process->waitForFinished(2000);
        delete m_process;
    }
}

QString AugmentGridRunner::defaultWorkerPath() {
    const QString fromEnv = qEnvironmentVariable("PARAMSCOPE_WORKER");
    if (!fromEnv.isEmpty())
        return fromEnv;
    return QDir(QCoreApplication::applicationDirPath()).filePath(kWorkerName);
}

void AugmentGridRunner::render(const AugmentGridRequest& request) {
    m_queued = request;
    if (m_process) {
        // Its finished() starts the queued request: at most one worker at a time.
        m_runningWanted = false;
        m_process->kill();
        return;
    }
    startQueued();
}

void AugmentGridRunner::cancel() {
    m_queued.reset();
    if (m_process) {
        m_runningWanted = false;
        m_process->kill();
        return;
    }
    setBusy(false);
}

void AugmentGridRunner::setBusy(bool busy) {
    if (busy == m_busy)
        return;
    m_busy = busy;
    Q_EMIT busyChanged(busy);
}

void AugmentGridRunner::startQueued() {
    if (m_process)
        return;
    if (!m_queued) {
        setBusy(false);
        return;
    }
    const AugmentGridRequest request = *m_queued;
    m_queued.reset();
    const QString key = request.key();
    if (!QFileInfo(m_workerPath).isExecutable()) {
        setBusy(false);
        Q_EMIT failed(key, tr("%1 is missing: it draws this preview (the desktop app does not "
                              "link LibTorch), and belongs beside paramscope. Build or install "
                              "it, or name it with the PARAMSCOPE_WORKER environment variable.")
                               .arg(QDir::toNativeSeparators(m_workerPath)));
        startQueued(); // a slot may have asked for another
        return;
    }
    if (!m_dir) {
        m_dir = std::make_unique<QTemporaryDir>(
            QDir::temp().filePath(QStringLiteral("paramscope-augment-preview-XXXXXX")));
    }
    ++m_started;
    m_settingsFile = m_dir->filePath(QStringLiteral("settings-%1.json").arg(m_started));
    m_outFile = m_dir->filePath(QStringLiteral("grid-%1.pgm").arg(m_started));
    QFile settings(m_settingsFile);
    if (!m_dir->isValid() || !settings.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        settings.write(QByteArray::fromStdString(request.settings.dump(2))) < 0) {
        setBusy(false);
        Q_EMIT failed(key,
                      tr("cannot write the worker's settings file %1: %2")
                          .arg(QDir::toNativeSeparators(m_settingsFile),
                               m_dir->isValid() ? settings.errorString() : m_dir->errorString()));
        startQueued();
        return;
    }
    settings.close();

    QStringList args{QStringLiteral("augment-grid"),
                     QStringLiteral("--settings"),
                     m_settingsFile,
                     QStringLiteral("--rows"),
                     QString::number(request.rows),
                     QStringLiteral("--cols"),
                     QString::number(request.cols),
                     QStringLiteral("--seed"),
                     QString::number(request.seed),
                     QStringLiteral("--out"),
                     m_outFile};
    if (!request.params.empty())
        args << QStringLiteral("--params") << QString::fromStdString(request.params.dump());

    m_process = new QProcess(this);
    m_runningKey = key;
    m_runningWanted = true;
    m_process->setProgram(m_workerPath);
    m_process->setArguments(args);
    m_process->setWorkingDirectory(m_dir->path());
    m_process->setStandardInputFile(QProcess::nullDevice());
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        finish(code, status == QProcess::CrashExit);
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        // The one error after which finished() never comes.
        if (error == QProcess::FailedToStart)
            finish(-1, false);
    });
    setBusy(true);
    m_process->start();
}

void AugmentGridRunner::finish(int exitCode, bool crashed) {
    QProcess* process = m_process;
    m_process = nullptr;
    const bool failedToStart = process->error() == QProcess::FailedToStart;
    const QString startError = process->errorString();
    const QString message = workerMessage(process->readAllStandardError());
    process->disconnect(this);
    process->deleteLater();
    const QString key = m_runningKey;
    const bool wanted = m_runningWanted;
    const QString outFile = m_outFile;
    QFile::remove(m_settingsFile);

    if (wanted) {
        if (!m_queued)
            setBusy(false);
        const QString worker = QDir::toNativeSeparators(m_workerPath);
        if (failedToStart) {
            Q_EMIT failed(key, tr("could not start %1: %2").arg(worker, startError));
        } else if (crashed) {
            Q_EMIT failed(
                key,
                tr("%1 crashed while drawing the grid.%2")
                    .arg(worker, message.isEmpty() ? QString() : QStringLiteral("\n") + message));
        } else if (exitCode != 0) {
            Q_EMIT failed(
                key,
                message.isEmpty()
                    ? tr("%1 stopped with exit code %2 and said nothing.").arg(worker).arg(exitCode)
                    : message);
        } else {
            const QImage image(outFile);
            if (image.isNull())
                Q_EMIT failed(key, tr("%1 wrote %2, which is not an image this app can read.")
                                       .arg(worker, QDir::toNativeSeparators(outFile)));
            else
                Q_EMIT rendered(key, image);
        }
    }
    QFile::remove(outFile);
    startQueued();
}

} // namespace ps
