// The run's manifest (--manifest): per object its key, bytes, rows, format, partition,
// account, chunk id, ETag and checksum, then the totals. One JSON document.
#pragma once

#include <string>

#include "s3dest/core/numbers.hpp"
#include "s3dest/destination/load.hpp"
#include "s3dest/format/json_lines_encoder.hpp"

namespace s3dest {

inline std::string manifest_json(const LoadReport& report) {
  std::string out = "{\"objects\": [";
  const auto optional_string = [&out](const std::optional<std::string>& value) {
    if (value) append_json_string(out, *value);
    else out.append("null");
  };
  for (size_t i = 0; i < report.objects.size(); ++i) {
    const LoadedObject& o = report.objects[i];
    out.append(i == 0 ? "\n  {\"key\": " : ",\n  {\"key\": ");
    append_json_string(out, o.object.info.key);
    out.append(", \"bytes\": ");
    append_int(out, static_cast<int64_t>(o.object.info.bytes));
    out.append(", \"rows\": ");
    append_int(out, static_cast<int64_t>(o.object.rows));
    out.append(", \"format\": ");
    append_json_string(out, o.format);
    out.append(", \"partition\": ");
    optional_string(o.partition);
    out.append(", \"account\": ");
    optional_string(o.account);
    out.append(", \"chunk_id\": ");
    append_int(out, o.object.chunk_id);
    out.append(", \"etag\": ");
    optional_string(o.object.info.etag.empty() ? std::nullopt : std::optional<std::string>(o.object.info.etag));
    out.append(", \"checksum\": ");
    optional_string(o.object.info.checksum.empty() ? std::nullopt
                                                   : std::optional<std::string>(o.object.info.checksum));
    out.append("}");
  }
  out.append(report.objects.empty() ? "], \"rows\": " : "\n], \"rows\": ");
  append_int(out, static_cast<int64_t>(report.rows));
  out.append(", \"bytes\": ");
  append_int(out, static_cast<int64_t>(report.bytes));
  out.append("}\n");
  return out;
}

}  // namespace s3dest
