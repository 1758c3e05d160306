#pragma once
// String similarity for screening. Inputs are the normaliser's ASCII tokens.
#include <string_view>

namespace deltran::compliance {

// Jaro similarity in [0, 1] (Jaro 1989): matching characters within a window of
// max(|a|, |b|)/2 - 1, minus half the transpositions.
double jaro(std::string_view a, std::string_view b);

// Jaro–Winkler (Winkler 1990): Jaro plus 0.1 per common leading character (at most 4),
// applied when Jaro exceeds 0.7, the standard boost threshold.
double jaro_winkler(std::string_view a, std::string_view b);

// At most one edit apart: one substitution, insertion, deletion or adjacent transposition
// ("Compnay", "Limted" and "Ailrines" are the words they mistype).
bool one_edit_apart(std::string_view a, std::string_view b);

// At most two such edits apart (optimal string alignment distance ≤ 2, tokens up to 40
// letters), but not a token and itself extended by two letters (Baganda / Bagandaru: a
// derived name, not a typo).
bool within_two_edits(std::string_view a, std::string_view b);

}  // namespace deltran::compliance
