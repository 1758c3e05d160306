#pragma once
// Private to the gateway library: what the route table and the resources' handlers share —
// the caller, API errors, reading JSON, writing domain records, and the calls that reach
// the core or the read model.
#include <array>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include <deltran/core/clock.hpp>
#include <deltran/core/json_writer.hpp>
#include <deltran/core/metrics.hpp>
#include <deltran/core/result_code.hpp>
#include <deltran/engine/core_client.hpp>
#include <deltran/gateway/api.hpp>
#include <deltran/gateway/auth.hpp>
#include <deltran/iso20022/model.hpp>
#include <deltran/store/read_model.hpp>

#include "reader_pool.hpp"

namespace deltran::gateway {

using engine::Reply;
using money::CurrencyId;

// Who is calling. The roles a route admits are a mask of these. A caller holds one role,
// except that a participant granted the FX provider role holds both.
enum Role : uint32_t {
  kAdmin = 1u << 0,           // configures the rail: participants, keys, limits, tokens
  kCompliance = 1u << 1,      // the compliance officer: cases, screening, reports
  kParticipant = 1u << 2,     // a bank: its own payments and data
  kOperator = 1u << 3,        // runs the rail: windows, breakers, list reloads
  kAuditor = 1u << 4,         // reads everything, changes nothing
  kSettlementBank = 1u << 5,  // the bank holding the rail's accounts (its confirmations)
  kFxProvider = 1u << 6,      // a participant that posts FX rates
};
// The rail's own staff: they read every participant's data.
inline constexpr uint32_t kStaff = kAdmin | kOperator | kCompliance | kAuditor;
// Everyone who reads the rail's shared data (a participant: its own, and what is public).
inline constexpr uint32_t kAnyone = kStaff | kParticipant;
// Who reads compliance's records (cases, reports): not the operator's business.
inline constexpr uint32_t kComplianceReaders = kAdmin | kCompliance | kAuditor;

// (bit, name) of every role, in the order `deltran routes` and the docs list them.
inline constexpr std::array<std::pair<Role, std::string_view>, 7> kRoleNames = {{
    {kAdmin, "admin"},
    {kOperator, "operator"},
    {kCompliance, "compliance"},
    {kAuditor, "auditor"},
    {kParticipant, "participant"},
    {kFxProvider, "fx_provider"},
    {kSettlementBank, "settlement_bank"},
}};

struct Principal {
  uint32_t roles = kParticipant;
  std::string bank;    // for a participant: its BIC
  std::string key_id;  // for a participant: the API key it called with (or its session was opened with)
  std::string rate_tier;  // for a participant: its rate tier (empty: the default)
  std::string user;       // a staff user logged in by name (empty: a role key)
  std::string session;    // the session of the access token it called with (empty: a key or certificate)
  // Who the event log names as the cause: the bank, the role with its user, or the role.
  std::string actor() const {
    if (has(kParticipant)) return bank;
    for (auto [bit, name] : kRoleNames) {
      if (has(bit)) return user.empty() ? std::string(name) : std::string(name) + ":" + user;
    }
    return "unknown";
  }
  bool has(Role r) const { return (roles & r) != 0; }
  bool admin() const { return has(kAdmin); }
  bool sees_everything() const { return (roles & kStaff) != 0; }
  bool may_act_for(std::string_view b) const { return admin() || (has(kParticipant) && bank == b); }
  // Reads a participant's own data: that participant, or the staff.
  bool may_read(std::string_view b) const { return sees_everything() || (has(kParticipant) && bank == b); }
};

// An API error: an outcome of the result table and a message for people.
struct ApiError {
  Rc rc = Rc::kInvalidField;
  std::string message;
};

Response json_response(int status, std::string body);
std::string error_body(const ApiError& e, const engine::PaymentResult* payment = nullptr);
Response error_response(const ApiError& e, int64_t retry_after_s = 0);
ApiError error_of(const Reply& r);

// --- reading requests (json_read.cpp) ------------------------------------------------------

tl::expected<boost::json::object, ApiError> parse_object(const Request& req);

// Reads fields of one JSON object, remembering the first problem with a precise message.
class Fields {
 public:
  explicit Fields(const boost::json::object& o, std::string prefix = {}) : o_(o), prefix_(std::move(prefix)) {}

  std::optional<std::string> text(std::string_view key, bool required, size_t max_len, Rc rc = Rc::kInvalidField);
  const boost::json::object* object(std::string_view key, bool required);
  const boost::json::value* raw(std::string_view key) const { return o_.if_contains(key); }
  void fail(std::string_view key, const std::string& what, Rc rc);
  void fail_with(ApiError e) {
    if (!error_) error_ = std::move(e);
  }
  const std::optional<ApiError>& error() const { return error_; }
  void adopt(const Fields& inner) {
    if (inner.error_ && !error_) error_ = inner.error_;
  }

 private:
  const boost::json::object& o_;
  std::string prefix_;
  std::optional<ApiError> error_;
};

// An amount in a currency, as a decimal string; JSON numbers are refused (they arrive as
// binary floating point, and money must never pass through one).
std::optional<int64_t> read_amount(Fields& f, std::string_view key, CurrencyId currency, bool allow_zero);
std::optional<CurrencyId> read_currency(Fields& f, std::string_view key);
std::optional<std::string> read_bic(Fields& f, std::string_view key);

std::map<std::string, std::string> query_params(const std::string& target);
std::string url_decode(std::string_view segment);
// A non-negative integer query parameter (0 when absent), or nullopt when malformed.
std::optional<int64_t> positive_int(const std::map<std::string, std::string>& q, const std::string& key);
struct Page {
  int limit = 100;
  int64_t cursor = 0;
};
tl::expected<Page, ApiError> read_page(const std::map<std::string, std::string>& q, int64_t max_limit);
// What makes two requests "the same payment" for an idempotent retry: agents, currency,
// amount, parties, EndToEndId, remittance and the UETR as the sender gave it (or empty).
std::string payment_request_hash(const engine::TransferCommand& cmd, std::string_view uetr_as_sent);

// --- writing answers (json_write.cpp) -------------------------------------------------------

std::string amount_text(int64_t minor, CurrencyId currency);
// Parts per million as a decimal of six places: 945000 → "0.945000" (a JSON number).
std::string ratio_text(int64_t ppm);
std::string currency_text(CurrencyId currency);
void write_payment(JsonWriter& w, const model::Payment& p);
void write_window(JsonWriter& w, const model::Window& win, const Principal& who);
void write_bank(JsonWriter& w, const model::Participant& b, bool with_caps);
void write_clearing_ids(JsonWriter& w, const model::Participant& b);  // "clearing_ids": [...]
void write_case(JsonWriter& w, const model::Case& c);
void write_event(JsonWriter& w, const model::Event& e);

// --- one request in a handler -----------------------------------------------------------

struct Call {
  Request& req;
  const Principal& who;
  std::vector<std::string> params;  // the route's {placeholders}, in order, URL-decoded
  Respond respond;
};

// One ISO 20022 message's transactions as core commands, and what to do with their replies.
struct Api::Impl {
  Impl(ApiSettings s, engine::CoreClient& c, store::ReadModel& r, const Clock& k);
  ~Impl();

  ApiSettings settings;
  engine::CoreClient& core;
  store::ReadModel& reads;
  const Clock& clock;
  ReaderPool pool;  // store reads and evaluations: never on the HTTP I/O threads
  metrics::Gauge in_flight;
  metrics::Counter errors_total;
  metrics::Counter refused_unauthenticated;  // answered 401 before any body was read
  metrics::Counter refused_rate_limited;     // answered 429 before any body was read
  RateLimiter limiter;
  // Sessions: access tokens verified against the keyring; staff users by name.
  std::shared_ptr<Keyring> keyring;
  std::unique_ptr<Sessions> sessions;
  metrics::Counter login_failures;
  mutable metrics::Counter token_refusals;
  int64_t now_s() const { return clock.now_us() / 1'000'000; }
  [[nodiscard]] tl::expected<Principal, ApiError> from_key(std::string_view key) const;
  [[nodiscard]] tl::expected<Principal, ApiError> from_token(std::string_view token) const;
  [[nodiscard]] tl::expected<Principal, ApiError> from_certificate(const std::string& cn) const;
  // Records a session event (login, logout, a key rotation) and answers once it is durable.
  void audit_session(model::EventType type, const std::string& entity, std::string payload, const std::string& party,
                     std::string actor, Respond respond, std::function<Response()> answer);
  void post_login(Call& c);
  Response login(bool by_user, const std::string& name, const std::string& secret, const std::string& remote,
                 const std::shared_ptr<Respond>& respond);
  void post_refresh(Call& c);
  void post_logout(Call& c);
  void get_session(Call& c);
  void post_rotate_signing_key(Call& c);
  // The tier of that name, or the default tier for a name no longer configured (the
  // stricter reading: a removed tier does not lift the limit).
  const RateTier& rate_tier(std::string_view name) const;
  struct Router;
  static std::unique_ptr<Router> build_router();
  std::unique_ptr<Router> router;

  [[nodiscard]] tl::expected<Principal, ApiError> authenticate(const Request& req) const;
  // Sends a command to the core and answers through `render` once its batch is durable.
  void submit(engine::Command cmd, const Principal& who, Respond respond, std::function<Response(Reply&&)> render);
  // Runs `work` on the reader pool (503 when it is full).
  void read(Respond respond, std::function<Response()> work);

  // Resources (one file each).
  void post_transfer(Call& c);
  void get_transaction(Call& c);
  void get_transactions(Call& c);
  void post_bank(Call& c);
  void put_clearing_ids(Call& c);
  void put_roles(Call& c);
  void put_rate_tier(Call& c);
  void get_keys(Call& c);
  void post_key(Call& c);
  void delete_key(Call& c);
  void put_rate(Call& c);
  void get_corridors(Call& c);
  void get_rates(Call& c);
  void post_quote(Call& c);
  void get_liquidity_positions(Call& c);
  void get_liquidity_gaps(Call& c);
  void post_liquidity_predict(Call& c);
  void get_banks(Call& c);
  void get_bank(Call& c);
  void get_balance(Call& c);
  void post_mint(Call& c);
  void post_burn(Call& c);
  void post_token_transfer(Call& c);
  void post_token_convert(Call& c);
  void post_token_lock(Call& c);
  void post_token_unlock(Call& c);
  void get_windows(Call& c);
  void get_window(Call& c);
  void post_window_close(Call& c);
  void get_cases(Call& c);
  void get_case(Call& c);
  void post_case_decision(Call& c, bool approve);
  void post_compliance_check(Call& c);
  void post_lists_reload(Call& c);
  void get_aml_reports(Call& c);
  void get_limits(Call& c);
  void put_limits(Call& c);
  void post_risk_evaluate(Call& c);
  void get_breakers(Call& c);
  void post_breaker_reset(Call& c);
  void post_iso(Call& c, iso20022::MessageType type);
  void get_camt053(Call& c);
  void get_camt054(Call& c);
  void account_report(Call& c, bool notification);
  void get_events(Call& c);
  void get_audit(Call& c);
  void get_health(Call& c);
  void get_ready(Call& c);
  void get_metrics(Call& c);

  // Shared by /transfer and /risk/evaluate.
  tl::expected<engine::TransferCommand, ApiError> read_transfer(const boost::json::object& body,
                                                                const Principal& who) const;
  engine::Screening screen_parties(const std::vector<struct ScreenedParty>& parties) const;
  std::string render_metrics() const;
};

// One party of a payment as screening sees it.
struct ScreenedParty {
  std::string role;     // debtor, creditor, ultimate_debtor…
  std::string name;
  std::string country;  // ISO 3166 alpha-2 or empty
};

}  // namespace deltran::gateway
