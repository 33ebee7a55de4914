#include "daemon/audit/audit.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace mab::audit {
namespace {

crypto::signer make_signer(char fill) {
  auto s = crypto::signer::from_seed(std::string(32, fill));
  EXPECT_TRUE(s.ok());
  return std::move(s).value();
}

// A log as the broker would have written it: entries, and a checkpoint every `every` entries.
struct log {
  std::vector<entry> entries;
  std::vector<checkpoint> checkpoints;
};

log make_log(const crypto::signer& broker, std::uint64_t n, std::uint64_t every) {
  log l;
  chain c;
  for (std::uint64_t i = 1; i <= n; ++i) {
    const auto at = static_cast<std::int64_t>(1'700'000'000'000 + i * 1000);
    l.entries.push_back(c.append(at, i % 2 ? "message.accepted" : "delivery.acked",
                                 "sk:" + std::to_string(i % 7),
                                 R"({"message_id":"m)" + std::to_string(i) + R"("})"));
    if (i % every == 0) l.checkpoints.push_back(seal_checkpoint(broker, i, at, c.last_hash()));
  }
  return l;
}

class Audit : public ::testing::Test {
 protected:
  report check() const { return verify(log_.entries, log_.checkpoints, broker_.public_key()); }
  entry& at_seq(std::uint64_t seq) { return log_.entries[seq - 1]; }

  crypto::signer broker_ = make_signer('\x07');
  log log_ = make_log(broker_, 50, 10);
};

void expect_single(const report& r, finding::kind what, std::uint64_t seq,
                   const std::string& detail) {
  ASSERT_EQ(r.findings.size(), 1u) << to_text(r);
  EXPECT_EQ(r.findings[0].what, what) << to_text(r);
  EXPECT_EQ(r.findings[0].seq, seq) << to_text(r);
  EXPECT_EQ(r.findings[0].detail, detail);
}

TEST_F(Audit, CleanChainOfFiftyWithCheckpointsVerifies) {
  const report r = check();
  EXPECT_TRUE(r.ok()) << to_text(r);
  EXPECT_EQ(r.entries, 50u);
  EXPECT_EQ(r.checkpoints, 5u);
  EXPECT_EQ(to_text(r), "audit: 50 entries, 5 checkpoints verified: OK\n");
}

TEST_F(Audit, AppendFillsSeqLinkAndHash) {
  EXPECT_EQ(log_.entries[0].seq, 1u);
  EXPECT_EQ(log_.entries[0].prev_hash, genesis_hash);
  for (std::size_t i = 1; i < log_.entries.size(); ++i) {
    EXPECT_EQ(log_.entries[i].seq, i + 1);
    EXPECT_EQ(log_.entries[i].prev_hash, log_.entries[i - 1].hash);
    EXPECT_EQ(log_.entries[i].hash, entry_hash(log_.entries[i]));
    EXPECT_EQ(log_.entries[i].hash.size(), 64u);
  }
}

TEST_F(Audit, AlteredDataWithHashKeptNamesOnlyThatEntry) {
  at_seq(17).data = R"({"message_id":"forged"})";
  const report r = check();
  expect_single(r, finding::altered, 17, "entry 17 altered: its content does not match its hash");
  EXPECT_EQ(to_text(r),
            "entry 17 altered: its content does not match its hash\n"
            "audit: 50 entries, 5 checkpoints verified: 1 problem\n");
}

TEST_F(Audit, AlteredWithRecomputedHashIsPinnedToThatEntry) {
  at_seq(17).data = R"({"message_id":"forged"})";
  at_seq(17).hash = entry_hash(at_seq(17));
  expect_single(check(), finding::altered, 17,
                "entry 17 altered (its hash was recomputed; entry 18 still points to the "
                "original)");
}

TEST_F(Audit, RecomputedEntryUnderACheckpointIsReportedOnce) {
  // The checkpoint at 20 was sealed over the original hash, which entry 21 still names.
  at_seq(20).subject_key = "sk:other";
  at_seq(20).hash = entry_hash(at_seq(20));
  const report r = check();
  ASSERT_EQ(r.findings.size(), 1u) << to_text(r);
  EXPECT_EQ(r.findings[0].what, finding::altered);
  EXPECT_EQ(r.findings[0].seq, 20u);
}

TEST_F(Audit, RemovedEntryInTheMiddleIsNamed) {
  log_.entries.erase(log_.entries.begin() + 24);  // seq 25
  expect_single(check(), finding::removed, 25, "entry 25 missing");
}

TEST_F(Audit, RemovedRunIsOneFinding) {
  log_.entries.erase(log_.entries.begin() + 17, log_.entries.begin() + 19);  // seq 18, 19
  expect_single(check(), finding::removed, 18, "entries 18–19 missing");
}

TEST_F(Audit, SwappedEntriesAreReordered) {
  std::swap(log_.entries[5], log_.entries[6]);  // seq 6 and 7
  const report r = check();
  ASSERT_EQ(r.findings.size(), 1u) << to_text(r);
  EXPECT_EQ(r.findings[0].what, finding::reordered);
  EXPECT_TRUE(r.findings[0].seq == 6 || r.findings[0].seq == 7);
}

TEST_F(Audit, DistantSwapNamesBothMovedEntries) {
  std::swap(log_.entries[2], log_.entries[40]);  // seq 3 and 41
  const report r = check();
  ASSERT_EQ(r.findings.size(), 2u) << to_text(r);
  EXPECT_EQ(r.findings[0].what, finding::reordered);
  EXPECT_EQ(r.findings[0].seq, 3u);
  EXPECT_EQ(r.findings[0].detail, "entry 3 is out of order: stored between entries 40 and 42");
  EXPECT_EQ(r.findings[1].seq, 41u);
}

TEST_F(Audit, RewrittenTailWithRecomputedHashesFailsTheCheckpoints) {
  // The attacker rewrites everything after the checkpoint at 20 and recomputes every hash, so
  // the chain holds together; only the broker's signatures give it away.
  chain forged(20, at_seq(20).hash);
  for (std::uint64_t seq = 21; seq <= 50; ++seq) {
    const entry& e = at_seq(seq);
    at_seq(seq) = forged.append(e.at_ms, e.kind, e.subject_key,
                                seq == 23 ? R"({"message_id":"forged"})" : e.data);
  }
  const report r = check();
  ASSERT_EQ(r.findings.size(), 3u) << to_text(r);
  for (const finding& f : r.findings) EXPECT_EQ(f.what, finding::checkpoint_mismatch);
  EXPECT_EQ(r.findings[0].seq, 30u);
  EXPECT_EQ(r.findings[2].seq, 50u);
  EXPECT_NE(r.findings[0].detail.find("checkpoint at seq 30 names head hash"), std::string::npos);
  EXPECT_NE(r.findings[0].detail.find("rewritten within entries 21–30"), std::string::npos)
      << r.findings[0].detail;
}

TEST_F(Audit, ForgedCheckpointSignatureIsBad) {
  auto sig = *crypto::base64_decode(log_.checkpoints[2].signature);
  sig[5] = static_cast<char>(sig[5] ^ 0x01);
  log_.checkpoints[2].signature = crypto::base64_encode(sig);
  expect_single(check(), finding::bad_checkpoint, 30,
                "checkpoint at seq 30: its signature does not verify with the broker's key");
}

TEST_F(Audit, CheckpointWithAlteredHeadFailsItsSignature) {
  log_.checkpoints[1].head_hash = at_seq(19).hash;
  expect_single(check(), finding::bad_checkpoint, 20,
                "checkpoint at seq 20: its signature does not verify with the broker's key");
}

TEST_F(Audit, CheckpointSignedByAnotherKeyIsBad) {
  const crypto::signer intruder = make_signer('\x09');
  log_.checkpoints[3] = seal_checkpoint(intruder, 40, 0, at_seq(40).hash);
  report r = check();
  ASSERT_EQ(r.findings.size(), 1u) << to_text(r);
  EXPECT_EQ(r.findings[0].what, finding::bad_checkpoint);
  EXPECT_EQ(r.findings[0].seq, 40u);
  EXPECT_NE(r.findings[0].detail.find("not the broker's key"), std::string::npos);

  // Claiming the broker's key id does not help.
  log_.checkpoints[3].key_id = broker_.key_id();
  r = check();
  expect_single(r, finding::bad_checkpoint, 40,
                "checkpoint at seq 40: its signature does not verify with the broker's key");
}

TEST_F(Audit, TailTruncatedBelowTheLastCheckpointIsReported) {
  log_.entries.resize(45);
  expect_single(check(), finding::removed, 46,
                "entries 46–50 missing (and any after them): the log ends at entry 45, but the "
                "broker sealed a checkpoint at seq 50");
}

TEST_F(Audit, EmptiedLogIsReported) {
  log_.entries.clear();
  const report r = check();
  ASSERT_EQ(r.findings.size(), 1u) << to_text(r);
  EXPECT_EQ(r.findings[0].what, finding::removed);
  EXPECT_EQ(r.findings[0].seq, 1u);
}

TEST_F(Audit, DuplicateSeqIsInserted) {
  entry forged = at_seq(12);
  forged.data = R"({"message_id":"forged"})";
  forged.hash = entry_hash(forged);
  log_.entries.push_back(forged);
  expect_single(check(), finding::inserted, 12,
                "entry 12 inserted: a second entry claims seq 12 (stored at position 51); the "
                "chain runs through the one at position 12");
}

TEST_F(Audit, RecomputedFirstEntryIsAlteredNotAlsoOffGenesis) {
  at_seq(1).prev_hash = std::string(64, 'f');
  at_seq(1).hash = entry_hash(at_seq(1));
  // Entry 2 still names the original entry 1, which explains why entry 1 is off genesis.
  expect_single(check(), finding::altered, 1,
                "entry 1 altered (its hash was recomputed; entry 2 still points to the original)");
}

TEST_F(Audit, FirstEntryMustStartFromGenesis) {
  entry only{1, 5, "flag.raised", "", "{}", std::string(64, 'f'), ""};
  only.hash = entry_hash(only);
  expect_single(verify({only}, {}, broker_.public_key()), finding::broken_link, 1,
                "entry 1 does not start the chain: its prev_hash is not the genesis hash");
}

TEST_F(Audit, RemovalHiddenByRenumberingIsOneRemovalNotACascade) {
  // Entry 5 deleted and every later seq lowered by one, hashes left alone.
  log_.entries.erase(log_.entries.begin() + 4);
  for (std::size_t i = 4; i < log_.entries.size(); ++i) --log_.entries[i].seq;
  const report r = check();
  ASSERT_EQ(r.findings.size(), 2u) << to_text(r);
  EXPECT_EQ(r.findings[0].what, finding::removed);
  EXPECT_EQ(r.findings[0].detail, "entry 5 missing");
  EXPECT_EQ(r.findings[1].what, finding::altered);
  EXPECT_EQ(r.findings[1].detail, "entries 6–50 renumbered: stored as 5–49");
}

TEST_F(Audit, InsertionHiddenByRenumberingIsNamed) {
  // A forged entry 8 put in, the originals from 8 on moved up by one, hashes left alone.
  for (std::size_t i = 7; i < log_.entries.size(); ++i) ++log_.entries[i].seq;
  entry forged = at_seq(7);
  forged.seq = 8;
  forged.data = R"({"message_id":"forged"})";
  forged.prev_hash = at_seq(7).hash;
  forged.hash = entry_hash(forged);
  log_.entries.insert(log_.entries.begin() + 7, forged);
  const report r = check();
  ASSERT_EQ(r.findings.size(), 2u) << to_text(r);
  EXPECT_EQ(r.findings[0].what, finding::altered);
  EXPECT_EQ(r.findings[0].detail, "entries 8–50 renumbered: stored as 9–51");
  EXPECT_EQ(r.findings[1].what, finding::inserted);
  EXPECT_EQ(r.findings[1].seq, 8u);
}

TEST_F(Audit, ChainResumesFromStoredHead) {
  chain first;
  std::vector<entry> stored;
  for (int i = 0; i < 3; ++i) stored.push_back(first.append(i, "flag.raised", "", "{}"));
  chain resumed(stored.back().seq, stored.back().hash);  // as after a restart
  const entry next = resumed.append(10, "transfer.opened", "sk:1", R"({"to":"b"})");
  EXPECT_EQ(next.seq, 4u);
  EXPECT_EQ(next.prev_hash, stored.back().hash);
  EXPECT_EQ(resumed.last_seq(), 4u);
  EXPECT_EQ(resumed.last_hash(), next.hash);
  stored.push_back(next);
  const report r = verify(stored, {seal_checkpoint(broker_, 4, 11, next.hash)},
                          broker_.public_key());
  EXPECT_TRUE(r.ok()) << to_text(r);
}

TEST(EntryHash, FieldBoundariesAreUnambiguous) {
  entry a{1, 0, "ab", "c", "{}", std::string(genesis_hash), ""};
  entry b{1, 0, "a", "bc", "{}", std::string(genesis_hash), ""};
  EXPECT_NE(entry_hash(a), entry_hash(b));
  entry c{1, 0, "", "", "ab", std::string(genesis_hash), ""};
  entry d{1, 0, "", "a", "b", std::string(genesis_hash), ""};
  EXPECT_NE(entry_hash(c), entry_hash(d));
}

TEST(EntryHash, MatchesTheDocumentedEncoding) {
  // Rebuilt byte by byte from the header's description, so a change to the encoding (which
  // would orphan every stored trail) cannot slip through.
  const auto be64 = [](std::uint64_t v) {
    std::string out;
    for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(v >> shift));
    return out;
  };
  const auto field = [&](const std::string& s) { return be64(s.size()) + s; };
  const entry e{7, -5, "flag.raised", "sk:9", R"({"a":1})", std::string(genesis_hash), ""};
  const std::string bytes = "mab.v1.AuditEntry\n" + field(be64(7)) +
                            field(be64(static_cast<std::uint64_t>(-5))) + field("flag.raised") +
                            field("sk:9") + field(R"({"a":1})") + field(e.prev_hash);
  EXPECT_EQ(entry_hash(e), crypto::to_hex(crypto::sha256(bytes)));
}

TEST(Checkpoint, VerifiesOnlyWithTheBrokersKey) {
  const crypto::signer broker = make_signer('\x01');
  const crypto::signer other = make_signer('\x02');
  const checkpoint cp = seal_checkpoint(broker, 3, 99, std::string(64, 'a'));
  EXPECT_EQ(cp.key_id, broker.key_id());
  EXPECT_TRUE(verify_checkpoint(cp, broker.public_key()));
  EXPECT_FALSE(verify_checkpoint(cp, other.public_key()));
  checkpoint moved = cp;
  moved.seq = 4;
  EXPECT_FALSE(verify_checkpoint(moved, broker.public_key()));
  checkpoint garbled = cp;
  garbled.signature = "not base64!";
  EXPECT_FALSE(verify_checkpoint(garbled, broker.public_key()));
}

}  // namespace
}  // namespace mab::audit
