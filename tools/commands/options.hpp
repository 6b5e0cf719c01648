// The one option parser of the s3dest tool: "--name VALUE", "--name=VALUE", flags, and
// (for commands that take them) plain arguments. Messages never repeat an argument that
// is not an option name: it may be a secret.
//
//   std::string config; bool dry_run = false; std::vector<std::string> inputs;
//   Options options;
//   options.value("--config", config).values("--input", inputs).flag("--dry-run", dry_run);
//   if (const std::string error = options.parse(args); !error.empty()) return usage(error);
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace s3dest::tool {

class Options {
 public:
  // Whether an option's value may be "". Refused where "" would read as the option left
  // out, and so do less than asked: `cleanup --run "$RUN"` with RUN unset.
  enum class Empty { allowed, refused };

  // An option that takes a value, given at most once.
  Options& value(std::string name, std::string& out, Empty empty = Empty::allowed) {
    specs_.push_back({std::move(name), Kind::value, [&out](const std::string& v) { out = v; }, nullptr,
                      empty == Empty::allowed});
    return *this;
  }
  // An option that takes a value, as often as wanted.
  Options& values(std::string name, std::vector<std::string>& out) {
    specs_.push_back(
        {std::move(name), Kind::values, [&out](const std::string& v) { out.push_back(v); }, nullptr, true});
    return *this;
  }
  // An option without a value; `to` is what it sets.
  Options& flag(std::string name, bool& out, bool to = true) {
    specs_.push_back({std::move(name), Kind::flag, nullptr, [&out, to] { out = to; }, true});
    return *this;
  }
  // Plain arguments (not options), in order; without this they are refused.
  Options& arguments(std::vector<std::string>& out) {
    arguments_ = &out;
    return *this;
  }

  // Returns an error message, or "" when every argument was taken.
  std::string parse(const std::vector<std::string>& args, const std::string& command) const {
    std::vector<std::string> seen;
    for (size_t i = 0; i < args.size(); ++i) {
      std::string name = args[i];
      if (name.rfind("--", 0) != 0 || name == "--") {
        if (arguments_ && name != "--") {
          arguments_->push_back(name);
          continue;
        }
        return "unexpected argument in position " + std::to_string(i + 2) +
               ": every value follows its option, as in --config FILE";
      }
      std::string value;
      const size_t eq = name.find('=');
      const bool inline_value = eq != std::string::npos;
      if (inline_value) {
        value = name.substr(eq + 1);
        name.resize(eq);
      }
      const Spec* spec = find(name);
      if (!spec) return "unknown option \"" + name + "\" for " + command;
      if (spec->kind == Kind::flag) {
        if (inline_value) return name + " takes no value";
        spec->set_flag();
        continue;
      }
      if (!inline_value) {
        if (i + 1 >= args.size()) return name + " needs a value";
        value = args[++i];
      }
      if (value.empty() && !spec->may_be_empty)
        return name + " needs a value, and \"\" is none: give one, or leave " + name + " out";
      if (spec->kind == Kind::value) {
        for (const std::string& s : seen)
          if (s == name) return name + " is given twice: give it once";
        seen.push_back(name);
      }
      spec->set_value(value);
    }
    return "";
  }

 private:
  enum class Kind { value, values, flag };
  struct Spec {
    std::string name;
    Kind kind;
    std::function<void(const std::string&)> set_value;
    std::function<void()> set_flag;
    bool may_be_empty;
  };
  const Spec* find(const std::string& name) const {
    for (const Spec& spec : specs_)
      if (spec.name == name) return &spec;
    return nullptr;
  }

  std::vector<Spec> specs_;
  std::vector<std::string>* arguments_ = nullptr;
};

}  // namespace s3dest::tool
