#define BOOST_TEST_MODULE local_folder_sink
#include <boost/test/unit_test.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "s3dest/sink/local_folder.hpp"

using namespace s3dest;
namespace fs = std::filesystem;

namespace {

// A fresh folder, removed at the end of the test.
struct TempFolder {
  fs::path path;
  TempFolder() {
    char name[] = "/tmp/s3dest-local-sink-XXXXXX";
    path = ::mkdtemp(name);
  }
  ~TempFolder() { fs::remove_all(path); }
};

void write_file(const fs::path& file, const std::string& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << bytes;
}

// Every entry under `root` (files with their bytes, folders as "/"), hidden ones too.
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> entries;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string name = fs::relative(entry.path(), root).string();
    if (entry.is_directory()) {
      entries[name] = "/";
    } else {
      std::ifstream in(entry.path(), std::ios::binary);
      std::ostringstream bytes;
      bytes << in.rdbuf();
      entries[name] = bytes.str();
    }
  }
  return entries;
}

NewObject object(std::string key, bool existed = false, ExistingObjects if_exists = ExistingObjects::replace) {
  NewObject o;
  o.key = std::move(key);
  o.prior = existed;
  o.if_exists = if_exists;
  return o;
}

ObjectInfo put(ObjectSink& sink, const NewObject& o, const std::string& bytes) {
  auto writer = sink.create(o);
  BOOST_TEST_REQUIRE(writer.ok(), writer.status().message());
  BOOST_TEST_REQUIRE((*writer)->write(bytes).ok());
  auto info = (*writer)->commit();
  BOOST_TEST_REQUIRE(info.ok(), info.status().message());
  return *info;
}

}  // namespace

BOOST_AUTO_TEST_CASE(objects_appear_only_when_the_run_is_published) {
  TempFolder dir;
  LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::crc32c, "20261201T224412Z-5f3a9c1e");
  put(sink, object("a/b/x.csv"), "x\n");
  put(sink, object("a/y.csv"), "y\n");
  // Staged beside their final names, under names cleanup recognises.
  BOOST_TEST(!fs::exists(dir.path / "a/b/x.csv"));
  for (const auto& [name, bytes] : snapshot(dir.path))
    if (bytes != "/") BOOST_TEST(is_local_temp_file_name(fs::path(name).filename().string()), name);
  BOOST_REQUIRE(sink.publish().ok());
  BOOST_TEST((snapshot(dir.path) == std::map<std::string, std::string>{
                  {"a", "/"}, {"a/b", "/"}, {"a/b/x.csv", "x\n"}, {"a/y.csv", "y\n"}}));
}

BOOST_AUTO_TEST_CASE(a_rolled_back_run_leaves_the_folder_exactly_as_it_found_it) {
  TempFolder dir;
  write_file(dir.path / "a/old.csv", "old\n");
  write_file(dir.path / "a/x.csv", "earlier run\n");
  const auto before = snapshot(dir.path);
  LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none);
  put(sink, object("a/x.csv", true), "this run\n");
  put(sink, object("a/new/y.csv"), "y\n");
  auto open = sink.create(object("b/z.csv"));  // still open when the run fails
  BOOST_REQUIRE(open.ok());
  BOOST_REQUIRE((*open)->write("z").ok());
  (*open)->abort();
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.removed == 2u);
  BOOST_TEST(undone.replaced.empty());
  BOOST_TEST((snapshot(dir.path) == before));  // same files, same bytes, no new folder
}

BOOST_AUTO_TEST_CASE(list_sees_what_was_there_before_the_run_only) {
  TempFolder dir;
  write_file(dir.path / "p/part-00001.csv", "1");
  write_file(dir.path / "p/part-00002.csv", "2");
  write_file(dir.path / "p/other.csv", "o");
  fs::create_directories(dir.path / "p/part-folder");
  LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none);
  auto listed = sink.list("p/part-");
  BOOST_REQUIRE(listed.ok());
  BOOST_TEST((*listed == std::vector<std::string>{"p/part-00001.csv", "p/part-00002.csv"}));
  put(sink, object("p/part-00003.csv"), "3");
  BOOST_REQUIRE(sink.publish().ok());
  BOOST_TEST(sink.list("p/part-")->size() == 2u);  // the first listing stands for the run
  BOOST_TEST(sink.list("missing/folder/x")->empty());
}

BOOST_AUTO_TEST_CASE(keep_never_replaces_a_file_that_appeared_during_the_run) {
  TempFolder dir;
  LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none);
  put(sink, object("a/first.csv", false, ExistingObjects::keep), "mine\n");
  put(sink, object("a/x.csv", false, ExistingObjects::keep), "mine\n");
  write_file(dir.path / "a/x.csv", "another writer's\n");  // after the listing said it was free
  const Status published = sink.publish();
  BOOST_TEST(!published.ok());
  BOOST_TEST(published.message().find("existing_objects is \"keep\"") != std::string::npos);
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.replaced.empty());
  BOOST_TEST((snapshot(dir.path) == std::map<std::string, std::string>{{"a", "/"}, {"a/x.csv", "another writer's\n"}}));
}

BOOST_AUTO_TEST_CASE(replace_reports_a_file_that_appeared_during_the_run_and_never_deletes_it) {
  TempFolder dir;
  LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none);
  put(sink, object("x.csv"), "mine\n");
  write_file(dir.path / "x.csv", "another writer's\n");
  BOOST_REQUIRE(sink.publish().ok());
  const RollbackReport undone = sink.rollback();  // e.g. a later step of the run failed
  BOOST_TEST(undone.replaced.size() == 1u);
  BOOST_TEST(fs::exists(dir.path / "x.csv"));
  BOOST_TEST(undone.text().find("already been replaced") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_name_too_long_for_the_temporary_suffix_still_gets_a_temporary_file) {
  TempFolder dir;
  LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none);
  const std::string name(250, 'n');
  put(sink, object("f/" + name), "long\n");
  BOOST_REQUIRE(sink.publish().ok());
  BOOST_TEST(fs::exists(dir.path / "f" / name));
}

BOOST_AUTO_TEST_CASE(temporary_file_names_are_told_apart_from_data) {
  BOOST_TEST(is_local_temp_file_name(".part-00001.csv.s3dest-20261201T224412Z-5f3a9c1e-12.tmp"));
  BOOST_TEST(is_local_temp_file_name(".x.s3dest-5f3a9c1e-1.tmp"));
  BOOST_TEST(!is_local_temp_file_name("part-00001.csv"));
  BOOST_TEST(!is_local_temp_file_name(".part-00001.csv.s3dest-nope-1.tmp"));
  BOOST_TEST(!is_local_temp_file_name(".part.s3dest-20261201T224412Z-5f3a9c1e-.tmp"));
  BOOST_TEST(!is_local_temp_file_name("x.s3dest-20261201T224412Z-5f3a9c1e-1.tmp"));
}
