// Unicode folding: why ICU, and why a table in front of it.
//
// Sanctions and payment names arrive in Latin with diacritics (Müller, Çelik, Nguyễn),
// sometimes in Cyrillic, Greek, Arabic or Han script. We need one ASCII spelling per name.
// - ICU's "Any-Latin; Latin-ASCII" transliterator (Debian libicu-dev) is the reference:
//   it knows ß->ss, æ->ae, ø->o, Turkish ı->i, Þ->th, and transliterates Cyrillic, Greek,
//   Arabic and Han. It is locale-independent and thread-safe when each thread owns its
//   instance (we keep one per thread).
// - glibc iconv //TRANSLIT was rejected: its output depends on the process locale
//   (setlocale is global state a library must not touch), it emits '?' for Cyrillic or
//   Arabic under the C locale, and it folds ß and ø differently across glibc versions.
// - ICU costs ~4-5 µs per call, the whole screening budget of one name. So Latin and
//   Cyrillic letters (most non-ASCII names in payments) go through a per-code-point table
//   filled from that same ICU transliterator at first use; only text in another script
//   pays for the full ICU call. The table is derived, not hand-written, so it cannot
//   drift from ICU; normalize_test checks the folds the business relies on.
#include <deltran/compliance/normalize.hpp>
#include <deltran/compliance/similarity.hpp>

#include <unicode/translit.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <algorithm>
#include <array>
#include <unordered_map>
#include <memory>
#include <mutex>

namespace deltran::compliance {
namespace {

// Code point ranges folded through the table.
constexpr char32_t kLatinBegin = 0x00C0, kLatinEnd = 0x0250;        // Latin-1 .. Extended-B
constexpr char32_t kCyrillicBegin = 0x0400, kCyrillicEnd = 0x0500;  // Cyrillic
constexpr char32_t kLatinAddBegin = 0x1E00, kLatinAddEnd = 0x1F00;  // Latin Extended Additional

enum class Fold : uint8_t { kSeparator, kDrop, kText };

struct FoldEntry {
  Fold kind = Fold::kSeparator;
  uint8_t size = 0;
  std::array<char, 5> text{};
};

constexpr size_t kTableSize = (kLatinEnd - kLatinBegin) + (kCyrillicEnd - kCyrillicBegin) +
                              (kLatinAddEnd - kLatinAddBegin);

std::unique_ptr<icu::Transliterator> make_transliterator(const char* id = "Any-Latin; Latin-ASCII") {
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::Transliterator> t(icu::Transliterator::createInstance(id, UTRANS_FORWARD, status));
  if (U_FAILURE(status)) return nullptr;  // ICU data missing: non-table scripts become separators
  return t;
}

icu::Transliterator* thread_transliterator() {
  thread_local std::unique_ptr<icu::Transliterator> t = make_transliterator();
  return t.get();
}

int table_index(char32_t cp) {
  if (cp >= kLatinBegin && cp < kLatinEnd) return static_cast<int>(cp - kLatinBegin);
  size_t base = kLatinEnd - kLatinBegin;
  if (cp >= kCyrillicBegin && cp < kCyrillicEnd)
    return static_cast<int>(base + (cp - kCyrillicBegin));
  base += kCyrillicEnd - kCyrillicBegin;
  if (cp >= kLatinAddBegin && cp < kLatinAddEnd)
    return static_cast<int>(base + (cp - kLatinAddBegin));
  return -1;
}

FoldEntry fold_one(icu::Transliterator* t, char32_t cp) {
  FoldEntry e;
  if (t == nullptr || !u_isalpha(static_cast<UChar32>(cp))) return e;  // separator
  icu::UnicodeString u(static_cast<UChar32>(cp));
  t->transliterate(u);
  std::string out;
  u.toUTF8String(out);
  std::string kept;
  for (char c : out) {
    if (c >= 'A' && c <= 'Z') kept.push_back(static_cast<char>(c - 'A' + 'a'));
    else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) kept.push_back(c);
  }
  if (kept.empty()) {
    e.kind = Fold::kDrop;  // soft sign, hard sign and the like: no letter of their own
    return e;
  }
  e.kind = Fold::kText;
  e.size = static_cast<uint8_t>(std::min(kept.size(), e.text.size()));
  std::copy_n(kept.begin(), e.size, e.text.begin());
  return e;
}

const std::array<FoldEntry, kTableSize>& fold_table() {
  static const std::array<FoldEntry, kTableSize> table = [] {
    std::array<FoldEntry, kTableSize> t{};
    std::unique_ptr<icu::Transliterator> tr = make_transliterator();
    auto fill = [&](char32_t begin, char32_t end) {
      for (char32_t cp = begin; cp < end; ++cp) t[static_cast<size_t>(table_index(cp))] = fold_one(tr.get(), cp);
    };
    fill(kLatinBegin, kLatinEnd);
    fill(kCyrillicBegin, kCyrillicEnd);
    fill(kLatinAddBegin, kLatinAddEnd);
    return t;
  }();
  return table;
}

// Decodes one code point; invalid sequences yield the lead byte as Latin-1.
char32_t decode(std::string_view s, size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  int len = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; }
  else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; }
  else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; }
  if (len == 0 || i + static_cast<size_t>(len) > s.size()) {
    ++i;
    return b0;
  }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return b0;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  const bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
  if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return b0;
  }
  i += static_cast<size_t>(len);
  return cp;
}

bool is_apostrophe(char32_t cp) {
  return cp == '\'' || cp == '`' || cp == 0x00B4 || cp == 0x2018 || cp == 0x2019 ||
         cp == 0x02BC || cp == 0x02BB || cp == 0x02BF || cp == 0x02BE;
}

bool is_combining(char32_t cp) { return cp >= 0x0300 && cp < 0x0370; }

void put_separator(std::string& out) {
  if (!out.empty() && out.back() != ' ') out.push_back(' ');
}

// Length of the run of ASCII letters starting at s[i].
size_t letter_run(std::string_view s, size_t i) {
  size_t n = 0;
  while (i + n < s.size()) {
    const char c = s[i + n];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) break;
    ++n;
  }
  return n;
}

// Whether the word starting at s[i] is the second word of an "X al-Din" or "X-Allah" name.
bool is_compound_tail(std::string_view s, size_t i) {
  static constexpr std::array<std::string_view, 9> kTails = {
      "din", "deen", "dine", "eddine", "eddin", "uddin", "allah", "ullah", "ollah"};
  const size_t n = letter_run(s, i);
  if (n < 3 || n > 6 || (i + n < s.size() && static_cast<unsigned char>(s[i + n]) >= 0x80)) return false;
  std::array<char, 6> w{};
  for (size_t k = 0; k < n; ++k) w[k] = static_cast<char>(s[i + k] | 0x20);
  const std::string_view word(w.data(), n);
  return std::find(kTails.begin(), kTails.end(), word) != kTails.end();
}

// An apostrophe inside an Arabic name marks an ain or a hamza, which other romanisations
// write as a second vowel or not at all (Sa'd / Saad, Ka'bi / Kaabi, Ja'far / Jaafar):
// between a vowel and a consonant it becomes that vowel again, so "sa'd" is "saad" (and
// not "sad", a legal form). After a word's first letter it is not (O'Brien, D'Souza).
void vowel_for_ain(std::string_view s, size_t next, std::string& out, size_t& token_len) {
  if (token_len < 2 || next >= s.size()) return;
  const char prev = out.back();
  const char c = static_cast<char>(s[next] | 0x20);
  auto vowel = [](char x) { return x == 'a' || x == 'e' || x == 'i' || x == 'o' || x == 'u'; };
  if (!vowel(prev) || vowel(c) || c < 'a' || c > 'z') return;
  if (c == 's' && letter_run(s, next) == 1) return;  // a possessive: People's, Joe's
  out.push_back(prev);
  ++token_len;
}

bool is_hyphen_article(std::string_view t) {
  static constexpr std::array<std::string_view, 23> kArticles = {
      "al", "el", "ul", "ad", "an", "ar", "as", "at", "az", "ash", "adh", "ath", "ed",
      "en", "er", "es", "esh", "et", "ez", "ud", "un", "ur", "us"};
  for (std::string_view a : kArticles)
    if (t == a) return true;
  return false;
}

// Appends the folded form of `s`; returns false if a letter outside the table was met
// (the caller then transliterates the whole string with ICU and folds again).
// With `mark_initials` (names, for the normaliser), the dots of a dotted run stay in the
// token ("j.a" for "J.A."), so the normaliser can tell initials from a legal form ("s.a"),
// and a hyphenated Arabic article is dropped.
bool fold_fast(std::string_view s, std::string& out, bool allow_unknown, bool mark_initials) {
  const auto& table = fold_table();
  size_t token_len = 0;       // letters in the current token
  bool initials_run = false;  // current token is single letters joined by dots: "s.a."
  for (size_t i = 0; i < s.size();) {
    const char32_t cp = decode(s, i);
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
        out.push_back(c);
        ++token_len;
        continue;
      }
      if (c == '\'' || c == '`') {
        if (mark_initials) vowel_for_ain(s, i, out, token_len);
        continue;
      }
      // "S.A." and "L.L.C." become one token; "J.Smith" stays two.
      if (c == '.' && (token_len == 1 || initials_run) && letter_run(s, i) == 1) {
        initials_run = true;
        if (mark_initials) out.push_back('.');
        continue;
      }
      // The Arabic article written with a hyphen, assimilated or not (al-, el-, ash-, an-,
      // ad-, ar-, as-, at-, az-, ud-, ur-…): dropped like "al" is, while "An" or "As" standing
      // alone may be a name.
      // The Persian ezafe written with a hyphen (Bank-e Melli-ye Iran): not a word of the name.
      // After four letters or more: "Ji-ye", "Yu-e" are syllables of Korean and Chinese names.
      if (mark_initials && c == '-' && token_len >= 4) {
        size_t k = i;
        if (k < s.size() && (s[k] == 'y' || s[k] == 'Y')) ++k;
        const bool ends = k + 1 >= s.size() || (static_cast<unsigned char>(s[k + 1]) < 0x80 &&
                                                letter_run(s, k + 1) == 0 && !(s[k + 1] >= '0' && s[k + 1] <= '9'));
        if (k < s.size() && (s[k] == 'e' || s[k] == 'E') && ends && k - i <= 1) {
          i = k + 1;
          put_separator(out);
          token_len = 0;
          initials_run = false;
          continue;
        }
      }
      if (mark_initials && c == '-' && token_len >= 2 && token_len <= 3 && is_hyphen_article(std::string_view(out).substr(out.size() - token_len))) {
        out.resize(out.size() - token_len);
        // "al-Din", "ud-Din", "ad-Dine" closing a compound: glued to the name before it, as
        // the joined spellings are (Badr al-Din, Badruddin, Badreddine).
        if (is_compound_tail(s, i) && !out.empty() && out.back() == ' ') out.pop_back();
        token_len = 0;
        initials_run = false;
        continue;
      }
      // "-Allah", "-Ullah", "-Din" hyphened to a name: one word (Sami-Ullah, Nasr-Allah).
      if (mark_initials && c == '-' && token_len >= 2 && is_compound_tail(s, i)) continue;
      put_separator(out);
      token_len = 0;
      initials_run = false;
      continue;
    }
    if (is_apostrophe(cp)) {
      if (mark_initials) vowel_for_ain(s, i, out, token_len);
      continue;
    }
    if (is_combining(cp)) continue;
    const int idx = table_index(cp);
    if (idx >= 0) {
      const FoldEntry& e = table[static_cast<size_t>(idx)];
      if (e.kind == Fold::kText) {
        out.append(e.text.data(), e.size);
        token_len += e.size;
      } else if (e.kind == Fold::kSeparator) {
        put_separator(out);
        token_len = 0;
        initials_run = false;
      }
      continue;
    }
    if (!allow_unknown && u_isalpha(static_cast<UChar32>(cp))) return false;
    put_separator(out);
    token_len = 0;
    initials_run = false;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return true;
}

// Arabic-script names (Arabic, Persian, Urdu) write consonants and long vowels only, so
// no transliteration can give back the vowels a romanised list spells ("محمد" is Muhammad,
// Mohammed or Mohamad; ICU writes "mhmd"). A name word in that script becomes its
// consonant classes instead, marked with kAbjadMarker, and the index compares it with
// the same classes taken from each list token's Latin spelling (latin_consonant_key). The
// classes merge the letters romanisations confuse: ح خ ه (h, kh; Turkish Halid), ق ك غ گ
// (q, k, g, gh), د ذ ض ظ ز (d, dh, z: Zawahiri, Dhawahiri), س ش ص چ (s, sh, French ch).
// Alif, waw, ya, hamza, ain and ta marbuta are vowels or unwritten in romanisations: dropped,
// as Latin vowels, w, v and y are.
bool abjad_letter(char32_t c) {
  return (c >= 0x0620 && c <= 0x064A) || (c >= 0x066E && c <= 0x06D3) || (c >= 0x06FA && c <= 0x06FF) ||
         (c >= 0x0750 && c <= 0x077F);
}
// Vowel signs, superscript alif, tatweel, Quranic marks: not letters of the name.
bool abjad_mark(char32_t c) {
  return (c >= 0x064B && c <= 0x065F) || c == 0x0670 || c == 0x0640 || (c >= 0x06D6 && c <= 0x06ED);
}
constexpr char32_t kZwnj = 0x200C;  // joins Persian word parts: خامنه‌ای, فخری‌زاده

char abjad_class(char32_t c) {
  switch (c) {
    case 0x0628: case 0x067E: return 'b';                              // ب پ
    case 0x062A: case 0x0637: case 0x062B: case 0x0679: return 't';    // ت ط ث ٹ
    case 0x062C: case 0x0698: return 'j';                              // ج ژ
    case 0x062D: case 0x062E: case 0x0647: case 0x06BE: case 0x06C1: return 'h';  // ح خ ه ھ ہ
    case 0x062F: case 0x0630: case 0x0636: case 0x0638: case 0x0632: case 0x0688: return 'd';  // د ذ ض ظ ز ڈ
    case 0x0631: case 0x0691: return 'r';                              // ر ڑ
    case 0x0633: case 0x0634: case 0x0635: case 0x0686: return 's';    // س ش ص چ
    case 0x063A: case 0x0642: case 0x0643: case 0x06A9: case 0x06AF: return 'k';  // غ ق ك ک گ
    case 0x0641: case 0x06A4: return 'f';                              // ف ڤ
    case 0x0644: return 'l';
    case 0x0645: return 'm';
    case 0x0646: case 0x06BA: return 'n';                              // ن ں
    default: return 0;
  }
}

// One Arabic-script word (letters and ZWNJ, marks removed) as a marked token, or nothing
// for the article-only and "son of" / "daughter of" words the Latin side drops too.
void abjad_word(const std::vector<char32_t>& w, std::string& out) {
  size_t i = 0;
  const size_t n = w.size();
  // بن, ابن, بنت (bin, ibn, bint): particles, as their romanisations are.
  auto is = [&](std::initializer_list<char32_t> word) {
    return n == word.size() && std::equal(word.begin(), word.end(), w.begin());
  };
  if (is({0x0628, 0x0646}) || is({0x0627, 0x0628, 0x0646}) || is({0x0628, 0x0646, 0x062A})) return;
  // The article ال, written joined to the name it governs (الظواهري, al-Zawahiri).
  if (n >= 4 && w[0] == 0x0627 && w[1] == 0x0644) i = 2;
  std::string key;
  // Waw and ya are consonants when they begin the word (وليد Walid, يوسف Yusuf).
  if (i < n && (w[i] == 0x0648 || w[i] == 0x064A || w[i] == 0x06CC)) {
    key.push_back(w[i] == 0x0648 ? 'w' : 'y');
    ++i;
  }
  for (; i < n; ++i) {
    const char32_t c = w[i];
    char cls = abjad_class(c);
    const bool last = i + 1 == n || w[i + 1] == kZwnj;
    // A final ه is the vowel of -eh, -ah (زاده, zadeh), as ة is; so before a ZWNJ.
    if ((c == 0x0647 || c == 0x06C1) && last) cls = 0;
    // A final ya is the -i of Ali, Raisi and of the nisba (Nabhan, Nabhani): kept.
    if ((c == 0x064A || c == 0x06CC) && i + 1 == n) cls = 'y';
    if (cls != 0 && (key.empty() || key.back() != cls)) key.push_back(cls);
  }
  if (key.empty()) return;
  put_separator(out);
  out.push_back(kAbjadMarker);
  out.append(key);
  out.push_back(' ');
}

// A Hangul syllable in the Revised Romanization, the spelling South Korean names and the
// lists' Korean groups use: ICU's Hangul-Latin is a letter-by-letter transliteration that
// writes a final consonant as it is written, not as it is said (박 "bag", where every
// romanisation has Bak, Pak or Park), so the syllable is composed here from its three jamo
// (Unicode's arithmetic order: 19 initials × 21 vowels × 28 finals). A syllable that is a
// vowel alone would be an initial: 이 (Lee, Yi, Rhee) is written "yi", 오 (Oh) "oh", 우 "woo".
void romanise_hangul(char32_t c, icu::UnicodeString& u) {
  static constexpr std::array<std::string_view, 19> kInitial = {"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s",
                                                                "ss", "", "j", "jj", "ch", "k", "t", "p", "h"};
  static constexpr std::array<std::string_view, 21> kVowel = {"a", "ae", "ya", "yae", "eo", "e", "yeo",
                                                              "ye", "o", "wa", "wae", "oe", "yo", "u",
                                                              "wo", "we", "wi", "yu", "eu", "ui", "i"};
  static constexpr std::array<std::string_view, 28> kFinal = {"", "k", "k", "k", "n", "n", "n", "t", "l", "k",
                                                              "m", "l", "l", "l", "p", "l", "m", "p", "p", "t",
                                                              "t", "ng", "t", "t", "k", "t", "p", "t"};
  const uint32_t s = static_cast<uint32_t>(c - 0xAC00);
  std::string r(kInitial[s / 588]);
  r.append(kVowel[(s % 588) / 28]);
  r.append(kFinal[s % 28]);
  if (r == "i") r = "yi";
  if (r == "o") r = "oh";
  if (r == "u") r = "woo";
  u.append(icu::UnicodeString::fromUTF8(r));
}

// The ICU path for text outside the fold table: Hangul syllables are romanised apart
// (each syllable of a Korean name is a name part: 김정은 is Kim Jong Un, not "gimjeong-eun").
void fold_icu(const std::vector<char32_t>& cps, icu::Transliterator* t, std::string& out, bool mark_initials) {
  if (cps.empty()) return;
  auto hangul = [](char32_t c) { return c >= 0xAC00 && c <= 0xD7A3; };
  icu::UnicodeString u;
  for (size_t i = 0; i < cps.size(); ++i) {
    if (hangul(cps[i]) && i > 0 && hangul(cps[i - 1])) u.append(static_cast<UChar32>(' '));
    if (hangul(cps[i])) {
      romanise_hangul(cps[i], u);
      continue;
    }
    u.append(static_cast<UChar32>(cps[i]));
  }
  t->transliterate(u);
  std::string latin;
  u.toUTF8String(latin);
  put_separator(out);
  fold_fast(latin, out, /*allow_unknown=*/true, mark_initials);
}

// Names written in Cyrillic are romanised as the lists romanise them, by the BGN/PCGN
// systems ICU ships (Russian-, Ukrainian-, Belarusian-Latin/BGN: Янукович "Yanukovich",
// Юрий "Yuriy", Щербаков "Shcherbakov"); the per-letter fold table holds ICU's scholarly
// Any-Latin ("Anukovic", "Urij"), which no list writes. The language is told by its own
// letters: ї є ґ Ukrainian; ў Belarusian; і Ukrainian unless with ў, ы or э (then
// Belarusian); else Russian. Empty if `s` has no Cyrillic letter or ICU lacks the transform.
std::string romanise_cyrillic(std::string_view s) {
  // Cyrillic (U+0400..U+052F) is led by the bytes D0..D4: most names have none.
  if (std::none_of(s.begin(), s.end(), [](char c) {
        const auto b = static_cast<unsigned char>(c);
        return b >= 0xD0 && b <= 0xD4;
      }))
    return {};
  bool cyrillic = false, i_letter = false, ukrainian_only = false, belarusian_only = false, russian_belarusian = false;
  for (size_t i = 0; i < s.size();) {
    const char32_t cp = decode(s, i);
    if (cp < 0x0400 || cp >= 0x0530) continue;
    cyrillic = true;
    i_letter = i_letter || cp == 0x0456 || cp == 0x0406;  // і: Ukrainian and Belarusian
    ukrainian_only = ukrainian_only || cp == 0x0457 || cp == 0x0407 || cp == 0x0454 || cp == 0x0404 || cp == 0x0491 ||
                     cp == 0x0490;                                        // ї є ґ
    belarusian_only = belarusian_only || cp == 0x045E || cp == 0x040E;  // ў
    russian_belarusian = russian_belarusian || cp == 0x044B || cp == 0x042B || cp == 0x044D || cp == 0x042D;  // ы э
  }
  if (!cyrillic) return {};
  const bool ukrainian = ukrainian_only || (i_letter && !belarusian_only && !russian_belarusian);
  const bool belarusian = !ukrainian && (belarusian_only || i_letter);
  using Transliterator = std::unique_ptr<icu::Transliterator>;
  thread_local Transliterator russian = make_transliterator("Russian-Latin/BGN; Latin-ASCII");
  thread_local Transliterator ukrainian_t = make_transliterator("Ukrainian-Latin/BGN; Latin-ASCII");
  thread_local Transliterator belarusian_t = make_transliterator("Belarusian-Latin/BGN; Latin-ASCII");
  icu::Transliterator* t = ukrainian ? ukrainian_t.get() : belarusian ? belarusian_t.get() : russian.get();
  if (t == nullptr) return {};
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(icu::StringPiece(s.data(), static_cast<int32_t>(s.size())));
  // The hard sign is no letter of the name (BGN writes it as a double prime, a separator
  // once folded): removed first. (Invalid bytes became U+FFFD here: separators.)
  u.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x044A)), icu::UnicodeString());
  u.findAndReplace(icu::UnicodeString(static_cast<UChar32>(0x042A)), icu::UnicodeString());
  t->transliterate(u);
  std::string latin;
  u.toUTF8String(latin);
  // BGN sets a middle dot between letters it wants read apart (Lukash·enka): removed.
  for (size_t p = latin.find("\xC2\xB7"); p != std::string::npos; p = latin.find("\xC2\xB7", p)) latin.erase(p, 2);
  return latin;
}

// `romanised`: `s` is romanise_cyrillic's output already (what it left in Cyrillic, such as
// letters of other languages, takes the table).
void fold_into(std::string_view s, std::string& out, bool mark_initials = false, bool romanised = false) {
  const size_t start = out.size();
  if (mark_initials && !romanised) {
    if (const std::string latin = romanise_cyrillic(s); !latin.empty()) {
      fold_into(latin, out, mark_initials, /*romanised=*/true);
      return;
    }
  }
  if (fold_fast(s, out, /*allow_unknown=*/false, mark_initials)) return;
  out.resize(start);
  icu::Transliterator* t = thread_transliterator();
  if (t == nullptr) {
    fold_fast(s, out, /*allow_unknown=*/true, mark_initials);
    return;
  }
  // Re-decode with the same Latin-1 fallback so ICU sees what the fast path saw. Names in
  // Arabic script become consonant keys (above); the rest goes through ICU.
  std::vector<char32_t> cps;
  for (size_t i = 0; i < s.size();) cps.push_back(decode(s, i));
  std::vector<char32_t> other, word;
  for (size_t i = 0; i < cps.size(); ++i) {
    const char32_t c = cps[i];
    if (!mark_initials || !abjad_letter(c)) {
      other.push_back(c);
      continue;
    }
    fold_icu(other, t, out, mark_initials);
    other.clear();
    word.clear();
    for (; i < cps.size(); ++i) {
      const char32_t d = cps[i];
      if (abjad_mark(d)) continue;
      if (!abjad_letter(d) && d != kZwnj) break;
      word.push_back(d);
    }
    --i;
    abjad_word(word, out);
  }
  fold_icu(other, t, out, mark_initials);
  while (out.size() > start && out.back() == ' ') out.pop_back();
}

// "abdulrahman" -> "abd" + "rahman"; "abubakar" -> "abu" + "bakar" (then glued again as
// "abdrahman", "abubakar"). The Arabic "servant of" and "father of" compounds are written
// joined, hyphenated or apart ("Abd al-Rahman", "Abdul Rahman", "Abdulrahman", "Abdel
// Rahman"); one canonical form lets the token matcher see the same token in every
// spelling. The rest must keep 4+ letters so "abdullah" and "abdalla" stay whole.
constexpr std::array<std::string_view, 9> kAbdForms = {
    "abdoul", "abdul", "abdel", "abdal", "abdol", "abdur", "abdar", "abdou", "abdu"};
constexpr std::array<std::string_view, 3> kAbuForms = {"abou", "abu", "ebu"};  // Turkish Ebu

enum class Split { kNo, kSplit, kWhole };  // kWhole: a form, but the token is one name ("abdullah")

bool no_vowel(std::string_view t) { return t.find_first_of("aeiouy") == std::string_view::npos; }

template <size_t N>
Split split_compound(std::string_view token, const std::array<std::string_view, N>& forms,
                     std::string_view canonical, std::string_view& head, std::string_view& rest) {
  for (std::string_view f : forms) {
    if (token.size() >= f.size() && token.substr(0, f.size()) == f) {
      rest = token.substr(f.size());
      if (rest.empty() || rest.size() >= 4) {
        head = canonical;
        return Split::kSplit;
      }
      return Split::kWhole;
    }
  }
  return Split::kNo;
}

// "Abdul" or "Abdel" mistyped ("Abdiul Rehman", "Agdul", "Abvulmalik", "Ahbdulhamit") is still the
// compound: without this, one typo there leaves a token the canonical "abd…" form shares no
// candidate key with. Five letters or more of the prefix, so "Adel" stays a name.
bool split_mistyped_abd(std::string_view token, std::string_view& head, std::string_view& rest) {
  if (token.size() < 5 || token[0] != 'a') return false;
  // One edit leaves at least two of the b, d and l: a cheap first look.
  const std::string_view lead = token.substr(0, 7);
  if ((lead.find('b') != std::string_view::npos) + (lead.find('d') != std::string_view::npos) +
          (lead.find('l') != std::string_view::npos) < 2)
    return false;
  for (size_t len = 5; len <= 7 && len <= token.size(); ++len) {
    rest = token.substr(len);
    if (!rest.empty() && rest.size() < 4) continue;
    for (std::string_view f : {std::string_view("abdul"), std::string_view("abdel")}) {  // the usual spellings
      if (!one_edit_apart(token.substr(0, len), f)) continue;
      head = "abd";
      return true;
    }
  }
  return false;
}

const std::vector<std::string>& default_honorifics() {
  static const std::vector<std::string> v = {
      "mr", "mrs", "ms", "miss", "mx", "mister", "madam", "madame", "dr", "doctor", "prof",
      "professor", "sir", "dame", "lord", "lady", "sheikh", "shaikh", "sheik", "shaykh",
      "cheikh", "haji", "hajji", "hadji", "haj", "hajj", "alhaji", "alhaj", "alhajji",
      "mullah", "mulla", "maulana", "mawlana", "maulvi", "mufti", "imam", "ayatollah",
      "hojatoleslam", "general", "gen", "colonel", "col", "major", "maj", "captain", "capt",
      "lt", "lieutenant", "brigadier", "brig", "admiral", "adm", "commander", "cdr", "sgt",
      "rev", "reverend", "engr", "excellency", "hon", "honourable", "honorable",
      // Lineage titles, often left out of a payment's name field: "Sayyid Ali Khamenei".
      "sayyid", "seyyed", "seyed", "sayyed", "syed"};
  return v;
}

const std::vector<std::string>& default_legal_forms() {
  static const std::vector<std::string> v = {
      "ltd", "limited", "llc", "inc", "incorporated", "corp", "corporation", "co", "company",
      "plc", "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "sa", "sas", "sarl", "sasu", "sl",
      "srl", "spa", "sapa", "bv", "nv", "oy", "oyj", "ab", "asa", "aps", "pte", "pty", "pvt",
      "lp", "llp", "fze", "fzco", "fzc", "fzllc", "fzll", "jsc", "ojsc", "cjsc", "pjsc",
      "ooo", "oao", "zao", "pao", "tov", "sae", "sal", "saog", "saoc", "wll", "est", "kk",
      "ltda", "eirl", "sdn", "bhd", "tbk", "pt", "sro", "zrt", "kft", "doo", "ead", "eood",
      "cv", "ao", "pllc", "lda", "spzoo", "sirketi", "as", "bsc", "bscc", "psc", "qsc", "qpsc", "ksc", "kscp",
      "kscc", "spc", "pcl", "saa", "sac", "saic", "jstc", "dmcc"};
  return v;
}

// Legal forms written out in words, dropped as a whole wherever they appear ("Joint Stock
// Company Bank Rossiya" is "Bank Rossiya"; "Limited Liability Company" would otherwise leave
// "liability"). Folded tokens; the longest phrase at a position wins.
const std::vector<std::vector<std::string_view>>& legal_form_phrases() {
  static const std::vector<std::vector<std::string_view>> v = {
      {"public", "joint", "stock", "company"}, {"closed", "joint", "stock", "company"},
      {"open", "joint", "stock", "company"}, {"joint", "stock", "company"}, {"joint", "stock"},
      {"limited", "liability", "company"}, {"limited", "liability", "partnership"}, {"limited", "liability"},
      {"limited", "partnership"}, {"public", "limited", "company"}, {"private", "limited", "company"},
      {"public", "company", "limited"}, {"private", "limited"}, {"company", "limited"},
      {"sole", "proprietorship"}, {"free", "zone", "establishment"}, {"free", "zone", "company"},
      {"publichnoe", "aktsionernoe", "obshchestvo"}, {"otkrytoe", "aktsionernoe", "obshchestvo"},
      {"zakrytoe", "aktsionernoe", "obshchestvo"}, {"aktsionernoe", "obshchestvo"},
      {"aktsionernoye", "obshchestvo"}, {"obshchestvo", "s", "ogranichennoi", "otvetstvennostiu"},
      {"obshchestvo", "s", "ogranichennoy", "otvetstvennostyu"}, {"obshchestvo", "s", "ogranichennoi", "otvetstvennostyu"},
      {"tovarystvo", "z", "obmezhenoiu", "vidpovidalnistiu"}, {"sociedad", "anonima", "de", "capital", "variable"},
      {"sociedad", "de", "responsabilidad", "limitada"}, {"sociedad", "anonima"}, {"sociedad", "limitada"},
      {"sociedade", "anonima"}, {"societe", "anonyme"}, {"societe", "a", "responsabilite", "limitee"},
      {"societa", "per", "azioni"}, {"societa", "a", "responsabilita", "limitata"},
      {"gesellschaft", "mit", "beschrankter", "haftung"}, {"aktiengesellschaft"}, {"naamloze", "vennootschap"},
      {"besloten", "vennootschap"}, {"anonim", "sirketi"}, {"limited", "sirketi"},
      {"s", "de", "rl", "de", "cv"}, {"s", "a", "de", "c", "v"}, {"s", "a", "de", "cv"}, {"sa", "de", "c", "v"},
      {"sa", "de", "cv"}, {"s", "de", "rl"}, {"de", "cv"}, {"sp", "z", "o", "o"}, {"public", "company"},
      {"private", "joint", "stock", "company"}, {"private", "joint", "stock"}, {"proprietary", "limited"},
      {"with", "limited", "liability"}, {"societe", "anonyme", "libanaise"}, {"societe", "par", "actions", "simplifiee"},
      {"spolka", "z", "ograniczona", "odpowiedzialnoscia"}, {"perseroan", "terbatas"}, {"sendirian", "berhad"},
      {"berhad"}, {"kabushiki", "kaisha"}, {"publichne", "aktsionerne", "tovarystvo"},
      {"pryvatne", "aktsionerne", "tovarystvo"}, {"aktsionerne", "tovarystvo"},
      // Iranian (sherkat-e sahami-ye khass: private joint stock) and Turkish ("industry and
      // trade", written out or as "San. ve Tic." before the form) company names.
      {"sherkat", "sahami", "khass"}, {"sherkate", "sahami", "khass"}, {"sahami", "khass"}, {"sahami", "khas"},
      {"sahami", "aam"}, {"sanayi", "ve", "ticaret"}, {"san", "ve", "tic"}, {"san", "tic"},
      {"public", "limited"}, {"fz", "llc"}};
  return v;
}

// A mistyped word is only looked for among words with the same first letter and a length
// one apart at most: a typo in the first letter is rare ("Lmited", "Cpmpany" are not), and
// the check stays off the path of most tokens.
bool mistypes(std::string_view t, std::string_view word) {
  return t.size() >= 6 && t[0] == word[0] && t.size() + 1 >= word.size() && word.size() + 1 >= t.size() &&
         one_edit_apart(t, word);
}

constexpr std::array<std::string_view, 5> kLongLegalWords = {"company", "limited", "corporation", "incorporated",
                                                             "liability"};

// Business words that are written in short or in several ways: one spelling each, so
// "Mahan Air" is "Mahan Airlines" and "Intl" is "International".
constexpr std::array<std::pair<std::string_view, std::string_view>, 14> kBusinessWords = {{
    {"airlines", "air"}, {"airline", "air"}, {"airways", "air"}, {"intl", "international"},
    {"natl", "national"}, {"mfg", "manufacturing"}, {"bros", "brothers"}, {"svcs", "services"},
    {"grp", "group"}, {"hldgs", "holdings"}, {"hldg", "holding"}, {"trdg", "trading"},
    {"shpg", "shipping"}, {"petrochem", "petrochemical"}}};

// The words that need a second look, found with one hash lookup per token: the start of a
// legal-form phrase, a short form inside one, a business word's other spellings.
struct SpecialWord {
  std::string_view phrase_as;   // what it stands for inside a phrase ("co" -> "company")
  std::string_view canonical;   // its one spelling ("airlines" -> "air"), or empty
  bool starts_phrase = false;
  bool second_in_phrase = false;  // the second word of a phrase, four letters or more ("stock")
};

const std::unordered_map<std::string_view, SpecialWord>& special_words() {
  static const std::unordered_map<std::string_view, SpecialWord> m = [] {
    std::unordered_map<std::string_view, SpecialWord> out;
    for (const auto& p : legal_form_phrases()) {
      out[p[0]].starts_phrase = true;
      if (p.size() >= 2 && p[1].size() >= 4) out[p[1]].second_in_phrase = true;
    }
    out["co"].phrase_as = "company";
    out["ltd"].phrase_as = "limited";
    out["jt"].phrase_as = "joint";
    for (const auto& [from, to] : kBusinessWords) out[from].canonical = to;
    return out;
  }();
  return m;
}

const SpecialWord* special(std::string_view t) {
  const auto& m = special_words();
  const auto it = m.find(t);
  return it == m.end() ? nullptr : &it->second;
}

// `w`: special(t), looked up once by the caller.
std::string_view canonical_word(std::string_view t, const SpecialWord* w) {
  if (w != nullptr && !w->canonical.empty()) return w->canonical;
  for (const auto& [from, to] : kBusinessWords)
    if (from.size() >= 7 && mistypes(t, from)) return to;
  return t;
}

// The long legal-form words, recognised through one typo (short ones are too easily
// another word). Returns the word, or empty.
std::string_view mistyped_legal_word(std::string_view t) {
  if (t.size() < 6 || t.size() > 13) return {};
  for (std::string_view w : kLongLegalWords)
    if (t != w && mistypes(t, w)) return w;
  return {};
}

// Inside a legal-form phrase the short forms stand for the words ("Public Co. Ltd.").
std::string_view phrase_word(std::string_view t, const SpecialWord* w) {
  if (w != nullptr && !w->phrase_as.empty()) return w->phrase_as;
  if (const std::string_view m = mistyped_legal_word(t); !m.empty()) return m;
  return t;
}

// Length of the legal-form phrase starting at words[i], 0 if none (`words` as phrase_word
// reads them; `w` and `next`: the special entries of words i and i + 1). A phrase of two
// words or more may hold one mistyped word of four letters or more, the others as written
// ("Jiont Stock Company", "Joint Stokc Company", "Pyblic Joint Stock Company"): a typo
// there would otherwise leave two or three tokens the listed name does not have.
size_t legal_phrase_at(const std::vector<std::string_view>& words, size_t i, const SpecialWord* w,
                       const SpecialWord* next) {
  if ((w == nullptr || !w->starts_phrase) && (next == nullptr || !next->second_in_phrase)) return 0;
  size_t best = 0;
  for (const auto& p : legal_form_phrases()) {
    if (p.size() <= best || i + p.size() > words.size()) continue;
    size_t typos = 0;
    bool same = true;
    for (size_t k = 0; k < p.size() && same; ++k) {
      if (words[i + k] == p[k]) continue;
      same = p.size() >= 2 && ++typos == 1 && p[k].size() >= 4 && words[i + k].size() >= 4 &&
             one_edit_apart(words[i + k], p[k]);
    }
    if (same) best = p.size();
  }
  return best;
}

const std::vector<std::string>& default_particles() {
  static const std::vector<std::string> v = {
      "al", "el", "ul", "bin", "ibn", "bint", "binti", "bn", "ben", "van", "von", "der", "den", "del",
      "della", "dos", "das", "and", "of", "the", "und", "et"};
  return v;
}

}  // namespace

void latin_consonant_key(std::string_view t, std::string& out) {
  out.clear();
  auto vowel = [](char c) { return std::string_view("aeiouy").find(c) != std::string_view::npos; };
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    const char next = i + 1 < t.size() ? t[i + 1] : '\0';
    char cls = 0;
    if (next == 'h' && std::string_view("sckgtdzp").find(c) != std::string_view::npos) {
      // One Arabic letter each: sh ش (ch, French), kh خ, gh غ, th ث, dh ذ, zh ژ, ph ف.
      static constexpr std::string_view kFrom = "sckgtdzp", kTo = "shhktdjf";
      cls = kTo[kFrom.find(c)];
      ++i;
    } else if (c >= '0' && c <= '9') {
      out.clear();
      return;
    } else if (i == 0 && (c == 'y' || c == 'w' || c == 'v')) {
      cls = c == 'y' ? 'y' : 'w';  // a consonant, as the waw or ya beginning an Arabic word
    } else {
      switch (c) {
        case 'a': case 'e': case 'o': case 'u': case 'w': case 'v': break;
        case 'h': cls = i + 1 == t.size() && i > 0 && vowel(t[i - 1]) ? 0 : 'h'; break;  // -ah, -eh: ة, ه
        case 'i': case 'y': cls = i + 1 == t.size() ? 'y' : 0; break;  // final -i, -y: a written ya
        case 'b': case 'p': cls = 'b'; break;
        case 'd': case 'z': cls = 'd'; break;
        case 'k': case 'q': case 'g': case 'c': cls = 'k'; break;
        case 'x':
          if (out.empty() || out.back() != 'k') out.push_back('k');
          cls = 's';
          break;
        default: cls = c; break;  // t j s f l m n r
      }
    }
    if (cls != 0 && (out.empty() || out.back() != cls)) out.push_back(cls);
  }
}

std::string fold_to_ascii(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  fold_into(utf8, out);
  return out;
}

NormalizerSettings NormalizerSettings::defaults() {
  NormalizerSettings s;
  s.honorifics = default_honorifics();
  s.legal_forms = default_legal_forms();
  s.particles = default_particles();
  return s;
}

std::string NormalizedName::joined_sorted() const {
  std::vector<std::string_view> t;
  t.reserve(size());
  for (size_t i = 0; i < size(); ++i) t.push_back(token(i));
  std::sort(t.begin(), t.end());
  std::string out;
  for (std::string_view v : t) {
    if (!out.empty()) out.push_back(' ');
    out.append(v);
  }
  return out;
}

NameNormalizer::NameNormalizer(NormalizerSettings settings) : settings_(std::move(settings)) {
  for (const auto* list : {&settings_.honorifics, &settings_.legal_forms, &settings_.particles})
    for (const std::string& w : *list) stop_.insert(fold_to_ascii(w));
  for (const std::string& w : settings_.legal_forms) {  // the forms mistypes_legal_form looks for
    std::string f = fold_to_ascii(w);
    if (f.size() >= 3 && f.find_first_of("aeiou") == std::string::npos) legal_forms_.push_back(std::move(f));
  }
  if (settings_.max_token_length == 0) settings_.max_token_length = 1;
  settings_.max_token_length = std::min<size_t>(settings_.max_token_length, 255);
  settings_.max_tokens = std::clamp<size_t>(settings_.max_tokens, 1, 64);
}

namespace {
// Ukrainian romanisations end in -ych where Russian ones write -ich (Yanukovych,
// Yanukovich; Janukowytsch by then): -ich. A patronymic from a name ending in -y or -i is
// written -yevich, -ievich, -iyevich (Russian) or -iyovych (Ukrainian): one ending,
// "-ievich" ("-ievna" for women), so Gennadiyevich, Gennadievich and Hennadiyovych differ
// by their first letter only.
void canonical_ending(std::string& text, size_t start) {
  if (text.size() - start < 5) return;
  if (text.compare(text.size() - 3, 3, "ych") == 0) text[text.size() - 3] = 'i';
  if (text.size() - start < 9) return;
  const std::string_view t(text.data() + start, text.size() - start);
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 8> kEndings = {{
      {"iyevich", "ievich"}, {"iyovich", "ievich"}, {"yevich", "ievich"}, {"yovich", "ievich"},
      {"iyevna", "ievna"}, {"iyivna", "ievna"}, {"yevna", "ievna"}, {"yivna", "ievna"}}};
  for (const auto& [from, to] : kEndings) {
    if (t.size() < from.size() + 3 || t.substr(t.size() - from.size()) != from) continue;
    text.resize(text.size() - from.size());
    text.append(to);
    return;
  }
}
}  // namespace

bool NameNormalizer::is_stop(std::string_view token) const { return stop_.find(token) != stop_.end(); }

// The last token of a name of three or more, one letter more than a legal form of three
// vowel-less letters or more, or two of its letters swapped ("Trading LLCC", "Europe
// GmbJH", "Trading LTDD", "Company LTD" as "LDT"): a mistyped legal form, dropped as the
// form would be. A letter changed is not enough (Carl / Sarl, Sri / Srl), nor a form with
// a vowel (Saad / SAD, Asad / ASA, Esad / EAD) or of two letters (Abe / AB).
// (`t` is not a stop word: the caller has looked.)
bool NameNormalizer::mistypes_legal_form(std::string_view t) const {
  // Such a form and one letter: at most six letters, at most one of them a vowel (the
  // cheap first look that sends most family names away).
  if (t.size() < 3 || t.size() > 6) return false;
  size_t vowels = 0;
  for (char c : t) vowels += c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
  if (vowels > 1) return false;
  for (const std::string& f : legal_forms_) {
    if (f[0] != t[0] && f[1] != t[1]) continue;  // cheap first look
    const bool longer = t.size() == f.size() + 1;
    const bool swapped = t.size() == f.size() && std::is_permutation(t.begin(), t.end(), f.begin());
    if ((longer || swapped) && one_edit_apart(t, f)) return true;
  }
  return false;
}

void NameNormalizer::push_token(std::string_view token, NormalizedName& out) const {
  if (out.spans.size() >= settings_.max_tokens || token.empty()) return;
  token = token.substr(0, settings_.max_token_length);
  if (!out.text.empty()) out.text.push_back(' ');
  const size_t start = out.text.size();
  bool plain = true;  // no letters to rewrite (one pass over the token); consonant keys never
  for (size_t i = 0; i < token.size() && plain && !is_abjad_token(token); ++i) {
    const char c = token[i];
    const char n = i + 1 < token.size() ? token[i + 1] : '\0';
    plain = !(c == 'w' || (c == 's' && n == 'c') || (c == 'o' && n == 'u') || (c == 'd' && (n == 'j' || n == 's')) ||
              (c == 't' && n == 'c') || (i > 0 && (c == 'a' || c == 'e') && n == 'y'));
  }
  if (plain) {
    out.text.append(token);
    canonical_ending(out.text, start);
    out.spans.emplace_back(static_cast<uint16_t>(start), static_cast<uint16_t>(out.text.size() - start));
    return;
  }
  // German and Polish romanisations of Slavic names write v as w and ch as (t)sch
  // (Wiktor Janukowytsch for Viktor Yanukovych): w is read as v, and "tsch" / "sch" as
  // "ch" / "sh", on both sides, so the spellings meet. (Arabic w is romanised w, v is
  // Persian and Slavic: reading both as v loses nothing a matcher could use.)
  // French ones write u as "ou" and ch as "tch" (Viktor Ianoukovytch, Igor Setchine): read
  // as u and ch on both sides. The same "ou" is the u of Arabic names romanised in French
  // (Youssouf, Mahmoud, Houthi, Oumar).
  for (size_t i = 0; i < token.size(); ++i) {
    const char c = token[i];
    if (c == 'w') {
      out.text.push_back('v');
    } else if (c == 'o' && i > 0 && i + 2 < token.size() && token[i + 1] == 'u' &&
               std::string_view("aeiy").find(token[i + 2]) != std::string_view::npos) {
      // French "ou" before a vowel is the w of other romanisations (Sinouar / Sinwar).
      out.text.push_back('v');
      ++i;
    } else if ((c == 'a' || c == 'e') && i > 0 && i + 1 < token.size() && token[i + 1] == 'y' &&
               (i + 2 == token.size() || std::string_view("aeiouy").find(token[i + 2]) == std::string_view::npos)) {
      // "ay" and "ey" before a consonant or ending the word are "ai" and "ei" (Nuaymi /
      // Nuaimi, Husayn / Husain, Nikolay / Nikolai, Andrey / Andrei).
      out.text.push_back(c);
      out.text.push_back('i');
      ++i;
    } else if (c == 'o' && i + 2 < token.size() && token[i + 1] == 'u' && token.size() > 4 &&
               !(i > 0 && token.substr(i - 1) == "pour")) {
      // (Not ending the word nor in a short one: Zhou, Hou, Lou, Chou, Ou are Chinese names
      // of their own, not Zhu, Hu, Lu. Nor the Persian "-pour", a suffix that makes another
      // family name of the word: Ardakanpour is not Ardakani.)
      out.text.push_back('u');
      ++i;
    } else if (c == 't' && token.substr(i, 3) == "tch") {
      // the "ch" follows
    } else if (c == 'd' && token.substr(i, 4) == "dsch") {  // German Dschamal, French Djamel: Jamal
      out.text.push_back('j');
      i += 3;
    } else if (c == 'd' && i + 1 < token.size() && token[i + 1] == 'j') {
      out.text.push_back('j');
      i += 1;
    } else if (c == 't' && token.substr(i, 4) == "tsch") {
      out.text.append("ch");
      i += 3;
    } else if (c == 's' && token.substr(i, 3) == "sch") {
      out.text.append("sh");
      i += 2;
    } else {
      out.text.push_back(c);
    }
  }
  canonical_ending(out.text, start);
  out.spans.emplace_back(static_cast<uint16_t>(start), static_cast<uint16_t>(out.text.size() - start));
}

void NameNormalizer::normalize(std::string_view utf8, NormalizedName& out) const {
  thread_local std::string marked;
  marked.clear();
  fold_into(utf8.substr(0, 4096), marked, /*mark_initials=*/true);
  // Dotted runs: a legal form ("s.a", "l.l.c") is one token (then dropped), anything else
  // is initials ("J.A. Guzman" is "j a guzman", as "J A Guzman" is).
  thread_local std::string folded;
  folded.clear();
  if (marked.find('.') == std::string::npos) folded.swap(marked);  // the usual case: no dotted run
  for (size_t i = 0; i < marked.size();) {
    size_t end = marked.find(' ', i);
    if (end == std::string::npos) end = marked.size();
    const std::string_view tok(marked.data() + i, end - i);
    if (tok.find('.') == std::string_view::npos) {
      folded.append(tok);
    } else {
      thread_local std::string dotless;
      dotless.clear();
      for (char c : tok)
        if (c != '.') dotless.push_back(c);
      // Leading a longer name, a run is a person's initials even if it spells a legal
      // form: "A.B. Usmanov" (not "AB", a Swedish company).
      const bool leads = i == 0 && end < marked.size();
      if (is_stop(dotless) && !leads) {
        folded.append(dotless);
      } else {
        for (char c : tok) folded.push_back(c == '.' ? ' ' : c);
      }
    }
    if (end < marked.size()) folded.push_back(' ');
    i = end + 1;
  }
  out.text.clear();
  out.spans.clear();
  // Split into raw tokens, canonicalising compounds.
  thread_local std::vector<std::string_view> raw;
  raw.clear();
  std::string_view rest_all(folded);
  while (!rest_all.empty()) {
    const size_t sp = rest_all.find(' ');
    std::string_view tok = rest_all.substr(0, sp);
    rest_all = sp == std::string_view::npos ? std::string_view{} : rest_all.substr(sp + 1);
    if (tok.empty()) continue;
    std::string_view head, rest;
    // (A form with a vowel after it is a name, "Abdulla", "Abduli"; with consonants only, a
    // mistyped form, "Abdull", "Abdup".)
    const Split abd = split_compound(tok, kAbdForms, "abd", head, rest);
    if (abd == Split::kSplit || (abd == Split::kWhole && no_vowel(rest) && split_mistyped_abd(tok, head, rest)) ||
        (abd == Split::kNo && (split_compound(tok, kAbuForms, "abu", head, rest) == Split::kSplit ||
                               split_mistyped_abd(tok, head, rest)))) {
      raw.push_back(head);
      if (!rest.empty()) raw.push_back(rest);
      continue;
    }
    raw.push_back(tok);
  }
  thread_local std::vector<std::string_view> kept;
  thread_local std::vector<std::string_view> words;
  thread_local std::vector<const SpecialWord*> specials;  // one lookup per token
  kept.clear();
  words.clear();
  specials.clear();
  for (std::string_view tok : raw) {
    const SpecialWord* w = special(tok);
    specials.push_back(w);
    words.push_back(phrase_word(tok, w));
  }
  for (size_t i = 0; i < raw.size();) {
    const SpecialWord* first = words[i] == raw[i] ? specials[i] : special(words[i]);
    const SpecialWord* next = i + 1 < raw.size() ? specials[i + 1] : nullptr;
    if (const size_t phrase = legal_phrase_at(words, i, first, next); phrase > 0) {
      i += phrase;
      continue;
    }
    if (words[i] == raw[i] && !is_stop(raw[i]) && !(i + 1 == raw.size() && i >= 2 && mistypes_legal_form(raw[i])))
      kept.push_back(canonical_word(raw[i], specials[i]));
    ++i;
  }
  if (kept.empty()) kept = raw;  // a name made only of stop words ("Al", "Co") keeps them
  // "abu" is glued to the name it governs ("Abu Bakr", "Abubakr": "abubakr"): a kunya is one
  // name. "abd" stands alone ("Abd al-Rahman", "Abdul Rahman", "Abdulrahman": "abd rahman"),
  // a common low-weight token: glued, "Abdul Waked" could not meet "Abdul Mohamed WAKED
  // FARES", whose "abd" would be glued to the name that was left out.
  thread_local std::string glued;
  for (size_t i = 0; i < kept.size(); ++i) {
    // The same in Arabic script: ابو / أبو (consonant "b") and the next word.
    if (kept[i] == "_b" && i + 1 < kept.size() && is_abjad_token(kept[i + 1])) {
      glued.assign(kept[i]);
      std::string_view next = kept[i + 1].substr(1);
      if (next.size() > 1 && (next[0] == 'w' || next[0] == 'y')) next.remove_prefix(1);  // inside a word now
      for (char c : next)
        if (glued.back() != c) glued.push_back(c);
      push_token(glued, out);
      ++i;
      continue;
    }
    if (kept[i] == "abu" && i + 1 < kept.size()) {
      glued.assign(kept[i]);
      glued.append(kept[i + 1]);
      push_token(glued, out);
      ++i;
      continue;
    }
    push_token(kept[i], out);
  }
}

NormalizedName NameNormalizer::normalize(std::string_view utf8) const {
  NormalizedName n;
  normalize(utf8, n);
  return n;
}

}  // namespace deltran::compliance
