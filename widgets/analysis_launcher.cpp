#include "widgets/analysis_launcher.h"

#include "core/analysis/analysis_options.h"
#include "widgets/setting_form.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QProcess>
#include <QPushButton>
#include <QRadioButton>
#include <QScrollArea>
#include <QTimer>
#include <QVBoxLayout>

namespace ps {

AnalysisLauncher::AnalysisLauncher(std::vector<std::int64_t> selected, QWidget* parent)
    : QDialog(parent), m_catalog(AnalysisCatalog::withBuiltins()), m_selected(std::move(selected)),
      m_kinds(new QComboBox(this)), m_description(new QLabel(this)), m_form(new SettingForm(this)),
      m_all(new QRadioButton(tr("&All trials"), this)), m_some(new QRadioButton(this)) {
    setWindowTitle(tr("Analyse the study"));
    for (const std::string& kind : m_catalog.kinds())
        m_kinds->addItem(QString::fromStdString(kind));
    m_description->setWordWrap(true);
    m_description->setTextFormat(Qt::PlainText);

    std::sort(m_selected.begin(), m_selected.end());
    const QString numbers = QString::fromStdString(trialNumberText(m_selected));
    m_some->setText(m_selected.empty()
                        ? tr("&Selected trials (none is selected)")
                        : tr("&Selected trials only: %n (%1)", nullptr, int(m_selected.size()))
                              .arg(numbers.size() > 60 ? numbers.left(57) + "…" : numbers));
    m_some->setEnabled(!m_selected.empty());
    // one selected trial is most often a click, not a subset to analyse
    (m_selected.size() >= 2 ? m_some : m_all)->setChecked(true);

    auto* scope = new QGroupBox(tr("Trials"), this);
    auto* scopeLayout = new QVBoxLayout(scope);
    scopeLayout->addWidget(m_all);
    scopeLayout->addWidget(m_some);

    auto* scroll = new QScrollArea(this);
    scroll->setWidget(m_form);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);

    auto* top = new QFormLayout;
    top->addRow(tr("&Kind:"), m_kinds);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("&Run analysis"));
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(m_description);
    layout->addWidget(new QLabel(tr("Options (bold: changed from the default):"), this));
    layout->addWidget(scroll, 1);
    layout->addWidget(scope);
    layout->addWidget(buttons);
    connect(m_kinds, &QComboBox::currentIndexChanged, this, &AnalysisLauncher::showKind);
    const int importance = m_kinds->findText(QStringLiteral("importance"));
    m_kinds->setCurrentIndex(importance >= 0 ? importance : 0);
    showKind();
    resize(560, 560);
}

void AnalysisLauncher::setKind(const QString& kind) {
    m_kinds->setCurrentIndex(m_kinds->findText(kind));
}

QString AnalysisLauncher::kind() const {
    return m_kinds->currentText();
}

void AnalysisLauncher::setSelectedOnly(bool on) {
    (on && m_some->isEnabled() ? m_some : m_all)->setChecked(true);
}

void AnalysisLauncher::showKind() {
    const AnalysisSpec* spec = m_catalog.spec(kind().toStdString());
    if (!spec)
        return;
    m_description->setText(QString::fromStdString(spec->description) +
                           (spec->needsWorker ? tr(" (runs in a worker: LibTorch)") : QString()));
    std::vector<SettingSpec> options;
    for (const SettingSpec& s : spec->options)
        if (s.path != "trials") // the Trials box below says that
            options.push_back(s);
    m_form->setSpecs(options, Json::object(), false);
}

AnalysisRequest AnalysisLauncher::request() const {
    AnalysisRequest r;
    r.kind = kind();
    r.options = m_form->values();
    if (m_some->isChecked() && !m_selected.empty())
        r.options["trials"] = trialNumberText(m_selected);
    return r;
}

QStringList AnalysisLauncher::cliArguments(const QString& studyPath, const QString& studyName,
                                           const AnalysisRequest& request) {
    QStringList args{QStringLiteral("analyze"), studyPath, request.kind};
    for (const auto& [name, value] : request.options.items()) {
        // the CLI reads NAME=VALUE as the option's declared type
        const QString text = value.is_string() ? QString::fromStdString(value.get<std::string>())
                                               : QString::fromStdString(value.dump());
        args << QString::fromStdString(name) + QLatin1Char('=') + text;
    }
    if (!studyName.isEmpty())
        args << QStringLiteral("--study") << studyName;
    return args;
}

AnalysisRun::AnalysisRun(QString cli, QStringList arguments, QString workingDir, QObject* parent)
    : QObject(parent), m_process(new QProcess(this)), m_cli(std::move(cli)),
      m_workingDir(std::move(workingDir)), m_arguments(std::move(arguments)) {
    m_kind = m_arguments.size() > 2 ? m_arguments[2] : QString();
    m_process->setProcessChannelMode(QProcess::SeparateChannels);
    connect(m_process, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
        if (m_done)
            return;
        m_done = true;
        if (m_cancelled) {
            Q_EMIT finished(false, tr("cancelled"));
            return;
        }
        const QString err = QString::fromLocal8Bit(m_process->readAllStandardError()).trimmed();
        if (status == QProcess::NormalExit && code == 0)
            Q_EMIT finished(true, {});
        else
            Q_EMIT finished(false, err.isEmpty()
                                       ? tr("paramscope-cli analyze ended with code %1").arg(code)
                                       : err);
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
        if (e != QProcess::FailedToStart || m_done)
            return;
        m_done = true;
        Q_EMIT finished(false, tr("could not start %1: %2").arg(m_cli, m_process->errorString()));
    });
}

AnalysisRun::~AnalysisRun() {
    if (m_process->state() != QProcess::NotRunning) {
        m_done = true; // nobody is listening any more
        m_process->kill();
        m_process->waitForFinished(2000);
    }
}

void AnalysisRun::start() {
    m_clock.start();
    m_process->setWorkingDirectory(m_workingDir);
    m_process->setStandardInputFile(QProcess::nullDevice());
    m_process->start(m_cli, m_arguments);
}

void AnalysisRun::cancel() {
    if (m_process->state() == QProcess::NotRunning)
        return;
    m_cancelled = true;
    m_process->terminate();
    QTimer::singleShot(3000, m_process, [p = m_process] {
        if (p->state() != QProcess::NotRunning)
            p->kill();
    });
}

bool AnalysisRun::running() const {
    return m_process->state() != QProcess::NotRunning;
}

double AnalysisRun::elapsedSeconds() const {
    return m_clock.isValid() ? m_clock.elapsed() / 1000.0 : 0.0;
}

} // namespace ps
