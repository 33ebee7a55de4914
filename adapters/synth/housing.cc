// The housing exports (model.h): one row per child of the household per event, and the
// postcode table that maps every postcode those rows use to its local authority.
#include <fstream>

#include "adapters/synth/model.h"

namespace mab::synth::detail {
namespace {

// Exports are not tidy: a few postcodes arrive in lower case or without their space, which the
// housing adapter normalises before the lookup.
std::string as_typed(const std::string& postcode, int style) {
  std::string s = postcode;
  if (style == 1) return s.erase(s.find(' '), 1);
  if (style == 2) {
    for (char& c : s) c = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    return s;
  }
  return s;
}

void put_address(std::ostream& out, const std::optional<address>& a, int style) {
  if (!a) {
    out << ",,";
    return;
  }
  out << a->line1 << ',' << a->town << ',' << as_typed(a->postcode, style);
}

// Districts 1-6 of each area are listed by outward code; 7-9 only by full postcode, so the
// adapter's lookup needs both of its steps.
bool listed_by_outward(const std::string& outward) { return outward.back() <= '6'; }

}  // namespace

result<std::uint64_t> write_housing(const world& w, const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  random_source r(w.opts.seed, "housing");
  out << "event_id,event_type,effective_date,household_id,upn,nhs_number,given_name,family_name,"
         "date_of_birth,previous_line1,previous_town,previous_postcode,new_line1,new_town,"
         "new_postcode\n";
  std::uint64_t rows = 0;
  for (const auto& e : w.events) {
    const household& h = w.households[e.household];
    const double x = r.real();
    const int style = x < 0.03 ? 1 : x < 0.06 ? 2 : 0;
    auto row = [&](const std::string& upn, const std::string& nhs, const std::string& given,
                   const std::string& family, date born) {
      out << e.id << ',' << kind_name(e.kind) << ',' << format_date(e.effective) << ',' << h.id
          << ',' << upn << ',' << nhs << ',' << given << ',' << family << ',' << format_date(born)
          << ',';
      put_address(out, e.previous, style);
      out << ',';
      put_address(out, e.next, style);
      out << '\n';
      ++rows;
    };
    for (std::size_t i : h.children) {
      const child& c = w.children[i];
      row(c.upn, c.nhs_number, c.given_name, c.family_name, c.date_of_birth);
    }
    for (std::size_t i : h.babies) {
      const baby& b = w.babies[i];
      if (b.date_of_birth <= e.effective) {
        row("", b.nhs_number, b.given_name, b.family_name, b.date_of_birth);
      }
    }
  }
  out.flush();
  if (!out) return make_error("could not write " + file.string());
  return rows;
}

result<std::uint64_t> write_postcodes(const world& w, const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  out << "postcode,la_code\n";
  std::uint64_t rows = 0;
  for (const char* prefix : {"XA", "XB"}) {
    const std::string& area = prefix[1] == 'A' ? w.opts.area : w.opts.other_area;
    for (char d = '1'; d <= '9'; ++d) {
      const std::string outward = std::string(prefix) + d;
      if (listed_by_outward(outward)) {
        out << outward << ',' << area << '\n';
        ++rows;
      }
      std::size_t k = 0;
      for (auto it = w.postcodes.lower_bound(outward + " ");
           it != w.postcodes.end() && outward_code(*it) == outward; ++it, ++k) {
        // Every full postcode of the unlisted districts, and every fourth one of the others
        // (a table that names a postcode and its district as well).
        if (!listed_by_outward(outward) || k % 4 == 0) {
          out << *it << ',' << area << '\n';
          ++rows;
        }
      }
    }
  }
  out.flush();
  if (!out) return make_error("could not write " + file.string());
  return rows;
}

}  // namespace mab::synth::detail
