#pragma once
// A clearing window: one currency, open until it is closed, then netted and settled.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <deltran/money/currency.hpp>

namespace deltran::model {

enum class WindowStatus : uint8_t { kOpen = 1, kSettled = 2 };
std::string_view to_string(WindowStatus s);

struct Position {
  std::string bank;  // BIC
  int64_t net_minor = 0;  // incoming minus outgoing
  // An open window's view only (not stored): the gross amounts queued to and from it.
  int64_t in_minor = 0, out_minor = 0;
};

struct Window {
  int64_t id = 0;
  money::CurrencyId currency;
  WindowStatus status = WindowStatus::kOpen;
  int64_t opened_us = 0;
  int64_t closed_us = 0;
  int64_t payment_count = 0;
  int64_t gross_minor = 0;
  int64_t net_minor = 0;        // liquidity settled: sum of max(0, -N_i)
  int64_t bilateral_minor = 0;
  int64_t efficiency_ppm = 0;
  int64_t bilateral_efficiency_ppm = 0;
  std::vector<Position> positions;  // live for an open window, final once settled
};

}  // namespace deltran::model
