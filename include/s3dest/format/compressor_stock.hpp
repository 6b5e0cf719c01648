// The compressors of a format's files: made by its factory, and those of files that are
// done kept (a few) to be begun again for the next file rather than made anew. A zstd
// stream with workers starts its threads and maps its buffers (15 MB at level 3 on two
// cores) when made, which a year of daily files did 365 times. What is kept holds no
// more than the open files it came from were counted for, since a file takes a kept one
// before a new one is made.
//
//   CompressorStock compressors(factory);          // one per format, shared by its files
//   std::unique_ptr<Compressor> c = compressors.take();
//   ... c->begin(out) ... c->finish() ...
//   compressors.give_back(std::move(c));           // the next file's take() begins it again
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "s3dest/format/compressor.hpp"

namespace s3dest {

class CompressorStock {
 public:
  explicit CompressorStock(CompressorFactory factory) : factory_(std::move(factory)) {}
  CompressorStock(const CompressorStock&) = delete;
  CompressorStock& operator=(const CompressorStock&) = delete;

  const CompressorFactory& factory() const { return factory_; }
  // A compressor to begin a stream on: a kept one, else a new one.
  std::unique_ptr<Compressor> take();
  // Done with `compressor` (its stream finished or abandoned; the next begin() drops it).
  void give_back(std::unique_ptr<Compressor> compressor);

 private:
  static constexpr size_t kKept = 4;
  const CompressorFactory factory_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<Compressor>> kept_;
};

inline std::unique_ptr<Compressor> CompressorStock::take() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!kept_.empty()) {
      std::unique_ptr<Compressor> compressor = std::move(kept_.back());
      kept_.pop_back();
      return compressor;
    }
  }
  return factory_.make();
}

inline void CompressorStock::give_back(std::unique_ptr<Compressor> compressor) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (compressor && kept_.size() < kKept) kept_.push_back(std::move(compressor));
}

}  // namespace s3dest
