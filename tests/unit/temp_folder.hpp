// A fresh folder under /tmp for one test, removed with everything in it at the end:
//
//   test_helpers::TempFolder dir;
//   LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none);
//   ...
//   BOOST_TEST(test_helpers::snapshot(dir.path).empty());
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>

namespace test_helpers {

struct TempFolder {
  std::filesystem::path path;
  TempFolder() {
    char name[] = "/tmp/s3dest-test-XXXXXX";
    if (!::mkdtemp(name)) throw std::runtime_error("cannot create a folder under /tmp");
    path = name;
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
};

// Every entry under `root` (files with their bytes, folders as "/"), hidden ones too, by
// their path relative to `root`.
inline std::map<std::string, std::string> snapshot(const std::filesystem::path& root) {
  std::map<std::string, std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    const std::string name = std::filesystem::relative(entry.path(), root).string();
    if (entry.is_directory()) {
      found[name] = "/";
    } else {
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      found[name] = bytes.str();
    }
  }
  return found;
}

}  // namespace test_helpers
