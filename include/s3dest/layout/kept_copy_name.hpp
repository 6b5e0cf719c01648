// Where a run keeps the copy of an object it is about to replace (S3 without versions,
// sink/kept_copy.hpp): beside the object, under a dot-name that says whose copy it is.
//
//   day/a.csv  ->  day/.a.csv.s3dest-20261201T224412Z-5f3a9c1e.kept
//
// So a killed run's copies are found by a listing: `cleanup --run` lists them to put them
// back, and a later load lists those beside the chunks it replaces, to tell of them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "s3dest/crypto/random_id.hpp"

namespace s3dest {

// The key of the copy run `run_id` keeps of `key`.
std::string kept_copy_key(std::string_view key, std::string_view run_id);

// What the keys of every run's copies of `key` begin with: where to list them.
std::string kept_copies_prefix(std::string_view key);

// What the keys of every run's copies of every key that begins with `key_prefix` begin
// with: "day/part-" -> "day/.part-".
std::string kept_copies_list_prefix(std::string_view key_prefix);

// The object's key and the run's id in a kept copy's key; nothing for any other key.
struct KeptCopyName {
  std::string key;
  std::string run_id;
};
std::optional<KeptCopyName> parse_kept_copy_key(std::string_view copy_key);

// ---------------------------------------------------------------------------------------
// Implementation.

namespace detail {
inline constexpr std::string_view kKeptCopyRunTag = ".s3dest-";
inline constexpr std::string_view kKeptCopyEnd = ".kept";
}  // namespace detail

inline std::string kept_copies_list_prefix(std::string_view key_prefix) {
  const size_t name = key_prefix.rfind('/') + 1;  // npos + 1 == 0
  std::string prefix(key_prefix.substr(0, name));
  prefix += '.';
  prefix += key_prefix.substr(name);
  return prefix;
}

inline std::string kept_copy_key(std::string_view key, std::string_view run_id) {
  std::string copy = kept_copies_list_prefix(key);
  copy += detail::kKeptCopyRunTag;
  copy += run_id;
  copy += detail::kKeptCopyEnd;
  return copy;
}

inline std::string kept_copies_prefix(std::string_view key) {
  return kept_copies_list_prefix(key) + std::string(detail::kKeptCopyRunTag);
}

inline std::optional<KeptCopyName> parse_kept_copy_key(std::string_view copy_key) {
  const size_t name = copy_key.rfind('/') + 1;
  std::string_view rest = copy_key.substr(name);
  const size_t tail = detail::kKeptCopyRunTag.size() + kRunIdBytes + detail::kKeptCopyEnd.size();
  if (rest.size() < 2 + tail || rest.front() != '.' || rest.substr(rest.size() - detail::kKeptCopyEnd.size()) != detail::kKeptCopyEnd)
    return std::nullopt;
  const std::string_view run_id = rest.substr(rest.size() - detail::kKeptCopyEnd.size() - kRunIdBytes, kRunIdBytes);
  if (rest.substr(rest.size() - tail, detail::kKeptCopyRunTag.size()) != detail::kKeptCopyRunTag || !is_run_id(run_id))
    return std::nullopt;
  return KeptCopyName{std::string(copy_key.substr(0, name)) + std::string(rest.substr(1, rest.size() - 1 - tail)),
                      std::string(run_id)};
}

}  // namespace s3dest
