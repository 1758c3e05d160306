// libFuzzer target: any bytes as a name, screened against a small list written in the
// scripts and forms the normaliser rewrites (Latin with diacritics, Cyrillic, Arabic, Hangul,
// legal forms, compounds). Screening runs on names straight from payments, so no input may
// trap, read out of bounds or score outside [0, 1]. Seeds: screening_corpus/.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include <deltran/compliance/normalize.hpp>
#include <deltran/compliance/screening_index.hpp>

namespace {
using namespace deltran::compliance;

const ScreeningIndex& index() {
  static const std::shared_ptr<const ScreeningIndex> ix = [] {
    Watchlist l;
    l.name = "fuzz";
    const char* names[] = {"Joaquín Archivaldo GUZMÁN LOERA", "Viktor Fedorovych YANUKOVYCH",
                           "Abd al-Rahman bin Umayr al-Nuaymi", "Sa'd bin Sa'd al-Ka'bi",
                           "Abdul Malik Badr al-Din al-Houthi", "Bank-e Melli-ye Iran",
                           "Gazprombank Joint Stock Company", "Kaya Insaat Sanayi ve Ticaret A.S.",
                           "Ri Pyong Chol", "Xiao Ming", "J.A. Smith", "Виктор Анатольевич Бут",
                           "\u0623\u064A\u0645\u0646 \u0627\u0644\u0638\u0648\u0627\u0647\u0631\u064A",
                           "\uAE40\uC815\uC740", "O'Brien Trading LLC"};
    int id = 0;
    for (const char* n : names) {
      ListEntry e;
      e.id = std::to_string(++id);
      e.name = n;
      e.aliases.push_back({std::string(n) + " Jr", "aka", false});
      l.entries.push_back(std::move(e));
    }
    auto built = ScreeningIndex::build({l});
    if (!built) std::abort();
    return *built;
  }();
  return *ix;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view name(reinterpret_cast<const char*>(data), size);
  const ScreeningIndex& ix = index();
  for (const NameHit& h : ix.screen(name))
    if (!(h.score >= 0.0 && h.score <= 1.0 + 1e-9)) __builtin_trap();
  const double s = ix.score(name, "Viktor Fedorovych YANUKOVYCH");
  if (!(s >= 0.0 && s <= 1.0 + 1e-9)) __builtin_trap();
  static const NameNormalizer normalizer;
  (void)normalizer.normalize(name);
  return 0;
}
