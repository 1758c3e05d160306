#include "config.hpp"

#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

#include <toml++/toml.h>

namespace deltran::app {

namespace {

// One setting: its TOML path, its environment variable, and how to set it from text.
struct Setting {
  const char* toml_path;
  const char* env;
  std::function<Status(Config&, const std::string&)> set;
};

Status set_int(int64_t& out, const std::string& name, const std::string& text, int64_t min, int64_t max) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || v < min || v > max) {
    return make_error(ErrorCode::kInvalidArgument, name + " must be an integer in [" + std::to_string(min) + ", " +
                                                       std::to_string(max) + "], got '" + text + "'");
  }
  out = v;
  return {};
}

// Lines (from a TOML array) or commas (from the environment).
std::vector<std::string> split_list(const std::string& v) {
  std::vector<std::string> out;
  std::string item;
  for (char c : v + "\n") {
    if (c == '\n' || c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else {
      item += c;
    }
  }
  return out;
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> all = {
      {"listen", "DELTRAN_LISTEN", [](Config& c, const std::string& v) -> Status { c.listen = v; return {}; }},
      {"data", "DELTRAN_DATA", [](Config& c, const std::string& v) -> Status { c.data = v; return {}; }},
      {"admin_key", "DELTRAN_ADMIN_KEY", [](Config& c, const std::string& v) -> Status { c.admin_key = v; return {}; }},
      {"compliance_key", "DELTRAN_COMPLIANCE_KEY",
       [](Config& c, const std::string& v) -> Status { c.compliance_key = v; return {}; }},
      {"http.threads", "DELTRAN_HTTP_THREADS",
       [](Config& c, const std::string& v) -> Status {
         int64_t n = 0;
         auto st = set_int(n, "http.threads", v, 1, 64);
         if (st) c.http_threads = static_cast<int>(n);
         return st;
       }},
      {"http.body_limit_bytes", "DELTRAN_HTTP_BODY_LIMIT_BYTES",
       [](Config& c, const std::string& v) { return set_int(c.body_limit_bytes, "http.body_limit_bytes", v, 1024, 1 << 30); }},
      {"core.queue_max", "DELTRAN_CORE_QUEUE_MAX",
       [](Config& c, const std::string& v) { return set_int(c.queue_max, "core.queue_max", v, 1, 10'000'000); }},
      {"core.batch_max", "DELTRAN_CORE_BATCH_MAX",
       [](Config& c, const std::string& v) { return set_int(c.batch_max, "core.batch_max", v, 1, 1'000'000); }},
      {"store.synchronous", "DELTRAN_STORE_SYNCHRONOUS",
       [](Config& c, const std::string& v) -> Status {
         if (v != "full" && v != "normal") {
           return make_error(ErrorCode::kInvalidArgument, "store.synchronous must be 'full' or 'normal', got '" + v + "'");
         }
         c.synchronous = v;
         return {};
       }},
      {"clearing.window_seconds", "DELTRAN_CLEARING_WINDOW_SECONDS",
       [](Config& c, const std::string& v) { return set_int(c.window_seconds, "clearing.window_seconds", v, 0, 7 * 86'400); }},
      {"iso20022.xsd_dir", "DELTRAN_XSD_DIR",
       [](Config& c, const std::string& v) -> Status { c.xsd_dir = v; return {}; }},
      {"compliance.sanctions_lists", "DELTRAN_SANCTIONS_LISTS",
       [](Config& c, const std::string& v) -> Status { c.sanctions_lists = split_list(v); return {}; }},
      {"compliance.pep_lists", "DELTRAN_PEP_LISTS",
       [](Config& c, const std::string& v) -> Status { c.pep_lists = split_list(v); return {}; }},
      {"log.level", "DELTRAN_LOG_LEVEL",
       [](Config& c, const std::string& v) -> Status {
         static const std::vector<std::string> levels = {"trace", "debug", "info", "warn", "error", "critical", "off"};
         if (std::find(levels.begin(), levels.end(), v) == levels.end()) {
           return make_error(ErrorCode::kInvalidArgument, "log.level must be one of trace, debug, info, warn, error, critical, off");
         }
         c.log_level = v;
         return {};
       }},
  };
  return all;
}

// Flattens a TOML table into dotted keys with their values as text.
void flatten(const toml::table& t, const std::string& prefix, std::map<std::string, std::string>& out,
             std::vector<std::string>& bad) {
  for (const auto& [k, node] : t) {
    std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const auto* sub = node.as_table()) {
      flatten(*sub, key, out, bad);
    } else if (const auto* arr = node.as_array()) {
      // Arrays of strings (list specs) travel as lines.
      std::string joined;
      for (const auto& item : *arr) {
        auto s = item.value<std::string>();
        if (!s) {
          bad.push_back(key);
          break;
        }
        joined += (joined.empty() ? "" : "\n") + *s;
      }
      out[key] = joined;
    } else if (auto s = node.value<std::string>()) {
      out[key] = *s;
    } else if (auto i = node.value<int64_t>()) {
      out[key] = std::to_string(*i);
    } else if (auto b = node.value<bool>()) {
      out[key] = *b ? "true" : "false";
    } else {
      bad.push_back(key);
    }
  }
}

}  // namespace

Status apply_toml_file(Config& c, const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return make_error(ErrorCode::kInvalidArgument, "config " + path + ": " + std::string(e.description()) +
                                                       " at line " + std::to_string(e.source().begin.line));
  }
  std::map<std::string, std::string> values;
  std::vector<std::string> bad;
  flatten(table, "", values, bad);
  if (!bad.empty()) return make_error(ErrorCode::kInvalidArgument, "config " + path + ": unsupported value type for " + bad.front());
  for (const auto& [key, value] : values) {
    auto it = std::find_if(settings().begin(), settings().end(), [&](const Setting& s) { return key == s.toml_path; });
    if (it == settings().end()) return make_error(ErrorCode::kInvalidArgument, "config " + path + ": unknown setting '" + key + "'");
    if (auto st = it->set(c, value); !st) return st;
  }
  return {};
}

Status apply_environment(Config& c) {
  for (const auto& s : settings()) {
    if (const char* v = std::getenv(s.env); v != nullptr && *v != '\0') {
      if (auto st = s.set(c, v); !st) {
        return make_error(ErrorCode::kInvalidArgument, std::string(s.env) + ": " + st.error().message);
      }
    }
  }
  return {};
}

std::vector<std::string> Config::list_specs() const {
  std::vector<std::string> specs = sanctions_lists;
  for (const auto& p : pep_lists) specs.push_back(p.rfind("csv:", 0) == 0 ? "pep-" + p : p);
  return specs;
}

Result<std::pair<std::string, uint16_t>> split_listen(const std::string& listen) {
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return make_error(ErrorCode::kInvalidArgument, "listen must be host:port, got '" + listen + "'");
  }
  std::string host = listen.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int64_t port = 0;
  if (auto st = set_int(port, "listen port", listen.substr(colon + 1), 0, 65535); !st) return tl::unexpected(st.error());
  return std::make_pair(host, static_cast<uint16_t>(port));
}

Status validate(const Config& c) {
  if (auto l = split_listen(c.listen); !l) return tl::unexpected(l.error());
  if (c.data.empty()) return make_error(ErrorCode::kInvalidArgument, "data folder must not be empty");
  if (c.window_seconds != 0 && c.window_seconds < 1) {
    return make_error(ErrorCode::kInvalidArgument, "clearing.window_seconds must be 0 or at least 1");
  }
  return {};
}

std::string describe(const Config& c) {
  auto masked = [](const std::string& s) { return s.empty() ? std::string("(from data folder)") : std::string("****"); };
  std::string out;
  out += "listen=" + c.listen + " data=" + c.data + " admin_key=" + masked(c.admin_key) +
         " compliance_key=" + masked(c.compliance_key);
  out += " http.threads=" + std::to_string(c.http_threads) + " http.body_limit_bytes=" + std::to_string(c.body_limit_bytes);
  out += " core.queue_max=" + std::to_string(c.queue_max) + " core.batch_max=" + std::to_string(c.batch_max);
  out += " store.synchronous=" + c.synchronous + " clearing.window_seconds=" + std::to_string(c.window_seconds);
  out += " iso20022.xsd_dir=" + c.xsd_dir + " compliance.lists=" + std::to_string(c.sanctions_lists.size()) +
         " sanctions + " + std::to_string(c.pep_lists.size()) + " PEP log.level=" + c.log_level;
  return out;
}

}  // namespace deltran::app
