#pragma once
// The core's in-memory state and the functions that decide commands and apply events to
// it. Private to the engine library; everything here runs on the core's thread (or reads
// under the engine's shared lock).
//
// Every change of state is an event: a command is decided against the state, the decision
// is written as events, and each event is applied to the state by the same function that
// replays it after a restart (events.cpp: emit → apply; replay → apply). So the state a
// restart rebuilds is the state the core had.
#include <array>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/unordered/unordered_flat_map.hpp>

#include <deltran/compliance/aml_history.hpp>
#include <deltran/engine/commands.hpp>
#include <deltran/engine/engine.hpp>
#include <deltran/fx/predict.hpp>
#include <deltran/ledger/ledger.hpp>
#include <deltran/risk/circuit_breaker.hpp>
#include <deltran/risk/daily_counters.hpp>
#include <deltran/store/commit_log.hpp>

#include "events.hpp"

namespace deltran::engine {

struct Flow {
  int64_t in_minor = 0;
  int64_t out_minor = 0;
  // The participant's net debit in the window: what acceptance has reserved against its liquidity.
  int64_t reserved_minor() const { return out_minor > in_minor ? out_minor - in_minor : 0; }
};

// An open window's running aggregates: closing it nets O(participants + pairs), however
// many payments it holds.
struct LiveWindow {
  int64_t id = 0;
  CurrencyId currency;
  int64_t opened_us = 0;
  int64_t payment_count = 0;
  int64_t gross_minor = 0;
  std::map<ParticipantId, Flow> flows;
  std::map<std::pair<ParticipantId, ParticipantId>, int64_t> pair_sums;  // (debtor, creditor) → sum
  // Set by window.closed / window.netted, used by window.settled.
  bool closed = false;
  int64_t closed_us = 0;
  std::vector<std::pair<ParticipantId, int64_t>> positions;  // participant → net, by id
  int64_t net_minor = 0, bilateral_minor = 0, efficiency_ppm = 0, bilateral_efficiency_ppm = 0;
};

struct ParticipantHistory {
  static constexpr int kDays = 30;
  std::array<uint32_t, kDays> payments{};
  std::array<uint32_t, kDays> failures{};
  std::array<int64_t, kDays> day{};  // the day number each slot holds
  void add(int64_t now_us, bool failed);
  std::pair<uint64_t, uint64_t> totals(int64_t now_us) const;  // (payments, failures)
};

struct CurrencyLimits {
  std::optional<int64_t> single_payment_max_minor;
  std::optional<int64_t> daily_volume_max_minor;
};

// One of a participant's API keys: the core keeps only its hash.
struct ApiKey {
  std::string id;    // key_id_of(hash): named in the API and the events
  std::string hash;  // SHA-256 of the key, hex
  int64_t issued_us = 0;
};

struct Participant {
  ParticipantId id = 0;
  model::Participant info;
  std::vector<ApiKey> api_keys;  // at most kMaxApiKeys: two while a key is rotated
  std::string rate_tier;         // the gateway's rate tier; empty: the default
  const ApiKey* find_key(const std::string& key_id) const {
    for (const auto& k : api_keys) {
      if (k.id == key_id) return &k;
    }
    return nullptr;
  }
  std::map<CurrencyId, CurrencyLimits> limits;
  ParticipantHistory history;  // payments and failures per day, for the risk score
  bool has_currency(CurrencyId c) const {
    for (auto x : info.currencies) {
      if (x == c) return true;
    }
    return false;
  }
};

// Idempotency: whole answers for recent keys; for every key within the retention period
// a 64-bit fingerprint that names its payment's row in the store (the seq of the payment's
// first event, which is its row's seq). A key whose answer left memory is read back by
// that seq (rare: a retry long after the original) and compared in full, so the store
// needs no index of keys. The rare second key with a live key's fingerprint is kept
// exactly, in `collided`.
struct IdempotencyMemory {
  struct Entry {
    std::string slot;  // the key itself: two keys may share a fingerprint
    std::string request_hash;
    PaymentResult result;
  };
  std::unordered_map<uint64_t, Entry> recent;          // fingerprint → answer
  std::deque<std::pair<int64_t, uint64_t>> order;      // (time, fingerprint), oldest first
  // Open addressing, no allocation per key: one entry per key of the retention period.
  boost::unordered_flat_map<uint64_t, int64_t> fingerprints;  // fingerprint → payment seq
  std::unordered_map<std::string, int64_t> collided;   // slot → payment seq
  // (UTC day, first payment seq remembered that day), ascending: a payment's day from its seq.
  std::vector<std::pair<int32_t, int64_t>> day_starts;
  int32_t pruned_before_day = INT32_MIN;  // prune() ran for this expiry day

  static std::string slot(std::string_view debtor_agent, std::string_view key);
  static uint64_t fingerprint(std::string_view slot);
  static int32_t day(int64_t time_us);
  // The first UTC day whose keys still answer at `now_us`: keys are kept for the
  // retention, rounded up to the end of their day.
  static int32_t expiry_day(int64_t now_us, int64_t retention_us) { return day(now_us - retention_us); }
  int32_t day_of(int64_t seq) const;
  bool live(int64_t seq, int32_t expiry) const { return day_of(seq) >= expiry; }
  const Entry* find(const std::string& slot, uint64_t fp) const {
    auto it = recent.find(fp);
    return it != recent.end() && it->second.slot == slot ? &it->second : nullptr;
  }
  // A new payment's key, at its first event: takes the fingerprint unless another live
  // key holds it. Run alike when deciding and replaying, so both reach the same memory.
  void place(std::string slot, uint64_t fp, int64_t seq, int64_t time_us, int64_t retention_us);
  // Forgets keys of days before `expiry` (a pass over all of them).
  void prune(int32_t expiry);
};

struct TokenReference {
  std::string bank;
  Amount amount;
  std::string detail;  // a transfer's receiver, a conversion's quote: a retry must match it too
};

struct TokenLock {
  std::string bank;
  Amount amount;
  std::string reason;
};

struct HeldPayment {
  ev::PaymentData payment;
  int64_t case_id = 0;
  int64_t created_us = 0;
};

// The memory of the stateful controls (controls.cpp).
struct ControlState {
  std::unique_ptr<compliance::AmlHistory> aml;
  risk::CircuitBreakers breakers;
  std::unordered_map<std::string, int64_t> last_sar;  // debtor key → last SAR time
  int64_t last_report_id = 0;
  int64_t next_prune_us = 0;
};

struct Engine::State {
  explicit State(const Settings& settings);

  std::vector<Participant> participants;  // index: id - 1
  std::unordered_map<std::string, ParticipantId> by_bic;
  ledger::Ledger ledger;
  std::map<CurrencyId, int64_t> open_window;  // currency → its open window
  std::map<int64_t, LiveWindow> windows;       // open windows (and one being closed)
  std::map<int64_t, int64_t> settling;         // settled window → last payment seq told settled
  // Settled window → the batch (chain link) that settled it; its payments are told settled
  // once that batch is durable. Not in snapshots: everything restored is durable.
  std::map<int64_t, int64_t> settled_in_batch;
  std::map<CurrencyId, int64_t> efficiency_ppm;
  IdempotencyMemory idempotency;
  std::map<std::string, TokenReference> token_references;  // "MINT:ref", "BURN:ref", "XFER:ref", "CONV:ref", "LOCK:ref", "UNLOCK:ref"
  std::map<std::string, TokenLock> locks;                   // live locks, by reference
  std::map<ledger::AccountKey, int64_t> locked;             // per account, the sum of its live locks
  // Per account, its flows in the last settled windows of the currency it took part in
  // (oldest first, at most fx::kFlowHistoryWindows): what the counter-flow prediction reads.
  std::map<ledger::AccountKey, std::vector<fx::WindowFlow>> flow_history;  // contiguous: read as a span, no copy
  std::map<std::string, HeldPayment> held;                  // payment id → held payment
  std::map<int64_t, model::Case> open_cases;
  risk::DailyCounters daily;  // accepted volume today, per participant and currency
  ControlState controls;
  int64_t next_window_id = 1;
  int64_t last_case_id = 0;
  fx::RateBook rates;                       // the FX providers' standing rates
  std::map<std::string, fx::Quote> quotes;  // quotes not yet expired, by id
  std::set<std::pair<int64_t, std::string>> quote_expiry;  // (expires_us, id): prunes from the front
  // The event log and its audit chain.
  int64_t last_seq = 0;
  int64_t last_batch = 0;
  std::string chain_hash;

  // --- the batch being built (not part of the state proper) ---
  bool replaying = false;
  int64_t now_us = 0;
  std::string actor;
  store::Batch batch;
  std::set<ledger::AccountKey> dirty_accounts;
  std::set<int64_t> dirty_windows;
  std::set<ParticipantId> dirty_participants;
  bool directory_changed = false;
  bool rates_changed = false;
  std::vector<model::JournalEntry> postings;  // ledger postings of the batch, for the journal
  risk::CircuitBreakers::Opened breakers_opened;  // by the last payment applied
  struct Counts {
    int64_t queued = 0, rejected = 0, held = 0, settled = 0, windows_settled = 0, ctr = 0, sar = 0, refused = 0,
            breakers_opened = 0, store_lookups = 0;
  } counts;

  Participant* find(std::string_view bic) {
    auto it = by_bic.find(std::string(bic));
    return it == by_bic.end() ? nullptr : &participants[it->second - 1];
  }
  const Participant* find(std::string_view bic) const { return const_cast<State*>(this)->find(bic); }
  Participant& at(ParticipantId id) { return participants[id - 1]; }
  const Participant& at(ParticipantId id) const { return participants[id - 1]; }
  std::string name_of(ParticipantId id) const;  // BIC or system account name
  int64_t reserved(ParticipantId id, CurrencyId currency) const;
  // The counter-flow prediction for a payment of `amount` by `id` into the open window.
  fx::Prediction predict(ParticipantId id, const Amount& amount) const;
  int64_t locked_in(ParticipantId id, CurrencyId currency) const {
    auto it = locked.find(ledger::AccountKey{id, currency});
    return it == locked.end() ? 0 : it->second;
  }
  // Tokens held and neither reserved by the open window nor locked: what may leave now.
  int64_t free_tokens(ParticipantId id, CurrencyId currency) const {
    const __int128 v = __int128{ledger.balance(id, currency)} - reserved(id, currency) - locked_in(id, currency);
    return v < INT64_MIN ? INT64_MIN : v > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v);
  }
  void begin_batch(int64_t now, std::string actor_name);
};

// --- shared helpers ----------------------------------------------------------------------

Reply error_reply(Rc rc, std::string message);
using money::format_minor;
int64_t saturate(__int128 v);
// The party as the counters key it: agent and account, else the agent and the name folded.
std::string party_key(const std::string& agent, const std::string& account, const std::string& name);

// --- deciding commands (decide_*.cpp); effects go to s.batch -------------------------------

struct Context {
  Engine::State& s;
  const Settings& settings;
  store::CommitLog& log;  // for idempotency keys whose answer left memory
};

Reply decide(Context& cx, const Command& command);
Reply decide_transfer(Context& cx, const TransferCommand& c);
Reply decide_case(Context& cx, const CaseDecisionCommand& c);
Reply decide_create_bank(Context& cx, const CreateBankCommand& c);
Reply decide_tokens(Context& cx, const TokenCommand& c);
Reply decide_token_transfer(Context& cx, const TokenTransferCommand& c);
Reply decide_token_convert(Context& cx, const TokenConvertCommand& c);
Reply decide_token_lock(Context& cx, const TokenLockCommand& c);

// The legs of a payment (or a conversion) made at an FX quote, or why the quote does not
// serve it (decide_payments.cpp).
struct LegPlan {
  Rc rc = Rc::kOk;
  std::string why;
  std::vector<model::PaymentLeg> legs;
};
LegPlan plan_legs(const Engine::State& s, const TransferCommand& c, const Participant& debtor, const Participant& creditor);
// A payment at a quote that names the amount the creditor receives instead of the one the
// debtor sends (a pacs.008 whose IntrBkSttlmAmt is the converted amount, a pain.001 or JSON
// payment in the target currency): the same payment on the sending side, with the
// receiving amount to be checked against the quote. Empty when it is already that.
std::optional<TransferCommand> sending_side(const Engine::State& s, const TransferCommand& c);
Reply decide_limits(Context& cx, const SetLimitsCommand& c);
Reply decide_clearing_ids(Context& cx, const SetClearingIdsCommand& c);
Reply decide_roles(Context& cx, const SetRolesCommand& c);
Reply decide_issue_key(Context& cx, const IssueKeyCommand& c);
Reply decide_revoke_key(Context& cx, const RevokeKeyCommand& c);
Reply decide_rate_tier(Context& cx, const SetRateTierCommand& c);
Reply decide_rate(Context& cx, const PostRateCommand& c);
Reply decide_quote(Context& cx, const RecordQuoteCommand& c);
Reply decide_close(Context& cx, const CloseWindowCommand& c);
Reply decide_reset_breaker(Context& cx, const ResetBreakerCommand& c);
Reply decide_notice(Context& cx, const NoticeCommand& c);
// Writes payment.settled for up to `budget` payments of settled windows (read from the
// store, oldest first) whose settlement is in a batch up to `durable_batch`; returns how
// many it wrote.
[[nodiscard]] Result<int> tell_settled(Context& cx, int budget, int64_t durable_batch);
// Housekeeping between commands: forgets what passed its time (idempotency answers and,
// once a day, fingerprints past the retention; AML history).
void expire(Engine::State& s, const Settings& settings);
// Moves the final rows of what the batch touched into it: accounts, windows, journal.
void finish_batch(Engine::State& s);

LimitsView limits_view(const Engine::State& s, const Participant& p);
// A window's row for the read model as its aggregates stand (open; the caller sets the rest).
model::Window window_row(const LiveWindow& w);

// --- the stateful controls (controls.cpp) ------------------------------------------------

struct Assessment {
  RiskReport report;
  compliance::AmlPayment aml_payment;
  std::optional<compliance::AmlAssessment> aml;
  std::optional<risk::RiskEvaluation> risk;
};
Assessment assess_payment(const Engine::State& s, const Settings& settings, const TransferCommand& c,
                          const Participant& debtor, const Participant& creditor, int64_t now_us);
std::string explain(const Assessment& a);
std::string corridor_of(const Participant& debtor, const Participant& creditor);
// How a payment ended, for the counters and the circuit breakers.
enum class Ending { kQueued, kHeld, kInsufficientLiquidity, kLimitBreach, kRiskRejected, kComplianceBlocked };
Ending ending_of(Rc rc);
// Records an ending in the controls' memory: breakers (taking the probe slot the decision
// saw), participant history, AML history. Called by apply, so replay does the same.
void record_outcome(Engine::State& s, const Settings& settings, const ev::PaymentData& p, Ending ending,
                    int64_t time_us);
// Writes the CTR/SAR records an accepted or held payment makes due (report.filed events).
void file_reports(Context& cx, const TransferCommand& c, const Assessment& a);
// Writes breaker.opened for the breakers the last applied payment opened.
void tell_breakers_opened(Context& cx, const std::string& debtor_agent, const std::string& corridor,
                          const std::string& payment_id);
Reply evaluate(const Engine::State& s, const Settings& settings, const TransferCommand& c, int64_t now_us);
std::vector<BreakerView> breaker_views(const Engine::State& s, const Settings& settings, int64_t now_us);
Reply apply_reset_breaker_checks(const Engine::State& s, const ResetBreakerCommand& c, int64_t now_us);
void prune_controls(Engine::State& s, const Settings& settings);

// --- snapshots (snapshot.cpp) ----------------------------------------------------------

std::string save_state(const Engine::State& s);
[[nodiscard]] Status load_state(Engine::State& s, const Settings& settings, std::string_view bytes);

// --- the read view (view.cpp) ----------------------------------------------------------

std::shared_ptr<const ReadView> build_view(const Engine::State& s, const std::shared_ptr<const ReadView>& previous,
                                           bool full);

}  // namespace deltran::engine
