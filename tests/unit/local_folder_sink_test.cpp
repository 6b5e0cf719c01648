#define BOOST_TEST_MODULE local_folder_sink
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <map>
#include <string>

#include "s3dest/sink/local_folder.hpp"
#include "sink_helpers.hpp"
#include "temp_folder.hpp"

using namespace s3dest;
namespace fs = std::filesystem;

namespace {

using test_helpers::committed;
using test_helpers::new_object;
using test_helpers::snapshot;
using test_helpers::TempFolder;

void write_file(const fs::path& file, const std::string& bytes) {
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << bytes;
}

// The keys sink.list(prefix) visits, in its order.
std::vector<std::string> listed_keys(LocalFolderSink& sink, const std::string& prefix) {
  std::vector<std::string> keys;
  BOOST_REQUIRE(sink.list(prefix, [&keys](std::string_view key) {
                      keys.emplace_back(key);
                      return Status();
                    }).ok());
  return keys;
}

}  // namespace

BOOST_AUTO_TEST_CASE(open_objects_are_held_to_the_file_descriptors_the_process_may_have) {
  rlimit before{};
  BOOST_REQUIRE(::getrlimit(RLIMIT_NOFILE, &before) == 0);
  BOOST_REQUIRE_MESSAGE(before.rlim_cur >= 300, "this test needs ulimit -n of 300 or more");
  rlimit lower = before;
  lower.rlim_cur = std::min<rlim_t>(before.rlim_cur, 1000);
  BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &lower) == 0);
  TempFolder root;
  LocalFolderSink sink(root.path.string(), ChecksumAlgorithm::none);
  const size_t at_1000 = sink.max_open_objects();
  BOOST_REQUIRE(::setrlimit(RLIMIT_NOFILE, &before) == 0);
  BOOST_TEST(at_1000 == static_cast<size_t>(lower.rlim_cur) - 128);  // the rest for inputs, spill files, sockets
}

BOOST_AUTO_TEST_CASE(objects_appear_only_when_the_run_is_published) {
  TempFolder dir;
  LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::crc32c, "20261201T224412Z-5f3a9c1e");
  committed(sink, new_object("a/b/x.csv"), "x\n");
  committed(sink, new_object("a/y.csv"), "y\n");
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
  committed(sink, new_object("a/x.csv", true), "this run\n");
  committed(sink, new_object("a/new/y.csv"), "y\n");
  auto open = sink.create(new_object("b/z.csv"));  // still open when the run fails
  BOOST_REQUIRE(open.ok());
  BOOST_REQUIRE((*open)->write("z").ok());
  (*open)->abort();
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.removed == 2u);
  BOOST_TEST(undone.replaced.empty());
  BOOST_TEST((snapshot(dir.path) == before));  // same files, same bytes, no new folder
}

BOOST_AUTO_TEST_CASE(files_made_on_the_sinks_thread_hold_every_byte_in_order) {
  // A year of daily files open at once, as a load by day has them: each begins with a
  // few bytes (written before its file may exist), then grows in pieces small and large.
  TempFolder dir;
  LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::crc32c);
  struct Open {
    std::string key, bytes;
    std::unique_ptr<ObjectWriter> writer;
  };
  std::vector<Open> files;
  for (int day = 0; day < 365; ++day) {
    const std::string key = "2026/" + std::to_string(day / 31) + "/" + std::to_string(day) + ".parquet";
    auto created = sink.create(new_object(key));
    BOOST_REQUIRE(created.ok());
    BOOST_REQUIRE((*created)->write("PAR1").ok());
    files.push_back({key, "PAR1", std::move(*created)});
  }
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < files.size(); ++i) {
      const std::string piece(round == 1 ? 70000 : 3, static_cast<char>('a' + (i + round) % 26));
      BOOST_REQUIRE(files[i].writer->write(piece).ok());
      files[i].bytes += piece;
    }
  }
  for (Open& file : files) {
    const auto info = file.writer->commit();
    BOOST_REQUIRE(info.ok());
    BOOST_TEST(info->bytes == file.bytes.size());
  }
  BOOST_REQUIRE(sink.publish().ok());
  for (const Open& file : files) {
    std::ifstream in(dir.path / file.key, std::ios::binary);
    const std::string read((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    BOOST_TEST((read == file.bytes), file.key);
  }
}

BOOST_AUTO_TEST_CASE(list_sees_what_was_there_before_the_run_only) {
  TempFolder dir;
  write_file(dir.path / "p/part-00001.csv", "1");
  write_file(dir.path / "p/part-00002.csv", "2");
  write_file(dir.path / "p/other.csv", "o");
  fs::create_directories(dir.path / "p/part-folder");
  LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none);
  const auto listed = [&sink](const std::string& prefix) { return listed_keys(sink, prefix); };
  BOOST_TEST((listed("p/part-") == std::vector<std::string>{"p/part-00001.csv", "p/part-00002.csv"}));
  committed(sink, new_object("p/part-00003.csv"), "3");
  BOOST_REQUIRE(sink.publish().ok());
  BOOST_TEST(listed("p/part-").size() == 2u);  // the first listing stands for the run
  BOOST_TEST(listed("missing/folder/x").empty());
}

BOOST_AUTO_TEST_CASE(the_names_kept_of_a_big_folder_are_held_to_the_listing_budget) {
  // 3 KB of names, 168 bytes of them starting as the run's keys do ("rows-").
  TempFolder dir;
  for (int i = 0; i < 50; ++i) write_file(dir.path / "p" / ("other-" + std::to_string(i) + ".csv"), "o");
  for (const char* name : {"rows-20260101-00001.csv", "rows-20260102-00001.csv", "rows-20260102-00002.csv"})
    write_file(dir.path / "p" / name, "1");
  // listing_bytes -> whether a file that appears after the first listing is seen by the next.
  for (const auto& [listing_bytes, kept] : std::map<uint64_t, bool>{
           {100'000, true},  // the whole folder kept
           {1'000, true},    // its names that start with "rows-"
           {100, false},     // nothing: the folder is read again for each prefix
       }) {
    BOOST_TEST_CONTEXT("listing_bytes " << listing_bytes) {
      std::filesystem::remove(dir.path / "p/rows-20260101-00002.csv");
      LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none, "", listing_bytes);
      const auto listed = [&sink](const std::string& prefix) { return listed_keys(sink, prefix); };
      BOOST_TEST((listed("p/rows-20260102-") ==
                  std::vector<std::string>{"p/rows-20260102-00001.csv", "p/rows-20260102-00002.csv"}));
      write_file(dir.path / "p/rows-20260101-00002.csv", "another writer's");
      BOOST_TEST(listed("p/rows-20260101-").size() == (kept ? 1u : 2u));
      BOOST_TEST(listed("p/other-1").size() == 11u);  // other-1, other-10 to other-19, whatever was kept
    }
  }
}

BOOST_AUTO_TEST_CASE(keep_never_replaces_a_file_that_appeared_during_the_run) {
  TempFolder dir;
  LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none);
  committed(sink, new_object("a/first.csv", false, ExistingObjects::keep), "mine\n");
  committed(sink, new_object("a/x.csv", false, ExistingObjects::keep), "mine\n");
  write_file(dir.path / "a/x.csv", "another writer's\n");  // after the listing said it was free
  const Status published = sink.publish();
  BOOST_TEST(!published.ok());
  BOOST_TEST(published.message().find("existing_objects is \"keep\"") != std::string::npos);
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.replaced.empty());
  BOOST_TEST((snapshot(dir.path) == std::map<std::string, std::string>{{"a", "/"}, {"a/x.csv", "another writer's\n"}}));
}

BOOST_AUTO_TEST_CASE(replace_puts_back_a_file_that_appeared_during_the_run_when_publishing_fails) {
  TempFolder dir;
  LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none);
  committed(sink, new_object("x.csv"), "mine\n");
  committed(sink, new_object("y.csv"), "mine\n");
  write_file(dir.path / "x.csv", "another writer's\n");
  write_file(dir.path / "y.csv/inside", "a folder where the run's file goes\n");
  const Status published = sink.publish();
  BOOST_TEST(!published.ok());
  BOOST_TEST(published.message().find("moving the finished file into place at " + (dir.path / "y.csv").string()) == 0u,
             published.message());
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.restored == 1u);
  BOOST_TEST(undone.replaced.empty());
  BOOST_TEST(undone.text() == "undone: 1 finished object of this run removed, 1 replaced object put back as it was; "
                              "nothing that existed before was lost");
  BOOST_TEST((snapshot(dir.path) == std::map<std::string, std::string>{
                  {"x.csv", "another writer's\n"}, {"y.csv", "/"}, {"y.csv/inside", "a folder where the run's file goes\n"}}));
}

BOOST_AUTO_TEST_CASE(a_name_too_long_for_the_temporary_suffix_still_gets_a_temporary_file) {
  TempFolder dir;
  LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none);
  const std::string name(250, 'n');
  committed(sink, new_object("f/" + name), "long\n");
  BOOST_REQUIRE(sink.publish().ok());
  BOOST_TEST(fs::exists(dir.path / "f" / name));
}

namespace {

// Folder (relative to `root`) -> the folders_made its temporary files name.
std::map<std::string, uint32_t> folders_made_by_folder(const fs::path& root) {
  std::map<std::string, uint32_t> named;
  for (const auto& [name, bytes] : snapshot(root)) {
    if (bytes == "/") continue;
    const auto parsed = parse_local_temp_file_name(fs::path(name).filename().string());
    BOOST_REQUIRE_MESSAGE(parsed.has_value(), name);
    named[fs::path(name).parent_path().string()] = parsed->folders_made;
  }
  return named;
}

}  // namespace

BOOST_AUTO_TEST_CASE(a_temporary_file_names_the_folders_above_it_that_the_run_made) {
  TempFolder dir;
  fs::create_directories(dir.path / "lake/there");
  LocalFolderSink sink((dir.path / "lake").string(), ChecksumAlgorithm::none, "20261201T224412Z-5f3a9c1e");
  for (const char* key : {"there/x.csv", "there/new/deeper/x.csv", "there/new/y.csv", "z.csv"})
    committed(sink, new_object(key), "x\n");
  BOOST_TEST((folders_made_by_folder(dir.path / "lake") == std::map<std::string, uint32_t>{
                  {"", 0}, {"there", 0}, {"there/new", 1}, {"there/new/deeper", 2}}));

  // A destination that did not exist is the run's too.
  LocalFolderSink fresh((dir.path / "fresh").string(), ChecksumAlgorithm::none);
  committed(fresh, new_object("a/x.csv"), "x\n");
  BOOST_TEST((folders_made_by_folder(dir.path / "fresh") == std::map<std::string, uint32_t>{{"a", 2}}));
}

BOOST_AUTO_TEST_CASE(a_file_where_a_folder_must_go_is_named_and_left_as_it_is) {
  TempFolder dir;
  write_file(dir.path / "lake/2026", "a file of the user's\n");
  LocalFolderSink sink((dir.path / "lake").string(), ChecksumAlgorithm::none);
  for (const char* key : {"2026/01/x.csv", "2026/y.csv"}) {
    // The file is made on the sink's thread: the writer tells why it could not be, by its
    // commit at the latest.
    auto created = sink.create(new_object(key));
    BOOST_REQUIRE(created.ok());
    const Status written = (*created)->write(std::string(10000, 'x'));
    BOOST_TEST(!written.ok());
    const auto committed = (*created)->commit();
    BOOST_REQUIRE(!committed.ok());
    BOOST_TEST(written.message() == committed.status().message());
    BOOST_TEST(committed.status().message() ==
               (dir.path / "lake/2026").string() + " exists and is not a folder: move it or choose another --dest");
  }
  BOOST_TEST((snapshot(dir.path) ==
              std::map<std::string, std::string>{{"lake", "/"}, {"lake/2026", "a file of the user's\n"}}));
}

namespace {

// A folder with a file the run replaces, a file it leaves, and in the way of its last
// file a folder, so that publishing fails after it has replaced one file and added one.
struct PublishCutShort {
  TempFolder dir;
  const std::string run_id = "20261201T224412Z-5f3a9c1e";
  std::map<std::string, std::string> before;

  PublishCutShort() {
    write_file(dir.path / "a/x.csv", "earlier run\n");
    write_file(dir.path / "a/old.csv", "old\n");
    write_file(dir.path / "z.csv/inside", "in the way\n");
    before = snapshot(dir.path);
  }
  // The run's three files, staged.
  static void stage(LocalFolderSink& sink) {
    committed(sink, new_object("a/x.csv", true), "this run\n");
    committed(sink, new_object("a/new/y.csv"), "y\n");
    committed(sink, new_object("z.csv"), "z\n");
  }
  // Stages and publishes the run as a process killed when its publish() returns would.
  void publish_and_get_killed() const {
    const pid_t child = ::fork();
    BOOST_REQUIRE(child >= 0);
    if (child == 0) {
      LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none, run_id);
      stage(sink);
      ::_exit(sink.publish().ok() ? 1 : 0);  // no rollback, no destructor: as SIGKILL leaves it
    }
    int status = 0;
    BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
    BOOST_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
};

}  // namespace

BOOST_AUTO_TEST_CASE(a_publish_cut_short_is_rolled_back_to_the_folder_it_found) {
  PublishCutShort folder;
  LocalFolderSink sink(folder.dir.path.string(), ChecksumAlgorithm::none);
  PublishCutShort::stage(sink);
  BOOST_TEST(!sink.publish().ok());
  BOOST_TEST(snapshot(folder.dir.path).at("a/x.csv") == "this run\n");  // replaced before the failure
  const RollbackReport undone = sink.rollback();
  BOOST_TEST(undone.restored == 1u);
  BOOST_TEST(undone.removed == 2u);
  BOOST_TEST((snapshot(folder.dir.path) == folder.before));
}

BOOST_AUTO_TEST_CASE(a_killed_publish_is_taken_back_from_its_journal) {
  PublishCutShort folder;
  const fs::path& root = folder.dir.path;
  folder.publish_and_get_killed();
  const auto left = snapshot(root);
  BOOST_TEST(left.at("a/x.csv") == "this run\n");
  BOOST_TEST(left.at("a/new/y.csv") == "y\n");
  BOOST_TEST(left.count(".s3dest-" + folder.run_id + ".publishing") == 1u);
  BOOST_TEST(left.count("a/.x.csv.s3dest-" + folder.run_id + "-1.kept.tmp") == 1u);

  const auto journals = find_publish_journals(root.string());
  BOOST_REQUIRE(journals.ok());
  BOOST_REQUIRE(journals->size() == 1u);
  BOOST_TEST(journals->front().run_id == folder.run_id);
  const fs::path copy = root.parent_path() / (root.filename().string() + ".journal");
  fs::copy_file(journals->front().path, copy);
  std::vector<std::string> told;
  const auto tell = [&](const char* what, const std::string& path) {
    told.push_back(std::string(what) + " " + fs::path(path).lexically_relative(root).string());
  };
  const auto undone = undo_killed_publish(root.string(), journals->front(), tell);
  BOOST_REQUIRE_MESSAGE(undone.ok(), undone.status().message());
  BOOST_TEST(undone->restored == 1u);
  BOOST_TEST(undone->removed == 2u);
  BOOST_TEST((told == std::vector<std::string>{"put back a/x.csv", "removed a/new/y.csv",
                                               "removed .z.csv.s3dest-" + folder.run_id + "-3.tmp",
                                               "removed .s3dest-" + folder.run_id + ".publishing"}));
  BOOST_TEST((undone->made_folders == std::map<std::string, uint32_t>{{(root / "a/new").string(), 1}}));
  remove_made_folders(undone->made_folders, [](const std::string&) {});  // the caller's part
  BOOST_TEST((snapshot(root) == folder.before));

  // Cut short and run again, it finds nothing of the run's left to take away: the file it
  // put back is not the one the journal names.
  PublishJournal again = journals->front();
  fs::copy_file(copy, again.path);
  const auto repeated = undo_killed_publish(root.string(), again, tell);
  BOOST_REQUIRE(repeated.ok());
  BOOST_TEST(repeated->restored + repeated->removed == 0u);
  BOOST_TEST((snapshot(root) == folder.before));
  fs::remove(copy);
}

BOOST_AUTO_TEST_CASE(a_file_put_in_place_since_the_killed_publish_is_never_taken_back) {
  PublishCutShort folder;
  const fs::path& root = folder.dir.path;
  folder.publish_and_get_killed();
  // A later run replaces both files the killed one had placed, as runs do: by a rename.
  for (const char* key : {"a/x.csv", "a/new/y.csv"}) {
    write_file(root / "later.tmp", "a later run's\n");
    fs::rename(root / "later.tmp", root / key);
  }
  const auto journals = find_publish_journals(root.string());
  BOOST_REQUIRE(journals.ok() && journals->size() == 1u);
  BOOST_TEST((journals->front().lock == PublishJournal::Lock::free));  // its load is gone, and its lock with it
  const auto undone = undo_killed_publish(root.string(), journals->front(), [](const char*, const std::string&) {});
  BOOST_REQUIRE_MESSAGE(undone.ok(), undone.status().message());
  BOOST_TEST(undone->restored == 0u);
  const auto now = snapshot(root);
  BOOST_TEST(now.at("a/x.csv") == "a later run's\n");
  BOOST_TEST(now.at("a/new/y.csv") == "a later run's\n");
  BOOST_TEST(now.count("a/.x.csv.s3dest-" + folder.run_id + "-1.kept.tmp") == 0u);  // out of date: gone
}

BOOST_AUTO_TEST_CASE(a_journal_whose_load_holds_its_lock_is_told_from_one_whose_load_is_gone) {
  TempFolder dir;
  write_file(dir.path / ".s3dest-5f3a9c1e.publishing", "s3dest publish journal 1\n");
  const int fd = ::open((dir.path / ".s3dest-5f3a9c1e.publishing").c_str(), O_RDONLY);
  BOOST_REQUIRE(fd >= 0);
  BOOST_REQUIRE(::flock(fd, LOCK_EX) == 0);  // as a load publishing now holds it
  auto journals = find_publish_journals(dir.path.string());
  BOOST_REQUIRE(journals.ok() && journals->size() == 1u);
  BOOST_TEST((journals->front().lock == PublishJournal::Lock::held));
  ::close(fd);
  journals = find_publish_journals(dir.path.string());
  BOOST_TEST((journals->front().lock == PublishJournal::Lock::free));
  // Created, but not yet locked and written by its load, for all that is known.
  write_file(dir.path / ".s3dest-5f3a9c1e.publishing", "");
  journals = find_publish_journals(dir.path.string());
  BOOST_TEST((journals->front().lock == PublishJournal::Lock::unknown));
}

BOOST_AUTO_TEST_CASE(a_journal_of_thousands_of_files_is_read_whole) {
  TempFolder dir;
  write_file(dir.path / "z.csv/inside", "in the way\n");
  const auto before = snapshot(dir.path);
  const pid_t child = ::fork();
  BOOST_REQUIRE(child >= 0);
  if (child == 0) {
    LocalFolderSink sink(dir.path.string(), ChecksumAlgorithm::none, "5f3a9c1e");
    for (int i = 0; i < 3000; ++i)
      committed(sink, new_object("day/part-" + std::to_string(i) + "-of-a-long-name.csv"), "x\n");
    committed(sink, new_object("z.csv"), "z\n");  // its rename fails after the others
    ::_exit(sink.publish().ok() ? 1 : 0);
  }
  int status = 0;
  BOOST_REQUIRE(::waitpid(child, &status, 0) == child);
  BOOST_REQUIRE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const PublishJournal journal{(dir.path / ".s3dest-5f3a9c1e.publishing").string(), "5f3a9c1e", 0};
  BOOST_TEST(fs::file_size(journal.path) > 2 * 64 * 1024);  // written in several pieces
  const auto undone = undo_killed_publish(dir.path.string(), journal, [](const char*, const std::string&) {});
  BOOST_REQUIRE_MESSAGE(undone.ok(), undone.status().message());
  BOOST_TEST(undone->removed == 3001u);
  fs::remove(dir.path / "day");
  BOOST_TEST((snapshot(dir.path) == before));
}

BOOST_AUTO_TEST_CASE(a_journal_s3dest_did_not_write_is_refused_and_nothing_is_touched) {
  TempFolder dir;
  write_file(dir.path / "outside", "a user's file\n");
  write_file(dir.path / "lake/x.csv", "data\n");
  const auto before = snapshot(dir.path);
  const std::string header = "s3dest publish journal 1\n";
  for (const std::string& body : {std::string("1 2 3 0 10 ../outside\n"), std::string("1 2 3 0 3 x.csv\n"),
                                  std::string("x 2 3 0 5 x.csv\n"), std::string("1 2 3 0 5 /x.cs\n")}) {
    const PublishJournal journal{(dir.path / "lake/.s3dest-5f3a9c1e.publishing").string(), "5f3a9c1e", 0};
    write_file(journal.path, header + body);
    const auto undone = undo_killed_publish((dir.path / "lake").string(), journal, [](const char*, const std::string&) {});
    BOOST_TEST(!undone.ok(), body);
    BOOST_TEST(undone.status().message() ==
               journal.path + " is not a journal s3dest wrote: look at it, and delete it if it is not needed");
    fs::remove(journal.path);
    BOOST_TEST((snapshot(dir.path) == before));
  }
}

BOOST_AUTO_TEST_CASE(a_journal_cut_short_as_it_was_written_is_read_to_its_last_whole_line) {
  // Killed while writing its journal, a run has renamed nothing yet: its temporary files
  // go, and whatever the journal's last line would have named is left as it is.
  TempFolder dir;
  write_file(dir.path / ".x.csv.s3dest-5f3a9c1e-1.tmp", "the run's\n");
  write_file(dir.path / "y.csv", "a user's\n");
  const PublishJournal journal{(dir.path / ".s3dest-5f3a9c1e.publishing").string(), "5f3a9c1e", 0};
  for (const std::string& text : {std::string(""), std::string("s3dest publish jour"),
                                  std::string("s3dest publish journal 1\n1 10 1 0 5 x.csv\n1 9 2 0 5 y.c")}) {
    write_file(journal.path, text);
    const auto undone = undo_killed_publish(dir.path.string(), journal, [](const char*, const std::string&) {});
    BOOST_REQUIRE_MESSAGE(undone.ok(), undone.status().message());
    BOOST_TEST(!fs::exists(journal.path));
    BOOST_TEST(snapshot(dir.path).at("y.csv") == "a user's\n");
  }
  BOOST_TEST((snapshot(dir.path) == std::map<std::string, std::string>{{"y.csv", "a user's\n"}}));
}

BOOST_AUTO_TEST_CASE(temporary_file_names_are_told_apart_from_data) {
  BOOST_TEST(is_local_temp_file_name(".part-00001.csv.s3dest-20261201T224412Z-5f3a9c1e-12.tmp"));
  BOOST_TEST(is_local_temp_file_name(".x.s3dest-5f3a9c1e-1.tmp"));
  BOOST_TEST(parse_local_temp_file_name(".x.s3dest-5f3a9c1e-1.tmp")->folders_made == 0u);
  BOOST_TEST(parse_local_temp_file_name(".x.s3dest-20261201T224412Z-5f3a9c1e-12.made3.tmp")->folders_made == 3u);
  BOOST_TEST(parse_local_temp_file_name(".x.made7.s3dest-5f3a9c1e-1.tmp")->folders_made == 0u);  // a name's own
  BOOST_TEST(!is_local_temp_file_name(".x.s3dest-5f3a9c1e-1.made.tmp"));
  const auto kept = parse_local_temp_file_name(".x.csv.s3dest-20261201T224412Z-5f3a9c1e-4.kept.tmp");
  BOOST_REQUIRE(kept.has_value());
  BOOST_TEST(kept->kept);
  BOOST_TEST(kept->run_id == "20261201T224412Z-5f3a9c1e");
  BOOST_TEST(!parse_local_temp_file_name(".x.s3dest-5f3a9c1e-1.tmp")->kept);
  BOOST_TEST(!is_local_temp_file_name(".x.s3dest-5f3a9c1e.kept.tmp"));
  BOOST_TEST(!is_local_temp_file_name(".x.s3dest-5f3a9c1e-1.made-2.tmp"));
  BOOST_TEST(!is_local_temp_file_name("part-00001.csv"));
  BOOST_TEST(!is_local_temp_file_name(".part-00001.csv.s3dest-nope-1.tmp"));
  BOOST_TEST(!is_local_temp_file_name(".part.s3dest-20261201T224412Z-5f3a9c1e-.tmp"));
  BOOST_TEST(!is_local_temp_file_name("x.s3dest-20261201T224412Z-5f3a9c1e-1.tmp"));
}
