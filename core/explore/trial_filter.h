#pragma once
// The explorer's one filter: an expression over a trial's parameters, final metrics, state and
// number that every view applies, e.g.
//   val_loss < 0.5 and optimizer.kind == "adam"
//   state in ["COMPLETE", "PRUNED"] and not (model.width >= 512 or lr > 1e-2)
// Names are parameters first, then final metrics; `state` (COMPLETE, PRUNED, ...) and `number`
// are the trial's own. Comparisons: < <= > >= == != and `in [list]`; `and`, `or`, `not` and
// parentheses; numbers, "strings" or 'strings', true and false. A value a trial does not have
// (an inactive parameter, a metric not reported) makes its comparison false, so
// `not (x > 1)` keeps those trials. Plain C++; parse once, match from any thread.

#include "core/study/trial.h"

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace ps {

// A filter that does not parse: what is wrong and at which character (0-based).
class FilterError : public std::invalid_argument {
public:
    FilterError(const std::string& message, std::size_t position)
        : std::invalid_argument(message + " (at character " + std::to_string(position + 1) + ")"),
          m_position(position) {}
    std::size_t position() const { return m_position; }

private:
    std::size_t m_position;
};

class TrialFilter {
public:
    TrialFilter() = default; // matches every trial
    // Throws FilterError. Blank text gives the filter that matches every trial.
    static TrialFilter parse(const std::string& text);

    bool matches(const Trial& trial) const;
    bool empty() const { return !m_root; }
    const std::string& text() const { return m_text; }
    // The names it reads, in order of appearance (once each): to tell the user which of them
    // no trial has.
    const std::vector<std::string>& names() const { return m_names; }

    struct Node;

private:
    std::shared_ptr<const Node> m_root;
    std::string m_text;
    std::vector<std::string> m_names;
};

} // namespace ps
