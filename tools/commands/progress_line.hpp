// A load's progress on a terminal: one line on standard error, redrawn in place at most
// four times a second, cut to the terminal's width (a wrapped line could not be redrawn),
// and wiped when the load ends, so that the summary or an error stands alone.
#pragma once

#include <sys/ioctl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

#include "s3dest/destination/load.hpp"
#include "s3dest/destination/progress_text.hpp"

namespace s3dest::tool {

class ProgressLine {
 public:
  // `uploading`: the objects go to S3 (bytes uploaded and requests in flight are shown).
  ProgressLine(bool enabled, bool uploading)
      : enabled_(enabled), uploading_(uploading), start_(std::chrono::steady_clock::now()) {}
  ~ProgressLine() { end(); }
  ProgressLine(const ProgressLine&) = delete;
  ProgressLine& operator=(const ProgressLine&) = delete;

  void show(const LoadProgress& progress) {
    if (!enabled_ || progress.finished) return;
    const auto now = std::chrono::steady_clock::now();
    if (shown_ && now - last_ < std::chrono::milliseconds(250)) return;
    last_ = now;
    std::string line = "s3dest: " + progress_text(progress, std::chrono::duration<double>(now - start_).count(), uploading_);
    if (const size_t width = terminal_width(); width > 1 && line.size() >= width) line.resize(width - 1);
    // \r back to the line's start, \033[K (erase to the end of the line) for a shorter line.
    std::fprintf(stderr, "\r%s\033[K", line.c_str());
    std::fflush(stderr);
    shown_ = true;
  }

  // Wipes the line; nothing more is shown.
  void end() {
    if (shown_) std::fputs("\r\033[K", stderr);
    shown_ = false;
    enabled_ = false;
  }

 private:
  // 0 when standard error is not a terminal (--progress into a file or a pipe): uncut.
  static size_t terminal_width() {
    winsize size{};
    return ::ioctl(2, TIOCGWINSZ, &size) == 0 ? size.ws_col : 0;
  }

  bool enabled_;
  bool uploading_;
  bool shown_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

}  // namespace s3dest::tool
