#include "parties/signing_key.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "absl/strings/ascii.h"
#include "common/digest.h"
#include "common/status.h"
#include "fmt/format.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ledger/commitment.h"
#include "ledger/entry.h"
#include "parties/party.h"
#include "store/record_digest.h"
#include "store/sqlite_ledger.h"

namespace deconflict::parties {
namespace {

using ::testing::HasSubstr;

std::filesystem::path TempDir(const std::string& prefix) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() /
      (prefix + std::to_string(::getpid()) + "_" +
       ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// ---------------------------------------------------------------------------------------------
// Encodings and keys

TEST(SigningKeyId, IsTheHexOfTheFirstEightBytesOfTheKeysSha256) {
  const PrivateSigningKey key = GenerateSigningKey();
  const std::string id = SigningKeyId(key.public_key);
  EXPECT_EQ(id.size(), kKeyIdSize);
  EXPECT_EQ(id, HexEncode(Sha256(key.public_key)).substr(0, 16));
  EXPECT_EQ(*ParseKeyId(absl::AsciiStrToUpper(id)), id);
  EXPECT_EQ(FieldOf(ParseKeyId("xyz", "--key-id").status()), "--key-id");
  EXPECT_FALSE(ParseKeyId("0123456789abcdeg").ok());
}

TEST(PublicKey, ParsesStandardAndUrlSafeBase64WithOrWithoutPadding) {
  const PrivateSigningKey key = GenerateSigningKey();
  const std::string standard = Base64(key.public_key);
  EXPECT_EQ(standard.size(), 44u);
  EXPECT_EQ(*ParsePublicKey(standard), key.public_key);
  EXPECT_EQ(*ParsePublicKey(standard.substr(0, 43)), key.public_key);
  EXPECT_EQ(*ParsePublicKey(Base64UrlEncode(key.public_key)), key.public_key);
}

TEST(PublicKey, WrongSizeNotBase64AndInvalidPointsAreRefusedNamingTheField) {
  absl::Status short_key = ParsePublicKey(Base64(std::string(31, 'a')), "--key").status();
  EXPECT_EQ(FieldOf(short_key), "--key");
  EXPECT_THAT(short_key.message(), HasSubstr("31 bytes"));
  EXPECT_EQ(FieldOf(ParsePublicKey("not base64!", "--key").status()), "--key");
  // The identity point (small order): it could never verify a signature.
  std::string identity(32, '\0');
  identity[0] = 1;
  absl::Status small = ParsePublicKey(Base64(identity)).status();
  EXPECT_EQ(small.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(small.message(), HasSubstr("not a valid Ed25519 public key"));
}

TEST(KeyName, ControlCharactersAndLongNamesAreRefused) {
  EXPECT_TRUE(CheckKeyName("").ok());
  EXPECT_TRUE(CheckKeyName("Hmeimim duty desk").ok());
  EXPECT_EQ(FieldOf(CheckKeyName("a\nb", "--name")), "--name");
  EXPECT_FALSE(CheckKeyName(std::string(101, 'a')).ok());
}

TEST(SignBytes, VerifiesWithItsPublicKeyOnly) {
  const PrivateSigningKey key = GenerateSigningKey();
  const PrivateSigningKey other = GenerateSigningKey();
  const std::string signature = SignBytes(key, "message");
  EXPECT_EQ(signature.size(), kSignatureSize);
  EXPECT_TRUE(VerifyBytes(key.public_key, "message", signature));
  EXPECT_FALSE(VerifyBytes(other.public_key, "message", signature));
  EXPECT_FALSE(VerifyBytes(key.public_key, "messagf", signature));
  EXPECT_FALSE(VerifyBytes(key.public_key, "message", signature.substr(1)));
}

TEST(SigningKeyFromSeed, IsDeterministic) {
  const PrivateSigningKey key = GenerateSigningKey();
  EXPECT_EQ(SigningKeyFromSeed(key.seed)->public_key, key.public_key);
  EXPECT_FALSE(SigningKeyFromSeed("short").ok());
}

// ---------------------------------------------------------------------------------------------
// Private key files

TEST(PrivateKeyFile, RoundTripsWithMode0600AndIsNeverOverwritten) {
  const std::filesystem::path dir = TempDir("signing_key_file_");
  const std::string path = (dir / "desk.key").string();
  const PrivateSigningKey key = GenerateSigningKey();
  ASSERT_TRUE(WritePrivateKeyFile(path, key).ok());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  absl::StatusOr<PrivateSigningKey> read = ReadPrivateKeyFile(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->seed, key.seed);
  EXPECT_EQ(read->public_key, key.public_key);
  EXPECT_EQ(WritePrivateKeyFile(path, GenerateSigningKey()).code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(ReadPrivateKeyFile(path)->seed, key.seed);
  std::filesystem::remove_all(dir);
}

TEST(PrivateKeyFile, MissingGroupReadableAndMalformedFilesAreRefused) {
  const std::filesystem::path dir = TempDir("signing_key_file_");
  EXPECT_EQ(ReadPrivateKeyFile((dir / "none").string()).status().code(),
            absl::StatusCode::kNotFound);

  const std::string readable = (dir / "readable.key").string();
  ASSERT_TRUE(WritePrivateKeyFile(readable, GenerateSigningKey()).ok());
  ::chmod(readable.c_str(), 0640);
  absl::Status status = ReadPrivateKeyFile(readable).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(status.message(), HasSubstr("chmod 600"));

  const std::string malformed = (dir / "malformed.key").string();
  std::ofstream(malformed) << kPrivateKeyHeader << "\nnot-a-seed\n";
  ::chmod(malformed.c_str(), 0600);
  EXPECT_EQ(ReadPrivateKeyFile(malformed).status().code(), absl::StatusCode::kFailedPrecondition);

  const std::string public_only = (dir / "public.key").string();
  std::ofstream(public_only) << Base64(GenerateSigningKey().public_key) << "\n";
  ::chmod(public_only.c_str(), 0600);
  EXPECT_THAT(ReadPrivateKeyFile(public_only).status().message(), HasSubstr(kPrivateKeyHeader));
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------------------------
// Registration in the store

class SigningKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir("signing_key_store_");
    auto store = store::Store::Open(dir_.string());
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    for (const char* id : {"RU", "US"}) {
      ASSERT_TRUE(AddParty(*store_, clock_, *ParsePartySpec(id, id, "operator")).ok());
    }
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  ledger::Entry EntryAt(uint64_t index) {
    return store_->WithReader([&](store::Database& db) {
      store::LedgerReader reader(db);
      absl::StatusOr<std::vector<std::string>> bytes = reader.Entries(index, index + 1);
      absl::StatusOr<std::vector<std::optional<store::StoredOpening>>> openings =
          reader.Openings(index, index + 1);
      EXPECT_TRUE(bytes.ok() && openings.ok() && openings->at(0));
      absl::StatusOr<ledger::Entry> entry =
          ledger::OpenLeaf(bytes->at(0), &openings->at(0)->opening);
      EXPECT_TRUE(entry.ok()) << entry.status();
      return entry.value_or(ledger::Entry{});
    });
  }

  std::filesystem::path dir_;
  FakeClock clock_{Timestamp(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<store::Store> store_;
};

TEST_F(SigningKeyStoreTest, AddedKeyIsListedWithASigningKeyAddEntryCommittingToTheRow) {
  const PrivateSigningKey key = GenerateSigningKey();
  absl::StatusOr<store::SigningKeyRecord> added =
      AddSigningKey(*store_, clock_, PartyId("RU"), key.public_key, "Hmeimim desk");
  ASSERT_TRUE(added.ok()) << added.status();
  EXPECT_EQ(added->key_id, SigningKeyId(key.public_key));
  EXPECT_FALSE(added->revoked_at);

  absl::StatusOr<std::vector<store::SigningKeyRecord>> listed = store::ListSigningKeys(*store_);
  ASSERT_TRUE(listed.ok()) << listed.status();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0), *added);
  EXPECT_TRUE(store::ListSigningKeys(*store_, "US")->empty());

  const ledger::Entry entry = EntryAt(static_cast<uint64_t>(added->ledger_index));
  EXPECT_EQ(entry.action, store::kActionSigningKeyAdd);
  EXPECT_EQ(entry.party, "RU");
  EXPECT_EQ(entry.object_id, added->key_id);
  EXPECT_EQ(entry.content_digest, Sha256("deconflict/signing-key/v1\n" + added->key_id + "\nRU\n" +
                                         HexEncode(key.public_key) + "\nHmeimim desk"));
  EXPECT_EQ(entry.server_time, clock_.Now());
}

TEST_F(SigningKeyStoreTest, AKeyForAnUnknownOrRevokedPartyIsRefused) {
  absl::Status unknown =
      AddSigningKey(*store_, clock_, PartyId("XX"), GenerateSigningKey().public_key).status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(FieldOf(unknown), "party");
  ASSERT_TRUE(RevokeParty(*store_, clock_, PartyId("US")).ok());
  EXPECT_EQ(AddSigningKey(*store_, clock_, PartyId("US"), GenerateSigningKey().public_key)
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store::ListSigningKeys(*store_)->empty());
}

TEST_F(SigningKeyStoreTest, AKeyIsRegisteredOnceEvenForAnotherPartyAndEvenAfterRevocation) {
  const PrivateSigningKey key = GenerateSigningKey();
  ASSERT_TRUE(AddSigningKey(*store_, clock_, PartyId("RU"), key.public_key).ok());
  EXPECT_EQ(AddSigningKey(*store_, clock_, PartyId("US"), key.public_key).status().code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(RevokeSigningKey(*store_, clock_, SigningKeyId(key.public_key)).ok());
  EXPECT_EQ(AddSigningKey(*store_, clock_, PartyId("RU"), key.public_key).status().code(),
            absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(store::ListSigningKeys(*store_)->size(), 1u);
}

TEST_F(SigningKeyStoreTest, RevocationSetsRevokedAtWithAnEntryAndHappensOnce) {
  const PrivateSigningKey key = GenerateSigningKey();
  const store::SigningKeyRecord added =
      *AddSigningKey(*store_, clock_, PartyId("RU"), key.public_key, "desk");
  clock_.Advance(std::chrono::seconds(60));
  absl::StatusOr<RevokedSigningKey> revoked = RevokeSigningKey(*store_, clock_, added.key_id);
  ASSERT_TRUE(revoked.ok()) << revoked.status();
  EXPECT_EQ(revoked->key.revoked_at, clock_.Now());
  EXPECT_EQ(store::ListSigningKeys(*store_)->at(0).revoked_at, clock_.Now());
  const ledger::Entry entry = EntryAt(revoked->ledger_index);
  EXPECT_EQ(entry.action, store::kActionSigningKeyRevoke);
  EXPECT_EQ(entry.object_id, added.key_id);
  EXPECT_EQ(entry.content_digest,
            EntryAt(static_cast<uint64_t>(added.ledger_index)).content_digest);

  EXPECT_EQ(RevokeSigningKey(*store_, clock_, added.key_id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  absl::Status unknown = RevokeSigningKey(*store_, clock_, "0123456789abcdef").status();
  EXPECT_EQ(unknown.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(FieldOf(unknown), "key_id");
}

TEST_F(SigningKeyStoreTest, BadNameIsRefusedBeforeAnythingIsWritten) {
  EXPECT_EQ(FieldOf(AddSigningKey(*store_, clock_, PartyId("RU"), GenerateSigningKey().public_key,
                                  "two\nlines")
                        .status()),
            "name");
  EXPECT_TRUE(store::ListSigningKeys(*store_)->empty());
}

// ---------------------------------------------------------------------------------------------
// `ledger check` of the table (store::CheckSigningKeyRows)

class SigningKeyCheckTest : public SigningKeyStoreTest {
 protected:
  absl::StatusOr<uint64_t> Check() {
    auto db =
        store::Database::Open((dir_ / "deconflict.db").string(), store::Database::Mode::kReadOnly);
    if (!db.ok()) return db.status();
    store::LedgerReader reader(**db);
    return store::CheckSigningKeyRows(**db,
                                      [&](const auto& fn) { return reader.ForEachEntry(fn); });
  }
  void Tamper(const std::string& sql) {
    auto db =
        store::Database::Open((dir_ / "deconflict.db").string(), store::Database::Mode::kReadWrite);
    ASSERT_TRUE(db.ok()) << db.status();
    ASSERT_TRUE((*db)->Exec(sql).ok()) << sql;
  }
  void SetUp() override {
    SigningKeyStoreTest::SetUp();
    active_ = *AddSigningKey(*store_, clock_, PartyId("RU"), GenerateSigningKey().public_key, "a");
    revoked_ = *AddSigningKey(*store_, clock_, PartyId("US"), GenerateSigningKey().public_key, "b");
    clock_.Advance(std::chrono::seconds(5));
    ASSERT_TRUE(RevokeSigningKey(*store_, clock_, revoked_.key_id).ok());
  }
  store::SigningKeyRecord active_;
  store::SigningKeyRecord revoked_;
};

TEST_F(SigningKeyCheckTest, RowsWrittenByTheModuleMatchTheLedger) {
  absl::StatusOr<uint64_t> checked = Check();
  ASSERT_TRUE(checked.ok()) << checked.status();
  EXPECT_EQ(*checked, 2u);
}

TEST_F(SigningKeyCheckTest, ASwappedPublicKeyIsFound) {
  Tamper(fmt::format("UPDATE signing_keys SET public_key = x'{}' WHERE key_id = '{}'",
                     HexEncode(GenerateSigningKey().public_key), active_.key_id));
  absl::Status status = Check().status();
  EXPECT_EQ(status.code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(status.message(), HasSubstr("signing_keys row " + active_.key_id));
}

TEST_F(SigningKeyCheckTest, AClearedOrForgedRevocationIsFound) {
  Tamper(fmt::format("UPDATE signing_keys SET revoked_at = NULL WHERE key_id = '{}'",
                     revoked_.key_id));
  EXPECT_THAT(Check().status().message(), HasSubstr("revoked_at is not set but the ledger has a"));
  Tamper(fmt::format("UPDATE signing_keys SET revoked_at = 1 WHERE key_id = '{}'", active_.key_id));
  EXPECT_THAT(Check().status().message(), HasSubstr("2 signing key row(s) differ"));
}

TEST_F(SigningKeyCheckTest, ADeletedRowIsFound) {
  Tamper(fmt::format("DELETE FROM signing_keys WHERE key_id = '{}'", revoked_.key_id));
  EXPECT_THAT(Check().status().message(),
              HasSubstr("signing_keys row " + revoked_.key_id + ": missing, though ledger entry"));
}

}  // namespace
}  // namespace deconflict::parties
