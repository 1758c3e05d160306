// Reading requests: JSON bodies field by field with precise messages, amounts as exact
// decimal strings, query parameters, and the hash that tells a retry from a reused key.
#include <boost/json.hpp>
#include <boost/url/parse.hpp>

#include <charconv>

#include <deltran/core/crypto.hpp>
#include <deltran/money/amount.hpp>
#include <deltran/money/currency.hpp>

#include "api_impl.hpp"
#include "validation.hpp"

namespace deltran::gateway {

namespace json = boost::json;

std::optional<std::string> Fields::text(std::string_view key, bool required, size_t max_len, Rc rc) {
  const json::value* v = o_.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) fail(key, "is required", rc);
    return std::nullopt;
  }
  if (!v->is_string()) {
    fail(key, "must be a string", rc);
    return std::nullopt;
  }
  std::string s(v->as_string());
  if (required && s.empty()) {
    fail(key, "must not be empty", rc);
    return std::nullopt;
  }
  if (s.size() > max_len) {
    fail(key, "is longer than " + std::to_string(max_len) + " characters", rc);
    return std::nullopt;
  }
  return s;
}

const json::object* Fields::object(std::string_view key, bool required) {
  const json::value* v = o_.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) fail(key, "is required", Rc::kInvalidField);
    return nullptr;
  }
  if (!v->is_object()) {
    fail(key, "must be an object", Rc::kInvalidField);
    return nullptr;
  }
  return &v->as_object();
}

void Fields::fail(std::string_view key, const std::string& what, Rc rc) {
  if (error_) return;
  error_ = ApiError{rc, "'" + prefix_ + std::string(key) + "' " + what};
}

tl::expected<json::object, ApiError> parse_object(const Request& req) {
  // Absent and form-encoded (what `curl -d` sends by default) are read as JSON too: the
  // body decides. Anything else named explicitly (XML, text) is refused.
  std::string_view ct = req.header("content-type");
  if (!ct.empty() && ct.find("json") == std::string_view::npos &&
      ct.find("application/x-www-form-urlencoded") == std::string_view::npos) {
    return tl::unexpected(ApiError{Rc::kUnsupportedMediaType, "Content-Type must be application/json"});
  }
  json::parse_options opts;
  opts.max_depth = 16;
  boost::system::error_code ec;
  // One arena per request, shared by the DOM that outlives this function: a handful of
  // allocations instead of one per node.
  json::value v = json::parse(req.body, ec, json::make_shared_resource<json::monotonic_resource>(), opts);
  if (ec) return tl::unexpected(ApiError{Rc::kInvalidJson, "request body is not valid JSON: " + ec.message()});
  if (!v.is_object()) return tl::unexpected(ApiError{Rc::kInvalidJson, "request body must be a JSON object"});
  return std::move(v.as_object());
}

std::optional<int64_t> read_amount(Fields& f, std::string_view key, CurrencyId currency, bool allow_zero) {
  const json::value* v = f.raw(key);
  if (v != nullptr && v->is_number()) {
    f.fail(key, "must be a decimal string such as \"1234.56\", not a JSON number", Rc::kInvalidAmount);
    return std::nullopt;
  }
  auto s = f.text(key, true, 40, Rc::kInvalidAmount);
  if (!s) return std::nullopt;
  auto amount = money::parse(*s, currency);
  if (!amount) {
    f.fail(key, "is not a valid " + currency_text(currency) + " amount: " + amount.error().message, Rc::kInvalidAmount);
    return std::nullopt;
  }
  if (amount->minor == 0 && !allow_zero) {
    f.fail(key, "must be greater than zero", Rc::kZeroAmount);
    return std::nullopt;
  }
  return amount->minor;
}

std::optional<CurrencyId> read_currency(Fields& f, std::string_view key) {
  auto c = f.text(key, true, 3, Rc::kUnknownCurrency);
  if (!c) return std::nullopt;
  CurrencyId id = money::currency_id(*c);
  if (!id.valid()) {
    f.fail(key, "'" + *c + "' is not an ISO 4217 currency code", Rc::kUnknownCurrency);
    return std::nullopt;
  }
  return id;
}

std::optional<std::string> read_bic(Fields& f, std::string_view key) {
  auto raw = f.text(key, true, 11, Rc::kInvalidBic);
  if (!raw) return std::nullopt;
  std::string bic = normalize_bic(*raw);
  if (bic.empty()) {
    f.fail(key, "'" + *raw + "' is not a BIC (8 or 11 characters: AAAABBCC or AAAABBCCDDD)", Rc::kInvalidBic);
    return std::nullopt;
  }
  return bic;
}

std::map<std::string, std::string> query_params(const std::string& target) {
  std::map<std::string, std::string> out;
  auto u = boost::urls::parse_origin_form(target);
  if (!u) return out;
  for (auto p : u->params()) out[std::string(p.key)] = std::string(p.value);
  return out;
}

std::string url_decode(std::string_view segment) {
  auto v = boost::urls::make_pct_string_view(segment);
  return v ? v->decode() : std::string(segment);
}

std::optional<int64_t> positive_int(const std::map<std::string, std::string>& q, const std::string& key) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty()) return int64_t{0};
  int64_t v = 0;
  auto [p, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || p != it->second.data() + it->second.size() || v < 0) return std::nullopt;
  return v;
}

tl::expected<Page, ApiError> read_page(const std::map<std::string, std::string>& q, int64_t max_limit) {
  auto limit = positive_int(q, "limit");
  auto cursor = positive_int(q, "cursor");
  if (!limit || !cursor) return tl::unexpected(ApiError{Rc::kInvalidQuery, "limit and cursor must be non-negative integers"});
  return Page{static_cast<int>(std::clamp<int64_t>(*limit == 0 ? 100 : *limit, 1, max_limit)), *cursor};
}

std::string payment_request_hash(const engine::TransferCommand& cmd, std::string_view uetr_as_sent) {
  std::string canonical = cmd.debtor_agent + '\n' + cmd.creditor_agent + '\n' + currency_text(cmd.amount.currency) + '\n' +
                          std::to_string(cmd.amount.minor) + '\n' + cmd.debtor.name + '\n' + cmd.debtor.account + '\n' +
                          cmd.creditor.name + '\n' + cmd.creditor.account + '\n' + cmd.end_to_end_id + '\n' +
                          cmd.remittance_info + '\n';
  canonical += uetr_as_sent;
  // A payment in one currency hashes as before.
  if (!cmd.quote_id.empty()) canonical += "\nquote:" + cmd.quote_id;
  if (cmd.expected_credit_currency) canonical += "\ncredit_ccy:" + currency_text(*cmd.expected_credit_currency);
  if (cmd.expected_credit) {
    canonical += "\ncredit:" + currency_text(cmd.expected_credit->currency) + std::to_string(cmd.expected_credit->minor);
  }
  return sha256_hex(canonical);
}

}  // namespace deltran::gateway
