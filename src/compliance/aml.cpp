#include <deltran/compliance/aml.hpp>

#include <algorithm>
#include <cctype>

#include <deltran/compliance/normalize.hpp>
#include <deltran/core/jurisdictions.hpp>
#include <deltran/core/text.hpp>

namespace deltran::compliance {
namespace {

bool contains(const std::vector<std::string>& v, std::string_view code) {
  return std::any_of(v.begin(), v.end(), [&](const std::string& x) { return iequals_ascii(x, code); });
}

bool in_range(int v) { return v >= 0 && v <= 100; }

}  // namespace

std::string_view to_string(AmlRule rule) {
  switch (rule) {
    case AmlRule::kLargeAmount: return "large_amount";
    case AmlRule::kJustBelowThreshold: return "just_below_threshold";
    case AmlRule::kStructuring: return "structuring";
    case AmlRule::kSimilarAmounts: return "similar_amounts";
    case AmlRule::kRapidMovement: return "rapid_movement";
    case AmlRule::kRoundTrip: return "round_trip";
    case AmlRule::kRoundAmount: return "round_amount";
    case AmlRule::kNewCounterparty: return "new_counterparty";
    case AmlRule::kHighRiskJurisdiction: return "high_risk_jurisdiction";
    case AmlRule::kMediumRiskJurisdiction: return "medium_risk_jurisdiction";
    case AmlRule::kSuspiciousPurpose: return "suspicious_purpose";
    case AmlRule::kPoorHistory: return "poor_history";
    case AmlRule::kSanctionsHit: return "sanctions_hit";
    case AmlRule::kPep: return "pep";
  }
  return "unknown";
}

std::string_view to_string(AmlDecision decision) {
  switch (decision) {
    case AmlDecision::kAllow: return "ALLOW";
    case AmlDecision::kReview: return "REVIEW";
    case AmlDecision::kBlock: return "BLOCK";
  }
  return "REVIEW";
}

std::string_view to_string(AmlRating rating) {
  switch (rating) {
    case AmlRating::kLow: return "low";
    case AmlRating::kMedium: return "medium";
    case AmlRating::kHigh: return "high";
    case AmlRating::kVeryHigh: return "very_high";
  }
  return "high";
}

AmlSettings AmlSettings::defaults() {
  AmlSettings s;
  s.high_risk_countries = sanctioned_countries();
  s.medium_risk_countries = increased_monitoring_countries();
  return s;
}

Status validate(const AmlSettings& s) {
  const int total = s.weight_amount + s.weight_geography + s.weight_customer + s.weight_patterns + s.weight_purpose;
  if (total != 100) return make_error(ErrorCode::kInvalidArgument, "AML weights must sum to 100");
  for (int w : {s.weight_amount, s.weight_geography, s.weight_customer, s.weight_patterns, s.weight_purpose})
    if (!in_range(w)) return make_error(ErrorCode::kInvalidArgument, "AML weights must be 0..100");
  for (int v : s.amount_scores)
    if (!in_range(v)) return make_error(ErrorCode::kInvalidArgument, "AML amount scores must be 0..100");
  for (int v : s.failed_scores)
    if (!in_range(v)) return make_error(ErrorCode::kInvalidArgument, "AML history scores must be 0..100");
  for (int v : {s.just_below_score, s.high_risk_score, s.medium_risk_score, s.other_country_score,
                s.suspicious_purpose_score, s.stated_purpose_score, s.missing_purpose_score, s.review_score,
                s.pep_review_score, s.sar_score, s.origin_weight_percent})
    if (!in_range(v)) return make_error(ErrorCode::kInvalidArgument, "AML scores must be 0..100");
  if (!std::is_sorted(s.amount_bounds_usd_minor.begin(), s.amount_bounds_usd_minor.end()) ||
      !std::is_sorted(s.failed_bounds.begin(), s.failed_bounds.end()))
    return make_error(ErrorCode::kInvalidArgument, "AML band bounds must be increasing");
  if (s.ctr_threshold_usd_minor <= 0 || s.just_below_band_usd_minor < 0 ||
      s.just_below_band_usd_minor > s.ctr_threshold_usd_minor)
    return make_error(ErrorCode::kInvalidArgument, "AML CTR threshold must be positive and above its band");
  if (s.rapid_window_us <= 0 || s.structuring_window_us <= 0 || s.round_trip_window_us <= 0 ||
      s.counterparty_memory_us < s.round_trip_window_us)
    return make_error(ErrorCode::kInvalidArgument, "AML windows must be positive, the counterparty memory at least the round-trip window");
  if (s.round_unit_usd_minor <= 0 || s.similar_tolerance_usd_minor < 0)
    return make_error(ErrorCode::kInvalidArgument, "AML round unit must be positive");
  if (!(s.low_below <= s.medium_below && s.medium_below <= s.high_below))
    return make_error(ErrorCode::kInvalidArgument, "AML rating bounds must be increasing");
  return {};
}

bool is_just_below_threshold(const AmlSettings& s, int64_t amount) {
  return amount >= s.ctr_threshold_usd_minor - s.just_below_band_usd_minor && amount < s.ctr_threshold_usd_minor;
}

bool is_round_amount(const AmlSettings& s, int64_t amount) {
  return amount >= s.round_min_usd_minor && amount % s.round_unit_usd_minor == 0;
}

int amount_factor(const AmlSettings& s, int64_t amount) {
  if (is_just_below_threshold(s, amount)) return s.just_below_score;
  for (size_t i = 0; i < s.amount_bounds_usd_minor.size(); ++i)
    if (amount < s.amount_bounds_usd_minor[i]) return s.amount_scores[i];
  return s.amount_scores.back();
}

int country_score(const AmlSettings& s, std::string_view country) {
  if (contains(s.high_risk_countries, country)) return s.high_risk_score;
  if (contains(s.medium_risk_countries, country)) return s.medium_risk_score;
  return s.other_country_score;
}

int geography_factor(const AmlSettings& s, std::string_view origin, std::string_view destination) {
  const int w = s.origin_weight_percent;
  return (w * country_score(s, origin) + (100 - w) * country_score(s, destination) + 50) / 100;
}

int customer_factor(const AmlSettings& s, uint32_t failed) {
  for (size_t i = 0; i < s.failed_bounds.size(); ++i)
    if (failed <= s.failed_bounds[i]) return s.failed_scores[i];
  return s.failed_scores.back();
}

int purpose_factor(const AmlSettings& s, std::string_view purpose) {
  const std::string folded = fold_to_ascii(purpose);
  if (folded.empty()) return s.missing_purpose_score;
  std::string_view rest(folded);
  while (!rest.empty()) {
    const size_t sp = rest.find(' ');
    const std::string_view word = rest.substr(0, sp);
    for (const std::string& k : s.suspicious_keywords)
      if (word == fold_to_ascii(k)) return s.suspicious_purpose_score;
    rest = sp == std::string_view::npos ? std::string_view{} : rest.substr(sp + 1);
  }
  return s.stated_purpose_score;
}

int pattern_points(const AmlSettings& s, const AmlPayment& p, const AmlHistoryFacts& f,
                   std::vector<AmlRule>& fired) {
  int points = 0;
  auto fire = [&](AmlRule rule, int pts) {
    fired.push_back(rule);
    points += pts;
  };
  if (is_just_below_threshold(s, p.amount_usd_minor) && f.just_below_in_window + 1 >= s.structuring_count)
    fire(AmlRule::kStructuring, s.structuring_points);
  if (f.similar_amounts_in_window + 1 > s.similar_count) fire(AmlRule::kSimilarAmounts, s.similar_points);
  if (f.payments_in_rapid_window + 1 > s.rapid_count) fire(AmlRule::kRapidMovement, s.rapid_points);
  if (f.round_trip) fire(AmlRule::kRoundTrip, s.round_trip_points);
  if (is_round_amount(s, p.amount_usd_minor)) fire(AmlRule::kRoundAmount, s.round_points);
  if (f.new_counterparty) fire(AmlRule::kNewCounterparty, s.new_counterparty_points);
  return std::min(points, 100);
}

AmlAssessment assess_aml(const AmlSettings& s, const AmlPayment& p, const AmlHistoryFacts& facts) {
  AmlAssessment a;
  std::vector<AmlRule>& rules = a.rules;
  const int amount = amount_factor(s, p.amount_usd_minor);
  const int geography = geography_factor(s, p.debtor_country, p.creditor_country);
  const int customer = customer_factor(s, p.debtor_failed_payments_30d);
  const int patterns = pattern_points(s, p, facts, rules);
  const int purpose = purpose_factor(s, p.purpose);
  a.factors = {AmlFactor{"amount", amount, s.weight_amount, amount * s.weight_amount},
               AmlFactor{"geography", geography, s.weight_geography, geography * s.weight_geography},
               AmlFactor{"customer", customer, s.weight_customer, customer * s.weight_customer},
               AmlFactor{"patterns", patterns, s.weight_patterns, patterns * s.weight_patterns},
               AmlFactor{"purpose", purpose, s.weight_purpose, purpose * s.weight_purpose}};
  int weighted = 0;
  for (const AmlFactor& f : a.factors) weighted += f.weighted;
  a.score = (weighted + 50) / 100;

  a.ctr_required = p.amount_usd_minor > s.ctr_threshold_usd_minor;
  if (a.ctr_required) rules.push_back(AmlRule::kLargeAmount);
  if (is_just_below_threshold(s, p.amount_usd_minor)) rules.push_back(AmlRule::kJustBelowThreshold);
  const int origin = country_score(s, p.debtor_country), destination = country_score(s, p.creditor_country);
  if (origin == s.high_risk_score || destination == s.high_risk_score) rules.push_back(AmlRule::kHighRiskJurisdiction);
  else if (origin == s.medium_risk_score || destination == s.medium_risk_score)
    rules.push_back(AmlRule::kMediumRiskJurisdiction);
  if (purpose == s.suspicious_purpose_score && !p.purpose.empty()) rules.push_back(AmlRule::kSuspiciousPurpose);
  if (p.debtor_failed_payments_30d > s.failed_bounds[1]) rules.push_back(AmlRule::kPoorHistory);
  if (p.sanctions_hit) rules.push_back(AmlRule::kSanctionsHit);
  if (p.pep) rules.push_back(AmlRule::kPep);
  std::sort(rules.begin(), rules.end());

  const bool strong_pattern = std::any_of(rules.begin(), rules.end(), [](AmlRule r) {
    return r == AmlRule::kStructuring || r == AmlRule::kSimilarAmounts || r == AmlRule::kRapidMovement ||
           r == AmlRule::kRoundTrip;
  });
  a.sar_required = a.score > s.sar_score || strong_pattern || p.sanctions_hit;
  a.rating = a.score < s.low_below      ? AmlRating::kLow
             : a.score < s.medium_below ? AmlRating::kMedium
             : a.score < s.high_below   ? AmlRating::kHigh
                                        : AmlRating::kVeryHigh;
  if (p.sanctions_hit) {
    a.decision = AmlDecision::kBlock;
    a.reason = "sanctions hit";
  } else if (a.score > s.review_score) {
    a.decision = AmlDecision::kReview;
    a.reason = "AML score " + std::to_string(a.score) + " above " + std::to_string(s.review_score);
  } else if (p.pep && a.score > s.pep_review_score) {
    a.decision = AmlDecision::kReview;
    a.reason = "PEP with AML score " + std::to_string(a.score) + " above " + std::to_string(s.pep_review_score);
  } else if (a.sar_required && (a.score > s.sar_score || s.hold_on_pattern_sar)) {
    a.decision = AmlDecision::kReview;
    a.reason = a.score > s.sar_score ? "AML score " + std::to_string(a.score) + " above " + std::to_string(s.sar_score) + ": SAR due"
                                     : "suspicious pattern: SAR due";
  } else if (a.sar_required) {
    a.decision = AmlDecision::kAllow;
    a.reason = "suspicious pattern: SAR filed, payment released";
  } else {
    a.decision = AmlDecision::kAllow;
    a.reason = "AML score " + std::to_string(a.score);
  }
  return a;
}

}  // namespace deltran::compliance
