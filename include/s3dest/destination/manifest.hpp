// The run's manifest (--manifest): one JSON document with the run's id and worker, per
// object its key, bytes, rows, format, partition, account, chunk id, ETag, version (in a
// versioned bucket), checksum and whether it replaced an object that was there before,
// the stale chunks the run removed, then the totals:
//
//   {"run_id": "20261201T224412Z-5f3a9c1e", "worker": null,
//    "objects": [{"key": "...", "bytes": 10, "rows": 2, "format": "csv", "partition": "2026-01-05",
//                 "account": null, "chunk_id": 1, "etag": null, "version_id": null,
//                 "checksum": "crc32c:...", "replaced": false}],
//    "removed": [{"key": "...", "chunk_id": 3, "partition": "2026-01-05", "account": null}],
//    "rows": 2, "bytes": 10}
//
// Several workers' manifests merge into one (`s3dest manifest merge`): "runs" lists each
// manifest's run, and a key that two of them wrote (or one wrote and another removed) is
// refused, since one worker's data would have replaced the other's.
#pragma once

#include <simdjson.h>

#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "s3dest/core/numbers.hpp"
#include "s3dest/destination/load.hpp"
#include "s3dest/format/json_lines_encoder.hpp"

namespace s3dest {

std::string manifest_json(const LoadReport& report);

// Reads a manifest written by manifest_json; `name` (its file) goes into messages.
Result<LoadReport> parse_manifest(std::string_view json, const std::string& name);

// One manifest of several workers' runs: `manifests` are (file name, manifest) pairs.
// Fails (input error) naming the first key two of them wrote, and both files.
Result<std::string> merge_manifests(const std::vector<std::pair<std::string, LoadReport>>& manifests);

namespace detail {

inline void append_optional_json_string(std::string& out, const std::optional<std::string>& value) {
  if (value) append_json_string(out, *value);
  else out.append("null");
}

inline std::optional<std::string> unless_empty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

inline void append_manifest_object(std::string& out, const LoadedObject& o) {
  out.append("{\"key\": ");
  append_json_string(out, o.object.info.key);
  out.append(", \"bytes\": ");
  append_int(out, static_cast<int64_t>(o.object.info.bytes));
  out.append(", \"rows\": ");
  append_int(out, static_cast<int64_t>(o.object.rows));
  out.append(", \"format\": ");
  append_json_string(out, o.format);
  out.append(", \"partition\": ");
  append_optional_json_string(out, o.partition);
  out.append(", \"account\": ");
  append_optional_json_string(out, o.account);
  out.append(", \"chunk_id\": ");
  append_int(out, o.object.chunk_id);
  out.append(", \"etag\": ");
  append_optional_json_string(out, unless_empty(o.object.info.etag));
  out.append(", \"version_id\": ");
  append_optional_json_string(out, unless_empty(o.object.info.version_id));
  out.append(", \"checksum\": ");
  append_optional_json_string(out, unless_empty(o.object.info.checksum));
  out.append(o.object.info.replaced ? ", \"replaced\": true}" : ", \"replaced\": false}");
}

inline void append_removed_object(std::string& out, const RemovedObject& o) {
  out.append("{\"key\": ");
  append_json_string(out, o.key);
  out.append(", \"chunk_id\": ");
  append_int(out, o.chunk_id);
  out.append(", \"partition\": ");
  append_optional_json_string(out, o.partition);
  out.append(", \"account\": ");
  append_optional_json_string(out, o.account);
  out.append("}");
}

// "objects": [...], "removed": [...], "rows": N, "bytes": N}
inline void append_manifest_body(std::string& out, const std::vector<LoadedObject>& objects,
                                 const std::vector<RemovedObject>& removed, uint64_t rows, uint64_t bytes) {
  out.append("\"objects\": [");
  for (size_t i = 0; i < objects.size(); ++i) {
    out.append(i == 0 ? "\n  " : ",\n  ");
    append_manifest_object(out, objects[i]);
  }
  out.append(objects.empty() ? "],\n\"removed\": [" : "\n],\n\"removed\": [");
  for (size_t i = 0; i < removed.size(); ++i) {
    out.append(i == 0 ? "\n  " : ",\n  ");
    append_removed_object(out, removed[i]);
  }
  out.append(removed.empty() ? "], \"rows\": " : "\n], \"rows\": ");
  append_int(out, static_cast<int64_t>(rows));
  out.append(", \"bytes\": ");
  append_int(out, static_cast<int64_t>(bytes));
  out.append("}\n");
}

// Reads the fields of one JSON object into `read(key, value) -> Status`.
template <class Read>
Status read_manifest_fields(simdjson::dom::element element, const std::string& where, Read&& read) {
  simdjson::dom::object object;
  if (element.get_object().get(object) != simdjson::SUCCESS)
    return input_error(where + " is not a JSON object: is it a manifest written by s3dest load --manifest?");
  for (const auto field : object) S3DEST_TRY(read(field.key, field.value));
  return {};
}

class ManifestReader {
 public:
  explicit ManifestReader(const std::string& name) : name_(name) {}

  Status error(const std::string& what) const {
    return input_error(name_ + ": " + what + ": is it a manifest written by s3dest load --manifest?");
  }
  Status text(simdjson::dom::element value, std::string_view key, std::optional<std::string>& out) const {
    if (value.is_null()) {
      out.reset();
      return {};
    }
    std::string_view text;
    if (value.get_string().get(text) != simdjson::SUCCESS) return error("\"" + std::string(key) + "\" is not text");
    out = std::string(text);
    return {};
  }
  Status text(simdjson::dom::element value, std::string_view key, std::string& out) const {
    std::optional<std::string> read;
    S3DEST_TRY(text(value, key, read));
    out = read.value_or("");
    return {};
  }
  template <class Number>
  Status number(simdjson::dom::element value, std::string_view key, Number& out) const {
    uint64_t n = 0;
    if (value.get_uint64().get(n) != simdjson::SUCCESS || n > std::numeric_limits<Number>::max())
      return error("\"" + std::string(key) + "\" is not a count");
    out = static_cast<Number>(n);
    return {};
  }

  // Every listed object is named: without its key a merge would list (or refuse) a blank one.
  Status named(const std::string& key, std::string_view what) const {
    return key.empty() ? error(std::string(what) + " has no \"key\"") : Status();
  }

  Status object(simdjson::dom::element element, LoadedObject& o) const {
    S3DEST_TRY(read_manifest_fields(element, name_ + ": an object", [&](std::string_view key, simdjson::dom::element v) {
      if (key == "key") return text(v, key, o.object.info.key);
      if (key == "bytes") return number(v, key, o.object.info.bytes);
      if (key == "rows") return number(v, key, o.object.rows);
      if (key == "format") return text(v, key, o.format);
      if (key == "partition") return text(v, key, o.partition);
      if (key == "account") return text(v, key, o.account);
      if (key == "chunk_id") return number(v, key, o.object.chunk_id);
      if (key == "etag") return text(v, key, o.object.info.etag);
      if (key == "version_id") return text(v, key, o.object.info.version_id);
      if (key == "checksum") return text(v, key, o.object.info.checksum);
      if (key == "replaced") {
        if (v.get_bool().get(o.object.info.replaced) == simdjson::SUCCESS) return Status();
        return error("\"replaced\" is not true or false");
      }
      return Status();  // fields of later versions are kept out, not refused
    }));
    return named(o.object.info.key, "an object");
  }

  Status removed(simdjson::dom::element element, RemovedObject& o) const {
    S3DEST_TRY(read_manifest_fields(element, name_ + ": a removed object", [&](std::string_view key, simdjson::dom::element v) {
      if (key == "key") return text(v, key, o.key);
      if (key == "chunk_id") return number(v, key, o.chunk_id);
      if (key == "partition") return text(v, key, o.partition);
      if (key == "account") return text(v, key, o.account);
      return Status();
    }));
    return named(o.key, "a removed object");
  }

  template <class Item, class ReadItem>
  Status list(simdjson::dom::element value, std::string_view key, std::vector<Item>& out, ReadItem&& read_item) const {
    simdjson::dom::array items;
    if (value.get_array().get(items) != simdjson::SUCCESS) return error("\"" + std::string(key) + "\" is not a list");
    for (const auto item : items) {
      out.emplace_back();
      S3DEST_TRY(read_item(item, out.back()));
    }
    return {};
  }

 private:
  const std::string& name_;
};

}  // namespace detail

inline std::string manifest_json(const LoadReport& report) {
  std::string out = "{\"run_id\": ";
  append_json_string(out, report.run_id);
  out.append(", \"worker\": ");
  detail::append_optional_json_string(out, detail::unless_empty(report.worker));
  out.append(",\n");
  detail::append_manifest_body(out, report.objects, report.removed, report.rows, report.bytes);
  return out;
}

inline Result<LoadReport> parse_manifest(std::string_view json, const std::string& name) {
  const detail::ManifestReader r(name);
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (const auto err = parser.parse(simdjson::padded_string(json)).get(root); err != simdjson::SUCCESS)
    return r.error(std::string("not valid JSON (") + simdjson::error_message(err) + ")");
  LoadReport report;
  bool has_objects = false;
  S3DEST_TRY(detail::read_manifest_fields(root, name, [&](std::string_view key, simdjson::dom::element v) {
    if (key == "run_id") return r.text(v, key, report.run_id);
    if (key == "worker") return r.text(v, key, report.worker);
    if (key == "rows") return r.number(v, key, report.rows);
    if (key == "bytes") return r.number(v, key, report.bytes);
    if (key == "objects") {
      has_objects = true;
      return r.list(v, key, report.objects, [&r](simdjson::dom::element e, LoadedObject& o) { return r.object(e, o); });
    }
    if (key == "removed")
      return r.list(v, key, report.removed, [&r](simdjson::dom::element e, RemovedObject& o) { return r.removed(e, o); });
    return Status();
  }));
  if (!has_objects) return r.error("it has no \"objects\"");
  return report;
}

inline Result<std::string> merge_manifests(const std::vector<std::pair<std::string, LoadReport>>& manifests) {
  std::map<std::string, std::string> writer_of;  // key -> the manifest that wrote it
  std::vector<LoadedObject> objects;
  std::vector<RemovedObject> removed;
  uint64_t rows = 0, bytes = 0;
  std::string out = "{\"runs\": [";
  for (size_t i = 0; i < manifests.size(); ++i) {
    const auto& [name, report] = manifests[i];
    out.append(i == 0 ? "\n  {\"run_id\": " : ",\n  {\"run_id\": ");
    append_json_string(out, report.run_id);
    out.append(", \"worker\": ");
    detail::append_optional_json_string(out, detail::unless_empty(report.worker));
    out.append(", \"manifest\": ");
    append_json_string(out, name);
    out.append("}");
    for (const LoadedObject& o : report.objects) {
      const auto [at, is_new] = writer_of.emplace(o.object.info.key, name);
      if (!is_new)
        return input_error("manifest merge: " + o.object.info.key + " was written by both " + at->second + " and " +
                           name + ": one worker's object replaced the other's; give each worker its own "
                           "--worker and {{worker}} in file_name, and load the lost rows again");
      objects.push_back(o);
      rows += o.object.rows;
      bytes += o.object.info.bytes;
    }
    removed.insert(removed.end(), report.removed.begin(), report.removed.end());
  }
  for (const RemovedObject& r : removed)
    if (const auto at = writer_of.find(r.key); at != writer_of.end())
      return input_error("manifest merge: " + r.key + " was written by " + at->second +
                         " and removed as a stale chunk by another worker's run: load it again");
  std::sort(objects.begin(), objects.end(),
            [](const LoadedObject& a, const LoadedObject& b) { return a.object.info.key < b.object.info.key; });
  out.append(manifests.empty() ? "],\n" : "\n],\n");
  detail::append_manifest_body(out, objects, removed, rows, bytes);
  return out;
}

}  // namespace s3dest
