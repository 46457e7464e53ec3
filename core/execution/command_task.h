#pragma once
// "command": any program as the task. The trial's parameters go into its arguments, its
// environment and a JSON file; its metrics come back as JSON lines on its standard output
// ({"step": 3, "val_loss": 0.41}); its standard error is the trial's log. POSIX only, no Qt.

#include "core/execution/task.h"

#include <functional>
#include <optional>
#include <string>

namespace ps {

TaskSpec commandTaskSpec();
std::unique_ptr<Task> makeCommandTask();

// Replaces the placeholders in `text`: "{name}" becomes resolve(name) ({{ and }} are literal
// braces). Returns nullopt and sets `error` when a brace is unclosed or resolve refuses a
// name (resolve returns nullopt and sets `error`).
std::optional<std::string> expandPlaceholders(
    const std::string& text,
    const std::function<std::optional<std::string>(const std::string& name, std::string& error)>&
        resolve,
    std::string& error);

} // namespace ps
