// Errors as values: Status says what went wrong and which exit code it maps to;
// Result<T> holds a value or a Status. The library never throws.
#pragma once

#include <cstdlib>
#include <new>
#include <string>
#include <type_traits>
#include <utility>

namespace s3dest {

// What kind of failure, which decides the tool's exit code (see DESIGN.md).
enum class ErrorKind {
  usage = 2,        // bad command line, config or template
  input = 3,        // bad input data: the message names file and line
  destination = 4,  // credentials, permission, network, server, disk
  internal = 1,     // a bug in s3dest
  interrupted = 130,  // stopped on request (a StopFlag); the tool exits 128 + the signal's number
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // success

  static Status error(ErrorKind kind, std::string message) {
    return Status(kind, std::move(message));
  }

  bool ok() const { return !failed_; }
  ErrorKind kind() const { return kind_; }
  int exit_code() const { return failed_ ? static_cast<int>(kind_) : 0; }
  const std::string& message() const { return message_; }

  // Adds context in front of the message: "reading x.csv: " + message.
  Status prefixed(const std::string& context) const {
    if (!failed_) return *this;
    return Status(kind_, context + message_);
  }

 private:
  Status(ErrorKind kind, std::string message)
      : failed_(true), kind_(kind), message_(std::move(message)) {}

  bool failed_ = false;
  ErrorKind kind_ = ErrorKind::internal;
  std::string message_;
};

inline Status usage_error(std::string message) {
  return Status::error(ErrorKind::usage, std::move(message));
}
inline Status input_error(std::string message) {
  return Status::error(ErrorKind::input, std::move(message));
}
inline Status destination_error(std::string message) {
  return Status::error(ErrorKind::destination, std::move(message));
}
inline Status internal_error(std::string message) {
  return Status::error(ErrorKind::internal, std::move(message));
}

// A value or the Status that explains why there is none.
template <class T>
class [[nodiscard]] Result {
  static_assert(!std::is_reference_v<T>, "Result holds values");

 public:
  Result(T value) : has_value_(true) { new (&storage_) T(std::move(value)); }
  Result(Status status) : status_(std::move(status)) {
    if (status_.ok()) status_ = internal_error("Result built from a success Status");
  }
  Result(const Result& other) : status_(other.status_), has_value_(other.has_value_) {
    if (has_value_) new (&storage_) T(*other);
  }
  Result(Result&& other) noexcept : status_(std::move(other.status_)), has_value_(other.has_value_) {
    if (has_value_) new (&storage_) T(std::move(*other));
  }
  Result& operator=(Result other) noexcept {
    reset();
    status_ = std::move(other.status_);
    has_value_ = other.has_value_;
    if (has_value_) new (&storage_) T(std::move(*other));
    return *this;
  }
  ~Result() { reset(); }

  bool ok() const { return has_value_; }
  const Status& status() const { return status_; }

  T& operator*() & { return *ptr(); }
  const T& operator*() const& { return *ptr(); }
  T&& operator*() && { return std::move(*ptr()); }
  T* operator->() { return ptr(); }
  const T* operator->() const { return ptr(); }
  T& value() & { return *ptr(); }
  const T& value() const& { return *ptr(); }
  T&& value() && { return std::move(*ptr()); }

 private:
  T* ptr() {
    if (!has_value_) std::abort();  // reading a failed Result is a bug
    return std::launder(reinterpret_cast<T*>(&storage_));
  }
  const T* ptr() const {
    if (!has_value_) std::abort();
    return std::launder(reinterpret_cast<const T*>(&storage_));
  }
  void reset() {
    if (has_value_) ptr()->~T();
    has_value_ = false;
  }

  Status status_;
  bool has_value_ = false;
  std::aligned_storage_t<sizeof(T), alignof(T)> storage_;
};

}  // namespace s3dest

// Return early on failure. Kept to these two so control flow stays visible.
#define S3DEST_TRY(expr)                           \
  do {                                             \
    ::s3dest::Status s3dest_status_ = (expr);      \
    if (!s3dest_status_.ok()) return s3dest_status_; \
  } while (0)

#define S3DEST_CONCAT_INNER(a, b) a##b
#define S3DEST_CONCAT(a, b) S3DEST_CONCAT_INNER(a, b)
#define S3DEST_ASSIGN_OR_RETURN(lhs, expr) \
  S3DEST_ASSIGN_OR_RETURN_IMPL(S3DEST_CONCAT(s3dest_result_, __LINE__), lhs, expr)
#define S3DEST_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(*tmp)
