// The AWS CLI's shared files: ~/.aws/credentials (sections "[name]") and ~/.aws/config
// (sections "[default]" and "[profile name]"), or the files AWS_SHARED_CREDENTIALS_FILE
// and AWS_CONFIG_FILE name. A profile's settings are its config section with its
// credentials section on top, as the AWS CLI merges them.
//
//   auto profiles = aws::load_profiles(aws::profile_file_paths(env));
//   if (const aws::Profile* p = profiles->find("default")) key = p->get("aws_access_key_id");
#pragma once

#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

#include "s3dest/aws/environment.hpp"
#include "s3dest/core/status.hpp"

namespace s3dest::aws {

struct Profile {
  std::string name;
  std::map<std::string, std::string> settings;
  // Where it was read from, for messages: "~/.aws/config" and/or "~/.aws/credentials".
  std::string source;

  // The setting's value, or "" when it is not there.
  std::string get(const std::string& key) const {
    const auto it = settings.find(key);
    return it == settings.end() ? std::string() : it->second;
  }
  bool has(const std::string& key) const { return !get(key).empty(); }
};

struct ProfileFilePaths {
  std::string credentials;  // AWS_SHARED_CREDENTIALS_FILE, or ~/.aws/credentials
  std::string config;       // AWS_CONFIG_FILE, or ~/.aws/config
};

ProfileFilePaths profile_file_paths(const Environment& env);

struct Profiles {
  std::map<std::string, Profile> by_name;
  ProfileFilePaths paths;
  const Profile* find(const std::string& name) const {
    const auto it = by_name.find(name);
    return it == by_name.end() ? nullptr : &it->second;
  }
};

// Reads both files; a missing file is no profiles. A line that is neither a section, a
// "key = value", a comment nor an indented sub-setting is an error naming file and line.
Result<Profiles> load_profiles(const ProfileFilePaths& paths);

// One file's sections, by profile name. `config_file`: sections are "[profile x]" (and
// "[default]"); other sections ("[sso-session x]", "[services x]") are skipped.
Result<std::map<std::string, std::map<std::string, std::string>>> parse_profile_file(std::string_view text,
                                                                                    bool config_file,
                                                                                    const std::string& file_name);

}  // namespace s3dest::aws

namespace s3dest::aws {
namespace detail {

inline std::string_view trim_ini(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

}  // namespace detail

inline ProfileFilePaths profile_file_paths(const Environment& env) {
  ProfileFilePaths paths;
  const std::string home = env("HOME").value_or("");
  auto expand = [&home](std::string path) {
    if (path.rfind("~/", 0) == 0 && !home.empty()) path = home + path.substr(1);
    return path;
  };
  paths.credentials = expand(env("AWS_SHARED_CREDENTIALS_FILE").value_or("~/.aws/credentials"));
  paths.config = expand(env("AWS_CONFIG_FILE").value_or("~/.aws/config"));
  return paths;
}

inline Result<std::map<std::string, std::map<std::string, std::string>>> parse_profile_file(
    std::string_view text, bool config_file, const std::string& file_name) {
  std::map<std::string, std::map<std::string, std::string>> out;
  std::map<std::string, std::string>* section = nullptr;
  bool skipping = false;  // inside a section that is not a profile
  size_t line_number = 0;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const std::string_view raw = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    ++line_number;
    const std::string_view line = detail::trim_ini(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    auto error = [&](const std::string& what) {
      return destination_error(file_name + ":" + std::to_string(line_number) + ": " + what);
    };
    if (line.front() == '[') {
      const size_t close = line.find(']');
      if (close == std::string_view::npos) return error("a section header without ']'");
      const std::string_view after = detail::trim_ini(line.substr(close + 1));
      if (!after.empty() && after.front() != '#' && after.front() != ';')
        return error("text after a section header");
      std::string_view name = detail::trim_ini(line.substr(1, close - 1));
      skipping = false;
      if (config_file && name != "default") {
        if (name.rfind("profile", 0) == 0 && name.size() > 7 && (name[7] == ' ' || name[7] == '\t')) {
          name = detail::trim_ini(name.substr(8));
        } else {
          skipping = true;  // [sso-session x], [services x], or a name the CLI ignores
          continue;
        }
      }
      if (name.empty()) return error("a section without a name");
      section = &out[std::string(name)];
      continue;
    }
    // An indented line under "key =" is a sub-setting (as for "s3 =\n  max_concurrent_requests = 4").
    if (raw.front() == ' ' || raw.front() == '\t') {
      if (section == nullptr && !skipping) return error("an indented line outside any section");
      continue;
    }
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) return error("neither \"[section]\" nor \"key = value\"");
    if (skipping) continue;
    if (section == nullptr) return error("a setting before any [section]");
    const std::string key(detail::trim_ini(line.substr(0, eq)));
    if (key.empty()) return error("a setting without a name");
    (*section)[key] = std::string(detail::trim_ini(line.substr(eq + 1)));
  }
  return out;
}

inline Result<Profiles> load_profiles(const ProfileFilePaths& paths) {
  Profiles profiles;
  profiles.paths = paths;
  // Config first, so the credentials file's settings win.
  for (const bool config_file : {true, false}) {
    const std::string& path = config_file ? paths.config : paths.credentials;
    std::ifstream in(path, std::ios::binary);
    if (!in) continue;
    std::ostringstream text;
    text << in.rdbuf();
    S3DEST_ASSIGN_OR_RETURN(auto sections, parse_profile_file(text.str(), config_file, path));
    for (auto& [name, settings] : sections) {
      Profile& p = profiles.by_name[name];
      p.name = name;
      p.source += (p.source.empty() ? "" : " and ") + path;
      for (auto& [key, value] : settings) p.settings[key] = std::move(value);
    }
  }
  return profiles;
}

}  // namespace s3dest::aws
