#include "store/record_digest.h"

#include <cstdint>
#include <string_view>

#include "common/digest.h"

namespace deconflict::store {
namespace {

class Encoder {
 public:
  explicit Encoder(std::string_view tag) : out_(tag) {}
  void Bytes(std::string_view bytes) {
    Fixed(static_cast<uint64_t>(bytes.size()), 4);
    out_.append(bytes);
  }
  void Int(int64_t value) { Fixed(static_cast<uint64_t>(value), 8); }
  const std::string& bytes() const { return out_; }

 private:
  void Fixed(uint64_t value, int width) {
    for (int i = width - 1; i >= 0; --i)
      out_.push_back(static_cast<char>((value >> (8 * i)) & 0xff));
  }
  std::string out_;
};

}  // namespace

std::string OperationRecordDigest(const OperationRecord& r) {
  Encoder e("deconflict/operation/v1\n");
  e.Bytes(r.id);
  e.Bytes(r.party);
  e.Int(r.version);
  e.Bytes(r.ovn);
  e.Bytes(r.state);
  e.Bytes(r.label);
  e.Bytes(r.extents);
  e.Bytes(r.request_digest);
  e.Int(r.created_at.time_since_epoch().count());
  e.Int(r.updated_at.time_since_epoch().count());
  return Sha256(e.bytes());
}

std::string EncounterRecordDigest(const EncounterRecord& r) {
  Encoder e("deconflict/encounter/v1\n");
  e.Int(r.id);
  e.Bytes(r.party_a);
  e.Bytes(r.track_a);
  e.Bytes(r.party_b);
  e.Bytes(r.track_b);
  e.Int(r.opened_at.time_since_epoch().count());
  e.Bytes(r.opening);
  e.Int(r.closed_at ? r.closed_at->time_since_epoch().count() : -1);
  e.Bytes(r.close_reason);
  e.Bytes(r.closing);
  e.Int(static_cast<int64_t>(r.alerted.size()));
  for (const std::string& party : r.alerted) e.Bytes(party);
  return Sha256(e.bytes());
}

std::string EncounterOpeningDigest(EncounterRecord record) {
  record.closed_at.reset();
  record.close_reason.clear();
  record.closing.clear();
  return EncounterRecordDigest(record);
}

std::string SignedAckRecordDigest(std::string_view key_id, std::string_view signature,
                                  std::string_view statement) {
  std::string text = "deconflict-ack-record/v1\n";
  text.append(key_id);
  text += '\n';
  text += Hex(signature);
  text += '\n';
  text.append(statement);
  return Sha256(text);
}

std::string EncounterAckDigest(const EncounterAckRecord& ack) {
  if (!ack.signature.empty())
    return SignedAckRecordDigest(ack.key_id, ack.signature, ack.statement);
  return Sha256("deconflict/encounter-ack/v1\n" + std::to_string(ack.encounter) + "\n" + ack.party +
                "\n" + std::to_string(ack.at.time_since_epoch().count()));
}

std::string PartyRecordDigest(const PartyRecord& r) {
  std::string content = r.id;
  content += '\n';
  content += r.name;
  content += '\n';
  content += r.role;
  return Sha256(content);
}

std::string WitnessBindingDigest(std::string_view name, std::string_view party,
                                 std::string_view verifier_key) {
  std::string content(name);
  content += '\n';
  content += party;
  content += '\n';
  content += verifier_key;
  return Sha256(content);
}

std::string SigningKeyRecordDigest(std::string_view key_id, std::string_view party,
                                   std::string_view public_key, std::string_view name) {
  std::string content = "deconflict/signing-key/v1\n";
  content += key_id;
  content += '\n';
  content += party;
  content += '\n';
  content += HexEncode(public_key);
  content += '\n';
  content += name;
  return Sha256(content);
}

}  // namespace deconflict::store
