#pragma once
// Light and dark themes. A theme is a Fusion palette for the whole application plus the
// colours of every QCustomPlot drawn from that palette (background, axes, ticks, grid, legend),
// so the plots follow the widgets. Plots made after a switch are styled as they are first
// shown (an application event filter); views that add axes to a plot later restyle it with
// stylePlot(). The exports (paramscope-cli export) never see a theme: they stay light, as
// papers are.

#include <QPalette>
#include <QString>
#include <optional>

class QCustomPlot;

namespace ps {

enum class Theme { Light, Dark };

QString themeName(Theme theme); // "light", "dark"
std::optional<Theme> themeFromName(const QString& name);
QPalette themePalette(Theme theme);

// Sets the palette and the Fusion style on the running QApplication and restyles every plot.
void applyTheme(Theme theme);
// The theme applyTheme() last set (Light before any).
Theme currentTheme();
// True when the application's palette has a dark base: views that pick their own colours
// (state colours of the trial table) choose the dark variants then.
bool darkPalette();

// Colours a plot from a palette: its background, every axis rect's axes, grid and labels,
// colour scales and legends.
void stylePlot(QCustomPlot* plot, const QPalette& palette);

} // namespace ps
