// Canonical encodings, the chain head, and checkpoint signatures.
#include <utility>

#include "daemon/audit/audit.h"

namespace mab::audit {
namespace {

constexpr std::string_view k_entry_domain = "mab.v1.AuditEntry\n";
constexpr std::string_view k_checkpoint_domain = "mab.v1.AuditCheckpoint\n";

void put_u64(std::string& out, std::uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((v >> shift) & 0xffu));
  }
}

// Every field, numbers included, carries its length, so a byte can never move from one field
// to its neighbour without changing the encoding.
void put_field(std::string& out, std::string_view bytes) {
  put_u64(out, bytes.size());
  out.append(bytes);
}

void put_number(std::string& out, std::uint64_t v) {
  std::string bytes;
  put_u64(bytes, v);
  put_field(out, bytes);
}

std::string checkpoint_message(const checkpoint& cp) {
  std::string out(k_checkpoint_domain);
  put_number(out, cp.seq);
  put_number(out, static_cast<std::uint64_t>(cp.at_ms));
  put_field(out, cp.head_hash);
  put_field(out, cp.key_id);
  return out;
}

}  // namespace

std::string entry_hash(const entry& e) {
  std::string out(k_entry_domain);
  put_number(out, e.seq);
  put_number(out, static_cast<std::uint64_t>(e.at_ms));
  put_field(out, e.kind);
  put_field(out, e.subject_key);
  put_field(out, e.data);
  put_field(out, e.prev_hash);
  return crypto::to_hex(crypto::sha256(out));
}

chain::chain(std::uint64_t last_seq, std::string last_hash)
    : last_seq_(last_seq), last_hash_(std::move(last_hash)) {}

entry chain::append(std::int64_t at_ms, std::string kind, std::string subject_key,
                    std::string data) {
  entry e{last_seq_ + 1, at_ms,     std::move(kind), std::move(subject_key),
          std::move(data), last_hash_, {}};
  e.hash = entry_hash(e);
  last_seq_ = e.seq;
  last_hash_ = e.hash;
  return e;
}

checkpoint seal_checkpoint(const crypto::signer& broker, std::uint64_t seq, std::int64_t at_ms,
                           const std::string& head_hash) {
  checkpoint cp{seq, at_ms, head_hash, broker.key_id(), {}};
  cp.signature = crypto::base64_encode(broker.sign(checkpoint_message(cp)));
  return cp;
}

bool verify_checkpoint(const checkpoint& cp, std::string_view broker_public_key) {
  if (cp.key_id != crypto::key_id_for(broker_public_key)) return false;
  const auto signature = crypto::base64_decode(cp.signature);
  return signature && crypto::verify(broker_public_key, checkpoint_message(cp), *signature);
}

}  // namespace mab::audit
