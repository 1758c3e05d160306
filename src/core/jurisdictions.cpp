#include <deltran/core/jurisdictions.hpp>

namespace deltran {

const std::vector<std::string>& sanctioned_countries() {
  static const std::vector<std::string> list = {"AF", "BY", "CU", "IR", "KP", "MM", "SD", "SY", "VE", "ZW"};
  return list;
}

const std::vector<std::string>& increased_monitoring_countries() {
  static const std::vector<std::string> list = {"AO", "BF", "BG", "CD", "CI", "CM", "DZ", "HR", "HT", "KE", "LA", "LB",
                                                "MC", "ML", "MZ", "NA", "NG", "NP", "SS", "TZ", "VN", "YE", "ZA"};
  return list;
}

}  // namespace deltran
