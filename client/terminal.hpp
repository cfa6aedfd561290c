// What the CLI asks about the terminal it writes to: whether a stream is an interactive terminal,
// how wide it is, and whether colour is welcome there (NO_COLOR, https://no-color.org).
#pragma once

#include <cstdio>

namespace tandem::client {

// True when `stream` is a terminal and TERM is not "dumb": the place for progress lines and
// cursor movement. False for pipes, files and closed streams.
bool is_interactive(std::FILE* stream);

// The terminal's width in columns, or 80 when `stream` is not a terminal or will not say.
int terminal_width(std::FILE* stream);

// True when `stream` is interactive and NO_COLOR is unset or empty.
bool colour_enabled(std::FILE* stream);

}  // namespace tandem::client
