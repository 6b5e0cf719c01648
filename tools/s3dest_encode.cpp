// s3dest-encode: rows (NDJSON, a JSON array or csv) into ONE file of one of s3dest's
// formats, with s3dest's own readers and encoders and nothing of S3: it links without
// libcurl, so it can be built fully static (S3DEST_STATIC_TOOLS) for small images.
//
//   s3dest-encode --format csv|csv+gzip|json|json+gzip|parquet|avro
//                 [--input-format ndjson|json|csv] [--schema FILE] [--input FILE] [--output FILE]
//
// Reads standard input (or --input; gzip is decompressed) and writes standard output (or
// --output, which appears only once complete: a failed run leaves whatever was there).
// Exit codes are s3dest's: 0 ok, 2 usage (nothing read or written), 3 bad input,
// 4 the output cannot be written, 130/143 stopped by SIGINT/SIGTERM, 1 a bug.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "s3dest/format/format_registry.hpp"
#include "s3dest/table/json_lines.hpp"
#include "s3dest/table/row_reader.hpp"
#include "s3dest/table/schema_file.hpp"
#include "commands/options.hpp"

namespace {

using namespace s3dest;

constexpr const char* kUsage = R"(usage:
  s3dest-encode --format csv|csv+gzip|json|json+gzip|parquet|avro
                [--input-format ndjson|json|csv] [--schema FILE] [--input FILE] [--output FILE]

Reads rows from standard input (or --input FILE; gzip is decompressed) and writes one file
of the format to standard output (or --output FILE, written only when complete). JSON
input (ndjson or json, the default) is NDJSON or one array of objects; csv has a header
row. Column types come from --schema or are inferred from the first 1000 rows.
)";

struct Args {
  std::string format, input_format = "ndjson", schema, input = "-", output;
};

int usage(const std::string& message) {
  std::fprintf(stderr, "s3dest-encode: error: %s\n%s", message.c_str(), kUsage);
  return 2;
}

std::string format_names() {
  std::vector<std::string_view> names;
  for (const FormatEntry& entry : kFormatRegistry) names.push_back(entry.name);
  return join_alternatives(names);
}

// Empty when the arguments are usable, else what is wrong with them.
std::string parse_args(const std::vector<std::string>& argv, Args& a, FileFormat& format) {
  tool::Options options;
  options.value("--format", a.format).value("--input-format", a.input_format).value("--schema", a.schema);
  options.value("--input", a.input).value("--output", a.output);
  if (std::string error = options.parse(argv, "encode"); !error.empty()) return error;
  if (a.format.empty()) return "--format is required: one of " + format_names();
  const FormatEntry* entry = find_format(a.format);
  if (entry) format = entry->value;
  else return "--format \"" + a.format + "\" is not one of " + format_names();
  if (a.input_format != "ndjson" && a.input_format != "json" && a.input_format != "csv")
    return "--input-format is ndjson, json or csv, not \"" + a.input_format + "\"";
  if (a.input.empty()) return "--input needs a file name (or - for standard input)";
  if (a.output.empty() && std::find(argv.begin(), argv.end(), "--output") != argv.end())
    return "--output needs a file name (or - for standard output)";
  return "";
}

// SIGINT and SIGTERM raise the stop flag; the loop below notices between rows, removes
// the unfinished output and ends with 128 + the signal.
StopFlag g_stop;
volatile sig_atomic_t g_signal = 0;

void on_signal(int signal) {
  if (g_signal != 0) _exit(128 + signal);  // asked twice: leave now
  g_signal = signal;
  g_stop.raise(signal == SIGINT ? "SIGINT" : "SIGTERM");
}

// Standard output, or a temporary file next to --output renamed over it when complete.
class OutputFile final : public ByteSink {
 public:
  ~OutputFile() override {
    if (!temp_.empty()) {  // never committed: the unfinished file goes
      ::close(fd_);
      ::unlink(temp_.c_str());
    }
  }

  Status open(const std::string& path) {
    if (path.empty() || path == "-") {
      fd_ = 1;
      name_ = "standard output";
      return {};
    }
    path_ = path;
    name_ = "'" + path + "'";
    std::string temp = path + ".XXXXXX";
    fd_ = ::mkstemp(temp.data());
    if (fd_ < 0)
      return usage_error("cannot create " + name_ + ": " + std::strerror(errno) +
                         "; check the path given to --output");
    temp_ = temp;
    const mode_t mask = ::umask(0);  // mkstemp made it 0600: give it a new file's mode
    ::umask(mask);
    ::fchmod(fd_, 0666 & ~mask);
    return {};
  }

  Status write(std::string_view bytes) override {
    size_ += bytes.size();
    buffer_.append(bytes);
    return buffer_.size() >= kBufferBytes ? flush() : Status();
  }
  uint64_t size() const override { return size_; }

  // Writes out what is buffered; then, for a file, makes it durable and puts it in place.
  Status commit() {
    S3DEST_TRY(flush());
    if (temp_.empty()) return {};
    if (::fsync(fd_) != 0 || ::close(fd_) != 0) return write_error();
    if (::rename(temp_.c_str(), path_.c_str()) != 0) {
      const Status error = write_error();
      ::unlink(temp_.c_str());
      temp_.clear();
      return error;
    }
    temp_.clear();
    return {};
  }

 private:
  static constexpr size_t kBufferBytes = size_t{1} << 20;

  Status flush() {
    size_t at = 0;
    while (at < buffer_.size()) {
      const ssize_t n = ::write(fd_, buffer_.data() + at, buffer_.size() - at);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return write_error();
      at += static_cast<size_t>(n);
    }
    buffer_.clear();
    return {};
  }
  Status write_error() const {
    return destination_error("writing " + name_ + " failed: " + std::strerror(errno) +
                             ": check the space left and that it can be written");
  }

  int fd_ = -1;
  std::string path_, temp_, name_;
  std::string buffer_;
  uint64_t size_ = 0;
};

Result<std::unique_ptr<RowReader>> open_input(const Args& a) {
  ReaderOptions options;
  if (!a.schema.empty()) {
    S3DEST_ASSIGN_OR_RETURN(options.schema, load_schema_file(a.schema));
  }
  S3DEST_ASSIGN_OR_RETURN(auto source, ByteSource::open(a.input, &g_stop));
  const InputFormat format = a.input_format == "csv" ? InputFormat::csv : InputFormat::ndjson;
  if (format == InputFormat::ndjson) source = json_lines(std::move(source));
  return open_row_reader(std::move(source), format, options);
}

// Reads every row, encodes it and writes the one file. Returns the rows written.
Result<uint64_t> encode(const Args& a, FileFormat file_format, OutputFile& out) {
  S3DEST_ASSIGN_OR_RETURN(const std::unique_ptr<RowReader> reader, open_input(a));
  const Schema& schema = reader->schema();
  if (schema.columns.empty())
    return input_error(reader->name() + ": no rows to learn the columns from (the input is empty): give "
                       "--schema FILE to write a file without rows, or check the input");
  // The format's settings as a config without tuning keys has them.
  S3DEST_ASSIGN_OR_RETURN(const std::unique_ptr<RowFormat> format,
                          make_row_format(file_format, schema, FormatSettings{}));
  const std::unique_ptr<FileEncoder> file = format->new_file();
  S3DEST_TRY(file->begin(out, UINT64_MAX));
  Row row;
  std::string record;
  uint64_t rows = 0;
  for (;;) {
    if (g_stop.raised()) return interrupted_error(g_stop);
    S3DEST_ASSIGN_OR_RETURN(const bool more, reader->next(row));
    if (!more) break;
    record.clear();
    format->encode_record(row, record);
    S3DEST_ASSIGN_OR_RETURN(const bool added, file->try_add(record));
    if (!added) return internal_error("a record did not fit a file without a size cap");
    ++rows;
  }
  S3DEST_TRY(file->finish());
  S3DEST_TRY(out.commit());
  return rows;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "--help" || args[0] == "-h")) {
    std::fputs(kUsage, stdout);
    return 0;
  }
  Args a;
  FileFormat format = FileFormat::csv;
  if (const std::string error = parse_args(args, a, format); !error.empty()) return usage(error);

  struct sigaction action = {};
  action.sa_handler = on_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  OutputFile out;
  Status status = out.open(a.output);
  if (status.ok()) status = encode(a, format, out).status();
  if (status.ok()) return 0;
  std::string message = status.message();
  if (!a.output.empty() && a.output != "-") message += " (" + a.output + " was not written)";
  std::fprintf(stderr, "s3dest-encode: error: %s\n", message.c_str());
  if (status.kind() == ErrorKind::interrupted && g_signal != 0) return 128 + g_signal;
  return status.exit_code();
}
