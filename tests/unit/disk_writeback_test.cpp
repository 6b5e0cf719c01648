#define BOOST_TEST_MODULE disk_writeback
#include <boost/test/unit_test.hpp>

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <string>

#include "s3dest/sink/disk_writeback.hpp"
#include "temp_folder.hpp"

using namespace s3dest;

namespace {

size_t open_descriptors() {
  size_t count = 0;
  DIR* folder = ::opendir("/proc/self/fd");
  BOOST_REQUIRE(folder != nullptr);
  while (::readdir(folder) != nullptr) ++count;
  ::closedir(folder);
  return count;
}

// A file with `bytes` just written (in the page cache, not yet on disk); its descriptor.
int file_with_new_bytes(const std::string& path, size_t bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  BOOST_REQUIRE(fd >= 0);
  const std::string block(bytes, 'x');
  BOOST_REQUIRE(::write(fd, block.data(), block.size()) == static_cast<ssize_t>(block.size()));
  return fd;
}

}  // namespace

BOOST_AUTO_TEST_CASE(files_may_be_closed_at_once_and_no_descriptor_is_left_open) {
  test_helpers::TempFolder dir;
  const std::string path = (dir.path / "part.csv").string();
  const size_t before = open_descriptors();
  {
    DiskWriteback writeback;
    // Far more starts than may wait: the ones past that are dropped, each copy closed.
    for (int file = 0; file < 200; ++file) {
      const int fd = file_with_new_bytes(path, 64 << 10);
      writeback.start(fd, 0, DiskWriteback::kStartEveryBytes);
      writeback.start(fd, 0, 0);
      ::close(fd);  // as a writer does at commit, before its writeback has run
    }
    writeback.start(-1, 0, 0);  // nothing to copy: ignored
  }
  BOOST_TEST(open_descriptors() == before);
}
