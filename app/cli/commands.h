#pragma once
// The subcommands of paramscope-cli; each returns the process exit code.

namespace ps::cli {

int runCommand(int argc, char** argv);
int statusCommand(int argc, char** argv);
int exportCommand(int argc, char** argv);
int analyzeCommand(int argc, char** argv);
int controlCommand(int argc, char** argv);
int retryCommand(int argc, char** argv);

} // namespace ps::cli
