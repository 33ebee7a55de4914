#include "daemon/wire/wire.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

namespace mab::wire {

frames make_frames(std::string_view command, std::string payload) {
  frames f;
  f.emplace_back(protocol_tag);
  f.emplace_back(command);
  f.push_back(std::move(payload));
  return f;
}

std::string serialize(const google::protobuf::MessageLite& message) {
  // Deterministic so that re-serializing the same message yields the same signed bytes.
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    message.SerializeToCodedStream(&coded);
  }
  return out;
}

std::string sealed_signing_input(std::string_view type, std::string_view payload) {
  std::string input = "mab.v1.";
  input.append(type);
  input.push_back('\n');
  input.append(payload);
  return input;
}

mab::v1::Sealed seal(const crypto::signer& signer, std::string_view type,
                     const google::protobuf::MessageLite& message) {
  mab::v1::Sealed s;
  s.set_type(std::string(type));
  s.set_payload(serialize(message));
  s.set_key_id(signer.key_id());
  s.set_signature(signer.sign(sealed_signing_input(type, s.payload())));
  return s;
}

bool verify_sealed(const mab::v1::Sealed& sealed, std::string_view type,
                   std::string_view public_key) {
  if (sealed.type() != type) return false;
  if (sealed.key_id() != crypto::key_id_for(public_key)) return false;
  return crypto::verify(public_key, sealed_signing_input(type, sealed.payload()),
                        sealed.signature());
}

bool open_sealed(const mab::v1::Sealed& sealed, std::string_view type,
                 std::string_view public_key, google::protobuf::MessageLite& out) {
  return verify_sealed(sealed, type, public_key) && out.ParseFromString(sealed.payload());
}

mab::v1::SignedEnvelope sign_notification(const crypto::signer& signer,
                                          const mab::v1::Notification& n) {
  mab::v1::SignedEnvelope env;
  env.set_notification(serialize(n));
  env.set_key_id(signer.key_id());
  env.set_signature(signer.sign(env.notification()));
  return env;
}

bool verify_envelope(const mab::v1::SignedEnvelope& env, std::string_view public_key) {
  return env.key_id() == crypto::key_id_for(public_key) &&
         crypto::verify(public_key, env.notification(), env.signature());
}

google::protobuf::Timestamp to_timestamp(time_point t) {
  const auto ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  google::protobuf::Timestamp ts;
  auto seconds = ns / 1'000'000'000;
  auto nanos = ns % 1'000'000'000;
  if (nanos < 0) {
    nanos += 1'000'000'000;
    --seconds;
  }
  ts.set_seconds(seconds);
  ts.set_nanos(static_cast<std::int32_t>(nanos));
  return ts;
}

time_point from_timestamp(const google::protobuf::Timestamp& ts) {
  const auto d = std::chrono::seconds(ts.seconds()) + std::chrono::nanoseconds(ts.nanos());
  return time_point(std::chrono::duration_cast<time_point::duration>(d));
}

}  // namespace mab::wire
