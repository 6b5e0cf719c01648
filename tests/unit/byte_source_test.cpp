#define BOOST_TEST_MODULE byte_source
#include <boost/test/unit_test.hpp>

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <thread>

#include <unistd.h>

#include "s3dest/core/byte_source.hpp"
#include "s3dest/core/rereadable_source.hpp"
#include "gzip_helpers.hpp"

using s3dest::ByteSource;

namespace {

using test_helpers::gzip;

// A file in the temp folder, removed at the end of the test.
struct TempFile {
  std::string path;
  explicit TempFile(const std::string& name, const std::string& bytes)
      : path((std::filesystem::temp_directory_path() / ("s3dest_byte_source_" + name)).string()) {
    std::ofstream(path, std::ios::binary) << bytes;
  }
  ~TempFile() { std::remove(path.c_str()); }
};


// Reads everything with reads of at most `cap` bytes.
std::string read_all(ByteSource& source, size_t cap = 1 << 20) {
  std::string out, buf(cap, '\0');
  for (;;) {
    auto n = source.read(&buf[0], cap);
    BOOST_REQUIRE_MESSAGE(n.ok(), n.status().message());
    if (*n == 0) return out;
    out.append(buf.data(), *n);
  }
}

std::string random_text(size_t size) {
  std::mt19937 rng(42);
  std::string s;
  for (size_t i = 0; i < size; ++i) s.push_back(i % 80 == 79 ? '\n' : static_cast<char>('a' + rng() % 26));
  return s;
}

}  // namespace

BOOST_AUTO_TEST_CASE(reads_a_plain_file) {
  TempFile file("plain.ndjson", "{\"a\":1}\n{\"a\":2}\n");
  auto source = ByteSource::open(file.path);
  BOOST_REQUIRE(source.ok());
  BOOST_TEST((*source)->name() == file.path);
  BOOST_TEST(read_all(**source, 3) == "{\"a\":1}\n{\"a\":2}\n");
  BOOST_TEST(!(*source)->gzip());
}

BOOST_AUTO_TEST_CASE(gzip_is_recognised_by_its_magic_bytes_not_its_name) {
  const std::string text = random_text(3 << 20);  // several 1 MiB blocks
  TempFile file("compressed.ndjson", gzip(text));  // no .gz suffix
  auto source = ByteSource::open(file.path);
  BOOST_REQUIRE(source.ok());
  BOOST_TEST(read_all(**source) == text);
  BOOST_TEST((*source)->gzip());
}

BOOST_AUTO_TEST_CASE(small_reads_of_gzip_data) {
  const std::string text = random_text(100000);
  auto source = ByteSource::from_string(gzip(text), "mem.gz");
  BOOST_TEST(read_all(*source, 7) == text);
}

BOOST_AUTO_TEST_CASE(concatenated_gzip_members_are_one_stream) {
  // As `cat a.gz b.gz > c.gz` makes, and gzip -d reads.
  auto source = ByteSource::from_string(gzip("first\n") + gzip("") + gzip("second\n"), "cat.gz");
  BOOST_TEST(read_all(*source) == "first\nsecond\n");
}

BOOST_AUTO_TEST_CASE(zero_padding_after_gzip_is_ignored) {
  auto source = ByteSource::from_string(gzip("data\n") + std::string(512, '\0'), "padded.gz");
  BOOST_TEST(read_all(*source) == "data\n");
}

BOOST_AUTO_TEST_CASE(corrupt_gzip_is_an_input_error_naming_the_file) {
  std::string bytes = gzip(random_text(10000));
  for (size_t i = 20; i < 40; ++i) bytes[i] = static_cast<char>(bytes[i] ^ 0x5a);
  auto source = ByteSource::from_string(bytes, "broken.gz");
  std::string buf(1 << 20, '\0');
  s3dest::Status status;
  for (;;) {
    auto n = source->read(&buf[0], buf.size());
    if (!n.ok()) {
      status = n.status();
      break;
    }
    BOOST_REQUIRE(*n != 0);
  }
  BOOST_TEST(status.exit_code() == 3);
  BOOST_TEST(status.message().rfind("broken.gz: ", 0) == 0, status.message());
  BOOST_TEST(status.message().find("gzip -t") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(truncated_gzip_is_an_input_error) {
  const std::string bytes = gzip(random_text(10000));
  auto source = ByteSource::from_string(bytes.substr(0, bytes.size() / 2), "cut.gz");
  std::string buf(1 << 20, '\0');
  auto first = source->read(&buf[0], buf.size());
  auto status = first.ok() ? source->read(&buf[0], buf.size()).status() : first.status();
  BOOST_TEST(status.exit_code() == 3);
  BOOST_TEST(status.message() ==
             "cut.gz: the gzip data ends early (truncated file?); check it with gzip -t");
}

BOOST_AUTO_TEST_CASE(garbage_after_gzip_is_an_input_error) {
  auto source = ByteSource::from_string(gzip("data\n") + "trailing", "junk.gz");
  std::string buf(64, '\0');
  auto n = source->read(&buf[0], buf.size());
  if (n.ok()) n = source->read(&buf[0], buf.size());
  BOOST_REQUIRE(!n.ok());
  BOOST_TEST(n.status().exit_code() == 3);
  BOOST_TEST(n.status().message().find("junk.gz: unexpected data after the end of the gzip stream") == 0);
}

BOOST_AUTO_TEST_CASE(a_missing_file_is_a_usage_error_that_names_it) {
  auto source = ByteSource::open("/nonexistent/dir/events.ndjson");
  BOOST_REQUIRE(!source.ok());
  BOOST_TEST(source.status().exit_code() == 2);
  BOOST_TEST(source.status().message() ==
             "cannot open input '/nonexistent/dir/events.ndjson': No such file or directory; check the "
             "path (use - for standard input)");
}

BOOST_AUTO_TEST_CASE(a_directory_is_a_usage_error) {
  auto source = ByteSource::open(std::filesystem::temp_directory_path().string());
  BOOST_REQUIRE(!source.ok());
  BOOST_TEST(source.status().exit_code() == 2);
  BOOST_TEST(source.status().message().find("is a directory") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(dash_is_standard_input) {
  auto source = ByteSource::open("-");
  BOOST_REQUIRE(source.ok());
  BOOST_TEST((*source)->name() == "stdin");
}

BOOST_AUTO_TEST_CASE(a_raised_stop_flag_ends_the_wait_on_a_silent_pipe) {
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  const std::string path = "/dev/fd/" + std::to_string(fds[0]);
  s3dest::StopFlag stop;
  auto source = ByteSource::open(path, &stop);
  BOOST_REQUIRE(source.ok());
  BOOST_REQUIRE(::write(fds[1], "ab", 2) == 2);
  char buf[8];
  auto first = (*source)->read(buf, sizeof buf);  // data is read as it comes
  BOOST_REQUIRE(first.ok());
  BOOST_TEST(std::string(buf, *first) == "ab");
  std::thread raiser([&stop] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    stop.raise("SIGINT");
  });
  auto waited = (*source)->read(buf, sizeof buf);  // nothing more, and the writer stays open
  raiser.join();
  BOOST_REQUIRE(!waited.ok());
  BOOST_TEST((waited.status().kind() == s3dest::ErrorKind::interrupted));
  ::close(fds[1]);
  ::close(fds[0]);
}

BOOST_AUTO_TEST_CASE(empty_and_one_byte_inputs_are_plain) {
  auto empty = ByteSource::from_string("", "empty");
  BOOST_TEST(read_all(*empty).empty());
  auto one = ByteSource::from_string("\x1f", "one");  // half a magic number is just data
  BOOST_TEST(read_all(*one) == "\x1f");
}

BOOST_AUTO_TEST_CASE(a_pipe_read_twice_from_its_start) {
  // As a load reads standard input: its first rows for the schema, then all of it.
  int fds[2];
  BOOST_REQUIRE(::pipe(fds) == 0);
  const std::string text = random_text(200000);
  std::thread writer([&] {
    for (size_t at = 0; at < text.size(); at += 4096)
      if (::write(fds[1], text.data() + at, std::min<size_t>(4096, text.size() - at)) <= 0) break;  // the test fails
    ::close(fds[1]);
  });
  auto pipe = ByteSource::open("/dev/fd/" + std::to_string(fds[0]));
  BOOST_REQUIRE(pipe.ok());
  s3dest::RereadableSource input(std::move(*pipe));
  auto first = input.first_reading();
  BOOST_TEST(first->name() == "/dev/fd/" + std::to_string(fds[0]));
  std::string head(10000, '\0');
  size_t got = 0;
  while (got < head.size()) {
    auto n = first->read(&head[got], head.size() - got);
    BOOST_REQUIRE(n.ok());
    BOOST_REQUIRE(*n > 0);
    got += *n;
  }
  BOOST_TEST(head == text.substr(0, head.size()));
  first.reset();
  auto second = input.second_reading();
  BOOST_TEST(read_all(*second, 777) == text);  // the kept bytes, then the rest
  writer.join();
  ::close(fds[0]);
}
