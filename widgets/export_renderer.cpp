#include "widgets/export_renderer.h"

#include "core/space/study_file.h"
#include "core/storage/storage.h"
#include "widgets/history_plot.h"
#include "widgets/learning_curves_plot.h"
#include "widgets/qcustomplot_include.h"
#include "widgets/trial_selection.h"
#include "widgets/trial_table_model.h"

#include <QApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLayout>
#include <QSaveFile>
#include <QSvgGenerator>
#include <QTextStream>
#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <stdexcept>

namespace ps {

namespace {

QString csvField(const QString& text) {
    if (!text.contains(QLatin1Char(',')) && !text.contains(QLatin1Char('"')) &&
        !text.contains(QLatin1Char('\n')) && !text.contains(QLatin1Char('\r')))
        return text;
    QString quoted = text;
    quoted.replace(QLatin1String("\""), QLatin1String("\"\""));
    return QLatin1Char('"') + quoted + QLatin1Char('"');
}

// Shortest text that reads back as the same double.
QString number(double v) {
    return QString::number(v, 'g', QLocale::FloatingPointShortest);
}

QString jsonText(const Json& v) {
    if (v.is_null())
        return {};
    if (v.is_string())
        return QString::fromStdString(v.get<std::string>());
    if (v.is_number_float())
        return number(v.get<double>());
    return QString::fromStdString(v.dump());
}

QString isoTime(double unixSeconds) {
    if (unixSeconds <= 0)
        return {};
    return QDateTime::fromMSecsSinceEpoch(qint64(unixSeconds * 1000.0), Qt::UTC)
        .toString(Qt::ISODateWithMs);
}

std::string fileError(const QString& path, const QString& why) {
    return "export: cannot write " + QDir::toNativeSeparators(path).toStdString() + ": " +
           why.toStdString();
}

// Written through QSaveFile so that a failed export leaves no half file behind.
void writeText(const QString& path, const QString& text) {
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        throw std::runtime_error(fileError(path, file.errorString()));
    file.write(text.toUtf8());
    if (!file.commit())
        throw std::runtime_error(fileError(path, file.errorString()));
}

// Enough for any study of the size tests and demos use; past it the title says what is left out.
constexpr int kExportMaxCurves = 100;

template <typename Points> std::size_t numberOfTrialsWithMetrics(const Points& points) {
    std::set<qint64> ids;
    for (const auto& p : points)
        ids.insert(p.trialId);
    return ids.size();
}

void addTitle(QCustomPlot* plot, const QString& title) {
    plot->plotLayout()->insertRow(0);
    auto* element = new QCPTextElement(plot, title);
    QFont font = plot->font();
    font.setPointSizeF(font.pointSizeF() * 1.25);
    font.setBold(true);
    element->setFont(font);
    plot->plotLayout()->addElement(0, 0, element);
}

void savePng(QCustomPlot* plot, const QString& path) {
    if (!plot->savePng(path, kExportWidth, kExportHeight))
        throw std::runtime_error(fileError(path, QStringLiteral("the image did not save")));
}

void saveSvg(QCustomPlot* plot, const QString& path) {
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(QSize(kExportWidth, kExportHeight));
    svg.setViewBox(QRect(0, 0, kExportWidth, kExportHeight));
    svg.setTitle(QStringLiteral("ParamScope"));
    QCPPainter painter;
    if (!painter.begin(&svg))
        throw std::runtime_error(fileError(path, QStringLiteral("the SVG did not open")));
    plot->toPainter(&painter, kExportWidth, kExportHeight);
    painter.end();
    if (!QFileInfo::exists(path))
        throw std::runtime_error(fileError(path, QStringLiteral("the SVG did not save")));
}

QString trialsCsv(const std::vector<Trial>& trials, const std::string& metric) {
    // Parameter columns: every name any trial has, in first-seen order (conditional
    // parameters are absent from some trials and leave their cell empty).
    std::vector<std::string> params;
    for (const auto& t : trials) {
        if (!t.params.is_object())
            continue;
        for (auto it = t.params.begin(); it != t.params.end(); ++it) {
            if (std::find(params.begin(), params.end(), it.key()) == params.end())
                params.push_back(it.key());
        }
    }
    QStringList header{QStringLiteral("number"), QStringLiteral("state"),
                       metric.empty() ? QStringLiteral("value") : QString::fromStdString(metric)};
    for (const auto& p : params)
        header << QString::fromStdString(p);
    header << QStringLiteral("worker") << QStringLiteral("started") << QStringLiteral("finished")
           << QStringLiteral("fail_reason");
    QString out;
    QTextStream s(&out);
    for (auto& h : header)
        h = csvField(h);
    s << header.join(QLatin1Char(',')) << '\n';
    for (const auto& t : trials) {
        QStringList row{QString::number(t.number), TrialTableModel::stateText(t.state),
                        t.value ? number(*t.value) : QString()};
        for (const auto& p : params)
            row << (t.params.contains(p) ? jsonText(t.params.at(p)) : QString());
        row << QString::fromStdString(t.worker) << isoTime(t.startedAt) << isoTime(t.finishedAt)
            << QString::fromStdString(t.failReason);
        for (auto& f : row)
            f = csvField(f);
        s << row.join(QLatin1Char(',')) << '\n';
    }
    return out;
}

QString metricsCsv(const std::vector<MetricPoint>& points, const std::map<qint64, int>& numberOf) {
    QString out;
    QTextStream s(&out);
    s << "trial,attempt,step,name,value\n";
    for (const auto& p : points) {
        const auto it = numberOf.find(p.trialId);
        s << (it == numberOf.end() ? QString() : QString::number(it->second)) << ',' << p.attempt
          << ',' << p.step << ',' << csvField(QString::fromStdString(p.name)) << ','
          << number(p.value) << '\n';
    }
    return out;
}

std::string studyNames(Storage& storage) {
    std::string names;
    for (const auto& s : storage.studies())
        names += (names.empty() ? "" : ", ") + s.name;
    return names.empty() ? "none" : names;
}

} // namespace

std::vector<std::string> exportStudy(const std::string& storageUrl, const std::string& studyName,
                                     const std::string& outDir) {
    if (!qobject_cast<QApplication*>(QCoreApplication::instance()))
        throw std::runtime_error("export: needs a QApplication to draw (QT_QPA_PLATFORM="
                                 "offscreen is enough)");

    // Opening an SQLite store creates the file: refuse a missing one rather than export an
    // empty database made on the spot.
    const std::string url = resolveStorageUrl(storageUrl, ".");
    const std::string dbPath = url.substr(std::string("sqlite:").size());
    if (!std::filesystem::exists(dbPath))
        throw std::runtime_error("export: no study database at " + dbPath);
    auto storage = openStorage(url);
    std::optional<StudyRecord> study;
    if (studyName.empty()) {
        const auto all = storage->studies();
        if (all.empty())
            throw std::runtime_error("export: " + dbPath + " holds no study");
        study = all.front();
    } else {
        study = storage->findStudy(studyName);
        if (!study)
            throw std::runtime_error("export: no study '" + studyName + "' in " + dbPath +
                                     " (it holds: " + studyNames(*storage) + ")");
    }
    auto trials = storage->trials(study->id);
    std::sort(trials.begin(), trials.end(),
              [](const Trial& a, const Trial& b) { return a.number < b.number; });
    const auto points = storage->metrics(study->id);
    storage.reset();

    std::error_code ec;
    std::filesystem::create_directories(outDir, ec);
    if (ec || !std::filesystem::is_directory(outDir))
        throw std::runtime_error("export: cannot create the folder " + outDir + ": " +
                                 (ec ? ec.message() : std::string("not a folder")));
    const QDir dir(QString::fromStdString(outDir));
    if (!QFileInfo(dir.absolutePath()).isWritable())
        throw std::runtime_error("export: cannot write into the folder " + outDir);
    auto pathOf = [&](const char* name) { return dir.absoluteFilePath(QString::fromUtf8(name)); };
    std::vector<std::string> written;
    auto wrote = [&](const QString& path) { written.push_back(path.toStdString()); };

    const QString name = QString::fromStdString(study->name);
    const QString metric = QString::fromStdString(study->objectiveMetric);
    TrialSelection selection;

    HistoryPlot history(&selection);
    history.resize(kExportWidth, kExportHeight);
    history.setObjective(metric, study->direction);
    history.setConstraints(readConstraints(study->configText));
    history.applyTrials(trials);
    history.rebuildNow();
    addTitle(&history,
             QObject::tr("%1: optimization history (%2)")
                 .arg(name, QString::fromStdString(std::string(toText(study->direction)))));
    savePng(&history, pathOf("history.png"));
    wrote(pathOf("history.png"));
    saveSvg(&history, pathOf("history.svg"));
    wrote(pathOf("history.svg"));
    if (!history.savePdf(pathOf("history.pdf"), kExportWidth, kExportHeight))
        throw std::runtime_error(fileError(pathOf("history.pdf"), QStringLiteral("no PDF")));
    wrote(pathOf("history.pdf"));

    LearningCurvesPlot curves(&selection);
    curves.resize(kExportWidth, kExportHeight);
    // Not shown, so lay it out by hand: the legend's columns depend on the plot's height.
    curves.layout()->activate();
    curves.setMaxCurves(kExportMaxCurves);
    curves.setObjective(metric);
    curves.applyTrials(trials);
    curves.addMetrics(points);
    curves.rebuildNow();
    // Say so when the picture leaves trials out, rather than let it look complete.
    const auto shown = curves.shownTrials().size();
    const auto withCurves = static_cast<qsizetype>(numberOfTrialsWithMetrics(points));
    addTitle(curves.plot(),
             shown < withCurves
                 ? QObject::tr("%1: learning curves (%2), the latest %3 of %4 trials")
                       .arg(name, curves.metric())
                       .arg(shown)
                       .arg(withCurves)
                 : QObject::tr("%1: learning curves (%2)").arg(name, curves.metric()));
    savePng(curves.plot(), pathOf("learning_curves.png"));
    wrote(pathOf("learning_curves.png"));

    writeText(pathOf("trials.csv"), trialsCsv(trials, study->objectiveMetric));
    wrote(pathOf("trials.csv"));
    std::map<qint64, int> numberOf;
    for (const auto& t : trials)
        numberOf[t.id] = t.number;
    writeText(pathOf("metrics.csv"), metricsCsv(points, numberOf));
    wrote(pathOf("metrics.csv"));
    return written;
}

} // namespace ps
