#include <deltran/compliance/aml_reports.hpp>

namespace deltran::compliance {

std::optional<CtrRecord> make_ctr(const AmlSettings& s, const AmlPayment& p, const AmlAssessment& a) {
  if (!a.ctr_required) return std::nullopt;
  return CtrRecord{p.payment_id,       p.debtor,           p.creditor,
                   p.debtor_country,   p.creditor_country, p.amount_usd_minor,
                   s.ctr_threshold_usd_minor, p.time_us};
}

std::optional<SarRecord> make_sar(const AmlPayment& p, const AmlAssessment& a) {
  if (!a.sar_required) return std::nullopt;
  SarRecord r;
  r.payment_id = p.payment_id;
  r.debtor = p.debtor;
  r.creditor = p.creditor;
  r.debtor_country = p.debtor_country;
  r.creditor_country = p.creditor_country;
  r.amount_usd_minor = p.amount_usd_minor;
  r.score = a.score;
  r.rating = a.rating;
  r.decision = a.decision;
  r.rules = a.rules;
  r.time_us = p.time_us;
  r.narrative = "AML score " + std::to_string(a.score) + " (" + std::string(to_string(a.rating)) + "); rules:";
  for (AmlRule rule : a.rules) r.narrative += " " + std::string(to_string(rule));
  r.narrative += "; factors:";
  for (const AmlFactor& f : a.factors)
    r.narrative += " " + std::string(f.name) + "=" + std::to_string(f.score) + "x" + std::to_string(f.weight_percent) + "%";
  r.narrative += "; decision " + std::string(to_string(a.decision)) + ": " + a.reason;
  return r;
}

}  // namespace deltran::compliance
