// The destination config file of DESIGN.md: its keys mirror the destination form.
// Everything is checked before any input is read or any object written; each mistake
// gets one message that says what to change (exit 2).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "s3dest/aws/sse.hpp"
#include "s3dest/core/object_sink.hpp"
#include "s3dest/core/status.hpp"
#include "s3dest/core/time_format.hpp"
#include "s3dest/format/format_registry.hpp"
#include "s3dest/layout/key_layout.hpp"
#include "s3dest/s3/object_checksum.hpp"

namespace s3dest {

enum class ConnectionOption { access_key, shared_access, assume_role };

struct RoleHop {
  std::string role_arn;
  std::string external_id;
};

struct Config {
  std::string title;
  // Credentials and the S3 endpoint.
  ConnectionOption connection_option = ConnectionOption::access_key;
  std::string access_key_id, secret_access_key, session_token;
  std::string assume_role_arn, external_id;
  std::vector<RoleHop> role_chain;
  std::string role_session_name = "s3dest";
  std::string region = "us-east-1";
  std::string endpoint, sts_endpoint;
  bool path_style = false;
  std::string bucket;
  // What the objects look like.
  std::string folder;
  std::string file_name;
  FileFormat file_format = FileFormat::csv;  // see format/format_registry.hpp
  std::optional<double> max_file_size_mb;
  char separator = ',';
  PartitionBy partition_by = PartitionBy::day;
  Encryption encryption = Encryption::sse_s3;
  std::string encryption_key;
  bool use_load_by_account = false;
  bool use_binary_strings = false;
  std::string date_field;
  // How the date field is spelled when no --schema says (see core/time_format.hpp): a
  // format such as "%m/%d/%Y", or the unit of a number since the epoch.
  std::string date_format;
  EpochUnit date_field_unit = EpochUnit::none;
  std::string account_field;
  std::map<std::string, std::string> context;
  // Object options (DESIGN.md "Object options"), sent on PutObject and
  // CreateMultipartUpload. Empty strings: the server's default (STANDARD), no ACL header,
  // the format's content type, no Content-Encoding. Tags and metadata are name/template
  // pairs in the file's order; their values are rendered per object like the folder.
  std::string storage_class;
  std::string canned_acl;
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<std::pair<std::string, std::string>> metadata;
  std::string content_type;
  std::string content_encoding;
  // Tuning.
  int gzip_level = 6;
  int zstd_level = 3;  // libzstd's default; 1..19 (see kConfigKeys)
  ParquetOptions::Compression parquet_compression = ParquetOptions::Compression::snappy;
  AvroOptions::Codec avro_codec = AvroOptions::Codec::deflate;
  double part_size_mb = 8;
  int concurrency = 4;
  ChecksumAlgorithm checksum = ChecksumAlgorithm::crc32c;
  int max_attempts = 3;
  // A request that moves no byte for this long is abandoned (and retried); a slow one
  // that keeps moving is never cut short.
  int idle_timeout_seconds = 60;
  double memory_limit_mb = 512;
  // Safety.
  ExistingObjects existing_objects = ExistingObjects::replace;
  bool allow_http = false;  // endpoints over plain http to another machine (credentials in clear)

  // The cap in bytes; no cap is the largest value.
  uint64_t max_file_bytes() const;
};

// `name` is the file name used in messages.
Result<Config> parse_config(std::string_view json, const std::string& name);

// `endpoint` and `sts_endpoint` over plain http: fine to this machine (by the addresses
// the host stands for); to another only with "allow_http", and then the warning every
// run prints (credentials, session tokens and data cross the network unencrypted).
// Refused (usage) otherwise; nothing when there is nothing to say.
Result<std::optional<std::string>> plain_http_warning(const Config& config);
Result<Config> load_config_file(const std::string& path);

// The config's tuning of its file_format (separator, gzip_level, ...), for
// make_row_format (format/format_registry.hpp).
FormatSettings format_settings(const Config& config);

}  // namespace s3dest

#include "s3dest/destination/config-inl.hpp"
