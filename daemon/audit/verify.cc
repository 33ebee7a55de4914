// verify(): says exactly which entries and checkpoints disagree with the chain, and explains
// each problem once, at the entry that causes it.
//
// The order of the passes matters: renumbered entries get their original seq back first (so
// one removal is not reported as every later entry altered), duplicates are set aside next (so
// they are not also counted as out of order), then entries stored out of order are named (so
// the chain can be walked by seq without seeing false gaps), then the chain is walked, and the
// checkpoints come last because a recomputed entry found by the walk tells them the hash the
// broker signed.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <utility>

#include "daemon/audit/audit.h"

namespace mab::audit {
namespace {

// An entry as verify() sees it.
struct slot {
  const entry* e = nullptr;
  std::size_t pos = 0;     // position in storage order, from 0
  bool intact = false;     // its stored hash matches its content
  std::uint64_t seq = 0;   // its original seq: e->seq unless it was renumbered
  std::int64_t shift = 0;  // seq - e->seq
};

// Renumbering to close the gap a removal leaves (or open one for an insertion) shifts every
// later entry by the number removed; further than this, the entries are reported one by one.
constexpr std::int64_t k_max_shift = 16;

std::string num(std::uint64_t v) { return std::to_string(v); }

std::string entries_range(std::uint64_t first, std::uint64_t last) {
  if (first == last) return "entry " + num(first);
  return "entries " + num(first) + "–" + num(last);
}

std::string short_hash(std::string_view h) {
  return h.size() > 16 ? std::string(h.substr(0, 16)) + "…" : std::string(h);
}

// The slots with this seq, in a vector sorted by seq.
std::span<const slot> with_seq(const std::vector<slot>& by_seq, std::uint64_t seq) {
  const auto lo = std::lower_bound(by_seq.begin(), by_seq.end(), seq,
                                   [](const slot& s, std::uint64_t v) { return s.seq < v; });
  auto hi = lo;
  while (hi != by_seq.end() && hi->seq == seq) ++hi;
  return {lo, hi};
}

// When two stored entries claim one seq, the chain runs through the one that matches its own
// hash and links to both neighbours; the other was inserted.
int fit(const std::vector<slot>& by_seq, const slot& s) {
  int score = s.intact ? 1 : 0;
  if (s.seq == 1 && s.e->prev_hash == genesis_hash) ++score;
  for (const slot& p : with_seq(by_seq, s.seq - 1)) {
    if (s.seq > 1 && p.e->hash == s.e->prev_hash) { ++score; break; }
  }
  for (const slot& n : with_seq(by_seq, s.seq + 1)) {
    if (n.e->prev_hash == s.e->hash) { ++score; break; }
  }
  return score;
}

// The shift under which an altered entry's hash holds again, if its seq is all that changed.
// `hint` (the previous renumbered entry's shift) is tried first: renumbering moves whole runs.
std::optional<std::int64_t> find_shift(const entry& e, std::int64_t hint) {
  entry probe = e;
  const auto holds = [&](std::int64_t d) {
    if (d == 0 || (d < 0 && static_cast<std::uint64_t>(-d) >= e.seq)) return false;
    probe.seq = e.seq + static_cast<std::uint64_t>(d);  // wraps to subtract when d < 0
    return entry_hash(probe) == e.hash;
  };
  if (holds(hint)) return hint;
  for (std::int64_t d = 1; d <= k_max_shift; ++d) {
    if (holds(d)) return d;
    if (holds(-d)) return -d;
  }
  return std::nullopt;
}

// Of the slots [first, end) that share one seq, the one the chain runs through (the first
// stored, on a tie).
std::size_t best_fit(const std::vector<slot>& by_seq, std::size_t first, std::size_t end) {
  std::size_t best = first;
  int best_score = fit(by_seq, by_seq[first]);
  for (std::size_t k = first + 1; k < end; ++k) {
    const int score = fit(by_seq, by_seq[k]);
    if (score > best_score) {
      best = k;
      best_score = score;
    }
  }
  return best;
}

// Where an entry sits among its stored neighbours, for a person looking at the table.
std::string stored_between(const std::vector<slot>& stored, std::size_t i) {
  if (stored.size() < 2) return "";
  if (i == 0) return "stored before entry " + num(stored[1].seq);
  if (i + 1 == stored.size()) return "stored after entry " + num(stored[i - 1].seq);
  return "stored between entries " + num(stored[i - 1].seq) + " and " +
         num(stored[i + 1].seq);
}

// Marks the longest run of stored entries already in seq order. Everything outside it is
// what was moved; naming only those gives one finding per moved entry rather than one for
// every entry that merely follows a moved one.
std::vector<bool> longest_ordered_run(const std::vector<slot>& stored) {
  constexpr std::size_t none = static_cast<std::size_t>(-1);
  std::vector<std::size_t> tails;  // tails[k]: end of the best run of length k+1 so far
  std::vector<std::size_t> parent(stored.size(), none);
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const auto it = std::lower_bound(
        tails.begin(), tails.end(), stored[i].seq,
        [&](std::size_t t, std::uint64_t seq) { return stored[t].seq < seq; });
    if (it != tails.begin()) parent[i] = *(it - 1);
    if (it == tails.end()) {
      tails.push_back(i);
    } else {
      *it = i;
    }
  }
  std::vector<bool> in_run(stored.size(), false);
  for (std::size_t k = tails.empty() ? none : tails.back(); k != none; k = parent[k]) {
    in_run[k] = true;
  }
  return in_run;
}

class verifier {
 public:
  explicit verifier(std::string_view broker_public_key) : key_(broker_public_key) {}

  report run(const std::vector<entry>& entries, const std::vector<checkpoint>& checkpoints) {
    report_.entries = entries.size();
    report_.checkpoints = checkpoints.size();
    std::vector<slot> by_seq;
    by_seq.reserve(entries.size());
    for (std::size_t i = 0; i < entries.size(); ++i) {
      const entry& e = entries[i];
      by_seq.push_back({&e, i, entry_hash(e) == e.hash, e.seq, 0});
    }
    restore_renumbered(by_seq);
    std::sort(by_seq.begin(), by_seq.end(), [](const slot& a, const slot& b) {
      return a.seq != b.seq ? a.seq < b.seq : a.pos < b.pos;
    });
    report_renumbered(by_seq);
    chain_ = set_aside_inserted(by_seq);
    find_reordered();
    walk_chain();
    report_off_genesis();
    check_checkpoints(checkpoints);
    std::stable_sort(report_.findings.begin(), report_.findings.end(),
                     [](const finding& a, const finding& b) {
                       return a.seq != b.seq ? a.seq < b.seq : a.what < b.what;
                     });
    return std::move(report_);
  }

 private:
  void add(finding::kind what, std::uint64_t seq, std::string detail) {
    report_.findings.push_back({what, seq, std::move(detail)});
  }

  // The content check and the link check can both point at one entry; report it once.
  void mark_altered(std::uint64_t seq, std::string detail) {
    if (altered_.insert(seq).second) add(finding::altered, seq, std::move(detail));
  }

  // An entry whose hash holds under another seq is an original whose number was changed, most
  // likely to close the gap a removal left. Giving it back its number lets the later passes
  // report the removal itself, and match checkpoints, instead of calling every entry altered.
  static void restore_renumbered(std::vector<slot>& slots) {
    std::int64_t hint = 0;
    for (slot& s : slots) {
      if (s.intact) continue;
      const auto shift = find_shift(*s.e, hint);
      if (!shift) continue;
      hint = *shift;
      s.shift = *shift;
      s.seq = s.e->seq + static_cast<std::uint64_t>(*shift);
      s.intact = true;
    }
  }

  // One finding per run of entries renumbered alike.
  void report_renumbered(const std::vector<slot>& by_seq) {
    for (std::size_t i = 0; i < by_seq.size();) {
      std::size_t end = i + 1;
      if (by_seq[i].shift == 0) {
        i = end;
        continue;
      }
      while (end < by_seq.size() && by_seq[end].shift == by_seq[i].shift &&
             by_seq[end].seq == by_seq[end - 1].seq + 1) {
        ++end;
      }
      const slot& first = by_seq[i];
      const slot& last = by_seq[end - 1];
      add(finding::altered, first.seq,
          entries_range(first.seq, last.seq) + " renumbered: stored as " +
              (first.seq == last.seq ? num(first.e->seq)
                                     : num(first.e->seq) + "–" + num(last.e->seq)));
      i = end;
    }
  }

  std::vector<slot> set_aside_inserted(const std::vector<slot>& by_seq) {
    std::vector<slot> kept;
    for (std::size_t i = 0; i < by_seq.size();) {
      const std::uint64_t seq = by_seq[i].seq;
      std::size_t end = i + 1;
      while (end < by_seq.size() && by_seq[end].seq == seq) ++end;
      const std::size_t best = end - i == 1 ? i : best_fit(by_seq, i, end);
      for (std::size_t k = i; k < end; ++k) {
        if (seq == 0) {
          add(finding::inserted, 0, "an entry with seq 0 (stored at position " +
                                        num(by_seq[k].pos + 1) +
                                        ") was inserted: sequence numbers start at 1");
        } else if (k != best) {
          report_duplicate(by_seq[best], by_seq[k]);
        }
      }
      if (seq != 0) kept.push_back(by_seq[best]);
      i = end;
    }
    return kept;
  }

  void report_duplicate(const slot& original, const slot& extra) {
    const std::string seq = num(extra.seq);
    const std::string where = "positions " + num(std::min(original.pos, extra.pos) + 1) +
                              " and " + num(std::max(original.pos, extra.pos) + 1);
    if (*original.e == *extra.e) {
      add(finding::inserted, extra.seq, "entry " + seq + " is stored twice (" + where + ")");
      return;
    }
    add(finding::inserted, extra.seq,
        "entry " + seq + " inserted: a second entry claims seq " + seq + " (stored at position " +
            num(extra.pos + 1) + "); the chain runs through the one at position " +
            num(original.pos + 1));
  }

  void find_reordered() {
    std::vector<slot> stored = chain_;
    std::sort(stored.begin(), stored.end(),
              [](const slot& a, const slot& b) { return a.pos < b.pos; });
    const std::vector<bool> in_order = longest_ordered_run(stored);
    for (std::size_t i = 0; i < stored.size(); ++i) {
      if (in_order[i]) continue;
      add(finding::reordered, stored[i].seq,
          "entry " + num(stored[i].seq) + " is out of order: " + stored_between(stored, i));
    }
  }

  void walk_chain() {
    const slot* prev = nullptr;
    std::uint64_t expected = 1;
    for (const slot& s : chain_) {
      if (!s.intact) {
        mark_altered(s.seq,
                     "entry " + num(s.seq) + " altered: its content does not match its hash");
      }
      if (s.seq > expected) {
        report_gap(expected, prev, s);
      } else {
        check_link(prev, s);
      }
      prev = &s;
      expected = s.seq + 1;
    }
  }

  // The entry after a gap points to a hash no longer in the log; that is the removal itself,
  // not a separate broken link.
  void report_gap(std::uint64_t first, const slot* prev, const slot& s) {
    const std::uint64_t last = s.seq - 1;
    std::string detail = entries_range(first, last) + " missing";
    const std::string_view before = prev ? std::string_view(prev->e->hash) : genesis_hash;
    if (s.e->prev_hash == before) {
      detail += " (entry " + num(s.seq) + "'s link was rewritten to skip " +
                (first == last ? "it" : "them") + ")";
    }
    add(finding::removed, first, std::move(detail));
  }

  void check_link(const slot* prev, const slot& s) {
    const std::string_view expected = prev ? std::string_view(prev->e->hash) : genesis_hash;
    if (s.e->prev_hash == expected) return;
    if (!s.intact) return;  // s's own alteration, already reported, explains its link
    if (!prev) {
      off_genesis_ = s.seq;  // reported after the walk, unless a recomputed hash explains it
      return;
    }
    // Both hold together on their own, so prev was rewritten and its hash recomputed; s still
    // names prev's original hash, which is what any checkpoint at prev was sealed over.
    const std::uint64_t seq = prev->seq;
    original_hash_[seq] = s.e->prev_hash;
    mark_altered(seq, "entry " + num(seq) + " altered (its hash was recomputed; entry " +
                          num(s.seq) + " still points to the original)");
  }

  void report_off_genesis() {
    if (!off_genesis_ || altered_.contains(*off_genesis_)) return;
    add(finding::broken_link, *off_genesis_,
        "entry " + num(*off_genesis_) + " does not start the chain: its prev_hash is not the "
                                        "genesis hash");
  }

  // nullopt when the entry is missing (its removal is already reported).
  std::optional<std::string_view> hash_at(std::uint64_t seq) const {
    if (seq == 0) return genesis_hash;
    const auto it = std::lower_bound(chain_.begin(), chain_.end(), seq,
                                     [](const slot& s, std::uint64_t v) { return s.seq < v; });
    if (it == chain_.end() || it->seq != seq) return std::nullopt;
    return std::string_view(it->e->hash);
  }

  bool matches_original(const checkpoint& cp) const {
    const auto it = original_hash_.find(cp.seq);
    return it != original_hash_.end() && it->second == cp.head_hash;
  }

  void check_checkpoints(const std::vector<checkpoint>& checkpoints) {
    std::vector<const checkpoint*> sorted;
    for (const checkpoint& cp : checkpoints) sorted.push_back(&cp);
    std::stable_sort(sorted.begin(), sorted.end(),
                     [](const checkpoint* a, const checkpoint* b) { return a->seq < b->seq; });
    const std::uint64_t last_seq = chain_.empty() ? 0 : chain_.back().seq;
    const checkpoint* beyond_end = nullptr;
    for (const checkpoint* cp : sorted) {
      if (!verify_checkpoint(*cp, key_)) {
        add(finding::bad_checkpoint, cp->seq, why_bad(*cp));
      } else if (cp->seq > last_seq) {
        beyond_end = cp;  // sorted, so the last one seen is the furthest
      } else {
        compare_head(*cp);
      }
    }
    if (beyond_end) report_truncated(*beyond_end, last_seq);
  }

  std::string why_bad(const checkpoint& cp) const {
    const std::string broker_id = crypto::key_id_for(key_);
    if (cp.key_id != broker_id) {
      return "checkpoint at seq " + num(cp.seq) + " names key " + cp.key_id +
             ", not the broker's key " + broker_id;
    }
    return "checkpoint at seq " + num(cp.seq) + ": its signature does not verify with the "
                                                "broker's key";
  }

  // Once the chain differs from what was signed, every later hash differs too; bounding the
  // rewrite between the last checkpoint that still matches and the first that does not tells
  // the auditor where to look.
  void compare_head(const checkpoint& cp) {
    const auto actual = hash_at(cp.seq);
    if (!actual) return;
    if (cp.head_hash == *actual || matches_original(cp)) {
      last_match_ = cp.seq;
      first_mismatch_.reset();
      return;
    }
    if (!first_mismatch_) first_mismatch_ = cp.seq;
    const std::string head = cp.seq == 0 ? "the empty chain's head is the genesis hash"
                                         : "entry " + num(cp.seq) + "'s hash is " +
                                               short_hash(*actual);
    std::string detail = "checkpoint at seq " + num(cp.seq) + " names head hash " +
                         short_hash(cp.head_hash) + ", but " + head;
    const std::uint64_t from = last_match_ ? *last_match_ + 1 : 1;
    if (*first_mismatch_ >= from) {
      detail += ": the chain was rewritten within " + entries_range(from, *first_mismatch_);
    }
    add(finding::checkpoint_mismatch, cp.seq, std::move(detail));
  }

  void report_truncated(const checkpoint& cp, std::uint64_t last_seq) {
    const std::string ends =
        last_seq == 0 ? "the log is empty" : "the log ends at entry " + num(last_seq);
    add(finding::removed, last_seq + 1,
        entries_range(last_seq + 1, cp.seq) + " missing (and any after " +
            (last_seq + 1 == cp.seq ? "it" : "them") + "): " + ends +
            ", but the broker sealed a checkpoint at seq " + num(cp.seq));
  }

  std::string_view key_;
  report report_;
  std::vector<slot> chain_;                             // the entries the chain runs through
  std::set<std::uint64_t> altered_;                     // seqs already reported as altered
  std::map<std::uint64_t, std::string> original_hash_;  // recomputed entries' original hashes
  std::optional<std::uint64_t> off_genesis_;            // entry 1, if it does not link to genesis
  std::optional<std::uint64_t> last_match_, first_mismatch_;  // checkpoints, in seq order
};

}  // namespace

report verify(const std::vector<entry>& entries_in_stored_order,
              const std::vector<checkpoint>& checkpoints, std::string_view broker_public_key) {
  return verifier(broker_public_key).run(entries_in_stored_order, checkpoints);
}

}  // namespace mab::audit
