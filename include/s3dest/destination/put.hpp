// Files uploaded as they are (bytes unchanged): the load's destination without its rows.
// Each file becomes one object, under the layout's fixed prefix (KeyLayout::fixed_prefix:
// --dest's prefix and the folder up to its first variable that varies) with the file's
// base name, or under the one key given. Everything else is the load's, reused: the sink
// (S3: credentials, encryption, concurrent multipart, checksums, cleanup; or a local
// folder, two-phase), the object options (storage class, ACL, tags, metadata) and the
// rules on existing objects (existing_objects "keep" refuses before anything is sent).
//
//   PutOptions options;
//   options.files = {"data/2026-01.parquet"};
//   S3DEST_ASSIGN_OR_RETURN(const PutReport report, put_files(config, sink, options));
//   for (const PutObject& o : report.objects) use(o.path, o.info.key, o.info.etag);
//
//   1. plan: every file is checked to be a readable regular file (input error, exit 3)
//      and its key to be one S3 and the sink take, no two files to one key (usage, 2);
//      with "keep" a key that holds an object is refused (destination, 4). Nothing sent yet
//   2. each file goes to its object (ObjectWriter::write_file: S3 sends a big file's parts
//      straight from the file, so memory holds blocks in flight, never a part; other
//      sinks copy it in blocks), and is committed while the next files are written, as
//      many at once as the sink commits (S3: `concurrency`; a small file is one PutObject,
//      so many small files no longer go up one request at a time)
//   3. on_complete (the manifest), then publish; on any failure or a raised stop flag the
//      open object is dropped and the sink rolls the run back: nothing of it is left
//   4. the sink drops what it kept to take the run back (S3: copies of replaced objects)
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3dest/core/object_sink.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/stop_flag.hpp"
#include "s3dest/core/task_pool.hpp"
#include "s3dest/core/untrusted_text.hpp"
#include "s3dest/crypto/random_id.hpp"
#include "s3dest/destination/config.hpp"
#include "s3dest/destination/load.hpp"
#include "s3dest/destination/object_options.hpp"
#include "s3dest/format/format_registry.hpp"
#include "s3dest/layout/committer.hpp"

namespace s3dest {

struct PutReport;

struct PutOptions {
  std::vector<std::string> files;  // paths of the files to upload
  std::string key;                 // the object's whole key (one file only); empty: prefix + base name
  std::string prefix;              // key prefix from --dest s3://bucket/prefix
  int64_t run_start_micros = 0;    // "now", for the layout's context and the tags' dates
  std::string run_id;              // new_run_id() of the start when empty
  const StopFlag* stop = nullptr;  // raised: the upload stops, rolls back, fails `interrupted`
  // Called once every check has passed, before the first byte is sent: a failure ends the
  // run before it writes anything. May be empty.
  std::function<Status()> on_start;
  // Called once every object is complete, before anything is published: a failure (a
  // manifest that cannot be written) undoes the run. May be empty.
  std::function<Status(const PutReport&)> on_complete;
};

// One file and the object it became.
struct PutObject {
  std::string path;
  std::string format;  // the registry's name its extension matches ("csv+gzip"), else ""
  ObjectInfo info;     // key, bytes, ETag, checksum, whether it replaced an object
};

struct PutReport {
  std::string run_id;
  std::vector<PutObject> objects;  // in the order of the files
  uint64_t bytes = 0;
};

Result<PutReport> put_files(const Config& config, ObjectSink& sink, const PutOptions& options);

// The key each file goes to, in order: checks the files, the keys and (with
// existing_objects "keep") what the destination holds, as step 1 above; sends nothing.
Result<std::vector<std::string>> put_keys(const Config& config, ObjectSink& sink, const PutOptions& options);

// The manifest of a put (destination/manifest.hpp's document): rows 0, no partition.
LoadReport manifest_of(const PutReport& report);

// What a file's name says it holds: the registry's entry whose extension ends it (the
// longest: ".csv.gz" before ".gz"), or nullptr.
const FormatEntry* format_of_file_name(std::string_view name);

// The Content-Type of a file uploaded as it is: its format's (the decoded type when the
// config's content_encoding is the format's own), else application/octet-stream.
std::string put_content_type(std::string_view name, const Config& config);

// "" when `key` can be an object's key in a sink whose names between slashes are at most
// `max_name_bytes`; else what is wrong with it.
std::string key_problem(std::string_view key, size_t max_name_bytes);

// ---------------------------------------------------------------------------------------
// Implementation.

inline const FormatEntry* format_of_file_name(std::string_view name) {
  const FormatEntry* found = nullptr;
  for (const FormatEntry& entry : kFormatRegistry) {
    const std::string_view ext = entry.extension;
    if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext &&
        (!found || ext.size() > found->extension.size()))
      found = &entry;
  }
  return found;
}

inline std::string put_content_type(std::string_view name, const Config& config) {
  const FormatEntry* format = format_of_file_name(name);
  if (!format) return "application/octet-stream";
  const bool encoded = !config.content_encoding.empty() && config.content_encoding == format->content_encoding;
  return std::string(file_format_content_type(format->value, encoded));
}

inline std::string key_problem(std::string_view key, size_t max_name_bytes) {
  if (key.empty()) return "the key is empty";
  if (key.size() > kMaxKeyBytes)
    return "the key is " + std::to_string(key.size()) + " bytes long, more than the " + std::to_string(kMaxKeyBytes) +
           " S3 takes";
  if (key.front() == '/') return "the key begins with '/'";
  if (key.back() == '/') return "the key ends with '/', which names a folder, not a file";
  for (const char c : key)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) return "the key holds a control character";
  size_t start = 0;
  while (start <= key.size()) {
    const size_t slash = std::min(key.find('/', start), key.size());
    const std::string_view name = key.substr(start, slash - start);
    // "a//b", "." and ".." would name another place in a folder than in the bucket.
    if (name.empty() || name == "." || name == "..") return "the key has an empty, \".\" or \"..\" segment";
    if (name.size() > max_name_bytes)
      return "the name \"" + printable(name, 40) + "\" is " + std::to_string(name.size()) +
             " bytes long, more than the destination takes (" + std::to_string(max_name_bytes) + ")";
    start = slash + 1;
  }
  return "";
}

namespace detail {

// The base name of a path: what follows its last '/'.
inline std::string_view base_name(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

// A file opened for reading, closed when it goes.
class ReadableFile {
 public:
  // Fails (input, exit 3) for a file that cannot be opened or is not a regular file.
  static Result<ReadableFile> open(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return input_error("cannot read " + printable(path, 200) + ": " + std::strerror(errno) +
                         ": check the path and its permissions");
    ReadableFile file(fd);
    if (::fstat(fd, &file.opened_) != 0 || !S_ISREG(file.opened_.st_mode))
      return input_error(printable(path, 200) + " is not a regular file: put uploads files, one object each");
    file.size_ = static_cast<uint64_t>(file.opened_.st_size);
    return file;
  }
  ReadableFile(ReadableFile&& other) noexcept : fd_(other.fd_), size_(other.size_), opened_(other.opened_) {
    other.fd_ = -1;
  }
  ReadableFile& operator=(ReadableFile&&) = delete;
  ~ReadableFile() {
    if (fd_ >= 0) ::close(fd_);
  }
  uint64_t size() const { return size_; }
  int fd() const { return fd_; }
  // Whether the file was written to (or replaced in place) since it was opened: its
  // parts, read at different times, would then make an object that never was a file.
  bool changed_since_open() const {
    struct stat now {};
    return ::fstat(fd_, &now) != 0 || now.st_size != opened_.st_size || now.st_mtim.tv_sec != opened_.st_mtim.tv_sec ||
           now.st_mtim.tv_nsec != opened_.st_mtim.tv_nsec || now.st_ctim.tv_sec != opened_.st_ctim.tv_sec ||
           now.st_ctim.tv_nsec != opened_.st_ctim.tv_nsec;
  }

 private:
  explicit ReadableFile(int fd) : fd_(fd) {}
  int fd_;
  uint64_t size_ = 0;
  struct stat opened_ {};
};

// The layout of the run: the config's, with a worker's name where it takes one (a put is
// no load's worker; "put" names it in keys and tags).
inline Result<KeyLayout> put_layout(const Config& config, const PutOptions& options, const std::string& run_id) {
  S3DEST_ASSIGN_OR_RETURN(const KeyLayout matching, make_matching_layout(config, options.prefix));
  const bool wants_worker = matching.uses(TemplateVar::worker) || matching.uses(TemplateVar::uuid);
  return make_key_layout(config, options.prefix, options.run_start_micros, wants_worker ? "put" : "", run_id);
}

// Keys a put lists at once to learn which of its keys hold objects (two S3 pages), and
// how many keys it looks up at once past that.
constexpr size_t kPutFolderListing = 2000;
constexpr size_t kPutListers = 8;

// Whether each of `keys` holds an object in `sink` now. One bounded listing of what the
// keys have in common (their folder) answers for all of them, as rclone lists a folder
// once, where a listing per key costs a round trip each; a folder that holds more than
// that is not read to its end, and each key is then looked up on its own, several at once.
inline Result<std::vector<bool>> objects_held(ObjectSink& sink, const std::vector<std::string>& keys) {
  if (keys.empty()) return std::vector<bool>();
  std::string shared = keys.front();
  for (const std::string& key : keys)
    shared.resize(static_cast<size_t>(std::mismatch(shared.begin(), shared.end(), key.begin(), key.end()).first -
                                      shared.begin()));
  S3DEST_ASSIGN_OR_RETURN(const std::vector<std::string> folder, sink.list_first(shared, kPutFolderListing));
  std::vector<bool> held(keys.size());
  if (folder.size() < kPutFolderListing) {
    const std::set<std::string_view> existing(folder.begin(), folder.end());
    for (size_t i = 0; i < keys.size(); ++i) held[i] = existing.count(keys[i]) > 0;
    return held;
  }
  // A key comes first among the keys it begins, so one key listed answers.
  std::vector<Status> failed(keys.size());
  std::vector<char> found(keys.size(), 0);
  {
    TaskPool listers(static_cast<int>(std::min<size_t>(keys.size(), kPutListers)));
    for (size_t i = 0; i < keys.size(); ++i)
      listers.submit([&, i] {
        auto first = sink.list_first(keys[i], 1);
        if (first.ok()) found[i] = !first->empty() && first->front() == keys[i];
        else failed[i] = first.status();
      });
    listers.wait();
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    S3DEST_TRY(failed[i]);
    held[i] = found[i] != 0;
  }
  return held;
}

// Step 1 (see the top of the file): the keys, checked, and whether each held an object.
struct PutPlan {
  std::vector<std::string> keys;
  std::vector<bool> existed;
};

inline Result<PutPlan> plan_puts(const Config& config, ObjectSink& sink, const KeyLayout& layout,
                                 const PutOptions& options) {
  if (options.files.empty()) return usage_error("no file given: put takes the files to upload");
  if (!options.key.empty() && options.files.size() != 1)
    return usage_error("--key names one object, but " + std::to_string(options.files.size()) +
                       " files were given: give one file, or leave --key out");
  for (const std::string& path : options.files) {
    S3DEST_ASSIGN_OR_RETURN(const ReadableFile file, ReadableFile::open(path));
    if (file.size() > sink.max_object_bytes())
      return input_error(printable(path, 200) + " is " + std::to_string(file.size()) + " bytes, more than the " +
                         "destination takes in one object (" + std::to_string(sink.max_object_bytes()) +
                         "): split it");
  }
  PutPlan plan;
  const std::string prefix = layout.fixed_prefix();
  std::set<std::string> seen;
  for (const std::string& path : options.files) {
    std::string key = options.key.empty() ? prefix + std::string(base_name(path)) : options.key;
    if (const std::string problem = key_problem(key, sink.max_name_bytes()); !problem.empty())
      return usage_error("cannot upload " + printable(path, 200) + " as \"" + printable(key, 80) + "\": " + problem +
                         (options.key.empty() ? ": rename the file" : ": give another --key"));
    if (!seen.insert(key).second)
      return usage_error("two files would go to " + sink.describe(key) +
                         " (the same base name): upload them under different --dest prefixes");
    plan.keys.push_back(std::move(key));
  }
  S3DEST_ASSIGN_OR_RETURN(plan.existed, objects_held(sink, plan.keys));
  if (config.existing_objects == ExistingObjects::keep)
    for (size_t i = 0; i < plan.keys.size(); ++i)
      if (plan.existed[i])
        return destination_error(sink.describe(plan.keys[i]) +
                                 " already exists and existing_objects is \"keep\": nothing was uploaded; put it "
                                 "under another key, or set \"existing_objects\": \"replace\"");
  return plan;
}

// An object written from a file, which it keeps open until it is committed or dropped:
// the sink may read the file until then (S3: a part sent again).
class FileObjectWriter final : public ObjectWriter {
 public:
  FileObjectWriter(std::unique_ptr<ObjectWriter> object, ReadableFile file)
      : object_(std::move(object)), file_(std::move(file)) {}
  Status write(std::string_view bytes) override { return object_->write(bytes); }
  uint64_t size() const override { return object_->size(); }
  Result<ObjectInfo> commit() override { return object_->commit(); }
  void abort() override { object_->abort(); }

 private:
  std::unique_ptr<ObjectWriter> object_;
  ReadableFile file_;
};

// Step 2 for one file, up to its commit: the object, written and checked.
inline Result<std::unique_ptr<ObjectWriter>> write_one(ObjectSink& sink, const NewObject& object,
                                                       const std::string& path, const StopFlag* stop) {
  S3DEST_ASSIGN_OR_RETURN(ReadableFile file, ReadableFile::open(path));
  S3DEST_ASSIGN_OR_RETURN(std::unique_ptr<ObjectWriter> writer, sink.create(object));
  if (stop_requested(stop)) return interrupted_error(*stop);
  // The sink reads the file (S3: its parts as they are sent).
  if (const Status written = writer->write_file(file.fd(), 0, file.size()); !written.ok()) {
    writer->abort();
    return written.kind() == ErrorKind::input ? written.prefixed(printable(path, 200) + ": ") : written;
  }
  // Checked before the object is completed (S3: before CompleteMultipartUpload), so that
  // a file rewritten during the upload never appears as a mix of two versions.
  if (file.changed_since_open()) {
    writer->abort();
    return input_error(printable(path, 200) + " changed while it was being uploaded: nothing of it was kept; "
                       "upload it again once nothing writes to it");
  }
  return std::unique_ptr<ObjectWriter>(std::make_unique<FileObjectWriter>(std::move(writer), std::move(file)));
}

inline Status roll_back_put(ObjectSink& sink, const Status& cause) {
  const RollbackReport undone = sink.rollback();
  const char* joint = cause.kind() == ErrorKind::interrupted ? ": " : "\n";
  return Status::error(cause.kind(), cause.message() + joint + undone.text());
}

}  // namespace detail

inline Result<std::vector<std::string>> put_keys(const Config& config, ObjectSink& sink, const PutOptions& options) {
  const std::string run_id = options.run_id.empty() ? new_run_id(options.run_start_micros) : options.run_id;
  S3DEST_ASSIGN_OR_RETURN(const KeyLayout layout, detail::put_layout(config, options, run_id));
  S3DEST_ASSIGN_OR_RETURN(detail::PutPlan plan, detail::plan_puts(config, sink, layout, options));
  return std::move(plan.keys);
}

inline Result<PutReport> put_files(const Config& config, ObjectSink& sink, const PutOptions& options) {
  PutReport report;
  report.run_id = options.run_id.empty() ? new_run_id(options.run_start_micros) : options.run_id;
  S3DEST_ASSIGN_OR_RETURN(const KeyLayout layout, detail::put_layout(config, options, report.run_id));
  S3DEST_ASSIGN_OR_RETURN(const detail::PutPlan plan, detail::plan_puts(config, sink, layout, options));
  S3DEST_ASSIGN_OR_RETURN(const ObjectOptions object_options, ObjectOptions::create(config, layout));
  // Tags and metadata take the values of an object written today (the run's start), the
  // chunk 00001; an {{account}} is empty: a put has no rows to take one from.
  KeyParts parts;
  if (layout.partitioning() != Partitioning::none)
    parts.record_day = static_cast<int32_t>(floor_div(options.run_start_micros, kMicrosPerDay));
  const std::string uuid = random_uuid();
  parts.uuid = uuid;

  if (options.on_start) S3DEST_TRY(options.on_start());
  Committer committer(sink.commit_concurrency());
  Status status;
  for (size_t i = 0; i < options.files.size() && status.ok(); ++i) {
    const std::string& path = options.files[i];
    NewObject object;
    object.key = plan.keys[i];
    object.prior = PriorObject(static_cast<bool>(plan.existed[i]));
    object.if_exists = config.existing_objects;
    if (sink.keeps_properties()) {
      auto properties = object_options.render(parts);
      if (!properties.ok()) {
        status = properties.status();
        break;
      }
      object.properties = std::move(*properties);
      object.properties.content_type = put_content_type(detail::base_name(path), config);
      const FormatEntry* format = format_of_file_name(detail::base_name(path));
      // Content-Encoding only where the config's is the file's own compression.
      if (!format || format->content_encoding != config.content_encoding) object.properties.content_encoding.clear();
    }
    auto written = detail::write_one(sink, object, path, options.stop);
    // Marked with the file's index (as a load marks its partition's), for the report.
    status = written.ok() ? committer.commit(std::move(*written), WrittenObject{ObjectInfo(), 0, 1, i})
                          : written.status();
  }
  // Every commit ends before the sink is published or rolled back.
  const Status committed = committer.wait();
  if (status.ok()) status = committed;
  if (status.ok()) {
    report.objects.resize(options.files.size());
    for (const WrittenObject& done : committer.written()) {  // in the order commits ended
      const std::string& path = options.files[done.partition];
      const FormatEntry* format = format_of_file_name(detail::base_name(path));
      report.bytes += done.info.bytes;
      report.objects[done.partition] = PutObject{path, format ? std::string(format->name) : std::string(), done.info};
    }
  }
  if (status.ok() && stop_requested(options.stop)) status = interrupted_error(*options.stop);
  if (status.ok() && options.on_complete) status = options.on_complete(report);
  if (status.ok()) status = sink.publish();
  if (!status.ok()) return detail::roll_back_put(sink, status);
  S3DEST_TRY(sink.drop_kept_copies());
  return report;
}

inline LoadReport manifest_of(const PutReport& report) {
  LoadReport manifest;
  manifest.run_id = report.run_id;
  for (const PutObject& o : report.objects) {
    LoadedObject loaded;
    loaded.object.info = o.info;
    loaded.format = o.format;
    manifest.objects.push_back(std::move(loaded));
  }
  manifest.bytes = report.bytes;
  return manifest;
}

}  // namespace s3dest
