#pragma once
// Records for regulatory reports: a Currency Transaction Report when an amount exceeds the
// CTR threshold, a Suspicious Activity Report when the AML assessment says one is due.
// Plain values; the report library renders them (CSV, XLSX) and the store keeps them.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <deltran/compliance/aml.hpp>

namespace deltran::compliance {

struct CtrRecord {
  std::string payment_id;
  std::string debtor, creditor;
  std::string debtor_country, creditor_country;
  int64_t amount_usd_minor = 0;
  int64_t threshold_usd_minor = 0;
  int64_t time_us = 0;
};

struct SarRecord {
  std::string payment_id;
  std::string debtor, creditor;
  std::string debtor_country, creditor_country;
  int64_t amount_usd_minor = 0;
  int score = 0;
  AmlRating rating = AmlRating::kLow;
  AmlDecision decision = AmlDecision::kAllow;
  std::vector<AmlRule> rules;
  std::string narrative;  // rules and factors in words, for the compliance officer
  int64_t time_us = 0;
};

std::optional<CtrRecord> make_ctr(const AmlSettings& s, const AmlPayment& p, const AmlAssessment& a);
std::optional<SarRecord> make_sar(const AmlPayment& p, const AmlAssessment& a);

}  // namespace deltran::compliance
