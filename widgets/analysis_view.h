#pragma once
// The analyses stored with a study, drawn: pick a result and see it as its kind is read.
// - transfer (and lr_range): loss against log2(lr), one curve per width, the fitted optima
//   starred;
// - landscape: a 2-D map of log10(loss) with the projected trajectory, or 1-D curves;
// - importance: fANOVA bars with their spread; lime: the weights, positive and negative;
// - augment_sensitivity: the setting x augmentation weight heatmap;
// - curves: each group's mean with a band of one standard deviation;
// every kind: its summary lines below the plot. Results arrive from the StudyWatcher; the
// view never reads storage. GUI thread only.

#include "core/storage/storage.h"
#include "widgets/qcustomplot_include.h"

#include <QWidget>
#include <vector>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QStackedWidget;
class QToolButton;

namespace ps {

class LandscapeSurface;

class AnalysisView : public QWidget {
    Q_OBJECT

public:
    explicit AnalysisView(QWidget* parent = nullptr);

    // The study's stored analyses; the one shown stays shown while it is still there, else
    // the newest finished one is.
    void setRecords(std::vector<AnalysisRecord> records);
    // The next records that hold a finished result of `kind` show the latest of them (an
    // analysis this window just ran), instead of keeping the one shown.
    void expectResult(const QString& kind);
    void clear();
    // Draws a result; false, with message() saying why, when this kind has no plot (its
    // summary is still shown) or the result lacks what the plot needs.
    bool showResult(const std::string& kind, const Json& result);

    QCustomPlot* plot() const { return m_plot; }
    // Contour levels drawn on the shown 2-D landscape map (0 for anything else).
    int contourLevelCount() const { return m_contourCount; }
    // Transfer results drawn side by side (0 when one result is drawn alone).
    int panelCount() const { return m_panelCount; }
    void setSideBySide(bool on);
    // Whether the shown result can be seen as a 3-D surface (a 2-D landscape).
    bool hasSurface() const;
    // Shows the 2-D landscape as a 3-D surface (true) or the plot (false). The surface is made
    // on first use: it needs an X server (VTK), which the plots alone do not.
    void setSurfaceShown(bool on);
    bool surfaceShown() const;
    LandscapeSurface* surface() const { return m_surface; }
    QString message() const;
    std::int64_t shownRecord() const { return m_shown; }
    int recordCount() const { return int(m_records.size()); }

private:
    void showIndex(int index);
    void reset();
    bool drawCurvesOverLr(const Json& curves, bool optima, QCPAxis* xAxis, QCPAxis* yAxis,
                          QCPLegend* legend);
    std::vector<const AnalysisRecord*> transferPanels() const;
    bool drawTransferPanels(const std::vector<const AnalysisRecord*>& panels);
    bool drawLandscape(const Json& r);
    bool drawBars(const std::vector<std::pair<QString, double>>& bars,
                  const std::vector<double>& errors, const QString& label, bool signedColours);
    bool drawHeatmap(const Json& r);
    bool drawGroupCurves(const Json& r);

    QComboBox* m_picker;
    QLabel* m_message;
    QCustomPlot* m_plot;
    QToolButton* m_surfaceButton;
    QStackedWidget* m_stack;
    QToolButton* m_sideBySideButton;
    QCPAxisRect* m_mainRect;
    LandscapeSurface* m_surface = nullptr;
    QPlainTextEdit* m_summary;
    Json m_surfaceResult; // the 2-D landscape the surface would show
    std::vector<AnalysisRecord> m_records;
    std::int64_t m_shown = 0;
    bool m_fixedRanges = false; // the drawing set its axes' ranges itself
    int m_contourCount = 0;
    int m_panelCount = 0;
    QString m_expected; // expectResult's kind, until it arrives
};

} // namespace ps
