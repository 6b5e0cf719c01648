#define BOOST_TEST_MODULE whole_io
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <thread>
#include <vector>

#include "s3dest/core/whole_io.hpp"
#include "temp_folder.hpp"

using namespace s3dest;

namespace {

void on_alarm(int) {}

// SIGALRM every millisecond, without SA_RESTART, so a blocked write() returns early: cut
// short after some bytes, or EINTR before any.
struct AlarmEveryMillisecond {
  struct sigaction before {};
  AlarmEveryMillisecond() {
    struct sigaction action {};
    action.sa_handler = on_alarm;
    sigemptyset(&action.sa_mask);
    sigaction(SIGALRM, &action, &before);
    const itimerval every{{0, 1000}, {0, 1000}};
    setitimer(ITIMER_REAL, &every, nullptr);
  }
  ~AlarmEveryMillisecond() {
    const itimerval off{};
    setitimer(ITIMER_REAL, &off, nullptr);
    sigaction(SIGALRM, &before, nullptr);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(every_byte_arrives_through_a_slow_pipe_under_signals) {
  int pipe_ends[2];
  BOOST_REQUIRE(::pipe(pipe_ends) == 0);
  std::string bytes(4 << 20, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 131 % 251);

  std::string received;
  std::thread reader([&] {
    char piece[4096];
    for (ssize_t n; (n = ::read(pipe_ends[0], piece, sizeof piece)) != 0;) {
      if (n > 0) received.append(piece, static_cast<size_t>(n));
      std::this_thread::yield();
    }
  });
  int written;
  {
    AlarmEveryMillisecond alarms;
    written = write_all(pipe_ends[1], bytes);
  }
  ::close(pipe_ends[1]);
  reader.join();
  ::close(pipe_ends[0]);
  BOOST_TEST(written == 0);
  BOOST_TEST(received.size() == bytes.size());
  BOOST_TEST((received == bytes));
}

BOOST_AUTO_TEST_CASE(a_full_disk_is_told_by_its_errno) {
  const int fd = ::open("/dev/full", O_WRONLY | O_CLOEXEC);
  BOOST_REQUIRE(fd >= 0);
  BOOST_TEST(write_all(fd, "some bytes") == ENOSPC);
  ::close(fd);
  BOOST_TEST(write_all(-1, "some bytes") == EBADF);
}

BOOST_AUTO_TEST_CASE(a_range_is_read_whole_or_said_to_end_early) {
  test_helpers::TempFolder dir;
  const std::string path = (dir.path / "ten").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  BOOST_REQUIRE(fd >= 0);
  BOOST_REQUIRE(write_all(fd, "0123456789") == 0);

  char out[8] = {};
  BOOST_TEST(read_exactly_at(fd, 3, out, 4) == 0);
  BOOST_TEST(std::string(out, 4) == "3456");
  // The file ends two bytes short of the range: a file cut while it was read.
  BOOST_TEST(read_exactly_at(fd, 4, out, 8) == ENODATA);
  BOOST_TEST(read_exactly_at(fd, 0, out, 0) == 0);
  ::close(fd);
  BOOST_TEST(read_exactly_at(fd, 0, out, 4) == EBADF);
}

BOOST_AUTO_TEST_CASE(a_range_is_visited_a_mebibyte_at_a_time_until_the_visitor_stops) {
  test_helpers::TempFolder dir;
  const std::string path = (dir.path / "big").string();
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  BOOST_REQUIRE(fd >= 0);
  std::string bytes(5 << 19, '\0');  // 2.5 MiB
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i % 253);
  BOOST_REQUIRE(write_all(fd, bytes) == 0);

  std::string seen;
  std::vector<size_t> blocks;
  BOOST_TEST(read_in_blocks(fd, 7, bytes.size() - 7, [&](std::string_view block) {
               seen.append(block);
               blocks.push_back(block.size());
               return true;
             }) == 0);
  BOOST_TEST((seen == bytes.substr(7)));
  BOOST_TEST((blocks == std::vector<size_t>{1 << 20, 1 << 20, (1 << 19) - 7}));

  size_t visits = 0;
  BOOST_TEST(read_in_blocks(fd, 0, bytes.size(), [&](std::string_view) { return ++visits < 2; }) == 0);
  BOOST_TEST(visits == 2u);
  // Past the file's end, after the blocks that were there.
  blocks.clear();
  BOOST_TEST(read_in_blocks(fd, 0, bytes.size() + 1, [&](std::string_view block) {
               blocks.push_back(block.size());
               return true;
             }) == ENODATA);
  BOOST_TEST((blocks == std::vector<size_t>{1 << 20, 1 << 20}));
  BOOST_TEST(read_failure_text(ENODATA) == "it ended early");
  ::close(fd);
}
