#pragma once
// The one way to include QCustomPlot here. qcustomplot.h is written with Qt's keyword macros
// (`signals`, `foreach`), which ParamScope turns off with QT_NO_KEYWORDS; this lends it the two
// words for the length of the include only.

#if defined(QT_NO_KEYWORDS) && !defined(signals)
#define signals Q_SIGNALS
#define foreach Q_FOREACH
#include <qcustomplot.h>
#undef signals
#undef foreach
#else
#include <qcustomplot.h>
#endif
