#include "config.hpp"

#include <cctype>
#include <charconv>
#include <cstdlib>
#include <functional>
#include <map>

#include <toml++/toml.h>

#include <deltran/iso20022/identifiers.hpp>
#include <deltran/money/amount.hpp>

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

Status set_bool(bool& out, const std::string& name, const std::string& text) {
  if (text == "true" || text == "1" || text == "yes") {
    out = true;
  } else if (text == "false" || text == "0" || text == "no") {
    out = false;
  } else {
    return make_error(ErrorCode::kInvalidArgument, name + " must be true or false, got '" + text + "'");
  }
  return {};
}

template <typename T>
Status set_small(T& out, const std::string& name, const std::string& text, int64_t min, int64_t max) {
  int64_t v = 0;
  auto st = set_int(v, name, text, min, max);
  if (st) out = static_cast<T>(v);
  return st;
}

// A share in [0, 1] ("0.01").
Status set_share(double& out, const std::string& name, const std::string& text) {
  double v = -1;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || p != text.data() + text.size() || !(v >= 0.0 && v <= 1.0)) {
    return make_error(ErrorCode::kInvalidArgument, name + " must be a number in [0, 1], got '" + text + "'");
  }
  out = v;
  return {};
}

// A USD amount in config ("10000.00") to cents.
Status set_usd(int64_t& out, const std::string& name, const std::string& text) {
  auto v = money::parse_amount(text, 2);
  if (!v || *v <= 0) {
    return make_error(ErrorCode::kInvalidArgument, name + " must be a positive USD amount such as \"10000.00\", got '" + text + "'");
  }
  out = *v;
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
      {"operator_key", "DELTRAN_OPERATOR_KEY", [](Config& c, const std::string& v) -> Status { c.operator_key = v; return {}; }},
      {"auditor_key", "DELTRAN_AUDITOR_KEY", [](Config& c, const std::string& v) -> Status { c.auditor_key = v; return {}; }},
      {"settlement_bank_key", "DELTRAN_SETTLEMENT_BANK_KEY",
       [](Config& c, const std::string& v) -> Status { c.settlement_bank_key = v; return {}; }},
      {"http.rate_limit.default_tier", "DELTRAN_RATE_LIMIT_DEFAULT_TIER",
       [](Config& c, const std::string& v) -> Status { c.default_rate_tier = v; return {}; }},
      {"http.rate_limit.tiers", "DELTRAN_RATE_LIMIT_TIERS",
       [](Config& c, const std::string& v) -> Status {
         // Tiers named here are added to the defaults, or replace the default of that name.
         for (const std::string& spec : split_list(v)) {
           auto tier = gateway::parse_rate_tier(spec);
           if (!tier) return tl::unexpected(tier.error());
           std::erase_if(c.rate_tiers, [&](const gateway::RateTier& t) { return t.name == tier->name; });
           c.rate_tiers.push_back(*tier);
         }
         return {};
       }},
      {"http.tls.cert_file", "DELTRAN_TLS_CERT", [](Config& c, const std::string& v) -> Status { c.tls_cert_file = v; return {}; }},
      {"http.tls.key_file", "DELTRAN_TLS_KEY", [](Config& c, const std::string& v) -> Status { c.tls_key_file = v; return {}; }},
      {"http.tls.client_ca_file", "DELTRAN_TLS_CLIENT_CA",
       [](Config& c, const std::string& v) -> Status { c.tls_client_ca_file = v; return {}; }},
      {"http.tls.require_client_cert", "DELTRAN_TLS_REQUIRE_CLIENT_CERT",
       [](Config& c, const std::string& v) { return set_bool(c.tls_require_client_cert, "http.tls.require_client_cert", v); }},
      {"http.tls.allow_tls12", "DELTRAN_TLS_ALLOW_TLS12",
       [](Config& c, const std::string& v) { return set_bool(c.tls_allow_tls12, "http.tls.allow_tls12", v); }},
      {"auth.users_file", "DELTRAN_USERS_FILE", [](Config& c, const std::string& v) -> Status { c.users_file = v; return {}; }},
      {"auth.access_token_seconds", "DELTRAN_ACCESS_TOKEN_SECONDS",
       [](Config& c, const std::string& v) { return set_int(c.access_token_seconds, "auth.access_token_seconds", v, 30, 3'600); }},
      {"auth.session_seconds", "DELTRAN_SESSION_SECONDS",
       [](Config& c, const std::string& v) { return set_int(c.session_seconds, "auth.session_seconds", v, 300, 7 * 86'400); }},
      {"auth.clock_skew_seconds", "DELTRAN_CLOCK_SKEW_SECONDS",
       [](Config& c, const std::string& v) { return set_int(c.clock_skew_seconds, "auth.clock_skew_seconds", v, 0, 300); }},
      {"auth.login_rate_tier", "DELTRAN_LOGIN_RATE_TIER",
       [](Config& c, const std::string& v) -> Status { c.login_rate_tier = v; return {}; }},
      {"http.max_connections", "DELTRAN_HTTP_MAX_CONNECTIONS",
       [](Config& c, const std::string& v) { return set_int(c.max_connections, "http.max_connections", v, 1, 1'000'000); }},
      {"http.max_connections_per_address", "DELTRAN_HTTP_MAX_CONNECTIONS_PER_ADDRESS",
       [](Config& c, const std::string& v) {
         return set_int(c.max_connections_per_address, "http.max_connections_per_address", v, 1, 1'000'000);
       }},
      {"http.max_header_count", "DELTRAN_HTTP_MAX_HEADER_COUNT",
       [](Config& c, const std::string& v) { return set_int(c.max_header_count, "http.max_header_count", v, 8, 10'000); }},
      {"http.read_timeout_seconds", "DELTRAN_HTTP_READ_TIMEOUT_SECONDS",
       [](Config& c, const std::string& v) { return set_int(c.read_timeout_s, "http.read_timeout_seconds", v, 1, 3'600); }},
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
      {"core.snapshot_every_events", "DELTRAN_CORE_SNAPSHOT_EVERY_EVENTS",
       [](Config& c, const std::string& v) {
         return set_int(c.snapshot_every_events, "core.snapshot_every_events", v, 1'000, 1'000'000'000);
       }},
      {"core.idempotency_retention_days", "DELTRAN_IDEMPOTENCY_RETENTION_DAYS",
       [](Config& c, const std::string& v) {
         return set_int(c.idempotency_retention_days, "core.idempotency_retention_days", v, 1, 3'650);
       }},
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
      {"rail.bic", "DELTRAN_RAIL_BIC",
       [](Config& c, const std::string& v) -> Status {
         std::string bic = v;
         for (char& ch : bic) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
         if (!iso20022::is_bic(bic)) return make_error(ErrorCode::kInvalidArgument, "rail.bic must be a BIC (8 or 11 characters), got '" + v + "'");
         c.rail_bic = bic;
         return {};
       }},
      {"rail.name", "DELTRAN_RAIL_NAME",
       [](Config& c, const std::string& v) -> Status {
         if (v.empty() || v.size() > 140) return make_error(ErrorCode::kInvalidArgument, "rail.name must have 1 to 140 characters");
         c.rail_name = v;
         return {};
       }},
      {"fx.max_rate_age_seconds", "DELTRAN_FX_MAX_RATE_AGE_SECONDS",
       [](Config& c, const std::string& v) { return set_int(c.fx_max_rate_age_seconds, "fx.max_rate_age_seconds", v, 0, 7 * 86'400); }},
      {"fx.quote_ttl_seconds", "DELTRAN_FX_QUOTE_TTL_SECONDS",
       [](Config& c, const std::string& v) { return set_int(c.fx_quote_ttl_seconds, "fx.quote_ttl_seconds", v, 1, 86'400); }},
      {"fx.rates_file", "DELTRAN_FX_RATES_FILE",
       [](Config& c, const std::string& v) -> Status { c.fx_rates_file = v; return {}; }},
      {"fx.max_hops", "DELTRAN_FX_MAX_HOPS",
       // At most 3: the best-path search is exact up to three conversions.
       [](Config& c, const std::string& v) { return set_int(c.fx_max_hops, "fx.max_hops", v, 1, 3); }},
      {"iso20022.xsd_dir", "DELTRAN_XSD_DIR",
       [](Config& c, const std::string& v) -> Status { c.xsd_dir = v; return {}; }},
      {"iso20022.schema_validation", "DELTRAN_SCHEMA_VALIDATION",
       [](Config& c, const std::string& v) { return set_bool(c.schema_validation, "iso20022.schema_validation", v); }},
      {"compliance.sanctions_lists", "DELTRAN_SANCTIONS_LISTS",
       [](Config& c, const std::string& v) -> Status { c.sanctions_lists = split_list(v); return {}; }},
      {"compliance.pep_lists", "DELTRAN_PEP_LISTS",
       [](Config& c, const std::string& v) -> Status { c.pep_lists = split_list(v); return {}; }},
      {"compliance.allow_no_lists", "DELTRAN_ALLOW_NO_LISTS",
       [](Config& c, const std::string& v) { return set_bool(c.allow_no_lists, "compliance.allow_no_lists", v); }},
      {"compliance.max_bad_row_share", "DELTRAN_MAX_BAD_ROW_SHARE",
       [](Config& c, const std::string& v) { return set_share(c.max_bad_row_share, "compliance.max_bad_row_share", v); }},
      // --- AML rules (compliance.aml.*) ---
      {"compliance.aml.enabled", "DELTRAN_AML_ENABLED",
       [](Config& c, const std::string& v) { return set_bool(c.controls.aml_enabled, "compliance.aml.enabled", v); }},
      {"compliance.aml.ctr_threshold_usd", "DELTRAN_AML_CTR_THRESHOLD_USD",
       [](Config& c, const std::string& v) {
         return set_usd(c.controls.aml.ctr_threshold_usd_minor, "compliance.aml.ctr_threshold_usd", v);
       }},
      {"compliance.aml.just_below_band_usd", "DELTRAN_AML_JUST_BELOW_BAND_USD",
       [](Config& c, const std::string& v) {
         return set_usd(c.controls.aml.just_below_band_usd_minor, "compliance.aml.just_below_band_usd", v);
       }},
      {"compliance.aml.review_score", "DELTRAN_AML_REVIEW_SCORE",
       [](Config& c, const std::string& v) { return set_small(c.controls.aml.review_score, "compliance.aml.review_score", v, 0, 100); }},
      {"compliance.aml.pep_review_score", "DELTRAN_AML_PEP_REVIEW_SCORE",
       [](Config& c, const std::string& v) { return set_small(c.controls.aml.pep_review_score, "compliance.aml.pep_review_score", v, 0, 100); }},
      {"compliance.aml.sar_score", "DELTRAN_AML_SAR_SCORE",
       [](Config& c, const std::string& v) { return set_small(c.controls.aml.sar_score, "compliance.aml.sar_score", v, 0, 100); }},
      {"compliance.aml.hold_on_pattern_sar", "DELTRAN_AML_HOLD_ON_PATTERN_SAR",
       [](Config& c, const std::string& v) { return set_bool(c.controls.aml.hold_on_pattern_sar, "compliance.aml.hold_on_pattern_sar", v); }},
      {"compliance.aml.rapid_count", "DELTRAN_AML_RAPID_COUNT",
       [](Config& c, const std::string& v) { return set_small(c.controls.aml.rapid_count, "compliance.aml.rapid_count", v, 1, 100'000); }},
      {"compliance.aml.structuring_count", "DELTRAN_AML_STRUCTURING_COUNT",
       [](Config& c, const std::string& v) { return set_small(c.controls.aml.structuring_count, "compliance.aml.structuring_count", v, 1, 1'000); }},
      {"compliance.aml.similar_count", "DELTRAN_AML_SIMILAR_COUNT",
       [](Config& c, const std::string& v) { return set_small(c.controls.aml.similar_count, "compliance.aml.similar_count", v, 1, 1'000); }},
      {"compliance.aml.high_risk_countries", "DELTRAN_HIGH_RISK_COUNTRIES",
       [](Config& c, const std::string& v) -> Status {
         c.controls.aml.high_risk_countries = c.controls.risk.high_risk_countries = split_list(v);
         return {};
       }},
      {"compliance.aml.medium_risk_countries", "DELTRAN_MEDIUM_RISK_COUNTRIES",
       [](Config& c, const std::string& v) -> Status {
         c.controls.aml.medium_risk_countries = c.controls.risk.medium_risk_countries = split_list(v);
         return {};
       }},
      {"compliance.aml.suspicious_keywords", "DELTRAN_AML_SUSPICIOUS_KEYWORDS",
       [](Config& c, const std::string& v) -> Status { c.controls.aml.suspicious_keywords = split_list(v); return {}; }},
      // --- the risk score (risk.score.*) ---
      {"risk.score.enabled", "DELTRAN_RISK_SCORE_ENABLED",
       [](Config& c, const std::string& v) { return set_bool(c.controls.risk_enabled, "risk.score.enabled", v); }},
      {"risk.score.approve_max", "DELTRAN_RISK_APPROVE_MAX",
       [](Config& c, const std::string& v) { return set_small(c.controls.risk.approve_max, "risk.score.approve_max", v, 0, 100); }},
      {"risk.score.approve_with_limit_max", "DELTRAN_RISK_APPROVE_WITH_LIMIT_MAX",
       [](Config& c, const std::string& v) {
         return set_small(c.controls.risk.approve_with_limit_max, "risk.score.approve_with_limit_max", v, 0, 100);
       }},
      {"risk.score.review_max", "DELTRAN_RISK_REVIEW_MAX",
       [](Config& c, const std::string& v) { return set_small(c.controls.risk.review_max, "risk.score.review_max", v, 0, 100); }},
      {"risk.score.weight_amount", "DELTRAN_RISK_WEIGHT_AMOUNT",
       [](Config& c, const std::string& v) { return set_small(c.controls.risk.weight_amount, "risk.score.weight_amount", v, 0, 100); }},
      {"risk.score.weight_corridor", "DELTRAN_RISK_WEIGHT_CORRIDOR",
       [](Config& c, const std::string& v) { return set_small(c.controls.risk.weight_corridor, "risk.score.weight_corridor", v, 0, 100); }},
      {"risk.score.weight_velocity", "DELTRAN_RISK_WEIGHT_VELOCITY",
       [](Config& c, const std::string& v) { return set_small(c.controls.risk.weight_velocity, "risk.score.weight_velocity", v, 0, 100); }},
      {"risk.score.weight_history", "DELTRAN_RISK_WEIGHT_HISTORY",
       [](Config& c, const std::string& v) { return set_small(c.controls.risk.weight_history, "risk.score.weight_history", v, 0, 100); }},
      {"risk.score.weight_counterflow", "DELTRAN_RISK_WEIGHT_COUNTERFLOW",
       [](Config& c, const std::string& v) {
         return set_small(c.controls.risk.weight_counterflow, "risk.score.weight_counterflow", v, 0, 100);
       }},
      // --- circuit breakers (risk.breakers.*) ---
      {"risk.breakers.enabled", "DELTRAN_BREAKERS_ENABLED",
       [](Config& c, const std::string& v) { return set_bool(c.controls.breakers_enabled, "risk.breakers.enabled", v); }},
      {"risk.breakers.min_bad", "DELTRAN_BREAKERS_MIN_BAD",
       [](Config& c, const std::string& v) { return set_small(c.controls.breakers.min_bad, "risk.breakers.min_bad", v, 1, 1'000'000); }},
      {"risk.breakers.trip_percent", "DELTRAN_BREAKERS_TRIP_PERCENT",
       [](Config& c, const std::string& v) { return set_small(c.controls.breakers.trip_percent, "risk.breakers.trip_percent", v, 1, 100); }},
      {"risk.breakers.window_seconds", "DELTRAN_BREAKERS_WINDOW_SECONDS",
       [](Config& c, const std::string& v) -> Status {
         int64_t s = 0;
         auto st = set_int(s, "risk.breakers.window_seconds", v, 1, 86'400);
         if (st) c.controls.breakers.window_us = s * 1'000'000;
         return st;
       }},
      {"risk.breakers.open_seconds", "DELTRAN_BREAKERS_OPEN_SECONDS",
       [](Config& c, const std::string& v) -> Status {
         int64_t s = 0;
         auto st = set_int(s, "risk.breakers.open_seconds", v, 1, 86'400);
         if (st) c.controls.breakers.open_duration_us = s * 1'000'000;
         return st;
       }},
      {"risk.breakers.successes_to_close", "DELTRAN_BREAKERS_SUCCESSES_TO_CLOSE",
       [](Config& c, const std::string& v) {
         return set_small(c.controls.breakers.successes_to_close, "risk.breakers.successes_to_close", v, 1, 1'000);
       }},
      {"risk.breakers.half_open_probes", "DELTRAN_BREAKERS_HALF_OPEN_PROBES",
       [](Config& c, const std::string& v) {
         return set_small(c.controls.breakers.half_open_probes, "risk.breakers.half_open_probes", v, 1, 1'000);
       }},
      {"risk.breakers.count_rejections", "DELTRAN_BREAKERS_COUNT_REJECTIONS",
       [](Config& c, const std::string& v) {
         return set_bool(c.controls.breakers.rejections_count, "risk.breakers.count_rejections", v);
       }},
      {"risk.breakers.count_failures", "DELTRAN_BREAKERS_COUNT_FAILURES",
       [](Config& c, const std::string& v) {
         return set_bool(c.controls.breakers.failures_count, "risk.breakers.count_failures", v);
       }},
      {"risk.breakers.count_limit_breaches", "DELTRAN_BREAKERS_COUNT_LIMIT_BREACHES",
       [](Config& c, const std::string& v) {
         return set_bool(c.controls.breakers.limit_breaches_count, "risk.breakers.count_limit_breaches", v);
       }},
      // --- USD reference rates for thresholds: "EUR=1.16,GBP=1.32" from the environment ---
      {"fx.usd_per_unit", "DELTRAN_FX_USD_PER_UNIT",
       [](Config& c, const std::string& v) -> Status {
         for (const auto& item : split_list(v)) {
           size_t eq = item.find('=');
           if (eq == std::string::npos) {
             return make_error(ErrorCode::kInvalidArgument, "fx.usd_per_unit items are CCY=RATE, got '" + item + "'");
           }
           if (auto st = c.controls.usd_rates.set(item.substr(0, eq), item.substr(eq + 1)); !st) return st;
         }
         return {};
       }},
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
  if (!bad.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "config " + path + ": unsupported value type for " + bad.front() +
                                                       " (write decimals as strings, e.g. \"1.16\", so they stay exact)");
  }
  for (const auto& [key, value] : values) {
    // [fx.usd_per_unit] EUR = "1.16": one key per currency.
    if (key.rfind("fx.usd_per_unit.", 0) == 0) {
      if (auto st = c.controls.usd_rates.set(key.substr(16), value); !st) {
        return make_error(ErrorCode::kInvalidArgument, "config " + path + ": " + st.error().message);
      }
      continue;
    }
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
  if (std::none_of(c.rate_tiers.begin(), c.rate_tiers.end(),
                   [&](const gateway::RateTier& t) { return t.name == c.default_rate_tier; })) {
    std::string names;
    for (const auto& t : c.rate_tiers) names += (names.empty() ? "" : ", ") + t.name;
    return make_error(ErrorCode::kInvalidArgument,
                      "http.rate_limit.default_tier '" + c.default_rate_tier + "' is not a tier (" + names + ")");
  }
  if (std::none_of(c.rate_tiers.begin(), c.rate_tiers.end(),
                   [&](const gateway::RateTier& t) { return t.name == c.login_rate_tier; })) {
    return make_error(ErrorCode::kInvalidArgument, "auth.login_rate_tier '" + c.login_rate_tier + "' is not a tier");
  }
  if (c.tls_cert_file.empty() != c.tls_key_file.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "TLS needs both a certificate and its key (--tls-cert, --tls-key)");
  }
  if (!c.tls_client_ca_file.empty() && c.tls_cert_file.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "mTLS (http.tls.client_ca_file) needs TLS: set --tls-cert and --tls-key");
  }
  if (c.tls_require_client_cert && c.tls_client_ca_file.empty()) {
    return make_error(ErrorCode::kInvalidArgument, "http.tls.require_client_cert needs http.tls.client_ca_file");
  }
  if (c.access_token_seconds >= c.session_seconds) {
    return make_error(ErrorCode::kInvalidArgument, "auth.access_token_seconds must be shorter than auth.session_seconds");
  }
  if (auto st = compliance::validate(c.controls.aml); !st) {
    return make_error(ErrorCode::kInvalidArgument, "compliance.aml: " + st.error().message);
  }
  if (auto st = risk::validate(c.controls.risk); !st) {
    return make_error(ErrorCode::kInvalidArgument, "risk.score: " + st.error().message);
  }
  if (auto st = risk::validate(c.controls.breakers); !st) {
    return make_error(ErrorCode::kInvalidArgument, "risk.breakers: " + st.error().message);
  }
  return {};
}

std::string describe(const Config& c) {
  auto masked = [](const std::string& s) { return s.empty() ? std::string("(from data folder)") : std::string("****"); };
  std::string out;
  out += "listen=" + c.listen + " data=" + c.data + " admin_key=" + masked(c.admin_key) +
         " compliance_key=" + masked(c.compliance_key) + " operator_key=" + masked(c.operator_key) +
         " auditor_key=" + masked(c.auditor_key) + " settlement_bank_key=" + masked(c.settlement_bank_key);
  out += " http.threads=" + std::to_string(c.http_threads) + " http.body_limit_bytes=" + std::to_string(c.body_limit_bytes);
  out += " http.rate_limit.default_tier=" + c.default_rate_tier + " http.rate_limit.tiers=";
  for (const auto& t : c.rate_tiers) {
    out += t.name + "=" + std::to_string(t.per_minute) + "/" + std::to_string(t.burst) + (&t == &c.rate_tiers.back() ? "" : ",");
  }
  out += " http.max_connections=" + std::to_string(c.max_connections) +
         " http.max_connections_per_address=" + std::to_string(c.max_connections_per_address) +
         " http.max_header_count=" + std::to_string(c.max_header_count) +
         " http.read_timeout_seconds=" + std::to_string(c.read_timeout_s);
  out += " http.tls=" + (c.tls_cert_file.empty() ? std::string("off") : c.tls_cert_file) +
         " http.tls.client_ca_file=" + (c.tls_client_ca_file.empty() ? std::string("(none)") : c.tls_client_ca_file) +
         " http.tls.require_client_cert=" + (c.tls_require_client_cert ? "true" : "false") +
         " http.tls.allow_tls12=" + (c.tls_allow_tls12 ? "true" : "false");
  out += " auth.users_file=" + (c.users_file.empty() ? std::string("(data folder)") : c.users_file) +
         " auth.access_token_seconds=" + std::to_string(c.access_token_seconds) +
         " auth.session_seconds=" + std::to_string(c.session_seconds) +
         " auth.clock_skew_seconds=" + std::to_string(c.clock_skew_seconds) + " auth.login_rate_tier=" + c.login_rate_tier;
  out += " core.queue_max=" + std::to_string(c.queue_max) + " core.batch_max=" + std::to_string(c.batch_max) +
         " core.snapshot_every_events=" + std::to_string(c.snapshot_every_events) +
         " core.idempotency_retention_days=" + std::to_string(c.idempotency_retention_days);
  out += " store.synchronous=" + c.synchronous + " clearing.window_seconds=" + std::to_string(c.window_seconds);
  out += " iso20022.xsd_dir=" + (c.xsd_dir.empty() ? std::string("(shipped)") : c.xsd_dir) +
         " iso20022.schema_validation=" + (c.schema_validation ? "true" : "false") + " compliance.lists=" + std::to_string(c.sanctions_lists.size()) +
         " sanctions + " + std::to_string(c.pep_lists.size()) + " PEP compliance.allow_no_lists=" +
         (c.allow_no_lists ? "true" : "false") + " compliance.max_bad_row_share=" + std::to_string(c.max_bad_row_share) + " log.level=" + c.log_level +
         " rail.bic=" + c.rail_bic + " rail.name=" + c.rail_name + " fx.max_rate_age_seconds=" +
         std::to_string(c.fx_max_rate_age_seconds) + " fx.quote_ttl_seconds=" + std::to_string(c.fx_quote_ttl_seconds) +
         " fx.max_hops=" + std::to_string(c.fx_max_hops);
  const auto& k = c.controls;
  out += " compliance.aml=" + std::string(k.aml_enabled ? "on" : "off") +
         " (ctr_threshold_usd=" + money::format_amount(k.aml.ctr_threshold_usd_minor, 2) +
         " review_score=" + std::to_string(k.aml.review_score) + " sar_score=" + std::to_string(k.aml.sar_score) +
         " hold_on_pattern_sar=" + (k.aml.hold_on_pattern_sar ? "true" : "false") + ")";
  out += " risk.score=" + std::string(k.risk_enabled ? "on" : "off") + " (bands " + std::to_string(k.risk.approve_max) +
         "/" + std::to_string(k.risk.approve_with_limit_max) + "/" + std::to_string(k.risk.review_max) + ")";
  out += " risk.breakers=" + std::string(k.breakers_enabled ? "on" : "off") + " (" + std::to_string(k.breakers.min_bad) +
         " bad >= " + std::to_string(k.breakers.trip_percent) + "% in " + std::to_string(k.breakers.window_us / 1'000'000) +
         " s, open " + std::to_string(k.breakers.open_duration_us / 1'000'000) + " s)";
  out += " fx.usd_per_unit=" + std::to_string(k.usd_rates.describe().size()) + " currencies";
  return out;
}

}  // namespace deltran::app
