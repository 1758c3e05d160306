#include <deltran/risk/risk_score.hpp>

#include <algorithm>
#include <cctype>

#include <deltran/core/jurisdictions.hpp>
#include <deltran/core/text.hpp>

namespace deltran::risk {
namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool listed(const std::vector<std::string>& v, std::string_view code) {
  return !code.empty() && std::any_of(v.begin(), v.end(), [&](const std::string& x) { return iequals_ascii(x, code); });
}

template <size_t N>
int band_at_most(const std::array<uint32_t, N>& bounds, const std::array<int, N + 1>& scores, uint64_t v) {
  for (size_t i = 0; i < N; ++i)
    if (v <= bounds[i]) return scores[i];
  return scores[N];
}

bool in_range(int v) { return v >= 0 && v <= 100; }

}  // namespace

std::string_view to_string(RiskDecision decision) {
  switch (decision) {
    case RiskDecision::kApprove: return "approve";
    case RiskDecision::kApproveWithLimit: return "approve_with_limit";
    case RiskDecision::kReview: return "review";
    case RiskDecision::kReject: return "reject";
  }
  return "review";
}

RiskSettings RiskSettings::defaults() {
  RiskSettings s;
  s.high_risk_countries = sanctioned_countries();
  s.medium_risk_countries = increased_monitoring_countries();
  return s;
}

Status validate(const RiskSettings& s) {
  const int total = s.weight_amount + s.weight_corridor + s.weight_velocity + s.weight_history + s.weight_counterflow;
  if (total != 100) return make_error(ErrorCode::kInvalidArgument, "risk weights must sum to 100");
  for (int w : {s.weight_amount, s.weight_corridor, s.weight_velocity, s.weight_history, s.weight_counterflow,
                s.hourly_weight_percent})
    if (!in_range(w)) return make_error(ErrorCode::kInvalidArgument, "risk weights must be 0..100");
  if (!std::is_sorted(s.amount_bounds_usd_minor.begin(), s.amount_bounds_usd_minor.end()) ||
      !std::is_sorted(s.hourly_bounds.begin(), s.hourly_bounds.end()) ||
      !std::is_sorted(s.daily_bounds.begin(), s.daily_bounds.end()) ||
      !std::is_sorted(s.failure_bounds_permille.begin(), s.failure_bounds_permille.end()))
    return make_error(ErrorCode::kInvalidArgument, "risk band bounds must be increasing");
  for (const auto* scores : {&s.hourly_scores, &s.daily_scores, &s.failure_scores})
    for (int v : *scores)
      if (!in_range(v)) return make_error(ErrorCode::kInvalidArgument, "risk scores must be 0..100");
  for (int v : s.amount_scores)
    if (!in_range(v)) return make_error(ErrorCode::kInvalidArgument, "risk scores must be 0..100");
  for (const auto& [pair, v] : s.currency_pair_scores)
    if (!in_range(v) || pair.size() != 7 || pair[3] != '-')
      return make_error(ErrorCode::kInvalidArgument, "currency pair scores need keys like USD-EUR and 0..100");
  if (!(s.approve_max <= s.approve_with_limit_max && s.approve_with_limit_max <= s.review_max))
    return make_error(ErrorCode::kInvalidArgument, "risk decision bands must be increasing");
  return {};
}

int amount_score(const RiskSettings& s, int64_t amount) {
  for (size_t i = 0; i < s.amount_bounds_usd_minor.size(); ++i)
    if (amount <= s.amount_bounds_usd_minor[i]) return s.amount_scores[i];
  return s.amount_scores.back();
}

int corridor_score(const RiskSettings& s, const RiskInput& in) {
  if (listed(s.high_risk_countries, in.debtor_country) || listed(s.high_risk_countries, in.creditor_country))
    return s.high_risk_corridor_score;
  if (listed(s.medium_risk_countries, in.debtor_country) || listed(s.medium_risk_countries, in.creditor_country))
    return s.medium_risk_corridor_score;
  const std::string a = upper(in.source_currency), b = upper(in.target_currency);
  for (const std::string& key : {a + "-" + b, b + "-" + a}) {
    const auto it = s.currency_pair_scores.find(key);
    if (it != s.currency_pair_scores.end()) return it->second;
  }
  if (a == b) return s.same_currency_score;
  return s.default_corridor_score;
}

int velocity_score(const RiskSettings& s, uint32_t last_hour, uint32_t last_day) {
  const int h = band_at_most(s.hourly_bounds, s.hourly_scores, last_hour);
  const int d = band_at_most(s.daily_bounds, s.daily_scores, last_day);
  return (s.hourly_weight_percent * h + (100 - s.hourly_weight_percent) * d + 50) / 100;
}

int history_score(const RiskSettings& s, uint64_t payments, uint64_t failures) {
  if (payments == 0) return s.no_history_score;
  const unsigned __int128 permille = static_cast<unsigned __int128>(std::min(failures, payments)) * 1000 / payments;
  for (size_t i = 0; i < s.failure_bounds_permille.size(); ++i)
    if (permille < static_cast<unsigned __int128>(s.failure_bounds_permille[i])) return s.failure_scores[i];
  return s.failure_scores.back();
}

int counterflow_score(const RiskSettings& s, std::optional<int> p, std::optional<int> confidence) {
  if (!p) return s.counterflow_unknown_score;
  if (*p >= s.counterflow_probability_permille)
    return confidence && *confidence >= s.counterflow_confidence_permille ? s.counterflow_likely_score
                                                                          : s.counterflow_probable_score;
  if (*p >= s.counterflow_possible_permille) return s.counterflow_possible_score;
  return s.counterflow_unlikely_score;
}

RiskDecision decide(const RiskSettings& s, int score) {
  if (score <= s.approve_max) return RiskDecision::kApprove;
  if (score <= s.approve_with_limit_max) return RiskDecision::kApproveWithLimit;
  if (score <= s.review_max) return RiskDecision::kReview;
  return RiskDecision::kReject;
}

RiskEvaluation evaluate(const RiskSettings& s, const RiskInput& in) {
  RiskEvaluation e;
  const int amount = amount_score(s, in.amount_usd_minor);
  const int corridor = corridor_score(s, in);
  const int velocity = velocity_score(s, in.payments_last_hour, in.payments_last_day);
  const int history = history_score(s, in.history_payments, in.history_failures);
  const int counterflow =
      counterflow_score(s, in.counterflow_probability_permille, in.counterflow_confidence_permille);
  e.factors = {RiskFactor{"amount", amount, s.weight_amount, amount * s.weight_amount},
               RiskFactor{"corridor", corridor, s.weight_corridor, corridor * s.weight_corridor},
               RiskFactor{"velocity", velocity, s.weight_velocity, velocity * s.weight_velocity},
               RiskFactor{"history", history, s.weight_history, history * s.weight_history},
               RiskFactor{"counterflow", counterflow, s.weight_counterflow, counterflow * s.weight_counterflow}};
  int weighted = 0;
  for (const RiskFactor& f : e.factors) weighted += f.weighted;
  e.score = (weighted + 50) / 100;
  e.decision = decide(s, e.score);
  return e;
}

}  // namespace deltran::risk
