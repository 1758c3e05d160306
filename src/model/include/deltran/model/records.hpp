#pragma once
// The other domain records the read model keeps: participants, token accounts and journal
// entries, limits, compliance cases and CTR/SAR reports.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/money/amount.hpp>

namespace deltran::model {

// A participant's identity in a national clearing system, as ISO 20022 ClrSysMmbId carries
// it: the system (ExternalClearingSystemIdentification1Code: USABA, GBDSC, INFSC, CHBCC …)
// and the member id in it.
struct ClearingMemberId {
  std::string system;
  std::string member_id;
  std::string key() const { return system + ":" + member_id; }
  bool operator==(const ClearingMemberId&) const = default;
};

struct Participant {
  std::string bic;
  std::string name;
  std::string country;
  std::vector<money::CurrencyId> currencies;
  std::map<money::CurrencyId, int64_t> net_debit_cap_minor;
  int64_t created_us = 0;
  std::vector<ClearingMemberId> clearing_ids;  // routes ISO 20022 that names no BIC
  bool fx_provider = false;                     // posts FX rates and takes conversion legs
};

// A token account's balance and floor (−net debit cap); owner is a BIC or "@omnibus"/"@clearing".
struct AccountBalance {
  std::string owner;
  money::CurrencyId currency;
  int64_t balance_minor = 0;
  int64_t floor_minor = 0;
};

// One posting of the token ledger.
struct JournalEntry {
  std::string kind;  // MINT, BURN, TRANSFER, SETTLEMENT
  money::CurrencyId currency;
  std::string from;
  std::string to;
  int64_t amount_minor = 0;
  std::string reference;
  int64_t window_id = 0;  // 0 when not a window settlement
  int64_t created_us = 0;
};

// A participant's limits in one currency; absent fields are unlimited.
struct CurrencyLimits {
  std::string bank;
  money::CurrencyId currency;
  std::optional<int64_t> single_payment_max_minor;
  std::optional<int64_t> daily_volume_max_minor;
  int64_t net_debit_cap_minor = 0;
};

enum class CaseStatus : uint8_t { kOpen = 1, kApproved = 2, kRejected = 3 };
std::string_view to_string(CaseStatus s);
std::optional<CaseStatus> parse_case_status(std::string_view s);

// A compliance review case: a held payment waiting for an officer's decision.
struct Case {
  int64_t id = 0;
  std::string payment_id;
  std::string debtor_agent;
  std::string creditor_agent;
  CaseStatus status = CaseStatus::kOpen;
  int64_t score = 0;    // AML/risk score that caused the hold, 0..100
  std::string reasons;  // compact JSON: rules and screening hits that fired
  std::string decided_by;
  std::string note;
  int64_t created_us = 0;
  int64_t decided_us = 0;
};

// A record kept for the regulatory reports: a Currency Transaction Report (amount above the
// CTR threshold) or a Suspicious Activity Report.
struct AmlReport {
  int64_t id = 0;
  std::string kind;  // "CTR" or "SAR"
  std::string payment_id;
  std::string debtor_agent;
  std::string creditor_agent;
  std::string debtor;  // the parties as the rules keyed them: agent/account or agent/~NAME
  std::string creditor;
  money::Amount amount;
  int64_t amount_usd_minor = 0;  // at the configured reference rate
  int64_t score = 0;
  std::string rules;      // fired rules, comma-separated
  std::string narrative;  // for the compliance officer
  int64_t created_us = 0;
};

}  // namespace deltran::model
